// The organisations API as the web app reads it (src/organisations/schema.ts is the source of truth;
// docs/organisations.md). Only administrators (`organisation.manage`) may call it.

/** An organisation with its numbers of members and situations (GET /organisations). */
export interface Organisation {
  slug: string;
  name: string;
  members: number;
  situations: number;
  createdAt: string;
}

export interface Member {
  email: string;
  role: string;
  addedAt: string;
}

export interface MembershipChange {
  email: string;
  change: 'added' | 'removed';
  /** Who made the change: a user's e-mail, or the vigil command. */
  by: string;
  at: string;
}

/** GET /organisations/:slug. */
export interface OrganisationDetail {
  organisation: Organisation;
  members: Member[];
  /** Oldest first. */
  history: MembershipChange[];
}

/** The part of a situation (GET /situations) that says which organisation it belongs to. */
export interface SituationOfOrganisation {
  slug: string;
  name: string;
  visibility: 'public' | 'private';
  organisation: string | null;
}

export const ORGANISATIONS_PATH = '/organisations';

export const organisationPath = (slug: string) => `${ORGANISATIONS_PATH}/${encodeURIComponent(slug)}`;

export const memberPath = (slug: string, email: string) =>
  `${organisationPath(slug)}/members/${encodeURIComponent(email)}`;

/** Where the page of an organisation is in the app. */
export const organisationPagePath = (slug?: string) =>
  slug ? `/admin/organisations/${encodeURIComponent(slug)}` : '/admin/organisations';
