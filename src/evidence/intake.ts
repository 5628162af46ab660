// Public report intake: a witness sends what happened, when, where (as precisely as they choose) and
// files, without an account. No IP address or user agent is kept. Files are sealed like any upload (the
// publishable copy loses its location metadata at once; the sealed original keeps it, restricted), and the
// statement itself is sealed too. Reports wait in a moderation queue where a documenter merges them into
// a new or existing incident, links them as evidence, or rejects them; every decision is in the custody log.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { type Actor, requirePermissionIn } from '../auth/permissions.ts';
import type { Database, Queryable } from '../db/types.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { type DatePrecision, formatPartialDate, parsePartialDate } from '../lib/dates.ts';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.ts';
import { findSituation, getSituation, type SituationRecord } from '../situations/service.ts';
import type { StoredBlob } from './blobs.ts';
import { appendCustody, type CustodyInput } from './custody.ts';
import { type Author, authorOf, insertIncident } from './incidents.ts';
import { sealItem, type Vault } from './items.ts';

export const LOCATION_PRECISIONS = ['exact', 'approximate', 'town', 'region', 'none'] as const;
export type LocationPrecision = (typeof LOCATION_PRECISIONS)[number];

/** Decimal places kept for each precision: ~1 m, ~1 km, ~11 km, ~110 km. */
const DECIMALS: Record<Exclude<LocationPrecision, 'none'>, number> = {
  exact: 5,
  approximate: 2,
  town: 1,
  region: 0,
};
export const PRECISION_NOTE: Record<LocationPrecision, string> = {
  exact: 'exact (as sent, ~1 m)',
  approximate: 'approximate (~1 km grid)',
  town: 'town (~11 km grid)',
  region: 'region (~110 km grid)',
  none: 'no location',
};

export const REPORT_AUTHOR: Author = { userId: null, label: 'public report (anonymous)' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The point snapped to the grid of the chosen precision; a finer point is never stored. */
export function coarsenPoint(
  point: { lat: number; lon: number } | null,
  precision: LocationPrecision,
): { lat: number; lon: number } | null {
  if (!point || precision === 'none') return null;
  const factor = 10 ** DECIMALS[precision];
  const snap = (v: number) => Math.round(v * factor) / factor || 0;
  return { lat: snap(point.lat), lon: snap(point.lon) };
}

export interface ReportFields {
  what: string;
  when: { date: string; precision: DatePrecision } | null;
  whenText: string | null;
  placeName: string | null;
  precision: LocationPrecision;
  point: { lat: number; lon: number } | null;
}

/** Checks the form's text fields (all strings, as multipart sends them) and coarsens the point. */
export function parseReportFields(raw: Record<string, string | undefined>): ReportFields {
  const errors: { field: string; message: string }[] = [];
  const text = (name: string, max: number) => {
    const value = raw[name]?.trim() ?? '';
    if (value.length > max) errors.push({ field: name, message: `must be at most ${max} characters` });
    return value || null;
  };
  const what = text('what', 20_000);
  if (!what) errors.push({ field: 'what', message: 'is required: say what happened' });
  let when: ReportFields['when'] = null;
  if (raw.when?.trim()) {
    when = parsePartialDate(raw.when, ['day', 'month', 'year']);
    if (!when) errors.push({ field: 'when', message: 'must be a date: YYYY-MM-DD, YYYY-MM or YYYY' });
    else if (when.date > new Date().toISOString().slice(0, 10)) {
      errors.push({ field: 'when', message: 'must not be in the future' });
    }
  }
  const whenText = text('whenText', 200);
  const placeName = text('place', 300);
  const precisionText = raw.precision?.trim() || null;
  const latText = raw.lat?.trim();
  const lonText = raw.lon?.trim();
  let point: { lat: number; lon: number } | null = null;
  if (latText || lonText) {
    const lat = Number(latText);
    const lon = Number(lonText);
    if (!latText || !lonText || !Number.isFinite(lat) || !Number.isFinite(lon)) {
      errors.push({ field: 'lat', message: 'lat and lon must both be numbers' });
    } else if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      errors.push({ field: 'lat', message: 'lat must be within ±90 and lon within ±180' });
    } else point = { lat, lon };
  }
  if (precisionText && !(LOCATION_PRECISIONS as readonly string[]).includes(precisionText)) {
    errors.push({ field: 'precision', message: `must be one of ${LOCATION_PRECISIONS.join(', ')}` });
  }
  if (point && !precisionText) {
    errors.push({
      field: 'precision',
      message: 'say how precise the point is (exact, approximate, town, region, none)',
    });
  }
  if (errors.length) throw new ValidationError(errors);
  const precision = (precisionText as LocationPrecision | null) ?? 'none';
  return { what: what!, when, whenText, placeName, precision, point: coarsenPoint(point, precision) };
}

