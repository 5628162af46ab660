// The lifeline: what crosses into a situation's area (observations, daily or over a period), what the
// population needs, disruptions and stocks, and the metrics computed from them. The raw supply figures
// the scenario ships stay in supply_observations exactly as written; records derived from them say so.
import type { Actor } from '../auth/permissions.ts';
import type { Queryable } from '../db/types.ts';
import { type DatePrecision, formatPartialDate } from '../lib/dates.ts';
import { type FieldError, ValidationError } from '../lib/errors.ts';
import { getSituation } from '../situations/service.ts';
import {
  type Commodity,
  commoditiesCounted,
  coverage,
  type Disruption,
  dailySeries,
  daysInclusive,
  disruptionDays,
  type FlowObservation,
  fmt,
  label,
  lastDelivery,
  type NeedsModel,
  neededOver,
  type PopulationPoint,
  type Reconciled,
  reconcile,
  type Stock,
  stockOutEstimate,
  unionDays,
  type Window,
} from './metrics.ts';
import type { ObservationInput } from './schema.ts';
import { convertQuantity, type NormalUnit, UnitError, unitFitsCommodity } from './units.ts';

// ---- raw supply figures (foundation) -----------------------------------------------------------

export interface SupplyObservationInput {
  externalRef: string | null;
  observedOn: string;
  observedPrecision: DatePrecision;
  metric: string;
  valueText: string;
  valueLow: number | null;
  valueHigh: number | null;
  unit: string;
  qualifier: string | null;
  description: string;
  sources: { url: string; outlet: string | null }[];
}

export interface SupplyObservation extends Omit<SupplyObservationInput, 'observedOn'> {
  id: string;
  observedOn: string;
}

