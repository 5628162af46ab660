// TypeBox schemas of the response module: they validate HTTP input, type the code and feed OpenAPI.
import { type Static, Type } from '@sinclair/typebox';
import { HttpUrl, IsoDate, Nullable, SourceOut, Uuid } from '../lib/schema.ts';
import { MEASURE_CATEGORIES, MEASURE_STATUSES } from './vocabulary.ts';

const enumOf = <T extends Record<string, string>>(values: T, description: string) =>
  Type.Unsafe<Extract<keyof T, string>>({ type: 'string', enum: Object.keys(values), description });

export const MeasureCategory = enumOf(MEASURE_CATEGORIES, 'The kind of measure (docs/response.md)');
export const MeasureStatus = enumOf(MEASURE_STATUSES, 'Where the measure stands (docs/response.md)');

export const DateText = Type.String({
  pattern: '^\\d{4}(-\\d{2}(-\\d{2})?)?$',
  description: 'A date to the day (YYYY-MM-DD), month (YYYY-MM) or year (YYYY)',
  examples: ['2023-11-15', '2016-06'],
});

export const SourceIn = Type.Object(
  { url: HttpUrl, outlet: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])) },
  { additionalProperties: false },
);

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const StatusChange = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  status: MeasureStatus,
  statusText: NullableString,
  date: Type.Union([Type.String(), Type.Null()], { description: 'When the status was reached, if known' }),
  datePrecision: NullableString,
  note: NullableString,
  sources: Type.Array(SourceOut),
  recordedBy: Type.String(),
  recordedAt: Type.String(),
});
export type StatusChange = Static<typeof StatusChange>;

export const LinkedIncident = Type.Object({ id: Type.String(), basis: Type.String() });
export const LinkedItem = Type.Object({ id: Type.String(), basis: Type.String() });

export const Measure = Type.Object(
  {
    id: Type.String(),
    situationSlug: Type.String(),
    externalRef: NullableString,
    category: MeasureCategory,
    kind: Type.String({ description: "The source's own kind (e.g. us_bill), kept unchanged" }),
    actor: Type.String(),
    target: Type.String(),
    title: Type.String(),
    status: MeasureStatus,
    statusText: Type.String({ description: "The current status in the source's own words" }),
    statusDate: NullableString,
    date: Type.Union([Type.String(), Type.Null()], { description: "The measure's key date" }),
    datePrecision: NullableString,
    description: Type.String(),
    sources: Type.Array(SourceOut),
    incidents: Type.Array(LinkedIncident),
    items: Type.Array(LinkedItem, { description: 'Evidence items the measure rests on' }),
    updatedAt: Type.String(),
  },
  { $id: 'Measure' },
);
export type Measure = Static<typeof Measure>;

export const MeasureWithHistory = Type.Object({
  ...Measure.properties,
  history: Type.Array(StatusChange),
});
export type MeasureWithHistory = Static<typeof MeasureWithHistory>;

export const MeasureQuery = Type.Object(
  {
    category: Type.Optional(MeasureCategory),
    status: Type.Optional(MeasureStatus),
    kind: Type.Optional(Type.String({ maxLength: 60, description: 'source kind, e.g. us_bill' })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'substring, any case' })),
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'substring, any case' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'in title and description' })),
    from: Type.Optional(IsoDate),
    to: Type.Optional(IsoDate),
    incident: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type MeasureQuery = Static<typeof MeasureQuery>;

export const StepIn = Type.Object(
  {
    status: MeasureStatus,
    statusText: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    date: Type.Optional(Type.Union([DateText, Type.Null()])),
    note: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
    sources: Type.Optional(Type.Array(SourceIn, { maxItems: 50 })),
  },
  { additionalProperties: false },
);
export type StepIn = Static<typeof StepIn>;

export const MeasureCreate = Type.Object(
  {
    category: MeasureCategory,
    kind: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    actor: Type.String({ minLength: 1, maxLength: 500 }),
    target: Type.String({ minLength: 1, maxLength: 500 }),
    title: Type.String({ minLength: 1, maxLength: 1000 }),
    status: MeasureStatus,
    statusText: Type.Optional(Type.String({ maxLength: 1000 })),
    date: Type.Optional(Type.Union([DateText, Type.Null()])),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    sources: Type.Array(SourceIn, { minItems: 1, maxItems: 50 }),
    incidentIds: Type.Optional(Type.Array(Uuid, { maxItems: 200 })),
  },
  { additionalProperties: false },
);
export type MeasureCreate = Static<typeof MeasureCreate>;