/** A public situation, for an anonymous sender: anything else is 404 (private ones stay hidden). */
export async function reportableSituation(db: Queryable, slug: string): Promise<SituationRecord> {
  const situation = await findSituation(db, slug);
  if (situation?.visibility !== 'public') throw new NotFoundError(`situation ${slug}`);
  return situation;
}

export interface StagedFile {
  blob: StoredBlob;
  name: string | null;
  mime: string | null;
}

export interface ReportReceipt {
  id: string;
  status: 'pending';
  receivedAt: string;
  statementSha256: string;
  files: { name: string | null; sha256: string; size: number }[];
  storedLocation: {
    precision: LocationPrecision;
    point: { lat: number; lon: number } | null;
    placeName: string | null;
  };
}

/** Removes staged blobs no item refers to (a report that failed leaves nothing behind). */
export async function discardStaged(vault: Vault, staged: StagedFile[]): Promise<void> {
  for (const file of staged) {
    if (!file.blob.created) continue;
    const used = await vault.db.query(
      `SELECT 1 FROM evidence_items WHERE sha256 = $1 UNION ALL SELECT 1 FROM evidence_publishable WHERE sha256 = $1 LIMIT 1`,
      [file.blob.sha256],
    );
    if (used.length === 0) await vault.blobs.discard(file.blob.sha256);
  }
}

/**
 * Seals a report's staged files and its statement, and queues the report for moderation. The files were
 * already streamed into the blob store (hashed, size-limited); each is sealed as an item with origin
 * `report`, which makes its publishable copy without location metadata.
 */
export async function submitReport(
  vault: Vault,
  situation: SituationRecord,
  fields: ReportFields,
  staged: StagedFile[],
): Promise<ReportReceipt> {
  const id = randomUUID();
  const receivedAt = new Date().toISOString();
  const fileItems: { id: string; sha256: string; size: number; name: string | null }[] = [];
  for (const file of staged) {
    const sealed = await sealItem(vault, REPORT_AUTHOR, {
      situationId: situation.id,
      stream: vault.blobs.read(file.blob.sha256),
      claimedName: file.name,
      claimedMime: file.mime,
      title: `Public report file${file.name ? `: ${file.name}` : ''}`.slice(0, 500),
      origin: 'report',
    });
    fileItems.push({ id: sealed.id, sha256: file.blob.sha256, size: file.blob.size, name: file.name });
  }
  const when = fields.when ? formatPartialDate(fields.when.date, fields.when.precision) : null;
  const statement = {
    kind: 'vigil-public-report',
    version: 1,
    reportId: id,
    situation: situation.slug,
    receivedAt,
    what: fields.what,
    when,
    whenText: fields.whenText,
    where: { placeName: fields.placeName, precision: fields.precision, point: fields.point },
    files: fileItems.map((f) => ({ name: f.name, sha256: f.sha256, size: f.size })),
  };
  const statementBytes = Buffer.from(`${JSON.stringify(statement, null, 2)}\n`);
  const statementItem = await sealItem(vault, REPORT_AUTHOR, {
    situationId: situation.id,
    stream: Readable.from([statementBytes]),
    claimedName: `report-${id}.json`,
    claimedMime: 'application/json',
    title: `Public report statement, received ${receivedAt.slice(0, 10)}`,
    origin: 'report',
  });
  await vault.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO public_reports (id, situation_id, what, when_date, when_precision, when_text, place_name,
         location_precision, lat, lon, statement_item_id, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        id,
        situation.id,
        fields.what,
        fields.when?.date ?? null,
        fields.when?.precision ?? null,
        fields.whenText,
        fields.placeName,
        fields.precision,
        fields.point?.lat ?? null,
        fields.point?.lon ?? null,
        statementItem.id,
        receivedAt,
      ],
    );
    let position = 0;
    for (const item of fileItems) {
      await tx.query(
        'INSERT INTO public_report_items (report_id, item_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [id, item.id, ++position],
      );
    }
    await appendCustody(
      tx,
      [statementItem.id, ...fileItems.map((f) => f.id)].map((itemId) => ({
        actorId: null,
        actorLabel: REPORT_AUTHOR.label,
        action: 'report' as const,
        itemId,
        details: { reportId: id, part: itemId === statementItem.id ? 'statement' : 'file' },
      })),
    );
  });
  return {
    id,
    status: 'pending',
    receivedAt,
    statementSha256: (
      await vault.db.query<{ sha256: string }>('SELECT sha256 FROM evidence_items WHERE id = $1', [
        statementItem.id,
      ])
    )[0]!.sha256,
    files: fileItems.map((f) => ({ name: f.name, sha256: f.sha256, size: f.size })),
    storedLocation: { precision: fields.precision, point: fields.point, placeName: fields.placeName },
  };
}

