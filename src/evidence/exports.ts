// Export bundles for legal proceedings: a ZIP streamed file by file (memory stays flat) holding the
// selected originals and publishable copies, their custody entries, a manifest signed with the
// installation's Ed25519 key, SHA256SUMS (signed too) and VERIFY.txt, which explains how to check it
// all with sha256sum and openssl. `verifyBundle` checks a bundle offline and names what does not match.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type yauzl from 'yauzl';
import yazl from 'yazl';
import type { Actor } from '../auth/permissions.ts';
import type { Database } from '../db/types.ts';
import { ConflictError, NotFoundError } from '../lib/errors.ts';
import type { SituationRecord } from '../situations/service.ts';
import type { BlobStore } from './blobs.ts';
import {
  appendCustody,
  type Checkpoint,
  type CustodyEntry,
  checkpointMessage,
  custodyOfItems,
  entryHash,
  takeCheckpoint,
} from './custody.ts';
import { type Author, authorOf } from './incidents.ts';
import type { EvidenceItem, ExportStatus } from './item-schema.ts';
import { itemsForExport, notesOf, situationForExport } from './items.ts';
import { fingerprintOf, type Signer, verifySignature } from './keys.ts';
import { extensionFor } from './media.ts';

export const BUNDLE_FORMAT = 'vigil-evidence-bundle/1';
const CONTROL_FILES = new Set(['SHA256SUMS', 'SHA256SUMS.sig']);

export interface ExportContext {
  db: Database;
  blobs: BlobStore;
  signer: Signer | null;
  keyDir: string;
}

export interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
  mime: string;
  role:
    | 'original'
    | 'publishable'
    | 'custody'
    | 'checkpoint'
    | 'public-key'
    | 'instructions'
    | 'integrity-failures';
  itemId: string | null;
}

export interface PreparedExport {
  exportId: string;
  itemCount: number;
  filename: string;
  /**
   * Writes the ZIP to `out`; resolves when the last byte is written, with the files whose stored bytes did
   * not match their seal (the bundle says so too). Empty when the export is sound.
   */
  write(out: Writable): Promise<IntegrityFailure[]>;
}

