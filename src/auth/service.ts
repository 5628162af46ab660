// Users, sessions and API tokens.
import type { Database, Queryable } from '../db/types.ts';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../lib/errors.ts';
import { randomToken, sha256Hex } from '../lib/tokens.ts';
import { checkPasswordPolicy, decoyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import { type Actor, isRole, ROLES, type Role, type UserIdentity } from './permissions.ts';

export const SESSION_DAYS = 14;
const API_TOKEN_PREFIX = 'vgl_';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(email: string, field = 'email'): string {
  const normal = email.trim().toLowerCase();
  if (!EMAIL.test(normal) || normal.length > 254)
    throw ValidationError.field(field, 'is not an e-mail address');
  return normal;
}

interface UserRow {
  id: string;
  email: string;
  role: Role;
  password_hash: string;
  disabled_at: Date | null;
}

const identity = (row: Pick<UserRow, 'id' | 'email' | 'role'>): UserIdentity => ({
  id: row.id,
  email: row.email,
  role: row.role,
});

export async function createUser(
  db: Queryable,
  input: { email: string; password: string; role: string },
): Promise<UserIdentity> {
  const email = normaliseEmail(input.email);
  if (!isRole(input.role)) throw ValidationError.field('role', `must be one of ${ROLES.join(', ')}`);
  checkPasswordPolicy(input.password);
  const passwordHash = await hashPassword(input.password);
  const rows = await db.query<UserRow>(
    `INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3)
     ON CONFLICT (email) DO NOTHING RETURNING id, email, role`,
    [email, passwordHash, input.role],
  );
  if (!rows[0]) throw new ConflictError(`a user with e-mail ${email} already exists`);
  return identity(rows[0]);
}

export async function listUsers(db: Queryable): Promise<(UserIdentity & { createdAt: Date })[]> {
  const rows = await db.query<UserRow & { created_at: Date }>(
    'SELECT id, email, role, created_at FROM users ORDER BY email',
  );
  return rows.map((row) => ({ ...identity(row), createdAt: row.created_at }));
}

export async function hasAdmin(db: Queryable): Promise<boolean> {
  const rows = await db.query("SELECT 1 FROM users WHERE role = 'admin' AND disabled_at IS NULL LIMIT 1");
  return rows.length > 0;
}

async function findUser(db: Queryable, email: string): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>(
    'SELECT id, email, role, password_hash, disabled_at FROM users WHERE email = $1',
    [email.trim().toLowerCase()],
  );
  return rows[0];
}

/** Checks e-mail and password; the same error (and about the same time) for an unknown e-mail. */
export async function authenticate(db: Queryable, email: string, password: string): Promise<UserIdentity> {
  const user = await findUser(db, email);
  const ok = await verifyPassword(user?.password_hash ?? (await decoyPasswordHash()), password);
  if (!user || !ok || user.disabled_at) throw new UnauthorizedError('e-mail or password is wrong');
  return identity(user);
}

export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(db: Queryable, userId: string): Promise<NewSession> {
  const token = randomToken();
  const csrfToken = randomToken();
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  await db.query('DELETE FROM sessions WHERE user_id = $1 AND expires_at < now()', [userId]);
  await db.query(
    'INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)',
    [sha256Hex(token), userId, csrfToken, expiresAt],
  );
  return { token, csrfToken, expiresAt };
}

// The ids of the user's organisations, read in the same query that resolves the session or token, so a
// request costs one round trip (docs/organisations.md).
const ORGANISATION_IDS = `ARRAY(SELECT m.organisation_id::text FROM organisation_members m
  WHERE m.user_id = u.id ORDER BY 1)::text[] AS organisation_ids`;

/** A signed-in user and the organisations they are a member of (by id). */
export interface AuthenticatedUser {
  user: UserIdentity;
  organisations: string[];
}

