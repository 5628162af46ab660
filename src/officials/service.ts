// The officials directory: storing snapshots (all-or-nothing; a re-load keeps every official's id, so
// positions recorded elsewhere survive), and searching it. Reads are public: it is a public directory.
import type { Database, Queryable } from '../db/types.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { NotFoundError, ValidationError } from '../lib/errors.ts';
import type { Official, OfficialDetail, OfficialQuery, SourceSummary } from './schema.ts';
import type { DirectorySnapshot } from './types.ts';
import { readUsDirectory, sortName } from './us.ts';

export interface LoadResult {
  source: string;
  officials: number;
  retired: number;
  committees: number;
  memberships: number;
}

/** Stores snapshots in one transaction: every source whole, or nothing. */
export async function storeSnapshots(db: Database, snapshots: DirectorySnapshot[]): Promise<LoadResult[]> {
  return db.transaction(async (tx) => {
    const results: LoadResult[] = [];
    for (const s of snapshots) results.push(await storeSnapshot(tx, s));
    return results;
  });
}

async function storeSnapshot(tx: Queryable, s: DirectorySnapshot): Promise<LoadResult> {
  const rows = s.officials.map((o) => ({
    external_id: o.externalId,
    name: o.name,
    given_name: o.givenName,
    family_name: o.familyName,
    sort_name: sortName(o.givenName, o.familyName, o.name),
    chamber: o.chamber,
    title: o.title,
    state: o.region,
    district: o.district,
    party: o.party,
    email: o.email,
    phone: o.phone,
    contact_form: o.contactForm,
    url: o.url,
    offices: o.offices,
    terms: o.terms,
    ids: o.ids,
    social: o.social,
  }));
  await tx.query(
    `INSERT INTO officials (source, country, external_id, name, given_name, family_name, sort_name, chamber, title,
       state, district, party, email, phone, contact_form, url, offices, terms, ids, social, in_office, updated_at)
     SELECT $1, $2, x.external_id, x.name, x.given_name, x.family_name, x.sort_name, x.chamber, x.title, x.state,
       x.district, x.party, x.email, x.phone, x.contact_form, x.url, COALESCE(x.offices, '[]'), COALESCE(x.terms, '[]'),
       COALESCE(x.ids, '{}'), COALESCE(x.social, '{}'), true, now()
     FROM jsonb_to_recordset($3::jsonb) AS x(external_id text, name text, given_name text, family_name text,
       sort_name text, chamber text, title text, state text, district integer, party text, email text, phone text,
       contact_form text, url text, offices jsonb, terms jsonb, ids jsonb, social jsonb)
     ON CONFLICT (source, external_id) DO UPDATE SET country = EXCLUDED.country, name = EXCLUDED.name,
       given_name = EXCLUDED.given_name, family_name = EXCLUDED.family_name, sort_name = EXCLUDED.sort_name,
       chamber = EXCLUDED.chamber, title = EXCLUDED.title, state = EXCLUDED.state, district = EXCLUDED.district,
       party = EXCLUDED.party, email = EXCLUDED.email, phone = EXCLUDED.phone, contact_form = EXCLUDED.contact_form,
       url = EXCLUDED.url, offices = EXCLUDED.offices, terms = EXCLUDED.terms, ids = EXCLUDED.ids,
       social = EXCLUDED.social, in_office = true, updated_at = now()`,
    [s.source, s.country, JSON.stringify(rows)],
  );
  const retired = await tx.query<{ id: string }>(
    `UPDATE officials SET in_office = false, updated_at = now()
     WHERE source = $1 AND in_office AND NOT (external_id = ANY($2::text[])) RETURNING id`,
    [s.source, s.officials.map((o) => o.externalId)],
  );
  let memberships = 0;
  if (s.committees) {
    // Committee codes are one namespace: a file may not take over another source's committee.
    const taken = await tx.query<{ code: string; source: string }>(
      'SELECT code, source FROM committees WHERE code = ANY($1::text[]) AND source <> $2 ORDER BY code',
      [s.committees.map((c) => c.code), s.source],
    );
    if (taken.length)
      throw new ValidationError(
        taken.map((t) => ({
          field: `committees.${t.code}`,
          message: `"${t.code}" is already a committee of ${t.source}; choose another code`,
        })),
      );
    await tx.query('DELETE FROM committees WHERE source = $1', [s.source]);
    await tx.query(
      `INSERT INTO committees (code, parent_code, source, chamber, name, url, phone, address)
       SELECT x.code, x.parent_code, $1, x.chamber, x.name, x.url, x.phone, x.address
       FROM jsonb_to_recordset($2::jsonb) AS x(code text, parent_code text, chamber text, name text, url text,
         phone text, address text)`,
      [
        s.source,
        JSON.stringify(
          s.committees.map((c) => ({
            code: c.code,
            parent_code: c.parentCode,
            chamber: c.chamber,
            name: c.name,
            url: c.url,
            phone: c.phone,
            address: c.address,
          })),
        ),
      ],
    );
    const inserted = await tx.query<{ n: number }>(
      `WITH ins AS (
         INSERT INTO committee_memberships (committee_code, official_id, rank, title, side)
         SELECT DISTINCT ON (x.committee_code, o.id) x.committee_code, o.id, x.rank, x.title, x.side
         FROM jsonb_to_recordset($2::jsonb) AS x(committee_code text, external_id text, rank integer, title text,
           side text)
         JOIN officials o ON o.source = $1 AND o.external_id = x.external_id
         RETURNING 1)
       SELECT count(*)::integer AS n FROM ins`,
      [
        s.source,
        JSON.stringify(
          (s.memberships ?? []).map((m) => ({
            committee_code: m.committeeCode,
            external_id: m.externalId,
            rank: m.rank,
            title: m.title,
            side: m.side,
          })),
        ),
      ],
    );
    memberships = inserted[0]?.n ?? 0;
  }
  await tx.query(
    `INSERT INTO official_sources (source, country, loaded_from, official_count, loaded_at)
     VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (source) DO UPDATE SET country = EXCLUDED.country, loaded_from = EXCLUDED.loaded_from,
       official_count = EXCLUDED.official_count, loaded_at = now()`,
    [s.source, s.country, s.loadedFrom, s.officials.length],
  );
  return {
    source: s.source,
    officials: s.officials.length,
    retired: retired.length,
    committees: s.committees?.length ?? 0,
    memberships,
  };
}

