// The installation's Ed25519 signing key (`vigil keys init`, `vigil keys rotate`): it signs custody
// checkpoints and the manifests of export bundles. The private key never leaves VIGIL_KEY_DIR; the public
// key is also kept in the database, served at /api/v1/custody/keys and shipped in every bundle. A rotated
// key's public half is kept, so what it signed stays checkable.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queryable } from '../db/types.ts';
import { ConflictError } from '../lib/errors.ts';

export const PRIVATE_KEY_FILE = 'vigil-ed25519.key';
export const PUBLIC_KEY_FILE = 'vigil-ed25519.pub.pem';
/** Keys replaced by `vigil keys rotate`: <keyId>.pub.pem (kept to check what they signed) and <keyId>.key. */
export const RETIRED_DIR = 'retired';

export interface Signer {
  keyId: string;
  /** SHA-256 of the public key (DER, SubjectPublicKeyInfo): what a third party compares. */
  fingerprint: string;
  publicKeyPem: string;
  sign(data: Buffer | string): Buffer;
}

export function fingerprintOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** A key's short id: the first 16 hex digits of its fingerprint. */
export function keyIdOf(publicKey: KeyObject): string {
  return fingerprintOf(publicKey).slice(0, 16);
}

function signerFrom(privateKey: KeyObject): Signer {
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: keyIdOf(publicKey),
    fingerprint: fingerprintOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (data) => sign(null, typeof data === 'string' ? Buffer.from(data) : data, privateKey),
  };
}

/** Creates the key pair; refuses to replace an existing key (checkpoints and bundles refer to it). */
export async function initKeys(db: Queryable, keyDir: string): Promise<Signer> {
  const privatePath = join(keyDir, PRIVATE_KEY_FILE);
  if (existsSync(privatePath)) {
    throw new ConflictError(
      `a signing key already exists in ${keyDir}; it is kept (it signed earlier checkpoints). ` +
        'To replace it, run `vigil keys rotate`',
    );
  }
  return writeNewKey(db, keyDir);
}

async function writeNewKey(db: Queryable, keyDir: string): Promise<Signer> {
  const privatePath = join(keyDir, PRIVATE_KEY_FILE);
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
    flag: 'wx',
  });
  const signer = signerFrom(privateKey);
  writeFileSync(join(keyDir, PUBLIC_KEY_FILE), signer.publicKeyPem, { mode: 0o644 });
  await registerPublicKey(db, signer);
  return signer;
}

export async function registerPublicKey(db: Queryable, signer: Pick<Signer, 'keyId' | 'publicKeyPem'>) {
  await db.query(
    'INSERT INTO signing_keys (id, public_key_pem) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
    [signer.keyId, signer.publicKeyPem],
  );
}

/**
 * Replaces the signing key. The old public key stays valid for what it signed: it is kept in the database
 * (marked retired) and in <keyDir>/retired/<keyId>.pub.pem; the old private key is moved next to it
 * (mode 0600) for the operator to take offline or destroy. Returns the old and the new signer.
 */
export async function rotateKeys(
  db: Queryable,
  keyDir: string,
): Promise<{ retired: Signer; current: Signer }> {
  const retired = loadSigner(keyDir);
  if (!retired) throw new ConflictError(`no signing key in ${keyDir}: run \`vigil keys init\` first`);
  await registerPublicKey(db, retired);
  const retiredDir = join(keyDir, RETIRED_DIR);
  mkdirSync(retiredDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(retiredDir, `${retired.keyId}.pub.pem`), retired.publicKeyPem, { mode: 0o644 });
  renameSync(join(keyDir, PRIVATE_KEY_FILE), join(retiredDir, `${retired.keyId}.key`));
  const current = await writeNewKey(db, keyDir);
  await db.query('UPDATE signing_keys SET retired_at = now() WHERE id = $1 AND retired_at IS NULL', [
    retired.keyId,
  ]);
  return { retired, current };
}

export interface PublicKeyInfo {
  keyId: string;
  algorithm: 'Ed25519';
  fingerprintSha256: string;
  publicKeyPem: string;
  createdAt: string;
  retiredAt: string | null;
  current: boolean;
}

/** Every public key that signed checkpoints or bundles here, oldest first, the current one marked. */
export async function listPublicKeys(db: Queryable, keyDir: string | null): Promise<PublicKeyInfo[]> {
  const rows = await db.query<{
    id: string;
    public_key_pem: string;
    created_at: Date;
    retired_at: Date | null;
  }>('SELECT id, public_key_pem, created_at, retired_at FROM signing_keys ORDER BY created_at, id');
  const currentId =
    keyDir && existsSync(join(keyDir, PUBLIC_KEY_FILE))
      ? keyIdOf(createPublicKey(readFileSync(join(keyDir, PUBLIC_KEY_FILE))))
      : null;
  return rows.flatMap((row) => {
    const key = createPublicKey(row.public_key_pem);
    if (keyIdOf(key) !== row.id) return []; // a row whose id does not match its key is not shown
    return [
      {
        keyId: row.id,
        algorithm: 'Ed25519' as const,
        fingerprintSha256: fingerprintOf(key),
        publicKeyPem: row.public_key_pem,
        createdAt: row.created_at.toISOString(),
        retiredAt: row.retired_at?.toISOString() ?? null,
        current: row.id === currentId,
      },
    ];
  });
}

/** The installation's signer, or null when `vigil keys init` has not been run. */
export function loadSigner(keyDir: string): Signer | null {
  const privatePath = join(keyDir, PRIVATE_KEY_FILE);
  if (!existsSync(privatePath)) return null;
  return signerFrom(createPrivateKey(readFileSync(privatePath)));
}

/** Public keys by id: those in the database, and the one in the key folder (which wins, being outside it). */
export async function knownPublicKeys(db: Queryable, keyDir: string | null): Promise<Map<string, KeyObject>> {
  const keys = new Map<string, KeyObject>();
  for (const row of await db.query<{ id: string; public_key_pem: string }>(
    'SELECT id, public_key_pem FROM signing_keys',
  )) {
    const key = createPublicKey(row.public_key_pem);
    if (keyIdOf(key) === row.id) keys.set(row.id, key); // a row whose id does not match its key is ignored
  }
  const publicPath = keyDir ? join(keyDir, PUBLIC_KEY_FILE) : null;
  if (publicPath && existsSync(publicPath)) {
    const key = createPublicKey(readFileSync(publicPath));
    keys.set(keyIdOf(key), key);
  }
  const retiredDir = keyDir ? join(keyDir, RETIRED_DIR) : null;
  if (retiredDir && existsSync(retiredDir)) {
    for (const file of readdirSync(retiredDir).filter((f) => f.endsWith('.pub.pem'))) {
      const key = createPublicKey(readFileSync(join(retiredDir, file)));
      keys.set(keyIdOf(key), key);
    }
  }
  return keys;
}

export function verifySignature(publicKey: KeyObject, data: Buffer | string, signature: Buffer): boolean {
  try {
    return verify(null, typeof data === 'string' ? Buffer.from(data) : data, publicKey, signature);
  } catch {
    return false;
  }
}
