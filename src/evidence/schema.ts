import { type Static, Type } from '@sinclair/typebox';
import { HttpUrl, IsoDate, PartialDateText } from '../lib/schema.ts';

export const SourceRef = Type.Object(
  {
    url: HttpUrl,
    outlet: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
    accessedOn: Type.Optional(Type.Union([IsoDate, Type.Null()])),
  },
  { additionalProperties: false },
);
export type SourceRef = Static<typeof SourceRef>;

export const Point = Type.Object(
  { lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) },
  { additionalProperties: false },
);

export const Confidence = Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]);
export const IncidentStatus = Type.Union([Type.Literal('draft'), Type.Literal('published')]);
export const PointSource = Type.Union([
  Type.Literal('source'),
  Type.Literal('gazetteer'),
  Type.Literal('manual'),
]);
export const Category = Type.String({ pattern: '^[a-z][a-z0-9-]*$', maxLength: 40 });

const incidentFields = {
  title: Type.String({ minLength: 1, maxLength: 500 }),
  description: Type.String({ maxLength: 20_000 }),
  category: Category,
  start: PartialDateText,
  end: Type.Union([PartialDateText, Type.Null()]),
  placeName: Type.Union([Type.String({ maxLength: 300 }), Type.Null()]),
  point: Type.Union([Point, Type.Null()]),
  pointSource: Type.Union([PointSource, Type.Null()]),
  pointNote: Type.Union([Type.String({ maxLength: 1000 }), Type.Null()]),
  confidence: Confidence,
  status: IncidentStatus,
  sources: Type.Array(SourceRef, { minItems: 1, maxItems: 100 }),
};

export const IncidentCreate = Type.Object(
  {
    title: incidentFields.title,
    description: Type.Optional(incidentFields.description),
    category: incidentFields.category,
    start: incidentFields.start,
    end: Type.Optional(incidentFields.end),
    placeName: Type.Optional(incidentFields.placeName),
    point: Type.Optional(incidentFields.point),
    pointSource: Type.Optional(incidentFields.pointSource),
    pointNote: Type.Optional(incidentFields.pointNote),
    confidence: incidentFields.confidence,
    status: Type.Optional(incidentFields.status),
    sources: incidentFields.sources,
  },
  { additionalProperties: false },
);
export type IncidentCreate = Static<typeof IncidentCreate>;

export const IncidentPatch = Type.Partial(
  Type.Object({
    ...incidentFields,
    version: Type.Integer({
      minimum: 1,
      description: 'The version you edited; a stale version is refused (409)',
    }),
  }),
  { additionalProperties: false, minProperties: 1 },
);
export type IncidentPatch = Static<typeof IncidentPatch>;

export const IncidentQuery = Type.Object(
  {
    from: Type.Optional(IsoDate),
    to: Type.Optional(IsoDate),
    category: Type.Optional(Category),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    status: Type.Optional(IncidentStatus),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type IncidentQuery = Static<typeof IncidentQuery>;

export const Incident = Type.Object(
  {
    id: Type.String(),
    situationSlug: Type.String(),
    title: Type.String(),
    description: Type.String(),
    category: Type.String(),
    start: Type.String(),
    startPrecision: Type.String(),
    end: Type.Union([Type.String(), Type.Null()]),
    endPrecision: Type.Union([Type.String(), Type.Null()]),
    placeName: Type.Union([Type.String(), Type.Null()]),
    point: Type.Union([Point, Type.Null()]),
    pointSource: Type.Union([Type.String(), Type.Null()]),
    pointNote: Type.Union([Type.String(), Type.Null()]),
    confidence: Type.String(),
    status: Type.String(),
    sources: Type.Array(
      Type.Object({
        url: Type.String(),
        outlet: Type.Union([Type.String(), Type.Null()]),
        accessedOn: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    version: Type.Integer(),
  },
  { $id: 'Incident' },
);
export type Incident = Static<typeof Incident>;

export const Revision = Type.Object({
  revision: Type.Integer(),
  changedAt: Type.String(),
  changedBy: Type.Union([Type.String(), Type.Null()]),
  changes: Type.Record(Type.String(), Type.Object({ from: Type.Unknown(), to: Type.Unknown() })),
});
export type Revision = Static<typeof Revision>;

export const IncidentWithRevisions = Type.Intersect([
  Incident,
  Type.Object({ revisions: Type.Array(Revision) }),
]);
