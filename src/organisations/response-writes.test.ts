// Writes of the response module (measures, status changes, incident and item links, the events registry,
// persons of interest and their screenings) in an organisation's PUBLIC situation: reading it is open to all,
// but only the organisation's members (and admins) write to it. A non-member with the right role gets 403
// and nothing is written. And `vigil demo --replace` keeps the scenario in its organisation, as private as
// it was.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens, TEST_PASSWORD } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { createApiToken, createUser } from '../auth/service.ts';
import { readOfac, readUn } from '../response/lists.ts';
import { storeList } from '../response/sanctions.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../scenario/service.ts';
import { findSituation } from '../situations/service.ts';

const SLUG = BUILT_IN_SCENARIO; // moved into organisation B, left public
const BASE = `/api/v1/situations/${SLUG}`;

// Every table a response write adds to: a refused write must leave all of them as they were.
const RESPONSE_TABLES = [
  'measures',
  'measure_status_changes',
  'measure_incidents',
  'measure_items',
  'hosted_events',
  'boycott_calls',
  'boycott_responses',
  'persons_of_interest',
  'person_incidents',
  'person_screenings',
];

// Two tiny lists in the real formats, so screening needs no load of the bundled snapshots.
const listDir = mkdtempSync(join(tmpdir(), 'vigil-org-lists-'));
after(() => rmSync(listDir, { recursive: true, force: true }));
writeFileSync(
  join(listDir, 'sdn.csv'),
  '7101,"EXAMPLE, Official","individual","GLOMAG",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\u001a',
  'latin1',
);
const UN = join(listDir, 'un.xml');
writeFileSync(
  UN,
  `<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-01-05T00:00:00.000Z">
  <INDIVIDUALS>
    <INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>OTHER</FIRST_NAME><SECOND_NAME>PERSON</SECOND_NAME>
      <UN_LIST_TYPE>DRC</UN_LIST_TYPE><REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER></INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES/>
</CONSOLIDATED_LIST>`,
);

