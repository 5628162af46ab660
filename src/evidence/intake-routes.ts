// HTTP routes of public report intake (anonymous, rate-limited, multipart) and its moderation queue.
import { createHmac, randomBytes } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { AppError } from '../lib/errors.ts';
import { Nullable, PartialDateText, Slug, Uuid } from '../lib/schema.ts';
import { BlobStore } from './blobs.ts';
import {
  decideReport,
  discardStaged,
  getReport,
  LOCATION_PRECISIONS,
  listReports,
  parseReportFields,
  reportableSituation,
  type StagedFile,
  submitReport,
} from './intake.ts';
import type { EvidenceOptions } from './item-routes.ts';
import { type Vault, VaultUnavailableError } from './items.ts';

const DEFAULT_REPORT_MAX_BYTES = 100 * 1024 * 1024;
const MAX_FILES = 5;
const Point = Type.Object({ lat: Type.Number(), lon: Type.Number() });
const Precision = Type.Union(LOCATION_PRECISIONS.map((p) => Type.Literal(p)));
const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('merged'),
  Type.Literal('linked'),
  Type.Literal('rejected'),
]);

export const ReportReceipt = Type.Object({
  id: Type.String(),
  status: Type.Literal('pending'),
  receivedAt: Type.String(),
  statementSha256: Type.String({
    description: 'SHA-256 of the sealed statement: a receipt the witness may keep',
  }),
  files: Type.Array(
    Type.Object({ name: Nullable(Type.String()), sha256: Type.String(), size: Type.Integer() }),
  ),
  storedLocation: Type.Object({
    precision: Precision,
    point: Type.Union([Point, Type.Null()]),
    placeName: Nullable(Type.String()),
  }),
});

export const PublicReport = Type.Object(
  {
    id: Type.String(),
    situationSlug: Type.String(),
    status: Status,
    what: Type.String(),
    when: Nullable(Type.String()),
    whenPrecision: Nullable(Type.String()),
    whenText: Nullable(Type.String()),
    placeName: Nullable(Type.String()),
    locationPrecision: Precision,
    point: Type.Union([Point, Type.Null()], { description: 'already coarsened to the chosen precision' }),
    statementItemId: Nullable(Type.String()),
    files: Type.Array(
      Type.Object({
        itemId: Type.String(),
        title: Type.String(),
        mime: Type.String(),
        sha256: Type.String(),
        size: Type.Integer(),
        publishable: Type.Boolean(),
      }),
    ),
    receivedAt: Type.String(),
    decision: Type.Union([
      Type.Object({
        incidentId: Nullable(Type.String()),
        reason: Nullable(Type.String()),
        by: Type.String(),
        at: Type.String(),
      }),
      Type.Null(),
    ]),
  },
  { $id: 'PublicReport' },
);

