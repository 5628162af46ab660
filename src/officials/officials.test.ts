import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parse } from 'yaml';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { ValidationError } from '../lib/errors.ts';
import { parseOfficialsCsv } from './csv.ts';
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

  it('names the row and field of every error, and keeps nothing', () => {
    const bad = `id,name,title,body,email,district,url
a1,Good Row,Minister,government,,,
a2,,Minister,government,not-an-email,,
a1,Duplicate,Minister,government,,x,ftp://example.org
`;
    assert.throws(
      () => parseOfficialsCsv(bad, 'AM', 'bad.csv'),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        const fields = error.errors.map((e) => e.field);
        assert.deepEqual(fields, ['row 2.name', 'row 2.email', 'row 3.id', 'row 3.url', 'row 3.district']);
        assert.match(error.errors[2]!.message, /already used by row 1/);
        return true;
      },
    );
    assert.throws(
      () => parseOfficialsCsv('id,name,title,colour\n', 'AM', 'x'),
      /unknown column "colour".*missing column "body"/s,
    );
    assert.throws(() => parseOfficialsCsv(CSV, 'ARM', 'x'), /--country/);
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
