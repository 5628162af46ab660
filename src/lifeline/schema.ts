import { type Static, Type } from '@sinclair/typebox';
import { HttpUrl, IsoDate, Nullable, SourceOut } from '../lib/schema.ts';

export const COMMODITIES = ['food', 'fuel', 'medicine', 'goods', 'cargo', 'people', 'vehicles'] as const;
export const Commodity = Type.Union(
  COMMODITIES.map((c) => Type.Literal(c)),
  {
    description:
      'food, fuel, medicine, goods (other goods), cargo (mixed or unspecified goods: counts against any tonnage need), people, vehicles',
  },
);
export const Direction = Type.Union([Type.Literal('in'), Type.Literal('out'), Type.Literal('both')]);
export const Outcome = Type.Union([Type.Literal('delivered'), Type.Literal('blocked')], {
  description: 'delivered: it crossed; blocked: it was stopped or turned back (never counted as delivered)',
});
export const Qualifier = Type.Union([
  Type.Literal('more than'),
  Type.Literal('over'),
  Type.Literal('about'),
  Type.Literal('at most'),
]);
export const Confidence = Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]);
export const LifelineSource = Type.Object(
  { url: HttpUrl, outlet: Type.Optional(Nullable(Type.String({ maxLength: 300 }))) },
  { additionalProperties: false },
);
const Ref = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:/-]*$', maxLength: 100 });

export const ObservationInput = Type.Object(
  {
    ref: Type.Optional(Nullable(Ref)),
    periodStart: IsoDate,
    periodEnd: Type.Optional(Nullable(IsoDate)),
    route: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    commodity: Commodity,
    quantity: Type.Number(),
    unit: Type.String({
      minLength: 1,
      maxLength: 40,
      description: 't, kg, truckloads (with tonnesPerTruckload), l, m3, persons, vehicles, trucks',
    }),
    tonnesPerTruckload: Type.Optional(Nullable(Type.Number())),
    qualifier: Type.Optional(Nullable(Qualifier)),
    carriers: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
    direction: Direction,
    outcome: Type.Optional(Outcome),
    confidence: Confidence,
    statedExpected: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    reportedOn: Type.Optional(Nullable(IsoDate)),
    note: Type.Optional(Type.String({ maxLength: 5000 })),
    sources: Type.Array(LifelineSource, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type ObservationInput = Static<typeof ObservationInput>;

const Note = Type.String({ maxLength: 5000 });
const Sources = Type.Array(LifelineSource, { minItems: 1, maxItems: 50 });

export const NeedsModelInput = Type.Object(
  {
    ref: Type.Optional(Nullable(Ref)),
    commodity: Type.Union(
      (['food', 'fuel', 'medicine', 'goods', 'cargo'] as const).map((c) => Type.Literal(c)),
      { description: 'the tonnage commodity the need is for (cargo: all goods)' },
    ),
    model: Type.Union([Type.Literal('baseline-rate'), Type.Literal('per-person')], {
      description: 'baseline-rate: t/day (e.g. the pre-crisis rate); per-person: kg per person per day',
    }),
    rate: Type.Number({ exclusiveMinimum: 0, description: 't/day or kg/person/day, by model' }),
    rateHigh: Type.Optional(
      Nullable(Type.Number({ exclusiveMinimum: 0, description: 'upper end of a range' })),
    ),
    validFrom: Type.Optional(Nullable(IsoDate)),
    validTo: Type.Optional(Nullable(IsoDate)),
    selected: Type.Optional(
      Type.Boolean({
        description:
          'the model used for this commodity; selecting one deselects the previous one (the answer says which)',
      }),
    ),
    label: Type.String({ minLength: 1, maxLength: 300 }),
    assumptions: Type.String({ minLength: 1, maxLength: 5000 }),
    sources: Sources,
  },
  { additionalProperties: false },
);
export type NeedsModelInput = Static<typeof NeedsModelInput>;

export const PopulationInput = Type.Object(
  {
    ref: Type.Optional(Nullable(Ref)),
    onDate: IsoDate,
    persons: Type.Integer({ minimum: 0 }),
    personsHigh: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    qualifier: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 40 }))),
    note: Type.Optional(Note),
    sources: Sources,
  },
  { additionalProperties: false },
);
export type PopulationInput = Static<typeof PopulationInput>;

