// The events registry: international events hosted by the target state (sports, concerts, contests,
// conferences), the boycott calls around them, and the responses (who withdrew, who stayed), all sourced.
import { type Actor, requirePermissionIn } from '../auth/permissions.ts';
import type { Database, Queryable } from '../db/types.ts';
import { authorOf } from '../evidence/incidents.ts';
import { NotFoundError, ValidationError } from '../lib/errors.ts';
import { canRead, findSituationById, getSituation } from '../situations/service.ts';
import type {
  BoycottCall,
  BoycottCallCreate,
  BoycottResponse,
  BoycottResponseCreate,
  HostedEvent,
  HostedEventCreate,
  SourceOut,
} from './schema.ts';
import { optionalStepDate, shownDate } from './vocabulary.ts';

type Author = ReturnType<typeof authorOf>;

const sourcesOf = (sources: readonly { url: string; outlet?: string | null }[]): SourceOut[] =>
  sources.map((s) => ({ url: s.url, outlet: s.outlet ?? null }));

export async function insertHostedEvent(
  tx: Queryable,
  situationId: string,
  input: HostedEventCreate,
  author: Author,
  externalRef: string | null = null,
): Promise<string> {
  const starts = optionalStepDate(input.startsOn, 'startsOn');
  const ends = optionalStepDate(input.endsOn, 'endsOn');
  if (starts && ends && ends.date < starts.date)
    throw ValidationError.field('endsOn', 'must not be before startsOn');
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO hosted_events (situation_id, external_ref, name, kind, host, starts_on, starts_precision, ends_on,
       ends_precision, dates_text, venue, organisers, sponsors, participants, description, sources, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
    [
      situationId,
      externalRef,
      input.name,
      input.kind,
      input.host,
      starts?.date ?? null,
      starts?.precision ?? null,
      ends?.date ?? null,
      ends?.precision ?? null,
      input.datesText ?? '',
      input.venue ?? null,
      JSON.stringify(input.organisers ?? []),
      JSON.stringify(input.sponsors ?? []),
      JSON.stringify(input.participants ?? []),
      input.description ?? '',
      JSON.stringify(sourcesOf(input.sources)),
      author.userId,
    ],
  );
  return rows[0]!.id;
}

export async function insertBoycottCall(
  tx: Queryable,
  situationId: string,
  input: BoycottCallCreate,
  author: Author,
  externalRef: string | null = null,
): Promise<string> {
  const date = optionalStepDate(input.date, 'date');
  if (input.eventId) {
    const [event] = await tx.query('SELECT 1 FROM hosted_events WHERE id = $1 AND situation_id = $2', [
      input.eventId,
      situationId,
    ]);
    if (!event) throw ValidationError.field('eventId', 'is not an event of this situation');
  }
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO boycott_calls (situation_id, event_id, link_basis, external_ref, caller, addressee, title, form_text,
       called_on, called_precision, description, sources, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
    [
      situationId,
      input.eventId ?? null,
      input.eventId ? `linked by ${author.label}` : null,
      externalRef,
      input.caller,
      input.addressee,
      input.title,
      input.form,
      date?.date ?? null,
      date?.precision ?? null,
      input.description ?? '',
      JSON.stringify(sourcesOf(input.sources)),
      author.userId,
    ],
  );
  return rows[0]!.id;
}

/**
 * Links unlinked calls to the event their addressee names, when the call came within the year before
 * the event began (e.g. "UNFCCC / COP29" → "COP29 UN Climate Change Conference, Baku"). A call about a
 * race or edition the registry does not hold stays unlinked rather than being attached to another one.
 */
export async function linkCallsToEvents(tx: Queryable, situationId: string): Promise<void> {
  const events = await tx.query<{ id: string; name: string; starts_on: string | null }>(
    'SELECT id, name, starts_on FROM hosted_events WHERE situation_id = $1 AND starts_on IS NOT NULL',
    [situationId],
  );
  const calls = await tx.query<{ id: string; addressee: string; called_on: string | null }>(
    'SELECT id, addressee, called_on FROM boycott_calls WHERE situation_id = $1 AND event_id IS NULL',
    [situationId],
  );
  for (const call of calls) {
    if (!call.called_on) continue;
    const names = call.addressee
      .replace(/\([^)]*\)/g, '')
      .split('/')
      .map((n) => n.trim())
      .filter((n) => n.length >= 3);
    const callDay = Date.parse(call.called_on);
    const match = events.filter((e) => {
      const start = Date.parse(e.starts_on!);
      const within = callDay <= start && start - callDay <= 366 * 86_400_000;
      return within && names.some((n) => e.name.toLowerCase().includes(n.toLowerCase()));
    });
    if (match.length !== 1) continue;
    const named = names.find((n) => match[0]!.name.toLowerCase().includes(n.toLowerCase()));
    await tx.query('UPDATE boycott_calls SET event_id = $2, link_basis = $3 WHERE id = $1', [
      call.id,
      match[0]!.id,
      `import: the addressee names "${named}" and the call came within the year before the event began`,
    ]);
  }
}

interface CallRow {
  id: string;
  event_id: string | null;
  link_basis: string | null;
  external_ref: string | null;
  caller: string;
  addressee: string;
  title: string;
  form_text: string;
  called_on: string | null;
  called_precision: string | null;
  description: string;
  sources: SourceOut[];
}
const callFromRow = (r: CallRow): BoycottCall => ({
  id: r.id,
  eventId: r.event_id,
  linkBasis: r.link_basis,
  externalRef: r.external_ref,
  caller: r.caller,
  addressee: r.addressee,
  title: r.title,
  form: r.form_text,
  date: shownDate(r.called_on, r.called_precision),
  datePrecision: r.called_precision,
  description: r.description,
  sources: sourcesOf(r.sources),
});

