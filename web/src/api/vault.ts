// Shapes of the evidence vault's moderation queue, captures and search answers (src/evidence/*-routes.ts).

export type ReportStatus = 'pending' | 'merged' | 'linked' | 'rejected';

export interface PublicReport {
  id: string;
  situationSlug: string;
  status: ReportStatus;
  what: string;
  when: string | null;
  whenPrecision: string | null;
  whenText: string | null;
  placeName: string | null;
  locationPrecision: string;
  point: { lat: number; lon: number } | null;
  statementItemId: string | null;
  files: {
    itemId: string;
    title: string;
    mime: string;
    sha256: string;
    size: number;
    publishable: boolean;
  }[];
  receivedAt: string;
  decision: { incidentId: string | null; reason: string | null; by: string; at: string } | null;
}

export interface CaptureJob {
  id: string;
  situationSlug: string;
  url: string;
  incidentId: string | null;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: number;
  stage: string;
  error: string | null;
  finalUrl: string | null;
  httpStatus: number | null;
  fetchedAt: string | null;
  rendered: boolean | null;
  renderNote: string | null;
  items: { record: string | null; response: string | null; screenshot: string | null; pdf: string | null };
  /** How many times a worker took the job; above 1 it was resumed after its worker stopped. */
  attempts: number;
  maxAttempts: number;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
}

export type HitType = 'incident' | 'item' | 'item-text' | 'note' | 'report';

export interface SearchHit {
  type: HitType;
  id: string;
  title: string;
  snippet: string;
  rank: number;
  itemId: string | null;
  incidentId: string | null;
  url: string;
}

/** Why an item has no publishable copy (readers of sealed material only; src/evidence/item-schema.ts). */
export interface PublishableNote {
  publishableNote?: string | null;
}