export async function insertSupplyObservation(tx: Queryable, situationId: string, o: SupplyObservationInput) {
  await tx.query(
    `INSERT INTO supply_observations (situation_id, external_ref, observed_on, observed_precision, metric, value_text,
       value_low, value_high, unit, qualifier, description, sources)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      situationId,
      o.externalRef,
      o.observedOn,
      o.observedPrecision,
      o.metric,
      o.valueText,
      o.valueLow,
      o.valueHigh,
      o.unit,
      o.qualifier,
      o.description,
      JSON.stringify(o.sources),
    ],
  );
}

export async function listSupplyObservations(
  db: Queryable,
  situationId: string,
): Promise<SupplyObservation[]> {
  const rows = await db.query<{
    id: string;
    external_ref: string | null;
    observed_on: string;
    observed_precision: DatePrecision;
    metric: string;
    value_text: string;
    value_low: number | null;
    value_high: number | null;
    unit: string;
    qualifier: string | null;
    description: string;
    sources: SupplyObservation['sources'];
  }>(
    `SELECT id, external_ref, observed_on, observed_precision, metric, value_text, value_low, value_high, unit,
       qualifier, description, sources FROM supply_observations WHERE situation_id = $1
     ORDER BY observed_on, external_ref, id`,
    [situationId],
  );
  return rows.map((r) => ({
    id: r.id,
    externalRef: r.external_ref,
    observedOn: formatPartialDate(r.observed_on, r.observed_precision),
    observedPrecision: r.observed_precision,
    metric: r.metric,
    valueText: r.value_text,
    valueLow: r.value_low,
    valueHigh: r.value_high,
    unit: r.unit,
    qualifier: r.qualifier,
    description: r.description,
    sources: r.sources,
  }));
}

// ---- observations ------------------------------------------------------------------------------

/** An observation ready to store: validated, unit converted, carriers normalised. */
export type NewObservation = Omit<FlowObservation, 'id'>;

const OBS_COLUMNS = `id, external_ref, derived_from, period_start, period_end, route, commodity, quantity, unit,
  quantity_given, unit_given, conversion, qualifier, carriers, direction, outcome, confidence, stated_expected,
  reported_on, note, sources`;

interface ObservationRow {
  id: string;
  external_ref: string | null;
  derived_from: string[];
  period_start: string;
  period_end: string;
  route: string | null;
  commodity: Commodity;
  quantity: number;
  unit: NormalUnit;
  quantity_given: number;
  unit_given: string;
  conversion: string | null;
  qualifier: string | null;
  carriers: string[];
  direction: FlowObservation['direction'];
  outcome: FlowObservation['outcome'];
  confidence: FlowObservation['confidence'];
  stated_expected: number | null;
  reported_on: string | null;
  note: string;
  sources: { url: string; outlet?: string | null }[];
}

function observationFromRow(r: ObservationRow): FlowObservation {
  return {
    id: r.id,
    ref: r.external_ref,
    derivedFrom: r.derived_from,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    route: r.route,
    commodity: r.commodity,
    quantity: r.quantity,
    unit: r.unit,
    quantityGiven: r.quantity_given,
    unitGiven: r.unit_given,
    conversion: r.conversion,
    qualifier: r.qualifier,
    carriers: r.carriers,
    direction: r.direction,
    outcome: r.outcome,
    confidence: r.confidence,
    statedExpected: r.stated_expected,
    reportedOn: r.reported_on,
    note: r.note,
    sources: r.sources.map((s) => ({ url: s.url, outlet: s.outlet ?? null })),
  };
}

export const normaliseCarrier = (c: string) =>
  c
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * Validates one observation (what the schema cannot check) and converts its unit. Returns the errors
 * found, each named `${prefix}.${field}`, or the record to store.
 */
export function prepareObservation(
  input: ObservationInput,
  prefix: string,
): { ok: true; value: NewObservation } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const err = (field: string, message: string) => errors.push({ field: `${prefix}.${field}`, message });
  const periodEnd = input.periodEnd ?? input.periodStart;
  if (periodEnd < input.periodStart)
    err('periodEnd', `ends (${periodEnd}) before it starts (${input.periodStart})`);
  let converted: ReturnType<typeof convertQuantity> | null = null;
  try {
    converted = convertQuantity(input.quantity, input.unit, input.tonnesPerTruckload ?? null);
    if (!unitFitsCommodity(input.commodity, converted.unit))
      err('unit', `${input.unit} does not measure ${input.commodity}`);
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
    err(/negative|number/.test(error.message) ? 'quantity' : 'unit', error.message);
  }
  if (errors.length || !converted) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ref: input.ref ?? null,
      derivedFrom: [],
      periodStart: input.periodStart,
      periodEnd,
      route: input.route?.trim() || null,
      commodity: input.commodity,
      quantity: converted.quantity,
      unit: converted.unit,
      quantityGiven: input.quantity,
      unitGiven: input.unit.trim(),
      conversion: converted.conversion,
      qualifier: input.qualifier ?? null,
      carriers: [...new Set((input.carriers ?? []).map(normaliseCarrier).filter(Boolean))].sort(),
      direction: input.direction,
      outcome: input.outcome ?? 'delivered',
      confidence: input.confidence,
      statedExpected: input.statedExpected ?? null,
      reportedOn: input.reportedOn ?? null,
      note: input.note ?? '',
      sources: input.sources.map((s) => ({ url: s.url, outlet: s.outlet ?? null })),
    },
  };
}

/** The series a row belongs to: rows of one series must never overlap in time (they would be added). */
const seriesKey = (o: NewObservation) =>
  JSON.stringify([
    o.route,
    o.commodity,
    o.carriers,
    o.direction,
    o.outcome,
    o.unit,
    o.sources[0]?.url ?? null,
  ]);

/**
 * Checks a batch before anything is written: a ref used twice, or two rows of the same series (route,
 * commodity, carriers, direction, outcome, unit, main source) whose periods overlap, are rejected; so
 * is a row that overlaps a stored row of the same series or reuses a stored ref.
 */
export async function checkBatch(
  db: Queryable,
  situationId: string,
  rows: { value: NewObservation; label: string }[],
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const bySeries = new Map<string, { value: NewObservation; label: string }[]>();
  const refs = new Map<string, string>();
  for (const row of rows) {
    if (row.value.ref) {
      const seen = refs.get(row.value.ref);
      if (seen) errors.push({ field: row.label, message: `ref ${row.value.ref} is also used by ${seen}` });
      refs.set(row.value.ref, row.label);
    }
    const key = seriesKey(row.value);
    const list = bySeries.get(key) ?? [];
    const clash = list.find(
      (o) => o.value.periodStart <= row.value.periodEnd && row.value.periodStart <= o.value.periodEnd,
    );
    if (clash) {
      errors.push({
        field: row.label,
        message: `its period ${row.value.periodStart}..${row.value.periodEnd} overlaps ${clash.label} of the same series (${clash.value.periodStart}..${clash.value.periodEnd}); the series would count those days twice`,
      });
    }
    list.push(row);
    bySeries.set(key, list);
  }
  if (refs.size) {
    const taken = await db.query<{ external_ref: string }>(
      'SELECT external_ref FROM lifeline_observations WHERE situation_id = $1 AND external_ref = ANY($2)',
      [situationId, [...refs.keys()]],
    );
    for (const t of taken)
      errors.push({ field: refs.get(t.external_ref)!, message: `ref ${t.external_ref} already exists` });
  }
  for (const row of rows) {
    const o = row.value;
    const stored = await db.query<{ external_ref: string | null; period_start: string; period_end: string }>(
      `SELECT external_ref, period_start, period_end FROM lifeline_observations
       WHERE situation_id = $1 AND daterange(period_start, period_end, '[]') && daterange($2::date, $3::date, '[]')
         AND route IS NOT DISTINCT FROM $4 AND commodity = $5 AND carriers = $6::text[] AND direction = $7
         AND outcome = $8 AND unit = $9 AND sources->0->>'url' IS NOT DISTINCT FROM $10 LIMIT 1`,
      [
        situationId,
        o.periodStart,
        o.periodEnd,
        o.route,
        o.commodity,
        o.carriers,
        o.direction,
        o.outcome,
        o.unit,
        o.sources[0]?.url ?? null,
      ],
    );
    const s = stored[0];
    if (s) {
      errors.push({
        field: row.label,
        message: `its period overlaps the stored observation ${s.external_ref ?? ''} (${s.period_start}..${s.period_end}) of the same series`,
      });
    }
  }
  return errors;
}

/** Stores one observation and marks it, and any stored observation of overlapping scope, as overlapping. */
export async function insertObservation(
  tx: Queryable,
  situationId: string,
  o: NewObservation,
  createdBy: string | null = null,
): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO lifeline_observations (situation_id, external_ref, derived_from, period_start, period_end, route,
       commodity, quantity, unit, quantity_given, unit_given, conversion, qualifier, carriers, direction, outcome,
       confidence, stated_expected, reported_on, note, sources, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
     RETURNING id`,
    [
      situationId,
      o.ref,
      o.derivedFrom,
      o.periodStart,
      o.periodEnd,
      o.route,
      o.commodity,
      o.quantity,
      o.unit,
      o.quantityGiven,
      o.unitGiven,
      o.conversion,
      o.qualifier,
      o.carriers,
      o.direction,
      o.outcome,
      o.confidence,
      o.statedExpected,
      o.reportedOn,
      o.note,
      JSON.stringify(o.sources),
      createdBy,
    ],
  );
  const id = row!.id;
  // The same scope test as metrics.conflicts(), in SQL.
  const overlapping = await tx.query<{ id: string }>(
    `UPDATE lifeline_observations SET overlapping = true
     WHERE situation_id = $1 AND id <> $2 AND daterange(period_start, period_end, '[]') && daterange($3::date, $4::date, '[]')
       AND unit = $5 AND direction = $6 AND outcome = $7
       AND (commodity = $8 OR commodity = 'cargo' OR $8 = 'cargo')
       AND (route IS NULL OR $9::text IS NULL OR route = $9)
       AND (cardinality(carriers) = 0 OR cardinality($10::text[]) = 0 OR carriers && $10::text[])
     RETURNING id`,
    [
      situationId,
      id,
      o.periodStart,
      o.periodEnd,
      o.unit,
      o.direction,
      o.outcome,
      o.commodity,
      o.route,
      o.carriers,
    ],
  );
  if (overlapping.length)
    await tx.query('UPDATE lifeline_observations SET overlapping = true WHERE id = $1', [id]);
  return id;
}

