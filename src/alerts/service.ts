// Alerts: rules (data, validated per kind), evaluation against the modules' signals, alerts with a
// lifecycle (open → acknowledged → resolved, one per rule and episode), subscriptions, in-app notifications,
// daily digests and the outbox.
import { randomBytes } from 'node:crypto';
import { type Actor, requirePermission } from '../auth/permissions.ts';
import { actorForUser } from '../auth/service.ts';
import type { Database, Queryable } from '../db/types.ts';
import { AppError, NotFoundError, UnauthorizedError, ValidationError } from '../lib/errors.ts';
import { parseWith } from '../lib/schema.ts';
import {
  canRead,
  canReadPrivate,
  findSituationById,
  getSituation,
  type SituationRecord,
} from '../situations/service.ts';
import { addDays, evaluateRule, type ReplayRow, replay, replaySteps, sortReplayRows } from './evaluate.ts';
import { ALERT_READER, loadInputs } from './inputs.ts';
import {
  type Alert,
  type AlertQuery,
  type AlertRule,
  type AlertRuleCreate,
  type AlertRulePatch,
  type DraftRule,
  type Episode,
  type Notification,
  type NotificationQuery,
  type NotificationsRead,
  RULE_PARAMETERS,
  type RuleKind,
  type RuleSpec,
  type Severity,
  type Subscription,
  type SubscriptionCreate,
  type SubscriptionPatch,
  severityRank,
} from './schema.ts';
import { requireWebhookUrl, type WebhookGuard } from './webhook.ts';

export { ALERT_READER, loadInputs };

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
  const situation = await getSituation(db, actor, slug, 'alert.manage');
  const rows = await db.query<RuleRow>(
    'SELECT * FROM alert_rules WHERE situation_id = $1 ORDER BY created_at, id',
    [situation.id],
  );
  return rows.map((r) => ruleFromRow(r, slug));
}

