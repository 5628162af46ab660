// URL capture: Vigil fetches a page itself (every address checked, redirects followed one hop at a
// time and checked again), seals the raw response, renders it in headless chromium for a full-page
// screenshot and a PDF, and seals a capture record (URL, fetch time, status, headers, redirects) that
// names the other parts by hash. A capture runs as a job whose progress is kept in the database.
import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { type Actor, requirePermission } from '../auth/permissions.ts';
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
  return (await findCapture(db, row!.id))!;
}

async function setProgress(
  db: Queryable,
  id: string,
  progress: number,
  stage: string,
  extra: Record<string, unknown> = {},
) {
  const columns = Object.keys(extra);
  await db.query(
    `UPDATE evidence_captures SET status = CASE WHEN status = 'queued' THEN 'running' ELSE status END,
       progress = $2, stage = $3, updated_at = now()${columns.map((c, i) => `, ${c} = $${i + 4}`).join('')}
     WHERE id = $1`,
    [id, progress, stage, ...Object.values(extra)],
  );
}

export type ProgressListener = (progress: number, stage: string) => void;

/**
 * Runs a queued capture: fetch (nothing is stored when it fails), seal the raw response, render and seal
 * the screenshot and PDF (skipped with a note when chromium is missing), then seal the capture record and
 * link the parts, with a `capture` custody entry. Never throws: the outcome is in the job row.
 */
export async function runCapture(
  ctx: CaptureContext,
  jobId: string,
  author: Author,
  onProgress: ProgressListener = () => {},
): Promise<CaptureJob> {
  const { db } = ctx.vault;
  const job = await findCapture(db, jobId);
  if (!job) throw new NotFoundError(`capture ${jobId}`);
  const [{ situation_id: situationId }] = (await db.query<{ situation_id: string }>(
    'SELECT situation_id FROM evidence_captures WHERE id = $1',
    [jobId],
  )) as [{ situation_id: string }];
  const step = async (progress: number, stage: string, extra: Record<string, unknown> = {}) => {
    onProgress(progress, stage);
    await setProgress(db, jobId, progress, stage, extra);
  };
  try {
    await step(5, 'fetching');
    const fetched = await fetchChecked(job.url, ctx, Math.min(MAX_PAGE_BYTES, ctx.vault.maxUploadBytes));
    await step(30, 'sealing the response', {
      final_url: fetched.finalUrl,
      http_status: fetched.status,
      fetched_at: fetched.startedAt,
    });
    const incidentIds = job.incidentId ? [job.incidentId] : [];
    const contentType = header(fetched.headers, 'content-type');
    const seal = (part: string, data: Buffer, name: string, mime: string | null) =>
      sealItem(ctx.vault, author, {
        situationId,
        stream: Readable.from([data]),
        claimedName: name,
        claimedMime: mime,
        title: `${part} of ${fetched.finalUrl}`.slice(0, 500),
        origin: 'capture',
        sourceUrl: fetched.finalUrl,
        incidentIds,
      });
    const host = new URL(fetched.finalUrl).hostname;
    const response = await seal(
      'Raw response',
      fetched.body,
      isHtml(contentType) ? `${host}.html` : `${host}.response`,
      contentType,
    );
    const body = await decodedBody(fetched);
    const html = isHtml(contentType);
    if (html) {
      const text = htmlToText(new TextDecoder(charsetOf(contentType, body)).decode(body));
      if (text) await storeItemText(db, response.id, 'html-without-tags', text);
    }

    let rendering: Rendering | { unavailable: string };
    if (html) {
      await step(45, 'rendering in headless chromium');
      rendering = await render(fetched, body, ctx);
    } else {
      rendering = {
        unavailable: `the response is ${contentType ?? 'of no stated type'}, not an HTML page: it was kept as it is, not rendered`,
      };
    }
    let screenshot: { id: string } | null = null;
    let pdf: { id: string } | null = null;
    let renderedFacts: Record<string, unknown> = {
      rendered: false,
      note: 'unavailable' in rendering ? rendering.unavailable : null,
    };
    if (!('unavailable' in rendering)) {
      await step(70, 'sealing the screenshot');
      screenshot = await seal('Screenshot', rendering.screenshot, `${host}.png`, 'image/png');
      await step(85, 'sealing the PDF');
      pdf = await seal('PDF', rendering.pdf, `${host}.pdf`, 'application/pdf');
      if (rendering.text.trim()) await storeItemText(db, pdf.id, 'rendered-page-text', rendering.text);
      renderedFacts = {
        rendered: true,
        browser: `Chromium ${rendering.browserVersion}`,
        subresources: rendering.subresources,
      };
    }
    await step(92, 'sealing the capture record');
    const shaOf = async (id: string | undefined) =>
      id
        ? (
            await db.query<{ sha256: string; size: number; mime: string }>(
              'SELECT sha256, size, mime FROM evidence_items WHERE id = $1',
              [id],
            )
          )[0]
        : undefined;
    const partFacts = async (id: string | undefined) => {
      const row = await shaOf(id);
      return row && id ? { itemId: id, sha256: row.sha256, size: row.size, mime: row.mime } : null;
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
        response: await partFacts(response.id),
        screenshot: await partFacts(screenshot?.id),
        pdf: await partFacts(pdf?.id),
      },
      rendering: renderedFacts,
      capturedBy: { software: `Vigil ${VERSION}`, actor: author.label },
    };
    const recordBytes = Buffer.from(`${JSON.stringify(record, null, 2)}\n`);
    const recordItem = await seal(
      'Capture record (URL, fetch time, headers)',
      recordBytes,
      `${host}.capture.json`,
      'application/json',
    );

    await step(97, 'linking the parts');
    await db.transaction(async (tx) => {
      const parts: [CapturePart, string | undefined][] = [
        ['record', recordItem.id],
        ['response', response.id],
        ['screenshot', screenshot?.id],
        ['pdf', pdf?.id],
      ];
      for (const [part, itemId] of parts) {
        if (!itemId) continue;
        await tx.query('INSERT INTO evidence_capture_items (capture_id, item_id, part) VALUES ($1, $2, $3)', [
          jobId,
          itemId,
          part,
        ]);
      }
      await appendCustody(tx, [
        {
          actorId: author.userId,
          actorLabel: author.label,
          action: 'capture',
          itemId: recordItem.id,
          details: {
            captureId: jobId,
            url: fetched.requestedUrl,
            finalUrl: fetched.finalUrl,
            fetchedAt: fetched.startedAt,
            httpStatus: fetched.status,
            parts: Object.fromEntries(parts.filter(([, id]) => id)),
            rendered: renderedFacts.rendered,
          },
        },
      ]);
      await tx.query(
        `UPDATE evidence_captures SET status = 'succeeded', progress = 100, stage = 'done', rendered = $2,
           render_note = $3, updated_at = now(), finished_at = now() WHERE id = $1`,
        [jobId, renderedFacts.rendered === true, 'unavailable' in rendering ? rendering.unavailable : null],
      );
    });
    onProgress(100, 'done');
  } catch (error) {
    const message = (error as Error).message || String(error);
    await db
      .query(
        `UPDATE evidence_captures SET status = 'failed', stage = 'failed', error = $2, updated_at = now(),
           finished_at = now() WHERE id = $1`,
        [jobId, message],
      )
      .catch(() => {});
    onProgress(100, `failed: ${message}`);
  }
  return (await findCapture(db, jobId))!;
}