export const ReportDecisionBody = Type.Object(
  {
    action: Type.Union([Type.Literal('merge'), Type.Literal('link'), Type.Literal('reject')], {
      description:
        'merge: into a new incident (drafted from the report; optional `incident` fields) or into `incidentId` ' +
        '(its account is appended to the description as a new revision); link: the report is evidence of ' +
        "`incidentId`; reject: with `reason`. Merge and link link the report's sealed items to the incident.",
    }),
    incidentId: Type.Optional(Uuid),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    incident: Type.Optional(
      Type.Object(
        {
          title: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          category: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]*$', maxLength: 40 })),
          confidence: Type.Optional(
            Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]),
          ),
          start: Type.Optional(PartialDateText),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const evidenceIntakeRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  evidence?: EvidenceOptions | null;
}> = async (app, { db, evidence }) => {
  const vault: Vault | null = evidence
    ? { db, blobs: new BlobStore(evidence.blobDir), maxUploadBytes: evidence.maxUploadBytes }
    : null;
  const maxBytes = Math.min(
    evidence?.reportMaxBytes ?? DEFAULT_REPORT_MAX_BYTES,
    evidence?.maxUploadBytes ?? 0,
  );
  await app.register(multipart, {
    limits: { fileSize: maxBytes, files: MAX_FILES, fields: 20, fieldSize: 25_000, parts: 30 },
  });
  // Rate limits count per client, but the key kept in memory is a keyed hash, never the address itself.
  const secret = randomBytes(32);
  const clientKey = (ip: string) => createHmac('sha256', secret).update(ip).digest('base64url');

  app.post(
    '/situations/:slug/reports',
    {
      config: {
        rateLimit: {
          max: evidence?.reportRateLimit ?? 10,
          timeWindow: '1 hour',
          keyGenerator: (request) => clientKey(request.ip),
        },
      },
      schema: {
        tags: ['reports'],
        summary: 'Send a report as a witness (anonymous; public situations only; multipart/form-data)',
        description:
          'Fields (send them before the files): `what` (required), `when` (YYYY-MM-DD, YYYY-MM or YYYY), `whenText` ' +
          '(free words, e.g. "around noon"), `place` (a name), `lat` and `lon` with `precision` — exact, approximate ' +
          '(~1 km), town (~11 km), region (~110 km) or none: the point is snapped to that grid before it is stored, and ' +
          `a finer one is never kept. Up to ${MAX_FILES} files in fields named \`file\`, each sealed like an upload ` +
          '(type sniffed from the bytes; photos get a publishable copy without location metadata at once). ' +
          'No IP address or user agent is stored. Rate-limited per client (429).',
        consumes: ['multipart/form-data'],
        params: Type.Object({ slug: Slug }),
        response: { 201: ReportReceipt },
      },
    },
    async (request, reply) => {
      if (!vault) throw new VaultUnavailableError();
      const situation = await reportableSituation(db, request.params.slug);
      if (!request.isMultipart()) {
        throw new AppError(415, 'Unsupported media type', 'send the report as multipart/form-data');
      }
      const fields: Record<string, string> = {};
      const staged: StagedFile[] = [];
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            const blob = await vault.blobs.put(part.file, maxBytes);
            staged.push({ blob, name: part.filename || null, mime: part.mimetype || null });
          } else if (typeof part.value === 'string' && !(part.fieldname in fields)) {
            fields[part.fieldname] = part.value;
          }
        }
        const parsed = parseReportFields(fields);
        const receipt = await submitReport(vault, situation, parsed, staged);
        return reply.code(201).send(receipt);
      } catch (error) {
        await discardStaged(vault, staged);
        const code = (error as { code?: string }).code;
        if (code === 'FST_FILES_LIMIT') {
          throw new AppError(
            413,
            'Too many files',
            `a report may carry at most ${MAX_FILES} files; nothing was stored`,
          );
        }
        throw error;
      }
    },
  );

  app.get(
    '/situations/:slug/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'The moderation queue: reports from the public, oldest first (documenter, analyst, admin)',
        params: Type.Object({ slug: Slug }),
        querystring: Type.Object(
          {
            status: Type.Optional(Status),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
            cursor: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(PublicReport), nextCursor: Nullable(Type.String()) }),
        },
      },
    },
    async (request) => listReports(db, request.actor, request.params.slug, request.query),
  );

  app.get(
    '/reports/:id',
    {
      schema: {
        tags: ['reports'],
        summary: 'One report from the public (documenter, analyst, admin)',
        params: Type.Object({ id: Uuid }),
        response: { 200: PublicReport },
      },
    },
    async (request) => getReport(db, request.actor, request.params.id),
  );

  app.post(
    '/reports/:id/decision',
    {
      schema: {
        tags: ['reports'],
        summary: 'Merge a report into a new or existing incident, link it as evidence, or reject it',
        description:
          "Recorded in the custody log of each of the report's items (`moderate`, and `link` for new links). " +
          'A report is decided once (409 afterwards). A new incident is a draft with low confidence, the report as ' +
          'its description and source, and the point as coarse as the witness chose.',
        params: Type.Object({ id: Uuid }),
        body: ReportDecisionBody,
        response: { 200: PublicReport },
      },
    },
    async (request) => {
      const origin = `${request.protocol}://${request.host}`;
      return decideReport(
        db,
        request.actor,
        request.params.id,
        request.body,
        `${origin}/api/v1/reports/${request.params.id}`,
      );
    },
  );
};