export const DISRUPTION_KINDS = ['gas', 'electricity', 'internet', 'corridor'] as const;
export const DisruptionInput = Type.Object(
  {
    ref: Type.Optional(Nullable(Ref)),
    kind: Type.Union(DISRUPTION_KINDS.map((k) => Type.Literal(k))),
    status: Type.Union(
      (['cut', 'partial', 'open', 'restricted', 'closed', 'humanitarian-only'] as const).map((k) =>
        Type.Literal(k),
      ),
      { description: 'utilities: cut or partial; corridor: open, restricted, closed or humanitarian-only' },
    ),
    route: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    basis: Type.Optional(
      Type.Union([Type.Literal('interval'), Type.Literal('stated-total')], {
        description:
          'interval (default): dated by the source; stated-total: the source states statedDays within startsOn..endsOn',
      }),
    ),
    startsOn: IsoDate,
    endsOn: Type.Optional(Nullable(IsoDate)),
    endsOnAlternative: Type.Optional(Nullable(IsoDate)),
    confirmedUntil: Type.Optional(Nullable(IsoDate)),
    statedDays: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    confidence: Confidence,
    note: Type.Optional(Note),
    sources: Sources,
  },
  { additionalProperties: false },
);
export type DisruptionInput = Static<typeof DisruptionInput>;

export const StockInput = Type.Object(
  {
    ref: Type.Optional(Nullable(Ref)),
    commodity: Type.String({ minLength: 1, maxLength: 200 }),
    onDate: IsoDate,
    quantity: Type.Number({ minimum: 0 }),
    unit: Type.String({ minLength: 1, maxLength: 100 }),
    consumptionPerDay: Type.Optional(
      Nullable(Type.Number({ exclusiveMinimum: 0, description: 'in the same unit, per day' })),
    ),
    unusableBelow: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    note: Type.Optional(Note),
    sources: Sources,
  },
  { additionalProperties: false },
);
export type StockInput = Static<typeof StockInput>;

