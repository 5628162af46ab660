// Writing lifeline records through the API and the CLI: observations, needs models, population figures,
// disruptions and stocks. A request is checked whole (what the schema cannot say: dates in order, a status
// that fits its kind, a series that overlaps itself, refs taken) and written in one transaction, or refused
// with every row and reason and nothing written.
import { type Actor, requirePermission } from '../auth/permissions.ts';
import type { Database, Queryable } from '../db/types.ts';
import { type FieldError, ValidationError } from '../lib/errors.ts';
import { getSituation } from '../situations/service.ts';
import { daysInclusive, type FlowObservation, type NeedsModel, type Stock } from './metrics.ts';
import type {
  DisruptionInput,
  LifelineRecordsInput,
  NeedsModelInput,
  ObservationInput,
  PopulationInput,
  StockInput,
} from './schema.ts';
import {
  checkBatch,
  insertDisruption,
  insertNeedsModel,
  insertObservation,
  insertPopulation,
  insertStock,
  listObservationsByIds,
  prepareObservation,
} from './service.ts';

type Prepared<T> = { value: T; label: string };
const sourcesOf = (s: { url: string; outlet?: string | null }[]) =>
  s.map((x) => ({ url: x.url, outlet: x.outlet ?? null }));

const UTILITY_STATUSES = ['cut', 'partial'];
const CORRIDOR_STATUSES = ['open', 'restricted', 'closed', 'humanitarian-only'];

/** Refs used twice in a batch, or already stored in the table for this situation. */
async function checkRefs(
  db: Queryable,
  table: string,
  situationId: string,
  rows: { ref: string | null; label: string }[],
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const seen = new Map<string, string>();
  for (const r of rows) {
    if (!r.ref) continue;
    const first = seen.get(r.ref);
    if (first) errors.push({ field: `${r.label}.ref`, message: `ref ${r.ref} is also used by ${first}` });
    else seen.set(r.ref, r.label);
  }
  if (seen.size) {
    const taken = await db.query<{ external_ref: string }>(
      `SELECT external_ref FROM ${table} WHERE situation_id = $1 AND external_ref = ANY($2::text[])`,
      [situationId, [...seen.keys()]],
    );
    for (const t of taken)
      errors.push({
        field: `${seen.get(t.external_ref)!}.ref`,
        message: `ref ${t.external_ref} already exists`,
      });
  }
  return errors;
}

// ---- needs models ------------------------------------------------------------------------------

export type NewNeedsModel = Omit<NeedsModel, 'id'>;

export function prepareNeedsModel(
  input: NeedsModelInput,
  label: string,
): { ok: true; value: NewNeedsModel } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (input.rateHigh != null && input.rateHigh < input.rate)
    errors.push({ field: `${label}.rateHigh`, message: `is below the rate (${input.rate})` });
  if (input.validFrom && input.validTo && input.validTo < input.validFrom)
    errors.push({
      field: `${label}.validTo`,
      message: `ends (${input.validTo}) before it starts (${input.validFrom})`,
    });
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ref: input.ref ?? null,
      commodity: input.commodity,
      model: input.model,
      rate: input.rate,
      rateHigh: input.rateHigh ?? null,
      unit: input.model === 'baseline-rate' ? 't/day' : 'kg/person/day',
      validFrom: input.validFrom ?? null,
      validTo: input.validTo ?? null,
      selected: input.selected ?? false,
      label: input.label.trim(),
      assumptions: input.assumptions.trim(),
      derivedFrom: [],
      sources: sourcesOf(input.sources),
    },
  };
}

// ---- population --------------------------------------------------------------------------------

export type NewPopulation = {
  ref: string | null;
  onDate: string;
  persons: number;
  personsHigh: number | null;
  qualifier: string | null;
  note: string;
  derivedFrom: string[];
  sources: { url: string; outlet: string | null }[];
};