interface ResponseRow {
  id: string;
  event_id: string;
  call_id: string | null;
  responder: string;
  response: string;
  responded_on: string | null;
  responded_precision: string | null;
  description: string;
  sources: SourceOut[];
}
const responseFromRow = (r: ResponseRow): BoycottResponse => ({
  id: r.id,
  eventId: r.event_id,
  callId: r.call_id,
  responder: r.responder,
  response: r.response,
  date: shownDate(r.responded_on, r.responded_precision),
  description: r.description,
  sources: sourcesOf(r.sources),
});

interface EventRow {
  id: string;
  situation_id: string;
  external_ref: string | null;
  name: string;
  kind: string;
  host: string;
  starts_on: string | null;
  starts_precision: string | null;
  ends_on: string | null;
  ends_precision: string | null;
  dates_text: string;
  venue: string | null;
  organisers: string[];
  sponsors: string[];
  participants: string[];
  description: string;
  sources: SourceOut[];
}

async function eventsWhere(
  db: Queryable,
  slug: string,
  where: string,
  params: unknown[],
): Promise<HostedEvent[]> {
  const rows = await db.query<EventRow>(
    `SELECT * FROM hosted_events WHERE ${where} ORDER BY starts_on NULLS LAST, external_ref, id`,
    params,
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const calls = await db.query<CallRow>(
    'SELECT * FROM boycott_calls WHERE event_id = ANY($1::uuid[]) ORDER BY called_on NULLS LAST, external_ref, id',
    [ids],
  );
  const responses = await db.query<ResponseRow>(
    'SELECT * FROM boycott_responses WHERE event_id = ANY($1::uuid[]) ORDER BY responded_on NULLS LAST, id',
    [ids],
  );
  return rows.map((r) => ({
    id: r.id,
    situationSlug: slug,
    externalRef: r.external_ref,
    name: r.name,
    kind: r.kind,
    host: r.host,
    startsOn: shownDate(r.starts_on, r.starts_precision),
    endsOn: shownDate(r.ends_on, r.ends_precision),
    datesText: r.dates_text,
    venue: r.venue,
    organisers: r.organisers,
    sponsors: r.sponsors,
    participants: r.participants,
    description: r.description,
    sources: sourcesOf(r.sources),
    calls: calls.filter((c) => c.event_id === r.id).map(callFromRow),
    responses: responses.filter((x) => x.event_id === r.id).map(responseFromRow),
  }));
}

export async function listHostedEvents(db: Queryable, actor: Actor, slug: string): Promise<HostedEvent[]> {
  const situation = await getSituation(db, actor, slug);
  return eventsWhere(db, situation.slug, 'situation_id = $1', [situation.id]);
}

export async function listBoycottCalls(db: Queryable, actor: Actor, slug: string): Promise<BoycottCall[]> {
  const situation = await getSituation(db, actor, slug);
  const rows = await db.query<CallRow>(
    'SELECT * FROM boycott_calls WHERE situation_id = $1 ORDER BY called_on NULLS LAST, external_ref, id',
    [situation.id],
  );
  return rows.map(callFromRow);
}

async function readableEvent(db: Queryable, actor: Actor, id: string) {
  const [row] = await db.query<{ situation_id: string }>(
    'SELECT situation_id FROM hosted_events WHERE id = $1',
    [id],
  );
  const situation = row ? await findSituationById(db, row.situation_id) : null;
  if (!situation || !canRead(actor, situation)) throw new NotFoundError(`event ${id}`);
  return situation;
}

export async function getHostedEvent(db: Queryable, actor: Actor, id: string): Promise<HostedEvent> {
  const situation = await readableEvent(db, actor, id);
  const [event] = await eventsWhere(db, situation.slug, 'id = $1', [id]);
  return event!;
}

export async function createHostedEvent(
  db: Database,
  actor: Actor,
  slug: string,
  input: HostedEventCreate,
): Promise<HostedEvent> {
  const situation = await getSituation(db, actor, slug, 'measure.write');
  const id = await db.transaction((tx) => insertHostedEvent(tx, situation.id, input, authorOf(actor)));
  return getHostedEvent(db, actor, id);
}

export async function createBoycottCall(
  db: Database,
  actor: Actor,
  slug: string,
  input: BoycottCallCreate,
): Promise<BoycottCall> {
  const situation = await getSituation(db, actor, slug, 'measure.write');
  const id = await db.transaction((tx) => insertBoycottCall(tx, situation.id, input, authorOf(actor)));
  const [row] = await db.query<CallRow>('SELECT * FROM boycott_calls WHERE id = $1', [id]);
  return callFromRow(row!);
}

export async function addBoycottResponse(
  db: Database,
  actor: Actor,
  eventId: string,
  input: BoycottResponseCreate,
): Promise<HostedEvent> {
  const situation = await readableEvent(db, actor, eventId);
  requirePermissionIn(actor, 'measure.write', situation.organisationId);
  const date = optionalStepDate(input.date, 'date');
  if (input.callId) {
    const [call] = await db.query('SELECT 1 FROM boycott_calls WHERE id = $1 AND event_id = $2', [
      input.callId,
      eventId,
    ]);
    if (!call) throw ValidationError.field('callId', 'is not a boycott call about this event');
  }
  await db.query(
    `INSERT INTO boycott_responses (event_id, call_id, responder, response, responded_on, responded_precision,
       description, sources, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      eventId,
      input.callId ?? null,
      input.responder,
      input.response,
      date?.date ?? null,
      date?.precision ?? null,
      input.description ?? '',
      JSON.stringify(sourcesOf(input.sources)),
      authorOf(actor).userId,
    ],
  );
  return getHostedEvent(db, actor, eventId);
}
