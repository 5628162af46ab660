// The campaigns API as the web app sees it (src/campaigns/schema.ts is the source of truth).
export type Position = 'supports' | 'opposes' | 'undecided' | 'unknown';
export const POSITIONS: Position[] = ['supports', 'opposes', 'undecided', 'unknown'];
export type Route = 'email' | 'contact_form' | 'postal';
export const CALL_OUTCOMES = ['reached', 'voicemail', 'busy', 'no_answer'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export interface Campaign {
  id: string;
  slug: string;
  situation: string;
  title: string;
  ask: string;
  status: 'draft' | 'active' | 'closed';
  targetRules: (
    | { committee: string }
    | { chamber: string }
    | { state: string; chamber?: string }
    | { delegation: true }
  )[];
  letterSubject: string;
  letterTemplate: string;
  petitionText: string | null;
  callScripts: CallScripts;
  targetOfficials: string[];
  signatureCount: number;
}

/** Call scripts by the official's recorded position, and the committee paragraph. */
export const SCRIPT_KEYS = ['default', 'supports', 'opposes', 'undecided', 'unknown', 'committee'] as const;
export type CallScripts = Partial<Record<(typeof SCRIPT_KEYS)[number], string>>;

export type TargetRule = Campaign['targetRules'][number];

export interface Committee {
  code: string;
  parentCode: string | null;
  chamber: string;
  name: string;
  memberCount: number;
}

/** The merge fields the server accepts (src/campaigns/service.ts MERGE_FIELDS; others are refused). */
export const MERGE_FIELDS = [
  'official.name',
  'official.title',
  'official.given_name',
  'official.family_name',
  'official.state',
  'official.district',
  'official.party',
  'official.phone',
  'official.committees',
  'campaign.title',
  'campaign.ask',
  'supporter.name',
  'supporter.region',
  'supporter.postal_code',
] as const;

export interface Office {
  kind: string;
  address: string;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  phone: string | null;
}

export interface Official {
  id: string;
  externalId: string;
  name: string;
  title: string;
  chamber: string;
  state: string | null;
  district: number | null;
  party: string | null;
  phone: string | null;
  email: string | null;
  contactForm: string | null;
  offices: Office[];
  committees: { code: string; name: string; title: string | null }[];
}

export interface Target {
  official: Official;
  position: Position;
  why: string[];
  delivery: { kind: Route; address: string };
}

export interface ActionText {
  official: Official;
  position: Position;
  script: string;
  letterSubject: string;
  letter: string;
  delivery: { kind: Route; address: string };
}

export interface LetterCheck {
  unchanged: boolean;
  changedShare: number;
  warning: string | null;
}

export interface LetterReceipt extends LetterCheck {
  id: string;
  route: Route;
  delivery: { kind: Route; address: string };
  status: 'awaiting-confirmation' | 'recorded';
  confirmationSent: boolean;
}

export interface CallSummary {
  officialId: string;
  name: string;
  calls: number;
  outcomes: Record<string, number>;
  statedPositions: Record<string, number>;
}

export interface LetterSummary {
  letters: number;
  byRoute: Record<string, number>;
  unchanged: number;
  awaitingConfirmation: number;
  questionsDue: number;
  answered: number;
  replied: number;
  notReplied: number;
  overTime: { week: string; letters: number; replied: number; notReplied: number }[];
  byOfficial: {
    officialId: string;
    name: string;
    letters: number;
    replied: number;
    notReplied: number;
    statedPositions: Record<string, number>;
  }[];
}

export interface PositionRecord {
  position: Position;
  statedOn: string | null;
  note: string | null;
  sourceUrl: string | null;
  sourceText: string | null;
  recordedBy: string;
  recordedAt: string;
}

export interface PositionHistory {
  officialId: string;
  campaign: string;
  current: PositionRecord | null;
  history: PositionRecord[];
}

export const campaignPath = (situation: string, campaign: string) =>
  `/s/${encodeURIComponent(situation)}/campaigns/${encodeURIComponent(campaign)}`;

/** Who may organise campaigns (campaign.write: organiser, admin), only to decide which controls to show. */
export const canOrganise = (role: string | undefined) => role === 'organiser' || role === 'admin';
