// HTTP routes of coordination in a situation: streaming imports of posts, runs (queued for the worker),
// results (communities, narratives, graph, the posts behind an edge), files and a ZIP of them, links and
// stances. Thin: parse, call the service, shape the answer.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import yazl from 'yazl';
import type { Database } from '../db/types.ts';
import { AppError, ValidationError } from '../lib/errors.ts';
import { Slug, Uuid } from '../lib/schema.ts';
import { OUTPUT_FILES } from './output.ts';
import {
  Community,
  EdgePosts,
  EdgeQuery,
  Graph,
  Import,
  ImportQuery,
  Link,
  LinkCreate,
  Narrative,
  Overview,
  Run,
  RunOptions,
  RunParams,
  StancePatch,
} from './schema.ts';
import {
  checkImport,
  createLink,
  createRun,
  deleteLink,
  edgePosts,
  getImport,
  getRun,
  importPosts,
  listCommunities,
  listImports,
  listNarratives,
  listRuns,
  overview,
  runFile,
  runFiles,
  runGraph,
  setStance,
} from './service.ts';

const SlugParams = Type.Object({ slug: Slug });
const tags = ['coordination'];

const MIME: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  gexf: 'application/gexf+xml; charset=utf-8',
  graphml: 'application/graphml+xml; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super(
      413,
      'Payload too large',
      `the file is larger than the limit of ${limit} bytes; nothing was imported`,
    );
  }
}

/** A file name safe to put in a temporary folder, keeping its extensions (they help recognise the format). */
function safeName(name: string): string {
  const base = basename(name.replaceAll('\\', '/'))
    .replace(/[^\w.-]+/g, '_')
    .slice(-120);
  return base && base !== '.' && base !== '..' ? base : 'posts';
}

