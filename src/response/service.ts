// The measures tracker: sanctions, aid restrictions, boycotts, legal proceedings, resolutions and bills,
// statements… each with a category and a status from the documented vocabulary (vocabulary.ts), the
// source's own wording kept beside them, a dated status history, sources, and links to incidents.
import { type Actor, requirePermissionIn } from '../auth/permissions.ts';
import type { Database, Queryable } from '../db/types.ts';
import { authorOf, getIncident } from '../evidence/incidents.ts';
import { getItem } from '../evidence/items.ts';
import { type DatePrecision, formatPartialDate } from '../lib/dates.ts';
import { NotFoundError, ValidationError } from '../lib/errors.ts';
import { canRead, findSituationById, getSituation, type SituationRecord } from '../situations/service.ts';
import { insertBoycottCall, insertHostedEvent, linkCallsToEvents } from './events.ts';
import type {
  FeedChange,
  Measure,
  MeasureCreate,
  MeasureQuery,
  MeasureWithHistory,
  SourceOut,
  StatusChange,
  StepIn,
} from './schema.ts';
import {
  EVENT_SOURCE_KINDS,
  type MeasureCategory,
  type MeasureStatus,
  offPathReason,
  optionalStepDate,
  SOURCE_KIND_CATEGORY,
  type StatusStep,
  shownDate,
  stepsFromSource,
} from './vocabulary.ts';

/** A measures.csv row as the scenario reader gives it (source kind and status wording unchanged). */
export interface MeasureInput {
  externalRef: string | null;
  kind: string;
  actor: string;
  target: string;
  title: string;
  statusText: string;
  date: string | null;
  datePrecision: DatePrecision | null;
  description: string;
  sources: { url: string; outlet: string | null }[];
}

type Author = ReturnType<typeof authorOf>;
const IMPORT_AUTHOR: Author = { userId: null, label: 'scenario import' };

async function insertStep(
  tx: Queryable,
  measureId: string,
  seq: number,
  step: StatusStep,
  sources: SourceOut[],
  author: Author,
) {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO measure_status_changes (measure_id, seq, status, status_text, changed_on, changed_precision, note,
       sources, recorded_by, recorded_by_label)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      measureId,
      seq,
      step.status,
      step.statusText,
      step.date,
      step.precision,
      step.note,
      JSON.stringify(sources),
      author.userId,
      author.label,
    ],
  );
  return rows[0]!.id;
}

interface NewMeasure {
  externalRef: string | null;
  category: MeasureCategory;
  kind: string;
  actor: string;
  target: string;
  title: string;
  statusText: string;
  date: { date: string; precision: DatePrecision } | null;
  description: string;
  sources: SourceOut[];
  steps: StatusStep[];
}

async function insertMeasureRecord(
  tx: Queryable,
  situationId: string,
  m: NewMeasure,
  author: Author,
): Promise<string> {
  if (m.steps.length === 0) throw new Error('a measure needs at least one status');
  for (let i = 1; i < m.steps.length; i++) {
    const reason = offPathReason(
      m.steps.slice(0, i).map((s) => s.status),
      m.steps[i]!.status,
    );
    if (reason && !m.steps[i]!.note) throw ValidationError.field('status', `${reason} needs a note`);
  }
  const last = m.steps.at(-1)!;
  const dated = [...m.steps].reverse().find((s) => s.date);
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO measures (situation_id, external_ref, kind, category, actor, target, title, status, status_text,
       status_date, status_precision, measure_date, measure_precision, description, sources, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
    [
      situationId,
      m.externalRef,
      m.kind,
      m.category,
      m.actor,
      m.target,
      m.title,
      last.status,
      m.statusText,
      dated?.date ?? null,
      dated?.precision ?? null,
      m.date?.date ?? null,
      m.date?.precision ?? null,
      m.description,
      JSON.stringify(m.sources),
      author.userId,
    ],
  );
  const id = rows[0]!.id;
  for (const [i, step] of m.steps.entries())
    await insertStep(tx, id, i + 1, step, i === 0 ? m.sources : [], author);
  return id;
}