export function preparePopulation(
  input: PopulationInput,
  label: string,
): { ok: true; value: NewPopulation } | { ok: false; errors: FieldError[] } {
  if (input.personsHigh != null && input.personsHigh < input.persons)
    return {
      ok: false,
      errors: [{ field: `${label}.personsHigh`, message: `is below persons (${input.persons})` }],
    };
  return {
    ok: true,
    value: {
      ref: input.ref ?? null,
      onDate: input.onDate,
      persons: input.persons,
      personsHigh: input.personsHigh ?? null,
      qualifier: input.qualifier ?? null,
      note: input.note ?? '',
      derivedFrom: [],
      sources: sourcesOf(input.sources),
    },
  };
}

// ---- disruptions -------------------------------------------------------------------------------

export type NewDisruption = Parameters<typeof insertDisruption>[2];

export function prepareDisruption(
  input: DisruptionInput,
  label: string,
): { ok: true; value: NewDisruption } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const err = (field: string, message: string) => errors.push({ field: `${label}.${field}`, message });
  const allowed = input.kind === 'corridor' ? CORRIDOR_STATUSES : UTILITY_STATUSES;
  if (!allowed.includes(input.status))
    err('status', `${input.status} does not apply to ${input.kind} (use ${allowed.join(', ')})`);
  const basis = input.basis ?? 'interval';
  const endsOn = input.endsOn ?? null;
  if (endsOn && endsOn < input.startsOn)
    err('endsOn', `ends (${endsOn}) before it starts (${input.startsOn})`);
  if (input.endsOnAlternative && input.endsOnAlternative < input.startsOn)
    err('endsOnAlternative', `is before the start (${input.startsOn})`);
  if (input.confirmedUntil && input.confirmedUntil < input.startsOn)
    err('confirmedUntil', `is before the start (${input.startsOn})`);
  if (input.confirmedUntil && endsOn && input.confirmedUntil > endsOn)
    err('confirmedUntil', `is after the end (${endsOn})`);
  const statedDays = input.statedDays ?? null;
  if (basis === 'stated-total') {
    if (statedDays === null) err('statedDays', 'is required for a stated total');
    if (!endsOn) err('endsOn', 'a stated total needs the end of the period it counts days in');
    else if (statedDays !== null && statedDays > daysInclusive(input.startsOn, endsOn))
      err('statedDays', `${statedDays} days do not fit in ${input.startsOn}..${endsOn}`);
  } else if (statedDays !== null)
    err('statedDays', 'only a stated total has stated days (basis: stated-total)');
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ref: input.ref ?? null,
      kind: input.kind,
      status: input.status,
      route: input.route?.trim() || null,
      basis,
      startsOn: input.startsOn,
      endsOn,
      endsOnAlternative: input.endsOnAlternative ?? null,
      confirmedUntil: input.confirmedUntil ?? null,
      statedDays,
      confidence: input.confidence,
      note: input.note ?? '',
      derivedFrom: [],
      sources: sourcesOf(input.sources),
    },
  };
}

const FAR = '9999-12-31';

/**
 * Dated intervals of one series (kind, status, route, main source) must not overlap: the source would be
 * counting the same days twice. Checked within the batch and against the stored intervals.
 */
async function checkDisruptionOverlaps(
  db: Queryable,
  situationId: string,
  rows: Prepared<NewDisruption>[],
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const intervals = rows.filter((r) => r.value.basis === 'interval');
  const key = (d: NewDisruption) => JSON.stringify([d.kind, d.status, d.route, d.sources[0]?.url ?? null]);
  intervals.forEach((row, i) => {
    const d = row.value;
    const clash = intervals
      .slice(0, i)
      .find(
        (o) =>
          key(o.value) === key(d) &&
          o.value.startsOn <= (d.endsOn ?? FAR) &&
          d.startsOn <= (o.value.endsOn ?? FAR),
      );
    if (clash)
      errors.push({
        field: row.label,
        message: `its interval ${d.startsOn}..${d.endsOn ?? 'open'} overlaps ${clash.label} of the same series (${clash.value.startsOn}..${clash.value.endsOn ?? 'open'})`,
      });
  });
  for (const row of intervals) {
    const d = row.value;
    const [stored] = await db.query<{
      external_ref: string | null;
      starts_on: string;
      ends_on: string | null;
    }>(
      `SELECT external_ref, starts_on, ends_on FROM lifeline_disruptions
       WHERE situation_id = $1 AND basis = 'interval' AND kind = $2 AND status = $3 AND route IS NOT DISTINCT FROM $4
         AND sources->0->>'url' IS NOT DISTINCT FROM $5
         AND daterange(starts_on, coalesce(ends_on, '${FAR}'::date), '[]') && daterange($6::date, $7::date, '[]')
       LIMIT 1`,
      [situationId, d.kind, d.status, d.route, d.sources[0]?.url ?? null, d.startsOn, d.endsOn ?? FAR],
    );
    if (stored)
      errors.push({
        field: row.label,
        message: `its interval overlaps the stored disruption ${stored.external_ref ?? ''} (${stored.starts_on}..${stored.ends_on ?? 'open'}) of the same series`,
      });
  }
  return errors;
}

