// Alerts: rules (data, validated per kind), evaluation against the modules' signals, alerts with a
// lifecycle (open → acknowledged → resolved, one per rule and episode), subscriptions and the outbox.
import { randomBytes } from 'node:crypto';
import { type Actor, isRole, requirePermission } from '../auth/permissions.ts';
import type { Database, Queryable } from '../db/types.ts';
import { listIncidents } from '../evidence/incidents.ts';
import { AppError, NotFoundError, UnauthorizedError, ValidationError } from '../lib/errors.ts';
import { parseWith } from '../lib/schema.ts';
import { type LifelineSignal, lifelineSignals } from '../lifeline/signals.ts';
import { listStatusChanges } from '../response/service.ts';
import { canRead, findSituationById, getSituation, type SituationRecord } from '../situations/service.ts';
import {
  type AlertInputs,
  addDays,
  evaluateRule,
  type IncidentFact,
  type StatusChangeFact,
} from './evaluate.ts';
import {
  type Alert,
  type AlertQuery,
  type AlertRule,
  type AlertRuleCreate,
  type AlertRulePatch,
  type Episode,
  RULE_PARAMETERS,
  type RuleKind,
  type RuleSpec,
  type Severity,
  type Subscription,
  type SubscriptionCreate,
  type SubscriptionPatch,
  severityRank,
} from './schema.ts';

/** Alerting reads every situation as the system (like the lifeline's signals); it never writes to them. */
export const ALERT_READER: Actor = {
  kind: 'user',
  user: { id: '00000000-0000-0000-0000-000000000000', email: 'alerts', role: 'viewer' },
  via: 'token',
};

// Rules

/** Validates a rule's parameters against its kind; the error names the field (`parameters.threshold`). */
export function checkParameters(kind: RuleKind, parameters: unknown): Record<string, unknown> {
  const schema = RULE_PARAMETERS[kind];
  if (!schema) throw ValidationError.field('kind', `unknown rule kind ${kind}`);
  return parseWith(schema, parameters ?? {}, 'parameters') as Record<string, unknown>;
}

interface RuleRow {
  id: string;
  situation_id: string;
  name: string;
  kind: RuleKind;
  parameters: Record<string, unknown>;
  severity: Severity;
  enabled: boolean;
  public: boolean;
  created_at: Date;
  updated_at: Date;
}

