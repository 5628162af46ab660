// Lifeline metrics as plain functions over records: no database here, so each rule is unit-tested alone.
// Rules of honesty: a period figure is never split into invented daily figures (a period average is
// labelled as such); overlapping aggregates are never added; conflicting figures are kept side by side
// with the one used and the reason; every result carries the formula and the refs it rests on.
import type { NormalUnit } from './units.ts';

export type Commodity = 'food' | 'fuel' | 'medicine' | 'goods' | 'cargo' | 'people' | 'vehicles';
export type Confidence = 'high' | 'medium' | 'low';
export interface Source {
  url: string;
  outlet: string | null;
}

export interface FlowObservation {
  id: string;
  ref: string | null;
  derivedFrom: string[];
  periodStart: string;
  periodEnd: string;
  route: string | null;
  commodity: Commodity;
  quantity: number;
  unit: NormalUnit;
  quantityGiven: number;
  unitGiven: string;
  conversion: string | null;
  qualifier: string | null;
  carriers: string[];
  direction: 'in' | 'out' | 'both';
  outcome: 'delivered' | 'blocked';
  confidence: Confidence;
  statedExpected: number | null;
  reportedOn: string | null;
  note: string;
  sources: Source[];
}

export interface Window {
  from: string;
  to: string;
}

// ---- dates -------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
export const dayIndex = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
export const fromDayIndex = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);
export const addDays = (date: string, n: number): string => fromDayIndex(dayIndex(date) + n);
/** Days from a to b, both included (2022-12-12..2023-06-11 → 182). */
export const daysInclusive = (a: string, b: string): number => dayIndex(b) - dayIndex(a) + 1;
const minDate = (a: string, b: string) => (a < b ? a : b);
const maxDate = (a: string, b: string) => (a > b ? a : b);

/** Days in the union of inclusive intervals, clipped to the window. */
export function unionDays(intervals: { start: string; end: string }[], window: Window): number {
  const clipped = intervals
    .map((i) => ({ start: maxDate(i.start, window.from), end: minDate(i.end, window.to) }))
    .filter((i) => i.start <= i.end)
    .sort((a, b) => (a.start < b.start ? -1 : 1));
  let days = 0;
  let cursor: string | null = null; // last day counted
  for (const i of clipped) {
    const start = cursor && i.start <= cursor ? addDays(cursor, 1) : i.start;
    if (start <= i.end) {
      days += daysInclusive(start, i.end);
      cursor = i.end;
    }
  }
  return days;
}

// ---- reconciliation ----------------------------------------------------------------------------

const CONFIDENCE_RANK: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };
const TONNAGE: Commodity[] = ['food', 'fuel', 'medicine', 'goods', 'cargo'];

/** The commodities a figure for `commodity` counts: 'cargo' (all goods) counts every tonnage commodity. */
export function commoditiesCounted(commodity: Commodity): Commodity[] {
  return commodity === 'cargo' ? TONNAGE : [commodity];
}

/** Two observations measure (part of) the same thing over overlapping days: never add both. */
export function conflicts(a: FlowObservation, b: FlowObservation): boolean {
  return (
    a.periodStart <= b.periodEnd &&
    b.periodStart <= a.periodEnd &&
    a.unit === b.unit &&
    a.direction === b.direction &&
    a.outcome === b.outcome &&
    (a.commodity === b.commodity || a.commodity === 'cargo' || b.commodity === 'cargo') &&
    (a.route === null || b.route === null || a.route === b.route) &&
    (a.carriers.length === 0 || b.carriers.length === 0 || a.carriers.some((c) => b.carriers.includes(c)))
  );
}

const scopeWidth = (o: FlowObservation) => (o.route === null ? 2 : 0) + (o.carriers.length === 0 ? 1 : 0);

/** Preference order: wider period, wider scope, higher confidence, later report, ref. */
function compare(a: FlowObservation, b: FlowObservation): { order: number; why: string } {
  const da = daysInclusive(a.periodStart, a.periodEnd);
  const db = daysInclusive(b.periodStart, b.periodEnd);
  if (da !== db) return { order: db - da, why: 'it covers more days' };
  if (scopeWidth(a) !== scopeWidth(b))
    return { order: scopeWidth(b) - scopeWidth(a), why: 'it covers more routes or carriers' };
  if (a.confidence !== b.confidence)
    return { order: CONFIDENCE_RANK[b.confidence] - CONFIDENCE_RANK[a.confidence], why: 'higher confidence' };
  if ((a.reportedOn ?? '') !== (b.reportedOn ?? ''))
    return { order: (b.reportedOn ?? '') < (a.reportedOn ?? '') ? -1 : 1, why: 'the later report' };
  const ra = a.ref ?? a.id;
  const rb = b.ref ?? b.id;
  return {
    order: ra < rb ? -1 : ra > rb ? 1 : 0,
    why: 'equal in period, scope, confidence and report date; the first by reference is used',
  };
}

