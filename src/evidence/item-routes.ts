// HTTP routes of the evidence vault: streaming uploads, items, originals and publishable copies,
// verification notes, custody entries and export bundles.
import { PassThrough } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { Database } from '../db/types.ts';
import { AppError, ValidationError } from '../lib/errors.ts';
import { Slug, Uuid } from '../lib/schema.ts';
import { BlobStore } from './blobs.ts';
import { takeCheckpoint } from './custody.ts';
import { getExport, prepareExportFor } from './exports.ts';
import {
  CustodyEntrySchema,
  EvidenceItem,
  ExportRequest,
  ExportStatus,
  ItemPatch,
  ItemQuery,
  Note,
  NoteCreate,
  UploadQuery,
  UploadResult,
} from './item-schema.ts';
import {
  addNote,
  type BlobDownload,
  downloadOriginal,
  downloadPublishable,
  getItem,
  itemCustody,
  linkItem,
  listItems,
  listNotes,
  prepareUpload,
  sealItem,
  updateItem,
  uploadResult,
  type Vault,
  VaultUnavailableError,
} from './items.ts';
import { loadSigner } from './keys.ts';

export interface EvidenceOptions {
  blobDir: string;
  maxUploadBytes: number;
  keyDir: string;
  /** Sign a checkpoint of the custody log this often when it changed (0 or unset: only at exports). */
  checkpointEveryMs?: number;
  /** URL captures may reach private, loopback and link-local addresses (VIGIL_CAPTURE_ALLOW_PRIVATE). */
  captureAllowPrivate?: boolean;
  /** Headless chromium for capture screenshots and PDFs; null: captures keep only the raw response. */
  chromiumPath?: string | null;
  /** The largest file a public report may carry (default: 100 MiB, never more than maxUploadBytes). */
  reportMaxBytes?: number;
  /** Public reports accepted per client and hour (default 10). */
  reportRateLimit?: number;
}

