// Schemas of evidence items, verification notes and custody entries (HTTP input, output, OpenAPI).
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Uuid } from '../lib/schema.ts';

export const PHASES = [
  'inquiry',
  'preliminary-assessment',
  'collection',
  'preservation',
  'verification',
  'investigative-analysis',
] as const;
export const Phase = Type.Union(
  PHASES.map((p) => Type.Literal(p)),
  { description: 'Berkeley Protocol phase' },
);

export const NOTE_METHODS = [
  'geolocation',
  'chronolocation',
  'source-check',
  'metadata-check',
  'reverse-image-search',
  'witness-corroboration',
  'technical-analysis',
  'other',
] as const;
export const CONCLUSIONS = ['confirms', 'supports', 'inconclusive', 'contradicts'] as const;

export const Publishable = Type.Object({
  sha256: Type.String(),
  size: Type.Integer(),
  mime: Type.String(),
  method: Type.String(),
  url: Type.String(),
});

export const Sealed = Type.Object(
  {
    sha256: Type.String(),
    size: Type.Integer(),
    mime: Type.String({ description: 'sniffed from the bytes' }),
    claimedName: Nullable(Type.String()),
    claimedMime: Nullable(Type.String()),
    typeMismatch: Type.Boolean(),
    capturedAt: Nullable(
      Type.String({ description: 'as the device recorded it (local time, offset when known)' }),
    ),
    metadata: Type.Record(Type.String(), Type.Unknown()),
    phash: Nullable(Type.String()),
    url: Type.String(),
  },
  { description: 'The sealed original: only for roles with evidence.read-sealed' },
);

export const EvidenceItem = Type.Object(
  {
    id: Type.String(),
    situationSlug: Type.String(),
    title: Type.String(),
    phase: Type.String(),
    origin: Type.String(),
    incidentIds: Type.Array(Type.String()),
    publishable: Type.Union([Publishable, Type.Null()]),
    createdAt: Type.String(),
    createdBy: Type.Optional(Type.String()),
    sourceUrl: Type.Optional(Nullable(Type.String())),
    publishableNote: Type.Optional(
      Nullable(
        Type.String({
          description:
            'Why the item has no publishable copy (and so is shown to no one without sealed access); readers of sealed material only',
        }),
      ),
    ),
    sealed: Type.Optional(Sealed),
    nearDuplicates: Type.Optional(Type.Array(Type.Object({ id: Type.String(), distance: Type.Integer() }))),
  },
  { $id: 'EvidenceItem' },
);
export type EvidenceItem = Static<typeof EvidenceItem>;

export const UploadResult = Type.Object({
  duplicate: Type.Boolean({
    description: 'true when these exact bytes were already sealed in this situation',
  }),
  duplicateOf: Nullable(Type.String()),
  item: EvidenceItem,
});

export const UploadQuery = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    incident: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const ItemQuery = Type.Object(
  {
    incident: Type.Optional(Uuid),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type ItemQuery = Static<typeof ItemQuery>;

export const ItemPatch = Type.Object(
  {
    phase: Type.Optional(Phase),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ItemPatch = Static<typeof ItemPatch>;

export const NoteCreate = Type.Object(
  {
    method: Type.Union(NOTE_METHODS.map((m) => Type.Literal(m))),
    conclusion: Type.Union(CONCLUSIONS.map((c) => Type.Literal(c))),
    note: Type.String({ minLength: 1, maxLength: 20_000 }),
  },
  { additionalProperties: false },
);
export type NoteCreate = Static<typeof NoteCreate>;

export const Note = Type.Object({
  id: Type.String(),
  itemId: Type.String(),
  method: Type.String(),
  conclusion: Type.String(),
  note: Type.String(),
  author: Type.String(),
  createdAt: Type.String(),
});
export type Note = Static<typeof Note>;

export const CustodyEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actorId: Nullable(Type.String()),
  actorLabel: Type.String(),
  action: Type.String(),
  itemId: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String(),
});

export const ExportRequest = Type.Object(
  {
    itemIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 100_000, uniqueItems: true })),
  },
  { additionalProperties: false },
);

export const ExportStatus = Type.Object(
  {
    id: Type.String(),
    situationSlug: Type.String(),
    itemIds: Type.Array(Type.String()),
    status: Type.Union([
      Type.Literal('streaming'),
      Type.Literal('complete'),
      Type.Literal('integrity-failure'),
    ]),
    failures: Type.Array(
      Type.Object({
        itemId: Type.String(),
        path: Type.String(),
        role: Type.String(),
        expectedSha256: Type.String(),
        actualSha256: Nullable(Type.String()),
        reason: Type.String(),
      }),
    ),
    createdBy: Type.String(),
    createdAt: Type.String(),
    finishedAt: Nullable(Type.String()),
  },
  { $id: 'ExportStatus' },
);
export type ExportStatus = Static<typeof ExportStatus>;