export const coordinationRoutes: FastifyPluginAsyncTypebox<{ db: Database; maxImportBytes: number }> = async (
  app,
  { db, maxImportBytes },
) => {
  await app.register(multipart, {
    limits: { fileSize: maxImportBytes, files: 1, fields: 5, fieldSize: 1000, parts: 6 },
  });

  app.get(
    '/situations/:slug/coordination',
    {
      schema: {
        tags,
        summary: 'Stored posts, recent imports and runs, and the latest finished run of a situation',
        params: SlugParams,
        response: { 200: Overview },
      },
    },
    async (request) => overview(db, request.actor, request.params.slug),
  );

  app.post(
    '/situations/:slug/coordination/imports',
    {
      schema: {
        tags,
        summary: 'Import posts from one file (multipart/form-data, field "file")',
        description:
          'Any format `vigil analyze coordination` reads: the normalised JSON Lines or CSV, Twitter/X API v2 JSON, ' +
          'the Twitter/X information-operations CSV, a Telegram Desktop JSON export; gzip is read transparently. ' +
          'The file streams to a temporary file (at most VIGIL_MAX_UPLOAD_BYTES; larger answers 413 and imports ' +
          'nothing). Posts already stored (same platform and id) are not stored twice. Malformed records are ' +
          'counted and the first 100 listed with their line numbers.',
        consumes: ['multipart/form-data'],
        params: SlugParams,
        querystring: ImportQuery,
        response: { 201: Import },
      },
    },
    async (request, reply) => {
      await checkImport(db, request.actor, request.params.slug);
      if (!request.isMultipart()) {
        throw new AppError(
          415,
          'Unsupported media type',
          'send the file as multipart/form-data in a field named "file"',
        );
      }
      const part = await request.file();
      if (!part) throw ValidationError.field('file', 'is required');
      const dir = mkdtempSync(join(tmpdir(), 'vigil-import-'));
      try {
        const name = part.filename || 'posts';
        const path = join(dir, safeName(name));
        try {
          await pipeline(part.file, createWriteStream(path));
        } catch (error) {
          if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
            throw new PayloadTooLargeError(maxImportBytes);
          throw new AppError(400, 'Incomplete upload', `the upload was cut off: ${(error as Error).message}`);
        }
        if (part.file.truncated) throw new PayloadTooLargeError(maxImportBytes);
        const result = await importPosts(db, request.actor, request.params.slug, {
          fileName: name,
          path,
          format: request.query.format ?? 'auto',
          id: request.query.id,
        });
        return reply.code(201).send(result);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  app.get(
    '/situations/:slug/coordination/imports',
    {
      schema: {
        tags,
        summary: 'Imports of posts into the situation, newest first',
        params: SlugParams,
        response: { 200: Type.Object({ items: Type.Array(Import) }) },
      },
    },
    async (request) => ({ items: await listImports(db, request.actor, request.params.slug) }),
  );

  app.get(
    '/situations/:slug/coordination/imports/:id',
    {
      schema: {
        tags,
        summary: 'One import, with its progress while it runs',
        params: RunParams,
        response: { 200: Import },
      },
    },
    async (request) => getImport(db, request.actor, request.params.slug, request.params.id),
  );

  app.post(
    '/situations/:slug/coordination/runs',
    {
      schema: {
        tags,
        summary: 'Start an analysis of the stored posts (queued; the worker in `vigil serve` runs it)',
        description:
          'The run analyses the posts of imports finished before it was started. Follow it with ' +
          'GET …/runs/{id}: status queued → running (progress {phase, done, total}) → done or failed.',
        params: SlugParams,
        body: RunOptions,
        response: { 202: Run },
      },
    },
    async (request, reply) => {
      const run = await createRun(db, request.actor, request.params.slug, request.body);
      return reply
        .code(202)
        .header('location', `/api/v1/situations/${request.params.slug}/coordination/runs/${run.id}`)
        .send(run);
    },
  );

  app.get(
    '/situations/:slug/coordination/runs',
    {
      schema: {
        tags,
        summary: 'Runs of the situation, newest first',
        params: SlugParams,
        response: { 200: Type.Object({ items: Type.Array(Run) }) },
      },
    },
    async (request) => ({ items: await listRuns(db, request.actor, request.params.slug) }),
  );

  app.get(
    '/situations/:slug/coordination/runs/:id',
    {
      schema: { tags, summary: 'One run, with its progress', params: RunParams, response: { 200: Run } },
    },
    async (request) => getRun(db, request.actor, request.params.slug, request.params.id),
  );

  app.get(
    '/situations/:slug/coordination/runs/:id/communities',
    {
      schema: {
        tags,
        summary: 'Communities found by a finished run, with their summaries and links',
        params: RunParams,
        response: { 200: Type.Object({ items: Type.Array(Community) }) },
      },
    },
    async (request) => ({
      items: await listCommunities(db, request.actor, request.params.slug, request.params.id),
    }),
  );

  app.get(
    '/situations/:slug/coordination/runs/:id/narratives',
    {
      schema: {
        tags,
        summary: 'Narratives (clusters of near-identical texts) of a finished run, with stances and links',
        params: RunParams,
        response: { 200: Type.Object({ items: Type.Array(Narrative) }) },
      },
    },
    async (request) => ({
      items: await listNarratives(db, request.actor, request.params.slug, request.params.id),
    }),
  );

  app.get(
    '/situations/:slug/coordination/runs/:id/graph',
    {
      schema: {
        tags,
        summary: 'The graph of significant edges (accounts and edges) for the explorer',
        params: RunParams,
        response: { 200: Graph },
      },
    },
    async (request) => runGraph(db, request.actor, request.params.slug, request.params.id),
  );

  app.get(
    '/situations/:slug/coordination/runs/:id/edge',
    {
      schema: {
        tags,
        summary: 'The posts behind one edge: every co-action of the two accounts, with both posts',
        params: RunParams,
        querystring: EdgeQuery,
        response: { 200: EdgePosts },
      },
    },
    async (request) =>
      edgePosts(
        db,
        request.actor,
        request.params.slug,
        request.params.id,
        request.query.source,
        request.query.target,
      ),
  );

  app.get(
    '/situations/:slug/coordination/runs/:id/files/:name',
    {
      schema: {
        tags,
        summary: `One output file of a finished run (${OUTPUT_FILES.join(', ')})`,
        params: Type.Object({ slug: Slug, id: Uuid, name: Type.String({ maxLength: 40 }) }),
      },
    },
    async (request, reply) => {
      const file = await runFile(
        db,
        request.actor,
        request.params.slug,
        request.params.id,
        request.params.name,
      );
      const ext = file.name.slice(file.name.lastIndexOf('.') + 1);
      return reply
        .header('content-type', MIME[ext] ?? 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${file.name}"`)
        .header('cache-control', 'private, no-store')
        .send(file.content);
    },
  );

  app.get(
    '/situations/:slug/coordination/runs/:id/export.zip',
    {
      schema: {
        tags,
        summary: 'Every output file of a finished run in one ZIP',
        params: RunParams,
      },
    },
    async (request, reply) => {
      const { situation, files } = await runFiles(db, request.actor, request.params.slug, request.params.id);
      const zip = new yazl.ZipFile();
      const folder = `coordination-${situation.slug}-${request.params.id.slice(0, 8)}`;
      for (const f of files) zip.addBuffer(Buffer.from(f.content, 'utf8'), `${folder}/${f.name}`);
      zip.end();
      const out = new PassThrough();
      zip.outputStream.pipe(out);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${folder}.zip"`)
        .header('cache-control', 'private, no-store')
        .send(out);
    },
  );

  app.patch(
    '/situations/:slug/coordination/narratives/:id',
    {
      schema: {
        tags,
        summary: "Set a narrative's stance (unassessed, denial, downplaying, other) with a note",
        description:
          'An analyst’s reading, never set automatically; denial and downplaying feed the risk module’s ' +
          'suggestion of the "denial" stage.',
        params: RunParams,
        body: StancePatch,
        response: { 200: Narrative },
      },
    },
    async (request) => setStance(db, request.actor, request.params.slug, request.params.id, request.body),
  );

  app.post(
    '/situations/:slug/coordination/links',
    {
      schema: {
        tags,
        summary: 'Link a community or narrative to an incident or evidence item of the situation',
        params: SlugParams,
        body: LinkCreate,
        response: { 201: Link },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createLink(db, request.actor, request.params.slug, request.body)),
  );

  app.delete(
    '/situations/:slug/coordination/links/:id',
    {
      schema: { tags, summary: 'Remove a link', params: RunParams, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await deleteLink(db, request.actor, request.params.slug, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
