// Officials directory: the API's shapes (TypeBox).
import { type Static, Type } from '@sinclair/typebox';
import { Uuid } from '../lib/schema.ts';

export const OfficeSchema = Type.Object({
  kind: Type.String({ description: 'capitol, district, executive or office' }),
  address: Type.String(),
  city: Type.Union([Type.String(), Type.Null()]),
  region: Type.Union([Type.String(), Type.Null()]),
  postalCode: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  fax: Type.Union([Type.String(), Type.Null()]),
});

export const CommitteeSeat = Type.Object({
  code: Type.String({ examples: ['SSFR'] }),
  name: Type.String(),
  parentCode: Type.Union([Type.String(), Type.Null()]),
  rank: Type.Union([Type.Integer(), Type.Null()]),
  title: Type.Union([Type.String(), Type.Null()]),
  side: Type.Union([Type.String(), Type.Null()]),
});

export const Official = Type.Object({
  id: Uuid,
  source: Type.String({ description: 'us-congress, us-executive, or csv:XX' }),
  externalId: Type.String({ description: 'bioguide id for the US; the CSV id otherwise' }),
  country: Type.String(),
  name: Type.String(),
  givenName: Type.Union([Type.String(), Type.Null()]),
  familyName: Type.Union([Type.String(), Type.Null()]),
  chamber: Type.String({ description: 'senate, house, executive, or the body named in the CSV' }),
  title: Type.String(),
  state: Type.Union([Type.String(), Type.Null()], { description: 'US state (two letters) or region' }),
  district: Type.Union([Type.Integer(), Type.Null()], { description: 'House district; 0 = at large' }),
  party: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  contactForm: Type.Union([Type.String(), Type.Null()]),
  url: Type.Union([Type.String(), Type.Null()]),
  inOffice: Type.Boolean(),
  offices: Type.Array(OfficeSchema),
  committees: Type.Array(CommitteeSeat),
});
export type Official = Static<typeof Official>;

export const OfficialDetail = Type.Composite([
  Official,
  Type.Object({
    terms: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    ids: Type.Record(Type.String(), Type.Unknown()),
    social: Type.Record(Type.String(), Type.Unknown()),
  }),
]);
export type OfficialDetail = Static<typeof OfficialDetail>;

export const OfficialQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'part of the name (accents ignored)' })),
    chamber: Type.Optional(Type.String({ maxLength: 40, examples: ['senate', 'house', 'executive'] })),
    state: Type.Optional(Type.String({ maxLength: 40, examples: ['CA'] })),
    district: Type.Optional(Type.Integer({ minimum: 0, maximum: 999 })),
    committee: Type.Optional(Type.String({ maxLength: 20, examples: ['SSFR'] })),
    party: Type.Optional(
      Type.String({ maxLength: 60, description: 'prefix, case-insensitive (D, Democrat)' }),
    ),
    country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
    includeFormer: Type.Optional(
      Type.Boolean({ description: 'include officials a re-load no longer lists' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type OfficialQuery = Static<typeof OfficialQuery>;

export const Committee = Type.Object({
  code: Type.String(),
  parentCode: Type.Union([Type.String(), Type.Null()]),
  chamber: Type.String(),
  name: Type.String(),
  url: Type.Union([Type.String(), Type.Null()]),
  memberCount: Type.Integer(),
});

export const SourceSummary = Type.Object({
  source: Type.String(),
  country: Type.String(),
  loadedFrom: Type.String(),
  officialCount: Type.Integer(),
  loadedAt: Type.String({ format: 'date-time' }),
});
export type SourceSummary = Static<typeof SourceSummary>;