// ---------------------------------------------------------------------------------------------------
// The API's entry points

/** Queues a capture for the API: role and situation checked, URL checked before anything is stored. */
export async function requestCapture(
  ctx: CaptureContext,
  actor: Actor,
  slug: string,
  input: { url: string; incidentId?: string },
): Promise<{ job: CaptureJob; author: Author }> {
  const situation = await getSituation(ctx.vault.db, actor, slug);
  requirePermission(actor, 'evidence.write');
  const author = authorOf(actor);
  return { job: await createCaptureJob(ctx, situation, author, input), author };
}

export async function getCapture(db: Database, actor: Actor, slug: string, id: string): Promise<CaptureJob> {
  const situation = await getSituation(db, actor, slug);
  requirePermission(actor, 'evidence.write');
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
  const situation = await getSituation(db, actor, slug);
  requirePermission(actor, 'evidence.write');
  const rows = await db.query<JobRow>(
    `${JOB_SELECT} WHERE c.situation_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT $2`,
    [situation.id, limit],
  );
  return rows.map(jobFromRow);
}

/** Runs capture jobs one at a time in this process (chromium is heavy); close() waits for them. */
export class CaptureRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(private readonly ctx: CaptureContext) {}

  enqueue(jobId: string, author: Author): void {
    this.pending++;
    this.queue = this.queue
      .then(() => runCapture(this.ctx, jobId, author))
      .catch(() => {})
      .finally(() => {
        this.pending--;
      });
  }

  get running(): number {
    return this.pending;
  }

  async close(): Promise<void> {
    await this.queue;
  }
}
