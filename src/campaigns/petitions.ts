// Petitions with email double opt-in, and supporters' data: minimal, exportable (OSDI field names, CSV
// and JSON) and erased on request. Signing and confirming are public (public situations, active
// campaigns); export and erasure need `campaign.write`.
import { randomUUID } from 'node:crypto';
import { type Actor, can, requirePermission } from '../auth/permissions.ts';
import type { Database, Queryable } from '../db/types.ts';
import { AppError, NotFoundError, ValidationError } from '../lib/errors.ts';
import { enqueueMail } from './mail.ts';
import type { OsdiPerson, SignatureCreate } from './schema.ts';
import { activePublicCampaign } from './service.ts';
import { CONFIRMATION_TTL_MS, signToken, verifyToken } from './tokens.ts';

export const CONFIRM_PURPOSE = 'confirm-signature';
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Creates or updates the supporter with this (lower-cased) address; given fields replace stored ones. */
export async function upsertSupporter(
  tx: Queryable,
  input: {
    email: string;
    givenName?: string | undefined;
    familyName?: string | undefined;
    region?: string | undefined;
    postalCode?: string | undefined;
    country?: string | undefined;
  },
): Promise<{ id: string }> {
  const [supporter] = await tx.query<{ id: string }>(
    `INSERT INTO supporters (email, given_name, family_name, region, postal_code, country)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (email) DO UPDATE SET
       given_name = COALESCE(EXCLUDED.given_name, supporters.given_name),
       family_name = COALESCE(EXCLUDED.family_name, supporters.family_name),
       region = COALESCE(EXCLUDED.region, supporters.region),
       postal_code = COALESCE(EXCLUDED.postal_code, supporters.postal_code),
       country = COALESCE(EXCLUDED.country, supporters.country), updated_at = now()
     RETURNING id`,
    [
      input.email,
      input.givenName?.trim() || null,
      input.familyName?.trim() || null,
      input.region?.trim() || null,
      input.postalCode?.trim() || null,
      input.country?.toUpperCase() ?? null,
    ],
  );
  return supporter!;
}

export class TokenError extends AppError {
  /** `what`: a signature's confirmation link (the default) or another e-mailed link (letters, replies). */
  constructor(reason: 'forged' | 'expired', what: 'signature' | 'link' = 'signature') {
    super(
      400,
      what === 'signature' ? 'Invalid confirmation link' : 'Invalid link',
      reason === 'expired'
        ? what === 'signature'
          ? 'this confirmation link has expired; sign again to receive a new one'
          : 'this link has expired'
        : what === 'signature'
          ? 'this confirmation link is not valid'
          : 'this link is not valid',
    );
  }
}

export interface SignOptions {
  secret: Buffer;
  /** Where the supporter confirms, e.g. https://vigil.example.org/confirm?token= (the token is appended). */
  confirmUrl: string;
  now?: number;
}

/**
 * Records a pending signature and queues its confirmation email, in one statement. The answer is the
 * same whether or not the address signed before; an address already confirmed gets no new email.
 */
export async function signPetition(
  db: Database,
  slug: string,
  input: SignatureCreate,
  options: SignOptions,
): Promise<{ queued: boolean }> {
  const campaign = await activePublicCampaign(db, slug);
  if (campaign.petitionText === null) throw new NotFoundError(`petition of campaign ${slug}`);
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw ValidationError.field('email', 'is not an email address');
  const now = options.now ?? Date.now();
  const mailFor = (signatureId: string) => {
    const token = signToken(options.secret, {
      purpose: CONFIRM_PURPOSE,
      subject: signatureId,
      expires: now + CONFIRMATION_TTL_MS,
    });
    return {
      subject: `Confirm your signature: ${campaign.title}`,
      text: [
        `Someone (we hope you) signed the petition "${campaign.title}" with this address.`,
        '',
        `The ask: ${campaign.ask}`,
        '',
        'To confirm your signature, open this link within 7 days:',
        `${options.confirmUrl}${encodeURIComponent(token)}`,
        '',
        'If you did not sign, ignore this message: nothing is counted without confirmation.',
        '',
        `Confirmation code (if the link does not open): ${token}`,
      ].join('\n'),
    };
  };
  // One statement for the usual case (a new signature): the supporter, the signature and its confirmation
  // mail are written together or not at all. The signature's id is chosen here so that the mail's token
  // can name it; a repeat keeps its row (and id), and gets a new mail below unless already confirmed.
  const newId = randomUUID();
  const mail = mailFor(newId);
  const [row] = await db.query<{ id: string; supporter_id: string; confirmed_at: Date | null }>(
    `WITH supporter AS (
       INSERT INTO supporters (email, given_name, family_name, region, postal_code, country)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (email) DO UPDATE SET
         given_name = COALESCE(EXCLUDED.given_name, supporters.given_name),
         family_name = COALESCE(EXCLUDED.family_name, supporters.family_name),
         region = COALESCE(EXCLUDED.region, supporters.region),
         postal_code = COALESCE(EXCLUDED.postal_code, supporters.postal_code),
         country = COALESCE(EXCLUDED.country, supporters.country), updated_at = now()
       RETURNING id),
     signature AS (
       INSERT INTO petition_signatures (id, campaign_id, supporter_id, comment)
       SELECT $7, $8, supporter.id, $9 FROM supporter
       ON CONFLICT (campaign_id, supporter_id)
         DO UPDATE SET comment = COALESCE(EXCLUDED.comment, petition_signatures.comment)
       RETURNING id, supporter_id, confirmed_at),
     mail AS (
       INSERT INTO campaign_outbox (message_id, kind, to_address, subject, body, supporter_id)
       SELECT $10, 'petition-confirmation', $1, $11, $12, signature.supporter_id FROM signature
       WHERE signature.id = $7
       RETURNING id)
     SELECT signature.id, signature.supporter_id, signature.confirmed_at FROM signature`,
    [
      email,
      input.givenName?.trim() || null,
      input.familyName?.trim() || null,
      input.region?.trim() || null,
      input.postalCode?.trim() || null,
      input.country?.toUpperCase() ?? null,
      newId,
      campaign.id,
      input.comment?.trim() || null,
      `${randomUUID()}@vigil.campaigns`,
      mail.subject,
      mail.text,
    ],
  );
  if (!row) throw new Error('signature not stored');
  if (row.id === newId) return { queued: true };
  if (row.confirmed_at) return { queued: false };
  // A repeat of a signature not yet confirmed: the link again (its row and id unchanged).
  const again = mailFor(row.id);
  await enqueueMail(db, {
    kind: 'petition-confirmation',
    to: email,
    subject: again.subject,
    text: again.text,
    supporterId: row.supporter_id,
  });
  return { queued: true };
}

