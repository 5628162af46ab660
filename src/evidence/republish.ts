// Backfill of publishable copies (`vigil items republish`): items sealed before Vigil made copies of their
// kind (video, audio and PDFs before the copies of migration 0014, or any item sealed while ffmpeg was
// missing) have none, so nobody without sealed access sees them. This makes each missing copy from the
// sealed original — after checking that the original still matches its seal — with a `publishable` custody
// entry in the transaction that records it. Running it again changes nothing: items that have a copy are
// skipped, and an item that still cannot have one is only recorded again when the reason changed.
import { hashFile } from './blobs.ts';
import { appendCustody } from './custody.ts';
import type { Author } from './incidents.ts';
import { discardIfUnreferenced, type Vault } from './items.ts';
import { storePublishableCopy } from './publishable.ts';

export type RepublishOutcome =
  /** A copy was made and recorded. */
  | { itemId: string; kind: 'made'; sha256: string; mime: string; method: string }
  /** No copy can be made; `changed` when the recorded reason was new or different (and is now recorded). */
  | { itemId: string; kind: 'none'; reason: string; changed: boolean }
  /** The original no longer matches its seal, or is missing: nothing was made from it. */
  | { itemId: string; kind: 'integrity-failure'; reason: string }
  /** Another process made the copy meanwhile. */
  | { itemId: string; kind: 'skipped'; reason: string };

export interface RepublishSummary {
  /** Items without a publishable copy when the run began. */
  candidates: number;
  made: number;
  none: number;
  integrityFailures: number;
  skipped: number;
}

interface Candidate {
  id: string;
  sha256: string;
  size: number;
  mime: string;
  publishable_note: string | null;
}

/**
 * Makes the missing publishable copies of a situation's items (or of every situation's, without
 * `situationId`), oldest first. `onItem` is told each outcome as it happens, with the count so far.
 */
export async function republishMissingCopies(
  vault: Vault,
  author: Author,
  options: {
    situationId?: string | null;
    onStart?: (total: number) => void;
    onItem?: (outcome: RepublishOutcome, done: number, total: number) => void;
  } = {},
): Promise<RepublishSummary> {
  const candidates = await vault.db.query<Candidate>(
    `SELECT e.id, e.sha256, e.size, e.mime, e.publishable_note FROM evidence_items e
     WHERE NOT EXISTS (SELECT 1 FROM evidence_publishable p WHERE p.item_id = e.id)
       AND ($1::uuid IS NULL OR e.situation_id = $1::uuid)
     ORDER BY e.created_at, e.id`,
    [options.situationId ?? null],
  );
  const summary: RepublishSummary = {
    candidates: candidates.length,
    made: 0,
    none: 0,
    integrityFailures: 0,
    skipped: 0,
  };
  options.onStart?.(candidates.length);
  let done = 0;
  for (const item of candidates) {
    const outcome = await republishOne(vault, author, item);
    if (outcome.kind === 'made') summary.made++;
    else if (outcome.kind === 'none') summary.none++;
    else if (outcome.kind === 'integrity-failure') summary.integrityFailures++;
    else summary.skipped++;
    options.onItem?.(outcome, ++done, candidates.length);
  }
  return summary;
}

async function republishOne(vault: Vault, author: Author, item: Candidate): Promise<RepublishOutcome> {
  const { db } = vault;
  const path = vault.blobs.pathOf(item.sha256);
  // A copy made from bytes that no longer match the seal would publish something that was never sealed.
  let found: { sha256: string; size: number };
  try {
    found = await hashFile(path);
  } catch (error) {
    found = { sha256: '', size: 0 };
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (found.sha256 !== item.sha256) {
    const reason = found.sha256
      ? `the stored original no longer matches its seal (SHA-256 ${found.sha256}, sealed as ${item.sha256})`
      : `the stored original is missing from the blob store (sealed as ${item.sha256})`;
    await db.transaction((tx) =>
      appendCustody(tx, [
        {
          actorId: author.userId,
          actorLabel: author.label,
          action: 'integrity-failure',
          itemId: item.id,
          details: {
            during: 'republish',
            role: 'original',
            expectedSha256: item.sha256,
            actualSha256: found.sha256 || null,
            reason,
          },
        },
      ]),
    );
    return { itemId: item.id, kind: 'integrity-failure', reason };
  }

  const { copy, note } = await storePublishableCopy(vault.blobs, path, item.mime);
  if (!copy) {
    if (note === item.publishable_note)
      return { itemId: item.id, kind: 'none', reason: note, changed: false };
    const recorded = await db.transaction(async (tx) => {
      const rows = await tx.query(
        `UPDATE evidence_items SET publishable_note = $2 WHERE id = $1
           AND NOT EXISTS (SELECT 1 FROM evidence_publishable p WHERE p.item_id = $1) RETURNING id`,
        [item.id, note],
      );
      if (rows.length === 0) return false;
      await appendCustody(tx, [
        {
          actorId: author.userId,
          actorLabel: author.label,
          action: 'publishable',
          itemId: item.id,
          details: { publishableSha256: null, note, previousNote: item.publishable_note },
        },
      ]);
      return true;
    });
    return recorded
      ? { itemId: item.id, kind: 'none', reason: note, changed: true }
      : { itemId: item.id, kind: 'skipped', reason: 'a publishable copy was made meanwhile' };
  }

  try {
    const recorded = await db.transaction(async (tx) => {
      const rows = await tx.query(
        `INSERT INTO evidence_publishable (item_id, sha256, size, mime, method) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (item_id) DO NOTHING RETURNING item_id`,
        [item.id, copy.sha256, copy.size, copy.mime, copy.method],
      );
      if (rows.length === 0) return false;
      // The note said why there was no copy; there is one now (the custody entry keeps the old note).
      await tx.query('UPDATE evidence_items SET publishable_note = NULL WHERE id = $1', [item.id]);
      await appendCustody(tx, [
        {
          actorId: author.userId,
          actorLabel: author.label,
          action: 'publishable',
          itemId: item.id,
          details: {
            originalSha256: item.sha256,
            publishableSha256: copy.sha256,
            size: copy.size,
            mime: copy.mime,
            method: copy.method,
            previousNote: item.publishable_note,
            made: 'backfill of an item sealed without a publishable copy',
          },
        },
      ]);
      return true;
    });
    if (!recorded) {
      if (copy.created) await discardIfUnreferenced(vault, copy.sha256);
      return { itemId: item.id, kind: 'skipped', reason: 'a publishable copy was made meanwhile' };
    }
  } catch (error) {
    if (copy.created) await discardIfUnreferenced(vault, copy.sha256);
    throw error;
  }
  return { itemId: item.id, kind: 'made', sha256: copy.sha256, mime: copy.mime, method: copy.method };
}