export const evidenceItemRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  evidence?: EvidenceOptions | null;
}> = async (app, { db, evidence }) => {
  const vault: Vault | null = evidence
    ? { db, blobs: new BlobStore(evidence.blobDir), maxUploadBytes: evidence.maxUploadBytes }
    : null;
  const needVault = (): Vault => {
    if (!vault) throw new VaultUnavailableError();
    return vault;
  };
  await app.register(multipart, {
    limits: { fileSize: evidence?.maxUploadBytes ?? 0, files: 1, fields: 10, fieldSize: 10_000, parts: 12 },
  });

  if (evidence?.checkpointEveryMs) {
    const timer = setInterval(() => {
      const signer = loadSigner(evidence.keyDir);
      if (!signer) return;
      takeCheckpoint(db, signer, evidence.keyDir).catch((error) =>
        app.log.error({ err: error }, 'checkpoint failed'),
      );
    }, evidence.checkpointEveryMs);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  const sendBlob = (reply: FastifyReply, blob: BlobDownload, disposition: 'attachment' | 'inline') =>
    reply
      .header('content-type', blob.mime)
      .header('content-length', blob.size)
      .header('content-disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(blob.filename)}`)
      .header('x-content-sha256', blob.sha256)
      .header('cache-control', 'private, no-store')
      .send(needVault().blobs.read(blob.sha256));

  app.post(
    '/situations/:slug/items',
    {
      schema: {
        tags: ['evidence'],
        summary:
          'Upload one file as evidence (multipart/form-data, field "file"); it is sealed as it streams in',
        description:
          'SHA-256, size and type (sniffed from the bytes) are computed while the file streams to disk. ' +
          'The same bytes uploaded again answer 200 with `duplicate: true` and the first item. ' +
          'An oversized (413) or cut-off (400) upload stores nothing. `title` and `incident` may be sent as ' +
          'query parameters or as form fields before the file.',
        consumes: ['multipart/form-data'],
        params: Type.Object({ slug: Slug }),
        querystring: UploadQuery,
        response: { 200: UploadResult, 201: UploadResult },
      },
    },
    async (request, reply) => {
      const v = needVault();
      const { situation, author } = await prepareUpload(db, request.actor, request.params.slug);
      if (!request.isMultipart()) {
        throw new AppError(
          415,
          'Unsupported media type',
          'send the file as multipart/form-data in a field named "file"',
        );
      }
      const part = await request.file();
      if (!part) throw ValidationError.field('file', 'is required');
      const field = (name: string): string | undefined => {
        const f = part.fields[name];
        const one = Array.isArray(f) ? f[0] : f;
        return one && one.type === 'field' && typeof one.value === 'string' && one.value
          ? one.value
          : undefined;
      };
      const incident = request.query.incident ?? field('incident');
      const result = await sealItem(v, author, {
        situationId: situation.id,
        stream: part.file,
        claimedName: part.filename || null,
        claimedMime: part.mimetype || null,
        title: request.query.title ?? field('title'),
        origin: 'upload',
        incidentIds: incident ? [incident] : [],
      });
      const body = await uploadResult(db, request.actor, result);
      return reply
        .code(result.duplicate ? 200 : 201)
        .header('location', `/api/v1/items/${result.id}`)
        .send(body);
    },
  );

  app.get(
    '/situations/:slug/items',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Evidence items of a situation',
        description:
          'With evidence.read-sealed: every item with its sealed original. Otherwise only items with a publishable copy ' +
          '(anonymous readers: only those linked to a published incident), without originals or metadata.',
        params: Type.Object({ slug: Slug }),
        querystring: ItemQuery,
        response: {
          200: Type.Object({
            items: Type.Array(EvidenceItem),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => listItems(db, request.actor, request.params.slug, request.query),
  );

  app.get(
    '/items/:id',
    {
      schema: {
        tags: ['evidence'],
        summary: 'One evidence item (a reader of sealed material leaves a custody entry)',
        params: Type.Object({ id: Uuid }),
        response: { 200: EvidenceItem },
      },
    },
    async (request) => getItem(db, request.actor, request.params.id),
  );

  app.patch(
    '/items/:id',
    {
      schema: {
        tags: ['evidence'],
        summary:
          'Move an item to another Berkeley Protocol phase, or retitle it (recorded in the custody log)',
        params: Type.Object({ id: Uuid }),
        body: ItemPatch,
        response: { 200: EvidenceItem },
      },
    },
    async (request) => updateItem(db, request.actor, request.params.id, request.body),
  );

  app.post(
    '/items/:id/incidents',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Link an item to an incident of its situation',
        params: Type.Object({ id: Uuid }),
        body: Type.Object({ incidentId: Uuid }, { additionalProperties: false }),
        response: { 200: EvidenceItem },
      },
    },
    async (request) => linkItem(db, request.actor, request.params.id, request.body.incidentId),
  );

  app.get(
    '/items/:id/original',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Download the sealed original (evidence.read-sealed; recorded in the custody log)',
        params: Type.Object({ id: Uuid }),
      },
    },
    async (request, reply) =>
      sendBlob(reply, await downloadOriginal(db, request.actor, request.params.id), 'attachment'),
  );

  app.get(
    '/items/:id/publishable',
    {
      schema: {
        tags: ['evidence'],
        summary: 'The publishable copy: location and device metadata removed',
        params: Type.Object({ id: Uuid }),
      },
    },
    async (request, reply) =>
      sendBlob(reply, await downloadPublishable(db, request.actor, request.params.id), 'inline'),
  );

  app.get(
    '/items/:id/notes',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Verification notes of an item (evidence.read-sealed)',
        params: Type.Object({ id: Uuid }),
        response: { 200: Type.Object({ items: Type.Array(Note) }) },
      },
    },
    async (request) => ({ items: await listNotes(db, request.actor, request.params.id) }),
  );

  app.post(
    '/items/:id/notes',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Add a verification note (a separate record; the item is not edited)',
        params: Type.Object({ id: Uuid }),
        body: NoteCreate,
        response: { 201: Note },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await addNote(db, request.actor, request.params.id, request.body)),
  );

  app.get(
    '/items/:id/custody',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Custody log entries of an item, with their chain hashes (evidence.read-sealed)',
        params: Type.Object({ id: Uuid }),
        response: { 200: Type.Object({ items: Type.Array(CustodyEntrySchema) }) },
      },
    },
    async (request) => ({ items: await itemCustody(db, request.actor, request.params.id) }),
  );

  app.get(
    '/exports/:id',
    {
      schema: {
        tags: ['evidence'],
        summary:
          'How an export ended: complete, or the files whose stored bytes failed their seal (evidence.read-sealed)',
        params: Type.Object({ id: Uuid }),
        response: { 200: ExportStatus },
      },
    },
    async (request) => getExport(db, request.actor, request.params.id),
  );

  app.post(
    '/situations/:slug/exports',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Stream an export bundle (ZIP) of items for legal proceedings (evidence.read-sealed)',
        description:
          'Without `itemIds`, every item of the situation. The ZIP holds originals, publishable copies, manifest.json ' +
          'and its Ed25519 signature, the custody entries of the items, a signed checkpoint, SHA256SUMS and VERIFY.txt. ' +
          'Every blob is re-hashed while it streams: one that no longer matches its seal (or is missing) is named in ' +
          'INTEGRITY-FAILURES.txt, the manifest and the custody log, the `X-Vigil-Integrity` trailer says `failed …`, and ' +
          '`GET /exports/{X-Vigil-Export-Id}` reports it.',
        params: Type.Object({ slug: Slug }),
        body: ExportRequest,
      },
    },
    async (request, reply) => {
      const v = needVault();
      const prepared = await prepareExportFor(
        { db, blobs: v.blobs, signer: loadSigner(evidence!.keyDir), keyDir: evidence!.keyDir },
        request.actor,
        request.params.slug,
        request.body.itemIds ?? null,
      );
      reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${prepared.filename}"`)
        .header('x-vigil-export-id', prepared.exportId)
        .header('cache-control', 'private, no-store');
      const body = new PassThrough();
      const written = prepared.write(body).then(
        (failures) => {
          if (failures.length) {
            request.log.error({ exportId: prepared.exportId, failures }, 'export bundle: integrity failure');
          }
          return failures;
        },
        (error: Error) => {
          request.log.error({ err: error }, 'export bundle failed while streaming');
          body.destroy(error);
          return null;
        },
      );
      // How the export ended, after the last byte (also at GET /exports/{id}): ok, or the files that failed.
      reply.trailer('x-vigil-integrity', async () => {
        const failures = await written;
        if (failures === null) return 'error';
        return failures.length ? `failed ${failures.map((f) => f.path).join(' ')}` : 'ok';
      });
      return reply.send(body);
    },
  );
};
