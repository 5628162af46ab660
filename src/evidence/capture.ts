// URL capture: Vigil fetches a page itself (every address checked, redirects followed one hop at a
// time and checked again), seals the raw response, renders it in headless chromium for a full-page
// screenshot and a PDF, and seals a capture record (URL, fetch time, status, headers, redirects) that
// names the other parts by hash. A capture runs as a job whose progress is kept in the database.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Actor } from '../auth/permissions.ts';
import type { Database, Queryable } from '../db/types.ts';
import { AppError, NotFoundError, ValidationError } from '../lib/errors.ts';
import { getSituation, type SituationRecord } from '../situations/service.ts';
import { VERSION } from '../version.ts';
import { type Resolver, resolvePublic } from './address-guard.ts';
import { appendCustody } from './custody.ts';
import { type Author, authorOf } from './incidents.ts';
import { sealItem, type Vault } from './items.ts';
import { htmlToText, storeItemText } from './text.ts';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Chromium resolves no name itself: every request is answered by Vigil's checked fetcher.
  '--host-resolver-rules=MAP * ~NOTFOUND',
];
const USER_AGENT = `Mozilla/5.0 (compatible; Vigil-capture/${VERSION}; evidence preservation)`;
const MAX_REDIRECTS = 10;
const FETCH_TIMEOUT_MS = 30_000;
const RENDER_TIMEOUT_MS = 45_000;
const MAX_PAGE_BYTES = 64 * 1024 * 1024;
const MAX_SUBRESOURCE_BYTES = 16 * 1024 * 1024;
const MAX_SUBRESOURCES = 300;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CaptureOptions {
  /** Let captures reach private, loopback and link-local addresses (VIGIL_CAPTURE_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Chromium's executable; null or missing on disk: captures keep only the raw response. */
  chromiumPath: string | null;
  /** Name resolution (tests replace it); the system resolver by default. */
  resolver?: Resolver;
  /** Non-public addresses allowed one by one, although allowPrivate is off. */
  allowAddress?: (address: string) => boolean;
}

export interface CaptureContext extends CaptureOptions {
  vault: Vault;
}

export class CaptureFailedError extends AppError {
  constructor(detail: string) {
    super(502, 'Capture failed', detail);
  }
}

// ---------------------------------------------------------------------------------------------------
// Fetching

export interface FetchedResponse {
  requestedUrl: string;
  finalUrl: string;
  status: number;
  statusText: string;
  httpVersion: string;
  /** Header lines exactly as received, in order. */
  headers: [string, string][];
  remoteAddress: string;
  redirects: { url: string; status: number; location: string; address: string }[];
  /** The body as received (after HTTP chunking, before any content decoding). */
  body: Buffer;
  startedAt: string;
  completedAt: string;
}

const header = (headers: [string, string][], name: string) =>
  headers.find(([k]) => k.toLowerCase() === name)?.[1] ?? null;

