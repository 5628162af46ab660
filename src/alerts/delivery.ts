// Delivery: a worker claims due rows of the outbox (alert_deliveries), sends each (webhook or e-mail) with a
// timeout, and marks it done, or schedules a retry with exponential backoff, or gives up (dead) after N
// failures. A claim is a lease: a row claimed by a process that died mid-send is claimed again when the
// lease runs out, so a message is sent at least once and never lost (receivers drop repeats by the
// idempotency key). Rows are sent concurrently, so one slow endpoint delays no other.
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Database, Queryable } from '../db/types.ts';
import type { Resolver } from '../evidence/address-guard.ts';
import { findSituationById, type SituationRecord } from '../situations/service.ts';
import { type AlertPayload, type DigestPayload, subscriberMayRead } from './service.ts';
import { alertSettingsFromEnv } from './settings.ts';
import { postWebhook, WebhookRefusedError } from './webhook.ts';

export interface DeliveryOptions {
  /** An SMTP URL (smtp://user:pass@host:port); without it e-mail rows fail and are retried. */
  smtpUrl?: string | null;
  mailFrom?: string;
  /** Per send. Default 10 s. */
  timeoutMs?: number;
  /** Failures before a row is dead. Default 8. */
  maxAttempts?: number;
  /** The first retry waits this long, then twice as long each time (capped at an hour). Default 30 s. */
  backoffMs?: number;
  /** How long a claim lasts before another worker may take the row again. Default 5 min. */
  leaseMs?: number;
  batchSize?: number;
  /** The clock (tests move it instead of waiting). */
  now?: () => Date;
  /** VIGIL_WEBHOOK_ALLOW_PRIVATE: webhooks may reach private, loopback and link-local addresses. */
  webhookAllowPrivate?: boolean;
  /** How webhook hosts are resolved (tests answer for made-up names). */
  resolver?: Resolver;
}

export interface DeliveryRow {
  id: string;
  subscription_id: string;
  /** Null for a digest. */
  alert_id: string | null;
  event: 'opened' | 'resolved' | 'digest';
  idempotency_key: string;
  payload: AlertPayload | DigestPayload;
  attempts: number;
  channel: 'webhook' | 'email';
  target: string;
  secret: string | null;
  user_id: string;
  situation_id: string;
}

export interface DeliveryReport {
  claimed: number;
  done: number;
  retried: number;
  dead: number;
}