/** Inserts a source row as a measure, its status mapped to the vocabulary and its wording kept. */
export async function insertMeasure(tx: Queryable, situationId: string, m: MeasureInput): Promise<string> {
  return insertMeasureRecord(
    tx,
    situationId,
    {
      externalRef: m.externalRef,
      category: SOURCE_KIND_CATEGORY[m.kind] ?? 'other',
      kind: m.kind,
      actor: m.actor,
      target: m.target,
      title: m.title,
      statusText: m.statusText,
      date: m.date && m.datePrecision ? { date: m.date, precision: m.datePrecision } : null,
      description: m.description,
      sources: m.sources,
      steps: stepsFromSource(m.statusText, m.date, m.datePrecision),
    },
    IMPORT_AUTHOR,
  );
}

/** How the scenario's measures.csv rows split: events and boycott calls go to the events registry. */
export function splitMeasureRows(rows: readonly MeasureInput[]) {
  return {
    measures: rows.filter((r) => !Object.hasOwn(EVENT_SOURCE_KINDS, r.kind)),
    events: rows.filter((r) => r.kind === 'event_hosted'),
    boycottCalls: rows.filter((r) => r.kind === 'boycott_call'),
  };
}

/**
 * Loads a scenario's measures.csv rows: `event_hosted` rows become hosted events, `boycott_call` rows
 * boycott calls (linked to an event their addressee names), the rest measures. A measure is linked to
 * an incident that cites one of the same source URLs. The caller provides the transaction.
 */
export async function importScenarioResponse(
  tx: Queryable,
  situationId: string,
  rows: readonly MeasureInput[],
  incidents: readonly { id: string; sources: readonly { url: string }[] }[],
) {
  const split = splitMeasureRows(rows);
  const byUrl = new Map<string, string[]>();
  for (const incident of incidents) {
    for (const s of incident.sources) byUrl.set(s.url, [...(byUrl.get(s.url) ?? []), incident.id]);
  }
  for (const row of split.measures) {
    const id = await insertMeasure(tx, situationId, row);
    const linked = new Map<string, string>();
    for (const s of row.sources) {
      for (const incidentId of byUrl.get(s.url) ?? []) {
        if (!linked.has(incidentId)) linked.set(incidentId, `scenario import: both cite ${s.url}`);
      }
    }
    for (const [incidentId, basis] of linked) {
      await tx.query('INSERT INTO measure_incidents (measure_id, incident_id, basis) VALUES ($1, $2, $3)', [
        id,
        incidentId,
        basis,
      ]);
    }
  }
  for (const row of split.events)
    await insertHostedEvent(tx, situationId, eventFromRow(row), IMPORT_AUTHOR, row.externalRef);
  for (const row of split.boycottCalls) {
    await insertBoycottCall(
      tx,
      situationId,
      {
        caller: row.actor,
        addressee: row.target,
        title: row.title,
        form: row.statusText,
        date: row.date && row.datePrecision ? formatPartialDate(row.date, row.datePrecision) : null,
        description: row.description,
        sources: row.sources,
      },
      IMPORT_AUTHOR,
      row.externalRef,
    );
  }
  await linkCallsToEvents(tx, situationId);
  return {
    measures: split.measures.length,
    events: split.events.length,
    boycottCalls: split.boycottCalls.length,
  };
}

function eventFromRow(row: MeasureInput) {
  // Title "Name, Venue": the part after the last comma is the venue when the title has one.
  const comma = row.title.lastIndexOf(', ');
  const kind = /grand prix|games|final|euro 20|uefa|formula/i.test(row.title)
    ? 'sport'
    : /song contest|eurovision/i.test(row.title)
      ? 'contest'
      : /conference|cop\d+/i.test(row.title)
        ? 'conference'
        : 'other';
  return {
    name: row.title,
    kind: kind as 'sport' | 'contest' | 'conference' | 'other',
    host: row.actor,
    startsOn: row.date && row.datePrecision ? formatPartialDate(row.date, row.datePrecision) : null,
    datesText: row.statusText,
    venue: comma > 0 ? row.title.slice(comma + 2) : null,
    description: row.description,
    sources: row.sources,
  };
}

// Reading