/** Observations by id, in the order of the ids. */
export async function listObservationsByIds(db: Queryable, ids: string[]): Promise<FlowObservation[]> {
  const rows = await db.query<ObservationRow>(
    `SELECT ${OBS_COLUMNS} FROM lifeline_observations WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, observationFromRow(r)]));
  return ids.map((id) => byId.get(id)!);
}

export async function listObservations(
  db: Queryable,
  situationId: string,
  window?: Window,
): Promise<FlowObservation[]> {
  const rows = await db.query<ObservationRow>(
    `SELECT ${OBS_COLUMNS} FROM lifeline_observations WHERE situation_id = $1
       AND ($2::date IS NULL OR period_end >= $2::date) AND ($3::date IS NULL OR period_start <= $3::date)
     ORDER BY period_start, period_end, external_ref, id`,
    [situationId, window?.from ?? null, window?.to ?? null],
  );
  return rows.map(observationFromRow);
}

// ---- needs, population, disruptions, stocks ----------------------------------------------------

export async function insertNeedsModel(
  tx: Queryable,
  situationId: string,
  m: Omit<NeedsModel, 'id'>,
): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO lifeline_needs (situation_id, external_ref, commodity, model, rate, rate_high, unit, valid_from,
       valid_to, selected, label, assumptions, derived_from, sources)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
    [
      situationId,
      m.ref,
      m.commodity,
      m.model,
      m.rate,
      m.rateHigh,
      m.unit,
      m.validFrom,
      m.validTo,
      m.selected,
      m.label,
      m.assumptions,
      m.derivedFrom,
      JSON.stringify(m.sources),
    ],
  );
  return row!.id;
}

export async function listNeedsModels(db: Queryable, situationId: string): Promise<NeedsModel[]> {
  return db.query<NeedsModel>(
    `SELECT id, external_ref AS ref, commodity, model, rate, rate_high AS "rateHigh", unit, valid_from AS "validFrom",
       valid_to AS "validTo", selected, label, assumptions, derived_from AS "derivedFrom", sources
     FROM lifeline_needs WHERE situation_id = $1 ORDER BY selected DESC, commodity, external_ref`,
    [situationId],
  );
}

export async function insertPopulation(
  tx: Queryable,
  situationId: string,
  p: PopulationPoint & { ref: string | null },
): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO lifeline_population (situation_id, external_ref, on_date, persons, persons_high, qualifier, note,
       derived_from, sources) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      situationId,
      p.ref,
      p.onDate,
      p.persons,
      p.personsHigh,
      p.qualifier,
      p.note,
      p.derivedFrom,
      JSON.stringify(p.sources),
    ],
  );
  return row!.id;
}

export async function listPopulation(
  db: Queryable,
  situationId: string,
): Promise<(PopulationPoint & { ref: string | null })[]> {
  return db.query<PopulationPoint & { ref: string | null }>(
    `SELECT external_ref AS ref, on_date AS "onDate", persons, persons_high AS "personsHigh", qualifier, note, derived_from AS "derivedFrom",
       sources FROM lifeline_population WHERE situation_id = $1 ORDER BY on_date`,
    [situationId],
  );
}

export async function insertDisruption(
  tx: Queryable,
  situationId: string,
  d: Omit<Disruption, 'id'>,
): Promise<string> {
  if (d.endsOn && d.endsOn < d.startsOn) throw ValidationError.field('endsOn', 'must not be before startsOn');
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO lifeline_disruptions (situation_id, external_ref, kind, status, route, basis, starts_on, ends_on,
       ends_on_alternative, confirmed_until, stated_days, confidence, note, derived_from, sources)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
    [
      situationId,
      d.ref,
      d.kind,
      d.status,
      d.route,
      d.basis,
      d.startsOn,
      d.endsOn,
      d.endsOnAlternative,
      d.confirmedUntil,
      d.statedDays,
      d.confidence,
      d.note,
      d.derivedFrom,
      JSON.stringify(d.sources),
    ],
  );
  return row!.id;
}

export async function listDisruptions(
  db: Queryable,
  situationId: string,
  window?: Window,
): Promise<Disruption[]> {
  return db.query<Disruption>(
    `SELECT id, external_ref AS ref, kind, status, route, basis, starts_on AS "startsOn", ends_on AS "endsOn",
       ends_on_alternative AS "endsOnAlternative", confirmed_until AS "confirmedUntil", stated_days AS "statedDays",
       confidence, note, derived_from AS "derivedFrom", sources
     FROM lifeline_disruptions WHERE situation_id = $1
       AND ($2::date IS NULL OR coalesce(ends_on, $2::date) >= $2::date) AND ($3::date IS NULL OR starts_on <= $3::date)
     ORDER BY kind, starts_on, external_ref`,
    [situationId, window?.from ?? null, window?.to ?? null],
  );
}

export async function insertStock(tx: Queryable, situationId: string, s: Stock): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO lifeline_stocks (situation_id, external_ref, commodity, on_date, quantity, unit, consumption_per_day,
       unusable_below, note, derived_from, sources) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     RETURNING id`,
    [
      situationId,
      s.ref,
      s.commodity,
      s.onDate,
      s.quantity,
      s.unit,
      s.consumptionPerDay,
      s.unusableBelow,
      s.note,
      s.derivedFrom,
      JSON.stringify(s.sources),
    ],
  );
  return row!.id;
}