export const label = (o: FlowObservation): string =>
  o.ref ?? (o.derivedFrom.length ? o.derivedFrom.join('+') : o.id);

export interface NotUsed {
  observation: FlowObservation;
  reason: string;
}
export interface Conflict {
  periodStart: string;
  periodEnd: string;
  figures: FlowObservation[];
  used: string;
  why: string;
}
export interface Reconciled {
  used: FlowObservation[];
  notUsed: NotUsed[];
  conflicts: Conflict[];
  total: number;
  /** True when a used figure is a minimum ("more than", "over"): the total is then a lower bound. */
  lowerBound: boolean;
  approximate: boolean;
  /** Days of the window covered by the used figures. */
  coveredDays: number;
}

/**
 * Chooses which observations of one quantity to count in a window. Figures that extend beyond the window
 * are not split; of overlapping figures, the preferred one is counted and the others are listed with why.
 */
export function reconcile(observations: FlowObservation[], window: Window): Reconciled {
  const notUsed: NotUsed[] = [];
  const inside: FlowObservation[] = [];
  for (const o of observations) {
    if (o.periodEnd < window.from || o.periodStart > window.to) continue;
    if (o.periodStart < window.from || o.periodEnd > window.to) {
      notUsed.push({
        observation: o,
        reason: `covers ${o.periodStart}..${o.periodEnd}, beyond the window ${window.from}..${window.to}; a period figure is never split into days`,
      });
    } else inside.push(o);
  }
  inside.sort((a, b) => compare(a, b).order);
  const used: FlowObservation[] = [];
  // Chosen figures by route (and those of unknown route), so a check looks only at what can overlap.
  const byRoute = new Map<string | null, FlowObservation[]>();
  const conflictsByUsed = new Map<FlowObservation, Conflict>();
  for (const o of inside) {
    const pool = o.route === null ? used : [...(byRoute.get(o.route) ?? []), ...(byRoute.get(null) ?? [])];
    const winner = pool.find((u) => conflicts(u, o));
    if (!winner) {
      used.push(o);
      const list = byRoute.get(o.route);
      if (list) list.push(o);
      else byRoute.set(o.route, [o]);
      continue;
    }
    const samePeriod = winner.periodStart === o.periodStart && winner.periodEnd === o.periodEnd;
    const { why } = compare(winner, o);
    if (samePeriod) {
      let conflict = conflictsByUsed.get(winner);
      if (!conflict) {
        conflict = {
          periodStart: o.periodStart,
          periodEnd: o.periodEnd,
          figures: [winner],
          used: label(winner),
          why,
        };
        conflictsByUsed.set(winner, conflict);
      }
      conflict.figures.push(o);
      notUsed.push({
        observation: o,
        reason: `conflicting figure for the same period: ${label(winner)} is used (${why}); both are shown`,
      });
    } else {
      const nested = winner.periodStart <= o.periodStart && o.periodEnd <= winner.periodEnd;
      notUsed.push({
        observation: o,
        reason: `${nested ? 'lies within' : 'overlaps'} ${label(winner)} (${winner.periodStart}..${winner.periodEnd}, ${why}): overlapping figures are never added`,
      });
    }
  }
  return {
    used,
    notUsed,
    conflicts: [...conflictsByUsed.values()],
    total: round(used.reduce((s, o) => s + o.quantity, 0)),
    lowerBound: used.some((o) => o.qualifier === 'more than' || o.qualifier === 'over'),
    approximate: used.some((o) => o.qualifier === 'about'),
    coveredDays: unionDays(
      used.map((o) => ({ start: o.periodStart, end: o.periodEnd })),
      window,
    ),
  };
}

const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;

// ---- needs -------------------------------------------------------------------------------------

export interface NeedsModel {
  id: string;
  ref: string | null;
  commodity: Commodity;
  model: 'baseline-rate' | 'per-person';
  rate: number;
  rateHigh: number | null;
  unit: 't/day' | 'kg/person/day';
  validFrom: string | null;
  validTo: string | null;
  selected: boolean;
  label: string;
  assumptions: string;
  derivedFrom: string[];
  sources: Source[];
}