interface MeasureRow {
  id: string;
  situation_slug: string;
  external_ref: string | null;
  category: MeasureCategory;
  kind: string;
  actor: string;
  target: string;
  title: string;
  status: MeasureStatus;
  status_text: string;
  status_date: string | null;
  status_precision: string | null;
  measure_date: string | null;
  measure_precision: string | null;
  description: string;
  sources: SourceOut[];
  incidents: { id: string; basis: string }[];
  items: { id: string; basis: string }[];
  updated_at: Date;
}

const SELECT = `SELECT m.id, s.slug AS situation_slug, m.external_ref, m.category, m.kind, m.actor, m.target, m.title,
  m.status, m.status_text, m.status_date, m.status_precision, m.measure_date, m.measure_precision, m.description,
  m.sources, m.updated_at,
  coalesce((SELECT jsonb_agg(jsonb_build_object('id', mi.incident_id, 'basis', mi.basis) ORDER BY mi.incident_id)
    FROM measure_incidents mi WHERE mi.measure_id = m.id), '[]'::jsonb) AS incidents,
  coalesce((SELECT jsonb_agg(jsonb_build_object('id', mx.item_id, 'basis', mx.basis) ORDER BY mx.item_id)
    FROM measure_items mx WHERE mx.measure_id = m.id), '[]'::jsonb) AS items
  FROM measures m JOIN situations s ON s.id = m.situation_id`;

