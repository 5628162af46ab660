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