export async function listStocks(db: Queryable, situationId: string): Promise<Stock[]> {
  return db.query<Stock>(
    `SELECT external_ref AS ref, commodity, on_date AS "onDate", quantity, unit, consumption_per_day AS "consumptionPerDay",
       unusable_below AS "unusableBelow", note, derived_from AS "derivedFrom", sources
     FROM lifeline_stocks WHERE situation_id = $1 ORDER BY on_date, external_ref`,
    [situationId],
  );
}

// ---- loading flows for a window ----------------------------------------------------------------

interface FlowFilter {
  unit: NormalUnit;
  direction: FlowObservation['direction'];
  outcome: FlowObservation['outcome'];
  commodities: Commodity[];
}

/** Observations that need one-by-one reconciliation (periods, wide scopes, overlaps) touching the window. */
async function loadSpecial(db: Queryable, situationId: string, window: Window): Promise<FlowObservation[]> {
  const rows = await db.query<ObservationRow>(
    `SELECT ${OBS_COLUMNS} FROM lifeline_observations
     WHERE situation_id = $1 AND NOT simple AND period_start <= $3::date AND period_end >= $2::date
     ORDER BY period_start, id`,
    [situationId, window.from, window.to],
  );
  return rows.map(observationFromRow);
}

/**
 * Per-day sums of simple observations (one day, one route, named carriers, overlapping nothing), read from
 * lifeline_daily_totals: one row per day and commodity, kept exact by triggers on every write (0010).
 */
