// Lifeline signals: plain records that an alerting module can consume (nothing is sent from here).
// Each says what crossed which threshold, when, and which records it rests on.
import type { Actor } from '../auth/permissions.ts';
import type { Queryable } from '../db/types.ts';
import { getSituation } from '../situations/service.ts';
import { daysInclusive, disruptionLabel, lowCoverageRuns, type Source } from './metrics.ts';
import { computeSeries, listDisruptions, listNeedsModels } from './service.ts';

export interface SignalRules {
  /** Coverage (delivered ÷ needed) below `threshold` on at least `minDays` consecutive days with figures. */
  coverageBelow?: { threshold: number; minDays: number } | null;
  /** A full closure of a route begins. */
  closureStarted?: boolean;
  /** A utility (gas, electricity, internet) cut for at least `days` days, dated or stated by a source. */
  utilityCutLongerThan?: { days: number } | null;
  from?: string;
  to?: string;
}

export const DEFAULT_RULES: Required<
  Pick<SignalRules, 'coverageBelow' | 'closureStarted' | 'utilityCutLongerThan'>
> = {
  coverageBelow: { threshold: 0.5, minDays: 7 },
  closureStarted: true,
  utilityCutLongerThan: { days: 30 },
};

export interface LifelineSignal {
  kind: 'coverage-below' | 'closure-started' | 'utility-cut' | 'utility-cut-stated';
  situationSlug: string;
  startsOn: string;
  endsOn: string | null;
  value: number;
  threshold: number | null;
  unit: string;
  subject: string;
  message: string;
  evidence: { ref: string; sources: Source[] }[];
}

/** Reads any situation (alerting runs as the system); never writes. */
const SIGNAL_READER: Actor = {
  kind: 'user',
  user: { id: '00000000-0000-0000-0000-000000000000', email: 'lifeline signals', role: 'viewer' },
  via: 'token',
  organisations: 'all', // the system reads every organisation's situations (docs/organisations.md)
};

export async function lifelineSignals(
  db: Queryable,
  situationSlug: string,
  rules: SignalRules = DEFAULT_RULES,
  actor: Actor = SIGNAL_READER,
): Promise<LifelineSignal[]> {
  const situation = await getSituation(db, actor, situationSlug);
  const window = {
    from: rules.from ?? situation.startsOn,
    to: rules.to ?? situation.endsOn ?? new Date().toISOString().slice(0, 10),
  };
  const signals: LifelineSignal[] = [];

  if (rules.coverageBelow) {
    const { threshold, minDays } = rules.coverageBelow;
    const series = await computeSeries(db, actor, situationSlug, window);
    const needs = (await listNeedsModels(db, situation.id)).find(
      (m) => m.selected && m.commodity === series.commodity,
    );
    for (const run of lowCoverageRuns(series.days, threshold, minDays)) {
      const periods = series.periods.filter(
        (p) => p.periodStart <= run.endsOn && p.periodEnd >= run.startsOn,
      );
      signals.push({
        kind: 'coverage-below',
        situationSlug,
        startsOn: run.startsOn,
        endsOn: run.endsOn,
        value: run.meanCoverage,
        threshold,
        unit: 'ratio',
        subject: series.commodity,
        message: `coverage of ${series.commodity} averaged ${(run.meanCoverage * 100).toFixed(1)}% over ${run.days} days (threshold ${(threshold * 100).toFixed(0)}%)${periods.length ? ', from period totals' : ''}`,
        evidence: [
          ...periods.map((p) => ({ ref: p.ref, sources: p.sources })),
          ...(needs ? [{ ref: needs.ref ?? needs.label, sources: needs.sources }] : []),
        ],
      });
    }
  }

  const disruptions = await listDisruptions(db, situation.id, window);
  if (rules.closureStarted) {
    for (const d of disruptions) {
      if (d.kind !== 'corridor' || d.status !== 'closed' || d.basis !== 'interval') continue;
      if (d.startsOn < window.from || d.startsOn > window.to) continue;
      const end = d.endsOn ?? d.confirmedUntil;
      signals.push({
        kind: 'closure-started',
        situationSlug,
        startsOn: d.startsOn,
        endsOn: d.endsOn,
        value: end ? daysInclusive(d.startsOn, end) : 1,
        threshold: null,
        unit: 'days',
        subject: d.route ?? 'corridor',
        message: `full closure of ${d.route ?? 'the corridor'} from ${d.startsOn}${d.endsOn ? ` to ${d.endsOn}` : ' (no end reported)'}`,
        evidence: [{ ref: disruptionLabel(d), sources: d.sources }],
      });
    }
  }

  if (rules.utilityCutLongerThan) {
    const { days } = rules.utilityCutLongerThan;
    for (const d of disruptions) {
      if (d.kind === 'corridor' || !['cut', 'partial'].includes(d.status)) continue;
      if (d.basis === 'interval') {
        const end = d.endsOn ?? d.confirmedUntil ?? d.startsOn;
        const length = daysInclusive(d.startsOn, end);
        if (length < days) continue;
        signals.push({
          kind: 'utility-cut',
          situationSlug,
          startsOn: d.startsOn,
          endsOn: d.endsOn,
          value: length,
          threshold: days,
          unit: 'days',
          subject: d.kind,
          message: `${d.kind} cut for ${length} days${d.endsOn ? '' : ` (confirmed to ${end}; no end reported)`}`,
          evidence: [{ ref: disruptionLabel(d), sources: d.sources }],
        });
      } else if ((d.statedDays ?? 0) >= days) {
        signals.push({
          kind: 'utility-cut-stated',
          situationSlug,
          startsOn: d.startsOn,
          endsOn: d.endsOn,
          value: d.statedDays!,
          threshold: days,
          unit: 'days',
          subject: d.kind,
          message: `a source states ${d.statedDays} days without ${d.kind} between ${d.startsOn} and ${d.endsOn}`,
          evidence: [{ ref: disruptionLabel(d), sources: d.sources }],
        });
      }
    }
  }
  return signals.sort((a, b) => (a.startsOn < b.startsOn ? -1 : a.startsOn > b.startsOn ? 1 : 0));
}
