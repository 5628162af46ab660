import { type Static, Type } from '@sinclair/typebox';
import { Slug } from '../lib/schema.ts';

const Name = Type.String({ minLength: 1, maxLength: 200 });

export const OrganisationCreate = Type.Object({ slug: Slug, name: Name }, { additionalProperties: false });
export type OrganisationCreate = Static<typeof OrganisationCreate>;

export const OrganisationPatch = Type.Object({ name: Name }, { additionalProperties: false });
export type OrganisationPatch = Static<typeof OrganisationPatch>;

export const MemberAdd = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 254, description: "The user's e-mail (sign-in name)" }) },
  { additionalProperties: false },
);
export type MemberAdd = Static<typeof MemberAdd>;

/** An organisation as a member sees it (the session lists these). */
export const Membership = Type.Object({ slug: Type.String(), name: Type.String() });
export type Membership = Static<typeof Membership>;

export const Organisation = Type.Object(
  {
    slug: Type.String(),
    name: Type.String(),
    members: Type.Integer({ description: 'How many users are members' }),
    situations: Type.Integer({ description: 'How many situations belong to it' }),
    createdAt: Type.String(),
  },
  { $id: 'Organisation' },
);
export type Organisation = Static<typeof Organisation>;

export const Member = Type.Object({
  email: Type.String(),
  role: Type.String(),
  addedAt: Type.String(),
});
export type Member = Static<typeof Member>;

export const MembershipChange = Type.Object({
  email: Type.String(),
  change: Type.Union([Type.Literal('added'), Type.Literal('removed')]),
  by: Type.String({ description: 'Who made the change: a user e-mail, or the vigil command' }),
  at: Type.String(),
});
export type MembershipChange = Static<typeof MembershipChange>;

export const OrganisationDetail = Type.Object({
  organisation: Organisation,
  members: Type.Array(Member),
  history: Type.Array(MembershipChange, { description: 'Membership changes, oldest first' }),
});
export type OrganisationDetail = Static<typeof OrganisationDetail>;