/** Confirms a signature from its token; idempotent (a second confirmation changes nothing). */
export async function confirmSignature(
  db: Database,
  token: string,
  options: { secret: Buffer; now?: number },
): Promise<{ campaign: string; alreadyConfirmed: boolean; signatureCount: number }> {
  const check = verifyToken(options.secret, token, CONFIRM_PURPOSE, options.now);
  if (!check.ok) throw new TokenError(check.reason);
  const updated = await db.transaction(async (tx) => {
    const rows = await tx.query<{ campaign_id: string; slug: string; was: Date | null }>(
      `UPDATE petition_signatures p SET confirmed_at = COALESCE(p.confirmed_at, now())
       FROM petition_signatures old JOIN campaigns c ON c.id = old.campaign_id
       WHERE p.id = $1 AND old.id = p.id
       RETURNING p.campaign_id, c.slug, old.confirmed_at AS was`,
      [check.payload.subject],
    );
    return rows[0] ?? null;
  });
  // A valid token whose signature is gone: the supporter was erased meanwhile.
  if (!updated) throw new NotFoundError('signature');
  return {
    campaign: updated.slug,
    alreadyConfirmed: updated.was !== null,
    signatureCount: await signatureCount(db, updated.campaign_id),
  };
}

export async function signatureCount(db: Database, campaignId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::integer AS n FROM petition_signatures WHERE campaign_id = $1 AND confirmed_at IS NOT NULL',
    [campaignId],
  );
  return row?.n ?? 0;
}

interface SupporterRow {
  id: string;
  email: string;
  given_name: string | null;
  family_name: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
  created_at: Date;
  updated_at: Date;
  signatures: { campaign: string; created_date: string; confirmed_date: string | null }[] | null;
  letters: OsdiPerson['vigil:letters'] | null;
}

/** Supporters as OSDI people; `email` limits the export to one person (a subject access request). */
export async function exportSupporters(db: Database, actor: Actor, email?: string): Promise<OsdiPerson[]> {
  requirePermission(actor, 'campaign.write');
  // An organiser exports the supporters of the campaigns of situations they act in (the installation's own and
  // their organisations'), with only those campaigns' actions; admins and the terminal operator export all.
  const scope = organisationScope(actor);
  const params: unknown[] = [scope];
  const visible = `(c.situation_id IN (SELECT id FROM situations
      WHERE $1::uuid[] IS NULL OR organisation_id IS NULL OR organisation_id = ANY($1::uuid[])))`;
  const where = [
    `($1::uuid[] IS NULL OR EXISTS (SELECT 1 FROM petition_signatures p JOIN campaigns c ON c.id = p.campaign_id
        WHERE p.supporter_id = s.id AND ${visible})
      OR EXISTS (SELECT 1 FROM campaign_letters l JOIN campaigns c ON c.id = l.campaign_id
        WHERE l.supporter_id = s.id AND ${visible}))`,
  ];
  if (email) {
    params.push(email.trim().toLowerCase());
    where.push('s.email = $2');
  }
  const rows = await db.query<SupporterRow>(
    `SELECT s.*,
       (SELECT jsonb_agg(jsonb_build_object('campaign', c.slug,
          'created_date', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
          'confirmed_date', to_char(p.confirmed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) ORDER BY p.created_at)
        FROM petition_signatures p JOIN campaigns c ON c.id = p.campaign_id
        WHERE p.supporter_id = s.id AND ${visible}) AS signatures,
       (SELECT jsonb_agg(jsonb_build_object('campaign', c.slug, 'target', o.name, 'route', l.route,
          'created_date', to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
          'confirmed_date', to_char(l.confirmed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) ORDER BY l.created_at)
        FROM campaign_letters l JOIN campaigns c ON c.id = l.campaign_id JOIN officials o ON o.id = l.official_id
        WHERE l.supporter_id = s.id AND ${visible}) AS letters
     FROM supporters s WHERE ${where.join(' AND ')} ORDER BY s.created_at, s.id`,
    params,
  );
  return rows.map((r) => {
    const confirmed = [...(r.signatures ?? []), ...(r.letters ?? [])].some((s) => s.confirmed_date);
    return {
      identifiers: [`vigil:${r.id}`],
      given_name: r.given_name,
      family_name: r.family_name,
      email_addresses: [
        { address: r.email, primary: true, status: confirmed ? 'subscribed' : 'unconfirmed' },
      ],
      postal_addresses:
        r.region || r.postal_code || r.country
          ? [{ region: r.region, postal_code: r.postal_code, country: r.country }]
          : [],
      created_date: r.created_at.toISOString(),
      modified_date: r.updated_at.toISOString(),
      'vigil:signatures': r.signatures ?? [],
      'vigil:letters': r.letters ?? [],
    };
  });
}

