import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parse } from 'yaml';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { ValidationError } from '../lib/errors.ts';
import { parseOfficialsCsv, parseOfficialsFile, parseOfficialsYaml } from './csv.ts';
import type { Official } from './schema.ts';
import { listSources, storeSnapshots } from './service.ts';
import type { DirectorySnapshot } from './types.ts';
import { BUNDLED_US_DIR, readUsDirectory } from './us.ts';

// The full US directory is parsed once per file (it takes a few seconds) and stored once per database.
let parsed: DirectorySnapshot[] | null = null;
const usSnapshots = () => {
  parsed ??= readUsDirectory(BUNDLED_US_DIR, '2026-11-28');
  return parsed;
};

const membership = parse(
  readFileSync(`${BUNDLED_US_DIR}committee-membership-current.yaml`, 'utf8'),
) as Record<string, { bioguide: string }[]>;

const EXAMPLE_DIR = new URL('../../datasets/officials-example/', import.meta.url).pathname;
const EXAMPLE_YAML = readFileSync(`${EXAMPLE_DIR}officials-xx.yaml`, 'utf8');
const EXAMPLE_CSV = readFileSync(`${EXAMPLE_DIR}officials-xx.csv`, 'utf8');
const EXAMPLE_COMMITTEES = readFileSync(`${EXAMPLE_DIR}committees-xx.csv`, 'utf8');

const CSV = `id,name,given_name,family_name,title,body,region,district,party,email,phone,address,contact_form,url
fr-pm,Jeanne Exemple,Jeanne,Exemple,Prime Minister,government,,,Renaissance,pm@example.fr,+33 1 00 00 00 00,"57 rue de Varenne, Paris",,https://example.fr/
fr-mfa,Jean Modèle,Jean,Modèle,Minister for Europe and Foreign Affairs,government,,,,,,"37 quai d'Orsay, Paris",https://example.fr/contact,
fr-an-75-01,Ana Député,Ana,Député,Member of the National Assembly,parliament,Paris,1,Other,ana@example.fr,,,,
`;

describe('officials CSV format', () => {
  it('reads a valid file', () => {
    const s = parseOfficialsCsv(CSV, 'fr', 'test.csv');
    assert.equal(s.source, 'csv:FR');
    assert.equal(s.officials.length, 3);
    const mp = s.officials[2]!;
    assert.equal(mp.chamber, 'parliament');
    assert.equal(mp.district, 1);
    assert.equal(mp.email, 'ana@example.fr');
    assert.equal(s.officials[1]!.offices[0]!.address, "37 quai d'Orsay, Paris");
  });

  it('names the file, line and field of every error, and keeps nothing', () => {
    const bad = `id,name,title,body,email,district,url
a1,Good Row,Minister,government,,,
a2,,Minister,government,not-an-email,,
a1,Duplicate,Minister,government,,x,ftp://example.org
`;
    assert.throws(
      () => parseOfficialsCsv(bad, 'AM', 'bad.csv'),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.deepEqual(
          error.errors.map((e) => `${e.field}: ${e.message}`),
          [
            'bad.csv:3: name: is required',
            'bad.csv:3: email: "not-an-email" is not an email address',
            'bad.csv:4: id: "a1" is already used on line 2',
            'bad.csv:4: url: "ftp://example.org" is not an http(s) URL',
            'bad.csv:4: district: "x" is not a whole number 0–999',
          ],
        );
        return true;
      },
    );
    assert.throws(
      () => parseOfficialsCsv('id,name,title,colour\n', 'AM', 'x.csv'),
      /x\.csv:1.*unknown column "colour".*missing column "body"/s,
    );
    assert.throws(() => parseOfficialsCsv(CSV, 'ARM', 'x'), /--country/);
    // A quoted cell over two lines: the next record's line is still its physical line.
    assert.throws(
      () => parseOfficialsCsv('id,name,title,body\na1,"Two\nLines",T,b\na2,B,T,b,extra\n', 'AM', 'q.csv'),
      /q\.csv:4/,
    );
    assert.throws(() => parseOfficialsCsv('id,name,title,body\na1,"open,T,b\n', 'AM', 'u.csv'), /u\.csv:\d+/);
  });

  it('reads committees and memberships from a committees CSV, refusing unknown codes', () => {
    const s = parseOfficialsCsv(EXAMPLE_CSV, 'XX', 'officials-xx.csv', {
      content: EXAMPLE_COMMITTEES,
      file: 'committees-xx.csv',
    });
    assert.deepEqual(
      s.committees!.map((c) => [c.code, c.parentCode]),
      [
        ['XX-FA', null],
        ['XX-FA1', 'XX-FA'],
        ['XX-DEF', null],
      ],
    );
    assert.deepEqual(
      s.memberships!.map((m) => [m.externalId, m.committeeCode, m.title]),
      [
        ['xx-mp-north-1', 'XX-FA', 'Chair'],
        ['xx-mp-north-1', 'XX-FA1', null],
        ['xx-mp-south-2', 'XX-FA', null],
        ['xx-mp-south-2', 'XX-DEF', null],
      ],
    );
    assert.throws(
      () => parseOfficialsCsv(EXAMPLE_CSV, 'XX', 'officials-xx.csv'),
      /officials-xx\.csv:4: committees: no committee "XX-FA"/,
    );
    assert.throws(
      () =>
        parseOfficialsCsv(EXAMPLE_CSV, 'XX', 'o.csv', {
          content: 'code,name,parent_code\nXX-FA,A,\nXX-FA,B,\nXX-FA1,C,XX-NONE\n',
          file: 'c.csv',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        const lines = error.errors.map((e) => `${e.field}: ${e.message}`);
        assert.ok(lines.includes('c.csv:3: code: "XX-FA" is already used on line 2'), lines.join('\n'));
        assert.ok(lines.includes('c.csv:4: parent_code: no committee "XX-NONE"'), lines.join('\n'));
        return true;
      },
    );
  });
});

