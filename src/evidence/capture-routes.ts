// HTTP routes of URL captures: queue a capture (a job), poll its progress, list a situation's captures.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { Nullable, Slug, Uuid } from '../lib/schema.ts';
import { BlobStore } from './blobs.ts';
import {
  type CaptureContext,
  DEFAULT_CHROMIUM,
  getCapture,
  listCaptures,
  requestCapture,
} from './capture.ts';
import type { EvidenceOptions } from './item-routes.ts';
import { VaultUnavailableError } from './items.ts';

const ItemId = Type.Union([Type.String(), Type.Null()]);

export const CaptureJob = Type.Object(
  {
    id: Type.String(),
    situationSlug: Type.String(),
    url: Type.String(),
    incidentId: Nullable(Type.String()),
    status: Type.Union([
      Type.Literal('queued'),
      Type.Literal('running'),
      Type.Literal('succeeded'),
      Type.Literal('failed'),
    ]),
    progress: Type.Integer({ minimum: 0, maximum: 100, description: 'percent' }),
    stage: Type.String({ description: 'what the capture is doing now (fetching, rendering…)' }),
    error: Nullable(Type.String({ description: 'why it failed; a failed capture stored nothing' })),
    finalUrl: Nullable(Type.String({ description: 'the URL after redirects' })),
    httpStatus: Type.Union([Type.Integer(), Type.Null()]),
    fetchedAt: Nullable(Type.String({ description: 'when the fetch started (server clock)' })),
    rendered: Type.Union([Type.Boolean(), Type.Null()]),
    renderNote: Nullable(
      Type.String({ description: 'why there is no screenshot or PDF (e.g. chromium is not installed)' }),
    ),
    items: Type.Object(
      { record: ItemId, response: ItemId, screenshot: ItemId, pdf: ItemId },
      {
        description:
          'The sealed evidence items of this capture: the record (URL, fetch time, status, headers, redirects, ' +
          'hashes of the other parts), the raw response, the full-page screenshot and the PDF',
      },
    ),
    attempts: Type.Integer({
      description: 'how many times a worker took the job; above 1 it was resumed after its worker stopped',
    }),
    maxAttempts: Type.Integer(),
    createdBy: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    finishedAt: Nullable(Type.String()),
  },
  { $id: 'CaptureJob' },
);

export const evidenceCaptureRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  evidence?: EvidenceOptions | null;
}> = async (app, { db, evidence }) => {
  const ctx: CaptureContext | null = evidence
    ? {
        vault: { db, blobs: new BlobStore(evidence.blobDir), maxUploadBytes: evidence.maxUploadBytes },
        allowPrivate: evidence.captureAllowPrivate ?? false,
        chromiumPath: evidence.chromiumPath === undefined ? DEFAULT_CHROMIUM : evidence.chromiumPath,
      }
    : null;

  app.post(
    '/situations/:slug/captures',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Capture a URL as evidence (evidence.write); queued as a job: poll GET …/captures/{id}',
        description:
          'Vigil fetches the page itself and seals the raw response, a full-page screenshot and a PDF rendered by ' +
          'headless chromium, and a capture record (URL, fetch time, status, headers, redirects) naming the other ' +
          'parts by SHA-256. Private, loopback and link-local addresses are refused (400) unless the administrator ' +
          'allows them, for the URL and every redirect. Without chromium only the raw response and the record are ' +
          'kept, and `renderNote` says how to install it. A URL that cannot be fetched ends the job as `failed` ' +
          'with `error`, and nothing is stored. Jobs are kept in the database and run by the worker of `vigil serve`; ' +
          'a job whose worker stopped is taken up again when its lease runs out, without storing anything twice.',
        params: Type.Object({ slug: Slug }),
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: 2048, description: 'http or https' }),
            incidentId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: { 202: CaptureJob },
      },
    },
    async (request, reply) => {
      if (!ctx) throw new VaultUnavailableError();
      const job = await requestCapture(ctx, request.actor, request.params.slug, request.body);
      return reply
        .code(202)
        .header('location', `/api/v1/situations/${request.params.slug}/captures/${job.id}`)
        .send(job);
    },
  );

  app.get(
    '/situations/:slug/captures/:id',
    {
      schema: {
        tags: ['evidence'],
        summary: 'A capture job: its status, progress and, when done, its sealed items (evidence.write)',
        params: Type.Object({ slug: Slug, id: Uuid }),
        response: { 200: CaptureJob },
      },
    },
    async (request) => getCapture(db, request.actor, request.params.slug, request.params.id),
  );

  app.get(
    '/situations/:slug/captures',
    {
      schema: {
        tags: ['evidence'],
        summary: 'The latest captures of a situation, newest first (evidence.write)',
        params: Type.Object({ slug: Slug }),
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(CaptureJob) }) },
      },
    },
    async (request) => ({
      items: await listCaptures(db, request.actor, request.params.slug, request.query.limit),
    }),
  );
};