export const OSDI_CSV_COLUMNS = [
  'identifier',
  'given_name',
  'family_name',
  'email_address',
  'email_status',
  'region',
  'postal_code',
  'country',
  'created_date',
  'modified_date',
  'signed_campaigns',
] as const;

const csvCell = (v: string | null) => {
  const text = v ?? '';
  // A leading = + - @ would be run as a formula by spreadsheets.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export function supportersCsv(people: OsdiPerson[]): string {
  const lines = [OSDI_CSV_COLUMNS.join(',')];
  for (const p of people) {
    const email = p.email_addresses[0];
    const postal = p.postal_addresses[0];
    lines.push(
      [
        p.identifiers[0] ?? '',
        p.given_name,
        p.family_name,
        email?.address ?? '',
        email?.status ?? '',
        postal?.region ?? null,
        postal?.postal_code ?? null,
        postal?.country ?? null,
        p.created_date,
        p.modified_date,
        p['vigil:signatures'].map((s) => s.campaign).join(' '),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Erases a supporter: their row, signatures (counts drop accordingly) and their mail in the outbox. Their
 * letters stay as anonymous counts (which official, which route, the reply answers): the text waiting
 * for confirmation and the name go, and the letter no longer points to them.
 */
export async function eraseSupporter(
  db: Database,
  actor: Actor,
  email: string,
): Promise<{ erased: boolean }> {
  requirePermission(actor, 'campaign.write');
  const address = email.trim().toLowerCase();
  return db.transaction(async (tx) => {
    await tx.query(
      `UPDATE campaign_letters SET pending_subject = NULL, pending_body = NULL, pending_sender_name = NULL
       WHERE supporter_id IN (SELECT id FROM supporters WHERE email = $1)`,
      [address],
    );
    const rows = await tx.query<{ id: string }>('DELETE FROM supporters WHERE email = $1 RETURNING id', [
      address,
    ]);
    // Queued messages to the address go too (supporter_id cascades; this catches any without one).
    await tx.query('DELETE FROM campaign_outbox WHERE to_address = $1', [address]);
    return { erased: rows.length > 0 };
  });
}

/**
 * Data minimisation: signatures never confirmed within the link's lifetime are deleted, e-mail letters
 * never confirmed lose their text, and supporters left with no signature and no letter are deleted.
 * Returns how many signatures and supporters.
 */
export async function purgeUnconfirmed(
  db: Database,
  now = Date.now(),
): Promise<{ signatures: number; supporters: number }> {
  const cutoff = new Date(now - CONFIRMATION_TTL_MS);
  return db.transaction(async (tx) => {
    const signatures = await tx.query(
      'DELETE FROM petition_signatures WHERE confirmed_at IS NULL AND created_at < $1 RETURNING id',
      [cutoff],
    );
    await tx.query(
      `UPDATE campaign_letters SET pending_subject = NULL, pending_body = NULL, pending_sender_name = NULL,
         supporter_id = NULL
       WHERE confirmed_at IS NULL AND created_at < $1`,
      [cutoff],
    );
    const supporters = await tx.query(
      `DELETE FROM supporters s WHERE s.created_at < $1
         AND NOT EXISTS (SELECT 1 FROM petition_signatures p WHERE p.supporter_id = s.id)
         AND NOT EXISTS (SELECT 1 FROM campaign_letters l WHERE l.supporter_id = s.id) RETURNING id`,
      [cutoff],
    );
    return { signatures: signatures.length, supporters: supporters.length };
  });
}

/** The organisation ids an actor's export is limited to, or null for no limit (admins, the terminal operator). */
function organisationScope(actor: Actor): string[] | null {
  if (actor.kind !== 'user') return [];
  if (can(actor, 'organisation.manage')) return null;
  const scope = actor.organisations ?? [];
  return scope === 'all' ? null : [...scope];
}