export interface PopulationPoint {
  onDate: string;
  persons: number;
  personsHigh: number | null;
  qualifier: string | null;
  note: string;
  derivedFrom: string[];
  sources: Source[];
}

/** The population on a day: the latest figure on or before it (a step series), or null. */
export function populationOn(series: PopulationPoint[], day: string): PopulationPoint | null {
  let found: PopulationPoint | null = null;
  for (const p of series) if (p.onDate <= day && (!found || p.onDate >= found.onDate)) found = p;
  return found;
}

export interface Needed {
  /** Tonnes needed over the days the model covers. */
  total: number;
  totalHigh: number | null;
  /** Days of the window the model gives a need for. */
  days: number;
  perDay: number | null;
  formula: string;
}

/** Tonnes needed on one day, or null when the model says nothing about that day. */
export function neededOn(model: NeedsModel, day: string, population: PopulationPoint[]): number | null {
  if ((model.validFrom && day < model.validFrom) || (model.validTo && day > model.validTo)) return null;
  if (model.model === 'baseline-rate') return model.rate;
  const p = populationOn(population, day);
  return p ? (model.rate * p.persons) / 1000 : null;
}

export function neededOver(model: NeedsModel, window: Window, population: PopulationPoint[]): Needed {
  let total = 0;
  let totalHigh = 0;
  let days = 0;
  const n = daysInclusive(window.from, window.to);
  for (let i = 0; i < n; i++) {
    const day = addDays(window.from, i);
    const need = neededOn(model, day, population);
    if (need === null) continue;
    days++;
    total += need;
    if (model.model === 'baseline-rate') totalHigh += model.rateHigh ?? model.rate;
    else {
      const p = populationOn(population, day)!;
      totalHigh += ((model.rateHigh ?? model.rate) * (p.personsHigh ?? p.persons)) / 1000;
    }
  }
  const hasHigh = round(totalHigh) !== round(total);
  const formula =
    model.model === 'baseline-rate'
      ? `${fmt(model.rate)} t/day × ${days} days = ${fmt(round(total))} t`
      : `Σ over ${days} days of ${fmt(model.rate)} kg/person/day × population of the day ÷ 1,000 = ${fmt(round(total))} t`;
  return {
    total: round(total),
    totalHigh: hasHigh ? round(totalHigh) : null,
    days,
    perDay: model.model === 'baseline-rate' ? model.rate : null,
    formula,
  };
}

export const fmt = (x: number): string => x.toLocaleString('en-GB', { maximumFractionDigits: 3 });

// ---- coverage, shortfall, last delivery --------------------------------------------------------

export function coverage(
  delivered: number,
  needed: number,
): { ratio: number | null; percent: number | null } {
  if (!(needed > 0)) return { ratio: null, percent: null };
  const ratio = delivered / needed;
  return { ratio: round(ratio), percent: Math.round(ratio * 1000) / 10 };
}

export interface LastDelivery {
  asOf: string;
  lastOn: string | null;
  daysSince: number | null;
  ref: string | null;
  exact: boolean;
  caveat: string | null;
}

/** The last day a delivery is known to have happened on or before `asOf`, from delivered inbound figures. */
export function lastDelivery(observations: FlowObservation[], asOf: string): LastDelivery {
  let best: FlowObservation | null = null;
  for (const o of observations) {
    if (o.outcome !== 'delivered' || o.direction === 'out' || o.quantity <= 0 || o.periodStart > asOf)
      continue;
    const end = minDate(o.periodEnd, asOf);
    if (!best || end > minDate(best.periodEnd, asOf)) best = o;
  }
  if (!best) {
    return {
      asOf,
      lastOn: null,
      daysSince: null,
      ref: null,
      exact: false,
      caveat: 'no delivery recorded on or before this date',
    };
  }
  const lastOn = minDate(best.periodEnd, asOf);
  const exact = best.periodStart === best.periodEnd;
  return {
    asOf,
    lastOn,
    daysSince: dayIndex(asOf) - dayIndex(lastOn),
    ref: label(best),
    exact,
    caveat: exact
      ? null
      : `${label(best)} is a total over ${best.periodStart}..${best.periodEnd}; the last delivery within it may be earlier, so the days since are at least this many`,
  };
}

// ---- disruptions -------------------------------------------------------------------------------

