// Analysis runs as database-backed jobs: a run is queued, a worker claims it with a lease, reports
// progress (which renews the lease), and stores its results in one transaction. A worker that dies leaves
// its lease to expire; another worker (or the same process after a restart) takes the run up again.
// The analysis itself runs in a worker thread (analysis-thread.ts): the server keeps answering meanwhile,
// and a run whose lease is lost, or a server that stops, terminates it.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database, Queryable } from '../db/types.ts';
import { findSituationById } from '../situations/service.ts';
import { AnalysisCancelled, analyzeInThread } from './analysis-thread.ts';
import type { AnalysisResult } from './engine.ts';
import { carryStances } from './stance-carry.ts';
import { countVisiblePosts } from './store.ts';
import { type AnalysisOptions, BEHAVIOURS, DEFAULT_OPTIONS, type ProgressPhase } from './types.ts';

export interface RunRow {
  id: string;
  situation_id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  options: AnalysisOptions;
  progress: { phase: string; done: number; total: number } | Record<string, never>;
  posts: number | null;
  accounts: number | null;
  flagged_accounts: number | null;
  communities: number | null;
  narratives: number | null;
  error: string | null;
  attempts: number;
  created_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  lease_owner: string | null;
  files: string[] | null;
}

export const RUN_COLUMNS = `r.id, r.situation_id, r.status, r.options, r.progress, r.posts, r.accounts,
  r.flagged_accounts, r.communities, r.narratives, r.error, r.attempts,
  (SELECT email FROM users u WHERE u.id = r.created_by) AS created_by, r.created_at, r.started_at,
  r.finished_at, r.lease_owner,
  (SELECT array_agg(f.name ORDER BY f.name) FROM coordination_run_files f WHERE f.run_id = r.id) AS files`;

export interface JobOptions {
  /** How long a claim lasts without a sign of life (progress or heartbeat). */
  leaseMs?: number;
  /** A run whose worker died this many times is failed rather than started again. */
  maxAttempts?: number;
  /**
   * PostgreSQL's URL, for the analysis thread's own connection. Without it (and always on the embedded
   * database, which cannot be opened twice) this thread reads the posts and sends them over in pages.
   */
  databaseUrl?: string | null;
  /** Aborting it terminates the analysis in progress; the run is left to whoever aborted. */
  signal?: AbortSignal;
  /** Told of every progress report of the analysis (as it arrives from the analysis thread). */
  onProgress?: (phase: ProgressPhase | 'store', done: number, total: number) => void;
  /** Where a run's temporary directory is made (default: the system's temporary directory). */
  tempParent?: string;
}

const DEFAULT_LEASE_MS = 120_000;
const DEFAULT_MAX_ATTEMPTS = 3;

/** A name for this worker: unique per process and start. */
export function workerName(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Claims the oldest queued run, or a running one whose lease has expired (its worker died). Runs that
 * have already been started `maxAttempts` times without finishing are failed instead.
 */
export async function claimRun(
  db: Database,
  owner: string,
  options: JobOptions = {},
): Promise<RunRow | null> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  return db.transaction(async (tx) => {
    await tx.query(
      `UPDATE coordination_runs SET status = 'failed', finished_at = now(), lease_owner = NULL, lease_until = NULL,
         error = 'the analysis stopped without finishing ' || attempts || ' times (worker crashed or ran out of memory)'
       WHERE status = 'running' AND lease_until < clock_timestamp() AND attempts >= $1`,
      [maxAttempts],
    );
    const rows = await tx.query<{ id: string }>(
      `UPDATE coordination_runs SET status = 'running', lease_owner = $1,
         lease_until = clock_timestamp() + $2 * interval '1 millisecond', attempts = attempts + 1,
         started_at = coalesce(started_at, now()), error = NULL,
         progress = '{"phase": "read", "done": 0, "total": 0}'
       WHERE id = (SELECT id FROM coordination_runs
                   WHERE status = 'queued' OR (status = 'running' AND lease_until < clock_timestamp())
                   ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [owner, leaseMs],
    );
    const id = rows[0]?.id;
    if (!id) return null;
    const [run] = await tx.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM coordination_runs r WHERE r.id = $1`, [
      id,
    ]);
    return run ?? null;
  });
}

