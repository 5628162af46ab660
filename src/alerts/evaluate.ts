// Rule evaluation: a pure function from the data known to Vigil (signals, incidents, status changes) and a
// day `asOf` to episodes: one per stretch of time a rule's condition holds, with the evidence behind it.
// Nothing here reads the database or the clock; `replay` runs it day by day over a span.
import type { LifelineSignal } from '../lifeline/signals.ts';
import type { Episode, EvidenceRef, RuleSpec, Severity } from './schema.ts';

const DAY_MS = 86_400_000;
const dayIndex = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const fromDayIndex = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);
export const addDays = (date: string, n: number): string => fromDayIndex(dayIndex(date) + n);
export const daysInclusive = (a: string, b: string): number => dayIndex(b) - dayIndex(a) + 1;
const minDate = (a: string, b: string): string => (a < b ? a : b);

export interface IncidentFact {
  id: string;
  category: string;
  /** The day it began (incidents dated only to the month or year are not counted per day). */
  date: string;
  title: string;
  sources: { url: string; outlet: string | null }[];
}

export interface StatusChangeFact {
  id: string;
  measureId: string;
  measureTitle: string;
  category: string;
  status: string;
  /** YYYY, YYYY-MM or YYYY-MM-DD as the source gives it; null when it gives none. */
  date: string | null;
  sources: { url: string; outlet: string | null }[];
}

/** What the evaluator reads. Coverage runs are kept per threshold (each computed with a minimum of 1 day). */
export interface AlertInputs {
  coverageRuns: { threshold: number; signals: LifelineSignal[] }[];
  lifeline: LifelineSignal[];
  incidents: IncidentFact[];
  statusChanges: StatusChangeFact[];
}

export const EMPTY_INPUTS: AlertInputs = { coverageRuns: [], lifeline: [], incidents: [], statusChanges: [] };

const lifelineEvidence = (s: LifelineSignal): EvidenceRef[] =>
  s.evidence.map((e) => ({
    kind: 'lifeline',
    ref: e.ref,
    sources: e.sources.map((x) => ({ url: x.url, outlet: x.outlet ?? null })),
  }));

/**
 * An interval condition seen as of `asOf`: it fires `minDays - 1` days after it starts (if it lasts that
 * long), holds until its last known day, and has ended the day after its reported end.
 */
function interval(
  startsOn: string,
  lastKnown: string,
  reportedEnd: string | null,
  minDays: number,
  asOf: string,
): { firedOn: string; lastHeldOn: string; endedOn: string | null; daysHeld: number } | null {
  const firedOn = addDays(startsOn, minDays - 1);
  if (firedOn > asOf || firedOn > lastKnown) return null;
  const lastHeldOn = minDate(lastKnown, asOf);
  const endedOn = reportedEnd && reportedEnd < asOf ? addDays(reportedEnd, 1) : null;
  return { firedOn, lastHeldOn, endedOn, daysHeld: daysInclusive(startsOn, lastHeldOn) };
}