describeEachDatabase('response writes in an organisation’s public situation', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  // Members of organisation B, and of organisation A (with the same roles: only membership differs).
  const member = { organiserB: '', analystB: '', organiserA: '', analystA: '' };
  const ids = { incident: '', measure: '', event: '', person: '' };

  const get = (url: string, token?: string) => app.inject({ url, headers: token ? bearer(token) : {} });
  const send = (method: 'POST' | 'PUT' | 'PATCH', url: string, token: string, payload: object) =>
    app.inject({ method, url, headers: bearer(token), payload });

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const table of RESPONSE_TABLES) {
      const [row] = await getDb().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      out[table] = row!.n;
    }
    return out;
  };

  const measure = {
    category: 'sanction',
    actor: 'Example Parliament',
    target: 'Officials responsible for the blockade',
    title: 'Targeted sanctions proposal (test)',
    status: 'proposed',
    date: '2023-03',
    sources: [{ url: 'https://example.org/proposal' }],
  };
  const event = {
    name: 'Example Cup 2025',
    kind: 'sport',
    host: 'Example host',
    startsOn: '2025-06-01',
    sources: [{ url: 'https://example.org/cup' }],
  };
  const call = {
    caller: 'Example NGO',
    addressee: 'Example Federation',
    title: 'Call to withdraw',
    form: 'open letter',
    sources: [{ url: 'https://example.org/letter' }],
  };
  const response = {
    responder: 'Team X',
    response: 'withdrew',
    sources: [{ url: 'https://example.org/withdrew' }],
  };
  const person = {
    kind: 'individual',
    name: 'Official Example',
    role: 'Test person (fixture, not a claim about the scenario)',
    sources: [{ url: 'https://example.org/role' }],
  };

  before(async () => {
    const db = getDb();
    await importScenario(db, SLUG);
    tokens = await createUsersWithTokens(db);
    await storeList(db, readOfac(listDir), listDir);
    await storeList(db, readUn(UN), UN);
    for (const [key, role] of [
      ['organiserB', 'organiser'],
      ['analystB', 'analyst'],
      ['organiserA', 'organiser'],
      ['analystA', 'analyst'],
    ] as const) {
      const email = `${key.toLowerCase()}@example.org`;
      await createUser(db, { email, password: TEST_PASSWORD, role });
      member[key] = (await createApiToken(db, email, 'test')).token;
    }
    app = await buildTestApp(db);
    for (const [slug, members] of [
      ['org-a', ['organisera@example.org', 'analysta@example.org']],
      ['org-b', ['organiserb@example.org', 'analystb@example.org']],
    ] as const) {
      const made = await send('POST', '/api/v1/organisations', tokens.admin, { slug, name: slug });
      assert.equal(made.statusCode, 201, made.body);
      for (const email of members) {
        const added = await send('POST', `/api/v1/organisations/${slug}/members`, tokens.admin, { email });
        assert.equal(added.statusCode, 201, added.body);
      }
    }
    const moved = await send('PATCH', BASE, tokens.admin, { organisation: 'org-b' });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(moved.json().visibility, 'public');
    ids.incident = (await get(`${BASE}/incidents?limit=1`)).json().items[0].id;
  });

  after(async () => {
    await app.close();
  });

  it('lets B’s members record measures, status changes, links, events and persons', async () => {
    const created = await send('POST', `${BASE}/measures`, member.organiserB, measure);
    assert.equal(created.statusCode, 201, created.body);
    ids.measure = created.json().id;
    const changed = await send('POST', `/api/v1/measures/${ids.measure}/status`, member.organiserB, {
      status: 'introduced',
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const linked = await send('PUT', `/api/v1/measures/${ids.measure}/incidents`, member.organiserB, {
      incidentIds: [ids.incident],
    });
    assert.equal(linked.statusCode, 200, linked.body);
    assert.equal(
      (await send('PUT', `/api/v1/measures/${ids.measure}/items`, member.organiserB, { itemIds: [] }))
        .statusCode,
      200,
    );
    const hosted = await send('POST', `${BASE}/events`, member.organiserB, event);
    assert.equal(hosted.statusCode, 201, hosted.body);
    ids.event = hosted.json().id;
    assert.equal(
      (await send('POST', `${BASE}/boycott-calls`, member.organiserB, { ...call, eventId: ids.event }))
        .statusCode,
      201,
    );
    assert.equal(
      (await send('POST', `/api/v1/events/${ids.event}/responses`, member.organiserB, response)).statusCode,
      201,
    );
    const kept = await send('POST', `${BASE}/persons`, member.analystB, person);
    assert.equal(kept.statusCode, 201, kept.body);
    ids.person = kept.json().id;
    const screened = await send('POST', `/api/v1/persons/${ids.person}/screen`, member.analystB, {});
    assert.equal(screened.statusCode, 200, screened.body);
    assert.equal(screened.json().latestScreening.matches[0].entryId, '7101');
  });

  it('refuses every response write from outside B with 403, and writes nothing', async () => {
    const counted = await counts();
    const history = (await get(`/api/v1/measures/${ids.measure}`)).json().history.length;
    // Same roles as B's members, in another organisation or in none: only membership is missing.
    for (const [who, organiser, analyst] of [
      ['member of A', member.organiserA, member.analystA],
      ['member of no organisation', tokens.organiser, tokens.analyst],
    ] as const) {
      const writes: [string, Awaited<ReturnType<typeof send>>][] = [
        ['measure', await send('POST', `${BASE}/measures`, organiser, measure)],
        [
          'status change',
          await send('POST', `/api/v1/measures/${ids.measure}/status`, organiser, { status: 'adopted' }),
        ],
        [
          'incident links',
          await send('PUT', `/api/v1/measures/${ids.measure}/incidents`, organiser, { incidentIds: [] }),
        ],
        [
          'item links',
          await send('PUT', `/api/v1/measures/${ids.measure}/items`, organiser, { itemIds: [] }),
        ],
        ['event', await send('POST', `${BASE}/events`, organiser, event)],
        ['boycott call', await send('POST', `${BASE}/boycott-calls`, organiser, call)],
        ['response', await send('POST', `/api/v1/events/${ids.event}/responses`, organiser, response)],
        ['person', await send('POST', `${BASE}/persons`, analyst, person)],
        ['person (organiser)', await send('POST', `${BASE}/persons`, organiser, person)],
        ['screening', await send('POST', `/api/v1/persons/${ids.person}/screen`, analyst, {})],
      ];
      for (const [what, res] of writes) {
        assert.equal(res.statusCode, 403, `${what} by a ${who}: ${res.body}`);
        assert.match(res.json().detail ?? res.body, /only members of the situation's organisation/, what);
      }
    }
    assert.deepEqual(await counts(), counted, 'nothing was written');
    const unchanged = (await get(`/api/v1/measures/${ids.measure}`)).json();
    assert.equal(unchanged.history.length, history);
    assert.equal(unchanged.status, 'introduced');
    assert.equal(unchanged.incidents.length, 1, 'the links stay as B’s member set them');
  });

  it('keeps B’s persons of interest with B even though the situation is public', async () => {
    for (const token of [member.analystA, tokens.analyst, tokens.organiser]) {
      assert.equal((await get(`${BASE}/persons`, token)).statusCode, 403);
      assert.equal((await get(`/api/v1/persons/${ids.person}`, token)).statusCode, 403);
      assert.equal((await get(`/api/v1/persons/${ids.person}/dossier`, token)).statusCode, 403);
    }
    assert.equal((await get(`${BASE}/persons`, member.analystB)).json().items.length, 1);
    assert.equal((await get(`/api/v1/persons/${ids.person}/dossier`, tokens.admin)).statusCode, 200);
    // The measures and the events registry stay public.
    for (const token of [member.organiserA, undefined]) {
      assert.equal((await get(`/api/v1/measures/${ids.measure}`, token)).statusCode, 200);
      assert.equal((await get(`/api/v1/events/${ids.event}`, token)).statusCode, 200);
    }
  });

  it('lets admins write in every organisation', async () => {
    const created = await send('POST', `${BASE}/measures`, tokens.admin, {
      ...measure,
      title: 'By an admin',
    });
    assert.equal(created.statusCode, 201, created.body);
  });

  it('keeps the organisation and visibility when the scenario is replaced (vigil demo --replace)', async () => {
    const made = await send('PATCH', BASE, tokens.admin, { visibility: 'private' });
    assert.equal(made.statusCode, 200, made.body);
    const replaced = await importScenario(getDb(), SLUG, { replace: true });
    assert.equal(replaced.status, 'replaced');
    const situation = await findSituation(getDb(), SLUG);
    assert.equal(situation?.organisation, 'org-b');
    assert.equal(situation?.visibility, 'private');
    assert.deepEqual(
      Object.values(await counts()).slice(-3),
      [0, 0, 0],
      'the persons of interest went with the old situation',
    );
    // Still B's: hidden from others, writable by B's members only.
    assert.equal((await get(BASE, member.organiserA)).statusCode, 404);
    assert.equal((await get(BASE, member.organiserB)).statusCode, 200);
    assert.equal((await send('POST', `${BASE}/measures`, member.organiserA, measure)).statusCode, 404);
    assert.equal((await send('POST', `${BASE}/measures`, member.organiserB, measure)).statusCode, 201);
  });
});