export interface Disruption {
  id: string;
  ref: string | null;
  kind: 'gas' | 'electricity' | 'internet' | 'corridor';
  status: 'cut' | 'partial' | 'open' | 'restricted' | 'closed' | 'humanitarian-only';
  route: string | null;
  basis: 'interval' | 'stated-total';
  startsOn: string;
  endsOn: string | null;
  endsOnAlternative: string | null;
  confirmedUntil: string | null;
  statedDays: number | null;
  confidence: Confidence;
  note: string;
  derivedFrom: string[];
  sources: Source[];
}

export interface DisruptionDays {
  kind: Disruption['kind'];
  statuses: Disruption['status'][];
  /** Days a source dates: to the reported end, or for an open interval to the last confirmed day. */
  daysConfirmed: number;
  /** Open intervals counted to the end of the window (or the as-of date). */
  daysUpperBound: number;
  /** With contested end dates replaced by their alternatives, when there are any. */
  daysWithAlternativeEnds: number | null;
  intervals: {
    ref: string;
    startsOn: string;
    endsOn: string | null;
    confirmedUntil: string | null;
    openEnded: boolean;
    note: string;
  }[];
  stated: {
    ref: string;
    days: number;
    startsOn: string;
    endsOn: string | null;
    sameWindow: boolean;
    sources: Source[];
    note: string;
  }[];
  /** Stated days minus dated days, for each stated total over exactly this window. */
  comparison: string | null;
}

export const disruptionLabel = (d: Disruption): string =>
  d.ref ?? (d.derivedFrom.length ? d.derivedFrom.join('+') : d.id);

export function disruptionDays(
  disruptions: Disruption[],
  kind: Disruption['kind'],
  statuses: Disruption['status'][],
  window: Window,
): DisruptionDays {
  const relevant = disruptions.filter((d) => d.kind === kind && statuses.includes(d.status));
  const intervals = relevant.filter(
    (d) => d.basis === 'interval' && d.startsOn <= window.to && (d.endsOn ?? window.to) >= window.from,
  );
  const confirmedEnd = (d: Disruption) => d.endsOn ?? d.confirmedUntil ?? d.startsOn;
  const daysConfirmed = unionDays(
    intervals.map((d) => ({ start: d.startsOn, end: confirmedEnd(d) })),
    window,
  );
  const daysUpperBound = unionDays(
    intervals.map((d) => ({ start: d.startsOn, end: d.endsOn ?? window.to })),
    window,
  );
  const anyAlternative = intervals.some((d) => d.endsOnAlternative);
  const daysWithAlternativeEnds = anyAlternative
    ? unionDays(
        intervals.map((d) => ({ start: d.startsOn, end: d.endsOnAlternative ?? d.endsOn ?? window.to })),
        window,
      )
    : null;
  const stated = relevant
    .filter(
      (d) => d.basis === 'stated-total' && d.startsOn <= window.to && (d.endsOn ?? d.startsOn) >= window.from,
    )
    .map((d) => ({
      ref: disruptionLabel(d),
      days: d.statedDays!,
      startsOn: d.startsOn,
      endsOn: d.endsOn,
      sameWindow: d.startsOn === window.from && d.endsOn === window.to,
      sources: d.sources,
      note: d.note,
    }));
  const same = stated.filter((s) => s.sameWindow);
  const comparison = same.length
    ? same
        .map((s) => {
          const lo = daysConfirmed;
          const hi = daysWithAlternativeEnds ?? daysUpperBound;
          const dated = lo === hi ? `${lo}` : `${lo}–${hi}`;
          if (s.days >= lo && s.days <= hi)
            return `${s.ref} states ${s.days} days; the dated intervals give ${dated}: consistent`;
          const a = s.days - hi;
          const b = s.days - lo;
          const sign = (x: number) => `${x > 0 ? '+' : ''}${x}`;
          const diff = a === b ? sign(a) : `${sign(a)} to ${sign(b)}`;
          return `${s.ref} states ${s.days} days; the dated intervals give ${dated} (difference ${diff} days). Both are shown: the intervals are what Vigil can date from the timeline, the stated total is the source's own count`;
        })
        .join('; ')
    : null;
  return {
    kind,
    statuses,
    daysConfirmed,
    daysUpperBound,
    daysWithAlternativeEnds,
    intervals: intervals.map((d) => ({
      ref: disruptionLabel(d),
      startsOn: d.startsOn,
      endsOn: d.endsOn,
      confirmedUntil: d.confirmedUntil,
      openEnded: d.endsOn === null,
      note: d.note,
    })),
    stated,
    comparison,
  };
}

// ---- stocks ------------------------------------------------------------------------------------