/** Loads the bundled US snapshot (or a folder with the same files). */
export function loadUsDirectory(db: Database, dir?: string): Promise<LoadResult[]> {
  return storeSnapshots(db, readUsDirectory(dir));
}

const firstLoads = new WeakMap<Database, Promise<void>>();

/** Loads the bundled US directory the first time the directory is used, once per database. */
export async function ensureDirectory(db: Database): Promise<void> {
  const loaded = await db.query(`SELECT 1 FROM official_sources WHERE source = 'us-congress'`);
  if (loaded.length > 0) return;
  let pending = firstLoads.get(db);
  if (!pending) {
    pending = (async () => {
      const again = await db.query(`SELECT 1 FROM official_sources WHERE source = 'us-congress'`);
      if (again.length === 0) await loadUsDirectory(db);
    })();
    firstLoads.set(db, pending);
    pending.catch(() => firstLoads.delete(db));
  }
  await pending;
}

interface OfficialRow {
  id: string;
  source: string;
  external_id: string;
  country: string;
  name: string;
  given_name: string | null;
  family_name: string | null;
  sort_name: string;
  chamber: string;
  title: string;
  state: string | null;
  district: number | null;
  party: string | null;
  email: string | null;
  phone: string | null;
  contact_form: string | null;
  url: string | null;
  in_office: boolean;
  offices: Official['offices'];
  committees: Official['committees'] | null;
  terms?: Record<string, unknown>[];
  ids?: Record<string, unknown>;
  social?: Record<string, unknown>;
}

const COLUMNS = `o.id, o.source, o.external_id, o.country, o.name, o.given_name, o.family_name, o.sort_name,
  o.chamber, o.title, o.state, o.district, o.party, o.email, o.phone, o.contact_form, o.url, o.in_office, o.offices,
  (SELECT jsonb_agg(jsonb_build_object('code', c.code, 'name', c.name, 'parentCode', c.parent_code,
     'rank', m.rank, 'title', m.title, 'side', m.side) ORDER BY c.code)
   FROM committee_memberships m JOIN committees c ON c.code = m.committee_code
   WHERE m.official_id = o.id) AS committees`;

function toOfficial(r: OfficialRow): Official {
  return {
    id: r.id,
    source: r.source,
    externalId: r.external_id,
    country: r.country,
    name: r.name,
    givenName: r.given_name,
    familyName: r.family_name,
    chamber: r.chamber,
    title: r.title,
    state: r.state,
    district: r.district,
    party: r.party,
    email: r.email,
    phone: r.phone,
    contactForm: r.contact_form,
    url: r.url,
    inOffice: r.in_office,
    offices: r.offices,
    committees: r.committees ?? [],
  };
}

export interface OfficialFilter {
  q?: string;
  chamber?: string;
  state?: string;
  district?: number;
  committee?: string;
  party?: string;
  country?: string;
  includeFormer?: boolean;
}