const ruleFromRow = (r: RuleRow, slug: string): AlertRule => ({
  id: r.id,
  situationSlug: slug,
  name: r.name,
  kind: r.kind,
  parameters: r.parameters,
  severity: r.severity,
  enabled: r.enabled,
  public: r.public,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export const toSpec = (r: Pick<AlertRule, 'id' | 'name' | 'kind' | 'parameters' | 'severity'>): RuleSpec =>
  ({ id: r.id, name: r.name, kind: r.kind, parameters: r.parameters, severity: r.severity }) as RuleSpec;

/** The rule set `vigil replay --rules default` uses, and a starting point for a situation's own rules. */
export const DEFAULT_RULES: Omit<AlertRuleCreate, 'enabled'>[] = [
  {
    name: 'Coverage under 10% for a week',
    kind: 'lifeline.coverage_below',
    parameters: { threshold: 0.1, minDays: 7 },
    severity: 'critical',
    public: true,
  },
  {
    name: 'Coverage under 50% for a week',
    kind: 'lifeline.coverage_below',
    parameters: { threshold: 0.5, minDays: 7 },
    severity: 'warning',
  },
  { name: 'Full closure', kind: 'lifeline.full_closure', parameters: {}, severity: 'critical', public: true },
  {
    name: 'No gas for two weeks',
    kind: 'lifeline.utility_cut',
    parameters: { utility: 'gas', minDays: 14 },
    severity: 'warning',
  },
  {
    name: 'No electricity for two weeks',
    kind: 'lifeline.utility_cut',
    parameters: { utility: 'electricity', minDays: 14 },
    severity: 'warning',
  },
  {
    name: 'Spike of humanitarian incidents',
    kind: 'incidents.spike',
    parameters: { category: 'humanitarian', factor: 3, minCount: 2 },
    severity: 'warning',
  },
  { name: 'Measure status change', kind: 'measure.status_change', parameters: {}, severity: 'info' },
];

export function defaultRuleSpecs(): RuleSpec[] {
  return DEFAULT_RULES.map((r, i) => toSpec({ ...r, id: `default-${i + 1}` }));
}

export async function listRules(db: Queryable, actor: Actor, slug: string): Promise<AlertRule[]> {
  const situation = await getSituation(db, actor, slug);
  requirePermission(actor, 'alert.manage');
  const rows = await db.query<RuleRow>(
    'SELECT * FROM alert_rules WHERE situation_id = $1 ORDER BY created_at, id',
    [situation.id],
  );
  return rows.map((r) => ruleFromRow(r, slug));
}

export async function getRule(db: Queryable, actor: Actor, slug: string, id: string): Promise<AlertRule> {
  const situation = await getSituation(db, actor, slug);
  requirePermission(actor, 'alert.manage');
  const [row] = await db.query<RuleRow>('SELECT * FROM alert_rules WHERE id = $1 AND situation_id = $2', [
    id,
    situation.id,
  ]);
  if (!row) throw new NotFoundError(`alert rule ${id}`);
  return ruleFromRow(row, slug);
}

export async function createRule(
  db: Queryable,
  actor: Actor,
  slug: string,
  input: AlertRuleCreate,
): Promise<AlertRule> {
  const situation = await getSituation(db, actor, slug);
  const user = requirePermission(actor, 'alert.manage');
  const parameters = checkParameters(input.kind, input.parameters);
  const [row] = await db.query<RuleRow>(
    `INSERT INTO alert_rules (situation_id, name, kind, parameters, severity, enabled, public, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [
      situation.id,
      input.name,
      input.kind,
      JSON.stringify(parameters),
      input.severity,
      input.enabled ?? true,
      input.public ?? false,
      await existingUserId(db, user.id),
    ],
  );
  return ruleFromRow(row!, slug);
}

async function existingUserId(db: Queryable, id: string): Promise<string | null> {
  const rows = await db.query<{ id: string }>('SELECT id FROM users WHERE id = $1', [id]);
  return rows[0]?.id ?? null;
}

export async function updateRule(
  db: Queryable,
  actor: Actor,
  slug: string,
  id: string,
  patch: AlertRulePatch,
): Promise<AlertRule> {
  const current = await getRule(db, actor, slug, id);
  const parameters =
    patch.parameters === undefined
      ? current.parameters
      : checkParameters(current.kind as RuleKind, patch.parameters);
  const [row] = await db.query<RuleRow>(
    `UPDATE alert_rules SET name = $2, parameters = $3, severity = $4, enabled = $5, public = $6, updated_at = now()
     WHERE id = $1 RETURNING *`,
    [
      id,
      patch.name ?? current.name,
      JSON.stringify(parameters),
      patch.severity ?? current.severity,
      patch.enabled ?? current.enabled,
      patch.public ?? current.public,
    ],
  );
  return ruleFromRow(row!, slug);
}

// Inputs: what the modules' services say, read once per evaluation.

const isoDay = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d);

export async function loadInputs(
  db: Queryable,
  slug: string,
  rules: readonly RuleSpec[],
  window: { from?: string; to?: string } = {},
): Promise<AlertInputs> {
  const inputs: AlertInputs = { coverageRuns: [], lifeline: [], incidents: [], statusChanges: [] };
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
  return inputs;
}

/** What a rule would have fired on the data known today, as of each day of the situation (the preview). */
export async function previewRule(
  db: Queryable,
  actor: Actor,
  slug: string,
  id: string,
  asOf?: string,
): Promise<Episode[]> {
  const rule = await getRule(db, actor, slug, id);
  const situation = await getSituation(db, actor, slug);
  const day = asOf ?? situation.endsOn ?? today();
  const inputs = await loadInputs(db, slug, [toSpec(rule)]);
  return evaluateRule(toSpec(rule), inputs, day);
}

export const today = (): string => new Date().toISOString().slice(0, 10);

// Alerts

interface AlertRow {
  id: string;
  rule_id: string;
  rule_name: string;
  kind: string;
  public: boolean;
  situation_slug: string;
  situation_visibility: 'public' | 'private';
  episode_key: string;
  severity: Severity;
  status: Alert['status'];
  title: string;
  message: string;
  value: number | null;
  starts_on: string;
  fired_on: string;
  last_held_on: string;
  ended_on: string | null;
  evidence: Alert['evidence'];
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: string | null;
  created_at: Date;
  updated_at: Date;
}

const ALERT_SELECT = `SELECT a.*, r.name AS rule_name, r.kind, r.public, s.slug AS situation_slug,
  s.visibility AS situation_visibility
  FROM alerts a JOIN alert_rules r ON r.id = a.rule_id JOIN situations s ON s.id = a.situation_id`;

const alertFromRow = (r: AlertRow): Alert => ({
  id: r.id,
  ruleId: r.rule_id,
  ruleName: r.rule_name,
  kind: r.kind,
  situationSlug: r.situation_slug,
  episodeKey: r.episode_key,
  severity: r.severity,
  status: r.status,
  title: r.title,
  message: r.message,
  value: r.value,
  startsOn: r.starts_on,
  firedOn: r.fired_on,
  lastHeldOn: r.last_held_on,
  endedOn: r.ended_on,
  evidence: r.evidence,
  public: r.public && r.situation_visibility === 'public',
  acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
  acknowledgedBy: r.acknowledged_by,
  resolvedAt: r.resolved_at?.toISOString() ?? null,
  resolvedBy: r.resolved_by,
  resolution: r.resolution,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** Alerts of a situation: signed-in users see all of a situation they may read; others only public ones. */
export async function listAlerts(
  db: Queryable,
  actor: Actor,
  slug: string,
  query: Partial<AlertQuery> = {},
): Promise<Alert[]> {
  const situation = await getSituation(db, actor, slug);
  const where = ['a.situation_id = $1'];
  const params: unknown[] = [situation.id];
  if (actor.kind !== 'user') where.push('r.public');
  if (query.status) {
    params.push(query.status);
    where.push(`a.status = $${params.length}`);
  }
  if (query.severity) {
    params.push(query.severity);
    where.push(`a.severity = $${params.length}`);
  }
  params.push(query.limit ?? 100);
  const rows = await db.query<AlertRow>(
    `${ALERT_SELECT} WHERE ${where.join(' AND ')} ORDER BY a.fired_on DESC, a.created_at DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(alertFromRow);
}

async function alertById(db: Queryable, id: string): Promise<Alert & { situationId: string }> {
  const [row] = await db.query<AlertRow>(`${ALERT_SELECT} WHERE a.id = $1`, [id]);
  if (!row) throw new NotFoundError(`alert ${id}`);
  return { ...alertFromRow(row), situationId: (row as unknown as { situation_id: string }).situation_id };
}

export async function getAlert(db: Queryable, actor: Actor, id: string): Promise<Alert> {
  const { situationId, ...alert } = await alertById(db, id);
  const situation = await findSituationById(db, situationId);
  if (!situation) throw new NotFoundError(`alert ${id}`);
  try {
    await getSituation(db, actor, situation.slug);
  } catch {
    throw new NotFoundError(`alert ${id}`);
  }
  if (actor.kind !== 'user' && !alert.public) throw new NotFoundError(`alert ${id}`);
  return alert;
}

/** open → acknowledged → resolved; acknowledging a resolved alert is refused, resolving twice is a no-op. */
export async function transitionAlert(
  db: Database,
  actor: Actor,
  id: string,
  to: 'acknowledged' | 'resolved',
  note?: string,
): Promise<Alert> {
  const alert = await getAlert(db, actor, id);
  const user = requirePermission(actor, 'alert.manage');
  if (to === 'acknowledged') {
    if (alert.status === 'resolved')
      throw new AppError(409, 'Conflict', 'a resolved alert cannot be acknowledged');
    if (alert.status === 'open') {
      await db.query(
        `UPDATE alerts SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2, updated_at = now()
         WHERE id = $1`,
        [id, user.email],
      );
    }
  } else if (alert.status !== 'resolved') {
    await db.transaction(async (tx) => {
      await tx.query(
        `UPDATE alerts SET status = 'resolved', resolved_at = now(), resolved_by = $2, resolution = $3, updated_at = now()
         WHERE id = $1`,
        [id, user.email, note ?? null],
      );
      await enqueueDeliveries(tx, id, 'resolved');
    });
  }
  return getAlert(db, actor, id);
}

/** Events (spikes, status changes) this many days old or newer open an alert when first seen. */
export const RECENT_DAYS = 7;

export interface SyncResult {
  opened: string[];
  updated: string[];
  resolved: string[];
}

/**
 * Evaluates a situation's enabled rules as of `asOf` and brings the alerts in line: a new episode opens an
 * alert (and queues its deliveries), a known one is updated while it holds, one whose condition has ended is
 * resolved ("condition cleared"). One alert per rule and episode, whatever the number of runs.
 */
export async function evaluateSituation(
  db: Database,
  slug: string,
  asOf: string = today(),
): Promise<SyncResult> {
  const situation = await getSituation(db, ALERT_READER, slug);
  const rows = await db.query<RuleRow>('SELECT * FROM alert_rules WHERE situation_id = $1 AND enabled', [
    situation.id,
  ]);
  const specs = rows.map((r) => toSpec(ruleFromRow(r, slug)));
  const inputs = await loadInputs(db, slug, specs);
  const result: SyncResult = { opened: [], updated: [], resolved: [] };
  const recent = addDays(asOf, -RECENT_DAYS);
  for (const rule of rows) {
    const stored = new Set(
      (
        await db.query<{ episode_key: string }>('SELECT episode_key FROM alerts WHERE rule_id = $1', [
          rule.id,
        ])
      ).map((r) => r.episode_key),
    );
    // A new alert is opened only for a condition that holds now, or an event of the last days: a rule
    // created today does not flood its subscribers with the situation's whole past (see `replay` for that).
    const episodes = evaluateRule(toSpec(ruleFromRow(rule, slug)), inputs, asOf).filter(
      (e) =>
        stored.has(e.key) || (e.autoResolve ? e.endedOn === null : e.firedOn >= recent && e.firedOn <= asOf),
    );
    await db.transaction(async (tx) => {
      for (const e of episodes) {
        const ended = e.endedOn !== null && e.autoResolve;
        const [row] = await tx.query<{ id: string; inserted: boolean; was: string }>(
          `INSERT INTO alerts (rule_id, situation_id, episode_key, severity, status, title, message, value,
             starts_on, fired_on, last_held_on, ended_on, evidence, resolved_at, resolved_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
             CASE WHEN $5 = 'resolved' THEN now() END, CASE WHEN $5 = 'resolved' THEN 'condition cleared' END)
           ON CONFLICT (rule_id, episode_key) DO UPDATE SET title = EXCLUDED.title, message = EXCLUDED.message,
             value = EXCLUDED.value, last_held_on = EXCLUDED.last_held_on, ended_on = EXCLUDED.ended_on,
             evidence = EXCLUDED.evidence, updated_at = now(),
             status = CASE WHEN EXCLUDED.status = 'resolved' THEN 'resolved' ELSE alerts.status END,
             resolved_at = CASE WHEN EXCLUDED.status = 'resolved' AND alerts.status <> 'resolved' THEN now()
               ELSE alerts.resolved_at END,
             resolved_by = CASE WHEN EXCLUDED.status = 'resolved' AND alerts.status <> 'resolved'
               THEN 'condition cleared' ELSE alerts.resolved_by END
           RETURNING id, (xmax = 0) AS inserted, status AS was`,
          [
            rule.id,
            situation.id,
            e.key,
            rule.severity,
            ended ? 'resolved' : 'open',
            e.title,
            e.message,
            e.value,
            e.startsOn,
            e.firedOn,
            e.lastHeldOn,
            e.endedOn,
            JSON.stringify(e.evidence),
          ],
        );
        if (!row) continue;
        if (row.inserted) {
          result.opened.push(row.id);
          await enqueueDeliveries(tx, row.id, 'opened');
        } else result.updated.push(row.id);
        if (ended) {
          const fresh = await tx.query<{ id: string }>(
            `SELECT id FROM alerts WHERE id = $1 AND resolved_by = 'condition cleared'
               AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = $1 AND d.event = 'resolved')`,
            [row.id],
          );
          if (fresh.length && !row.inserted) {
            result.resolved.push(row.id);
            await enqueueDeliveries(tx, row.id, 'resolved');
          }
        }
      }
    });
  }
  return result;
}

// Subscriptions

interface SubscriptionRow {
  id: string;
  user_id: string;
  situation_id: string;
  situation_slug: string;
  channel: 'webhook' | 'email';
  target: string;
  secret: string | null;
  min_severity: Severity;
  enabled: boolean;
  created_at: Date;
}

const subscriptionFromRow = (r: SubscriptionRow): Subscription => ({
  id: r.id,
  situationSlug: r.situation_slug,
  channel: r.channel,
  target: r.target,
  minSeverity: r.min_severity,
  enabled: r.enabled,
  createdAt: r.created_at.toISOString(),
});

const SUB_SELECT = `SELECT sub.*, s.slug AS situation_slug FROM alert_subscriptions sub
  JOIN situations s ON s.id = sub.situation_id`;

function signedIn(actor: Actor) {
  if (actor.kind !== 'user') throw new UnauthorizedError();
  return actor.user;
}

export async function listSubscriptions(db: Queryable, actor: Actor): Promise<Subscription[]> {
  const user = signedIn(actor);
  const rows = await db.query<SubscriptionRow>(
    `${SUB_SELECT} WHERE sub.user_id = $1 ORDER BY sub.created_at`,
    [user.id],
  );
  return rows.map(subscriptionFromRow);
}

export async function createSubscription(
  db: Queryable,
  actor: Actor,
  input: SubscriptionCreate,
): Promise<Subscription> {
  const user = signedIn(actor);
  const situation = await getSituation(db, actor, input.situationSlug);
  if (input.channel === 'webhook') {
    if (!/^https?:\/\//.test(input.target) || !URL.canParse(input.target)) {
      throw ValidationError.field('target', 'a webhook must be an http(s) URL');
    }
  } else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.target)) {
    throw ValidationError.field('target', 'must be an e-mail address');
  }
  const secret = input.channel === 'webhook' ? randomBytes(32).toString('base64url') : null;
  const [row] = await db.query<SubscriptionRow>(
    `INSERT INTO alert_subscriptions (user_id, situation_id, channel, target, secret, min_severity)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *, $7::text AS situation_slug`,
    [
      user.id,
      situation.id,
      input.channel,
      input.target,
      secret,
      input.minSeverity ?? 'warning',
      situation.slug,
    ],
  );
  return { ...subscriptionFromRow(row!), ...(secret ? { secret } : {}) };
}

async function ownSubscription(db: Queryable, actor: Actor, id: string): Promise<SubscriptionRow> {
  const user = signedIn(actor);
  const [row] = await db.query<SubscriptionRow>(`${SUB_SELECT} WHERE sub.id = $1 AND sub.user_id = $2`, [
    id,
    user.id,
  ]);
  if (!row) throw new NotFoundError(`subscription ${id}`);
  return row;
}

export async function updateSubscription(
  db: Queryable,
  actor: Actor,
  id: string,
  patch: SubscriptionPatch,
): Promise<Subscription> {
  const current = await ownSubscription(db, actor, id);
  await db.query('UPDATE alert_subscriptions SET min_severity = $2, enabled = $3 WHERE id = $1', [
    id,
    patch.minSeverity ?? current.min_severity,
    patch.enabled ?? current.enabled,
  ]);
  return subscriptionFromRow({ ...(await ownSubscription(db, actor, id)) });
}

export async function deleteSubscription(db: Queryable, actor: Actor, id: string): Promise<void> {
  await ownSubscription(db, actor, id);
  await db.query('DELETE FROM alert_subscriptions WHERE id = $1', [id]);
}

// The outbox

export interface AlertPayload {
  event: 'opened' | 'resolved';
  idempotencyKey: string;
  alert: Alert;
}

/**
 * Queues one delivery per enabled subscription of the alert's situation whose owner may read it, at or
 * above its minimum severity. The idempotency key is stable per subscription, alert and event.
 */
export async function enqueueDeliveries(
  tx: Queryable,
  alertId: string,
  event: 'opened' | 'resolved',
): Promise<number> {
  const { situationId, ...alert } = await alertById(tx, alertId);
  const situation = await findSituationById(tx, situationId);
  if (!situation) return 0;
  const subs = await tx.query<SubscriptionRow & { role: string; disabled_at: Date | null }>(
    `SELECT sub.*, u.role, u.disabled_at FROM alert_subscriptions sub JOIN users u ON u.id = sub.user_id
     WHERE sub.situation_id = $1 AND sub.enabled`,
    [situationId],
  );
  let queued = 0;
  for (const sub of subs) {
    if (sub.disabled_at || !mayReceive(sub.role, situation)) continue;
    if (severityRank(alert.severity) < severityRank(sub.min_severity)) continue;
    const idempotencyKey = `vigil-${alertId}-${event}-${sub.id}`;
    const payload: AlertPayload = { event, idempotencyKey, alert };
    const inserted = await tx.query(
      `INSERT INTO alert_deliveries (subscription_id, alert_id, event, idempotency_key, payload)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [sub.id, alertId, event, idempotencyKey, JSON.stringify(payload)],
    );
    queued += inserted.length;
  }
  return queued;
}

/** Whether a user with this role may receive a situation's alerts (the same rule as reading it). */
export function mayReceive(role: string, situation: Pick<SituationRecord, 'visibility'>): boolean {
  if (!isRole(role)) return false;
  return canRead({ kind: 'user', user: { id: '', email: '', role }, via: 'token' }, situation);
}
