// Rule evaluation: a pure function from the data known to Vigil (signals, incidents, status changes) and a
// day `asOf` to episodes: one per stretch of time a rule's condition holds, with the evidence behind it.
// Nothing here reads the database or the clock; `replay` runs it day by day over a span.
import type { LifelineSignal } from '../lifeline/signals.ts';
import type { Episode, EvidenceRef, RuleSpec, Severity } from './schema.ts';

const DAY_MS = 86_400_000;
// Day arithmetic is most of an evaluation's work (a thousand rules over the same days): both directions are
// cached (a situation spans a few thousand days at most).
const indexOf = new Map<string, number>();
const dayOf = new Map<number, string>();
const dayIndex = (date: string): number => {
  let n = indexOf.get(date);
  if (n === undefined) {
    n = Date.parse(`${date}T00:00:00Z`) / DAY_MS;
    if (indexOf.size < 100_000) indexOf.set(date, n);
  }
  return n;
};
const fromDayIndex = (n: number): string => {
  let date = dayOf.get(n);
  if (date === undefined) {
    date = new Date(n * DAY_MS).toISOString().slice(0, 10);
    if (dayOf.size < 100_000) dayOf.set(n, date);
  }
  return date;
};
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

/** A community found by a coordination analysis run. */
export interface CommunityFact {
  id: string;
  runId: string;
  number: number;
  label: string;
  size: number;
  flaggedAccounts: number;
  /** The day the run that found it finished (UTC). */
  detectedOn: string;
  /** Its accounts when the run recorded them (to tell a new community from one found again); may be empty. */
  accounts: string[];
}

/** A dated risk assessment with the level of each of the UN Framework's risk factors. */
export interface AssessmentFact {
  id: string;
  assessedOn: string;
  title: string;
  factors: { factor: number; title: string; level: string }[];
}

/** A report from the public and its place in the moderation queue (no content: only when and whether decided). */
export interface ReportFact {
  id: string;
  receivedOn: string;
  /** The day it was merged, linked or rejected; null while it is pending. */
  decidedOn: string | null;
}

/** What the evaluator reads. Coverage runs are kept per threshold (each computed with a minimum of 1 day). */
export interface AlertInputs {
  coverageRuns: { threshold: number; signals: LifelineSignal[] }[];
  lifeline: LifelineSignal[];
  incidents: IncidentFact[];
  statusChanges: StatusChangeFact[];
  /** In the order they were detected (runs of the same day included). */
  communities: CommunityFact[];
  /** In the order they were assessed (assessedOn, then creation). */
  assessments: AssessmentFact[];
  reports: ReportFact[];
}

export const EMPTY_INPUTS: AlertInputs = {
  coverageRuns: [],
  lifeline: [],
  incidents: [],
  statusChanges: [],
  communities: [],
  assessments: [],
  reports: [],
};

/** A level's strength (as the risk framework ranks marks): unknown 0, absent 1, present 2, strongly present 3. */
const LEVEL_RANK: Record<string, number> = { unknown: 0, absent: 1, present: 2, 'strongly-present': 3 };

/**
 * The communities no earlier run found: a community counts as found before when an earlier run's community
 * shares at least half the accounts of the smaller of the two. Without recorded accounts nothing can be
 * matched, and a community counts as new. Computed once per set of facts (it depends on no rule or day).
 */
const newCommunitiesOf = new WeakMap<readonly CommunityFact[], ReadonlySet<string>>();
function newCommunities(communities: readonly CommunityFact[]): ReadonlySet<string> {
  const known = newCommunitiesOf.get(communities);
  if (known) return known;
  // Facts come in the order they were detected; the sort is stable, so runs of one day keep that order.
  const ordered = [...communities].sort((a, b) =>
    a.detectedOn < b.detectedOn ? -1 : a.detectedOn > b.detectedOn ? 1 : 0,
  );
  const fresh = new Set<string>();
  // account → the earlier communities it was in
  const seenIn = new Map<string, CommunityFact[]>();
  for (const c of ordered) {
    const accounts = new Set(c.accounts);
    const shared = new Map<CommunityFact, number>();
    for (const a of accounts)
      for (const e of seenIn.get(a) ?? []) if (e.runId !== c.runId) shared.set(e, (shared.get(e) ?? 0) + 1);
    let before = false;
    for (const [e, n] of shared)
      if (n * 2 >= Math.min(accounts.size, new Set(e.accounts).size)) before = true;
    if (!before) fresh.add(c.id);
    for (const a of accounts) {
      const list = seenIn.get(a);
      if (list) list.push(c);
      else seenIn.set(a, [c]);
    }
  }
  newCommunitiesOf.set(communities, fresh);
  return fresh;
}