class HashingStream extends Transform {
  private hash = createHash('sha256');
  size = 0;
  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (e?: Error | null, d?: Buffer) => void,
  ) {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** How an export ended (readers of sealed material of its situation). */
export async function getExport(db: Database, actor: Actor, id: string): Promise<ExportStatus> {
  const [row] = await db.query<{
    id: string;
    slug: string;
    item_ids: string[];
    status: ExportStatus['status'];
    failures: IntegrityFailure[];
    created_by_label: string;
    created_at: Date;
    finished_at: Date | null;
  }>(
    `SELECT x.id, s.slug, x.item_ids, x.status, x.failures, x.created_by_label, x.created_at, x.finished_at
     FROM evidence_exports x JOIN situations s ON s.id = x.situation_id WHERE x.id = $1`,
    [id],
  );
  if (!row) throw new NotFoundError(`export ${id}`);
  await situationForExport(db, actor, row.slug); // 404 / 403 as for the export itself
  return {
    id: row.id,
    situationSlug: row.slug,
    itemIds: row.item_ids,
    status: row.status,
    failures: row.failures,
    createdBy: row.created_by_label,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/** Checks access for an API caller and prepares the export. */
export async function prepareExportFor(
  ctx: ExportContext,
  actor: Actor,
  situationSlug: string,
  itemIds: string[] | null,
): Promise<PreparedExport> {
  const situation = await situationForExport(ctx.db, actor, situationSlug);
  return prepareExport(ctx, authorOf(actor), situation, itemIds);
}

/**
 * Records the export in the custody log (one `export` entry per item), signs a checkpoint of the
 * chain, and returns a writer for the bundle. Nothing is written when there is no signing key.
 */
export async function prepareExport(
  ctx: ExportContext,
  author: Author,
  situation: SituationRecord,
  itemIds: string[] | null,
): Promise<PreparedExport> {
  const signer = ctx.signer;
  if (!signer) {
    throw new ConflictError('no signing key: run `vigil keys init` on the server before exporting bundles');
  }
  const items = await itemsForExport(ctx.db, situation.id, itemIds);
  if (items.length === 0)
    throw new ConflictError(`situation ${situation.slug} has no evidence items to export`);
  const exportId = await ctx.db.transaction(async (tx) => {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO evidence_exports (situation_id, item_ids, created_by, created_by_label, key_id, status)
       VALUES ($1, $2, $3, $4, $5, 'streaming') RETURNING id`,
      [situation.id, JSON.stringify(items.map((i) => i.id)), author.userId, author.label, signer.keyId],
    );
    await appendCustody(
      tx,
      items.map((item) => ({
        actorId: author.userId,
        actorLabel: author.label,
        action: 'export' as const,
        itemId: item.id,
        details: { exportId: row!.id, sha256: item.sealed!.sha256 },
      })),
    );
    return row!.id;
  });
  const checkpoint = (await takeCheckpoint(ctx.db, signer, ctx.keyDir, { force: true }))!;
  const custody = await custodyOfItems(
    ctx.db,
    items.map((i) => i.id),
  );
  const notes = await notesOf(
    ctx.db,
    items.map((i) => i.id),
  );
  const createdAt = new Date().toISOString();
  return {
    exportId,
    itemCount: items.length,
    filename: `vigil-${situation.slug}-${createdAt.slice(0, 10)}-${exportId.slice(0, 8)}.zip`,
    write: (out) =>
      writeBundle(ctx, signer, out, {
        exportId,
        situation,
        author,
        createdAt,
        items,
        custody,
        notes,
        checkpoint,
      }),
  };
}

interface BundleContent {
  exportId: string;
  situation: SituationRecord;
  author: Author;
  createdAt: string;
  items: EvidenceItem[];
  custody: CustodyEntry[];
  notes: Awaited<ReturnType<typeof notesOf>>;
  checkpoint: Checkpoint;
}

/** A file of the bundle whose stored bytes did not match their seal, or could not be read. */
export interface IntegrityFailure {
  itemId: string;
  path: string;
  role: 'original' | 'publishable';
  expectedSha256: string;
  /** The SHA-256 of what was on disk and went into the bundle; null when the blob was missing. */
  actualSha256: string | null;
  reason: string;
}

export const INTEGRITY_FILE = 'INTEGRITY-FAILURES.txt';

/**
 * Streams the ZIP. Every blob is hashed as it streams; one that no longer matches its seal, or is missing
 * or unreadable, does not stop the export silently: the bundle still ends properly and says so (an
 * INTEGRITY-FAILURES.txt naming the item, the manifest's `integrityFailures`, an `integrity-failure`
 * custody entry per file, carried in custody.jsonl), SHA256SUMS keeps the sealed hash, so `sha256sum -c`
 * and `vigil verify bundle` fail on that file, and the export row records the failure.
 */
async function writeBundle(
  ctx: ExportContext,
  signer: Signer,
  out: Writable,
  content: BundleContent,
): Promise<IntegrityFailure[]> {
  const { blobs } = ctx;
  const zip = new yazl.ZipFile();
  const files: ManifestFile[] = [];
  const failures: IntegrityFailure[] = [];
  const mtime = new Date(content.createdAt);
  const addBuffer = (path: string, data: Buffer, role: ManifestFile['role'], mime: string) => {
    if (!CONTROL_FILES.has(path) && path !== 'manifest.json' && path !== 'manifest.json.sig') {
      files.push({
        path,
        sha256: createHash('sha256').update(data).digest('hex'),
        size: data.length,
        mime,
        role,
        itemId: null,
      });
    }
    zip.addBuffer(data, path, { mtime, compress: false });
  };
  const addLazy = (path: string, build: () => Buffer) =>
    zip.addReadStreamLazy(path, { mtime, compress: false }, (cb) => cb(null, Readable.from([build()])));
  const written = pipeline(zip.outputStream as NodeJS.ReadableStream as Readable, out);

  addBuffer('VERIFY.txt', Buffer.from(verifyText(content, signer)), 'instructions', 'text/plain');
  addBuffer('public-key.pem', Buffer.from(signer.publicKeyPem), 'public-key', 'application/x-pem-file');

  // The blobs, one after the other as yazl reaches them; `blobsDone` resolves after the last one.
  const blobEntries: {
    item: EvidenceItem;
    role: 'original' | 'publishable';
    sha256: string;
    size: number;
    mime: string;
  }[] = [];
  for (const item of content.items) {
    const sealed = item.sealed!;
    blobEntries.push({ item, role: 'original', sha256: sealed.sha256, size: sealed.size, mime: sealed.mime });
    if (item.publishable) {
      const p = item.publishable;
      blobEntries.push({ item, role: 'publishable', sha256: p.sha256, size: p.size, mime: p.mime });
    }
  }
  let left = blobEntries.length;
  let blobsDone!: () => void;
  const allBlobs = new Promise<void>((resolve) => {
    blobsDone = resolve;
    if (left === 0) resolve();
  });
  const entryDone = () => {
    if (--left === 0) blobsDone();
  };
  for (const blob of blobEntries) {
    const path = `items/${blob.item.id}/${blob.role}${extensionFor(blob.mime)}`;
    const listed = {
      path,
      sha256: blob.sha256,
      size: blob.size,
      mime: blob.mime,
      role: blob.role,
      itemId: blob.item.id,
    };
    const failed = (actualSha256: string | null, reason: string) => {
      failures.push({
        itemId: blob.item.id,
        path,
        role: blob.role,
        expectedSha256: blob.sha256,
        actualSha256,
        reason,
      });
      files.push(listed); // listed with its sealed hash: a check of the bundle fails on this file
      entryDone();
    };
    if (!(await blobs.has(blob.sha256))) {
      failed(null, `the stored ${blob.role} is missing from the blob store`);
      continue;
    }
    zip.addReadStreamLazy(path, { mtime, compress: false }, (cb) => {
      const hashing = new HashingStream();
      const source = blobs.read(blob.sha256);
      source.on('error', (e) => {
        source.unpipe(hashing);
        hashing.end(); // the entry ends with what could be read; the failure is recorded below
        failed(null, `the stored ${blob.role} could not be read (${e.message})`);
      });
      hashing.on('end', () => {
        if (failures.some((f) => f.path === path)) return;
        const sha256 = hashing.digest();
        if (sha256 !== blob.sha256 || hashing.size !== blob.size) {
          failed(
            sha256,
            `the stored ${blob.role} no longer matches its seal (SHA-256 ${sha256}, ${hashing.size} bytes; sealed ${blob.sha256}, ${blob.size} bytes)`,
          );
          return;
        }
        files.push(listed);
        entryDone();
      });
      cb(null, source.pipe(hashing));
    });
  }
  // Wait for the blobs only after they have a consumer: the pipeline above reads the ZIP as it is made.
  await Promise.race([allBlobs, written]);
  await allBlobs;

  let custody = content.custody;
  if (failures.length) {
    const author = content.author;
    const recorded = await ctx.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE evidence_exports SET status = 'integrity-failure', failures = $2, finished_at = now() WHERE id = $1`,
        [content.exportId, JSON.stringify(failures)],
      );
      return appendCustody(
        tx,
        failures.map((f) => ({
          actorId: author.userId,
          actorLabel: author.label,
          action: 'integrity-failure' as const,
          itemId: f.itemId,
          details: {
            exportId: content.exportId,
            path: f.path,
            role: f.role,
            expectedSha256: f.expectedSha256,
            actualSha256: f.actualSha256,
            reason: f.reason,
          },
        })),
      );
    });
    custody = [...custody, ...recorded];
    addBuffer(INTEGRITY_FILE, Buffer.from(integrityText(failures)), 'integrity-failures', 'text/plain');
  } else {
    await ctx.db.query(`UPDATE evidence_exports SET status = 'complete', finished_at = now() WHERE id = $1`, [
      content.exportId,
    ]);
  }
  addBuffer(
    'custody.jsonl',
    Buffer.from(custody.map((e) => `${JSON.stringify(e)}\n`).join('')),
    'custody',
    'application/x-ndjson',
  );
  addBuffer(
    'checkpoint.json',
    Buffer.from(`${JSON.stringify(content.checkpoint, null, 2)}\n`),
    'checkpoint',
    'application/json',
  );

  let manifest: Buffer | null = null;
  const manifestBytes = () => {
    manifest ??= Buffer.from(`${JSON.stringify(buildManifest(content, signer, files, failures), null, 2)}\n`);
    return manifest;
  };
  addLazy('manifest.json', manifestBytes);
  addLazy('manifest.json.sig', () => signer.sign(manifestBytes()));
  let sums: Buffer | null = null;
  const sumsBytes = () => {
    if (!sums) {
      const m = manifestBytes();
      const all = [
        ...files,
        { path: 'manifest.json', sha256: sha256Of(m) },
        { path: 'manifest.json.sig', sha256: sha256Of(signer.sign(m)) },
      ];
      sums = Buffer.from(all.map((f) => `${f.sha256}  ${f.path}\n`).join(''));
    }
    return sums;
  };
  addLazy('SHA256SUMS', sumsBytes);
  addLazy('SHA256SUMS.sig', () => signer.sign(sumsBytes()));
  zip.end();
  await written;
  return failures;
}

function integrityText(failures: IntegrityFailure[]): string {
  return [
    'INTEGRITY FAILURE',
    '=================',
    '',
    'While this bundle was written, these files did not match the SHA-256 recorded when they were sealed,',
    'or could not be read from the evidence store. What went into the bundle for them is NOT the sealed',
    'original. SHA256SUMS and manifest.json list the sealed hash, so checking the bundle fails on them.',
    'Each failure is also an "integrity-failure" entry in custody.jsonl and in the custody log.',
    '',
    ...failures.map(
      (f) =>
        `item ${f.itemId}\n  file:     ${f.path}\n  sealed:   ${f.expectedSha256}\n  found:    ${f.actualSha256 ?? '(missing)'}\n  reason:   ${f.reason}\n`,
    ),
  ].join('\n');
}

const sha256Of = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function buildManifest(
  content: BundleContent,
  signer: Signer,
  files: ManifestFile[],
  integrityFailures: IntegrityFailure[],
) {
  const byItem = new Map<string, ManifestFile[]>();
  for (const f of files) if (f.itemId) byItem.set(f.itemId, [...(byItem.get(f.itemId) ?? []), f]);
  return {
    format: BUNDLE_FORMAT,
    exportId: content.exportId,
    createdAt: content.createdAt,
    createdBy: content.author.label,
    situation: { slug: content.situation.slug, name: content.situation.name },
    signingKey: { algorithm: 'Ed25519', keyId: signer.keyId, fingerprintSha256: signer.fingerprint },
    checkpoint: content.checkpoint,
    items: content.items.map((item) => ({
      id: item.id,
      title: item.title,
      phase: item.phase,
      origin: item.origin,
      sourceUrl: item.sourceUrl ?? null,
      incidentIds: item.incidentIds,
      sealedAt: item.createdAt,
      sealedBy: item.createdBy,
      original: {
        sha256: item.sealed!.sha256,
        size: item.sealed!.size,
        mime: item.sealed!.mime,
        claimedName: item.sealed!.claimedName,
        claimedMime: item.sealed!.claimedMime,
        typeMismatch: item.sealed!.typeMismatch,
      },
      capture: { capturedAt: item.sealed!.capturedAt, metadata: item.sealed!.metadata },
      verification: {
        phase: item.phase,
        notes: content.notes
          .filter((n) => n.itemId === item.id)
          .map((n) => ({
            method: n.method,
            conclusion: n.conclusion,
            note: n.note,
            author: n.author,
            at: n.createdAt,
          })),
      },
      files: (byItem.get(item.id) ?? []).map((f) => f.path),
    })),
    files,
    integrityFailures,
  };
}

function verifyText(content: BundleContent, signer: Signer): string {
  return `VIGIL EVIDENCE BUNDLE
=====================

Situation:   ${content.situation.name} (${content.situation.slug})
Export:      ${content.exportId}
Created:     ${content.createdAt} by ${content.author.label}
Items:       ${content.items.length}
Signing key: Ed25519, id ${signer.keyId}
Fingerprint: ${signer.fingerprint}
             (SHA-256 of the public key; compare it with the fingerprint the organisation
             published or gave you separately. A bundle can only prove it was signed by the
             holder of the key that has this fingerprint.)

WHAT IS IN THIS BUNDLE
  items/<id>/original.*      each file exactly as it was sealed on arrival (never modified)
  items/<id>/publishable.*   a copy with location and device metadata removed (images only)
  manifest.json              per file: path, SHA-256, size, type; per item: capture metadata,
                             verification phase and notes
  manifest.json.sig          Ed25519 signature over manifest.json
  custody.jsonl              the custody log entries of these items (who did what, when),
                             each with the hash that chains it to the entry before it
  checkpoint.json            a signed statement of the custody log's head at export time
  SHA256SUMS                 the SHA-256 of every file above
  SHA256SUMS.sig             Ed25519 signature over SHA256SUMS
  public-key.pem             the public key that made the signatures

HOW TO CHECK IT (Linux or macOS terminal, in the folder where you unzipped the bundle)

  1. Check that the signature over the list of hashes is valid:

       openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig

     It must print "Signature Verified Successfully". (OpenSSL 3 or newer.)

  2. Check every file against the list:

       sha256sum -c SHA256SUMS            (on macOS: shasum -a 256 -c SHA256SUMS)

     Every line must end in "OK". A changed file prints "FAILED"; a missing one
     "No such file or directory".

  3. Check that no file was added: the bundle must hold exactly the files listed in
     SHA256SUMS, plus SHA256SUMS and SHA256SUMS.sig themselves.

  4. Optionally, check the signature over the manifest the same way:

       openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.json.sig

  5. Check the fingerprint of public-key.pem:

       openssl pkey -pubin -in public-key.pem -outform DER | sha256sum

     It must equal the fingerprint above, and the one the organisation published.

With Vigil installed, one command does steps 1 to 4 on the ZIP file without unzipping it, and also
recomputes the hash of every custody entry and checks the signed checkpoint:

       vigil verify bundle THIS-FILE.zip [--public-key KEY.pem]
`;
}

// ---------------------------------------------------------------------------------------------------
// Verification

export interface BundleReport {
  ok: boolean;
  files: number;
  bytes: number;
  items: number;
  custodyEntries: number;
  fingerprint: string | null;
  problems: string[];
}

const SMALL_FILES = new Set([
  'SHA256SUMS',
  'SHA256SUMS.sig',
  'manifest.json',
  'manifest.json.sig',
  'public-key.pem',
  'custody.jsonl',
  'checkpoint.json',
]);
const SMALL_LIMIT = 512 * 1024 * 1024;

async function openZip(path: string): Promise<yauzl.ZipFile> {
  const yauzl = (await import('yauzl')).default;
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (error, zip) =>
      error ? reject(error) : resolve(zip),
    ),
  );
}

