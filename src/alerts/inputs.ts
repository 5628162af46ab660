// The facts rules are evaluated over, loaded once per evaluation from the other modules: lifeline signals,
// published incidents, measures' status changes, coordination communities, risk assessments and the public
// reports' moderation queue. Evaluation itself (evaluate.ts) is pure: facts in, episodes out.
import type { Actor } from '../auth/permissions.ts';
import type { Queryable } from '../db/types.ts';
import { listIncidents } from '../evidence/incidents.ts';
import { listReports } from '../evidence/intake.ts';
import { AppError } from '../lib/errors.ts';
import { type LifelineSignal, lifelineSignals } from '../lifeline/signals.ts';
import { listStatusChanges } from '../response/service.ts';
import { listAssessments } from '../risk/framework/service.ts';
import { getSituation } from '../situations/service.ts';
import type {
  AlertInputs,
  AssessmentFact,
  CommunityFact,
  IncidentFact,
  ReportFact,
  StatusChangeFact,
} from './evaluate.ts';
import type { RuleSpec } from './schema.ts';

const SYSTEM_ID = '00000000-0000-0000-0000-000000000000';

/** Alerting reads every situation as the system (like the lifeline's signals); it never writes to them. */
export const ALERT_READER: Actor = {
  kind: 'user',
  user: { id: SYSTEM_ID, email: 'alerts', role: 'viewer' },
  via: 'token',
  organisations: 'all',
};

/**
 * The moderation queue is for moderators (documenter and up): alerting reads it as one, and its alerts only
 * ever carry a report's id and dates, never what the witness wrote or where they are.
 */
const QUEUE_READER: Actor = {
  kind: 'user',
  user: { id: SYSTEM_ID, email: 'alerts', role: 'documenter' },
  via: 'token',
  organisations: 'all',
};

const isoDay = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d);
const utcDay = (d: Date | string) => new Date(d).toISOString().slice(0, 10);

export async function loadInputs(
  db: Queryable,
  slug: string,
  rules: readonly RuleSpec[],
  window: { from?: string; to?: string } = {},
): Promise<AlertInputs> {
  const inputs: AlertInputs = {
    coverageRuns: [],
    lifeline: [],
    incidents: [],
    statusChanges: [],
    communities: [],
    assessments: [],
    reports: [],
  };
  const kinds = new Set(rules.map((r) => r.kind));
  const signals = async (rulesFor: Parameters<typeof lifelineSignals>[2]): Promise<LifelineSignal[]> => {
    try {
      return await lifelineSignals(db, slug, { ...rulesFor, ...window }, ALERT_READER);
    } catch (error) {
      // A situation without lifeline records (no needs model) has no lifeline signals.
      if (error instanceof AppError && error.status !== 404) return [];
      throw error;
    }
  };
  const thresholds = new Set<number>();
  for (const r of rules) if (r.kind === 'lifeline.coverage_below') thresholds.add(r.parameters.threshold);
  for (const threshold of thresholds) {
    inputs.coverageRuns.push({
      threshold,
      signals: await signals({ coverageBelow: { threshold, minDays: 1 }, closureStarted: false }),
    });
  }
  if (kinds.has('lifeline.full_closure') || kinds.has('lifeline.utility_cut')) {
    inputs.lifeline = await signals({
      coverageBelow: null,
      closureStarted: true,
      utilityCutLongerThan: { days: 1 },
    });
  }
  if (kinds.has('incidents.spike')) {
    const categories = new Set<string>();
    for (const r of rules) if (r.kind === 'incidents.spike') categories.add(r.parameters.category);
    for (const category of categories) {
      let cursor: string | undefined;
      do {
        const page = await listIncidents(db, ALERT_READER, slug, {
          category,
          status: 'published',
          limit: 500,
          ...(cursor ? { cursor } : {}),
          ...(window.from ? { from: window.from } : {}),
          ...(window.to ? { to: window.to } : {}),
        });
        for (const i of page.items) {
          if (!isoDay(i.start)) continue;
          inputs.incidents.push({
            id: i.id,
            category: i.category,
            date: i.start,
            title: i.title,
            sources: i.sources.map((s) => ({ url: s.url, outlet: s.outlet ?? null })),
          } satisfies IncidentFact);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
  }
  if (kinds.has('measure.status_change')) {
    const changes = await listStatusChanges(db, ALERT_READER, slug, 100_000);
    inputs.statusChanges = changes.map(
      (c): StatusChangeFact => ({
        id: c.id,
        measureId: c.measureId,
        measureTitle: c.measureTitle,
        category: c.category,
        status: c.status,
        date: c.date,
        sources: c.sources,
      }),
    );
  }
  if (kinds.has('coordination.community')) inputs.communities = await loadCommunities(db, slug);
  if (kinds.has('risk.factor_change')) {
    const assessments = await listAssessments(db, ALERT_READER, slug);
    inputs.assessments = assessments.map(
      (a): AssessmentFact => ({
        id: a.id,
        assessedOn: a.assessedOn,
        title: a.title,
        factors: a.factors.map((f) => ({ factor: f.factor, title: f.title, level: f.level })),
      }),
    );
  }
  if (kinds.has('reports.pending')) {
    let cursor: string | undefined;
    do {
      const page = await listReports(db, QUEUE_READER, slug, {
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      for (const r of page.items) {
        inputs.reports.push({
          id: r.id,
          receivedOn: utcDay(r.receivedAt),
          decidedOn: r.status === 'pending' || !r.decision ? null : utcDay(r.decision.at),
        } satisfies ReportFact);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return inputs;
}

/** Accounts named in a community's stored summary (`accounts: [{author}]` as the engine writes it, or names). */
function summaryAccounts(summary: unknown): string[] {
  const list = (summary as { accounts?: unknown } | null)?.accounts;
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const a of list) {
    if (typeof a === 'string') out.push(a);
    else if (a && typeof (a as { author?: unknown }).author === 'string')
      out.push((a as { author: string }).author);
  }
  return out;
}

/**
 * The communities coordination analyses found in a situation. Read from `coordination_communities` by the
 * columns its migration (0015) keeps for alerting, since the coordination store has no service to read
 * them through yet; `created_at` is when the run that found it finished (its "detected on").
 */
async function loadCommunities(db: Queryable, slug: string): Promise<CommunityFact[]> {
  const situation = await getSituation(db, ALERT_READER, slug);
  const rows = await db.query<{
    id: string;
    run_id: string;
    number: number;
    label: string;
    size: number;
    flagged_accounts: number;
    summary: unknown;
    created_at: Date;
  }>(
    `SELECT id, run_id, number, label, size, flagged_accounts, summary, created_at
     FROM coordination_communities WHERE situation_id = $1 ORDER BY created_at, run_id, number`,
    [situation.id],
  );
  return rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    number: r.number,
    label: r.label,
    size: r.size,
    flaggedAccounts: r.flagged_accounts,
    detectedOn: utcDay(r.created_at),
    accounts: summaryAccounts(r.summary),
  }));
}