// The episodes of one-day events depend on the fact alone, not on the rule: built once per fact and shared
// by every rule that matches it (a thousand rules over the same year of facts is the common case).
type EventEpisode = Omit<Episode, 'ruleId'>;
const eventsOf = new WeakMap<object, EventEpisode | null>();
function once<T extends object>(fact: T, build: (fact: T) => EventEpisode | null): EventEpisode | null {
  let event = eventsOf.get(fact);
  if (event === undefined) {
    event = build(fact);
    eventsOf.set(fact, event);
  }
  return event;
}

/** An event's episode for one rule (a plain literal: spreading is slow for the hundreds of thousands made). */
const withRule = (ruleId: string, e: EventEpisode): Episode => ({
  ruleId,
  key: e.key,
  title: e.title,
  message: e.message,
  value: e.value,
  startsOn: e.startsOn,
  firedOn: e.firedOn,
  lastHeldOn: e.lastHeldOn,
  endedOn: e.endedOn,
  autoResolve: e.autoResolve,
  evidence: e.evidence,
});

const statusChangeEvent = (change: StatusChangeFact) =>
  once(change, (c) => {
    if (!c.date) return null;
    const day = c.date.length === 10 ? c.date : c.date.length === 7 ? `${c.date}-01` : `${c.date}-01-01`;
    return {
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
    };
  });

const communityEvent = (community: CommunityFact) =>
  once(community, (c) => ({
    key: `community:${c.id}`,
    title: `New coordinated community of ${c.size} accounts: ${c.label}`,
    message: `A coordination analysis found community ${c.number} (${c.label}) of ${c.size} accounts, ${c.flaggedAccounts} flagged, on ${c.detectedOn}`,
    value: c.size,
    startsOn: c.detectedOn,
    firedOn: c.detectedOn,
    lastHeldOn: c.detectedOn,
    endedOn: null,
    autoResolve: false,
    evidence: [{ kind: 'coordination', ref: c.id, sources: [] }],
  }))!;

/** Every change of a factor's level between consecutive assessments, computed once per set of assessments. */
const factorChangesOf = new WeakMap<
  readonly AssessmentFact[],
  { factor: number; rise: boolean; episode: EventEpisode }[]
