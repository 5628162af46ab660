// The custody log: one hash chain per installation. Every entry's hash covers its content and the
// previous entry's hash, so changing or deleting any row breaks the chain from there on; signed
// checkpoints of the head let a holder of the public key see that entries were cut from the end.
import { createHash, type KeyObject } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queryable } from '../db/types.ts';
import { registerPublicKey, type Signer, verifySignature } from './keys.ts';

export const GENESIS_HASH = '0'.repeat(64);
export const CHECKPOINT_FILE = 'checkpoints.jsonl';
const CHAIN_LOCK = 7419002;

export type CustodyAction =
  | 'create'
  | 'duplicate'
  | 'view'
  | 'download'
  | 'note'
  | 'phase'
  | 'link'
  | 'export'
  | 'title'
  | 'publishable'
  | 'capture'
  | 'report'
  | 'moderate'
  | 'integrity-failure';

export interface CustodyInput {
  actorId: string | null;
  actorLabel: string;
  action: CustodyAction;
  itemId: string | null;
  details?: Record<string, unknown>;
}

export interface CustodyEntry {
  id: number;
  at: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  itemId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The hash of an entry: SHA-256 of "vigil-custody-v1", the previous hash and the canonical content. */
export function entryHash(entry: Omit<CustodyEntry, 'hash'>): string {
  const content = canonicalJson({
    id: entry.id,
    at: entry.at,
    actorId: entry.actorId,
    actorLabel: entry.actorLabel,
    action: entry.action,
    itemId: entry.itemId,
    details: entry.details,
  });
  return createHash('sha256').update(`vigil-custody-v1\n${entry.prevHash}\n${content}`).digest('hex');
}

interface CustodyRow {
  id: number;
  at: Date;
  actor_id: string | null;
  actor_label: string;
  action: string;
  item_id: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

function fromRow(row: CustodyRow): CustodyEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    action: row.action,
    itemId: row.item_id,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

const COLUMNS = 'id, at, actor_id, actor_label, action, item_id, details, prev_hash, hash';

/**
 * Appends entries to the chain. Call it inside the transaction that makes the change it records,
 * so the change and its entry are written together or not at all.
 */
export async function appendCustody(tx: Queryable, inputs: CustodyInput[]): Promise<CustodyEntry[]> {
  if (inputs.length === 0) return [];
  await tx.query(`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`);
  const [head] = await tx.query<{ hash: string }>('SELECT hash FROM custody_log ORDER BY id DESC LIMIT 1');
  let prevHash = head?.hash ?? GENESIS_HASH;
  const written: CustodyEntry[] = [];
  for (const input of inputs) {
    const [{ id }] = (await tx.query<{ id: number }>(
      "SELECT nextval(pg_get_serial_sequence('custody_log', 'id')) AS id",
    )) as [{ id: number }];
    // Milliseconds: what a JavaScript Date holds, so the time reads back exactly as it was hashed.
    const at = new Date().toISOString();
    const details = JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>;
    const entry = {
      id,
      at,
      actorId: input.actorId,
      actorLabel: input.actorLabel,
      action: input.action,
      itemId: input.itemId,
      details,
      prevHash,
    };
    const hash = entryHash(entry);
    await tx.query(`INSERT INTO custody_log (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
      id,
      at,
      entry.actorId,
      entry.actorLabel,
      entry.action,
      entry.itemId,
      JSON.stringify(details),
      prevHash,
      hash,
    ]);
    written.push({ ...entry, hash });
    prevHash = hash;
  }
  return written;
}

/** Custody entries concerning some items, in chain order. */
export async function custodyOfItems(db: Queryable, itemIds: string[]): Promise<CustodyEntry[]> {
  if (itemIds.length === 0) return [];
  const rows = await db.query<CustodyRow>(
    `SELECT ${COLUMNS} FROM custody_log WHERE item_id = ANY($1::uuid[]) ORDER BY id`,
    [itemIds],
  );
  return rows.map(fromRow);
}

export interface Checkpoint {
  headId: number;
  headHash: string;
  at: string;
  keyId: string;
  /** Base64 Ed25519 signature over checkpointMessage(…). */
  signature: string;
}

export function checkpointMessage(c: Pick<Checkpoint, 'headId' | 'headHash' | 'at'>): string {
  return `vigil-custody-checkpoint-v1\n${c.headId}\n${c.headHash}\n${c.at}\n`;
}

/**
 * Signs the current head of the chain and records the checkpoint in the database and in
 * <keyDir>/checkpoints.jsonl (outside the database, so rewriting the database cannot remove it).
 * Returns null when the log is empty, or unchanged since the last checkpoint and `force` is not set.
 */
export async function takeCheckpoint(
  db: Queryable,
  signer: Signer,
  keyDir: string,
  options: { force?: boolean } = {},
): Promise<Checkpoint | null> {
  const [head] = await db.query<{ id: number; hash: string }>(
    'SELECT id, hash FROM custody_log ORDER BY id DESC LIMIT 1',
  );
  if (!head) return null;
  if (!options.force) {
    const [last] = await db.query<{ head_id: number }>(
      'SELECT head_id FROM custody_checkpoints ORDER BY id DESC LIMIT 1',
    );
    if (last && last.head_id === head.id) return null;
  }
  await registerPublicKey(db, signer);
  const at = new Date().toISOString();
  const unsigned = { headId: head.id, headHash: head.hash, at };
  const checkpoint: Checkpoint = {
    ...unsigned,
    keyId: signer.keyId,
    signature: signer.sign(checkpointMessage(unsigned)).toString('base64'),
  };
  await db.query(
    'INSERT INTO custody_checkpoints (head_id, head_hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5)',
    [checkpoint.headId, checkpoint.headHash, checkpoint.at, checkpoint.keyId, checkpoint.signature],
  );
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  appendFileSync(join(keyDir, CHECKPOINT_FILE), `${JSON.stringify(checkpoint)}\n`);
  return checkpoint;
}

/** Signed checkpoints in order, a page at a time (the public record a third party keeps). */
export async function listCheckpoints(
  db: Queryable,
  options: { afterId: number; limit: number },
): Promise<(Checkpoint & { id: number; message: string })[]> {
  const rows = await db.query<{
    id: number;
    head_id: number;
    head_hash: string;
    at: Date;
    key_id: string;
    signature: string;
  }>(
    'SELECT id, head_id, head_hash, at, key_id, signature FROM custody_checkpoints WHERE id > $1 ORDER BY id LIMIT $2',
    [options.afterId, options.limit],
  );
  return rows.map((r) => {
    const c = {
      headId: r.head_id,
      headHash: r.head_hash,
      at: r.at.toISOString(),
      keyId: r.key_id,
      signature: r.signature,
    };
    return { id: r.id, ...c, message: checkpointMessage(c) };
  });
}

export interface CustodyReport {
  ok: boolean;
  entries: number;
  head: { id: number; hash: string } | null;
  checkpointsChecked: number;
  /** The first entry where the chain breaks, or null. */
  firstBroken: number | null;
  problems: string[];
  warnings: string[];
}

async function readCheckpoints(db: Queryable, keyDir: string | null): Promise<Checkpoint[]> {
  const rows = await db.query<{
    head_id: number;
    head_hash: string;
    at: Date;
    key_id: string;
    signature: string;
  }>('SELECT head_id, head_hash, at, key_id, signature FROM custody_checkpoints ORDER BY id');
  const all: Checkpoint[] = rows.map((r) => ({
    headId: r.head_id,
    headHash: r.head_hash,
    at: r.at.toISOString(),
    keyId: r.key_id,
    signature: r.signature,
  }));
  const file = keyDir ? join(keyDir, CHECKPOINT_FILE) : null;
  if (file && existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        all.push(JSON.parse(line) as Checkpoint);
      } catch {
        // a torn last line (crash while appending) is skipped
      }
    }
  }
  const seen = new Set<string>();
  return all.filter((c) => {
    const key = `${c.headId}:${c.signature}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Recomputes the whole chain in id order, page by page (memory stays flat), and checks every signed
 * checkpoint against it. Names the first entry where the chain breaks.
 */
export async function verifyCustody(
  db: Queryable,
  options: { keyDir: string | null; publicKeys: Map<string, KeyObject>; pageSize?: number },
): Promise<CustodyReport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  let firstBroken: number | null = null;
  const breakAt = (id: number, message: string) => {
    if (firstBroken === null) firstBroken = id;
    problems.push(message);
  };

  const checkpoints = await readCheckpoints(db, options.keyDir);
  const wanted = new Map<number, Checkpoint[]>();
  let checkpointsChecked = 0;
  for (const c of checkpoints) {
    const key = options.publicKeys.get(c.keyId);
    if (!key) {
      warnings.push(
        `checkpoint of entry ${c.headId} at ${c.at}: signed by unknown key ${c.keyId}, not checked`,
      );
      continue;
    }
    if (!verifySignature(key, checkpointMessage(c), Buffer.from(c.signature, 'base64'))) {
      problems.push(
        `checkpoint of entry ${c.headId} at ${c.at}: the signature does not verify (forged or altered)`,
      );
      continue;
    }
    checkpointsChecked++;
    wanted.set(c.headId, [...(wanted.get(c.headId) ?? []), c]);
  }

  const pageSize = options.pageSize ?? 5000;
  let prev: { id: number; hash: string } | null = null;
  let entries = 0;
  for (;;) {
    const rows: CustodyRow[] = await db.query<CustodyRow>(
      `SELECT ${COLUMNS} FROM custody_log WHERE id > $1 ORDER BY id LIMIT $2`,
      [prev?.id ?? 0, pageSize],
    );
    for (const row of rows) {
      const entry = fromRow(row);
      entries++;
      const expectedPrev = prev?.hash ?? GENESIS_HASH;
      if (entry.prevHash !== expectedPrev) {
        breakAt(
          entry.id,
          prev
            ? `entry ${entry.id}: its previous-entry hash does not match entry ${prev.id}: an entry between them was deleted, or entry ${prev.id} was rewritten`
            : `entry ${entry.id}: it is the first entry left but does not start the chain: earlier entries were deleted`,
        );
      }
      if (entryHash(entry) !== entry.hash) {
        breakAt(entry.id, `entry ${entry.id}: its content does not match its hash: the entry was altered`);
      }
      for (const c of wanted.get(entry.id) ?? []) {
        if (c.headHash !== entry.hash) {
          breakAt(
            entry.id,
            `entry ${entry.id}: differs from the checkpoint signed at ${c.at}: the log was rewritten`,
          );
        }
      }
      wanted.delete(entry.id);
      prev = { id: entry.id, hash: entry.hash };
    }
    if (rows.length < pageSize) break;
  }
  for (const [headId, list] of wanted) {
    const first = list[0]!;
    const where = prev ? `the log now ends at entry ${prev.id}` : 'the log is empty';
    const message = `checkpoint signed at ${first.at} covers entry ${headId}, which is missing (${where}): entries were cut`;
    if (firstBroken === null) firstBroken = headId;
    problems.push(message);
  }
  if (checkpoints.length === 0) {
    warnings.push(
      'no signed checkpoints: entries cut from the end of the log cannot be detected (run `vigil keys init`)',
    );
  }
  return {
    ok: problems.length === 0,
    entries,
    head: prev,
    checkpointsChecked,
    firstBroken,
    problems,
    warnings,
  };
}