async function fetchOnce(
  url: URL,
  options: CaptureOptions,
  maxBytes: number,
): Promise<Omit<FetchedResponse, 'requestedUrl' | 'finalUrl' | 'redirects' | 'startedAt' | 'completedAt'>> {
  const resolved = await resolvePublic(url, options.allowPrivate, options.resolver, options.allowAddress);
  const pinned = resolved.addresses[0]!;
  // The connection goes to the address that was checked: no second lookup that could answer otherwise.
  const lookup: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all)
      (callback as never as (e: null, a: unknown[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'GET',
        lookup,
        headers: {
          'user-agent': USER_AGENT,
          accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
          'accept-encoding': 'identity',
        },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            response.destroy(
              new CaptureFailedError(
                `the response is larger than ${maxBytes} bytes; download it and upload it as a file`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('aborted', () => reject(new CaptureFailedError('the server cut the response off')));
        response.on('end', () => {
          if (!response.complete) return reject(new CaptureFailedError('the server cut the response off'));
          const headers: [string, string][] = [];
          for (let i = 0; i < response.rawHeaders.length; i += 2) {
            headers.push([response.rawHeaders[i]!, response.rawHeaders[i + 1]!]);
          }
          resolve({
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? '',
            httpVersion: response.httpVersion,
            headers,
            remoteAddress: pinned.address,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    request.setTimeout(FETCH_TIMEOUT_MS, () =>
      request.destroy(
        new CaptureFailedError(`no answer from ${url.host} within ${FETCH_TIMEOUT_MS / 1000} s`),
      ),
    );
    request.on('error', reject);
    request.end();
  });
}

function describeNetworkError(url: URL, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message || String(error);
  const why =
    code === 'ECONNREFUSED'
      ? 'the connection was refused'
      : code === 'ABORT_ERR' ||
          (error as Error).name === 'TimeoutError' ||
          (error as Error).name === 'AbortError'
        ? `no complete answer within ${FETCH_TIMEOUT_MS / 1000} s`
        : code === 'ECONNRESET'
          ? 'the connection was reset'
          : message;
  return new CaptureFailedError(`cannot fetch ${url.href}: ${why}; nothing was stored`);
}

/**
 * Fetches a URL the way a capture does: every hop's addresses checked, redirects followed by hand (and
 * each target checked), the body kept as received. Throws a clear error for anything that is not a
 * successful answer; nothing is stored by this function.
 */
export async function fetchChecked(
  requested: string,
  options: CaptureOptions,
  maxBytes = MAX_PAGE_BYTES,
): Promise<FetchedResponse> {
  const startedAt = new Date().toISOString();
  const redirects: FetchedResponse['redirects'] = [];
  let url = parseUrl(requested);
  for (let hop = 0; ; hop++) {
    let answer: Awaited<ReturnType<typeof fetchOnce>>;
    try {
      answer = await fetchOnce(url, options, maxBytes);
    } catch (error) {
      if (error instanceof ValidationError && hop > 0) {
        throw new CaptureFailedError(
          `${requested} redirects to ${url.href}, which was refused: ${error.message.replace(/^url: /, '')}`,
        );
      }
      throw describeNetworkError(url, error);
    }
    const location = header(answer.headers, 'location');
    if (answer.status >= 300 && answer.status < 400 && location) {
      if (hop >= MAX_REDIRECTS) {
        throw new CaptureFailedError(
          `more than ${MAX_REDIRECTS} redirects from ${requested}; nothing was stored`,
        );
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new CaptureFailedError(
          `${url.href} redirects to an invalid URL (${location}); nothing was stored`,
        );
      }
      redirects.push({ url: url.href, status: answer.status, location, address: answer.remoteAddress });
      url = next;
      continue;
    }
    if (answer.status < 200 || answer.status >= 400) {
      throw new CaptureFailedError(
        `${`${url.href} answered ${answer.status} ${answer.statusText}`.trim()}; nothing was stored`,
      );
    }
    return {
      ...answer,
      requestedUrl: requested,
      finalUrl: url.href,
      redirects,
      startedAt,
      completedAt: new Date().toISOString(),
    };
  }
}

export function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw ValidationError.field('url', 'is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw ValidationError.field('url', 'only http and https URLs can be captured');
  }
  if (url.username || url.password)
    throw ValidationError.field('url', 'must not carry a user name or password');
  url.hash = '';
  return url;
}

const inflate = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
} as Record<string, (b: Buffer) => Promise<Buffer>>;

/** The body with its content coding removed (the sealed copy keeps it as received). */
async function decodedBody(fetched: FetchedResponse): Promise<Buffer> {
  const coding = (header(fetched.headers, 'content-encoding') ?? '').trim().toLowerCase();
  const decode = inflate[coding];
  if (!decode) return fetched.body;
  try {
    return await decode(fetched.body);
  } catch {
    return fetched.body;
  }
}

const isHtml = (contentType: string | null) =>
  /^\s*(text\/html|application\/xhtml\+xml)/i.test(contentType ?? '');

function charsetOf(contentType: string | null, body: Buffer): string {
  const fromHeader = /charset=["']?([\w-]+)/i.exec(contentType ?? '')?.[1];
  const fromMeta = /<meta[^>]+charset=["']?([\w-]+)/i.exec(body.subarray(0, 4096).toString('latin1'))?.[1];
  for (const label of [fromHeader, fromMeta]) {
    if (!label) continue;
    try {
      new TextDecoder(label);
      return label;
    } catch {
      // unknown label: try the next
    }
  }
  return 'utf-8';
}

// ---------------------------------------------------------------------------------------------------
// Rendering

export interface Rendering {
  screenshot: Buffer;
  pdf: Buffer;
  /** The text of the rendered page (what the PDF shows), for search. */
  text: string;
  browserVersion: string;
  subresources: { fetched: number; refused: number };
}

export function chromiumMissingNote(path: string | null): string {
  return (
    `headless chromium is not installed${path ? ` at ${path}` : ''}: only the raw response was kept. ` +
    'Install it (Debian/Ubuntu: apt-get install chromium) or point VIGIL_CHROMIUM at its executable ' +
    'to also get a screenshot and a PDF.'
  );
}

/**
 * Renders the fetched page in headless chromium. The main document is answered with the bytes that were
 * sealed; every other request goes through the same checked fetcher (chromium resolves no names itself),
 * so the page cannot make the browser reach an address the capture may not.
 */
async function render(
  fetched: FetchedResponse,
  body: Buffer,
  options: CaptureOptions,
): Promise<Rendering | { unavailable: string }> {
  const path = options.chromiumPath;
  if (!path || !existsSync(path)) return { unavailable: chromiumMissingNote(path) };
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    return {
      unavailable:
        'the playwright-core package is not installed (npm install without --omit=dev): only the raw response was kept',
    };
  }
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  try {
    browser = await chromium.launch({ executablePath: path, headless: true, args: CHROMIUM_ARGS });
  } catch (error) {
    return {
      unavailable: `headless chromium at ${path} did not start (${(error as Error).message.split('\n')[0]}): only the raw response was kept`,
    };
  }
  const counts = { fetched: 0, refused: 0 };
  try {
    const context = await browser.newContext({
      serviceWorkers: 'block',
      acceptDownloads: false,
      userAgent: USER_AGENT,
      viewport: { width: 1280, height: 900 },
    });
    await context.routeWebSocket(/.*/, (ws) => ws.close());
    let mainServed = false;
    await context.route('**/*', async (route) => {
      const request = route.request();
      const url = request.url();
      if (!mainServed && request.isNavigationRequest() && url === fetched.finalUrl) {
        mainServed = true;
        const headers = Object.fromEntries(
          fetched.headers
            .filter(([k]) => !/^(content-encoding|content-length|transfer-encoding|set-cookie)$/i.test(k))
            .map(([k, v]) => [k.toLowerCase(), v]),
        );
        return route.fulfill({ status: fetched.status, headers, body });
      }
      if (request.method() !== 'GET' || counts.fetched >= MAX_SUBRESOURCES) {
        counts.refused++;
        return route.abort('blockedbyclient');
      }
      try {
        const sub = await fetchChecked(url, options, MAX_SUBRESOURCE_BYTES);
        counts.fetched++;
        const subBody = await decodedBody(sub);
        const headers = Object.fromEntries(
          sub.headers
            .filter(([k]) => !/^(content-encoding|content-length|transfer-encoding|set-cookie)$/i.test(k))
            .map(([k, v]) => [k.toLowerCase(), v]),
        );
        return route.fulfill({ status: sub.status, headers, body: subBody });
      } catch {
        counts.refused++;
        return route.abort('blockedbyclient').catch(() => {});
      }
    });
    const page = await context.newPage();
    await page.goto(fetched.finalUrl, { waitUntil: 'load', timeout: RENDER_TIMEOUT_MS }).catch(() => {}); // a page that never finishes loading is still shot as it stands
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
    const screenshot = await page.screenshot({ fullPage: true, type: 'png', timeout: RENDER_TIMEOUT_MS });
    // innerText, not textContent: the text as rendered (what the PDF shows), without hidden elements.
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is wanted here
    const text = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    await page.emulateMedia({ media: 'screen' });
    const pdf = await page.pdf({ printBackground: true, format: 'A4' });
    return { screenshot, pdf, text, browserVersion: browser.version(), subresources: counts };
  } catch (error) {
    return {
      unavailable: `headless chromium could not render the page (${(error as Error).message.split('\n')[0]}): only the raw response was kept`,
    };
  } finally {
    await browser.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------------
// Jobs

export type CaptureStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export type CapturePart = 'record' | 'response' | 'screenshot' | 'pdf';

export interface CaptureJob {
  id: string;
  situationSlug: string;
  url: string;
  incidentId: string | null;
  status: CaptureStatus;
  progress: number;
  stage: string;
  error: string | null;
  finalUrl: string | null;
  httpStatus: number | null;
  fetchedAt: string | null;
  rendered: boolean | null;
  renderNote: string | null;
  items: Record<CapturePart, string | null>;
  /** How many times a worker took the job (more than 1: it was resumed after an interruption). */
  attempts: number;
  maxAttempts: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

interface JobRow {
  id: string;
  situation_id: string;
  situation_slug: string;
  url: string;
  incident_id: string | null;
  status: CaptureStatus;
  progress: number;
  stage: string;
  error: string | null;
  final_url: string | null;
  http_status: number | null;
  fetched_at: Date | null;
  rendered: boolean | null;
  render_note: string | null;
  attempts: number;
  max_attempts: number;
  created_by_label: string;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  parts: Record<string, string> | null;
}

const JOB_SELECT = `SELECT c.*, s.slug AS situation_slug,
  (SELECT json_object_agg(ci.part, ci.item_id) FROM evidence_capture_items ci WHERE ci.capture_id = c.id) AS parts
  FROM evidence_captures c JOIN situations s ON s.id = c.situation_id`;

function jobFromRow(row: JobRow): CaptureJob {
  const parts = row.parts ?? {};
  return {
    id: row.id,
    situationSlug: row.situation_slug,
    url: row.url,
    incidentId: row.incident_id,
    status: row.status,
    progress: row.progress,
    stage: row.stage,
    error: row.error,
    finalUrl: row.final_url,
    httpStatus: row.http_status,
    fetchedAt: row.fetched_at?.toISOString() ?? null,
    rendered: row.rendered,
    renderNote: row.render_note,
    items: {
      record: parts.record ?? null,
      response: parts.response ?? null,
      screenshot: parts.screenshot ?? null,
      pdf: parts.pdf ?? null,
    },
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    createdBy: row.created_by_label,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

export async function findCapture(db: Queryable, id: string): Promise<CaptureJob | null> {
  if (!UUID.test(id)) return null;
  const rows = await db.query<JobRow>(`${JOB_SELECT} WHERE c.id = $1`, [id]);
  return rows[0] ? jobFromRow(rows[0]) : null;
}

/** Checks the URL (syntax and every address it resolves to) and records a queued capture. */
export async function createCaptureJob(
  ctx: CaptureContext,
  situation: SituationRecord,
  author: Author,
  input: { url: string; incidentId?: string | null },
): Promise<CaptureJob> {
  const { db } = ctx.vault;
  const url = parseUrl(input.url);
  if (input.incidentId) {
    const rows = UUID.test(input.incidentId)
      ? await db.query('SELECT 1 FROM incidents WHERE id = $1 AND situation_id = $2', [
          input.incidentId,
          situation.id,
        ])
      : [];
    if (rows.length === 0)
      throw ValidationError.field('incident', `incident ${input.incidentId} is not in this situation`);
  }
  await resolvePublic(url, ctx.allowPrivate, ctx.resolver, ctx.allowAddress); // refuse before anything is queued
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO evidence_captures (situation_id, url, incident_id, created_by, created_by_label)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [situation.id, url.href, input.incidentId ?? null, author.userId, author.label],
  );
  captureQueued.emit('queued', row!.id);
  return (await findCapture(db, row!.id))!;
}

// ---------------------------------------------------------------------------------------------------
// The queue: a worker leases a job, renews the lease while it works, and resumes from what was sealed.

/** In-process wake-up for workers when a job is queued (they also poll, so jobs queued elsewhere run too). */
export const captureQueued = new EventEmitter();
captureQueued.setMaxListeners(0);

export const DEFAULT_LEASE_MS = 60_000;

export interface QueueOptions {
  /** How long a claim lasts without renewal; a job whose worker died is taken again after it. */
  leaseMs?: number;
  /** Who holds the lease (host:pid by default). */
  workerId?: string;
  /** The clock (tests move it instead of waiting). */
  now?: () => Date;
}

interface Claim {
  jobId: string;
  attempt: number;
  maxAttempts: number;
  token: string;
  leaseMs: number;
  now: () => Date;
  author: Author;
}

class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`capture ${jobId}: another worker took the job over (this one was too slow to renew its lease)`);
  }
}

const defaultWorkerId = () => `${hostname()}:${process.pid}`;

/**
 * Claims a capture: a queued one, or one whose lease ran out (its worker died). `jobId` claims that one
 * only. Returns null when there is nothing to take. A job interrupted more often than it may be is
 * failed here, with the reason.
 */
export async function claimCapture(
  db: Database,
  options: QueueOptions & { jobId?: string } = {},
): Promise<Claim | null> {
  const now = options.now ?? (() => new Date());
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const at = now();
  const workerId = options.workerId ?? defaultWorkerId();
  for (;;) {
    const rows = await db.transaction((tx) =>
      tx.query<{
        id: string;
        attempts: number;
        max_attempts: number;
        created_by: string | null;
        created_by_label: string;
      }>(
        `WITH next AS (
           SELECT id FROM evidence_captures
           WHERE (status = 'queued' OR (status = 'running' AND (lease_until IS NULL OR lease_until < $1)))
             AND ($4::uuid IS NULL OR id = $4::uuid)
           ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
         UPDATE evidence_captures c SET status = 'running', attempts = c.attempts + 1, lease_until = $2,
           leased_by = $3 || '#' || (c.attempts + 1),
           stage = CASE WHEN c.attempts > 0 THEN 'resuming after an interruption' ELSE c.stage END,
           updated_at = $1
         FROM next WHERE c.id = next.id
         RETURNING c.id, c.attempts, c.max_attempts, c.created_by, c.created_by_label`,
        [at, new Date(at.getTime() + leaseMs), workerId, options.jobId ?? null],
      ),
    );
    const row = rows[0];
    if (!row) return null;
    if (row.attempts > row.max_attempts) {
      await db.query(
        `UPDATE evidence_captures SET status = 'failed', stage = 'failed', lease_until = NULL, updated_at = $2,
           finished_at = $2, error = $3 WHERE id = $1`,
        [
          row.id,
          at,
          `the capture was interrupted ${row.max_attempts} times (the process running it stopped); ` +
            'the parts sealed before that are kept',
        ],
      );
      if (options.jobId) return null;
      continue;
    }
    return {
      jobId: row.id,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
      token: `${workerId}#${row.attempts}`,
      leaseMs,
      now,
      author: { userId: row.created_by, label: row.created_by_label },
    };
  }
}

/** Renews the lease (and records progress); false when the job is no longer this worker's. */
async function renew(db: Queryable, claim: Claim, set: Record<string, unknown> = {}): Promise<boolean> {
  const columns = Object.keys(set);
  const at = claim.now();
  const rows = await db.query(
    `UPDATE evidence_captures SET lease_until = $3, updated_at = $4${columns.map((c, i) => `, ${c} = $${i + 5}`).join('')}
     WHERE id = $1 AND leased_by = $2 AND status = 'running' RETURNING id`,
    [claim.jobId, claim.token, new Date(at.getTime() + claim.leaseMs), at, ...Object.values(set)],
  );
  return rows.length > 0;
}

export type ProgressListener = (progress: number, stage: string) => void;

type FetchFacts = Omit<FetchedResponse, 'body'>;

/**
 * Runs a queued capture from the command line: claims it, then runs it like a worker would.
 * Never throws for a failed capture: the outcome is in the job row.
 */
export async function runCapture(
  ctx: CaptureContext,
  jobId: string,
  onProgress: ProgressListener = () => {},
  options: QueueOptions = {},
): Promise<CaptureJob> {
  const claim = await claimCapture(ctx.vault.db, { ...options, jobId });
  if (claim) await runClaimedCapture(ctx, claim, onProgress);
  const job = await findCapture(ctx.vault.db, jobId);
  if (!job) throw new NotFoundError(`capture ${jobId}`);
  return job;
}

/**
 * Runs a claimed capture: fetch (nothing is stored when it fails), seal the raw response, render and seal
 * the screenshot and PDF (skipped with a note when chromium is missing), then seal the capture record, with
 * a `capture` custody entry. Each part is linked to the job in the transaction that seals it, so a job
 * taken over after its worker died skips what is already sealed: it renders and records the response that
 * was sealed rather than fetching the page again, and stores nothing twice.
 */
export async function runClaimedCapture(
  ctx: CaptureContext,
  claim: Claim,
  onProgress: ProgressListener = () => {},
): Promise<void> {
  const { db } = ctx.vault;
  const jobId = claim.jobId;
  const author = claim.author;
  let lost = false;
  const heartbeat = setInterval(
    () => {
      renew(db, claim)
        .then((ok) => {
          if (!ok) lost = true;
        })
        .catch(() => {});
    },
    Math.max(1000, Math.floor(claim.leaseMs / 3)),
  );
  heartbeat.unref();
  const step = async (progress: number, stage: string, extra: Record<string, unknown> = {}) => {
    if (lost || !(await renew(db, claim, { progress, stage, ...extra }))) {
      lost = true;
      throw new LeaseLostError(jobId);
    }
    onProgress(progress, stage);
  };
  try {
    const [job] = await db.query<{
      situation_id: string;
      url: string;
      incident_id: string | null;
      fetch_facts: FetchFacts | null;
      render_facts: Record<string, unknown> | null;
      parts: Record<string, string> | null;
    }>(
      `SELECT c.situation_id, c.url, c.incident_id, c.fetch_facts, c.render_facts,
         (SELECT json_object_agg(ci.part, ci.item_id) FROM evidence_capture_items ci WHERE ci.capture_id = c.id) AS parts
       FROM evidence_captures c WHERE c.id = $1`,
      [jobId],
    );
    if (!job) throw new NotFoundError(`capture ${jobId}`);
    const parts: Partial<Record<CapturePart, string>> = { ...(job.parts ?? {}) };
    const incidentIds = job.incident_id ? [job.incident_id] : [];
    const link =
      (part: CapturePart, also?: (tx: Queryable, itemId: string) => Promise<void>) =>
      async (tx: Queryable, result: { id: string }) => {
        await tx.query(
          'INSERT INTO evidence_capture_items (capture_id, item_id, part) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
          [jobId, result.id, part],
        );
        parts[part] = result.id;
        await also?.(tx, result.id);
      };
    const seal = (
      fetched: FetchFacts,
      label: string,
      data: Buffer,
      name: string,
      mime: string | null,
      onSealed: (tx: Queryable, result: { id: string }) => Promise<void>,
    ) =>
      sealItem(ctx.vault, author, {
        situationId: job.situation_id,
        stream: Readable.from([data]),
        claimedName: name,
        claimedMime: mime,
        title: `${label} of ${fetched.finalUrl}`.slice(0, 500),
        origin: 'capture',
        sourceUrl: fetched.finalUrl,
        incidentIds,
        onSealed,
      });

    // 1. The response: fetched now, or (resuming) read back from the item sealed by an earlier attempt.
    let fetched: FetchFacts;
    let rawBody: Buffer;
    if (parts.response && job.fetch_facts) {
      await step(30, 'resuming: the response was sealed before the interruption');
      fetched = job.fetch_facts;
      const [row] = await db.query<{ sha256: string }>('SELECT sha256 FROM evidence_items WHERE id = $1', [
        parts.response,
      ]);
      rawBody = await readFile(ctx.vault.blobs.pathOf(row!.sha256));
    } else {
      await step(5, 'fetching');
      const response = await fetchChecked(job.url, ctx, Math.min(MAX_PAGE_BYTES, ctx.vault.maxUploadBytes));
      const { body, ...facts } = response;
      fetched = facts;
      rawBody = body;
      await step(30, 'sealing the response', {
        final_url: fetched.finalUrl,
        http_status: fetched.status,
        fetched_at: fetched.startedAt,
      });
      const contentType = header(fetched.headers, 'content-type');
      const host = new URL(fetched.finalUrl).hostname;
      await seal(
        fetched,
        'Raw response',
        rawBody,
        isHtml(contentType) ? `${host}.html` : `${host}.response`,
        contentType,
        link('response', async (tx) => {
          await tx.query('UPDATE evidence_captures SET fetch_facts = $2 WHERE id = $1', [
            jobId,
            JSON.stringify(fetched),
          ]);
        }),
      );
    }
    const contentType = header(fetched.headers, 'content-type');
    const host = new URL(fetched.finalUrl).hostname;
    const html = isHtml(contentType);
    const body = await decodedBody({ ...fetched, body: rawBody });
    if (html) {
      const text = htmlToText(new TextDecoder(charsetOf(contentType, body)).decode(body));
      if (text) await storeItemText(db, parts.response!, 'html-without-tags', text);
    }

    // 2. The rendering: screenshot and PDF, unless both were sealed before an interruption.
    let renderedFacts: Record<string, unknown>;
    let renderNote: string | null = null;
    if (parts.screenshot && parts.pdf && job.render_facts) {
      renderedFacts = job.render_facts;
    } else if (!html) {
      renderNote = `the response is ${contentType ?? 'of no stated type'}, not an HTML page: it was kept as it is, not rendered`;
      renderedFacts = { rendered: false, note: renderNote };
    } else {
      await step(45, 'rendering in headless chromium');
      const rendering = await render({ ...fetched, body: rawBody }, body, ctx);
      if ('unavailable' in rendering) {
        renderNote = rendering.unavailable;
        renderedFacts = { rendered: false, note: renderNote };
      } else {
        renderedFacts = {
          rendered: true,
          browser: `Chromium ${rendering.browserVersion}`,
          subresources: rendering.subresources,
        };
        if (!parts.screenshot) {
          await step(70, 'sealing the screenshot');
          await seal(
            fetched,
            'Screenshot',
            rendering.screenshot,
            `${host}.png`,
            'image/png',
            link('screenshot'),
          );
        }
        if (!parts.pdf) {
          await step(85, 'sealing the PDF');
          await seal(
            fetched,
            'PDF',
            rendering.pdf,
            `${host}.pdf`,
            'application/pdf',
            link('pdf', async (tx) => {
              await tx.query('UPDATE evidence_captures SET render_facts = $2 WHERE id = $1', [
                jobId,
                JSON.stringify(renderedFacts),
              ]);
            }),
          );
        }
        // The PDF's own text is indexed when it is sealed; the rendered page's text is the fallback.
        if (rendering.text.trim()) await storeItemText(db, parts.pdf!, 'rendered-page-text', rendering.text);
      }
    }

    // 3. The record, sealed with the `capture` custody entry and the job's end in one transaction.
    await step(92, 'sealing the capture record');
    const partFacts = async (id: string | undefined) => {
      if (!id) return null;
      const [row] = await db.query<{ sha256: string; size: number; mime: string }>(
        'SELECT sha256, size, mime FROM evidence_items WHERE id = $1',
        [id],
      );
      return row ? { itemId: id, sha256: row.sha256, size: row.size, mime: row.mime } : null;
    };
    const record = {
      kind: 'vigil-capture-record',
      version: 1,
      captureId: jobId,
      requestedUrl: fetched.requestedUrl,
      finalUrl: fetched.finalUrl,
      fetchStartedAt: fetched.startedAt,
      fetchCompletedAt: fetched.completedAt,
      remoteAddress: fetched.remoteAddress,
      redirects: fetched.redirects,
      request: {
        method: 'GET',
        headers: { 'user-agent': USER_AGENT, 'accept-encoding': 'identity' },
      },
      response: {
        httpVersion: fetched.httpVersion,
        status: fetched.status,
        statusText: fetched.statusText,
        headers: fetched.headers,
      },
      parts: {
        response: await partFacts(parts.response),
        screenshot: await partFacts(parts.screenshot),
        pdf: await partFacts(parts.pdf),
      },
      rendering: renderedFacts,
      capturedBy: { software: `Vigil ${VERSION}`, actor: author.label },
      ...(claim.attempt > 1 ? { attempts: claim.attempt } : {}),
    };
    await seal(
      fetched,
      'Capture record (URL, fetch time, headers)',
      Buffer.from(`${JSON.stringify(record, null, 2)}\n`),
      `${host}.capture.json`,
      'application/json',
      link('record', async (tx, recordId) => {
        const linked = Object.fromEntries(
          (['record', 'response', 'screenshot', 'pdf'] as const)
            .filter((p) => parts[p])
            .map((p) => [p, parts[p]]),
        );
        await appendCustody(tx, [
          {
            actorId: author.userId,
            actorLabel: author.label,
            action: 'capture',
            itemId: recordId,
            details: {
              captureId: jobId,
              url: fetched.requestedUrl,
              finalUrl: fetched.finalUrl,
              fetchedAt: fetched.startedAt,
              httpStatus: fetched.status,
              parts: linked,
              rendered: renderedFacts.rendered,
              attempts: claim.attempt,
            },
          },
        ]);
        const done = await tx.query(
          `UPDATE evidence_captures SET status = 'succeeded', progress = 100, stage = 'done', rendered = $3,
             render_note = $4, lease_until = NULL, updated_at = now(), finished_at = now(), final_url = $5,
             http_status = $6, fetched_at = $7
           WHERE id = $1 AND leased_by = $2 RETURNING id`,
          [
            jobId,
            claim.token,
            renderedFacts.rendered === true,
            renderNote ?? (renderedFacts.note as string | null) ?? null,
            fetched.finalUrl,
            fetched.status,
            fetched.startedAt,
          ],
        );
        if (done.length === 0) throw new LeaseLostError(jobId); // rolls the record back: the new holder seals it
      }),
    );
    onProgress(100, 'done');
  } catch (error) {
    if (error instanceof LeaseLostError) return;
    const message = (error as Error).message || String(error);
    // A failure to fetch is final (nothing was stored); anything else is retried while attempts remain.
    const retry = !(error instanceof AppError) && claim.attempt < claim.maxAttempts;
    await db
      .query(
        retry
          ? `UPDATE evidence_captures SET status = 'queued', stage = 'queued again after an error', error = $3,
               lease_until = NULL, updated_at = now() WHERE id = $1 AND leased_by = $2`
          : `UPDATE evidence_captures SET status = 'failed', stage = 'failed', error = $3, lease_until = NULL,
               updated_at = now(), finished_at = now() WHERE id = $1 AND leased_by = $2`,
        [jobId, claim.token, message],
      )
      .catch(() => {});
    onProgress(100, retry ? `queued again: ${message}` : `failed: ${message}`);
  } finally {
    clearInterval(heartbeat);
  }
}

/** One pass of a worker: claims the next job, if any, and runs it. Returns the job's id, or null. */
export async function runNextCapture(
  ctx: CaptureContext,
  options: QueueOptions = {},
): Promise<string | null> {
  const claim = await claimCapture(ctx.vault.db, options);
  if (!claim) return null;
  await runClaimedCapture(ctx, claim);
  return claim.jobId;
}

/**
 * The capture worker of `vigil serve`: runs jobs one at a time (chromium is heavy), woken when a job is
 * queued in this process and polling for the others (queued by another process, or left by a dead one).
 * `stop()` waits for the job in progress.
 */
export function startCaptureWorker(
  ctx: CaptureContext,
  options: QueueOptions & { pollMs?: number; onError?: (error: unknown) => void } = {},
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const tick = () => {
    if (stopped || running) return;
    if (timer) clearTimeout(timer);
    timer = null;
    running = (async () => {
      while (!stopped && (await runNextCapture(ctx, options))) {
        // keep going while there is work
      }
    })()
      .catch((error) => options.onError?.(error))
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(tick, options.pollMs ?? 1000);
      });
  };
  captureQueued.on('queued', tick);
  tick();
  return {
    async stop() {
      stopped = true;
      captureQueued.off('queued', tick);
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The API's entry points

/** Queues a capture for the API: role and situation checked, URL checked before anything is stored. */
export async function requestCapture(
  ctx: CaptureContext,
  actor: Actor,
  slug: string,
  input: { url: string; incidentId?: string },
): Promise<CaptureJob> {
  // 404 for a situation the actor may not read; 401/403 without the role or the organisation's membership.
  const situation = await getSituation(ctx.vault.db, actor, slug, 'evidence.write');
  return createCaptureJob(ctx, situation, authorOf(actor), input);
}

export async function getCapture(db: Database, actor: Actor, slug: string, id: string): Promise<CaptureJob> {
  const situation = await getSituation(db, actor, slug, 'evidence.write');
  const job = await findCapture(db, id);
  if (!job || job.situationSlug !== situation.slug) throw new NotFoundError(`capture ${id}`);
  return job;
}

export async function listCaptures(
  db: Database,
  actor: Actor,
  slug: string,
  limit: number,
): Promise<CaptureJob[]> {
  const situation = await getSituation(db, actor, slug, 'evidence.write');
  const rows = await db.query<JobRow>(
    `${JOB_SELECT} WHERE c.situation_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT $2`,
    [situation.id, limit],
  );
  return rows.map(jobFromRow);
}
