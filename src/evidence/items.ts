// Evidence items: files sealed on arrival (SHA-256, size, sniffed type), kept once in the blob store,
// with their restricted metadata, a publishable copy, links to incidents, verification notes and
// custody entries. Nothing here edits or deletes an original.
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { type Actor, can, inOrganisation, requirePermissionIn } from '../auth/permissions.ts';
import type { Database, Queryable } from '../db/types.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { AppError, NotFoundError, UnauthorizedError, ValidationError } from '../lib/errors.ts';
import {
  canRead,
  canReadPrivate,
  findSituationById,
  getSituation,
  type SituationRecord,
} from '../situations/service.ts';
import type { BlobStore } from './blobs.ts';
import { appendCustody, type CustodyEntry, custodyOfItems } from './custody.ts';
import { type Author, authorOf } from './incidents.ts';
import type { EvidenceItem, ItemPatch, ItemQuery, Note, NoteCreate } from './item-schema.ts';
import {
  claimedType,
  differenceHash,
  hammingDistance,
  isImage,
  isMismatch,
  readImageMetadata,
  sniffMime,
} from './media.ts';
import {
  isAudioVideo,
  MAX_PDF_BYTES,
  readAvFacts,
  readPdfFacts,
  storePublishableCopy,
} from './publishable.ts';
import { htmlToText, pdfText, storeItemText } from './text.ts';

export interface Vault {
  db: Database;
  blobs: BlobStore;
  maxUploadBytes: number;
}

export class VaultUnavailableError extends AppError {
  constructor() {
    super(503, 'Evidence store unavailable', 'this server has no evidence blob store configured');
  }
}

const NEAR_DUPLICATE_DISTANCE = 10;
const NO_COPY_YET =
  'no publishable copy: this item was sealed before Vigil made copies of its kind (`vigil items republish` makes it)';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ItemRow {
  id: string;
  situation_id: string;
  situation_slug: string;
  title: string;
  sha256: string;
  size: number;
  mime: string;
  claimed_name: string | null;
  claimed_mime: string | null;
  type_mismatch: boolean;
  origin: string;
  source_url: string | null;
  metadata: Record<string, unknown>;
  captured_at: string | null;
  phash: string | null;
  publishable_note: string | null;
  phase: string;
  created_by_label: string;
  created_at: Date;
  pub_sha256: string | null;
  pub_size: number | null;
  pub_mime: string | null;
  pub_method: string | null;
  incident_ids: string[];
  on_published: boolean;
}

/** $1 = whether the reader sees draft incidents (their links are hidden otherwise). */
const SELECT = `SELECT e.id, e.situation_id, s.slug AS situation_slug, e.title, e.sha256, e.size, e.mime,
  e.claimed_name, e.claimed_mime, e.type_mismatch, e.origin, e.source_url, e.metadata, e.captured_at, e.phash,
  e.publishable_note, e.phase, e.created_by_label, e.created_at,
  p.sha256 AS pub_sha256, p.size AS pub_size, p.mime AS pub_mime, p.method AS pub_method,
  coalesce((SELECT json_agg(l.incident_id ORDER BY l.linked_at, l.incident_id) FROM evidence_item_incidents l
    JOIN incidents i ON i.id = l.incident_id WHERE l.item_id = e.id AND ($1 OR i.status = 'published')), '[]') AS incident_ids,
  EXISTS (SELECT 1 FROM evidence_item_incidents l JOIN incidents i ON i.id = l.incident_id
    WHERE l.item_id = e.id AND i.status = 'published') AS on_published
  FROM evidence_items e JOIN situations s ON s.id = e.situation_id
  LEFT JOIN evidence_publishable p ON p.item_id = e.id`;

// Sealed material of an organisation's situation is for its members (docs/organisations.md).
const canSeal = (actor: Actor, situation: Pick<SituationRecord, 'organisationId'>) =>
  can(actor, 'evidence.read-sealed') && inOrganisation(actor, situation.organisationId);