/** Reads every entry once, hashing as it streams; keeps only the small control files in memory. */
async function readEntries(path: string) {
  const zip = await openZip(path);
  const hashes = new Map<string, { sha256: string; size: number }>();
  const small = new Map<string, Buffer>();
  const duplicates: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      const name = entry.fileName;
      if (name.endsWith('/')) return zip.readEntry();
      zip.openReadStream(entry, async (error, stream) => {
        if (error) return reject(error);
        try {
          const hash = createHash('sha256');
          const keep = SMALL_FILES.has(name) && entry.uncompressedSize <= SMALL_LIMIT;
          const parts: Buffer[] = [];
          let size = 0;
          for await (const chunk of stream) {
            hash.update(chunk as Buffer);
            size += (chunk as Buffer).length;
            if (keep) parts.push(chunk as Buffer);
          }
          if (hashes.has(name)) duplicates.push(name);
          hashes.set(name, { sha256: hash.digest('hex'), size });
          if (keep) small.set(name, Buffer.concat(parts));
          zip.readEntry();
        } catch (e) {
          reject(e);
        }
      });
    });
    zip.readEntry();
  });
  return { hashes, small, duplicates };
}

/** Checks a bundle offline: every hash, both signatures, the manifest, the custody entries, the checkpoint. */
export async function verifyBundle(
  path: string,
  options: { publicKeyPem?: string } = {},
): Promise<BundleReport> {
  const problems: string[] = [];
  const { hashes, small, duplicates } = await readEntries(path);
  for (const name of duplicates) problems.push(`file appears more than once: ${name}`);
  let bytes = 0;
  for (const h of hashes.values()) bytes += h.size;

  // The key: the one given, or the bundle's own (whose fingerprint the reader must compare).
  let key: KeyObject | null = null;
  const bundleKeyPem = small.get('public-key.pem')?.toString();
  try {
    key = createPublicKey(options.publicKeyPem ?? bundleKeyPem ?? '');
  } catch {
    problems.push(
      options.publicKeyPem
        ? 'the given public key cannot be read'
        : 'missing or unreadable file: public-key.pem',
    );
  }
  if (options.publicKeyPem && bundleKeyPem && key) {
    try {
      if (fingerprintOf(createPublicKey(bundleKeyPem)) !== fingerprintOf(key)) {
        problems.push('public-key.pem is not the key you gave: the bundle was signed by someone else');
      }
    } catch {
      problems.push('public-key.pem cannot be read');
    }
  }
  const checkSignature = (file: string) => {
    const data = small.get(file);
    const sig = small.get(`${file}.sig`);
    if (!data || !sig) return; // reported as missing below
    if (key && !verifySignature(key, data, sig))
      problems.push(`signature does not verify: ${file}.sig over ${file}`);
  };

  const sums = small.get('SHA256SUMS');
  const listed = new Map<string, string>();
  if (!sums) {
    problems.push('missing file: SHA256SUMS');
  } else {
    if (!small.has('SHA256SUMS.sig')) problems.push('missing file: SHA256SUMS.sig');
    checkSignature('SHA256SUMS');
    for (const line of sums.toString('utf8').split('\n')) {
      if (!line) continue;
      const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
      if (!match) {
        problems.push(`SHA256SUMS has a line that is not "hash  path": ${line.slice(0, 80)}`);
        continue;
      }
      listed.set(match[2]!, match[1]!);
    }
    for (const [file, sha256] of listed) {
      const actual = hashes.get(file);
      if (!actual) problems.push(`missing file: ${file}`);
      else if (actual.sha256 !== sha256)
        problems.push(`changed file: ${file} (SHA-256 ${actual.sha256}, expected ${sha256})`);
    }
    for (const file of hashes.keys()) {
      if (!listed.has(file) && !CONTROL_FILES.has(file)) problems.push(`extra file: ${file}`);
    }
  }

  let items = 0;
  const manifestData = small.get('manifest.json');
  if (manifestData) {
    checkSignature('manifest.json');
    try {
      const manifest = JSON.parse(manifestData.toString('utf8')) as {
        format?: string;
        items?: unknown[];
        files?: ManifestFile[];
        integrityFailures?: IntegrityFailure[];
      };
      if (manifest.format !== BUNDLE_FORMAT)
        problems.push(`manifest.json: unknown format ${manifest.format}`);
      items = manifest.items?.length ?? 0;
      for (const f of manifest.integrityFailures ?? []) {
        problems.push(
          `integrity failure recorded when the bundle was made: ${f.path} (item ${f.itemId}): ${f.reason}`,
        );
      }
      for (const f of manifest.files ?? []) {
        const actual = hashes.get(f.path);
        if (!actual) {
          if (!problems.includes(`missing file: ${f.path}`)) problems.push(`missing file: ${f.path}`);
        } else if (actual.sha256 !== f.sha256 || actual.size !== f.size) {
          const message = `changed file: ${f.path}`;
          if (!problems.some((p) => p.startsWith(message)))
            problems.push(`${message} (does not match manifest.json)`);
        }
      }
    } catch {
      problems.push('manifest.json is not valid JSON');
    }
  } else if (!problems.includes('missing file: manifest.json')) {
    problems.push('missing file: manifest.json');
  }

  let custodyEntries = 0;
  const custody = small.get('custody.jsonl');
  const entryHashes = new Map<number, string>();
  if (custody) {
    for (const line of custody.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      custodyEntries++;
      try {
        const entry = JSON.parse(line) as CustodyEntry;
        if (entryHash(entry) !== entry.hash)
          problems.push(`custody.jsonl: entry ${entry.id} does not match its hash`);
        entryHashes.set(entry.id, entry.hash);
      } catch {
        problems.push(`custody.jsonl: line ${custodyEntries} is not valid JSON`);
      }
    }
  }
  const checkpointData = small.get('checkpoint.json');
  if (checkpointData && key) {
    try {
      const c = JSON.parse(checkpointData.toString('utf8')) as Checkpoint;
      if (!verifySignature(key, checkpointMessage(c), Buffer.from(c.signature, 'base64'))) {
        problems.push('checkpoint.json: the signature does not verify');
      }
      const atHead = entryHashes.get(c.headId);
      if (atHead && atHead !== c.headHash)
        problems.push(`checkpoint.json: entry ${c.headId} differs from the checkpoint`);
    } catch {
      problems.push('checkpoint.json is not valid JSON');
    }
  }
  let fingerprint: string | null = null;
  try {
    fingerprint = key ? fingerprintOf(key) : null;
  } catch {
    fingerprint = null;
  }
  return {
    ok: problems.length === 0,
    files: hashes.size,
    bytes,
    items,
    custodyEntries,
    fingerprint,
    problems,
  };
}
