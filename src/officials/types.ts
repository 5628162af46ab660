// What a directory source yields before it is stored: officials, and optionally committees.

export interface Office {
  kind: 'capitol' | 'district' | 'executive' | 'office';
  address: string;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  phone: string | null;
  fax: string | null;
}

export interface OfficialInput {
  /** The source's stable id (bioguide for the US, the CSV `id` column otherwise). */
  externalId: string;
  name: string;
  givenName: string | null;
  familyName: string | null;
  chamber: string;
  title: string;
  region: string | null;
  district: number | null;
  party: string | null;
  email: string | null;
  phone: string | null;
  contactForm: string | null;
  url: string | null;
  offices: Office[];
  terms: Record<string, unknown>[];
  ids: Record<string, unknown>;
  social: Record<string, unknown>;
}

export interface CommitteeInput {
  code: string;
  parentCode: string | null;
  chamber: string;
  name: string;
  url: string | null;
  phone: string | null;
  address: string | null;
}

export interface MembershipInput {
  committeeCode: string;
  externalId: string;
  rank: number | null;
  title: string | null;
  side: string | null;
}

export interface DirectorySnapshot {
  /** `us-congress`, `us-executive`, `csv:XX`. */
  source: string;
  country: string;
  loadedFrom: string;
  officials: OfficialInput[];
  /** When given, replace this source's committees and memberships. */
  committees?: CommitteeInput[];
  memberships?: MembershipInput[];
}