function toItem(row: ItemRow, sealed: boolean): EvidenceItem {
  const item: EvidenceItem = {
    id: row.id,
    situationSlug: row.situation_slug,
    title: row.title,
    phase: row.phase,
    origin: row.origin,
    incidentIds: row.incident_ids,
    publishable:
      row.pub_sha256 === null
        ? null
        : {
            sha256: row.pub_sha256,
            size: row.pub_size!,
            mime: row.pub_mime!,
            method: row.pub_method!,
            url: `/api/v1/items/${row.id}/publishable`,
          },
    createdAt: row.created_at.toISOString(),
  };
  if (!sealed) return item;
  return {
    ...item,
    createdBy: row.created_by_label,
    sourceUrl: row.source_url,
    publishableNote: row.pub_sha256 === null ? (row.publishable_note ?? NO_COPY_YET) : null,
    sealed: {
      sha256: row.sha256,
      size: row.size,
      mime: row.mime,
      claimedName: row.claimed_name,
      claimedMime: row.claimed_mime,
      typeMismatch: row.type_mismatch,
      capturedAt: row.captured_at,
      metadata: row.metadata,
      phash: row.phash,
      url: `/api/v1/items/${row.id}/original`,
    },
  };
}

/** Whether an actor who may not see sealed material may see this item's publishable copy. */
function publiclyVisible(actor: Actor, row: ItemRow, situation: SituationRecord): boolean {
  return row.pub_sha256 !== null && (canReadPrivate(actor, situation) || row.on_published);
}

async function findRow(db: Queryable, id: string, drafts: boolean): Promise<ItemRow | null> {
  if (!UUID.test(id)) return null;
  const rows = await db.query<ItemRow>(`${SELECT} WHERE e.id = $2`, [drafts, id]);
  return rows[0] ?? null;
}

/** The item as this actor may see it; 404 when they may see nothing of it. */
async function readableItem(
  db: Queryable,
  actor: Actor,
  id: string,
): Promise<{ row: ItemRow; situation: SituationRecord; sealed: boolean }> {
  const found = await findRow(db, id, false);
  const situation = found ? await findSituationById(db, found.situation_id) : null;
  if (!found || !situation || !canRead(actor, situation)) throw new NotFoundError(`evidence item ${id}`);
  // Links to draft incidents only for those who may read the situation's drafts.
  const row = canReadPrivate(actor, situation) ? ((await findRow(db, id, true)) ?? found) : found;
  const sealed = canSeal(actor, situation);
  if (!sealed && !publiclyVisible(actor, row, situation)) throw new NotFoundError(`evidence item ${id}`);
  return { row, situation, sealed };
}

function requireSealed(actor: Actor, situation: Pick<SituationRecord, 'organisationId'>): void {
  if (actor.kind !== 'user') throw new UnauthorizedError('sign in to see sealed originals');
  requirePermissionIn(actor, 'evidence.read-sealed', situation.organisationId);
}

export interface SealInput {
  situationId: string;
  stream: Readable | AsyncIterable<Buffer>;
  claimedName: string | null;
  claimedMime: string | null;
  title?: string;
  origin: 'upload' | 'import' | 'capture' | 'report';
  sourceUrl?: string | null;
  incidentIds?: string[];
  /** Runs in the transaction that records the item (or the duplicate attempt), so both land together. */
  onSealed?: (tx: Queryable, result: SealResult) => Promise<void>;
}

export interface SealResult {
  id: string;
  duplicate: boolean;
}

async function checkIncidents(db: Queryable, situationId: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    const rows = UUID.test(id)
      ? await db.query('SELECT 1 FROM incidents WHERE id = $1 AND situation_id = $2', [id, situationId])
      : [];
    if (rows.length === 0) throw ValidationError.field('incident', `incident ${id} is not in this situation`);
  }
}

async function linkIncidents(tx: Queryable, itemId: string, incidentIds: string[], author: Author) {
  const linked: string[] = [];
  for (const incidentId of incidentIds) {
    const rows = await tx.query(
      `INSERT INTO evidence_item_incidents (item_id, incident_id, linked_by_label) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING item_id`,
      [itemId, incidentId, author.label],
    );
    if (rows.length) linked.push(incidentId);
  }
  return linked;
}

