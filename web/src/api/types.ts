// Shapes of the Vigil HTTP API (/api/v1) as the browser app reads them.
import type { Feature, FeatureCollection } from 'geojson';

export type Role = 'admin' | 'analyst' | 'documenter' | 'organiser' | 'viewer';

export interface User {
  id: string;
  email: string;
  role: Role | string;
}

export interface Session {
  user: User | null;
  csrfToken: string | null;
  setupNeeded: boolean;
  /** The signed-in user's organisations (docs/organisations.md). */
  organisations?: { slug: string; name: string }[];
}

export interface Population {
  value: number;
  note: string | null;
  sources: string[];
}

export interface SituationStats {
  incidents: number;
  published: number;
  withPoint: number;
  firstDate: string | null;
  lastDate: string | null;
  categories: Record<string, number>;
}

export interface Situation {
  slug: string;
  name: string;
  description: string;
  startsOn: string;
  endsOn: string | null;
  contextFrom: string | null;
  visibility: 'public' | 'private';
  population: Population | null;
  area: Feature | null;
  stats: SituationStats;
  createdAt: string;
  updatedAt: string;
}

export interface Layer {
  id: string;
  name: string;
  kind: 'places' | 'route' | string;
  schematic: boolean;
  note: string | null;
  sources: string[];
  geojson: FeatureCollection;
}

export type Precision = 'day' | 'month';
export type Confidence = 'high' | 'medium' | 'low';
export type PointSource = 'source' | 'gazetteer' | 'manual';

export interface IncidentSource {
  url: string;
  outlet: string | null;
  accessedOn: string | null;
}

