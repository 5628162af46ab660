// Campaign mail through a persistent outbox (campaign_outbox). A message is written in the same
// transaction as what caused it (a petition signature), so a crash loses none. Delivery claims one row
// with FOR UPDATE SKIP LOCKED, sends it, and marks it sent in that same transaction: a crash after the
// send and before the commit sends it again with the same Message-ID, which receivers use to drop the
// duplicate; no committed row is ever sent twice.
//
// The small interface (MailSender, OutgoingMail) is meant to be shared: the alerts module has its own
// outbox (src/alerts/); both could send through one sender later.
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Database, Queryable } from '../db/types.ts';

export interface OutgoingMail {
  /** The Message-ID header, without angle brackets; the same for every attempt. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  /** Where replies go (a letter sent on a supporter's behalf: the supporter). */
  replyTo?: string | null;
  /** The sender's display name instead of VIGIL_MAIL_FROM's, e.g. "Sam Example via Vigil campaign". */
  fromName?: string | null;
}

export interface MailSender {
  send(mail: OutgoingMail): Promise<void>;
  close?(): void;
}

export interface SmtpOptions {
  /** smtp://user:pass@host:port or smtps://… */
  url: string;
  from: string;
  timeoutMs?: number;
}

/** A sender through an SMTP server (nodemailer); one pooled connection. */
export function smtpSender(options: SmtpOptions): MailSender {
  const timeout = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport(options.url, {
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  } as never);
  // The address of VIGIL_MAIL_FROM ("Vigil <vigil@example.org>" or a bare address), for other display names.
  const fromAddress = /<([^>]+)>/.exec(options.from)?.[1] ?? options.from.trim();
  return {
    async send(mail) {
      await transport.sendMail({
        from: mail.fromName ? { name: mail.fromName, address: fromAddress } : options.from,
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: `<${mail.messageId}>`,
      });
    },
    close: () => transport.close(),
  };
}

export interface QueuedMail {
  kind: string;
  to: string;
  subject: string;
  text: string;
  supporterId?: string | null;
  replyTo?: string | null;
  fromName?: string | null;
  /** Not sent before this time (a scheduled message, e.g. the "did they reply?" question). */
  notBefore?: Date;
}

/** Writes a message to the outbox (call inside the transaction that causes it). */
export async function enqueueMail(
  tx: Queryable,
  mail: QueuedMail,
): Promise<{ id: string; messageId: string }> {
  const messageId = `${randomUUID()}@vigil.campaigns`;
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO campaign_outbox (message_id, kind, to_address, subject, body, supporter_id, reply_to, from_name,
       next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9, now())) RETURNING id`,
    [
      messageId,
      mail.kind,
      mail.to,
      mail.subject,
      mail.text,
      mail.supporterId ?? null,
      mail.replyTo ?? null,
      mail.fromName ?? null,
      mail.notBefore ?? null,
    ],
  );
  return { id: row!.id, messageId };
}

export interface DeliveryResult {
  sent: number;
  failed: number;
}

/** Backoff after a failed attempt: 1, 2, 4 … minutes, at most a day. */
const backoffMs = (attempts: number) => Math.min(2 ** Math.max(0, attempts - 1) * 60_000, 86_400_000);

/** Sends what is due, one message per transaction; returns when nothing due is left (or after `limit`). */
export async function deliverOutbox(
  db: Database,
  sender: MailSender,
  options: { limit?: number; maxAttempts?: number; now?: Date } = {},
): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: 0, failed: 0 };
  // The clock that decides what is due (tests move it forward instead of waiting).
  const due = options.now ?? null;
  const limit = options.limit ?? 100;
  const maxAttempts = options.maxAttempts ?? 10;
  for (let i = 0; i < limit; i++) {
    const outcome = await db.transaction(async (tx) => {
      const [row] = await tx.query<{
        id: string;
        message_id: string;
        to_address: string;
        subject: string;
        body: string;
        attempts: number;
        reply_to: string | null;
        from_name: string | null;
      }>(
        `SELECT id, message_id, to_address, subject, body, attempts, reply_to, from_name FROM campaign_outbox
         WHERE sent_at IS NULL AND next_attempt_at <= COALESCE($2::timestamptz, now()) AND attempts < $1
         ORDER BY next_attempt_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [maxAttempts, due],
      );
      if (!row) return 'none' as const;
      try {
        await sender.send({
          messageId: row.message_id,
          to: row.to_address,
          subject: row.subject,
          text: row.body,
          replyTo: row.reply_to,
          fromName: row.from_name,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await tx.query(
          `UPDATE campaign_outbox SET attempts = attempts + 1, last_error = $2,
             next_attempt_at = COALESCE($4::timestamptz, now()) + ($3::integer * interval '1 millisecond')
           WHERE id = $1`,
          [row.id, message.slice(0, 1000), backoffMs(row.attempts + 1), due],
        );
        return 'failed' as const;
      }
      await tx.query(
        'UPDATE campaign_outbox SET attempts = attempts + 1, sent_at = now(), last_error = NULL WHERE id = $1',
        [row.id],
      );
      return 'sent' as const;
    });
    if (outcome === 'none') break;
    result[outcome]++;
  }
  return result;
}

export async function outboxStatus(
  db: Queryable,
): Promise<{ pending: number; sent: number; failing: number }> {
  const [row] = await db.query<{ pending: number; sent: number; failing: number }>(
    `SELECT count(*) FILTER (WHERE sent_at IS NULL)::integer AS pending,
       count(*) FILTER (WHERE sent_at IS NOT NULL)::integer AS sent,
       count(*) FILTER (WHERE sent_at IS NULL AND last_error IS NOT NULL)::integer AS failing
     FROM campaign_outbox`,
  );
  return row ?? { pending: 0, sent: 0, failing: 0 };
}

/** SMTP settings from the environment, shared with alerts: VIGIL_SMTP_URL, VIGIL_MAIL_FROM. */
export function smtpOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SmtpOptions | null {
  if (!env.VIGIL_SMTP_URL) return null;
  return { url: env.VIGIL_SMTP_URL, from: env.VIGIL_MAIL_FROM || 'Vigil <vigil@localhost>' };
}

/**
 * Delivers the outbox every `intervalMs` until stopped (for `vigil serve`). Without a sender, mail
 * waits in the outbox; nothing is lost.
 */
export function startCampaignMail(
  db: Database,
  sender: MailSender,
  options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = deliverOutbox(db, sender)
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
      sender.close?.();
    },
  };
}
