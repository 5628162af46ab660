// Campaigns: the API's shapes (TypeBox).
import { type Static, Type } from '@sinclair/typebox';
import { HttpUrl, IsoDate, Slug, Uuid } from '../lib/schema.ts';
import { Official } from '../officials/schema.ts';

export const POSITIONS = ['supports', 'opposes', 'undecided', 'unknown'] as const;
export const PositionValue = Type.Union(POSITIONS.map((p) => Type.Literal(p)));
export type PositionValue = (typeof POSITIONS)[number];

export const TargetRule = Type.Union([
  Type.Object(
    { committee: Type.String({ minLength: 2, maxLength: 20, examples: ['SSFR'] }) },
    { additionalProperties: false },
  ),
  Type.Object({ chamber: Type.String({ minLength: 2, maxLength: 40 }) }, { additionalProperties: false }),
  Type.Object(
    {
      state: Type.String({ minLength: 1, maxLength: 40 }),
      chamber: Type.Optional(Type.String({ maxLength: 40 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { delegation: Type.Literal(true, { description: "the supporter's own senators and representative" }) },
    { additionalProperties: false },
  ),
]);
export type TargetRule = Static<typeof TargetRule>;

export const CallScripts = Type.Object(
  {
    default: Type.Optional(Type.String({ maxLength: 5000 })),
    supports: Type.Optional(Type.String({ maxLength: 5000 })),
    opposes: Type.Optional(Type.String({ maxLength: 5000 })),
    undecided: Type.Optional(Type.String({ maxLength: 5000 })),
    unknown: Type.Optional(Type.String({ maxLength: 5000 })),
    committee: Type.Optional(
      Type.String({
        maxLength: 5000,
        description: 'added when the official sits on a committee of a committee rule',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CallScripts = Static<typeof CallScripts>;

const CampaignFields = {
  title: Type.String({ minLength: 1, maxLength: 300 }),
  ask: Type.String({
    minLength: 1,
    maxLength: 2000,
    examples: ['Sanction the officials responsible for the blockade'],
  }),
  status: Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('closed')]),
  targetRules: Type.Array(TargetRule, { maxItems: 50 }),
  letterSubject: Type.String({ maxLength: 300 }),
  letterTemplate: Type.String({ maxLength: 20000, description: 'merge fields: see docs/campaigns.md' }),
  callScripts: CallScripts,
  petitionText: Type.Union([Type.String({ maxLength: 20000 }), Type.Null()]),
};

export const CampaignCreate = Type.Object(
  {
    slug: Slug,
    title: CampaignFields.title,
    ask: CampaignFields.ask,
    status: Type.Optional(CampaignFields.status),
    targetRules: Type.Optional(CampaignFields.targetRules),
    targetOfficials: Type.Optional(
      Type.Array(Uuid, { maxItems: 2000, description: 'targets chosen by hand' }),
    ),
    letterSubject: Type.Optional(CampaignFields.letterSubject),
    letterTemplate: Type.Optional(CampaignFields.letterTemplate),
    callScripts: Type.Optional(CampaignFields.callScripts),
    petitionText: Type.Optional(CampaignFields.petitionText),
  },
  { additionalProperties: false },
);
export type CampaignCreate = Static<typeof CampaignCreate>;

export const CampaignPatch = Type.Partial(
  Type.Object({ ...CampaignFields, targetOfficials: Type.Array(Uuid, { maxItems: 2000 }) }),
  { additionalProperties: false, minProperties: 1 },
);
export type CampaignPatch = Static<typeof CampaignPatch>;

export const Campaign = Type.Object({
  id: Uuid,
  slug: Slug,
  situation: Slug,
  ...CampaignFields,
  targetOfficials: Type.Array(Uuid),
  signatureCount: Type.Integer({ description: 'confirmed petition signatures' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Campaign = Static<typeof Campaign>;

export const PositionCreate = Type.Object(
  {
    campaign: Slug,
    position: PositionValue,
    statedOn: Type.Optional(IsoDate),
    note: Type.Optional(Type.String({ maxLength: 5000 })),
    sourceUrl: Type.Optional(HttpUrl),
    sourceText: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2000,
        description: 'e.g. "phone call to the DC office, 2024-03-02"',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PositionCreate = Static<typeof PositionCreate>;

export const Position = Type.Object({
  id: Uuid,
  officialId: Uuid,
  campaign: Slug,
  position: PositionValue,
  statedOn: Type.Union([IsoDate, Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  sourceUrl: Type.Union([Type.String(), Type.Null()]),
  sourceText: Type.Union([Type.String(), Type.Null()]),
  recordedBy: Type.String(),
  recordedAt: Type.String({ format: 'date-time' }),
});
export type Position = Static<typeof Position>;

export const PositionHistory = Type.Object({
  officialId: Uuid,
  campaign: Slug,
  current: Type.Union([Position, Type.Null()]),
  history: Type.Array(Position, { description: 'oldest first' }),
});

export const DeliveryRoute = Type.Object({
  kind: Type.Union([Type.Literal('email'), Type.Literal('contact_form'), Type.Literal('postal')]),
  address: Type.String({ description: 'the email address, the contact form URL, or the postal address' }),
});
export type DeliveryRoute = Static<typeof DeliveryRoute>;

export const Target = Type.Object({
  official: Official,
  position: PositionValue,
  why: Type.Array(Type.String(), {
    description: 'the rules (or "chosen by hand") that select this official',
  }),
  delivery: DeliveryRoute,
});
export type Target = Static<typeof Target>;

export const TargetQuery = Type.Object(
  {
    state: Type.Optional(
      Type.String({ maxLength: 40, description: "the supporter's state (delegation rules)" }),
    ),
    district: Type.Optional(Type.Integer({ minimum: 0, maximum: 999 })),
  },
  { additionalProperties: false },
);

export const ActionText = Type.Object({
  official: Official,
  position: PositionValue,
  script: Type.String({ description: 'the call script for this official, merge fields filled' }),
  letterSubject: Type.String(),
  letter: Type.String({ description: 'the letter for this official, merge fields filled' }),
  delivery: DeliveryRoute,
});

export const SignatureCreate = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    givenName: Type.Optional(Type.String({ maxLength: 100 })),
    familyName: Type.Optional(Type.String({ maxLength: 100 })),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    postalCode: Type.Optional(Type.String({ maxLength: 20 })),
    country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
    comment: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type SignatureCreate = Static<typeof SignatureCreate>;

export const SignatureReceipt = Type.Object({
  status: Type.Literal('confirmation-sent', {
    description: 'the same answer whether or not the address had signed before, so addresses do not leak',
  }),
});

export const ConfirmRequest = Type.Object(
  { token: Type.String({ minLength: 10, maxLength: 1000 }) },
  { additionalProperties: false },
);
export const ConfirmResult = Type.Object({
  campaign: Slug,
  confirmed: Type.Literal(true),
  alreadyConfirmed: Type.Boolean(),
  signatureCount: Type.Integer(),
});

/** OSDI person (https://opensupporter.github.io/osdi-docs/people.html), the fields Vigil keeps. */
export const OsdiPerson = Type.Object({
  identifiers: Type.Array(Type.String()),
  given_name: Type.Union([Type.String(), Type.Null()]),
  family_name: Type.Union([Type.String(), Type.Null()]),
  email_addresses: Type.Array(
    Type.Object({ address: Type.String(), primary: Type.Boolean(), status: Type.String() }),
  ),
  postal_addresses: Type.Array(
    Type.Object({
      region: Type.Union([Type.String(), Type.Null()]),
      postal_code: Type.Union([Type.String(), Type.Null()]),
      country: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  created_date: Type.String(),
  modified_date: Type.String(),
  'vigil:signatures': Type.Array(
    Type.Object({
      campaign: Type.String(),
      created_date: Type.String(),
      confirmed_date: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  'vigil:letters': Type.Array(
    Type.Object({
      campaign: Type.String(),
      target: Type.String({ description: 'the official written to' }),
      route: Type.String({ description: 'email, contact_form or postal' }),
      created_date: Type.String(),
      confirmed_date: Type.Union([Type.String(), Type.Null()]),
    }),
    { description: 'letters written (OSDI outreaches); their text is not kept once sent' },
  ),
});
export type OsdiPerson = Static<typeof OsdiPerson>;

export const CALL_OUTCOMES = ['reached', 'voicemail', 'busy', 'no_answer'] as const;

export const CallReport = Type.Object(
  {
    official: Type.String({ minLength: 1, maxLength: 120, description: 'official id or bioguide id' }),
    outcome: Type.Union(CALL_OUTCOMES.map((o) => Type.Literal(o))),
    statedPosition: Type.Optional(PositionValue),
  },
  { additionalProperties: false },
);
export type CallReport = Static<typeof CallReport>;

export const CallSummary = Type.Object({
  officialId: Uuid,
  name: Type.String(),
  calls: Type.Integer(),
  outcomes: Type.Record(Type.String(), Type.Integer()),
  statedPositions: Type.Record(Type.String(), Type.Integer(), {
    description: "what callers were told, by position (supporters' reports, not recorded positions)",
  }),
});

export const LetterCheck = Type.Object(
  {
    official: Type.String({ minLength: 1, maxLength: 120 }),
    text: Type.String({ maxLength: 20000 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    postalCode: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);

export const LetterCheckResult = Type.Object({
  unchanged: Type.Boolean({
    description: 'the letter is the template as given: officials weigh identical letters less',
  }),
  changedShare: Type.Number({ description: 'share of the words that differ from the template, 0–1' }),
  warning: Type.Union([Type.String(), Type.Null()]),
});

// Letters: sending by each official's route, the postal PDF, and the "did they reply?" question.

export const LetterCreate = Type.Object(
  {
    official: Type.String({ minLength: 1, maxLength: 120, description: 'official id or source id' }),
    subject: Type.String({ minLength: 1, maxLength: 300 }),
    text: Type.String({ minLength: 1, maxLength: 20000 }),
    name: Type.String({ minLength: 1, maxLength: 200, description: "the supporter's name, as signed" }),
    email: Type.Optional(
      Type.String({
        format: 'email',
        maxLength: 254,
        description:
          'required when the official is reached by e-mail (replies go to it); otherwise optional: with it, ' +
          'Vigil asks two weeks later whether the official replied',
      }),
    ),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    postalCode: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);
export type LetterCreate = Static<typeof LetterCreate>;

export const LetterReceipt = Type.Object({
  id: Uuid,
  route: DeliveryRoute.properties.kind,
  delivery: DeliveryRoute,
  status: Type.Union([Type.Literal('awaiting-confirmation'), Type.Literal('recorded')], {
    description:
      'awaiting-confirmation: an e-mail letter goes once the sender opens the link mailed to them; ' +
      'recorded: the supporter delivers it (contact form, post)',
  }),
  confirmationSent: Type.Boolean(),
  unchanged: Type.Boolean(),
  changedShare: Type.Number(),
  warning: Type.Union([Type.String(), Type.Null()]),
});

export const TokenRequest = Type.Object(
  { token: Type.String({ minLength: 10, maxLength: 1000 }) },
  { additionalProperties: false },
);

export const LetterConfirmResult = Type.Object({
  campaign: Slug,
  official: Type.String(),
  route: DeliveryRoute.properties.kind,
  alreadyConfirmed: Type.Boolean(),
  replyQuestionDue: Type.String({ format: 'date-time', description: 'when Vigil asks whether they replied' }),
});

export const ReplyQuestion = Type.Object({
  campaign: Slug,
  campaignTitle: Type.String(),
  official: Type.String(),
  writtenOn: IsoDate,
  answer: Type.Union([Type.Boolean(), Type.Null()], { description: 'the answer given so far, if any' }),
});

export const ReplyAnswer = Type.Object(
  {
    token: Type.String({ minLength: 10, maxLength: 1000 }),
    replied: Type.Boolean(),
    statedPosition: Type.Optional(PositionValue),
  },
  { additionalProperties: false },
);

export const PostalLetterRequest = Type.Object(
  {
    official: Type.String({ minLength: 1, maxLength: 120 }),
    subject: Type.String({ minLength: 1, maxLength: 300 }),
    text: Type.String({ minLength: 1, maxLength: 20000 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    senderAddress: Type.Optional(
      Type.String({ maxLength: 500, description: "the supporter's postal address, printed, never stored" }),
    ),
  },
  { additionalProperties: false },
);
export type PostalLetterRequest = Static<typeof PostalLetterRequest>;

export const LetterSummary = Type.Object({
  letters: Type.Integer({
    description: 'letters sent (e-mail, once confirmed) or written (contact form, post)',
  }),
  byRoute: Type.Record(Type.String(), Type.Integer()),
  unchanged: Type.Integer({ description: 'letters sent as the template unchanged' }),
  awaitingConfirmation: Type.Integer(),
  questionsDue: Type.Integer({ description: 'letters whose "did they reply?" question is due' }),
  answered: Type.Integer(),
  replied: Type.Integer(),
  notReplied: Type.Integer(),
  overTime: Type.Array(
    Type.Object({
      week: IsoDate,
      letters: Type.Integer(),
      replied: Type.Integer(),
      notReplied: Type.Integer(),
    }),
    { description: 'per week (Monday): letters written, and answers by the week they were given' },
  ),
  byOfficial: Type.Array(
    Type.Object({
      officialId: Uuid,
      name: Type.String(),
      letters: Type.Integer(),
      replied: Type.Integer(),
      notReplied: Type.Integer(),
      statedPositions: Type.Record(Type.String(), Type.Integer()),
    }),
  ),
});
export type LetterSummary = Static<typeof LetterSummary>;