// ---- stocks ------------------------------------------------------------------------------------

export function prepareStock(input: StockInput): Stock {
  return {
    ref: input.ref ?? null,
    commodity: input.commodity.trim(),
    onDate: input.onDate,
    quantity: input.quantity,
    unit: input.unit.trim(),
    consumptionPerDay: input.consumptionPerDay ?? null,
    unusableBelow: input.unusableBelow ?? null,
    note: input.note ?? '',
    derivedFrom: [],
    sources: sourcesOf(input.sources),
  };
}

// ---- the whole request -------------------------------------------------------------------------

export interface RecordsWritten {
  observations: FlowObservation[];
  models: NeedsModel[];
  population: NewPopulation[];
  disruptions: (NewDisruption & { id: string })[];
  stocks: Stock[];
  /** Needs models that were selected for a commodity and no longer are, because a new one was selected. */
  deselected: string[];
}

export interface WriteOptions {
  createdBy: string | null;
  /** How a row is named in errors, by kind and index (default `observations.3`). */
  labelOf?: (kind: keyof LifelineRecordsInput, index: number) => string;
}

/** Checks every record of the request, then writes them all in one transaction, or none. */
export async function writeRecords(
  db: Database,
  situationId: string,
  input: LifelineRecordsInput,
  options: WriteOptions,
): Promise<RecordsWritten> {
  const labelOf = options.labelOf ?? ((kind, i) => `${kind}.${i}`);
  const errors: FieldError[] = [];
  function prepareAll<I, T>(
    kind: keyof LifelineRecordsInput,
    inputs: I[] | undefined,
    prepare: (input: I, label: string) => { ok: true; value: T } | { ok: false; errors: FieldError[] },
  ): Prepared<T>[] {
    const out: Prepared<T>[] = [];
    (inputs ?? []).forEach((item, i) => {
      const label = labelOf(kind, i);
      const result = prepare(item, label);
      if (result.ok) out.push({ value: result.value, label });
      else errors.push(...result.errors);
    });
    return out;
  }
  const observations = prepareAll('observations', input.observations, prepareObservation);
  const models = prepareAll('models', input.models, prepareNeedsModel);
  const population = prepareAll('population', input.population, preparePopulation);
  const disruptions = prepareAll('disruptions', input.disruptions, prepareDisruption);
  const stocks = prepareAll('stocks', input.stocks, (s: StockInput) => ({
    ok: true as const,
    value: prepareStock(s),
  }));
  const selectedIn = new Map<string, string>();
  for (const m of models) {
    if (!m.value.selected) continue;
    const other = selectedIn.get(m.value.commodity);
    if (other)
      errors.push({
        field: `${m.label}.selected`,
        message: `${other} is also selected for ${m.value.commodity}; one model is used per commodity`,
      });
    selectedIn.set(m.value.commodity, m.label);
  }
  const popDates = new Map<string, string>();
  for (const p of population) {
    const other = popDates.get(p.value.onDate);
    if (other)
      errors.push({
        field: `${p.label}.onDate`,
        message: `${other} gives the population on the same day; the series holds one figure a day`,
      });
    popDates.set(p.value.onDate, p.label);
  }

  return db.transaction(async (tx) => {
    // Checks against stored records run in the transaction that writes, so they hold when it commits.
    errors.push(...(await checkBatch(tx, situationId, observations)));
    errors.push(
      ...(await checkRefs(
        tx,
        'lifeline_needs',
        situationId,
        models.map((m) => ({ ref: m.value.ref, label: m.label })),
      )),
      ...(await checkRefs(
        tx,
        'lifeline_population',
        situationId,
        population.map((m) => ({ ref: m.value.ref, label: m.label })),
      )),
      ...(await checkRefs(
        tx,
        'lifeline_disruptions',
        situationId,
        disruptions.map((m) => ({ ref: m.value.ref, label: m.label })),
      )),
      ...(await checkRefs(
        tx,
        'lifeline_stocks',
        situationId,
        stocks.map((m) => ({ ref: m.value.ref, label: m.label })),
      )),
    );
    if (popDates.size) {
      const taken = await tx.query<{ on_date: string; external_ref: string | null }>(
        'SELECT on_date, external_ref FROM lifeline_population WHERE situation_id = $1 AND on_date = ANY($2::date[])',
        [situationId, [...popDates.keys()]],
      );
      for (const t of taken)
        errors.push({
          field: `${popDates.get(t.on_date)!}.onDate`,
          message: `the stored figure ${t.external_ref ?? ''} already gives the population on ${t.on_date}; the series holds one figure a day`,
        });
    }
    errors.push(...(await checkDisruptionOverlaps(tx, situationId, disruptions)));
    if (errors.length) throw new ValidationError(errors);

    const deselected: string[] = [];
    if (selectedIn.size) {
      const rows = await tx.query<{ label: string; external_ref: string | null }>(
        `UPDATE lifeline_needs SET selected = false
         WHERE situation_id = $1 AND selected AND commodity = ANY($2::text[]) RETURNING label, external_ref`,
        [situationId, [...selectedIn.keys()]],
      );
      deselected.push(...rows.map((r) => r.external_ref ?? r.label));
    }
    const ids: string[] = [];
    for (const o of observations)
      ids.push(await insertObservation(tx, situationId, o.value, options.createdBy));
    const storedModels: NeedsModel[] = [];
    for (const m of models)
      storedModels.push({ id: await insertNeedsModel(tx, situationId, m.value), ...m.value });
    for (const p of population) await insertPopulation(tx, situationId, p.value);
    const storedDisruptions: (NewDisruption & { id: string })[] = [];
    for (const d of disruptions)
      storedDisruptions.push({ id: await insertDisruption(tx, situationId, d.value), ...d.value });
    for (const s of stocks) await insertStock(tx, situationId, s.value);
    return {
      observations: await listObservationsByIds(tx, ids),
      models: storedModels,
      population: population.map((p) => p.value),
      disruptions: storedDisruptions,
      stocks: stocks.map((s) => s.value),
      deselected,
    };
  });
}