async function dailySums(
  db: Queryable,
  situationId: string,
  window: Window,
  filter: FlowFilter,
): Promise<{ totals: Map<string, number>; rows: number }> {
  const rows = await db.query<{ day: string; q: number; n: number }>(
    `SELECT day, sum(quantity)::float8 AS q, sum(figures)::int AS n FROM lifeline_daily_totals
     WHERE situation_id = $1 AND unit = $2 AND direction = $3 AND outcome = $4
       AND commodity = ANY($5::text[]) AND day BETWEEN $6::date AND $7::date
     GROUP BY day`,
    [situationId, filter.unit, filter.direction, filter.outcome, filter.commodities, window.from, window.to],
  );
  return { totals: new Map(rows.map((r) => [r.day, r.q])), rows: rows.reduce((s, r) => s + r.n, 0) };
}

const matches = (o: FlowObservation, f: FlowFilter) =>
  o.unit === f.unit &&
  o.direction === f.direction &&
  o.outcome === f.outcome &&
  f.commodities.includes(o.commodity);

export interface Flow extends Reconciled {
  commodity: string;
  unit: string;
  direction: string;
  outcome: string;
  dailyFiguresSummed: number;
  dailyTotals: Map<string, number>;
}

async function flowFor(
  db: Queryable,
  situationId: string,
  window: Window,
  filter: FlowFilter,
  special: FlowObservation[],
  commodity: string,
): Promise<Flow> {
  const daily = await dailySums(db, situationId, window, filter);
  const reconciled = reconcile(
    special.filter((o) => matches(o, filter)),
    window,
  );
  let dailyTotal = 0;
  for (const q of daily.totals.values()) dailyTotal += q;
  const dailyDays = [...daily.totals.keys()].map((d) => ({ start: d, end: d }));
  return {
    ...reconciled,
    total: Math.round((reconciled.total + dailyTotal) * 1e6) / 1e6,
    coveredDays: unionDays(
      [...reconciled.used.map((o) => ({ start: o.periodStart, end: o.periodEnd })), ...dailyDays],
      window,
    ),
    commodity,
    unit: filter.unit,
    direction: filter.direction,
    outcome: filter.outcome,
    dailyFiguresSummed: daily.rows,
    dailyTotals: daily.totals,
  };
}

// ---- metrics -----------------------------------------------------------------------------------

export interface MetricsOptions {
  from?: string;
  to?: string;
  asOf?: string;
  commodity?: Commodity;
}