>();
function factorChanges(assessments: readonly AssessmentFact[]) {
  const known = factorChangesOf.get(assessments);
  if (known) return known;
  const changes: { factor: number; rise: boolean; episode: EventEpisode }[] = [];
  for (let i = 1; i < assessments.length; i++) {
    const before = assessments[i - 1]!;
    const after = assessments[i]!;
    const levels = new Map(before.factors.map((f) => [f.factor, f.level]));
    for (const f of after.factors) {
      const from = levels.get(f.factor) ?? 'unknown';
      if (from === f.level) continue;
      const rise = (LEVEL_RANK[f.level] ?? 0) > (LEVEL_RANK[from] ?? 0) && (LEVEL_RANK[f.level] ?? 0) >= 2;
      changes.push({
        factor: f.factor,
        rise,
        episode: {
          key: `risk-factor:${after.id}:${f.factor}`,
          title: `Risk factor ${f.factor} ${rise ? 'rose' : 'changed'} to ${f.level.replaceAll('-', ' ')}`,
          message: `Risk factor ${f.factor} (${f.title}) went from ${from.replaceAll('-', ' ')} in the assessment of ${before.assessedOn} to ${f.level.replaceAll('-', ' ')} in that of ${after.assessedOn}${after.title ? ` (${after.title})` : ''}`,
          value: LEVEL_RANK[f.level] ?? null,
          startsOn: after.assessedOn,
          firedOn: after.assessedOn,
          lastHeldOn: after.assessedOn,
          endedOn: null,
          autoResolve: false,
          evidence: [
            { kind: 'assessment', ref: after.id, sources: [] },
            { kind: 'assessment', ref: before.id, sources: [] },
          ],
        },
      });
    }
  }
  factorChangesOf.set(assessments, changes);
  return changes;
}

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
  switch (rule.kind) {
    case 'lifeline.coverage_below': {
      const { threshold, minDays } = rule.parameters;
      const runs = inputs.coverageRuns.find((r) => r.threshold === threshold)?.signals ?? [];
      for (const s of runs) {
        if (s.kind !== 'coverage-below' || !s.endsOn) continue;
        const at = interval(s.startsOn, s.endsOn, s.endsOn, minDays, asOf);
        if (!at) continue;
        episodes.push({
          ruleId: rule.id,
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
            ruleId: rule.id,
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
            ruleId: rule.id,
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
          ruleId: rule.id,
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
          ruleId: rule.id,
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
        const event = statusChangeEvent(c);
        if (!event || event.firedOn > asOf) continue;
        if (statuses?.length && !statuses.includes(c.status)) continue;
        if (categories?.length && !categories.includes(c.category)) continue;
        episodes.push(withRule(rule.id, event));
      }
      break;
    }
    case 'coordination.community': {
      const { minSize } = rule.parameters;
      const minFlagged = rule.parameters.minFlagged ?? 0;
      const fresh = newCommunities(inputs.communities);
      for (const c of inputs.communities) {
        if (c.detectedOn > asOf || c.size < minSize || c.flaggedAccounts < minFlagged) continue;
        // Found again by a later run: not new (its first finding raised the alert, if it was large enough).
        if (!fresh.has(c.id)) continue;
        episodes.push(withRule(rule.id, communityEvent(c)));
      }
      break;
    }
    case 'risk.factor_change': {
      const { change, factors } = rule.parameters;
      for (const c of factorChanges(inputs.assessments)) {
        if (c.episode.firedOn > asOf) continue;
        if (factors?.length && !factors.includes(c.factor)) continue;
        if (change === 'rise' && !c.rise) continue;
        episodes.push(withRule(rule.id, c.episode));
      }
      break;
    }
    case 'reports.pending': {
      const waitingDays = rule.parameters.waitingDays ?? 0;
      for (const r of inputs.reports) {
        // It waits from the day it arrives until the day it is decided (merged, linked or rejected).
        const firedOn = addDays(r.receivedOn, waitingDays);
        const decided = r.decidedOn && r.decidedOn <= asOf ? r.decidedOn : null;
        const lastHeldOn = decided ?? asOf;
        if (firedOn > lastHeldOn) continue;
        const days = daysInclusive(r.receivedOn, lastHeldOn) - 1;
        episodes.push({
          ruleId: rule.id,
          key: `report:${r.id}`,
          title: waitingDays
            ? `A public report has waited ${days} days for moderation`
            : 'A new public report awaits moderation',
          message: `A report from the public received on ${r.receivedOn} ${decided ? `was decided on ${decided}` : `awaits moderation${days ? ` (${days} days)` : ''}`}`,
          value: days,
          startsOn: r.receivedOn,
          firedOn,
          lastHeldOn,
          endedOn: decided,
          autoResolve: true,
          // The report's content stays in the moderation queue: alerts name it, they never quote it.
          evidence: [{ kind: 'report', ref: r.id, sources: [] }],
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

export interface ReplayStep {
  day: string;
  /** 1 on the first day of the span. */
  index: number;
  days: number;
  /** Alerts first raised on this day. */
  raised: ReplayRow[];
}

/**
 * Re-runs the rules day by day from `from` to `to`, one step per day (the CLI paces and shows them).
 * The rows of `into` are kept up to date as the days pass.
 */
export function* replaySteps(
  rules: readonly RuleSpec[],
  inputs: AlertInputs,
  from: string,
  to: string,
  into: Map<string, ReplayRow> = new Map(),
): Generator<ReplayStep> {
  const rows = into;
  const days = daysInclusive(from, to);
  let index = 0;
  for (let day = from; day <= to; day = addDays(day, 1)) {
    index++;
    const raised: ReplayRow[] = [];
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
        if (!known) raised.push(row);
      }
    }
    yield { day, index, days, raised };
  }
}

export const sortReplayRows = (rows: Iterable<ReplayRow>): ReplayRow[] =>
  [...rows].sort((a, b) =>
    a.firedOn !== b.firedOn ? (a.firedOn < b.firedOn ? -1 : 1) : a.ruleName.localeCompare(b.ruleName),
  );

/** Re-runs the rules day by day from `from` to `to`: every alert that would have been raised, and when. */
export function replay(
  rules: readonly RuleSpec[],
  inputs: AlertInputs,
  from: string,
  to: string,
): ReplayRow[] {
  const rows = new Map<string, ReplayRow>();
  for (const _step of replaySteps(rules, inputs, from, to, rows)) {
    // each day updates `rows`
  }
  return sortReplayRows(rows.values());
}
