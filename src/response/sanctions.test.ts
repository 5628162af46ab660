import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../scenario/service.ts';
import { ListFormatError, readOfac, readUn } from './lists.ts';
import { listVersions, screenNames, storeList } from './sanctions.ts';

const SLUG = BUILT_IN_SCENARIO;

// Small list files in the real formats: screening tests need no 10,000-row load.
const dir = mkdtempSync(join(tmpdir(), 'vigil-sanctions-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'sdn.csv'),
  [
    '7001,"KADYROV, Ramzan Akhmatovich","individual","UKRAINE-EO13660] [GLOMAG",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 05 Oct 1976."',
    '7002,"EXAMPLE TRADING LLC",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    '\u001a',
  ].join('\r\n'),
  'latin1',
);
writeFileSync(join(dir, 'alt.csv'), '7001,1,"aka","KADYROV, Ramzan",-0- \r\n\u001a', 'latin1');
writeFileSync(join(dir, 'add.csv'), '7001,1,-0- ,"Grozny","Russia",-0- \r\n\u001a', 'latin1');
const UN = join(dir, 'un.xml');
writeFileSync(
  UN,
  `<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-01-05T00:00:00.000Z">
  <INDIVIDUALS>
    <INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>ERIC</FIRST_NAME><SECOND_NAME>BADEGE</SECOND_NAME>
      <UN_LIST_TYPE>DRC</UN_LIST_TYPE><REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>
      <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Erik Badege</ALIAS_NAME></INDIVIDUAL_ALIAS>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES/>
</CONSOLIDATED_LIST>`,
);

describeEachDatabase('sanctions screening and dossiers', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;

  before(async () => {
    await importScenario(getDb(), SLUG);
    tokens = await createUsersWithTokens(getDb());
    await storeList(getDb(), readOfac(dir), dir);
    await storeList(getDb(), readUn(UN), UN);
    app = await buildTestApp(getDb());
  });

  const screen = (role: Role | null, payload: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/sanctions/screen',
      headers: role ? bearer(tokens[role]) : {},
      payload,
    });

  it('records each list with its version: the UN generation date, the OFAC hash and load date', async () => {
    const lists = (await app.inject({ url: '/api/v1/sanctions/lists' })).json().items;
    const un = lists.find((l: { source: string }) => l.source === 'un-consolidated');
    assert.equal(un.version, 'generated 2026-01-05T00:00:00.000Z');
    const ofac = lists.find((l: { source: string }) => l.source === 'ofac-sdn');
    assert.match(ofac.version, /^sha256 [0-9a-f]{64}, loaded \d{4}-\d{2}-\d{2}$/);
    assert.equal(ofac.entryCount, 2);
    assert.equal(ofac.files.length, 3);
  });

  it('screens names with scores, reasons, list and version', async () => {
    const res = await screen('analyst', {
      names: ['Kadyrov Ramzan', 'Рамзан Кадыров', 'Jane Doe', 'Eric Bdaege'],
    });
    assert.equal(res.statusCode, 200, res.body);
    const [reordered, cyrillic, none, typo] = res.json().results;
    assert.equal(reordered.matches[0].entryId, '7001');
    assert.equal(reordered.matches[0].list.source, 'ofac-sdn');
    assert.match(reordered.matches[0].list.version, /^sha256 /);
    assert.deepEqual(reordered.matches[0].programs, ['UKRAINE-EO13660', 'GLOMAG']);
    assert.match(cyrillic.matches[0].reasons.join(' '), /transliterated from cyrillic/);
    assert.equal(none.matches.length, 0);
    assert.equal(typo.matches[0].entryId, 'CDi.001');
    assert.equal(typo.matches[0].list.version, 'generated 2026-01-05T00:00:00.000Z');
    assert.ok(typo.matches[0].score < 1 && typo.matches[0].reasons.length > 0);
  });

  it('refuses an empty name, and screening without the role', async () => {
    const empty = await screen('organiser', { names: ['Ramzan Kadyrov', '  '] });
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().errors[0].field, 'names.1');
    assert.equal((await screen('organiser', { names: [] })).statusCode, 400);
    assert.equal((await screen(null, { names: ['x y'] })).statusCode, 401);
    assert.equal((await screen('viewer', { names: ['x y'] })).statusCode, 403);
    assert.equal((await screen('documenter', { names: ['x y'] })).statusCode, 403);
    await assert.rejects(screenNames(getDb(), ['']), /names\.0: is an empty name/);
  });

  it('imports a list all or nothing: a malformed file leaves the active list as it was', async () => {
    const before = await listVersions(getDb());
    const bad = mkdtempSync(join(tmpdir(), 'vigil-bad-'));
    writeFileSync(
      join(bad, 'sdn.csv'),
      '7003,"GOOD NAME",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n7004,"',
    );
    assert.throws(() => readOfac(bad), ListFormatError);
    writeFileSync(join(bad, 'sdn.csv'), '7003,"",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n');
    assert.throws(() => readOfac(bad), /sdn\.csv:1: empty name/);
    rmSync(bad, { recursive: true, force: true });
    assert.deepEqual(await listVersions(getDb()), before);
  });

  it('keeps persons of interest with evidence links, screens them, and exports a dossier', async () => {
    const incidents = (await app.inject({ url: `/api/v1/situations/${SLUG}/incidents?limit=2` })).json()
      .items;
    const create = (role: Role, payload: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/situations/${SLUG}/persons`,
        headers: bearer(tokens[role]),
        payload,
      });
    const body = {
      kind: 'individual',
      name: 'Ramzan Kadyrov',
      aliases: ['Кадыров Рамзан'],
      role: 'Test person: head of a region (fixture, not a claim about the scenario)',
      sources: [{ url: 'https://example.org/role' }],
      incidents: [{ incidentId: incidents[0].id, note: 'ordered the closure' }],
    };
    assert.equal((await create('viewer', body)).statusCode, 403);
    const bad = await create('analyst', {
      ...body,
      incidents: [{ incidentId: '00000000-0000-4000-8000-000000000000' }],
    });
    assert.equal(bad.statusCode, 400);
    const created = await create('analyst', body);
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id;
    assert.equal(created.json().incidents[0].note, 'ordered the closure');
    assert.equal(created.json().latestScreening, null);
    assert.equal((await app.inject({ url: `/api/v1/persons/${id}` })).statusCode, 401, 'not public');

    const screened = await app.inject({
      method: 'POST',
      url: `/api/v1/persons/${id}/screen`,
      headers: bearer(tokens.organiser),
      payload: {},
    });
    assert.equal(screened.statusCode, 200, screened.body);
    const s = screened.json().latestScreening;
    assert.equal(s.matches.length, 1, 'name and alias hit the same entry once');
    assert.equal(s.matches[0].entryId, '7001');
    assert.equal(s.lists.length, 2);

    const json = await app.inject({ url: `/api/v1/persons/${id}/dossier`, headers: bearer(tokens.admin) });
    assert.equal(json.statusCode, 200);
    assert.equal(json.json().format, 'vigil-dossier/1');
    assert.equal(json.json().evidence[0].id, incidents[0].id);
    assert.ok(json.json().evidence[0].sources.length > 0);
    const md = await app.inject({
      url: `/api/v1/persons/${id}/dossier?format=md`,
      headers: bearer(tokens.admin),
    });
    assert.equal(md.statusCode, 200);
    assert.match(md.headers['content-type'] as string, /^text\/markdown/);
    assert.match(md.body, /^# Dossier: Ramzan Kadyrov/);
    assert.match(md.body, /ofac-sdn \(sha256 [0-9a-f]{64}, loaded/);
    assert.match(md.body, /## Evidence: documented incidents/);
    const list = await app.inject({
      url: `/api/v1/situations/${SLUG}/persons`,
      headers: bearer(tokens.analyst),
    });
    assert.equal(list.json().items.length, 1);
  });
});
