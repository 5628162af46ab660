// Types of the response module's API (src/response/schema.ts): measures, events registry, sanctions.
import type { Precision } from './types.ts';

export interface SourceRef {
  url: string;
  outlet: string | null;
}

export interface StatusChange {
  id: string;
  seq: number;
  status: string;
  statusText: string | null;
  date: string | null;
  datePrecision: Precision | null;
  note: string | null;
  sources: SourceRef[];
  recordedBy: string;
  recordedAt: string;
}

export interface Measure {
  id: string;
  situationSlug: string;
  externalRef: string | null;
  category: string;
  kind: string;
  actor: string;
  target: string;
  title: string;
  status: string;
  statusText: string;
  statusDate: string | null;
  date: string | null;
  datePrecision: Precision | null;
  description: string;
  sources: SourceRef[];
  incidents: { id: string; basis: string }[];
  /** Evidence items the measure rests on (each opens only for those who may see it). */
  items: { id: string; basis: string }[];
  updatedAt: string;
}

export interface MeasureWithHistory extends Measure {
  history: StatusChange[];
}

export interface FeedChange extends StatusChange {
  measureId: string;
  measureTitle: string;
  category: string;
}

export interface Vocabulary {
  categories: Record<string, string>;
  statuses: Record<string, string>;
  usualPath: string[];
  ends: string[];
}

export interface BoycottCall {
  id: string;
  eventId: string | null;
  linkBasis: string | null;
  externalRef: string | null;
  caller: string;
  addressee: string;
  title: string;
  form: string;
  date: string | null;
  datePrecision: Precision | null;
  description: string;
  sources: SourceRef[];
}

export interface BoycottResponse {
  id: string;
  eventId: string;
  callId: string | null;
  responder: string;
  response: string;
  date: string | null;
  description: string;
  sources: SourceRef[];
}

export interface HostedEvent {
  id: string;
  situationSlug: string;
  externalRef: string | null;
  name: string;
  kind: string;
  host: string;
  startsOn: string | null;
  endsOn: string | null;
  datesText: string;
  venue: string | null;
  organisers: string[];
  sponsors: string[];
  participants: string[];
  description: string;
  sources: SourceRef[];
  calls: BoycottCall[];
  responses: BoycottResponse[];
}

export interface ListRef {
  id: string;
  source: string;
  version: string;
}

export interface ListVersion extends ListRef {
  publishedAt: string | null;
  sha256: string;
  entryCount: number;
  nameCount: number;
  loadedAt: string;
  loadedFrom: string;
  active: boolean;
}

export interface ScreeningMatch {
  list: ListRef;
  entryId: string;
  entryType: string;
  name: string;
  matchedName: string;
  matchedKind: string;
  score: number;
  reasons: string[];
  programs: string[];
  details: Record<string, unknown>;
}

export interface ScreenResponse {
  lists: ListVersion[];
  threshold: number;
  results: { name: string; matches: ScreeningMatch[] }[];
}

export interface PersonScreening {
  id: string;
  screenedAt: string;
  screenedBy: string;
  threshold: number;
  lists: ListRef[];
  matches: (ScreeningMatch & { screenedName: string })[];
}

export interface Person {
  id: string;
  situationSlug: string;
  kind: string;
  name: string;
  aliases: string[];
  role: string;
  roleSince: string | null;
  roleUntil: string | null;
  nationality: string | null;
  birthDate: string | null;
  notes: string;
  sources: SourceRef[];
  incidents: { id: string; title: string; start: string; note: string; sources: SourceRef[] }[];
  latestScreening: PersonScreening | null;
  createdAt: string;
  updatedAt: string;
}