describe('officials YAML format', () => {
  it('reads the shipped example: heads of state, ministers, parliamentarians, committees', () => {
    const s = parseOfficialsFile(EXAMPLE_YAML, 'xx', 'officials-xx.yaml');
    assert.equal(s.source, 'csv:XX');
    assert.deepEqual(
      s.officials.map((o) => [o.externalId, o.chamber, o.email]),
      [
        ['xx-president', 'head_of_state', null],
        ['xx-mfa', 'government', 'minister@mfa.examplia.example'],
        ['xx-mp-north-1', 'parliament', 'c.placeholder@parliament.examplia.example'],
        ['xx-mp-south-2', 'parliament', null],
      ],
    );
    assert.equal(s.officials[2]!.district, 1);
    assert.deepEqual(
      s.memberships!.map((m) => [m.externalId, m.committeeCode, m.title, m.rank]),
      [
        ['xx-mp-north-1', 'XX-FA', 'Chair', 1],
        ['xx-mp-north-1', 'XX-FA1', null, null],
        ['xx-mp-south-2', 'XX-FA', null, null],
        ['xx-mp-south-2', 'XX-DEF', null, null],
      ],
    );
    const csv = parseOfficialsFile(EXAMPLE_CSV, 'XX', 'officials-xx.csv', {
      content: EXAMPLE_COMMITTEES,
      file: 'committees-xx.csv',
    });
    assert.deepEqual(
      csv.officials.map((o) => ({ ...o })),
      s.officials.map((o) => ({ ...o })),
      'the CSV and YAML examples say the same',
    );
  });

  it('names file:line:reason for malformed YAML and imports nothing', () => {
    const bad = `country: XX
officials:
  - id: a1
    name: Ann
    title: Minister
    body: government
    email: ann@
  - id: a1
    title: President
    body: head_of_state
    colour: blue
    committees: [NOPE]
`;
    assert.throws(
      () => parseOfficialsYaml(bad, 'XX', 'bad.yaml'),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.deepEqual(
          error.errors.map((e) => `${e.field}: ${e.message}`),
          [
            'bad.yaml:7: email: "ann@" is not an email address',
            'bad.yaml:8: name: is required',
            'bad.yaml:8: id: "a1" is already used on line 3',
            'bad.yaml:11: unknown key "colour" (known: id, name, given_name, family_name, title, body, region, district, party, email, phone, address, contact_form, url, committees)',
            'bad.yaml:12: committees: no committee "NOPE" (define it under committees:, or in the --committees file)',
          ],
        );
        return true;
      },
    );
    assert.throws(() => parseOfficialsYaml('officials:\n  - id: [x\n', 'XX', 's.yaml'), /s\.yaml:\d+/);
    assert.throws(
      () => parseOfficialsYaml('country: FR\nofficials: []\n', 'XX', 'c.yaml'),
      /c\.yaml:1: country FR/,
    );
    assert.throws(() => parseOfficialsYaml('- a\n- b\n', 'XX', 'l.yaml'), /l\.yaml:1: expected a mapping/);
  });
});

describe('US directory reader', () => {
  it('reads members, offices, committees and the executive in office', () => {
    const [congress, executive] = usSnapshots();
    assert.equal(congress!.officials.length, 537);
    const cantwell = congress!.officials.find((o) => o.externalId === 'C000127')!;
    assert.equal(cantwell.chamber, 'senate');
    assert.equal(cantwell.region, 'WA');
    assert.equal(cantwell.party, 'Democrat');
    assert.match(cantwell.contactForm ?? '', /^https:\/\/www\.cantwell\.senate\.gov/);
    assert.equal(cantwell.offices[0]!.kind, 'capitol');
    assert.ok(
      cantwell.offices.some((o) => o.kind === 'district'),
      'district offices joined',
    );
    assert.ok(
      congress!.committees!.some(
        (c) => c.code === 'SSFR' && c.name === 'Senate Committee on Foreign Relations',
      ),
    );
    assert.ok(congress!.committees!.some((c) => c.code === 'SSFR09' && c.parentCode === 'SSFR'));
    assert.deepEqual(executive!.officials.map((o) => o.title).sort(), ['President', 'Vice President']);
  });
});