async function resolveWindow(db: Queryable, actor: Actor, slug: string, q: MetricsOptions) {
  const situation = await getSituation(db, actor, slug);
  const today = new Date().toISOString().slice(0, 10);
  const from = q.from ?? situation.startsOn;
  const to = q.to ?? situation.endsOn ?? today;
  if (to < from) throw ValidationError.field('to', `must not be before from (${from})`);
  return { situation, window: { from, to }, asOf: q.asOf ?? to };
}

function pickNeeds(models: NeedsModel[], commodity: Commodity | undefined) {
  const selected = models.find((m) => m.selected && (!commodity || m.commodity === commodity)) ?? null;
  const target = commodity ?? selected?.commodity ?? 'cargo';
  return {
    commodity: target,
    model: selected,
    alternatives: models.filter((m) => m !== selected && m.commodity === target),
  };
}

const mainFilter = (commodity: Commodity): FlowFilter => ({
  unit: commodity === 'people' ? 'persons' : commodity === 'vehicles' ? 'vehicles' : 't',
  direction: 'in',
  outcome: 'delivered',
  commodities: commoditiesCounted(commodity),
});

export async function computeMetrics(db: Queryable, actor: Actor, slug: string, q: MetricsOptions = {}) {
  const { situation, window, asOf } = await resolveWindow(db, actor, slug, q);
  const sid = situation.id;
  const [models, population, disruptions, stocks, special] = await Promise.all([
    listNeedsModels(db, sid),
    listPopulation(db, sid),
    listDisruptions(db, sid),
    listStocks(db, sid),
    loadSpecial(db, sid, window),
  ]);
  const needs = pickNeeds(models, q.commodity);
  const filter = mainFilter(needs.commodity);
  const delivered = await flowFor(db, sid, window, filter, special, needs.commodity);
  const needed = needs.model ? neededOver(needs.model, window, population) : null;
  const cov = coverage(delivered.total, needed?.total ?? 0);
  const windowDays = daysInclusive(window.from, window.to);
  const caveats: string[] = [];
  if (needs.model?.model === 'baseline-rate')
    caveats.push(
      `Needed is a baseline (${needs.model.label}), not a need measured on the ground; the shortfall is against that baseline.`,
    );
  if (delivered.lowerBound)
    caveats.push('A delivered figure used is a minimum ("more than"): the total is a lower bound.');
  if (delivered.coveredDays < windowDays)
    caveats.push(
      `Delivered figures cover ${delivered.coveredDays} of the window's ${windowDays} days; days without a figure are not counted as zero deliveries.`,
    );

  // Other flows (people, vehicles, other directions) and blocked cargo, reconciled the same way.
  const otherKeys = new Map<string, FlowFilter & { commodity: string }>();
  for (const o of special) {
    if (matches(o, filter)) continue;
    const key = `${o.unit}|${o.direction}|${o.outcome}`;
    if (!otherKeys.has(key))
      otherKeys.set(key, {
        unit: o.unit,
        direction: o.direction,
        outcome: o.outcome,
        commodities: o.unit === 't' || o.unit === 'l' ? commoditiesCounted('cargo') : [o.commodity],
        commodity: o.unit === 't' || o.unit === 'l' ? 'cargo' : o.commodity,
      });
  }
  const others: Flow[] = [];
  for (const f of otherKeys.values()) others.push(await flowFor(db, sid, window, f, special, f.commodity));

  const lastCandidates = await db.query<ObservationRow>(
    `(SELECT ${OBS_COLUMNS} FROM lifeline_observations WHERE situation_id = $1 AND simple AND unit = $2
        AND direction = 'in' AND outcome = 'delivered' AND commodity = ANY($3::text[]) AND quantity > 0
        AND period_start <= $4::date ORDER BY period_start DESC LIMIT 1)
     UNION ALL
     (SELECT ${OBS_COLUMNS} FROM lifeline_observations WHERE situation_id = $1 AND NOT simple AND unit = $2
        AND direction = 'in' AND outcome = 'delivered' AND commodity = ANY($3::text[]) AND quantity > 0
        AND period_start <= $4::date ORDER BY least(period_end, $4::date) DESC LIMIT 20)`,
    [sid, filter.unit, filter.commodities, asOf],
  );

  const statedComparison = delivered.used
    .filter((o) => o.statedExpected !== null)
    .map((o) => {
      const sameWindow = o.periodStart === window.from && o.periodEnd === window.to;
      return {
        ref: label(o),
        statedExpected: o.statedExpected!,
        vigilNeeded: sameWindow ? (needed?.total ?? null) : null,
        note: !sameWindow
          ? `the source states ${fmt(o.statedExpected!)} ${o.unit} expected over ${o.periodStart}..${o.periodEnd}, not over this window`
          : needed && Math.abs(needed.total - o.statedExpected!) < 1e-6
            ? `the source's own expected figure (${fmt(o.statedExpected!)} ${o.unit}) equals Vigil's (${needed.formula})`
            : `the source states ${fmt(o.statedExpected!)} ${o.unit} expected; Vigil's baseline gives ${needed ? fmt(needed.total) : 'nothing'}: both are shown`,
      };
    });

  return {
    situationSlug: situation.slug,
    window: { ...window, days: windowDays },
    asOf,
    needs: needs.model,
    alternativeNeeds: needs.alternatives,
    delivered: flowOut(delivered),
    needed,
    coverage: {
      ...cov,
      formula: needed
        ? `${fmt(delivered.total)} ${filter.unit} delivered ÷ ${fmt(needed.total)} t needed`
        : 'no needs model is selected for this commodity',
      complete: delivered.coveredDays === windowDays,
    },
    shortfall: {
      cumulative: needed ? Math.round((needed.total - delivered.total) * 1e6) / 1e6 : null,
      formula: needed
        ? `${fmt(needed.total)} t needed − ${fmt(delivered.total)} t delivered`
        : 'no needs model',
    },
    statedComparison,
    lastDelivery: lastDelivery(lastCandidates.map(observationFromRow), asOf),
    closure: disruptionDays(disruptions, 'corridor', ['closed'], window),
    utilities: (['gas', 'electricity', 'internet'] as const).map((kind) =>
      disruptionDays(disruptions, kind, ['cut', 'partial'], window),
    ),
    otherFlows: others.filter((f) => f.outcome === 'delivered').map(flowOut),
    blocked: others.filter((f) => f.outcome === 'blocked').map(flowOut),
    population,
    stockOut: stocks.filter((s) => s.onDate <= asOf).map((s) => stockOutEstimate(s)),
    caveats,
  };
}