export async function getRule(db: Queryable, actor: Actor, slug: string, id: string): Promise<AlertRule> {
  const situation = await getSituation(db, actor, slug, 'alert.manage');
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
  const situation = await getSituation(db, actor, slug, 'alert.manage');
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

/**
 * What a rule not stored would fire on the data known today, as of `asOf` (default: the situation's end, or
 * today): the rule editor's preview. Its parameters are checked as on creation; nothing is stored or sent.
 */
export async function previewDraft(
  db: Queryable,
  actor: Actor,
  slug: string,
  draft: DraftRule,
  asOf?: string,
): Promise<Episode[]> {
  const situation = await getSituation(db, actor, slug, 'alert.manage');
  const spec = toSpec({
    id: 'draft',
    name: draft.name || 'draft',
    kind: draft.kind,
    parameters: checkParameters(draft.kind, draft.parameters),
    severity: draft.severity ?? 'warning',
  });
  const inputs = await loadInputs(db, slug, [spec]);
  return evaluateRule(spec, inputs, asOf ?? situation.endsOn ?? today());
}

export const today = (): string => new Date().toISOString().slice(0, 10);

// Replay

export interface ReplayResult {
  situationSlug: string;
  from: string;
  to: string;
  ruleSet: 'default' | 'situation';
  rules: RuleSpec[];
  alerts: ReplayRow[];
}

export interface ReplayOptions {
  from?: string;
  to?: string;
  /** 'default': the built-in rule set (any reader); 'situation': its enabled rules (alert.manage). */
  rules?: 'default' | 'situation';
}

/** What a replay is about: its span, its rules and the facts they read. */
export async function prepareReplay(db: Queryable, actor: Actor, slug: string, options: ReplayOptions = {}) {
  const situation = await getSituation(db, actor, slug);
  const from = options.from ?? situation.startsOn;
  const to = options.to ?? situation.endsOn ?? today();
  if (to < from) throw ValidationError.field('to', 'must not be before from');
  if (daysBetween(from, to) > 3660) throw ValidationError.field('to', 'a replay spans ten years at most');
  const ruleSet = options.rules ?? 'default';
  const rules =
    ruleSet === 'situation'
      ? (await listRules(db, actor, slug)).filter((r) => r.enabled).map(toSpec)
      : defaultRuleSpecs();
  const inputs = await loadInputs(db, slug, rules);
  return { situationSlug: slug, from, to, ruleSet, rules, inputs };
}

const daysBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000;

/** Re-runs a situation's history day by day with a rule set: which alerts would have been raised, and when. */
export async function replaySituation(
  db: Queryable,
  actor: Actor,
  slug: string,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const { inputs, ...prepared } = await prepareReplay(db, actor, slug, options);
  return { ...prepared, alerts: replay(prepared.rules, inputs, prepared.from, prepared.to) };
}

export { replaySteps, sortReplayRows };

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
  acknowledgement: string | null;
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
  acknowledgement: r.acknowledgement,
  resolvedAt: r.resolved_at?.toISOString() ?? null,
  resolvedBy: r.resolved_by,
  resolution: r.resolution,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/**
 * Alerts of a situation: those of non-public rules only to who may read the situation's private content (for an
 * organisation's situation, its members); everyone else sees the public ones.
 */
export async function listAlerts(
  db: Queryable,
  actor: Actor,
  slug: string,
  query: Partial<AlertQuery> = {},
): Promise<Alert[]> {
  const situation = await getSituation(db, actor, slug);
  const where = ['a.situation_id = $1'];
  const params: unknown[] = [situation.id];
  if (!canReadPrivate(actor, situation)) where.push('r.public');
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
  if (!alert.public && !canReadPrivate(actor, situation)) throw new NotFoundError(`alert ${id}`);
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
  await getSituation(db, actor, alert.situationSlug, 'alert.manage');
  const user = requirePermission(actor, 'alert.manage');
  if (to === 'acknowledged') {
    if (alert.status === 'resolved')
      throw new AppError(409, 'Conflict', 'a resolved alert cannot be acknowledged');
    if (alert.status === 'open') {
      await db.query(
        `UPDATE alerts SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2,
           acknowledgement = $3, updated_at = now()
         WHERE id = $1`,
        [id, user.email, note ?? null],
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
  channel: 'webhook' | 'email' | 'in_app';
  target: string | null;
  secret: string | null;
  min_severity: Severity;
  enabled: boolean;
  digest: boolean;
  created_at: Date;
}

const subscriptionFromRow = (r: SubscriptionRow): Subscription => ({
  id: r.id,
  situationSlug: r.situation_slug,
  channel: r.channel,
  target: r.target,
  minSeverity: r.min_severity,
  enabled: r.enabled,
  digest: r.digest,
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

/**
 * Subscribes the signed-in user to a situation they may read. A webhook's URL must reach a public address
 * (unless `guard.allowPrivate`); its signing key is returned once. In-app subscriptions have no target.
 */
export async function createSubscription(
  db: Queryable,
  actor: Actor,
  input: SubscriptionCreate,
  guard: WebhookGuard = { allowPrivate: false },
): Promise<Subscription> {
  const user = signedIn(actor);
  const situation = await getSituation(db, actor, input.situationSlug);
  const target = input.target?.trim() || null;
  if (input.channel === 'in_app') {
    if (target) throw ValidationError.field('target', 'an in-app subscription has no target');
  } else if (!target) {
    throw ValidationError.field(
      'target',
      input.channel === 'webhook' ? 'give the webhook URL' : 'give the e-mail address',
    );
  } else if (input.channel === 'webhook') {
    await requireWebhookUrl(target, guard);
  } else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(target)) {
    throw ValidationError.field('target', 'must be an e-mail address');
  }
  if (input.digest && input.channel !== 'email') {
    throw ValidationError.field('digest', 'only e-mail subscriptions can be daily digests');
  }
  const secret = input.channel === 'webhook' ? randomBytes(32).toString('base64url') : null;
  const [row] = await db.query<SubscriptionRow>(
    `INSERT INTO alert_subscriptions (user_id, situation_id, channel, target, secret, min_severity, digest)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *, $8::text AS situation_slug`,
    [
      user.id,
      situation.id,
      input.channel,
      target,
      secret,
      input.minSeverity ?? 'warning',
      input.digest ?? false,
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
  if (patch.digest && current.channel !== 'email') {
    throw ValidationError.field('digest', 'only e-mail subscriptions can be daily digests');
  }
  await db.query(
    'UPDATE alert_subscriptions SET min_severity = $2, enabled = $3, digest = $4 WHERE id = $1',
    [
      id,
      patch.minSeverity ?? current.min_severity,
      patch.enabled ?? current.enabled,
      patch.digest ?? current.digest,
    ],
  );
  return subscriptionFromRow({ ...(await ownSubscription(db, actor, id)) });
}

export async function deleteSubscription(db: Queryable, actor: Actor, id: string): Promise<void> {
  await ownSubscription(db, actor, id);
  await db.query('DELETE FROM alert_subscriptions WHERE id = $1', [id]);
}

// Fan-out: the outbox, in-app notifications and digest items

export interface AlertPayload {
  event: 'opened' | 'resolved';
  idempotencyKey: string;
  alert: Alert;
}

export interface DigestPayload {
  event: 'digest';
  idempotencyKey: string;
  situationSlug: string;
  /** The (UTC) day the digest covers. */
  day: string;
  items: { event: 'opened' | 'resolved'; alert: Alert }[];
}

/**
 * Whether a subscriber may receive an alert of a situation: the same rule as reading it (`canRead`, and for
 * an alert of a non-public rule `canReadPrivate`, with the user's role and organisations as they are now).
 * A disabled or deleted user receives nothing.
 */
export async function subscriberMayRead(
  db: Queryable,
  userId: string,
  situation: SituationRecord,
  alertPublic: boolean,
): Promise<boolean> {
  const subscriber = await actorForUser(db, userId);
  if (subscriber === null || !canRead(subscriber, situation)) return false;
  return alertPublic || canReadPrivate(subscriber, situation);
}

/**
 * Fans an alert event out to the enabled subscriptions of its situation at or above their minimum severity,
 * whose owner may read the situation: an outbox row per webhook or e-mail subscription (idempotency key stable
 * per subscription, alert and event), an in-app notification per in-app subscriber, a digest item per digest
 * subscription. Returns how many were queued (repeats are not queued twice).
 */
export async function enqueueDeliveries(
  tx: Queryable,
  alertId: string,
  event: 'opened' | 'resolved',
): Promise<number> {
  const { situationId, ...alert } = await alertById(tx, alertId);
  const situation = await findSituationById(tx, situationId);
  if (!situation) return 0;
  const subs = await tx.query<SubscriptionRow>(
    'SELECT * FROM alert_subscriptions WHERE situation_id = $1 AND enabled ORDER BY created_at, id',
    [situationId],
  );
  const mayRead = new Map<string, boolean>();
  let queued = 0;
  for (const sub of subs) {
    if (severityRank(alert.severity) < severityRank(sub.min_severity)) continue;
    let may = mayRead.get(sub.user_id);
    if (may === undefined) {
      may = await subscriberMayRead(tx, sub.user_id, situation, alert.public);
      mayRead.set(sub.user_id, may);
    }
    if (!may) continue;
    let inserted: unknown[];
    if (sub.channel === 'in_app') {
      inserted = await tx.query(
        `INSERT INTO alert_notifications (user_id, subscription_id, alert_id, event) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, alert_id, event) DO NOTHING RETURNING id`,
        [sub.user_id, sub.id, alertId, event],
      );
    } else if (sub.digest) {
      inserted = await tx.query(
        `INSERT INTO alert_digest_items (subscription_id, alert_id, event, day)
         VALUES ($1, $2, $3, (now() AT TIME ZONE 'UTC')::date)
         ON CONFLICT (subscription_id, alert_id, event) DO NOTHING RETURNING id`,
        [sub.id, alertId, event],
      );
    } else {
      const idempotencyKey = `vigil-${alertId}-${event}-${sub.id}`;
      const payload: AlertPayload = { event, idempotencyKey, alert };
      inserted = await tx.query(
        `INSERT INTO alert_deliveries (subscription_id, alert_id, event, idempotency_key, payload)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
        [sub.id, alertId, event, idempotencyKey, JSON.stringify(payload)],
      );
    }
    queued += inserted.length;
  }
  return queued;
}

/**
 * Queues the digests of the days before `today` (UTC) that are over: one outbox row per digest subscription
 * and day, carrying that day's alert events. The row's idempotency key names the subscription and the day, so
 * a day is never digested twice, whatever the number of workers or passes; an event recorded late, after its
 * day's digest was queued, goes into the next one. Returns the number of digests queued.
 */
export async function queueDigests(db: Database, today: string = todayUtc()): Promise<number> {
  // Late events: their day already has a digest; they join today's.
  await db.query(
    `UPDATE alert_digest_items i SET day = $1 WHERE i.delivery_id IS NULL AND i.day < $1 AND EXISTS (
       SELECT 1 FROM alert_deliveries d WHERE d.subscription_id = i.subscription_id AND d.event = 'digest'
         AND d.digest_day = i.day)`,
    [today],
  );
  const groups = await db.query<{ subscription_id: string; day: string }>(
    `SELECT subscription_id, day FROM alert_digest_items WHERE delivery_id IS NULL AND day < $1
     GROUP BY subscription_id, day ORDER BY day, subscription_id`,
    [today],
  );
  let queued = 0;
  for (const group of groups) {
    await db.transaction(async (tx) => {
      const items = await tx.query<{ id: string; alert_id: string; event: 'opened' | 'resolved' }>(
        `SELECT id, alert_id, event FROM alert_digest_items
         WHERE subscription_id = $1 AND day = $2 AND delivery_id IS NULL ORDER BY created_at, id FOR UPDATE`,
        [group.subscription_id, group.day],
      );
      if (items.length === 0) return;
      const [sub] = await tx.query<{ situation_slug: string }>(
        `SELECT s.slug AS situation_slug FROM alert_subscriptions sub JOIN situations s ON s.id = sub.situation_id
         WHERE sub.id = $1`,
        [group.subscription_id],
      );
      if (!sub) return;
      const idempotencyKey = `vigil-digest-${group.subscription_id}-${group.day}`;
      const payload: DigestPayload = {
        event: 'digest',
        idempotencyKey,
        situationSlug: sub.situation_slug,
        day: group.day,
        items: [],
      };
      for (const item of items) {
        const { situationId: _s, ...alert } = await alertById(tx, item.alert_id);
        payload.items.push({ event: item.event, alert });
      }
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO alert_deliveries (subscription_id, alert_id, event, idempotency_key, payload, digest_day)
         VALUES ($1, NULL, 'digest', $2, $3, $4) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
        [group.subscription_id, idempotencyKey, JSON.stringify(payload), group.day],
      );
      if (!row) return;
      await tx.query('UPDATE alert_digest_items SET delivery_id = $1 WHERE id = ANY($2::uuid[])', [
        row.id,
        items.map((i) => i.id),
      ]);
      queued++;
    });
  }
  return queued;
}

export const todayUtc = (): string => new Date().toISOString().slice(0, 10);

// In-app notifications

interface NotificationRow {
  id: string;
  alert_id: string;
  event: 'opened' | 'resolved';
  read_at: Date | null;
  created_at: Date;
  situation_id: string;
}

/**
 * The signed-in user's notifications, newest first, and how many are unread. Only those of situations the
 * user may read now (a right lost since is a notification hidden, not shown).
 */
export async function listNotifications(
  db: Queryable,
  actor: Actor,
  query: Partial<NotificationQuery> = {},
): Promise<{ items: Notification[]; unread: number }> {
  const user = signedIn(actor);
  const readable = await readableSituationIds(db, actor, query.situation);
  const where = ['n.user_id = $1', 'a.situation_id = ANY($2::uuid[])'];
  const params: unknown[] = [user.id, readable];
  if (query.unread) where.push('n.read_at IS NULL');
  params.push(query.limit ?? 100);
  const rows = await db.query<NotificationRow>(
    `SELECT n.id, n.alert_id, n.event, n.read_at, n.created_at, a.situation_id FROM alert_notifications n
     JOIN alerts a ON a.id = n.alert_id WHERE ${where.join(' AND ')}
     ORDER BY n.created_at DESC, n.id DESC LIMIT $${params.length}`,
    params,
  );
  const items: Notification[] = [];
  for (const r of rows) {
    const { situationId: _s, ...alert } = await alertById(db, r.alert_id);
    items.push({
      id: r.id,
      event: r.event,
      createdAt: r.created_at.toISOString(),
      readAt: r.read_at?.toISOString() ?? null,
      alert,
    });
  }
  return { items, unread: await unreadCount(db, user.id, readable) };
}

async function readableSituationIds(db: Queryable, actor: Actor, slug?: string): Promise<string[]> {
  if (slug) return [(await getSituation(db, actor, slug)).id];
  const rows = await db.query<{ situation_id: string }>(
    `SELECT DISTINCT a.situation_id FROM alert_notifications n JOIN alerts a ON a.id = n.alert_id
     WHERE n.user_id = $1`,
    [signedIn(actor).id],
  );
  const ids: string[] = [];
  for (const r of rows) {
    const situation = await findSituationById(db, r.situation_id);
    if (situation && canRead(actor, situation)) ids.push(situation.id);
  }
  return ids;
}

async function unreadCount(db: Queryable, userId: string, situationIds: string[]): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM alert_notifications n JOIN alerts a ON a.id = n.alert_id
     WHERE n.user_id = $1 AND n.read_at IS NULL AND a.situation_id = ANY($2::uuid[])`,
    [userId, situationIds],
  );
  return row?.n ?? 0;
}

/** Marks the user's notifications read: the ones named, or all (of one situation). Returns the unread count. */
export async function markNotificationsRead(
  db: Queryable,
  actor: Actor,
  input: NotificationsRead,
): Promise<{ unread: number }> {
  const user = signedIn(actor);
  if (!input.all && !input.ids?.length)
    throw ValidationError.field('ids', 'name the notifications, or say all');
  const readable = await readableSituationIds(db, actor, input.situation);
  if (input.all) {
    await db.query(
      `UPDATE alert_notifications n SET read_at = now() FROM alerts a
       WHERE a.id = n.alert_id AND n.user_id = $1 AND n.read_at IS NULL AND a.situation_id = ANY($2::uuid[])`,
      [user.id, readable],
    );
  } else {
    await db.query(
      `UPDATE alert_notifications SET read_at = now() WHERE user_id = $1 AND id = ANY($2::uuid[]) AND read_at IS NULL`,
      [user.id, input.ids],
    );
  }
  return { unread: await unreadCount(db, user.id, readable) };
}