function lastKnownDay(s: LifelineSignal): string {
  return s.endsOn ?? addDays(s.startsOn, Math.max(1, Math.round(s.value)) - 1);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The episodes of one rule, as of the end of day `asOf`. */
export function evaluateRule(rule: RuleSpec, inputs: AlertInputs, asOf: string): Episode[] {
  const episodes: Episode[] = [];
  const base = { ruleId: rule.id };
  switch (rule.kind) {
    case 'lifeline.coverage_below': {
      const { threshold, minDays } = rule.parameters;
      const runs = inputs.coverageRuns.find((r) => r.threshold === threshold)?.signals ?? [];
      for (const s of runs) {
        if (s.kind !== 'coverage-below' || !s.endsOn) continue;
        const at = interval(s.startsOn, s.endsOn, s.endsOn, minDays, asOf);
        if (!at) continue;
        episodes.push({
          ...base,
          key: `coverage:${s.subject}:${s.startsOn}`,
          title: `Coverage of ${s.subject} under ${pct(threshold)} for ${at.daysHeld} days`,
          message: `${s.message}; under the threshold since ${s.startsOn}, ${at.daysHeld} days as of ${at.lastHeldOn}`,
          value: s.value,
          startsOn: s.startsOn,
          ...at,
          autoResolve: true,
          evidence: lifelineEvidence(s),
        });
      }
      break;
    }
    case 'lifeline.utility_cut': {
      const { utility, minDays } = rule.parameters;
      for (const s of inputs.lifeline) {
        if (s.subject !== utility) continue;
        if (s.kind === 'utility-cut') {
          const at = interval(s.startsOn, lastKnownDay(s), s.endsOn, minDays, asOf);
          if (!at) continue;
          episodes.push({
            ...base,
            key: `utility:${utility}:${s.startsOn}`,
            title: `No ${utility} for ${at.daysHeld} days`,
            message: `${utility} cut since ${s.startsOn}: ${at.daysHeld} days as of ${at.lastHeldOn} (${s.message})`,
            value: at.daysHeld,
            startsOn: s.startsOn,
            ...at,
            autoResolve: true,
            evidence: lifelineEvidence(s),
          });
        } else if (s.kind === 'utility-cut-stated' && s.endsOn && s.value >= minDays && s.endsOn <= asOf) {
          // A stated total is known at the end of the period it covers, not before.
          episodes.push({
            ...base,
            key: `utility-stated:${utility}:${s.startsOn}:${s.endsOn}`,
            title: `A source states ${s.value} days without ${utility}`,
            message: s.message,
            value: s.value,
            startsOn: s.startsOn,
            firedOn: s.endsOn,
            lastHeldOn: s.endsOn,
            endedOn: null,
            autoResolve: false,
            evidence: lifelineEvidence(s),
          });
        }
      }
      break;
    }
    case 'lifeline.full_closure': {
      for (const s of inputs.lifeline) {
        if (s.kind !== 'closure-started') continue;
        const at = interval(s.startsOn, lastKnownDay(s), s.endsOn, 1, asOf);
        if (!at) continue;
        episodes.push({
          ...base,
          key: `closure:${s.subject}:${s.startsOn}`,
          title: `Full closure of ${s.subject}: day ${at.daysHeld}`,
          message:
            s.endsOn && s.endsOn <= asOf ? s.message : `full closure of ${s.subject} since ${s.startsOn}`,
          value: at.daysHeld,
          startsOn: s.startsOn,
          ...at,
          autoResolve: true,
          evidence: lifelineEvidence(s),
        });
      }
      break;
    }
    case 'incidents.spike': {
      const { category, factor, minCount } = rule.parameters;
      const baselineDays = rule.parameters.baselineDays ?? 28;
      const byDay = new Map<string, IncidentFact[]>();
      for (const i of inputs.incidents) {
        if (i.category !== category || i.date > asOf) continue;
        byDay.set(i.date, [...(byDay.get(i.date) ?? []), i]);
      }
      const days = [...byDay.keys()].sort();
      let current: Episode | null = null;
      for (const day of days) {
        const count = byDay.get(day)!.length;
        if (count < minCount) continue;
        const from = addDays(day, -baselineDays);
        let trailing = 0;
        for (const d of days) if (d >= from && d < day) trailing += byDay.get(d)!.length;
        const mean = trailing / baselineDays;
        if (count < factor * mean) continue;
        const evidence = byDay.get(day)!.map((i) => ({ kind: 'incident', ref: i.id, sources: i.sources }));
        if (current && addDays(current.lastHeldOn, 1) === day) {
          current.lastHeldOn = day;
          current.value = Math.max(current.value ?? 0, count);
          current.evidence.push(...evidence);
          continue;
        }
        current = {
          ...base,
          key: `spike:${category}:${day}`,
          title: `Spike of ${category} incidents: ${count} on ${day}`,
          message: `${count} ${category} incidents on ${day} against a trailing ${baselineDays}-day mean of ${mean.toFixed(2)} per day (rule: ≥ ${factor}× and ≥ ${minCount})`,
          value: count,
          startsOn: day,
          firedOn: day,
          lastHeldOn: day,
          endedOn: null,
          autoResolve: false,
          evidence,
        };
        episodes.push(current);
      }
      for (const e of episodes) if (e.lastHeldOn < asOf) e.endedOn = addDays(e.lastHeldOn, 1);
      break;
    }
    case 'measure.status_change': {
      const { statuses, categories } = rule.parameters;
      for (const c of inputs.statusChanges) {
        if (!c.date) continue;
        const day = c.date.length === 10 ? c.date : c.date.length === 7 ? `${c.date}-01` : `${c.date}-01-01`;
        if (day > asOf) continue;
        if (statuses?.length && !statuses.includes(c.status)) continue;
        if (categories?.length && !categories.includes(c.category)) continue;
        episodes.push({
          ...base,
          key: `measure-change:${c.id}`,
          title: `${c.measureTitle}: ${c.status.replaceAll('_', ' ')}`,
          message: `${c.measureTitle} (${c.category.replaceAll('_', ' ')}) is now ${c.status.replaceAll('_', ' ')} as of ${c.date}`,
          value: null,
          startsOn: day,
          firedOn: day,
          lastHeldOn: day,
          endedOn: null,
          autoResolve: false,
          evidence: [{ kind: 'measure', ref: c.measureId, sources: c.sources }],
        });
      }
      break;
    }
  }
  return episodes.sort((a, b) => (a.firedOn < b.firedOn ? -1 : a.firedOn > b.firedOn ? 1 : 0));
}

export interface ReplayRow {
  ruleId: string;
  ruleName: string;
  kind: string;
  severity: Severity;
  key: string;
  /** The first day Vigil would have raised the alert. */
  firedOn: string;
  startsOn: string;
  lastHeldOn: string;
  endedOn: string | null;
  /** Days from firing to the last day it held (inclusive). */
  daysHeld: number;
  title: string;
  message: string;
  evidence: string[];
}

/** Re-runs the rules day by day from `from` to `to`: every alert that would have been raised, and when. */
export function replay(
  rules: readonly RuleSpec[],
  inputs: AlertInputs,
  from: string,
  to: string,
): ReplayRow[] {
  const rows = new Map<string, ReplayRow>();
  for (let day = from; day <= to; day = addDays(day, 1)) {
    for (const rule of rules) {
      for (const e of evaluateRule(rule, inputs, day)) {
        const id = `${rule.id}\u0000${e.key}`;
        const known = rows.get(id);
        // Known before the span began: not raised within it.
        if (!known && e.firedOn < from) continue;
        const row: ReplayRow = {
          ruleId: rule.id,
          ruleName: rule.name,
          kind: rule.kind,
          severity: rule.severity,
          key: e.key,
          firedOn: known?.firedOn ?? day,
          startsOn: e.startsOn,
          lastHeldOn: e.lastHeldOn,
          endedOn: e.endedOn,
          daysHeld: daysInclusive(known?.firedOn ?? day, e.lastHeldOn),
          title: e.title,
          message: e.message,
          evidence: [...new Set(e.evidence.map((x) => x.ref))],
        };
        rows.set(id, row);
      }
    }
  }
  return [...rows.values()].sort((a, b) =>
    a.firedOn !== b.firedOn ? (a.firedOn < b.firedOn ? -1 : 1) : a.ruleName.localeCompare(b.ruleName),
  );
}