/** Renews the lease and records progress; false when this worker no longer holds the run. */
async function touch(
  db: Queryable,
  runId: string,
  owner: string,
  leaseMs: number,
  progress: { phase: string; done: number; total: number } | null,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE coordination_runs SET lease_until = clock_timestamp() + $3 * interval '1 millisecond'
       ${progress ? ', progress = $4' : ''}
     WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING 1`,
    progress ? [runId, owner, leaseMs, JSON.stringify(progress)] : [runId, owner, leaseMs],
  );
  return rows.length > 0;
}

/** Runs a claimed run to the end: analysis over the stored posts, then the results in one transaction. */
export async function executeRun(
  db: Database,
  run: RunRow,
  owner: string,
  options: JobOptions = {},
): Promise<void> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  let held = true;
  // Losing the lease stops the analysis at once (its results could no longer be stored).
  const lost = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
  const release = (ok: boolean): void => {
    if (ok || !held) return;
    held = false;
    lost.abort();
  };
  // Progress is written at most twice a second (and at every change of phase); each write renews the lease.
  let last = 0;
  let lastPhase = '';
  let writing: Promise<unknown> = Promise.resolve();
  const report = (phase: ProgressPhase | 'store', done: number, total: number): void => {
    options.onProgress?.(phase, done, total);
    const now = Date.now();
    if (phase === lastPhase && now - last < 500 && done < total) return;
    last = now;
    lastPhase = phase;
    writing = writing
      .then(() => touch(db, run.id, owner, leaseMs, { phase, done, total }))
      .then(release)
      .catch(() => {});
  };
  // Between progress reports (long computations) a heartbeat keeps the lease.
  const heartbeat = setInterval(
    () => {
      writing = writing
        .then(() => touch(db, run.id, owner, leaseMs, null))
        .then(release)
        .catch(() => {});
    },
    Math.max(1000, Math.floor(leaseMs / 3)),
  );
  heartbeat.unref();
  try {
    const situation = await findSituationById(db, run.situation_id);
    if (!situation) throw new Error('the situation of this run no longer exists');
    const { result, files } = await analyzeInThread(
      db,
      {
        situationId: run.situation_id,
        snapshot: run.created_at,
        label: `situation ${situation.slug} (stored posts)`,
        options: run.options,
        total: await countVisiblePosts(db, run.situation_id, run.created_at),
        databaseUrl: db.kind === 'postgres' ? (options.databaseUrl ?? null) : null,
        ...(options.tempParent ? { tempParent: options.tempParent } : {}),
      },
      report,
      signal,
    );
    report('store', 0, 1);
    await writing;
    if (!held) return;
    await storeResults(db, run, owner, result, files);
  } catch (error) {
    await writing;
    // Cancelled: the lease is gone, or whoever stopped the worker gives the run back.
    if (error instanceof AnalysisCancelled) return;
    const message = error instanceof Error ? error.message : String(error);
    await db
      .query(
        `UPDATE coordination_runs SET status = 'failed', error = $3, finished_at = now(), lease_owner = NULL,
           lease_until = NULL WHERE id = $1 AND lease_owner = $2`,
        [run.id, owner, message.slice(0, 2000)],
      )
      .catch(() => {});
  } finally {
    clearInterval(heartbeat);
    await writing;
  }
}

function communityLabel(c: AnalysisResult['communities'][number]): string {
  const tags = c.topHashtags.slice(0, 3).map((h) => `#${h.value}`);
  if (tags.length > 0) return tags.join(' ');
  const link = c.topLinks[0]?.value;
  if (link) return link.slice(0, 120);
  const text = c.topTexts[0]?.value.replace(/\s+/g, ' ').trim();
  if (text) return text.length > 80 ? `${text.slice(0, 79)}…` : text;
  return `Community ${c.id}`;
}

function iso(t: number | null | undefined): string | null {
  return t === null || t === undefined ? null : new Date(t * 1000).toISOString();
}