export const IncidentLinks = Type.Object(
  {
    incidentIds: Type.Array(Uuid, { maxItems: 200 }),
    basis: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const ItemLinks = Type.Object(
  {
    itemIds: Type.Array(Uuid, { maxItems: 200 }),
    basis: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const FeedChange = Type.Object({
  ...StatusChange.properties,
  measureId: Type.String(),
  measureTitle: Type.String(),
  category: MeasureCategory,
});
export type FeedChange = Static<typeof FeedChange>;

// Events registry

export const EVENT_KINDS = ['sport', 'concert', 'contest', 'conference', 'exhibition', 'other'] as const;
export const RESPONSE_KINDS = ['withdrew', 'stayed', 'downgraded', 'barred', 'spoke_out', 'other'] as const;
const EventKind = Type.Union(EVENT_KINDS.map((k) => Type.Literal(k)));
const ResponseKind = Type.Union(RESPONSE_KINDS.map((k) => Type.Literal(k)));
const Names = Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 200 });

export const BoycottResponse = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  callId: NullableString,
  responder: Type.String(),
  response: Type.String(),
  date: NullableString,
  description: Type.String(),
  sources: Type.Array(SourceOut),
});
export type BoycottResponse = Static<typeof BoycottResponse>;

export const BoycottCall = Type.Object({
  id: Type.String(),
  eventId: NullableString,
  linkBasis: NullableString,
  externalRef: NullableString,
  caller: Type.String(),
  addressee: Type.String(),
  title: Type.String(),
  form: Type.String({ description: "The form of the call in the source's words (letter, petition…)" }),
  date: NullableString,
  datePrecision: NullableString,
  description: Type.String(),
  sources: Type.Array(SourceOut),
});
export type BoycottCall = Static<typeof BoycottCall>;

export const HostedEvent = Type.Object({
  id: Type.String(),
  situationSlug: Type.String(),
  externalRef: NullableString,
  name: Type.String(),
  kind: Type.String(),
  host: Type.String(),
  startsOn: NullableString,
  endsOn: NullableString,
  datesText: Type.String({ description: 'The dates as the source words them' }),
  venue: NullableString,
  organisers: Type.Array(Type.String()),
  sponsors: Type.Array(Type.String()),
  participants: Type.Array(Type.String()),
  description: Type.String(),
  sources: Type.Array(SourceOut),
  calls: Type.Array(BoycottCall),
  responses: Type.Array(BoycottResponse),
});
export type HostedEvent = Static<typeof HostedEvent>;