/**
 * Seals a stream as an evidence item of a situation. The hash is computed on the stream as it is
 * written; only then are the stored bytes read again (type, metadata, publishable copy). When the same
 * bytes are already sealed in the situation, nothing new is stored and the first item is returned.
 * A failure at any step leaves no blob, no row and no custody entry.
 */
export async function sealItem(vault: Vault, author: Author, input: SealInput): Promise<SealResult> {
  const { db, blobs } = vault;
  const incidentIds = input.incidentIds ?? [];
  await checkIncidents(db, input.situationId, incidentIds);
  const blob = await blobs.put(input.stream, vault.maxUploadBytes);
  const createdBlobs: string[] = blob.created ? [blob.sha256] : [];
  try {
    const existing = await db.query<{ id: string }>(
      'SELECT id FROM evidence_items WHERE situation_id = $1 AND sha256 = $2',
      [input.situationId, blob.sha256],
    );
    if (existing[0]) {
      const id = existing[0].id;
      await db.transaction(async (tx) => {
        const linked = await linkIncidents(tx, id, incidentIds, author);
        await appendCustody(tx, [
          {
            actorId: author.userId,
            actorLabel: author.label,
            action: 'duplicate',
            itemId: id,
            details: { claimedName: input.claimedName, origin: input.origin, linkedIncidents: linked },
          },
        ]);
        await input.onSealed?.(tx, { id, duplicate: true });
      });
      return { id, duplicate: true };
    }

    const mime = await sniffMime(blob.head);
    const claimed = claimedType(input.claimedName, input.claimedMime);
    const path = blobs.pathOf(blob.sha256);
    let metadata: Record<string, unknown> = {};
    let capturedAt: string | null = null;
    let phash: string | null = null;
    if (isImage(mime)) {
      const facts = await readImageMetadata(path);
      metadata = facts.metadata;
      capturedAt = facts.capturedAt;
      phash = await differenceHash(path);
    } else if (isAudioVideo(mime) || mime === 'application/pdf') {
      const facts = isAudioVideo(mime) ? await readAvFacts(path) : await readPdfFacts(path);
      metadata = facts.metadata;
      capturedAt = facts.capturedAt;
    }
    // The publishable copy, or why there is none (read from the stored original, never from the stream).
    const { copy: publishable, note: publishableNote } = await storePublishableCopy(blobs, path, mime);
    if (publishable?.created) createdBlobs.push(publishable.sha256);
    // Text for search: of a PDF (every page) or an HTML page (without its tags).
    let text: { method: string; body: string } | null = null;
    if (mime === 'application/pdf' && blob.size <= MAX_PDF_BYTES) {
      const body = await pdfText(await readFile(path));
      if (body) text = { method: 'pdf-text', body };
    } else if (mime === 'text/html' && blob.size <= 64 * 1024 * 1024) {
      const body = htmlToText((await readFile(path)).toString('utf8'));
      if (body) text = { method: 'html-without-tags', body };
    }
    const title = input.title?.trim() || input.claimedName || `${mime} ${blob.sha256.slice(0, 12)}`;
    const id = await db.transaction(async (tx) => {
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO evidence_items (situation_id, title, sha256, size, mime, claimed_name, claimed_mime, type_mismatch,
           origin, source_url, metadata, captured_at, phash, created_by, created_by_label, publishable_note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (situation_id, sha256) DO NOTHING RETURNING id`,
        [
          input.situationId,
          title,
          blob.sha256,
          blob.size,
          mime,
          input.claimedName,
          claimed,
          isMismatch(claimed, mime),
          input.origin,
          input.sourceUrl ?? null,
          JSON.stringify(metadata),
          capturedAt,
          phash,
          author.userId,
          author.label,
          publishableNote,
        ],
      );
      if (!row) return null; // the same bytes were sealed by a concurrent upload a moment ago
      if (publishable) {
        await tx.query(
          'INSERT INTO evidence_publishable (item_id, sha256, size, mime, method) VALUES ($1, $2, $3, $4, $5)',
          [row.id, publishable.sha256, publishable.size, publishable.mime, publishable.method],
        );
      }
      if (text) await storeItemText(tx, row.id, text.method, text.body);
      const linked = await linkIncidents(tx, row.id, incidentIds, author);
      await appendCustody(tx, [
        {
          actorId: author.userId,
          actorLabel: author.label,
          action: 'create',
          itemId: row.id,
          details: {
            sha256: blob.sha256,
            size: blob.size,
            mime,
            claimedName: input.claimedName,
            claimedMime: claimed,
            typeMismatch: isMismatch(claimed, mime),
            origin: input.origin,
            sourceUrl: input.sourceUrl ?? null,
            publishableSha256: publishable?.sha256 ?? null,
            publishableNote,
            linkedIncidents: linked,
          },
        },
      ]);
      await input.onSealed?.(tx, { id: row.id, duplicate: false });
      return row.id;
    });
    if (id === null) {
      createdBlobs.length = 0; // referenced by the concurrent upload's row
      return sealItem(vault, author, input);
    }
    return { id, duplicate: false };
  } catch (error) {
    for (const sha256 of createdBlobs) await discardIfUnreferenced(vault, sha256);
    throw error;
  }
}

/** Removes a blob nothing refers to (written for a row that was not recorded after all). */
export async function discardIfUnreferenced(vault: Vault, sha256: string): Promise<void> {
  const used = await vault.db.query(
    `SELECT 1 FROM evidence_items WHERE sha256 = $1 UNION ALL SELECT 1 FROM evidence_publishable WHERE sha256 = $1 LIMIT 1`,
    [sha256],
  );
  if (used.length === 0) await vault.blobs.discard(sha256);
}

/** Upload through the API: permission and situation are checked before a byte is read. */
export async function prepareUpload(
  db: Queryable,
  actor: Actor,
  situationSlug: string,
): Promise<{ situation: SituationRecord; author: Author }> {
  const situation = await getSituation(db, actor, situationSlug);
  requirePermissionIn(actor, 'evidence.write', situation.organisationId);
  return { situation, author: authorOf(actor) };
}

export async function uploadResult(db: Queryable, actor: Actor, result: SealResult) {
  const item = await getItemUnlogged(db, actor, result.id);
  return { duplicate: result.duplicate, duplicateOf: result.duplicate ? result.id : null, item };
}

async function nearDuplicates(db: Queryable, row: ItemRow): Promise<{ id: string; distance: number }[]> {
  if (!row.phash) return [];
  const others = await db.query<{ id: string; phash: string }>(
    'SELECT id, phash FROM evidence_items WHERE situation_id = $1 AND phash IS NOT NULL AND id <> $2',
    [row.situation_id, row.id],
  );
  return others
    .map((o) => ({ id: o.id, distance: hammingDistance(row.phash!, o.phash) }))
    .filter((o) => o.distance <= NEAR_DUPLICATE_DISTANCE)
    .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
}

async function getItemUnlogged(db: Queryable, actor: Actor, id: string): Promise<EvidenceItem> {
  const { row, sealed } = await readableItem(db, actor, id);
  const item = toItem(row, sealed);
  if (sealed) item.nearDuplicates = await nearDuplicates(db, row);
  return item;
}

/** One item; a reader of sealed material leaves a `view` entry in the custody log. */
export async function getItem(db: Database, actor: Actor, id: string): Promise<EvidenceItem> {
  const item = await getItemUnlogged(db, actor, id);
  if (item.sealed && actor.kind === 'user') {
    const author = authorOf(actor);
    await db.transaction((tx) =>
      appendCustody(tx, [{ actorId: author.userId, actorLabel: author.label, action: 'view', itemId: id }]),
    );
  }
  return item;
}

export async function listItems(
  db: Queryable,
  actor: Actor,
  situationSlug: string,
  query: ItemQuery,
): Promise<{ items: EvidenceItem[]; nextCursor: string | null }> {
  const situation = await getSituation(db, actor, situationSlug);
  const drafts = canReadPrivate(actor, situation);
  const sealed = canSeal(actor, situation);
  const params: unknown[] = [drafts, situation.id];
  const conditions = ['e.situation_id = $2'];
  if (query.incident) {
    params.push(query.incident);
    conditions.push(
      `EXISTS (SELECT 1 FROM evidence_item_incidents l JOIN incidents i ON i.id = l.incident_id
        WHERE l.item_id = e.id AND l.incident_id = $${params.length} AND ($1 OR i.status = 'published'))`,
    );
  }
  if (!sealed) {
    conditions.push('p.sha256 IS NOT NULL');
    if (!drafts) {
      conditions.push(`EXISTS (SELECT 1 FROM evidence_item_incidents l JOIN incidents i ON i.id = l.incident_id
        WHERE l.item_id = e.id AND i.status = 'published')`);
    }
  }
  if (query.cursor) {
    const [at, id] = decodeCursor(query.cursor, 2);
    params.push(at, id);
    conditions.push(`(e.created_at, e.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(query.limit + 1);
  const rows = await db.query<ItemRow>(
    `${SELECT} WHERE ${conditions.join(' AND ')} ORDER BY e.created_at, e.id LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => toItem(r, sealed)),
    nextCursor:
      rows.length > query.limit && last ? encodeCursor([last.created_at.toISOString(), last.id]) : null,
  };
}

export interface BlobDownload {
  sha256: string;
  size: number;
  mime: string;
  filename: string;
}

/** The sealed original, for roles that may see it; records a `download` entry. */
export async function downloadOriginal(db: Database, actor: Actor, id: string): Promise<BlobDownload> {
  const { row, situation } = await readableItem(db, actor, id);
  requireSealed(actor, situation);
  const author = authorOf(actor);
  await db.transaction((tx) =>
    appendCustody(tx, [
      {
        actorId: author.userId,
        actorLabel: author.label,
        action: 'download',
        itemId: id,
        details: { sha256: row.sha256 },
      },
    ]),
  );
  return { sha256: row.sha256, size: row.size, mime: row.mime, filename: row.claimed_name ?? row.sha256 };
}

export async function downloadPublishable(db: Queryable, actor: Actor, id: string): Promise<BlobDownload> {
  const { row } = await readableItem(db, actor, id);
  if (row.pub_sha256 === null) throw new NotFoundError(`a publishable copy of evidence item ${id}`);
  return {
    sha256: row.pub_sha256,
    size: row.pub_size!,
    mime: row.pub_mime!,
    filename: `${row.id}-publishable`,
  };
}

export async function updateItem(
  db: Database,
  actor: Actor,
  id: string,
  patch: ItemPatch,
): Promise<EvidenceItem> {
  const { row, situation } = await readableItem(db, actor, id);
  requirePermissionIn(actor, 'evidence.write', situation.organisationId);
  const author = authorOf(actor);
  await db.transaction(async (tx) => {
    const entries = [];
    if (patch.phase !== undefined && patch.phase !== row.phase) {
      await tx.query('UPDATE evidence_items SET phase = $2 WHERE id = $1', [id, patch.phase]);
      entries.push({ action: 'phase' as const, details: { from: row.phase, to: patch.phase } });
    }
    if (patch.title !== undefined && patch.title !== row.title) {
      await tx.query('UPDATE evidence_items SET title = $2 WHERE id = $1', [id, patch.title]);
      entries.push({ action: 'title' as const, details: { title: { from: row.title, to: patch.title } } });
    }
    await appendCustody(
      tx,
      entries.map((e) => ({ actorId: author.userId, actorLabel: author.label, itemId: id, ...e })),
    );
  });
  return getItemUnlogged(db, actor, id);
}

export async function linkItem(
  db: Database,
  actor: Actor,
  id: string,
  incidentId: string,
): Promise<EvidenceItem> {
  const { row, situation } = await readableItem(db, actor, id);
  requirePermissionIn(actor, 'evidence.write', situation.organisationId);
  await checkIncidents(db, row.situation_id, [incidentId]);
  const author = authorOf(actor);
  await db.transaction(async (tx) => {
    const linked = await linkIncidents(tx, id, [incidentId], author);
    if (linked.length) {
      await appendCustody(tx, [
        {
          actorId: author.userId,
          actorLabel: author.label,
          action: 'link',
          itemId: id,
          details: { incidentId },
        },
      ]);
    }
  });
  return getItemUnlogged(db, actor, id);
}

interface NoteRow {
  id: string;
  item_id: string;
  method: string;
  conclusion: string;
  note: string;
  author_label: string;
  created_at: Date;
}

const noteFromRow = (r: NoteRow): Note => ({
  id: r.id,
  itemId: r.item_id,
  method: r.method,
  conclusion: r.conclusion,
  note: r.note,
  author: r.author_label,
  createdAt: r.created_at.toISOString(),
});

/** A verification note: a record of its own, never an edit of the item. */
export async function addNote(db: Database, actor: Actor, itemId: string, input: NoteCreate): Promise<Note> {
  const { situation } = await readableItem(db, actor, itemId);
  requirePermissionIn(actor, 'evidence.write', situation.organisationId);
  const author = authorOf(actor);
  const row = await db.transaction(async (tx) => {
    const [note] = await tx.query<NoteRow>(
      `INSERT INTO evidence_notes (item_id, method, conclusion, note, author_id, author_label)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, item_id, method, conclusion, note, author_label, created_at`,
      [itemId, input.method, input.conclusion, input.note, author.userId, author.label],
    );
    await appendCustody(tx, [
      {
        actorId: author.userId,
        actorLabel: author.label,
        action: 'note',
        itemId,
        details: { noteId: note!.id, method: input.method, conclusion: input.conclusion, note: input.note },
      },
    ]);
    return note!;
  });
  return noteFromRow(row);
}

export async function notesOf(db: Queryable, itemIds: string[]): Promise<Note[]> {
  const rows = await db.query<NoteRow>(
    `SELECT id, item_id, method, conclusion, note, author_label, created_at FROM evidence_notes
     WHERE item_id = ANY($1::uuid[]) ORDER BY created_at, id`,
    [itemIds],
  );
  return rows.map(noteFromRow);
}

export async function listNotes(db: Queryable, actor: Actor, itemId: string): Promise<Note[]> {
  const { situation } = await readableItem(db, actor, itemId);
  requireSealed(actor, situation);
  return notesOf(db, [itemId]);
}

export async function itemCustody(db: Queryable, actor: Actor, itemId: string): Promise<CustodyEntry[]> {
  const { situation } = await readableItem(db, actor, itemId);
  requireSealed(actor, situation);
  return custodyOfItems(db, [itemId]);
}

/** Full rows of items for an export (trusted callers: the permission check is theirs). */
export async function itemsForExport(
  db: Queryable,
  situationId: string,
  ids: string[] | null,
): Promise<EvidenceItem[]> {
  const params: unknown[] = [true, situationId];
  let where = 'e.situation_id = $2';
  if (ids) {
    params.push(ids);
    where += ' AND e.id = ANY($3::uuid[])';
  }
  const rows = await db.query<ItemRow>(`${SELECT} WHERE ${where} ORDER BY e.created_at, e.id`, params);
  if (ids && rows.length !== ids.length) {
    const found = new Set(rows.map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id));
    throw ValidationError.field('itemIds', `not items of this situation: ${missing.join(', ')}`);
  }
  return rows.map((r) => toItem(r, true));
}

export { situationForExport };

async function situationForExport(db: Queryable, actor: Actor, slug: string): Promise<SituationRecord> {
  const situation = await getSituation(db, actor, slug);
  requireSealed(actor, situation);
  return situation;
}

/** How many sealed items a situation holds (sealed evidence is never deleted along with its situation). */
export async function countSituationItems(db: Queryable, situationId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM evidence_items WHERE situation_id = $1',
    [situationId],
  );
  return row?.n ?? 0;
}