/** Writes communities, narratives, graph and files of a run, and marks it done, if this worker still holds it. */
async function storeResults(
  db: Database,
  run: RunRow,
  owner: string,
  result: AnalysisResult,
  files: [string, string][],
): Promise<void> {
  const fileContent = (name: string): string => files.find(([n]) => n === name)?.[1] ?? '{}';
  const communitySummaries = (
    JSON.parse(fileContent('communities.json')) as { communities: Record<string, unknown>[] }
  ).communities;
  const narrativeSummaries = (
    JSON.parse(fileContent('narratives.json')) as { narratives: Record<string, unknown>[] }
  ).narratives;
  // When each community was first and last active: from its members' stored posts.
  const seen = new Map<number, { first: Date | null; last: Date | null }>();
  for (const c of result.communities) {
    const [span] = await db.query<{ first: Date | null; last: Date | null }>(
      `SELECT min(p.created_at) AS first, max(p.created_at) AS last FROM coordination_posts p
       JOIN coordination_imports i ON i.id = p.import_id
       WHERE p.situation_id = $1 AND i.status = 'done' AND i.finished_at <= $2 AND p.author = ANY($3)`,
      [run.situation_id, run.created_at, c.accounts.map((a) => a.author)],
    );
    seen.set(c.id, span ?? { first: null, last: null });
  }
  const inGraph = new Set<number>();
  for (const e of result.edges) {
    if (!e.significant) continue;
    inGraph.add(e.a);
    inGraph.add(e.b);
  }
  const flagged = result.accounts.filter((a) => a.flagged).length;

  await db.transaction(async (tx) => {
    const holds = await tx.query(
      `SELECT 1 FROM coordination_runs WHERE id = $1 AND lease_owner = $2 AND status = 'running' FOR UPDATE`,
      [run.id, owner],
    );
    if (holds.length === 0) return;
    for (const table of [
      'coordination_narratives',
      'coordination_communities',
      'coordination_run_files',
      'coordination_accounts',
      'coordination_edges',
    ]) {
      await tx.query(`DELETE FROM ${table} WHERE run_id = $1`, [run.id]);
    }
    const communityIds = new Map<number, string>();
    for (const [index, c] of result.communities.entries()) {
      const span = seen.get(c.id);
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO coordination_communities (run_id, situation_id, number, label, size, flagged_accounts,
           behaviours, summary, first_seen, last_seen)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
          run.id,
          run.situation_id,
          c.id,
          communityLabel(c),
          c.size,
          c.accounts.length,
          BEHAVIOURS.filter((b) => c.behaviours[b].edges > 0),
          JSON.stringify(communitySummaries[index] ?? {}),
          span?.first ?? null,
          span?.last ?? null,
        ],
      );
      communityIds.set(c.id, (row as { id: string }).id);
    }
    for (const [index, n] of result.narratives.entries()) {
      const top = n.communities[0]?.community;
      const label = n.text.replace(/\s+/g, ' ').trim();
      await tx.query(
        `INSERT INTO coordination_narratives (run_id, situation_id, community_id, number, label, post_count,
           account_count, summary, first_seen, last_seen)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          run.id,
          run.situation_id,
          top === undefined ? null : (communityIds.get(top) ?? null),
          n.id,
          label.length > 500 ? `${label.slice(0, 499)}…` : label || `Narrative ${n.id}`,
          n.posts,
          n.accounts,
          JSON.stringify(narrativeSummaries[index] ?? {}),
          iso(n.firstAt),
          iso(n.lastAt),
        ],
      );
    }
    const nodes = result.accounts.filter((a) => inGraph.has(a.index));
    for (let i = 0; i < nodes.length; i += 2000) {
      const chunk = nodes.slice(i, i + 2000).map((a) => ({
        author: a.author,
        author_name: a.authorName,
        community: a.community,
        score: a.score,
        flagged: a.flagged,
        posts: a.posts,
        partners: a.partners,
        reasons: a.reasons,
      }));
      await tx.query(
        `INSERT INTO coordination_accounts (run_id, author, author_name, community, score, flagged, posts, partners, reasons)
         SELECT $1, r.author, r.author_name, r.community, r.score, r.flagged, r.posts, r.partners, r.reasons
         FROM jsonb_to_recordset($2::jsonb) AS r(author text, author_name text, community integer,
           score float8, flagged boolean, posts integer, partners integer, reasons text)`,
        [run.id, JSON.stringify(chunk)],
      );
    }
    const edges = result.edges.filter((e) => e.significant);
    for (let i = 0; i < edges.length; i += 2000) {
      const chunk = edges.slice(i, i + 2000).map((e) => {
        const a = result.accounts[e.a];
        const b = result.accounts[e.b];
        const byBehaviour: Record<string, { observed: number; expected: number }> = {};
        for (const beh of BEHAVIOURS)
          byBehaviour[beh] = { observed: e.observed[beh], expected: e.expected[beh] };
        return {
          source: a?.author,
          target: b?.author,
          community: a && a.community !== null && a.community === b?.community ? a.community : null,
          score: e.score,
          observed: e.observedTotal,
          expected: e.expectedTotal,
          behaviours: e.behaviours,
          by_behaviour: byBehaviour,
        };
      });
      await tx.query(
        `INSERT INTO coordination_edges (run_id, source, target, community, score, observed, expected, behaviours,
           by_behaviour)
         SELECT $1, r.source, r.target, r.community, r.score, r.observed, r.expected, r.behaviours, r.by_behaviour
         FROM jsonb_to_recordset($2::jsonb) AS r(source text, target text, community integer, score float8,
           observed integer, expected float8, behaviours text[], by_behaviour jsonb)`,
        [run.id, JSON.stringify(chunk)],
      );
    }
    await carryStances(
      tx,
      run.situation_id,
      run.id,
      run.options.textSimilarity ?? DEFAULT_OPTIONS.textSimilarity,
    );
    for (const [name, content] of files) {
      await tx.query('INSERT INTO coordination_run_files (run_id, name, content) VALUES ($1, $2, $3)', [
        run.id,
        name,
        content.replaceAll('\u0000', ''),
      ]);
    }
    await tx.query(
      `UPDATE coordination_runs SET status = 'done', finished_at = now(), lease_owner = NULL, lease_until = NULL,
         progress = $2, posts = $3, accounts = $4, flagged_accounts = $5, communities = $6, narratives = $7,
         stats = $8
       WHERE id = $1`,
      [
        run.id,
        JSON.stringify({ phase: 'done', done: 1, total: 1 }),
        result.stats.posts,
        result.stats.accounts,
        flagged,
        result.communities.length,
        result.narratives.length,
        JSON.stringify({ ...result.stats, malformed: result.read.malformed }),
      ],
    );
  });
}

/** Claims and executes one run, if any is waiting; true when one was run. */
export async function runNextJob(db: Database, owner: string, options: JobOptions = {}): Promise<boolean> {
  const run = await claimRun(db, owner, options);
  if (!run) return false;
  await executeRun(db, run, owner, options);
  return true;
}

/**
 * What `vigil serve` runs: a loop that claims runs one at a time. `stop()` terminates the analysis in
 * progress and gives its run back (queued again, so this or another worker starts it afresh).
 */
export function startCoordinationWorker(
  db: Database,
  options: JobOptions & { pollMs?: number; onError?: (error: unknown) => void } = {},
): { stop(): Promise<void> } {
  const owner = workerName();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const stopping = new AbortController();
  const jobOptions: JobOptions = {
    ...options,
    signal: options.signal ? AbortSignal.any([options.signal, stopping.signal]) : stopping.signal,
  };
  const tick = async (): Promise<void> => {
    timer = null;
    try {
      while (!stopped && (await runNextJob(db, owner, jobOptions))) {
        // keep going while runs are waiting
      }
    } catch (error) {
      if (!stopped) options.onError?.(error);
    }
    if (!stopped) timer = setTimeout(() => void tick(), options.pollMs ?? 2000);
  };
  timer = setTimeout(() => void tick(), 0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      // Terminates the analysis thread of the run in progress (if any) before giving the run back.
      stopping.abort();
      await db
        .query(
          `UPDATE coordination_runs SET status = 'queued', lease_owner = NULL, lease_until = NULL,
             attempts = greatest(attempts - 1, 0)
           WHERE lease_owner = $1 AND status = 'running'`,
          [owner],
        )
        .catch(() => {});
    },
  };
}