export async function resolveSession(
  db: Queryable,
  token: string,
): Promise<(AuthenticatedUser & { csrfToken: string }) | null> {
  const rows = await db.query<UserRow & { csrf_token: string; organisation_ids: string[] }>(
    `SELECT u.id, u.email, u.role, s.csrf_token, ${ORGANISATION_IDS} FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [sha256Hex(token)],
  );
  const row = rows[0];
  return row ? { user: identity(row), organisations: row.organisation_ids, csrfToken: row.csrf_token } : null;
}

/**
 * A user as an actor, with their memberships: for work done on a user's behalf outside a request (alert
 * delivery checks each subscriber this way). Null for an unknown or disabled user.
 */
export async function actorForUser(db: Queryable, userId: string): Promise<Actor | null> {
  const rows = await db.query<UserRow & { organisation_ids: string[] }>(
    `SELECT u.id, u.email, u.role, ${ORGANISATION_IDS} FROM users u WHERE u.id = $1 AND u.disabled_at IS NULL`,
    [userId],
  );
  const row = rows[0];
  return row
    ? { kind: 'user', user: identity(row), via: 'token', organisations: row.organisation_ids }
    : null;
}

/** The user with this e-mail (any case), or null. */
export async function findUserByEmail(db: Queryable, email: string): Promise<UserIdentity | null> {
  const user = await findUser(db, email);
  return user ? identity(user) : null;
}

export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [sha256Hex(token)]);
}

/** Changes the password and ends every other session of the user. */
export async function changePassword(
  db: Database,
  userId: string,
  currentPassword: string,
  newPassword: string,
  keepSessionToken: string | null,
): Promise<void> {
  checkPasswordPolicy(newPassword, 'newPassword');
  const rows = await db.query<UserRow>('SELECT password_hash FROM users WHERE id = $1', [userId]);
  if (!rows[0] || !(await verifyPassword(rows[0].password_hash, currentPassword))) {
    throw ValidationError.field('currentPassword', 'is not your current password');
  }
  const passwordHash = await hashPassword(newPassword);
  await db.transaction(async (tx) => {
    await tx.query('UPDATE users SET password_hash = $1, updated_at = now() WHERE id = $2', [
      passwordHash,
      userId,
    ]);
    await tx.query('DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2', [
      userId,
      keepSessionToken ? sha256Hex(keepSessionToken) : '',
    ]);
  });
}

export interface NewApiToken {
  id: string;
  token: string;
  prefix: string;
}

export async function createApiToken(db: Queryable, email: string, name: string): Promise<NewApiToken> {
  const user = await findUser(db, email);
  if (!user) throw new NotFoundError(`user ${email}`);
  const token = API_TOKEN_PREFIX + randomToken();
  const prefix = token.slice(0, API_TOKEN_PREFIX.length + 8);
  const rows = await db.query<{ id: string }>(
    'INSERT INTO api_tokens (user_id, name, token_hash, token_prefix) VALUES ($1, $2, $3, $4) RETURNING id',
    [user.id, name, sha256Hex(token), prefix],
  );
  return { id: rows[0]!.id, token, prefix };
}

export async function resolveApiToken(db: Queryable, token: string): Promise<AuthenticatedUser | null> {
  const rows = await db.query<UserRow & { organisation_ids: string[] }>(
    `UPDATE api_tokens t SET last_used_at = now() FROM users u
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.id = t.user_id AND u.disabled_at IS NULL
     RETURNING u.id, u.email, u.role, ${ORGANISATION_IDS}`,
    [sha256Hex(token)],
  );
  const row = rows[0];
  return row ? { user: identity(row), organisations: row.organisation_ids } : null;
}

/** Revokes a token given as the token itself, its id, or its printed prefix. */
export async function revokeApiToken(db: Queryable, tokenOrIdOrPrefix: string): Promise<number> {
  const value = tokenOrIdOrPrefix.trim();
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
  const rows = await db.query(
    `UPDATE api_tokens SET revoked_at = now()
     WHERE revoked_at IS NULL AND (token_hash = $1 OR token_prefix = $2 OR ($3::uuid IS NOT NULL AND id = $3::uuid))
     RETURNING id`,
    [sha256Hex(value), value, isUuid ? value : null],
  );
  return rows.length;
}

export async function listApiTokens(
  db: Queryable,
  email: string,
): Promise<
  {
    id: string;
    name: string;
    prefix: string;
    createdAt: Date;
    lastUsedAt: Date | null;
    revokedAt: Date | null;
  }[]
> {
  const rows = await db.query<{
    id: string;
    name: string;
    token_prefix: string;
    created_at: Date;
    last_used_at: Date | null;
    revoked_at: Date | null;
  }>(
    `SELECT t.id, t.name, t.token_prefix, t.created_at, t.last_used_at, t.revoked_at
     FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1 ORDER BY t.created_at`,
    [email.trim().toLowerCase()],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.token_prefix,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}
