// TypeBox schemas for structured risk assessment: they validate input, type the code and feed OpenAPI.
import { type Static, Type } from '@sinclair/typebox';
import { IsoDate, Nullable, Uuid } from '../../lib/schema.ts';
import { STAGE_IDS } from './catalogue.ts';

export const MARK_STATUSES = ['absent', 'present', 'strongly-present', 'unknown'] as const;
export const MarkStatus = Type.Union(MARK_STATUSES.map((s) => Type.Literal(s)));
export type MarkStatus = Static<typeof MarkStatus>;

export const IndicatorId = Type.String({ pattern: '^[0-9]{1,2}\\.[0-9]{1,2}$', examples: ['7.10'] });
export const StageId = Type.Union(STAGE_IDS.map((s) => Type.Literal(s)));

const Links = {
  incidents: Type.Optional(Type.Array(Uuid, { maxItems: 200, uniqueItems: true })),
  items: Type.Optional(Type.Array(Uuid, { maxItems: 200, uniqueItems: true })),
};

export const MarkInput = Type.Object(
  {
    indicator: IndicatorId,
    status: MarkStatus,
    note: Type.Optional(Type.String({ maxLength: 10_000 })),
    ...Links,
  },
  { additionalProperties: false },
);
export type MarkInput = Static<typeof MarkInput>;

export const AssessmentCreate = Type.Object(
  {
    assessedOn: IsoDate,
    title: Type.Optional(Type.String({ maxLength: 300 })),
    summary: Type.Optional(Type.String({ maxLength: 20_000 })),
    /** Start from the marks of an earlier assessment of the same situation. */
    copyFrom: Type.Optional(Uuid),
    marks: Type.Optional(Type.Array(MarkInput, { maxItems: 500 })),
  },
  { additionalProperties: false },
);
export type AssessmentCreate = Static<typeof AssessmentCreate>;

export const AssessmentPatch = Type.Object(
  {
    assessedOn: Type.Optional(IsoDate),
    title: Type.Optional(Type.String({ maxLength: 300 })),
    summary: Type.Optional(Type.String({ maxLength: 20_000 })),
    marks: Type.Optional(Type.Array(MarkInput, { maxItems: 500 })),
  },
  { additionalProperties: false },
);
export type AssessmentPatch = Static<typeof AssessmentPatch>;

export const Mark = Type.Object({
  indicator: Type.String(),
  factor: Type.Integer(),
  status: MarkStatus,
  note: Type.String(),
  incidents: Type.Array(Type.String()),
  items: Type.Array(Type.String()),
  updatedBy: Nullable(Type.String()),
  updatedAt: Nullable(Type.String()),
});
export type Mark = Static<typeof Mark>;

export const FactorSummary = Type.Object({
  factor: Type.Integer(),
  title: Type.String(),
  group: Type.String(),
  indicators: Type.Integer(),
  absent: Type.Integer(),
  present: Type.Integer(),
  stronglyPresent: Type.Integer(),
  unknown: Type.Integer(),
  /** The strongest status among the factor's indicators (unknown when none is marked). */
  level: MarkStatus,
});
export type FactorSummary = Static<typeof FactorSummary>;

export const AssessmentHead = Type.Object({
  id: Type.String(),
  situationSlug: Type.String(),
  framework: Type.String(),
  assessedOn: Type.String(),
  title: Type.String(),
  summary: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type AssessmentHead = Static<typeof AssessmentHead>;

export const Assessment = Type.Composite([
  AssessmentHead,
  Type.Object({ marks: Type.Array(Mark), factors: Type.Array(FactorSummary) }),
]);
export type Assessment = Static<typeof Assessment>;

export const AssessmentDiff = Type.Object({
  from: AssessmentHead,
  to: AssessmentHead,
  changes: Type.Array(
    Type.Object({
      indicator: Type.String(),
      factor: Type.Integer(),
      from: MarkStatus,
      to: MarkStatus,
      /** 'up' when the status grew stronger (absent < present < strongly-present), 'down', or 'changed'. */
      direction: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('changed')]),
      noteChanged: Type.Boolean(),
      linksAdded: Type.Object({ incidents: Type.Array(Type.String()), items: Type.Array(Type.String()) }),
      linksRemoved: Type.Object({ incidents: Type.Array(Type.String()), items: Type.Array(Type.String()) }),
    }),
  ),
  factors: Type.Array(
    Type.Object({ factor: Type.Integer(), title: Type.String(), from: MarkStatus, to: MarkStatus }),
  ),
});
export type AssessmentDiff = Static<typeof AssessmentDiff>;

export const StageObservationCreate = Type.Object(
  {
    stage: StageId,
    observedOn: IsoDate,
    endsOn: Type.Optional(IsoDate),
    note: Type.String({ minLength: 1, maxLength: 10_000 }),
    ...Links,
  },
  { additionalProperties: false },
);
export type StageObservationCreate = Static<typeof StageObservationCreate>;

export const StageObservation = Type.Object({
  id: Type.String(),
  stage: StageId,
  observedOn: Type.String(),
  endsOn: Nullable(Type.String()),
  note: Type.String(),
  incidents: Type.Array(Type.String()),
  items: Type.Array(Type.String()),
  suggestionId: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String(),
});
export type StageObservation = Static<typeof StageObservation>;

export const StageLadder = Type.Object({
  source: Type.Object({ document: Type.String(), url: Type.String() }),
  stages: Type.Array(
    Type.Object({
      id: StageId,
      order: Type.Integer(),
      name: Type.String(),
      text: Type.String(),
      observations: Type.Array(StageObservation),
    }),
  ),
});

const EvidenceRef = Type.Object({
  ref: Type.String(),
  sources: Type.Array(Type.Object({ url: Type.String(), outlet: Nullable(Type.String()) })),
});

export const Suggestion = Type.Object({
  id: Type.String(),
  targetKind: Type.Union([Type.Literal('indicator'), Type.Literal('stage')]),
  target: Type.String(),
  origin: Type.String(),
  originKey: Type.String(),
  reason: Type.String(),
  startsOn: Nullable(Type.String()),
  endsOn: Nullable(Type.String()),
  evidence: Type.Array(EvidenceRef),
  status: Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('rejected')]),
  decidedBy: Nullable(Type.String()),
  decidedAt: Nullable(Type.String()),
  decisionNote: Nullable(Type.String()),
  appliedToAssessment: Nullable(Type.String()),
  createdAt: Type.String(),
});
export type Suggestion = Static<typeof Suggestion>;

export const SuggestionDecision = Type.Object(
  {
    decision: Type.Union([Type.Literal('accepted'), Type.Literal('rejected')]),
    note: Type.Optional(Type.String({ maxLength: 10_000 })),
    /** Accepting an indicator suggestion: the assessment whose mark it sets (none: only recorded). */
    assessmentId: Type.Optional(Uuid),
    /** The status the accepted indicator gets in that assessment (default present; never lowered). */
    status: Type.Optional(Type.Union([Type.Literal('present'), Type.Literal('strongly-present')])),
  },
  { additionalProperties: false },
);
export type SuggestionDecision = Static<typeof SuggestionDecision>;
