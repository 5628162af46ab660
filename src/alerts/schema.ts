// Alert schemas: rule kinds with their parameters (validated per kind), alerts, subscriptions.
import { type Static, Type } from '@sinclair/typebox';
import { IsoDate } from '../lib/schema.ts';

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);
export const Severity = Type.Union(SEVERITIES.map((s) => Type.Literal(s)));

const strict = { additionalProperties: false } as const;

/** Parameters of each rule kind; unknown fields are refused. */
export const RULE_PARAMETERS = {
  'lifeline.coverage_below': Type.Object(
    {
      threshold: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'coverage ratio, e.g. 0.1' }),
      minDays: Type.Integer({ minimum: 1, maximum: 3650, description: 'consecutive days with figures' }),
    },
    strict,
  ),
  'lifeline.utility_cut': Type.Object(
    {
      utility: Type.Union([Type.Literal('gas'), Type.Literal('electricity'), Type.Literal('internet')]),
      minDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    },
    strict,
  ),
  'lifeline.full_closure': Type.Object({}, strict),
  'incidents.spike': Type.Object(
    {
      category: Type.String({ pattern: '^[a-z][a-z0-9-]*$', maxLength: 40 }),
      factor: Type.Number({ minimum: 1, maximum: 100, description: '× the trailing mean per day' }),
      minCount: Type.Integer({ minimum: 1, maximum: 100_000, description: 'incidents on the day, at least' }),
      baselineDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 28 })),
    },
    strict,
  ),
  'measure.status_change': Type.Object(
    {
      statuses: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z_]+$' }), { maxItems: 20 })),
      categories: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z_]+$' }), { maxItems: 20 })),
    },
    strict,
  ),
} as const;

export type RuleKind = keyof typeof RULE_PARAMETERS;
export const RULE_KINDS = Object.keys(RULE_PARAMETERS) as RuleKind[];
export type RuleParameters = { [K in RuleKind]: Static<(typeof RULE_PARAMETERS)[K]> };

/** A rule as the evaluator sees it (no storage fields needed). */
export type RuleSpec = {
  [K in RuleKind]: { id: string; name: string; kind: K; parameters: RuleParameters[K]; severity: Severity };
}[RuleKind];

const RuleKindSchema = Type.Union(RULE_KINDS.map((k) => Type.Literal(k)));

export const AlertRuleCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: RuleKindSchema,
    parameters: Type.Record(Type.String(), Type.Unknown(), {
      description: 'per kind: see docs/alerts.md (validated against the kind)',
    }),
    severity: Severity,
    enabled: Type.Optional(Type.Boolean({ default: true })),
    public: Type.Optional(Type.Boolean({ default: false })),
  },
  strict,
);
export type AlertRuleCreate = Static<typeof AlertRuleCreate>;

export const AlertRulePatch = Type.Partial(
  Type.Object({
    name: Type.String({ minLength: 1, maxLength: 200 }),
    parameters: Type.Record(Type.String(), Type.Unknown()),
    severity: Severity,
    enabled: Type.Boolean(),
    public: Type.Boolean(),
  }),
  strict,
);
export type AlertRulePatch = Static<typeof AlertRulePatch>;

export const AlertRule = Type.Object({
  id: Type.String(),
  situationSlug: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  parameters: Type.Record(Type.String(), Type.Unknown()),
  severity: Severity,
  enabled: Type.Boolean(),
  public: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type AlertRule = Static<typeof AlertRule>;

export const EvidenceRef = Type.Object({
  kind: Type.String({ description: 'lifeline, incident or measure' }),
  ref: Type.String(),
  sources: Type.Array(Type.Object({ url: Type.String(), outlet: Type.Union([Type.String(), Type.Null()]) })),
});
export type EvidenceRef = Static<typeof EvidenceRef>;

export const AlertStatus = Type.Union([
  Type.Literal('open'),
  Type.Literal('acknowledged'),
  Type.Literal('resolved'),
]);
export type AlertStatus = Static<typeof AlertStatus>;

export const Alert = Type.Object({
  id: Type.String(),
  ruleId: Type.String(),
  ruleName: Type.String(),
  kind: Type.String(),
  situationSlug: Type.String(),
  episodeKey: Type.String(),
  severity: Severity,
  status: AlertStatus,
  title: Type.String(),
  message: Type.String(),
  value: Type.Union([Type.Number(), Type.Null()]),
  startsOn: Type.String({ description: 'when the condition began (per the data)' }),
  firedOn: Type.String({ description: 'the first day the rule held' }),
  lastHeldOn: Type.String(),
  endedOn: Type.Union([Type.String(), Type.Null()]),
  evidence: Type.Array(EvidenceRef),
  public: Type.Boolean(),
  acknowledgedAt: Type.Union([Type.String(), Type.Null()]),
  acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
  resolvedAt: Type.Union([Type.String(), Type.Null()]),
  resolvedBy: Type.Union([Type.String(), Type.Null()]),
  resolution: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Alert = Static<typeof Alert>;

export const AlertQuery = Type.Object(
  {
    status: Type.Optional(AlertStatus),
    severity: Type.Optional(Severity),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  strict,
);
export type AlertQuery = Static<typeof AlertQuery>;

export const Episode = Type.Object({
  ruleId: Type.String(),
  key: Type.String(),
  title: Type.String(),
  message: Type.String(),
  value: Type.Union([Type.Number(), Type.Null()]),
  startsOn: IsoDate,
  firedOn: IsoDate,
  lastHeldOn: IsoDate,
  endedOn: Type.Union([IsoDate, Type.Null()]),
  autoResolve: Type.Boolean(),
  evidence: Type.Array(EvidenceRef),
});
export type Episode = Static<typeof Episode>;

export const SubscriptionCreate = Type.Object(
  {
    situationSlug: Type.String({ minLength: 2, maxLength: 80 }),
    channel: Type.Union([Type.Literal('webhook'), Type.Literal('email')]),
    target: Type.String({ minLength: 3, maxLength: 2048, description: 'a webhook URL or an e-mail address' }),
    minSeverity: Type.Optional(Severity),
  },
  strict,
);
export type SubscriptionCreate = Static<typeof SubscriptionCreate>;

export const SubscriptionPatch = Type.Partial(
  Type.Object({ minSeverity: Severity, enabled: Type.Boolean() }),
  strict,
);
export type SubscriptionPatch = Static<typeof SubscriptionPatch>;

export const Subscription = Type.Object({
  id: Type.String(),
  situationSlug: Type.String(),
  channel: Type.String(),
  target: Type.String(),
  minSeverity: Severity,
  enabled: Type.Boolean(),
  createdAt: Type.String(),
  secret: Type.Optional(Type.String({ description: 'the webhook signing key: returned once, at creation' })),
});
export type Subscription = Static<typeof Subscription>;
