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
  'coordination.community': Type.Object(
    {
      minSize: Type.Integer({
        minimum: 2,
        maximum: 1_000_000,
        description: 'accounts in the community, at least',
      }),
      minFlagged: Type.Optional(
        Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'flagged accounts in it, at least' }),
      ),
    },
    strict,
  ),
  'risk.factor_change': Type.Object(
    {
      change: Type.Union([Type.Literal('rise'), Type.Literal('any')], {
        description: "'rise': a factor's level rises to present or strongly present; 'any': every change",
      }),
      factors: Type.Optional(
        Type.Array(Type.Integer({ minimum: 1, maximum: 14 }), {
          maxItems: 14,
          description: 'only these risk factors of the UN Framework (default: all 14)',
        }),
      ),
    },
    strict,
  ),
  'reports.pending': Type.Object(
    {
      waitingDays: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: 365,
          default: 0,
          description: 'raise once a report has waited this many days (0: on arrival)',
        }),
      ),
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
  kind: Type.String({
    description: 'lifeline, incident, measure, coordination (a community), assessment or report',
  }),
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
  acknowledgement: Type.Union([Type.String(), Type.Null()], {
    description: 'the note given on acknowledging',
  }),
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

export const CHANNELS = ['webhook', 'email', 'in_app'] as const;
export type Channel = (typeof CHANNELS)[number];

export const SubscriptionCreate = Type.Object(
  {
    situationSlug: Type.String({ minLength: 2, maxLength: 80 }),
    channel: Type.Union(CHANNELS.map((c) => Type.Literal(c))),
    target: Type.Optional(
      Type.String({
        minLength: 3,
        maxLength: 2048,
        description: 'a webhook URL or an e-mail address (none for in_app: the notifications are yours)',
      }),
    ),
    minSeverity: Type.Optional(Severity),
    digest: Type.Optional(
      Type.Boolean({
        description: 'e-mail only: one message a day with that day’s alerts instead of one each',
      }),
    ),
  },
  strict,
);
export type SubscriptionCreate = Static<typeof SubscriptionCreate>;

export const SubscriptionPatch = Type.Partial(
  Type.Object({ minSeverity: Severity, enabled: Type.Boolean(), digest: Type.Boolean() }),
  strict,
);
export type SubscriptionPatch = Static<typeof SubscriptionPatch>;

export const Subscription = Type.Object({
  id: Type.String(),
  situationSlug: Type.String(),
  channel: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  minSeverity: Severity,
  enabled: Type.Boolean(),
  digest: Type.Boolean(),
  createdAt: Type.String(),
  secret: Type.Optional(Type.String({ description: 'the webhook signing key: returned once, at creation' })),
});
export type Subscription = Static<typeof Subscription>;

/** A rule not stored: what the rule editor previews. */
export const DraftRule = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    kind: RuleKindSchema,
    parameters: Type.Record(Type.String(), Type.Unknown()),
    severity: Type.Optional(Severity),
  },
  strict,
);
export type DraftRule = Static<typeof DraftRule>;

export const Notification = Type.Object({
  id: Type.String(),
  event: Type.Union([Type.Literal('opened'), Type.Literal('resolved')]),
  createdAt: Type.String(),
  readAt: Type.Union([Type.String(), Type.Null()]),
  alert: Alert,
});
export type Notification = Static<typeof Notification>;

export const NotificationQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean()),
    situation: Type.Optional(Type.String({ minLength: 2, maxLength: 80 })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  strict,
);
export type NotificationQuery = Static<typeof NotificationQuery>;

export const NotificationsRead = Type.Object(
  {
    ids: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 500 })),
    all: Type.Optional(
      Type.Boolean({ description: 'mark every notification read (of `situation`, if given)' }),
    ),
    situation: Type.Optional(Type.String({ minLength: 2, maxLength: 80 })),
  },
  strict,
);
export type NotificationsRead = Static<typeof NotificationsRead>;

export const ReplayRowOut = Type.Object({
  ruleId: Type.String(),
  ruleName: Type.String(),
  kind: Type.String(),
  severity: Severity,
  key: Type.String(),
  firedOn: IsoDate,
  startsOn: IsoDate,
  lastHeldOn: IsoDate,
  endedOn: Type.Union([IsoDate, Type.Null()]),
  daysHeld: Type.Integer(),
  title: Type.String(),
  message: Type.String(),
  evidence: Type.Array(Type.String()),
});

export const ReplayOut = Type.Object({
  situationSlug: Type.String(),
  from: IsoDate,
  to: IsoDate,
  ruleSet: Type.Union([Type.Literal('default'), Type.Literal('situation')]),
  rules: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String(), severity: Severity }),
  ),
  alerts: Type.Array(ReplayRowOut),
});