// ---------------------------------------------------------------------------------------------------
// Moderation

export type ReportStatus = 'pending' | 'merged' | 'linked' | 'rejected';

export interface PublicReport {
  id: string;
  situationSlug: string;
  status: ReportStatus;
  what: string;
  when: string | null;
  whenPrecision: DatePrecision | null;
  whenText: string | null;
  placeName: string | null;
  locationPrecision: LocationPrecision;
  point: { lat: number; lon: number } | null;
  statementItemId: string | null;
  files: {
    itemId: string;
    title: string;
    mime: string;
    sha256: string;
    size: number;
    publishable: boolean;
  }[];
  receivedAt: string;
  decision: { incidentId: string | null; reason: string | null; by: string; at: string } | null;
}

interface ReportRow {
  id: string;
  situation_id: string;
  situation_slug: string;
  status: ReportStatus;
  what: string;
  when_date: string | null;
  when_precision: DatePrecision | null;
  when_text: string | null;
  place_name: string | null;
  location_precision: LocationPrecision;
  lat: number | null;
  lon: number | null;
  statement_item_id: string | null;
  incident_id: string | null;
  reason: string | null;
  decided_by_label: string | null;
  decided_at: Date | null;
  received_at: Date;
  files: PublicReport['files'];
}

const REPORT_SELECT = `SELECT r.*, s.slug AS situation_slug,
  coalesce((SELECT json_agg(json_build_object('itemId', e.id, 'title', e.title, 'mime', e.mime, 'sha256', e.sha256,
      'size', e.size, 'publishable', p.item_id IS NOT NULL) ORDER BY ri.position)
    FROM public_report_items ri JOIN evidence_items e ON e.id = ri.item_id
    LEFT JOIN evidence_publishable p ON p.item_id = e.id WHERE ri.report_id = r.id), '[]') AS files
  FROM public_reports r JOIN situations s ON s.id = r.situation_id`;

function reportFromRow(row: ReportRow): PublicReport {
  return {
    id: row.id,
    situationSlug: row.situation_slug,
    status: row.status,
    what: row.what,
    when: row.when_date && row.when_precision ? formatPartialDate(row.when_date, row.when_precision) : null,
    whenPrecision: row.when_precision,
    whenText: row.when_text,
    placeName: row.place_name,
    locationPrecision: row.location_precision,
    point: row.lat !== null && row.lon !== null ? { lat: row.lat, lon: row.lon } : null,
    statementItemId: row.statement_item_id,
    files: row.files.map((f) => ({ ...f, size: Number(f.size) })),
    receivedAt: row.received_at.toISOString(),
    decision:
      row.status === 'pending' || !row.decided_at
        ? null
        : {
            incidentId: row.incident_id,
            reason: row.reason,
            by: row.decided_by_label ?? '',
            at: row.decided_at.toISOString(),
          },
  };
}

/**
 * Moderators: documenter, analyst, admin (they may add evidence and see sealed material) and, in an
 * organisation's situation, only its members: reports hold sealed files and what a witness said.
 */