/**
 * The same for a signed-in user: the situation must be visible (404), the role may write the lifeline and,
 * in an organisation's situation, the user must be a member (403).
 */
export async function recordLifeline(
  db: Database,
  actor: Actor,
  situationSlug: string,
  input: LifelineRecordsInput,
  labelOf?: WriteOptions['labelOf'],
): Promise<RecordsWritten> {
  const situation = await getSituation(db, actor, situationSlug, 'lifeline.write');
  const user = requirePermission(actor, 'lifeline.write');
  return writeRecords(db, situation.id, input, { createdBy: user.id, labelOf });
}

/** Records a batch of observations (API, CSV import): all of them, or none with every reason. */
export async function createObservations(
  db: Database,
  actor: Actor,
  situationSlug: string,
  inputs: ObservationInput[],
  labelOf: (index: number) => string = (i) => `observations.${i}`,
): Promise<FlowObservation[]> {
  const written = await recordLifeline(db, actor, situationSlug, { observations: inputs }, (_kind, i) =>
    labelOf(i),
  );
  return written.observations;
}

/** The same without a permission check, for trusted callers (the CLI run by the operator). */
export async function importObservations(
  db: Database,
  situationId: string,
  inputs: ObservationInput[],
  labelOf: (index: number) => string,
  createdBy: string | null,
): Promise<FlowObservation[]> {
  const written = await writeRecords(
    db,
    situationId,
    { observations: inputs },
    { createdBy, labelOf: (_kind, i) => labelOf(i) },
  );
  return written.observations;
}
