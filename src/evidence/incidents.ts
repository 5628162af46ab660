// Incidents: what happened, when (with the date's precision), where, how sure we are, and who said so.
// Every change is kept as a revision; nothing is overwritten without a trace.
import { type Actor, requirePermissionIn } from '../auth/permissions.ts';
import type { Database, Queryable } from '../db/types.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { type DatePrecision, formatPartialDate, parsePartialDate } from '../lib/dates.ts';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.ts';
import {
  canRead,
  canReadPrivate,
  findSituationById,
  getSituation,
  type SituationRecord,
} from '../situations/service.ts';
import type { Incident, IncidentCreate, IncidentPatch, IncidentQuery, Revision } from './schema.ts';

/** Who made a change: a user, or a named system process such as the scenario import. */
export type Author = { userId: string; label: string } | { userId: null; label: string };

export function authorOf(actor: Actor): Author {
  return actor.kind === 'user'
    ? { userId: actor.user.id, label: actor.user.email }
    : { userId: null, label: 'anonymous' };
}

interface IncidentRow {
  id: string;
  situation_id: string;
  situation_slug: string;
  title: string;
  description: string;
  category: string;
  start_date: string;
  start_precision: DatePrecision;
  end_date: string | null;
  end_precision: DatePrecision | null;
  place_name: string | null;
  lat: number | null;
  lon: number | null;
  point_source: Incident['pointSource'];
  point_note: string | null;
  confidence: string;
  status: string;
  sources: Incident['sources'];
  version: number;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `SELECT i.id, i.situation_id, s.slug AS situation_slug, i.title, i.description, i.category,
  i.start_date, i.start_precision, i.end_date, i.end_precision, i.place_name, i.lat, i.lon, i.point_source,
  i.point_note, i.confidence, i.status, i.sources, i.version, i.created_at, i.updated_at
  FROM incidents i JOIN situations s ON s.id = i.situation_id`;

function fromRow(row: IncidentRow): Incident {
  return {
    id: row.id,
    situationSlug: row.situation_slug,
    title: row.title,
    description: row.description,
    category: row.category,
    start: formatPartialDate(row.start_date, row.start_precision),
    startPrecision: row.start_precision,
    end: row.end_date && row.end_precision ? formatPartialDate(row.end_date, row.end_precision) : null,
    endPrecision: row.end_precision,
    placeName: row.place_name,
    point: row.lat !== null && row.lon !== null ? { lat: row.lat, lon: row.lon } : null,
    pointSource: row.point_source,
    pointNote: row.point_note,
    confidence: row.confidence,
    status: row.status,
    sources: row.sources.map((s) => ({
      url: s.url,
      outlet: s.outlet ?? null,
      accessedOn: s.accessedOn ?? null,
    })),
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The editable fields of an incident, in API form: what revisions compare and record. */
type IncidentFields = Pick<
  Incident,
  | 'title'
  | 'description'
  | 'category'
  | 'start'
  | 'end'
  | 'placeName'
  | 'point'
  | 'pointSource'
  | 'pointNote'
  | 'confidence'
  | 'status'
  | 'sources'
>;
const FIELD_NAMES = [
  'title',
  'description',
  'category',
  'start',
  'end',
  'placeName',
  'point',
  'pointSource',
  'pointNote',
  'confidence',
  'status',
  'sources',
] as const satisfies readonly (keyof IncidentFields)[];

interface StoredFields {
  fields: IncidentFields;
  start: { date: string; precision: DatePrecision };
  end: { date: string; precision: DatePrecision } | null;
}

/** Checks what the schema cannot (real calendar dates, end after start, point and its origin together). */
function normalise(fields: IncidentFields): StoredFields {
  const start = parsePartialDate(fields.start);
  if (!start) throw ValidationError.field('start', 'must be a real date, YYYY-MM-DD or YYYY-MM');
  const end = fields.end === null ? null : parsePartialDate(fields.end);
  if (fields.end !== null && !end)
    throw ValidationError.field('end', 'must be a real date, YYYY-MM-DD or YYYY-MM');
  if (end && end.date < start.date) throw ValidationError.field('end', 'must not be before start');
  let pointSource = fields.pointSource;
  if (fields.point && !pointSource) pointSource = 'manual';
  if (!fields.point && pointSource) throw ValidationError.field('pointSource', 'needs a point');
  const sources = fields.sources.map((s) => ({
    url: s.url,
    outlet: s.outlet ?? null,
    accessedOn: s.accessedOn ?? null,
  }));
  return {
    fields: {
      ...fields,
      start: formatPartialDate(start.date, start.precision),
      end: end ? formatPartialDate(end.date, end.precision) : null,
      pointSource,
      sources,
    },
    start,
    end,
  };
}

function diff(before: IncidentFields | null, after: IncidentFields): Revision['changes'] {
  const changes: Revision['changes'] = {};
  for (const name of FIELD_NAMES) {
    const from = before ? before[name] : null;
    const to = after[name];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[name] = { from, to };
  }
  return changes;
}

const WRITE_COLUMNS = `title, description, category, start_date, start_precision, end_date, end_precision,
  place_name, lat, lon, point_source, point_note, confidence, status, sources`;

function writeValues(stored: StoredFields): unknown[] {
  const f = stored.fields;
  return [
    f.title,
    f.description,
    f.category,
    stored.start.date,
    stored.start.precision,
    stored.end?.date ?? null,
    stored.end?.precision ?? null,
    f.placeName,
    f.point?.lat ?? null,
    f.point?.lon ?? null,
    f.pointSource,
    f.pointNote,
    f.confidence,
    f.status,
    JSON.stringify(f.sources),
  ];
}

function fieldsOf(input: IncidentCreate): IncidentFields {
  return {
    title: input.title,
    description: input.description ?? '',
    category: input.category,
    start: input.start,
    end: input.end ?? null,
    placeName: input.placeName ?? null,
    point: input.point ?? null,
    pointSource: input.pointSource ?? null,
    pointNote: input.pointNote ?? null,
    confidence: input.confidence,
    status: input.status ?? 'draft',
    sources: input.sources.map((s) => ({
      url: s.url,
      outlet: s.outlet ?? null,
      accessedOn: s.accessedOn ?? null,
    })),
  };
}

/** Inserts an incident and its first revision; the caller provides the transaction. */
export async function insertIncident(
  tx: Queryable,
  situationId: string,
  input: IncidentCreate,
  author: Author,
  externalRef: string | null = null,
): Promise<string> {
  const stored = normalise(fieldsOf(input));
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO incidents (situation_id, external_ref, created_by, ${WRITE_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
     RETURNING id`,
    [situationId, externalRef, author.userId, ...writeValues(stored)],
  );
  const id = rows[0]!.id;
  await tx.query(
    `INSERT INTO incident_revisions (incident_id, revision, changed_by, changed_by_label, changes)
     VALUES ($1, 1, $2, $3, $4)`,
    [id, author.userId, author.label, JSON.stringify(diff(null, stored.fields))],
  );
  return id;
}

export async function createIncident(
  db: Database,
  actor: Actor,
  situationSlug: string,
  input: IncidentCreate,
): Promise<Incident> {
  const situation = await getSituation(db, actor, situationSlug, 'incident.write');
  const id = await db.transaction((tx) => insertIncident(tx, situation.id, input, authorOf(actor)));
  return (await findIncident(db, id))!;
}

export async function updateIncident(
  db: Database,
  actor: Actor,
  id: string,
  patch: IncidentPatch,
): Promise<Incident> {
  const { situation } = await readableIncident(db, actor, id); // 404 before 403, so hidden incidents stay hidden
  requirePermissionIn(actor, 'incident.write', situation.organisationId);
  const author = authorOf(actor);
  const { version, ...changesRequested } = patch;
  await db.transaction(async (tx) => {
    // Lock the row so two concurrent edits cannot both read the same version.
    const [row] = await tx.query<IncidentRow>(`${SELECT} WHERE i.id = $1 FOR UPDATE OF i`, [id]);
    if (!row) throw new NotFoundError(`incident ${id}`);
    const before = fromRow(row);
    if (version !== undefined && version !== before.version) {
      throw new ConflictError(
        `incident ${id} is at version ${before.version}, not ${version}: reload and edit again`,
      );
    }
    const beforeFields = Object.fromEntries(FIELD_NAMES.map((n) => [n, before[n]])) as IncidentFields;
    const stored = normalise({ ...beforeFields, ...changesRequested } as IncidentFields);
    const changes = diff(beforeFields, stored.fields);
    if (Object.keys(changes).length === 0) return;
    await tx.query(
      `UPDATE incidents SET (${WRITE_COLUMNS}) = ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16),
         version = version + 1, updated_at = now() WHERE id = $1`,
      [id, ...writeValues(stored)],
    );
    await tx.query(
      `INSERT INTO incident_revisions (incident_id, revision, changed_by, changed_by_label, changes)
       VALUES ($1, $2, $3, $4, $5)`,
      [id, before.version + 1, author.userId, author.label, JSON.stringify(changes)],
    );
  });
  return (await findIncident(db, id))!;
}

async function findIncident(db: Queryable, id: string): Promise<Incident | null> {
  const rows = await db.query<IncidentRow>(`${SELECT} WHERE i.id = $1`, [id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An incident the actor may see: published in a public situation, or any with read-private access. */
async function readableIncident(
  db: Queryable,
  actor: Actor,
  id: string,
): Promise<Incident & { situation: SituationRecord }> {
  const rows = UUID.test(id) ? await db.query<IncidentRow>(`${SELECT} WHERE i.id = $1`, [id]) : [];
  const row = rows[0];
  const situation = row ? await findSituationById(db, row.situation_id) : null;
  if (
    !row ||
    !situation ||
    !canRead(actor, situation) ||
    (row.status !== 'published' && !canReadPrivate(actor, situation))
  ) {
    throw new NotFoundError(`incident ${id}`);
  }
  return { ...fromRow(row), situation };
}

export async function getIncident(
  db: Queryable,
  actor: Actor,
  id: string,
): Promise<Incident & { revisions: Revision[] }> {
  const { situation: _situation, ...incident } = await readableIncident(db, actor, id);
  const revisions = await db.query<{
    revision: number;
    changed_at: Date;
    changed_by_label: string;
    changes: Revision['changes'];
  }>(
    `SELECT revision, changed_at, changed_by_label, changes FROM incident_revisions
     WHERE incident_id = $1 ORDER BY revision`,
    [id],
  );
  return {
    ...incident,
    revisions: revisions.map((r) => ({
      revision: r.revision,
      changedAt: r.changed_at.toISOString(),
      changedBy: r.changed_by_label,
      changes: r.changes,
    })),
  };
}

// The last day an incident can cover, from its end (or start) date and that date's precision.
const PERIOD_END_SQL = `(CASE coalesce(i.end_precision, i.start_precision)
  WHEN 'month' THEN (date_trunc('month', coalesce(i.end_date, i.start_date)) + interval '1 month - 1 day')::date
  ELSE coalesce(i.end_date, i.start_date) END)`;

export async function listIncidents(
  db: Queryable,
  actor: Actor,
  situationSlug: string,
  query: IncidentQuery,
): Promise<{ items: Incident[]; nextCursor: string | null }> {
  const situation = await getSituation(db, actor, situationSlug);
  const conditions = ['i.situation_id = $1'];
  const params: unknown[] = [situation.id];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    conditions.push(sql.replace('?', `$${params.length}`));
  };
  if (query.from && query.to && query.to < query.from)
    throw ValidationError.field('to', 'must not be before from');
  if (query.from) add(`${PERIOD_END_SQL} >= ?::date`, query.from);
  if (query.to) add('i.start_date <= ?::date', query.to);
  if (query.category) add('i.category = ?', query.category);
  if (query.q) add(`i.search @@ websearch_to_tsquery('english', ?)`, query.q);
  if (!canReadPrivate(actor, situation)) add('i.status = ?', 'published');
  else if (query.status) add('i.status = ?', query.status);
  if (query.cursor) {
    const [date, id] = decodeCursor(query.cursor, 2);
    params.push(date, id);
    conditions.push(`(i.start_date, i.id) > ($${params.length - 1}::date, $${params.length}::uuid)`);
  }
  params.push(query.limit + 1);
  const rows = await db.query<IncidentRow>(
    `${SELECT} WHERE ${conditions.join(' AND ')} ORDER BY i.start_date, i.id LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(fromRow),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.start_date, last.id]) : null,
  };
}

export interface IncidentStats {
  incidents: number;
  published: number;
  withPoint: number;
  firstDate: string | null;
  lastDate: string | null;
  categories: Record<string, number>;
}

/** Counts over the incidents the actor may see. */
export async function incidentStats(
  db: Queryable,
  actor: Actor,
  situation: Pick<SituationRecord, 'id' | 'organisationId'>,
): Promise<IncidentStats> {
  const situationId = situation.id;
  const drafts = canReadPrivate(actor, situation);
  const rows = await db.query<{
    category: string;
    total: number;
    published: number;
    with_point: number;
    first: string;
    last: string;
  }>(
    `SELECT category, count(*)::int AS total, count(*) FILTER (WHERE status = 'published')::int AS published,
       count(*) FILTER (WHERE lat IS NOT NULL)::int AS with_point, min(start_date) AS first,
       max(coalesce(end_date, start_date)) AS last
     FROM incidents WHERE situation_id = $1 AND ($2 OR status = 'published') GROUP BY category ORDER BY category`,
    [situationId, drafts],
  );
  const stats: IncidentStats = {
    incidents: 0,
    published: 0,
    withPoint: 0,
    firstDate: null,
    lastDate: null,
    categories: {},
  };
  for (const row of rows) {
    stats.incidents += row.total;
    stats.published += row.published;
    stats.withPoint += row.with_point;
    stats.categories[row.category] = row.total;
    if (!stats.firstDate || row.first < stats.firstDate) stats.firstDate = row.first;
    if (!stats.lastDate || row.last > stats.lastDate) stats.lastDate = row.last;
  }
  return stats;
}