/** `sha256=<hex>` of HMAC-SHA256(secret, body): what X-Vigil-Signature carries. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Claims due rows (pending and due, or claimed by a worker whose lease ran out). */
export async function claimDue(
  db: Database,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<DeliveryRow[]> {
  // FOR UPDATE SKIP LOCKED lets several workers on PostgreSQL claim disjoint rows; PGlite has one process.
  return db.transaction((tx) =>
    tx.query<DeliveryRow>(
      `WITH due AS (
         SELECT id FROM alert_deliveries
         WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND claimed_until < $1)
         ORDER BY next_attempt_at, created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE alert_deliveries d SET status = 'sending', claimed_until = $2, attempts = d.attempts + 1
       FROM due, alert_subscriptions sub
       WHERE d.id = due.id AND sub.id = d.subscription_id
       RETURNING d.id, d.subscription_id, d.alert_id, d.event, d.idempotency_key, d.payload, d.attempts,
         sub.channel, sub.target, sub.secret, sub.user_id, sub.situation_id`,
      [now, new Date(now.getTime() + leaseMs), limit],
    ),
  );
}

export async function sendWebhook(row: DeliveryRow, options: DeliveryOptions): Promise<void> {
  const body = JSON.stringify(row.payload);
  const status = await postWebhook(
    row.target,
    {
      'content-type': 'application/json',
      'user-agent': 'Vigil-Alerts',
      'idempotency-key': row.idempotency_key,
      'x-vigil-event': row.event,
      'x-vigil-signature': signBody(row.secret ?? '', body),
    },
    body,
    {
      allowPrivate: options.webhookAllowPrivate ?? false,
      timeoutMs: options.timeoutMs ?? 10_000,
      ...(options.resolver ? { resolver: options.resolver } : {}),
    },
  );
  if (status < 200 || status >= 300) throw new Error(`webhook answered ${status}`);
}

const evidenceLines = (a: AlertPayload['alert']) =>
  a.evidence.map(
    (e) => `- ${e.kind} ${e.ref}${e.sources.length ? `: ${e.sources.map((s) => s.url).join(' ')}` : ''}`,
  );

export function emailText(payload: AlertPayload | DigestPayload): { subject: string; text: string } {
  if (payload.event === 'digest') return digestText(payload);
  const a = payload.alert;
  const verb = payload.event === 'opened' ? 'Alert' : 'Resolved';
  const lines = [
    `${verb} (${a.severity}) in ${a.situationSlug}: ${a.title}`,
    '',
    a.message,
    '',
    `Rule: ${a.ruleName} (${a.kind})`,
    `Condition since ${a.startsOn}; raised ${a.firedOn}; last held ${a.lastHeldOn}${a.endedOn ? `; ended ${a.endedOn}` : ''}`,
    '',
    'Evidence:',
    ...evidenceLines(a),
    '',
    `Alert ${a.id}; idempotency key ${payload.idempotencyKey}`,
  ];
  return { subject: `[Vigil ${a.severity}] ${verb}: ${a.title}`, text: lines.join('\n') };
}

const SEVERITY_ORDER = ['info', 'warning', 'critical'];

/** One message with a day's alert events, most severe first. */
export function digestText(payload: DigestPayload): { subject: string; text: string } {
  const items = [...payload.items].sort(
    (x, y) => SEVERITY_ORDER.indexOf(y.alert.severity) - SEVERITY_ORDER.indexOf(x.alert.severity),
  );
  const lines = [
    `Alerts of ${payload.situationSlug} on ${payload.day} (UTC): ${items.length}`,
    '',
    ...items.flatMap(({ event, alert: a }) => [
      `* ${event === 'opened' ? 'Raised' : 'Resolved'} (${a.severity}): ${a.title}`,
      `  ${a.message}`,
      `  Rule: ${a.ruleName} (${a.kind}); condition since ${a.startsOn}; raised ${a.firedOn}; last held ${a.lastHeldOn}${a.endedOn ? `; ended ${a.endedOn}` : ''}`,
      ...evidenceLines(a).map((l) => `  ${l}`),
      `  Alert ${a.id}`,
      '',
    ]),
    `Daily digest; idempotency key ${payload.idempotencyKey}`,
  ];
  return {
    subject: `[Vigil] Daily digest for ${payload.situationSlug}, ${payload.day}: ${items.length} alert ${items.length === 1 ? 'event' : 'events'}`,
    text: lines.join('\n'),
  };
}

export async function sendEmail(row: DeliveryRow, options: DeliveryOptions): Promise<void> {
  if (!options.smtpUrl) throw new Error('no SMTP server configured (VIGIL_SMTP_URL)');
  const timeout = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport(options.smtpUrl, {
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  } as never);
  try {
    const { subject, text } = emailText(row.payload);
    await transport.sendMail({
      from: options.mailFrom ?? 'Vigil <vigil@localhost>',
      to: row.target,
      subject,
      text,
      messageId: `<${row.idempotency_key}@vigil>`,
      headers: { 'X-Vigil-Idempotency-Key': row.idempotency_key },
    });
  } finally {
    transport.close();
  }
}

async function finish(db: Queryable, row: DeliveryRow, error: unknown, options: DeliveryOptions, now: Date) {
  if (!error) {
    await db.query(
      `UPDATE alert_deliveries SET status = 'done', delivered_at = $2, claimed_until = NULL, last_error = NULL
       WHERE id = $1`,
      [row.id, now],
    );
    return 'done' as const;
  }
  const message = error instanceof Error ? error.message : String(error);
  const max = options.maxAttempts ?? 8;
  if (row.attempts >= max) {
    await db.query(
      `UPDATE alert_deliveries SET status = 'dead', claimed_until = NULL, last_error = $2 WHERE id = $1`,
      [row.id, message.slice(0, 1000)],
    );
    return 'dead' as const;
  }
  const wait = Math.min((options.backoffMs ?? 30_000) * 2 ** (row.attempts - 1), 3_600_000);
  await db.query(
    `UPDATE alert_deliveries SET status = 'pending', claimed_until = NULL, last_error = $2, next_attempt_at = $3
     WHERE id = $1`,
    [row.id, message.slice(0, 1000), new Date(now.getTime() + wait)],
  );
  return 'retried' as const;
}

async function markDead(db: Queryable, id: string, reason: string): Promise<void> {
  await db.query(
    `UPDATE alert_deliveries SET status = 'dead', claimed_until = NULL, last_error = $2 WHERE id = $1`,
    [id, reason.slice(0, 1000)],
  );
}

/** One pass: claim due rows, send them concurrently, record each outcome. */
export async function deliverDue(db: Database, options: DeliveryOptions = {}): Promise<DeliveryReport> {
  const clock = options.now ?? (() => new Date());
  const rows = await claimDue(db, clock(), options.leaseMs ?? 300_000, options.batchSize ?? 50);
  const report: DeliveryReport = { claimed: rows.length, done: 0, retried: 0, dead: 0 };
  // Looked up once per pass: many rows share a situation and a subscriber.
  const situations = new Map<string, Promise<SituationRecord | null>>();
  const readers = new Map<string, Promise<boolean>>();
  await Promise.all(
    rows.map(async (row) => {
      let error: unknown = null;
      try {
        // The subscriber's right to read the situation is checked again at send time (a role, a membership
        // or the situation's visibility may have changed since the row was queued).
        if (!situations.has(row.situation_id))
          situations.set(row.situation_id, findSituationById(db, row.situation_id));
        const situation = await situations.get(row.situation_id)!;
        const alertPublic =
          row.payload.event === 'digest'
            ? row.payload.items.every((i) => i.alert.public)
            : row.payload.alert.public;
        const key = `${row.user_id}:${row.situation_id}:${alertPublic}`;
        if (situation && !readers.has(key))
          readers.set(key, subscriberMayRead(db, row.user_id, situation, alertPublic));
        if (!situation || !(await readers.get(key)!)) {
          await markDead(db, row.id, 'the subscriber may no longer read this situation');
          report.dead++;
          return;
        }
        if (row.channel === 'webhook') await sendWebhook(row, options);
        else await sendEmail(row, options);
      } catch (e) {
        if (e instanceof WebhookRefusedError) {
          // The address is not public (any more): nothing was sent, and retrying would not change that.
          await markDead(db, row.id, e.message);
          report.dead++;
          return;
        }
        error = e ?? new Error('failed');
      }
      report[await finish(db, row, error, options, clock())]++;
    }),
  );
  return report;
}

export interface DeliveryCounts {
  pending: number;
  sending: number;
  done: number;
  dead: number;
}

export async function deliveryCounts(db: Queryable): Promise<DeliveryCounts> {
  const rows = await db.query<{ status: keyof DeliveryCounts; n: number }>(
    'SELECT status, count(*)::int AS n FROM alert_deliveries GROUP BY status',
  );
  const counts: DeliveryCounts = { pending: 0, sending: 0, done: 0, dead: 0 };
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

/** Dead deliveries of the user's subscriptions (the dead-letter view), with what the page shows of them. */
export async function listDeadDeliveries(db: Queryable, userId: string) {
  return db.query<{
    id: string;
    subscription_id: string;
    alert_id: string;
    event: string;
    attempts: number;
    last_error: string | null;
    created_at: Date;
    channel: string;
    target: string | null;
    subscription_enabled: boolean;
    alert_title: string;
    situation_slug: string;
    situation_visibility: 'public' | 'private';
    situation_organisation_id: string | null;
  }>(
    `SELECT d.id, d.subscription_id, d.alert_id, d.event, d.attempts, d.last_error, d.created_at, sub.channel,
       sub.target, sub.enabled AS subscription_enabled, a.title AS alert_title, s.slug AS situation_slug,
       s.visibility AS situation_visibility, s.organisation_id AS situation_organisation_id
     FROM alert_deliveries d JOIN alert_subscriptions sub ON sub.id = d.subscription_id
       JOIN alerts a ON a.id = d.alert_id JOIN situations s ON s.id = a.situation_id
     WHERE d.status = 'dead' AND sub.user_id = $1 ORDER BY d.created_at DESC LIMIT 500`,
    [userId],
  );
}

/**
 * Sends a dead letter again: the row is queued as new (attempts from zero, due now) with the same payload
 * and idempotency key, so a receiver that did get it after all can tell. Only the owner of the
 * subscription may, only while it is enabled; whether they may still read the situation is checked again
 * when it is sent, as for every row.
 */
export async function retryDeadDelivery(
  db: Queryable,
  userId: string,
  deliveryId: string,
  now: Date = new Date(),
): Promise<'queued' | 'not-found' | 'not-dead' | 'disabled'> {
  const [row] = await db.query<{ status: string; enabled: boolean }>(
    `SELECT d.status, sub.enabled FROM alert_deliveries d
       JOIN alert_subscriptions sub ON sub.id = d.subscription_id
     WHERE d.id = $1 AND sub.user_id = $2`,
    [deliveryId, userId],
  );
  if (!row) return 'not-found';
  if (row.status !== 'dead') return 'not-dead';
  if (!row.enabled) return 'disabled';
  const updated = await db.query(
    `UPDATE alert_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $2, claimed_until = NULL
     WHERE id = $1 AND status = 'dead' RETURNING id`,
    [deliveryId, now],
  );
  return updated.length === 1 ? 'queued' : 'not-dead';
}

/** Runs `deliverDue` every `intervalMs` until stopped; `stop()` waits for the pass in progress. */
export function startDeliveryWorker(
  db: Database,
  options: DeliveryOptions & { intervalMs?: number; onError?: (error: unknown) => void } = {},
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = deliverDue(db, options)
      .then(() => undefined)
      .catch((error) => options.onError?.(error))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs ?? 5_000);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/** The worker's settings from the environment (VIGIL_SMTP_URL, VIGIL_MAIL_FROM, VIGIL_WEBHOOK_ALLOW_PRIVATE). */
export function deliveryOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DeliveryOptions {
  const settings = alertSettingsFromEnv(env);
  return {
    smtpUrl: settings.smtpUrl,
    mailFrom: settings.mailFrom,
    webhookAllowPrivate: settings.webhookAllowPrivate,
  };
}