function requireModerator(actor: Actor, situation: Pick<SituationRecord, 'organisationId'>) {
  requirePermissionIn(actor, 'evidence.write', situation.organisationId);
  requirePermissionIn(actor, 'evidence.read-sealed', situation.organisationId);
}

export async function listReports(
  db: Queryable,
  actor: Actor,
  slug: string,
  query: { status?: ReportStatus; limit: number; cursor?: string },
): Promise<{ items: PublicReport[]; nextCursor: string | null }> {
  const situation = await getSituation(db, actor, slug);
  requireModerator(actor, situation);
  const params: unknown[] = [situation.id];
  const conditions = ['r.situation_id = $1'];
  if (query.status) {
    params.push(query.status);
    conditions.push(`r.status = $${params.length}`);
  }
  if (query.cursor) {
    const [at, id] = decodeCursor(query.cursor, 2);
    params.push(at, id);
    conditions.push(`(r.received_at, r.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(query.limit + 1);
  const rows = await db.query<ReportRow>(
    `${REPORT_SELECT} WHERE ${conditions.join(' AND ')} ORDER BY r.received_at, r.id LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(reportFromRow),
    nextCursor:
      rows.length > query.limit && last ? encodeCursor([last.received_at.toISOString(), last.id]) : null,
  };
}

async function readableReport(
  db: Queryable,
  actor: Actor,
  id: string,
  lock = false,
): Promise<{ row: ReportRow; situation: SituationRecord }> {
  const rows = UUID.test(id)
    ? await db.query<ReportRow>(`${REPORT_SELECT} WHERE r.id = $1${lock ? ' FOR UPDATE OF r' : ''}`, [id])
    : [];
  const row = rows[0];
  if (!row) throw new NotFoundError(`report ${id}`);
  const situation = await getSituation(db, actor, row.situation_slug); // 404 when it is hidden from the actor
  requireModerator(actor, situation);
  return { row, situation };
}

export async function getReport(db: Queryable, actor: Actor, id: string): Promise<PublicReport> {
  return reportFromRow((await readableReport(db, actor, id)).row);
}

export interface ReportDecision {
  action: 'merge' | 'link' | 'reject';
  incidentId?: string;
  reason?: string;
  incident?: { title?: string; category?: string; confidence?: 'high' | 'medium' | 'low'; start?: string };
}

const oneLine = (text: string, max: number) => {
  const line = text.split('\n')[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/**
 * Decides a pending report: merge it into a new incident (drafted from the report) or an existing one (its
 * account appended to the description as a new revision), link it as evidence of an incident, or reject it
 * with a reason. The report's items are linked to the incident; every item gets a `moderate` custody entry.
 */
export async function decideReport(
  db: Database,
  actor: Actor,
  id: string,
  decision: ReportDecision,
  reportUrl: string,
): Promise<PublicReport> {
  const { situation } = await readableReport(db, actor, id);
  const author = authorOf(actor);
  if (decision.action === 'reject' && !decision.reason?.trim()) {
    throw ValidationError.field('reason', 'say why the report is rejected');
  }
  if (decision.action === 'link' && !decision.incidentId) {
    throw ValidationError.field('incidentId', 'name the incident the report is evidence of');
  }
  if (decision.action !== 'merge' && decision.incident) {
    throw ValidationError.field('incident', 'only a merge into a new incident takes incident fields');
  }
  if (decision.incidentId && decision.incident) {
    throw ValidationError.field(
      'incident',
      'give either incidentId (existing incident) or incident (new one)',
    );
  }
  requirePermissionIn(
    actor,
    decision.action === 'merge' ? 'incident.write' : 'evidence.write',
    situation.organisationId,
  );

  await db.transaction(async (tx) => {
    const { row } = await readableReport(tx, actor, id, true);
    if (row.status !== 'pending') throw new ConflictError(`report ${id} was already ${row.status}`);
    let incidentId: string | null = decision.incidentId ?? null;
    if (incidentId) {
      const found = UUID.test(incidentId)
        ? await tx.query('SELECT 1 FROM incidents WHERE id = $1 AND situation_id = $2', [
            incidentId,
            row.situation_id,
          ])
        : [];
      if (found.length === 0)
        throw ValidationError.field('incidentId', `incident ${incidentId} is not in this situation`);
    }
    const received = row.received_at.toISOString();
    const account =
      `Public report received ${received.slice(0, 10)}` +
      `${row.when_date && row.when_precision ? `, about ${formatPartialDate(row.when_date, row.when_precision)}` : ''}` +
      `${row.place_name ? `, at ${row.place_name}` : ''} (location: ${PRECISION_NOTE[row.location_precision]}):\n${row.what}`;
    if (decision.action === 'merge' && !incidentId) {
      const today = new Date().toISOString().slice(0, 10);
      const start =
        decision.incident?.start ??
        (row.when_date && row.when_precision && row.when_precision !== 'year'
          ? formatPartialDate(row.when_date, row.when_precision)
          : received.slice(0, 10));
      const point = row.lat !== null && row.lon !== null ? { lat: row.lat, lon: row.lon } : null;
      incidentId = await insertIncident(
        tx,
        row.situation_id,
        {
          title: decision.incident?.title ?? oneLine(row.what, 120),
          description: account,
          category: decision.incident?.category ?? 'public-report',
          start,
          placeName: row.place_name,
          point,
          pointSource: point ? 'manual' : null,
          pointNote: point ? `from a public report; ${PRECISION_NOTE[row.location_precision]}` : null,
          confidence: decision.incident?.confidence ?? 'low',
          status: 'draft',
          sources: [{ url: reportUrl, outlet: 'Public report to Vigil', accessedOn: today }],
        },
        author,
      );
    } else if (decision.action === 'merge' && incidentId) {
      const [incident] = await tx.query<{ description: string; version: number }>(
        'SELECT description, version FROM incidents WHERE id = $1 FOR UPDATE',
        [incidentId],
      );
      const description = `${incident!.description}${incident!.description ? '\n\n' : ''}${account}`.slice(
        0,
        20_000,
      );
      await tx.query(
        'UPDATE incidents SET description = $2, version = version + 1, updated_at = now() WHERE id = $1',
        [incidentId, description],
      );
      await tx.query(
        `INSERT INTO incident_revisions (incident_id, revision, changed_by, changed_by_label, changes)
         VALUES ($1, $2, $3, $4, $5)`,
        [
          incidentId,
          incident!.version + 1,
          author.userId,
          author.label,
          JSON.stringify({ description: { from: incident!.description, to: description } }),
        ],
      );
    }
    const itemIds = [row.statement_item_id, ...row.files.map((f) => f.itemId)].filter(
      (x, i, all): x is string => x !== null && all.indexOf(x) === i,
    );
    const entries: CustodyInput[] = [];
    if (incidentId && decision.action !== 'reject') {
      for (const itemId of itemIds) {
        const linked = await tx.query(
          `INSERT INTO evidence_item_incidents (item_id, incident_id, linked_by_label) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING RETURNING item_id`,
          [itemId, incidentId, author.label],
        );
        if (linked.length) {
          entries.push({
            actorId: author.userId,
            actorLabel: author.label,
            action: 'link',
            itemId,
            details: { incidentId },
          });
        }
      }
    }
    const status: ReportStatus =
      decision.action === 'reject' ? 'rejected' : decision.action === 'merge' ? 'merged' : 'linked';
    for (const itemId of itemIds) {
      entries.push({
        actorId: author.userId,
        actorLabel: author.label,
        action: 'moderate',
        itemId,
        details: {
          reportId: id,
          decision: status,
          incidentId: decision.action === 'reject' ? null : incidentId,
          newIncident: decision.action === 'merge' && !decision.incidentId,
          reason: decision.reason?.trim() || null,
        },
      });
    }
    await tx.query(
      `UPDATE public_reports SET status = $2, incident_id = $3, reason = $4, decided_by = $5, decided_by_label = $6,
         decided_at = now() WHERE id = $1`,
      [
        id,
        status,
        decision.action === 'reject' ? null : incidentId,
        decision.reason?.trim() || null,
        author.userId,
        author.label,
      ],
    );
    await appendCustody(tx, entries);
  });
  return getReport(db, actor, id);
}
