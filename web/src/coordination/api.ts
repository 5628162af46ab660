// Coordination API shapes (mirroring src/coordination/schema.ts) and the requests the page makes that
// the shared client does not: the import upload with progress, and DELETE.
import { API_BASE, ApiError, api, getCsrfToken, NetworkError } from '../api/client.ts';
import type { Problem } from '../api/types.ts';

export const BEHAVIOURS = ['co-repost', 'co-link', 'co-hashtag', 'co-text'] as const;
export const STANCES = ['unassessed', 'denial', 'downplaying', 'other'] as const;
export const FORMATS = ['auto', 'jsonl', 'csv', 'twitter-v2', 'twitter-ioa', 'telegram'] as const;
export type Stance = (typeof STANCES)[number];

export interface ImportRecord {
  id: string;
  fileName: string;
  format: string;
  status: 'importing' | 'done' | 'failed';
  /** While importing: "read" counts bytes of the file parsed, "store" posts written of postsRead. */
  progress: { phase: 'read' | 'store' | 'done'; done: number; total: number } | null;
  postsRead: number;
  postsStored: number;
  duplicates: number;
  malformed: number;
  skipped: number;
  malformedSamples: { line: number; reason: string }[];
  error: string | null;
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface Run {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  options: {
    windows: Record<string, number>;
    behaviours: string[];
    textSimilarity: number;
    minCoActions: number;
    minCommunitySize: number;
  };
  progress: { phase: string; done: number; total: number } | null;
  posts: number | null;
  accounts: number | null;
  flaggedAccounts: number | null;
  communities: number | null;
  narratives: number | null;
  error: string | null;
  attempts: number;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  files: string[];
}

export interface Overview {
  posts: number;
  accounts: number;
  firstPostAt: string | null;
  lastPostAt: string | null;
  imports: ImportRecord[];
  runs: Run[];
  latestRun: Run | null;
}

export interface Link {
  id: string;
  communityId: string | null;
  narrativeId: string | null;
  target: { id: string; kind: 'incident' | 'item'; title: string };
  note: string | null;
  createdBy: string | null;
  createdAt: string;
}

export interface Counted {
  value: string;
  count: number;
}

export interface Community {
  id: string;
  runId: string;
  number: number;
  label: string;
  size: number;
  flaggedAccounts: number;
  behaviours: string[];
  summary: {
    accounts?: { author: string; author_name: string | null; score: number }[];
    posts?: number;
    top_texts?: Counted[];
    top_links?: Counted[];
    top_hashtags?: Counted[];
    activity?: { bin: 'hour' | 'day'; start: string; counts: number[] };
  };
  firstSeen: string | null;
  lastSeen: string | null;
  createdAt: string;
  links: Link[];
}

export interface Narrative {
  id: string;
  runId: string;
  number: number;
  label: string;
  postCount: number;
  accountCount: number;
  communityId: string | null;
  communityNumber: number | null;
  summary: { flagged_posts?: number; first_post?: { id: string; author: string; created_at: string } | null };
  firstSeen: string | null;
  lastSeen: string | null;
  stance: Stance;
  stanceNote: string | null;
  stanceSetBy: string | null;
  stanceSetAt: string | null;
  /** The earlier run's narrative whose stance this one carried over, until an analyst sets its own. */
  stanceCarriedFrom: { narrativeId: string; runId: string } | null;
  createdAt: string;
  links: Link[];
}

export interface GraphData {
  nodes: {
    id: string;
    label: string;
    community: number | null;
    score: number;
    flagged: boolean;
    posts: number;
    partners: number;
    reasons: string;
  }[];
  edges: {
    source: string;
    target: string;
    community: number | null;
    score: number;
    observed: number;
    expected: number;
    behaviours: string[];
  }[];
  truncated: boolean;
}

export interface StoredPost {
  platform: string;
  id: string;
  author: string;
  authorName: string | null;
  createdAt: string;
  text: string;
  urls: string[];
  hashtags: string[];
  repostOf: string | null;
}

export interface EdgePosts {
  source: string;
  target: string;
  /** `episode`: the co-action episode as the engine counts them (the same object within the window again is
   * the same one); `episodes` is the edge's count. */
  coActions: { behaviour: string; object: string; posts: string[]; seconds: number; episode: number }[];
  episodes: number;
  posts: StoredPost[];
  truncated: boolean;
}

export function coordinationPath(slug: string, rest = ''): string {
  return `/situations/${encodeURIComponent(slug)}/coordination${rest}`;
}

export function fileUrl(slug: string, runId: string, name: string): string {
  return `${API_BASE}${coordinationPath(slug, `/runs/${runId}/files/${encodeURIComponent(name)}`)}`;
}

export function zipUrl(slug: string, runId: string): string {
  return `${API_BASE}${coordinationPath(slug, `/runs/${runId}/export.zip`)}`;
}

function problemOf(xhr: XMLHttpRequest): Problem | null {
  if (!(xhr.getResponseHeader('content-type') ?? '').includes('json')) return null;
  try {
    return JSON.parse(xhr.responseText) as Problem;
  } catch {
    return null;
  }
}

export class UploadCancelled extends Error {}

/** A random (version 4) UUID; crypto.randomUUID exists only on HTTPS and localhost. */
function newImportId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Uploads a file of posts; progress is bytes sent of total (sent === total: the server is importing). The
 * import's id is chosen here, so that its progress can be followed (getImport) before the upload answers.
 */
export function uploadPosts(
  slug: string,
  file: File,
  format: string,
  onProgress: (sent: number, total: number) => void,
): { id: string; done: Promise<ImportRecord>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const form = new FormData();
  form.append('file', file, file.name);
  const id = newImportId();
  const done = new Promise<ImportRecord>((resolve, reject) => {
    const q = new URLSearchParams({ id });
    if (format && format !== 'auto') q.set('format', format);
    xhr.open('POST', `${API_BASE}${coordinationPath(slug, `/imports?${q}`)}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    const csrf = getCsrfToken();
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    };
    xhr.upload.onload = () => onProgress(file.size, file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as ImportRecord);
        } catch {
          reject(new NetworkError('Unreadable answer to the upload'));
        }
        return;
      }
      const problem = problemOf(xhr);
      reject(new ApiError(xhr.status, problem, problem?.detail ?? problem?.title ?? `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new NetworkError('The upload could not reach the server'));
    xhr.onabort = () => reject(new UploadCancelled('cancelled'));
    xhr.send(form);
  });
  return { id, done, abort: () => xhr.abort() };
}

/** One import, with its progress; null while the server has not started it yet. */
/**
 * The import with this id, or null while the server has not recorded it yet (the upload is still being
 * received). Read from the list of recent imports, which answers even before the record exists, so that
 * following an import never asks for something missing.
 */
export async function getImport(slug: string, id: string): Promise<ImportRecord | null> {
  const { items } = await api.get<{ items: ImportRecord[] }>(coordinationPath(slug, '/imports'));
  return items.find((i) => i.id === id) ?? null;
}

export async function deleteRequest(path: string): Promise<void> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const csrf = getCsrfToken();
  if (csrf) headers['X-CSRF-Token'] = csrf;
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${path}`, { method: 'DELETE', headers, credentials: 'same-origin' });
  } catch (err) {
    throw new NetworkError(err instanceof Error ? err.message : String(err));
  }
  if (!res.ok) {
    const problem = (await res.json().catch(() => null)) as Problem | null;
    throw new ApiError(res.status, problem, problem?.detail ?? `HTTP ${res.status}`);
  }
}