function flowOut(f: Flow) {
  const { dailyTotals: _dailyTotals, notUsed, ...rest } = f;
  return { ...rest, notUsed: notUsed.map((n) => ({ ref: label(n.observation), reason: n.reason })) };
}

export type LifelineMetrics = Awaited<ReturnType<typeof computeMetrics>>;

// ---- chart series ------------------------------------------------------------------------------

export async function computeSeries(db: Queryable, actor: Actor, slug: string, q: MetricsOptions = {}) {
  const { situation, window } = await resolveWindow(db, actor, slug, q);
  const sid = situation.id;
  const [models, population, disruptions, special] = await Promise.all([
    listNeedsModels(db, sid),
    listPopulation(db, sid),
    listDisruptions(db, sid, window),
    loadSpecial(db, sid, window),
  ]);
  const needs = pickNeeds(models, q.commodity);
  const filter = mainFilter(needs.commodity);
  const flow = await flowFor(db, sid, window, filter, special, needs.commodity);
  // Contested: another source gives a different figure for the same period and scope.
  const contestedIds = new Set(flow.conflicts.flatMap((c) => c.figures.map((o) => o.id)));
  return {
    situationSlug: situation.slug,
    window: { ...window, days: daysInclusive(window.from, window.to) },
    commodity: needs.commodity,
    unit: filter.unit,
    needsLabel: needs.model?.label ?? null,
    days: dailySeries(window, flow.dailyTotals, flow.used, needs.model, population),
    periods: flow.used
      .filter((o) => o.periodStart !== o.periodEnd)
      .map((o) => ({
        ref: label(o),
        periodStart: o.periodStart,
        periodEnd: o.periodEnd,
        quantity: o.quantity,
        perDay: Math.round((o.quantity / daysInclusive(o.periodStart, o.periodEnd)) * 1000) / 1000,
        qualifier: o.qualifier,
        contested: contestedIds.has(o.id),
        sources: o.sources,
      })),
    contested: flow.conflicts,
    closures: disruptions.filter((d) => d.kind === 'corridor' && d.basis === 'interval'),
    utilityCuts: disruptions.filter((d) => d.kind !== 'corridor'),
  };
}