/** Any lifeline records at once (the CLI's `vigil lifeline record FILE`): written whole or not at all. */
export const LifelineRecordsInput = Type.Object(
  {
    observations: Type.Optional(Type.Array(ObservationInput, { maxItems: 5000 })),
    models: Type.Optional(Type.Array(NeedsModelInput, { maxItems: 100 })),
    population: Type.Optional(Type.Array(PopulationInput, { maxItems: 1000 })),
    disruptions: Type.Optional(Type.Array(DisruptionInput, { maxItems: 1000 })),
    stocks: Type.Optional(Type.Array(StockInput, { maxItems: 1000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type LifelineRecordsInput = Static<typeof LifelineRecordsInput>;

export const PopulationOut = Type.Object({
  ref: Nullable(Type.String()),
  onDate: Type.String(),
  persons: Type.Integer(),
  personsHigh: Nullable(Type.Integer()),
  qualifier: Nullable(Type.String()),
  note: Type.String(),
  derivedFrom: Type.Array(Type.String()),
  sources: Type.Array(SourceOut),
});

export const StockOut = Type.Object({
  ref: Nullable(Type.String()),
  commodity: Type.String(),
  onDate: Type.String(),
  quantity: Type.Number(),
  unit: Type.String(),
  consumptionPerDay: Nullable(Type.Number()),
  unusableBelow: Nullable(Type.Number()),
  note: Type.String(),
  derivedFrom: Type.Array(Type.String()),
  sources: Type.Array(SourceOut),
});

const ChangeList = Type.Object({
  added: Type.Array(Type.String()),
  updated: Type.Array(Type.String()),
  removed: Type.Array(Type.String()),
  unchanged: Type.Integer(),
});
export const DerivationOut = Type.Object({
  situationSlug: Type.String(),
  changed: Type.Boolean({ description: 'false when the stored records already matched the rows' }),
  observations: ChangeList,
  models: ChangeList,
  population: ChangeList,
  disruptions: ChangeList,
  stocks: ChangeList,
  kept: Type.Array(Type.Object({ ref: Type.String(), reason: Type.String() }), {
    description: 'records entered by hand that share a ref with a derived one: left as they are',
  }),
  skipped: Type.Array(Type.Object({ ref: Type.String(), reason: Type.String() }), {
    description: 'scenario rows not turned into records, with the reason',
  }),
});

export const Observation = Type.Object({
  id: Type.String(),
  ref: Nullable(Type.String()),
  derivedFrom: Type.Array(Type.String()),
  periodStart: Type.String(),
  periodEnd: Type.String(),
  route: Nullable(Type.String()),
  commodity: Type.String(),
  quantity: Type.Number(),
  unit: Type.String(),
  quantityGiven: Type.Number(),
  unitGiven: Type.String(),
  conversion: Nullable(Type.String()),
  qualifier: Nullable(Type.String()),
  carriers: Type.Array(Type.String()),
  direction: Type.String(),
  outcome: Type.String(),
  confidence: Type.String(),
  statedExpected: Nullable(Type.Number()),
  reportedOn: Nullable(Type.String()),
  note: Type.String(),
  sources: Type.Array(SourceOut),
});

export const NotUsedOut = Type.Object({ ref: Type.String(), reason: Type.String() });
export const ConflictOut = Type.Object({
  periodStart: Type.String(),
  periodEnd: Type.String(),
  figures: Type.Array(Observation),
  used: Type.String(),
  why: Type.String(),
});
export const FlowOut = Type.Object({
  commodity: Type.String(),
  unit: Type.String(),
  direction: Type.String(),
  outcome: Type.String(),
  total: Type.Number(),
  lowerBound: Type.Boolean(),
  approximate: Type.Boolean(),
  coveredDays: Type.Integer(),
  dailyFiguresSummed: Type.Integer({ description: 'single-day figures with no overlap, summed directly' }),
  used: Type.Array(Observation),
  notUsed: Type.Array(NotUsedOut),
  conflicts: Type.Array(ConflictOut),
});

export const NeedsModelOut = Type.Object({
  id: Type.String(),
  ref: Nullable(Type.String()),
  commodity: Type.String(),
  model: Type.String(),
  rate: Type.Number(),
  rateHigh: Nullable(Type.Number()),
  unit: Type.String(),
  validFrom: Nullable(Type.String()),
  validTo: Nullable(Type.String()),
  selected: Type.Boolean(),
  label: Type.String(),
  assumptions: Type.String(),
  derivedFrom: Type.Array(Type.String()),
  sources: Type.Array(SourceOut),
});

export const DisruptionOut = Type.Object({
  id: Type.String(),
  ref: Nullable(Type.String()),
  kind: Type.String(),
  status: Type.String(),
  route: Nullable(Type.String()),
  basis: Type.String(),
  startsOn: Type.String(),
  endsOn: Nullable(Type.String()),
  endsOnAlternative: Nullable(Type.String()),
  confirmedUntil: Nullable(Type.String()),
  statedDays: Nullable(Type.Integer()),
  confidence: Type.String(),
  note: Type.String(),
  derivedFrom: Type.Array(Type.String()),
  sources: Type.Array(SourceOut),
});

const DisruptionDaysOut = Type.Object({
  kind: Type.String(),
  statuses: Type.Array(Type.String()),
  daysConfirmed: Type.Integer(),
  daysUpperBound: Type.Integer(),
  daysWithAlternativeEnds: Nullable(Type.Integer()),
  intervals: Type.Array(
    Type.Object({
      ref: Type.String(),
      startsOn: Type.String(),
      endsOn: Nullable(Type.String()),
      confirmedUntil: Nullable(Type.String()),
      openEnded: Type.Boolean(),
      note: Type.String(),
    }),
  ),
  stated: Type.Array(
    Type.Object({
      ref: Type.String(),
      days: Type.Integer(),
      startsOn: Type.String(),
      endsOn: Nullable(Type.String()),
      sameWindow: Type.Boolean(),
      sources: Type.Array(SourceOut),
      note: Type.String(),
    }),
  ),
  comparison: Nullable(Type.String()),
});

const MetricsPopulationOut = Type.Object({
  onDate: Type.String(),
  persons: Type.Integer(),
  personsHigh: Nullable(Type.Integer()),
  qualifier: Nullable(Type.String()),
  note: Type.String(),
  derivedFrom: Type.Array(Type.String()),
  sources: Type.Array(SourceOut),
});

const StockOutOut = Type.Object({
  ref: Nullable(Type.String()),
  commodity: Type.String(),
  computable: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  days: Type.Optional(Nullable(Type.Integer())),
  date: Type.Optional(Nullable(Type.String())),
  formula: Type.Optional(Type.String()),
  inflowPerDay: Type.Optional(Type.Number()),
  inputs: Type.Object({
    onDate: Type.String(),
    quantity: Type.Number(),
    unit: Type.String(),
    consumptionPerDay: Nullable(Type.Number()),
    unusableBelow: Nullable(Type.Number()),
    note: Type.String(),
    derivedFrom: Type.Array(Type.String()),
    sources: Type.Array(SourceOut),
  }),
});

export const MetricsQuery = Type.Object(
  {
    from: Type.Optional(IsoDate),
    to: Type.Optional(IsoDate),
    asOf: Type.Optional(IsoDate),
    commodity: Type.Optional(Commodity),
  },
  { additionalProperties: false },
);
export type MetricsQuery = Static<typeof MetricsQuery>;

export const Metrics = Type.Object({
  situationSlug: Type.String(),
  window: Type.Object({ from: Type.String(), to: Type.String(), days: Type.Integer() }),
  asOf: Type.String(),
  needs: Nullable(NeedsModelOut),
  alternativeNeeds: Type.Array(NeedsModelOut),
  delivered: FlowOut,
  needed: Nullable(
    Type.Object({
      total: Type.Number(),
      totalHigh: Nullable(Type.Number()),
      days: Type.Integer(),
      perDay: Nullable(Type.Number()),
      formula: Type.String(),
    }),
  ),
  coverage: Type.Object({
    ratio: Nullable(Type.Number()),
    percent: Nullable(Type.Number()),
    formula: Type.String(),
    complete: Type.Boolean({ description: 'the delivered figures used cover every day of the window' }),
  }),
  shortfall: Type.Object({ cumulative: Nullable(Type.Number()), formula: Type.String() }),
  statedComparison: Type.Array(
    Type.Object({
      ref: Type.String(),
      statedExpected: Type.Number(),
      vigilNeeded: Nullable(Type.Number()),
      note: Type.String(),
    }),
  ),
  lastDelivery: Type.Object({
    asOf: Type.String(),
    lastOn: Nullable(Type.String()),
    daysSince: Nullable(Type.Integer()),
    ref: Nullable(Type.String()),
    exact: Type.Boolean(),
    caveat: Nullable(Type.String()),
  }),
  closure: DisruptionDaysOut,
  utilities: Type.Array(DisruptionDaysOut),
  otherFlows: Type.Array(FlowOut),
  blocked: Type.Array(FlowOut),
  population: Type.Array(MetricsPopulationOut),
  stockOut: Type.Array(StockOutOut),
  caveats: Type.Array(Type.String()),
});

export const SeriesQuery = MetricsQuery;
export const Series = Type.Object({
  situationSlug: Type.String(),
  window: Type.Object({ from: Type.String(), to: Type.String(), days: Type.Integer() }),
  commodity: Type.String(),
  unit: Type.String(),
  needsLabel: Nullable(Type.String()),
  days: Type.Array(
    Type.Object({
      date: Type.String(),
      delivered: Nullable(Type.Number()),
      periodAverage: Nullable(Type.Number()),
      needed: Nullable(Type.Number()),
    }),
  ),
  periods: Type.Array(
    Type.Object({
      ref: Type.String(),
      periodStart: Type.String(),
      periodEnd: Type.String(),
      quantity: Type.Number(),
      perDay: Type.Number(),
      qualifier: Nullable(Type.String()),
      contested: Type.Boolean(),
      sources: Type.Array(SourceOut),
    }),
  ),
  contested: Type.Array(ConflictOut),
  closures: Type.Array(DisruptionOut),
  utilityCuts: Type.Array(DisruptionOut),
});

// Responses of this module show sources in the shared form.
export { SourceOut };