/** The WHERE clause for a filter; parameters are appended to `params`. */
function whereClause(filter: OfficialFilter, params: unknown[]): string[] {
  const where: string[] = [];
  const add = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (!filter.includeFormer) where.push('o.in_office');
  if (filter.q?.trim()) {
    const q = filter.q.trim();
    const folded = sortName(null, null, q);
    where.push(
      `(o.sort_name LIKE ${add(`%${folded.replace(/[\\%_]/g, '\\$&')}%`)} OR o.name ILIKE ${add(`%${q.replace(/[\\%_]/g, '\\$&')}%`)})`,
    );
  }
  if (filter.chamber) where.push(`o.chamber = ${add(filter.chamber.toLowerCase())}`);
  if (filter.state) where.push(`upper(o.state) = ${add(filter.state.toUpperCase())}`);
  if (filter.district !== undefined) where.push(`o.district = ${add(filter.district)}`);
  if (filter.party)
    where.push(`lower(o.party) LIKE ${add(`${filter.party.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`)}`);
  if (filter.country) where.push(`o.country = ${add(filter.country.toUpperCase())}`);
  if (filter.committee) {
    where.push(
      `EXISTS (SELECT 1 FROM committee_memberships m WHERE m.official_id = o.id AND m.committee_code = ${add(filter.committee.toUpperCase())})`,
    );
  }
  return where;
}

export async function searchOfficials(
  db: Database,
  query: OfficialQuery,
): Promise<{ items: Official[]; nextCursor: string | null }> {
  await ensureDirectory(db);
  if (query.district !== undefined && !query.state)
    throw ValidationError.field('district', 'needs state (districts are numbered within a state)');
  const params: unknown[] = [];
  const where = whereClause(query, params);
  if (query.cursor) {
    const [name, id] = decodeCursor(query.cursor, 2);
    params.push(String(name), String(id));
    where.push(`(o.sort_name, o.id) > ($${params.length - 1}, $${params.length}::uuid)`);
  }
  params.push(query.limit + 1);
  const rows = await db.query<OfficialRow>(
    `SELECT ${COLUMNS} FROM officials o ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY o.sort_name, o.id LIMIT $${params.length}`,
    params,
  );
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toOfficial),
    nextCursor: more && last ? encodeCursor([last.sort_name, last.id]) : null,
  };
}

/** The ids of every official matching a filter (campaign targets by rule). */
export async function officialIdsMatching(db: Queryable, filter: OfficialFilter): Promise<string[]> {
  const params: unknown[] = [];
  const where = whereClause(filter, params);
  const rows = await db.query<{ id: string }>(
    `SELECT o.id FROM officials o ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY o.sort_name, o.id`,
    params,
  );
  return rows.map((r) => r.id);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One official by id, or by the source's id (a bioguide id such as C000127). */
export async function getOfficial(db: Database, id: string): Promise<OfficialDetail> {
  await ensureDirectory(db);
  const rows = await db.query<OfficialRow>(
    `SELECT ${COLUMNS}, o.terms, o.ids, o.social FROM officials o
     WHERE ${UUID.test(id) ? 'o.id = $1::uuid' : 'o.external_id = $1'}
     ORDER BY o.in_office DESC LIMIT 1`,
    [id],
  );
  const row = rows[0];
  if (!row) throw new NotFoundError(`official ${id}`);
  return { ...toOfficial(row), terms: row.terms ?? [], ids: row.ids ?? {}, social: row.social ?? {} };
}

/** Officials by id, in the order given (unknown ids are left out). */
export async function getOfficialsByIds(db: Queryable, ids: string[]): Promise<Official[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<OfficialRow>(
    `SELECT ${COLUMNS} FROM officials o WHERE o.id = ANY($1::uuid[])`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, toOfficial(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function listCommittees(db: Database) {
  await ensureDirectory(db);
  const rows = await db.query<{
    code: string;
    parent_code: string | null;
    chamber: string;
    name: string;
    url: string | null;
    member_count: number;
  }>(
    `SELECT c.code, c.parent_code, c.chamber, c.name, c.url,
       (SELECT count(*)::integer FROM committee_memberships m WHERE m.committee_code = c.code) AS member_count
     FROM committees c ORDER BY c.code`,
  );
  return rows.map((r) => ({
    code: r.code,
    parentCode: r.parent_code,
    chamber: r.chamber,
    name: r.name,
    url: r.url,
    memberCount: r.member_count,
  }));
}

export async function listSources(db: Queryable): Promise<SourceSummary[]> {
  const rows = await db.query<{
    source: string;
    country: string;
    loaded_from: string;
    official_count: number;
    loaded_at: Date;
  }>('SELECT * FROM official_sources ORDER BY source');
  return rows.map((r) => ({
    source: r.source,
    country: r.country,
    loadedFrom: r.loaded_from,
    officialCount: r.official_count,
    loadedAt: r.loaded_at.toISOString(),
  }));
}