export interface Incident {
  id: string;
  situationSlug: string;
  title: string;
  description: string;
  category: string;
  start: string;
  startPrecision: Precision;
  end: string | null;
  endPrecision: Precision | null;
  placeName: string | null;
  point: { lat: number; lon: number } | null;
  pointSource: PointSource | null;
  pointNote: string | null;
  confidence: Confidence | string;
  status: 'draft' | 'published' | string;
  sources: IncidentSource[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Revision {
  revision: number;
  changedAt: string;
  changedBy: string | null;
  changes: Record<string, { from: unknown; to: unknown }>;
}

export interface IncidentDetail extends Incident {
  revisions: Revision[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  /** Not part of the documented API; shown when a server sends it. */
  total?: number;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

// Evidence vault (docs/evidence.md).

export interface PublishableCopy {
  sha256: string;
  size: number;
  mime: string;
  method: string;
  url: string;
}

/** The sealed original's facts: present only for roles that may see sealed material. */
export interface SealedOriginal {
  sha256: string;
  size: number;
  /** Sniffed from the bytes. */
  mime: string;
  claimedName: string | null;
  claimedMime: string | null;
  typeMismatch: boolean;
  capturedAt: string | null;
  metadata: Record<string, unknown>;
  phash: string | null;
  url: string;
}

export interface EvidenceItem {
  id: string;
  situationSlug: string;
  title: string;
  phase: string;
  origin: string;
  incidentIds: string[];
  publishable: PublishableCopy | null;
  createdAt: string;
  createdBy?: string;
  sourceUrl?: string | null;
  sealed?: SealedOriginal;
  nearDuplicates?: { id: string; distance: number }[];
}

export interface UploadResult {
  duplicate: boolean;
  duplicateOf: string | null;
  item: EvidenceItem;
}

export interface VerificationNote {
  id: string;
  itemId: string;
  method: string;
  conclusion: string;
  note: string;
  author: string;
  createdAt: string;
}

export interface CustodyEntry {
  id: number;
  at: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  itemId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

// Lifeline monitor (docs/lifeline.md).

export interface LifelineSource {
  url: string;
  outlet: string | null;
}

export interface LifelineObservation {
  id: string;
  ref: string | null;
  derivedFrom: string[];
  periodStart: string;
  periodEnd: string;
  route: string | null;
  commodity: string;
  quantity: number;
  unit: string;
  quantityGiven: number;
  unitGiven: string;
  conversion: string | null;
  qualifier: string | null;
  carriers: string[];
  direction: string;
  outcome: string;
  confidence: string;
  statedExpected: number | null;
  reportedOn: string | null;
  note: string;
  sources: LifelineSource[];
}

export interface LifelineConflict {
  periodStart: string;
  periodEnd: string;
  figures: LifelineObservation[];
  used: string;
  why: string;
}

export interface LifelineFlow {
  commodity: string;
  unit: string;
  direction: string;
  outcome: string;
  total: number;
  lowerBound: boolean;
  approximate: boolean;
  coveredDays: number;
  dailyFiguresSummed: number;
  used: LifelineObservation[];
  notUsed: { ref: string; reason: string }[];
  conflicts: LifelineConflict[];
}

export interface NeedsModel {
  id: string;
  ref: string | null;
  commodity: string;
  model: string;
  rate: number;
  rateHigh: number | null;
  unit: string;
  validFrom: string | null;
  validTo: string | null;
  selected: boolean;
  label: string;
  assumptions: string;
  derivedFrom: string[];
  sources: LifelineSource[];
}

export interface Disruption {
  id: string;
  ref: string | null;
  kind: string;
  status: string;
  route: string | null;
  basis: string;
  startsOn: string;
  endsOn: string | null;
  endsOnAlternative: string | null;
  confirmedUntil: string | null;
  statedDays: number | null;
  confidence: string;
  note: string;
  derivedFrom: string[];
  sources: LifelineSource[];
}

export interface DisruptionDays {
  kind: string;
  statuses: string[];
  daysConfirmed: number;
  daysUpperBound: number;
  daysWithAlternativeEnds: number | null;
  intervals: {
    ref: string;
    startsOn: string;
    endsOn: string | null;
    confirmedUntil: string | null;
    openEnded: boolean;
    note: string;
  }[];
  stated: {
    ref: string;
    days: number;
    startsOn: string;
    endsOn: string | null;
    sameWindow: boolean;
    sources: LifelineSource[];
    note: string;
  }[];
  comparison: string | null;
}

export interface LifelineWindow {
  from: string;
  to: string;
  days: number;
}

export interface LifelineMetrics {
  situationSlug: string;
  window: LifelineWindow;
  asOf: string;
  needs: NeedsModel | null;
  alternativeNeeds: NeedsModel[];
  delivered: LifelineFlow;
  needed: {
    total: number;
    totalHigh: number | null;
    days: number;
    perDay: number | null;
    formula: string;
  } | null;
  coverage: { ratio: number | null; percent: number | null; formula: string; complete: boolean };
  shortfall: { cumulative: number | null; formula: string };
  statedComparison: { ref: string; statedExpected: number; vigilNeeded: number | null; note: string }[];
  lastDelivery: {
    asOf: string;
    lastOn: string | null;
    daysSince: number | null;
    ref: string | null;
    exact: boolean;
    caveat: string | null;
  };
  closure: DisruptionDays;
  utilities: DisruptionDays[];
  otherFlows: LifelineFlow[];
  blocked: LifelineFlow[];
  caveats: string[];
}

export interface LifelinePeriod {
  ref: string;
  periodStart: string;
  periodEnd: string;
  quantity: number;
  perDay: number;
  qualifier: string | null;
  contested: boolean;
  sources: LifelineSource[];
}

export interface LifelineSeries {
  situationSlug: string;
  window: LifelineWindow;
  commodity: string;
  unit: string;
  needsLabel: string | null;
  days: { date: string; delivered: number | null; periodAverage: number | null; needed: number | null }[];
  periods: LifelinePeriod[];
  contested: LifelineConflict[];
  closures: Disruption[];
  utilityCuts: Disruption[];
}
