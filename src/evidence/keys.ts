// The installation's Ed25519 signing key (`vigil keys init`): it signs custody checkpoints and the
// manifests of export bundles. The private key never leaves VIGIL_KEY_DIR; the public key is also kept
// in the database and shipped in every bundle.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queryable } from '../db/types.ts';
import { ConflictError } from '../lib/errors.ts';

export const PRIVATE_KEY_FILE = 'vigil-ed25519.key';
export const PUBLIC_KEY_FILE = 'vigil-ed25519.pub.pem';

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
      `a signing key already exists in ${keyDir}; it is kept (it signed earlier checkpoints)`,
    );
  }
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
  return keys;
}

export function verifySignature(publicKey: KeyObject, data: Buffer | string, signature: Buffer): boolean {
  try {
    return verify(null, typeof data === 'string' ? Buffer.from(data) : data, publicKey, signature);
  } catch {
    return false;
  }
}