describeEachDatabase('officials directory', (getDb) => {
  let app: FastifyInstance;
  const search = async (query: string) => {
    const res = await app.inject({ url: `/api/v1/officials?${query}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { items: Official[]; nextCursor: string | null };
  };

  before(async () => {
    await storeSnapshots(getDb(), usSnapshots());
    app = await buildTestApp(getDb());
  });

  it('finds the Senate Foreign Relations members by committee=SSFR', async () => {
    const { items } = await search('committee=SSFR&limit=100');
    const expected = new Set((membership.SSFR ?? []).map((m) => m.bioguide));
    assert.equal(items.length, expected.size);
    assert.deepEqual(new Set(items.map((o) => o.externalId)), expected);
    assert.ok(items.every((o) => o.chamber === 'senate'));
    const chair = items.find((o) => o.externalId === 'R000584')!;
    const seat = chair.committees.find((c) => c.code === 'SSFR')!;
    assert.equal(seat.name, 'Senate Committee on Foreign Relations');
    assert.equal(seat.title, 'Chairman');
    const democrats = await search('committee=ssfr&party=d&limit=100');
    assert.ok(democrats.items.length > 0 && democrats.items.length < items.length);
    assert.ok(democrats.items.every((o) => o.party === 'Democrat'));
  });

  it("finds a supporter's officials by state and district", async () => {
    const wa = await search('state=wa&limit=100');
    assert.equal(wa.items.filter((o) => o.chamber === 'senate').length, 2);
    assert.equal(wa.items.filter((o) => o.chamber === 'house').length, 10);
    const district = await search('state=WA&district=1&chamber=house');
    assert.equal(district.items.length, 1);
    assert.equal(district.items[0]!.district, 1);
    const bad = await app.inject({ url: '/api/v1/officials?district=1' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail, /district: needs state/);
    const byName = await search('q=cantwell');
    assert.deepEqual(
      byName.items.map((o) => o.externalId),
      ['C000127'],
    );
  });

  it('pages through the whole directory with cursors, nothing twice', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await search(`limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(seen.length, 539, '537 members of Congress, the president and the vice president');
    assert.equal(new Set(seen).size, seen.length);
    const bad = await app.inject({ url: '/api/v1/officials?cursor=nonsense' });
    assert.equal(bad.statusCode, 400);
  });

  it('answers one official by id or bioguide id, and 404 for an unknown one', async () => {
    const byBioguide = await app.inject({ url: '/api/v1/officials/C000127' });
    assert.equal(byBioguide.statusCode, 200);
    const official = byBioguide.json();
    assert.equal(official.ids.bioguide, 'C000127');
    assert.ok(official.terms.length > 1);
    const byId = await app.inject({ url: `/api/v1/officials/${official.id}` });
    assert.equal(byId.json().name, official.name);
    const missing = await app.inject({ url: '/api/v1/officials/00000000-0000-4000-8000-000000000000' });
    assert.equal(missing.statusCode, 404);
    const committees = (await app.inject({ url: '/api/v1/committees' })).json().items;
    assert.ok(
      committees.some((c: { code: string; memberCount: number }) => c.code === 'SSFR' && c.memberCount > 10),
    );
  });

  it('imports another country from CSV, and a re-load keeps ids and marks who left as former', async () => {
    const db = getDb();
    await storeSnapshots(db, [parseOfficialsCsv(CSV, 'FR', 'test.csv')]);
    const fr = await search('country=FR&chamber=government');
    assert.equal(fr.items.length, 2);
    const mfa = fr.items.find((o) => o.externalId === 'fr-mfa')!;
    const shorter = CSV.split('\n')
      .filter((l) => !l.startsWith('fr-pm'))
      .join('\n');
    const [result] = await storeSnapshots(db, [parseOfficialsCsv(shorter, 'FR', 'test.csv')]);
    assert.equal(result!.retired, 1);
    const after = await search('country=FR');
    assert.equal(after.items.length, 2);
    assert.equal(after.items.find((o) => o.externalId === 'fr-mfa')!.id, mfa.id, 'same id after a re-load');
    const former = await search('country=FR&includeFormer=true&q=Exemple');
    assert.equal(former.items[0]!.inOffice, false);
    const sources = await listSources(db);
    assert.deepEqual(
      sources.map((s) => s.source),
      ['csv:FR', 'us-congress', 'us-executive'],
    );
  });
});
