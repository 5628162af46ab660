import { type Static, Type } from '@sinclair/typebox';
import { GeoJsonObject, HttpUrl, IsoDate, Slug } from '../lib/schema.ts';

export const Population = Type.Object(
  {
    value: Type.Integer({ minimum: 0 }),
    note: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    sources: Type.Optional(Type.Array(HttpUrl)),
  },
  { additionalProperties: false },
);

const situationFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 20_000 }),
  area: Type.Union([GeoJsonObject, Type.Null()]),
  population: Type.Union([Population, Type.Null()]),
  startsOn: IsoDate,
  endsOn: Type.Union([IsoDate, Type.Null()]),
  contextFrom: Type.Union([IsoDate, Type.Null()], {
    description: 'Earliest date of background events shown as context before the situation starts',
  }),
  visibility: Type.Union([Type.Literal('public'), Type.Literal('private')]),
  organisation: Type.Union([Slug, Type.Null()], {
    description:
      "The slug of the organisation the situation belongs to (only its members and admins read its private content); null: the installation's own",
  }),
};

export const SituationCreate = Type.Object(
  {
    slug: Slug,
    name: situationFields.name,
    description: Type.Optional(situationFields.description),
    area: Type.Optional(situationFields.area),
    population: Type.Optional(situationFields.population),
    startsOn: situationFields.startsOn,
    endsOn: Type.Optional(situationFields.endsOn),
    contextFrom: Type.Optional(situationFields.contextFrom),
    visibility: situationFields.visibility,
    organisation: Type.Optional(situationFields.organisation),
  },
  { additionalProperties: false },
);
export type SituationCreate = Static<typeof SituationCreate>;

export const SituationPatch = Type.Partial(Type.Object(situationFields, { additionalProperties: false }), {
  additionalProperties: false,
  minProperties: 1,
});
export type SituationPatch = Static<typeof SituationPatch>;

export const SituationStats = Type.Object({
  incidents: Type.Integer(),
  published: Type.Integer(),
  withPoint: Type.Integer(),
  firstDate: Type.Union([Type.String(), Type.Null()]),
  lastDate: Type.Union([Type.String(), Type.Null()]),
  categories: Type.Record(Type.String(), Type.Integer()),
});

export const Situation = Type.Object(
  {
    slug: Type.String(),
    name: Type.String(),
    description: Type.String(),
    area: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
    population: Type.Union([
      Type.Object({
        value: Type.Integer(),
        note: Type.Union([Type.String(), Type.Null()]),
        sources: Type.Array(Type.String()),
      }),
      Type.Null(),
    ]),
    startsOn: Type.String(),
    endsOn: Type.Union([Type.String(), Type.Null()]),
    contextFrom: Type.Union([Type.String(), Type.Null()]),
    visibility: Type.String(),
    organisation: Type.Union([Type.String(), Type.Null()], {
      description: 'The slug of the organisation it belongs to, or null',
    }),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    stats: Type.Optional(SituationStats),
  },
  { $id: 'Situation' },
);
export type Situation = Static<typeof Situation>;

export const Layer = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('places'), Type.Literal('route'), Type.Literal('area')]),
  schematic: Type.Boolean(),
  note: Type.Union([Type.String(), Type.Null()]),
  sources: Type.Array(Type.String()),
  geojson: Type.Object({}, { additionalProperties: true }),
});
export type Layer = Static<typeof Layer>;