function fromRow(r: MeasureRow): Measure {
  return {
    id: r.id,
    situationSlug: r.situation_slug,
    externalRef: r.external_ref,
    category: r.category,
    kind: r.kind,
    actor: r.actor,
    target: r.target,
    title: r.title,
    status: r.status,
    statusText: r.status_text,
    statusDate: shownDate(r.status_date, r.status_precision),
    date: shownDate(r.measure_date, r.measure_precision),
    datePrecision: r.measure_precision,
    description: r.description,
    sources: r.sources.map((s) => ({ url: s.url, outlet: s.outlet ?? null })),
    incidents: r.incidents,
    items: r.items,
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function listMeasures(
  db: Queryable,
  actor: Actor,
  slug: string,
  query: MeasureQuery = {},
): Promise<Measure[]> {
  const situation = await getSituation(db, actor, slug);
  const where = ['m.situation_id = $1'];
  const params: unknown[] = [situation.id];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (query.category) add('m.category = ?', query.category);
  if (query.status) add('m.status = ?', query.status);
  if (query.kind) add('m.kind = ?', query.kind);
  if (query.actor) add("m.actor ILIKE '%' || ? || '%'", query.actor);
  if (query.target) add("m.target ILIKE '%' || ? || '%'", query.target);
  if (query.q) add("(m.title ILIKE '%' || ? || '%' OR m.description ILIKE '%' || ? || '%')", query.q);
  if (query.from) add('coalesce(m.measure_date, m.status_date) >= ?', query.from);
  if (query.to) add('coalesce(m.measure_date, m.status_date) <= ?', query.to);
  if (query.incident)
    add(
      'EXISTS (SELECT 1 FROM measure_incidents mi WHERE mi.measure_id = m.id AND mi.incident_id = ?)',
      query.incident,
    );
  const rows = await db.query<MeasureRow>(
    `${SELECT} WHERE ${where.join(' AND ')} ORDER BY m.measure_date NULLS LAST, m.external_ref, m.id`,
    params,
  );
  return rows.map(fromRow);
}

interface ChangeRow {
  id: string;
  measure_id: string;
  seq: number;
  status: MeasureStatus;
  status_text: string | null;
  changed_on: string | null;
  changed_precision: string | null;
  note: string | null;
  sources: SourceOut[];
  recorded_by_label: string;
  recorded_at: Date;
}

function changeFromRow(r: ChangeRow): StatusChange {
  return {
    id: r.id,
    seq: r.seq,
    status: r.status,
    statusText: r.status_text,
    date: shownDate(r.changed_on, r.changed_precision),
    datePrecision: r.changed_precision,
    note: r.note,
    sources: r.sources.map((s) => ({ url: s.url, outlet: s.outlet ?? null })),
    recordedBy: r.recorded_by_label,
    recordedAt: r.recorded_at.toISOString(),
  };
}

async function history(db: Queryable, measureId: string): Promise<StatusChange[]> {
  const rows = await db.query<ChangeRow>(
    'SELECT * FROM measure_status_changes WHERE measure_id = $1 ORDER BY seq',
    [measureId],
  );
  return rows.map(changeFromRow);
}

/** A measure the actor may read (its situation's visibility decides), with its status history. */
export async function getMeasure(db: Queryable, actor: Actor, id: string): Promise<MeasureWithHistory> {
  const [row] = await db.query<MeasureRow & { situation_id: string }>(
    `${SELECT.replace('SELECT m.id', 'SELECT m.situation_id, m.id')} WHERE m.id = $1`,
    [id],
  );
  if (!row) throw new NotFoundError(`measure ${id}`);
  const situation = await findSituationById(db, row.situation_id);
  if (!situation || !canRead(actor, situation)) throw new NotFoundError(`measure ${id}`);
  return { ...fromRow(row), history: await history(db, id) };
}

/**
 * The situation of a measure the actor is about to change: 404 when they may not read the measure, 401/403
 * when their role lacks `measure.write` or they are not in the situation's organisation.
 */
async function writableMeasure(db: Queryable, actor: Actor, id: string): Promise<SituationRecord> {
  const [row] = await db.query<{ situation_id: string }>('SELECT situation_id FROM measures WHERE id = $1', [
    id,
  ]);
  const situation = row ? await findSituationById(db, row.situation_id) : null;
  if (!situation || !canRead(actor, situation)) throw new NotFoundError(`measure ${id}`);
  requirePermissionIn(actor, 'measure.write', situation.organisationId);
  return situation;
}

/** Every status change of a situation's measures, newest first (the Atom feed and the timeline). */
export async function listStatusChanges(
  db: Queryable,
  actor: Actor,
  slug: string,
  limit = 200,
): Promise<FeedChange[]> {
  const situation = await getSituation(db, actor, slug);
  const rows = await db.query<ChangeRow & { measure_title: string; category: MeasureCategory }>(
    `SELECT c.*, m.title AS measure_title, m.category FROM measure_status_changes c
     JOIN measures m ON m.id = c.measure_id WHERE m.situation_id = $1
     ORDER BY c.recorded_at DESC, c.changed_on DESC NULLS LAST, m.external_ref DESC, c.seq DESC LIMIT $2`,
    [situation.id, limit],
  );
  return rows.map((r) => ({
    ...changeFromRow(r),
    measureId: r.measure_id,
    measureTitle: r.measure_title,
    category: r.category,
  }));
}

async function checkIncidents(db: Queryable, actor: Actor, situationId: string, ids: readonly string[]) {
  for (const [i, id] of ids.entries()) {
    const incident = await getIncident(db, actor, id).catch(() => null);
    const situation = incident ? await findSituationById(db, situationId) : null;
    if (!incident || incident.situationSlug !== situation?.slug) {
      throw ValidationError.field(`incidentIds.${i}`, `incident ${id} is not an incident of this situation`);
    }
  }
}

// Writing

export async function createMeasure(
  db: Database,
  actor: Actor,
  slug: string,
  input: MeasureCreate,
): Promise<MeasureWithHistory> {
  const situation = await getSituation(db, actor, slug, 'measure.write');
  const date = optionalStepDate(input.date, 'date');
  const incidentIds = [...new Set(input.incidentIds ?? [])];
  await checkIncidents(db, actor, situation.id, incidentIds);
  const id = await db.transaction(async (tx) => {
    const id = await insertMeasureRecord(
      tx,
      situation.id,
      {
        externalRef: null,
        category: input.category,
        kind: input.kind ?? input.category,
        actor: input.actor,
        target: input.target,
        title: input.title,
        statusText: input.statusText ?? input.status,
        date,
        description: input.description ?? '',
        sources: input.sources.map((s) => ({ url: s.url, outlet: s.outlet ?? null })),
        steps: [
          {
            status: input.status,
            date: date?.date ?? null,
            precision: date?.precision ?? null,
            statusText: input.statusText ?? null,
            note: null,
          },
        ],
      },
      authorOf(actor),
    );
    for (const incidentId of incidentIds) {
      await tx.query('INSERT INTO measure_incidents (measure_id, incident_id, basis) VALUES ($1, $2, $3)', [
        id,
        incidentId,
        '',
      ]);
    }
    return id;
  });
  return getMeasure(db, actor, id);
}

/**
 * Records a new status of a measure. A change off the usual path (back along it, or out of an end)
 * is refused without a note; a change to the status the measure already has is refused.
 */
export async function changeMeasureStatus(
  db: Database,
  actor: Actor,
  id: string,
  step: StepIn,
): Promise<MeasureWithHistory> {
  await writableMeasure(db, actor, id);
  const date = optionalStepDate(step.date, 'date');
  const note = step.note?.trim() || null;
  await db.transaction(async (tx) => {
    const rows = await tx.query<{ status: MeasureStatus; seq: number }>(
      'SELECT status, seq FROM measure_status_changes WHERE measure_id = $1 ORDER BY seq FOR UPDATE',
      [id],
    );
    const statuses = rows.map((r) => r.status);
    if (statuses.at(-1) === step.status) {
      throw ValidationError.field('status', `the measure is already ${step.status}`);
    }
    const reason = offPathReason(statuses, step.status);
    if (reason && !note) {
      throw ValidationError.field('note', `${reason} leaves the usual path: say why in a note`);
    }
    await insertStep(
      tx,
      id,
      (rows.at(-1)?.seq ?? 0) + 1,
      {
        status: step.status,
        date: date?.date ?? null,
        precision: date?.precision ?? null,
        statusText: step.statusText ?? null,
        note,
      },
      (step.sources ?? []).map((s) => ({ url: s.url, outlet: s.outlet ?? null })),
      authorOf(actor),
    );
    await tx.query(
      `UPDATE measures SET status = $2, status_text = $3, status_date = $4, status_precision = $5, updated_at = now()
       WHERE id = $1`,
      [id, step.status, step.statusText ?? step.status, date?.date ?? null, date?.precision ?? null],
    );
  });
  return getMeasure(db, actor, id);
}

/** Replaces the incidents a measure is linked to. */
export async function setMeasureIncidents(
  db: Database,
  actor: Actor,
  id: string,
  incidentIds: readonly string[],
  basis = '',
): Promise<MeasureWithHistory> {
  const situation = await writableMeasure(db, actor, id);
  const unique = [...new Set(incidentIds)];
  await checkIncidents(db, actor, situation.id, unique);
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM measure_incidents WHERE measure_id = $1', [id]);
    for (const incidentId of unique) {
      await tx.query('INSERT INTO measure_incidents (measure_id, incident_id, basis) VALUES ($1, $2, $3)', [
        id,
        incidentId,
        basis,
      ]);
    }
    await tx.query('UPDATE measures SET updated_at = now() WHERE id = $1', [id]);
  });
  return getMeasure(db, actor, id);
}

/** Replaces the evidence items a measure is linked to; each must be an item of the measure's situation. */
export async function setMeasureItems(
  db: Database,
  actor: Actor,
  id: string,
  itemIds: readonly string[],
  basis = '',
): Promise<MeasureWithHistory> {
  const situation = await writableMeasure(db, actor, id);
  const unique = [...new Set(itemIds)];
  for (const [i, itemId] of unique.entries()) {
    const item = await getItem(db, actor, itemId).catch(() => null);
    if (!item || item.situationSlug !== situation.slug) {
      throw ValidationError.field(`itemIds.${i}`, `item ${itemId} is not an evidence item of this situation`);
    }
  }
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM measure_items WHERE measure_id = $1', [id]);
    for (const itemId of unique) {
      await tx.query('INSERT INTO measure_items (measure_id, item_id, basis) VALUES ($1, $2, $3)', [
        id,
        itemId,
        basis,
      ]);
    }
    await tx.query('UPDATE measures SET updated_at = now() WHERE id = $1', [id]);
  });
  return getMeasure(db, actor, id);
}
