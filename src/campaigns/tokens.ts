// Signed, expiring confirmation tokens (HMAC-SHA256 with a server secret kept in the key folder of the
// data directory, never in the repository or the database).
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { safeEqual } from '../lib/tokens.ts';

export const SECRET_FILE = 'campaign-hmac.key';
/** How long a confirmation link stays valid. */
export const CONFIRMATION_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * The secret in `<keyDir>/campaign-hmac.key`, created (32 random bytes, mode 0600) the first time. With no
 * key folder, a secret for this process only: links sent before a restart then no longer confirm.
 */
export function loadOrCreateSecret(keyDir: string | null): Buffer {
  if (!keyDir) return randomBytes(32);
  const file = join(keyDir, SECRET_FILE);
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

export interface TokenPayload {
  /** What the token may do, e.g. 'confirm-signature'. */
  purpose: string;
  /** The record it is for (a signature id). */
  subject: string;
  /** Expiry, milliseconds since the epoch. */
  expires: number;
}

const mac = (secret: Buffer, body: string) => createHmac('sha256', secret).update(body).digest('base64url');

export function signToken(secret: Buffer, payload: TokenPayload): string {
  const body = Buffer.from(JSON.stringify([payload.purpose, payload.subject, payload.expires])).toString(
    'base64url',
  );
  return `${body}.${mac(secret, body)}`;
}

export type TokenCheck = { ok: true; payload: TokenPayload } | { ok: false; reason: 'forged' | 'expired' };

/** Checks the signature first (a forged token says nothing), then the purpose and the expiry. */
export function verifyToken(secret: Buffer, token: string, purpose: string, now = Date.now()): TokenCheck {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined || !safeEqual(signature, mac(secret, body)))
    return { ok: false, reason: 'forged' };
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'forged' };
  }
  if (
    !Array.isArray(parts) ||
    parts.length !== 3 ||
    parts[0] !== purpose ||
    typeof parts[1] !== 'string' ||
    typeof parts[2] !== 'number'
  )
    return { ok: false, reason: 'forged' };
  if (parts[2] <= now) return { ok: false, reason: 'expired' };
  return { ok: true, payload: { purpose: parts[0], subject: parts[1], expires: parts[2] } };
}