export const HostedEventCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 500 }),
    kind: EventKind,
    host: Type.String({ minLength: 1, maxLength: 300 }),
    startsOn: Type.Optional(Type.Union([DateText, Type.Null()])),
    endsOn: Type.Optional(Type.Union([DateText, Type.Null()])),
    datesText: Type.Optional(Type.String({ maxLength: 500 })),
    venue: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    organisers: Type.Optional(Names),
    sponsors: Type.Optional(Names),
    participants: Type.Optional(Names),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    sources: Type.Array(SourceIn, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type HostedEventCreate = Static<typeof HostedEventCreate>;

export const BoycottCallCreate = Type.Object(
  {
    eventId: Type.Optional(Type.Union([Uuid, Type.Null()])),
    caller: Type.String({ minLength: 1, maxLength: 500 }),
    addressee: Type.String({ minLength: 1, maxLength: 500 }),
    title: Type.String({ minLength: 1, maxLength: 1000 }),
    form: Type.String({ minLength: 1, maxLength: 200 }),
    date: Type.Optional(Type.Union([DateText, Type.Null()])),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    sources: Type.Array(SourceIn, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type BoycottCallCreate = Static<typeof BoycottCallCreate>;

export const BoycottResponseCreate = Type.Object(
  {
    callId: Type.Optional(Type.Union([Uuid, Type.Null()])),
    responder: Type.String({ minLength: 1, maxLength: 500 }),
    response: ResponseKind,
    date: Type.Optional(Type.Union([DateText, Type.Null()])),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    sources: Type.Array(SourceIn, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type BoycottResponseCreate = Static<typeof BoycottResponseCreate>;

// Sanctions screening, persons of interest and dossiers

export const ScreenRequest = Type.Object(
  {
    names: Type.Array(Type.String({ maxLength: 500 }), { minItems: 1, maxItems: 1000 }),
    threshold: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.85 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
  },
  { additionalProperties: false },
);

export const ListVersion = Type.Object(
  {
    id: Type.String(),
    source: Type.String({ description: 'ofac-sdn or un-consolidated' }),
    version: Type.String({
      description: "How to cite it: the UN file's generation date, or the OFAC files' SHA-256 and load date",
    }),
    publishedAt: NullableString,
    sha256: Type.String(),
    files: Type.Array(Type.Object({ name: Type.String(), sha256: Type.String(), bytes: Type.Integer() })),
    entryCount: Type.Integer(),
    nameCount: Type.Integer(),
    loadedAt: Type.String(),
    loadedFrom: Type.String(),
    active: Type.Boolean(),
  },
  { $id: 'SanctionsListVersion' },
);

export const ScreeningMatch = Type.Object({
  list: Type.Object({ id: Type.String(), source: Type.String(), version: Type.String() }),
  entryId: Type.String(),
  entryType: Type.String(),
  name: Type.String({ description: "The entry's primary name on the list" }),
  matchedName: Type.String({ description: 'The list name (primary or alias) that matched' }),
  matchedKind: Type.String(),
  score: Type.Number({ minimum: 0, maximum: 1 }),
  reasons: Type.Array(Type.String()),
  programs: Type.Array(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
});

export const ScreenResponse = Type.Object({
  lists: Type.Array(ListVersion),
  threshold: Type.Number(),
  results: Type.Array(Type.Object({ name: Type.String(), matches: Type.Array(ScreeningMatch) })),
});

export const PersonCreate = Type.Object(
  {
    kind: Type.Union([Type.Literal('individual'), Type.Literal('entity')]),
    name: Type.String({ minLength: 1, maxLength: 500 }),
    aliases: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 50 })),
    role: Type.String({ minLength: 1, maxLength: 1000, description: 'The position held and what they did' }),
    roleSince: Type.Optional(Type.Union([IsoDate, Type.Null()])),
    roleUntil: Type.Optional(Type.Union([IsoDate, Type.Null()])),
    nationality: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    birthDate: Type.Optional(Type.Union([DateText, Type.Null()])),
    notes: Type.Optional(Type.String({ maxLength: 20_000 })),
    sources: Type.Optional(Type.Array(SourceIn, { maxItems: 50 })),
    incidents: Type.Optional(
      Type.Array(
        Type.Object(
          { incidentId: Uuid, note: Type.Optional(Type.String({ maxLength: 2000 })) },
          { additionalProperties: false },
        ),
        { maxItems: 200 },
      ),
    ),
  },
  { additionalProperties: false },
);
export type PersonCreate = Static<typeof PersonCreate>;

export const PersonScreening = Type.Object({
  id: Type.String(),
  screenedAt: Type.String(),
  screenedBy: Type.String(),
  threshold: Type.Number(),
  lists: Type.Array(Type.Object({ id: Type.String(), source: Type.String(), version: Type.String() })),
  matches: Type.Array(Type.Object({ screenedName: Type.String(), ...ScreeningMatch.properties })),
});
export type PersonScreening = Static<typeof PersonScreening>;

export const Person = Type.Object({
  id: Type.String(),
  situationSlug: Type.String(),
  kind: Type.String(),
  name: Type.String(),
  aliases: Type.Array(Type.String()),
  role: Type.String(),
  roleSince: NullableString,
  roleUntil: NullableString,
  nationality: NullableString,
  birthDate: NullableString,
  notes: Type.String(),
  sources: Type.Array(SourceOut),
  incidents: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      start: Type.String(),
      note: Type.String(),
      sources: Type.Array(SourceOut),
    }),
  ),
  latestScreening: Type.Union([PersonScreening, Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Person = Static<typeof Person>;

// Responses of this module show sources in the shared form.
export { SourceOut };