export interface Stock {
  ref: string | null;
  commodity: string;
  onDate: string;
  quantity: number;
  unit: string;
  consumptionPerDay: number | null;
  unusableBelow: number | null;
  note: string;
  derivedFrom: string[];
  sources: Source[];
}

export type StockOut =
  | { ref: string | null; commodity: string; computable: false; reason: string; inputs: Stock }
  | {
      ref: string | null;
      commodity: string;
      computable: true;
      days: number | null;
      date: string | null;
      formula: string;
      inputs: Stock;
      inflowPerDay: number;
    };

/** Days until a stock runs out: (stock − unusable level) ÷ (consumption − inflow), from the stock's date. */
export function stockOutEstimate(stock: Stock, inflowPerDay = 0): StockOut {
  const base = { ref: stock.ref, commodity: stock.commodity, inputs: stock };
  if (stock.consumptionPerDay === null) {
    return {
      ...base,
      computable: false,
      reason: `no consumption rate in ${stock.unit} per day is reported, so no stock-out date is estimated`,
    };
  }
  const usable = stock.quantity - (stock.unusableBelow ?? 0);
  const net = stock.consumptionPerDay - inflowPerDay;
  const formula = `(${fmt(stock.quantity)} − ${fmt(stock.unusableBelow ?? 0)}) ${stock.unit} ÷ (${fmt(stock.consumptionPerDay)} − ${fmt(inflowPerDay)}) ${stock.unit}/day`;
  if (net <= 0) return { ...base, computable: true, days: null, date: null, formula, inflowPerDay };
  const days = Math.max(0, Math.floor(usable / net));
  return { ...base, computable: true, days, date: addDays(stock.onDate, days), formula, inflowPerDay };
}

// ---- daily series ------------------------------------------------------------------------------

export interface SeriesDay {
  date: string;
  /** Sum of figures reported for that very day, or null when none was. */
  delivered: number | null;
  /** Per-day average of period totals covering the day (a period total ÷ its days), or null. */
  periodAverage: number | null;
  needed: number | null;
}

export function dailySeries(
  window: Window,
  dailyTotals: Map<string, number>,
  used: FlowObservation[],
  model: NeedsModel | null,
  population: PopulationPoint[],
): SeriesDay[] {
  const n = daysInclusive(window.from, window.to);
  const days: SeriesDay[] = [];
  const daily = new Map(dailyTotals);
  const averages = new Map<string, number>();
  for (const o of used) {
    if (o.periodStart === o.periodEnd) daily.set(o.periodStart, (daily.get(o.periodStart) ?? 0) + o.quantity);
    else {
      const perDay = o.quantity / daysInclusive(o.periodStart, o.periodEnd);
      const from = maxDate(o.periodStart, window.from);
      const to = minDate(o.periodEnd, window.to);
      for (let i = dayIndex(from); i <= dayIndex(to); i++) {
        const d = fromDayIndex(i);
        averages.set(d, (averages.get(d) ?? 0) + perDay);
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const date = addDays(window.from, i);
    const d = daily.get(date);
    const a = averages.get(date);
    days.push({
      date,
      delivered: d === undefined ? null : round(d),
      periodAverage: a === undefined ? null : round(a),
      needed: model ? neededOn(model, date, population) : null,
    });
  }
  return days;
}

/** Runs of at least `minDays` consecutive days whose coverage is below `threshold` (days without data break a run). */
export function lowCoverageRuns(
  days: SeriesDay[],
  threshold: number,
  minDays: number,
): { startsOn: string; endsOn: string; days: number; meanCoverage: number }[] {
  const runs: { startsOn: string; endsOn: string; days: number; meanCoverage: number }[] = [];
  let current: { startsOn: string; endsOn: string; days: number; sum: number } | null = null;
  const flush = () => {
    if (current && current.days >= minDays)
      runs.push({
        startsOn: current.startsOn,
        endsOn: current.endsOn,
        days: current.days,
        meanCoverage: round(current.sum / current.days),
      });
    current = null;
  };
  for (const d of days) {
    const hasData = d.delivered !== null || d.periodAverage !== null;
    const ratio = hasData && d.needed ? ((d.delivered ?? 0) + (d.periodAverage ?? 0)) / d.needed : null;
    if (ratio === null || ratio >= threshold) {
      flush();
      continue;
    }
    if (current) {
      current.endsOn = d.date;
      current.days++;
      current.sum += ratio;
    } else current = { startsOn: d.date, endsOn: d.date, days: 1, sum: ratio };
  }
  flush();
  return runs;
}
