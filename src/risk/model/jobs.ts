// The model in the product: panels uploaded by analysts (checked as they stream in, kept whole) and model
// runs that execute as background jobs in a worker thread (job-worker.mjs), one at a time per server
// process. A run's status, progress and results live in the database (0012_risk_model_runs.sql), so a
// reload shows them and a run whose process died is reported as interrupted, never left "running".
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { parse } from 'csv-parse';
import { type Actor, requirePermission } from '../../auth/permissions.ts';
import type { Database, Queryable } from '../../db/types.ts';
import { authorOf } from '../../evidence/incidents.ts';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import type { JobProgress, ModelJobOptions, ModelJobResult } from './job.ts';
import { defaultWorkers } from './parallel.ts';
import type { PanelInfo, Run, RunCreate, RunHead } from './schema.ts';
import { DEFAULT_TRAIN } from './train.ts';

/** The largest panel accepted: real country-year panels are a few MB. */
export const DEFAULT_MAX_PANEL_BYTES = 64 * 1024 * 1024;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LEASE = "interval '2 minutes'";
const HEARTBEAT_MS = 30_000;

export class PanelTooLargeError extends AppError {
  constructor(limit: number) {
    super(
      413,
      'Payload too large',
      `the panel is larger than the limit of ${limit} bytes; nothing was stored`,
    );
  }
}

interface PanelRow {
  id: string;
  file_name: string;
  bytes: number;
  sha256: string;
  columns: string[];
  row_count: number;
  created_by_label: string;
  created_at: Date;
}

const PANEL_COLUMNS = 'id, file_name, bytes, sha256, columns, row_count, created_by_label, created_at';

function panelFromRow(r: PanelRow): PanelInfo {
  return {
    id: r.id,
    fileName: r.file_name,
    bytes: r.bytes,
    sha256: r.sha256,
    columns: r.columns,
    rows: r.row_count,
    createdBy: r.created_by_label,
    createdAt: r.created_at.toISOString(),
  };
}

/**
 * Reads an uploaded panel as it streams in: size limit, SHA-256, and CSV checks (a header of unique, named
 * columns; the same number of fields on every row). Stores it whole, or nothing (400/413 naming the fault).
 */
export async function storePanel(
  db: Database,
  actor: Actor,
  input: { stream: Readable; fileName: string; maxBytes: number },
): Promise<PanelInfo> {
  const user = requirePermission(actor, 'analysis.run');
  const chunks: Buffer[] = [];
  const hash = createHash('sha256');
  let bytes = 0;
  let header: string[] | null = null;
  let rows = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > input.maxBytes) return done(new PanelTooLargeError(input.maxBytes));
      hash.update(chunk);
      chunks.push(chunk);
      done(null, chunk);
    },
  });
  const records = new Writable({
    objectMode: true,
    write(record: string[], _enc, done) {
      if (header === null) {
        const seen = new Set<string>();
        for (const [i, name] of record.entries()) {
          if (name === '')
            return done(ValidationError.field('file', `column ${i + 1} of the header has no name`));
          if (seen.has(name))
            return done(ValidationError.field('file', `column '${name}' appears twice in the header`));
          seen.add(name);
        }
        header = record;
      } else rows++;
      done();
    },
  });
  try {
    await pipeline(input.stream, tap, parse({ bom: true, skip_empty_lines: true, trim: true }), records);
  } catch (err) {
    if (err instanceof AppError) throw err;
    const e = err as Error & { code?: string; lines?: number };
    throw ValidationError.field('file', `not a well-formed CSV file: ${e.message}`);
  }
  // @fastify/multipart stops a file at its size limit and marks the stream truncated.
  if ((input.stream as { truncated?: boolean }).truncated) throw new PanelTooLargeError(input.maxBytes);
  if (bytes === 0 || header === null) throw ValidationError.field('file', 'the file is empty');
  if (rows === 0) throw ValidationError.field('file', 'the file has a header but no rows');
  let content: string;
  try {
    content = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw ValidationError.field('file', 'the file is not UTF-8 text');
  }
  const [row] = await db.query<PanelRow>(
    `INSERT INTO risk_model_panels (file_name, bytes, sha256, columns, row_count, content, created_by, created_by_label)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${PANEL_COLUMNS}`,
    [
      input.fileName.slice(0, 300) || 'panel.csv',
      bytes,
      hash.digest('hex'),
      header,
      rows,
      content,
      user.id,
      authorOf(actor).label,
    ],
  );
  return panelFromRow(row!);
}

export async function listPanels(db: Queryable, actor: Actor): Promise<PanelInfo[]> {
  requirePermission(actor, 'analysis.run');
  const rows = await db.query<PanelRow>(
    `SELECT ${PANEL_COLUMNS} FROM risk_model_panels ORDER BY created_at DESC LIMIT 100`,
  );
  return rows.map(panelFromRow);
}

async function findPanel(db: Queryable, id: string, field = 'panelId'): Promise<PanelRow> {
  const [row] = UUID_RE.test(id)
    ? await db.query<PanelRow>(`SELECT ${PANEL_COLUMNS} FROM risk_model_panels WHERE id = $1`, [id])
    : [];
  if (!row) {
    if (field === 'id') throw new NotFoundError(`panel ${id}`);
    throw ValidationError.field(field, `no uploaded panel ${id}`);
  }
  return row;
}

export async function getPanel(db: Queryable, actor: Actor, id: string): Promise<PanelInfo> {
  requirePermission(actor, 'analysis.run');
  return panelFromRow(await findPanel(db, id, 'id'));
}

/** Fills in the defaults and checks the options against the panel's header; names the field at fault. */
export function runOptions(input: RunCreate, columns: string[]): ModelJobOptions {
  const has = new Set(columns);
  const list = columns.join(', ');
  for (const field of ['unit', 'time', 'outcome'] as const) {
    if (!has.has(input[field])) {
      throw ValidationError.field(
        field,
        `the panel has no column '${input[field]}'; its columns are: ${list}`,
      );
    }
  }
  if (new Set([input.unit, input.time, input.outcome]).size < 3) {
    throw ValidationError.field(
      'outcome',
      'the unit, time and outcome columns must be three different columns',
    );
  }
  const exclude = input.exclude ?? [];
  for (const [i, c] of exclude.entries()) {
    if (!has.has(c)) throw ValidationError.field(`exclude.${i}`, `the panel has no column '${c}'`);
  }
  const predictors = columns.filter((c) => ![input.unit, input.time, input.outcome, ...exclude].includes(c));
  if (predictors.length === 0) throw ValidationError.field('exclude', 'no predictor column is left');
  const backtest = input.backtest ?? null;
  const forecast =
    input.forecast === undefined ? { at: null } : input.forecast && { at: input.forecast.at ?? null };
  if (!backtest && !forecast)
    throw ValidationError.field('backtest', 'ask for a backtest, a forecast or both');
  if (backtest && backtest.from > backtest.to) {
    throw ValidationError.field(
      'backtest.to',
      `must not be before the first forecast year (${backtest.from})`,
    );
  }
  return {
    unit: input.unit,
    time: input.time,
    outcome: input.outcome,
    exclude,
    horizon: input.horizon ?? DEFAULT_TRAIN.horizon,
    folds: input.folds ?? DEFAULT_TRAIN.folds,
    missing: input.missing ?? DEFAULT_TRAIN.policy,
    models: input.models ?? [...DEFAULT_TRAIN.models],
    rounds: input.rounds ?? 200,
    seed: input.seed ?? DEFAULT_TRAIN.seed,
    backtest,
    forecast,
  };
}

interface RunRow {
  id: string;
  panel_id: string;
  file_name: string;
  status: RunHead['status'];
  options: ModelJobOptions;
  progress: RunHead['progress'];
  error: string | null;
  error_field: string | null;
  /** ModelJobResult without its two CSV files (kept in their own columns). */
  result: Run['result'];
  created_by_label: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const RUN_SELECT = `SELECT r.id, r.panel_id, p.file_name, r.status, r.options, r.progress, r.error, r.error_field,
  r.created_by_label, r.created_at, r.started_at, r.finished_at`;

function headFromRow(r: RunRow): RunHead {
  return {
    id: r.id,
    panel: { id: r.panel_id, fileName: r.file_name },
    status: r.status,
    options: r.options,
    progress: r.progress,
    error: r.error,
    errorField: r.error_field,
    createdBy: r.created_by_label,
    createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

/** Queues a run; the runner picks it up. Answers at once with the queued run. */
export async function createRun(db: Database, actor: Actor, input: RunCreate): Promise<Run> {
  const user = requirePermission(actor, 'analysis.run');
  const panel = await findPanel(db, input.panelId);
  const options = runOptions(input, panel.columns);
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO risk_model_runs (panel_id, options, progress, created_by, created_by_label)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [
      panel.id,
      JSON.stringify(options),
      JSON.stringify({ phase: 'queued', done: 0, total: 1, message: 'waiting for the runner' }),
      user.id,
      authorOf(actor).label,
    ],
  );
  return loadRun(db, row!.id);
}

async function loadRun(db: Queryable, id: string): Promise<Run> {
  const [row] = UUID_RE.test(id)
    ? await db.query<RunRow>(
        `${RUN_SELECT}, r.result FROM risk_model_runs r JOIN risk_model_panels p ON p.id = r.panel_id WHERE r.id = $1`,
        [id],
      )
    : [];
  if (!row) throw new NotFoundError(`model run ${id}`);
  return { ...headFromRow(row), result: row.result };
}

export async function getRun(db: Queryable, actor: Actor, id: string): Promise<Run> {
  requirePermission(actor, 'analysis.run');
  return loadRun(db, id);
}

export async function listRuns(db: Queryable, actor: Actor, limit = 50): Promise<RunHead[]> {
  requirePermission(actor, 'analysis.run');
  const rows = await db.query<RunRow>(
    `${RUN_SELECT} FROM risk_model_runs r JOIN risk_model_panels p ON p.id = r.panel_id
     ORDER BY r.created_at DESC, r.id LIMIT $1`,
    [limit],
  );
  return rows.map(headFromRow);
}

/** A finished run's download: forecasts.csv (backtest), ranking.csv (forecast) or metrics.json. */
export async function runDownload(
  db: Queryable,
  actor: Actor,
  id: string,
  kind: 'forecasts.csv' | 'ranking.csv' | 'metrics.json',
): Promise<string> {
  requirePermission(actor, 'analysis.run');
  const run = await loadRun(db, id);
  if (run.status !== 'succeeded' || !run.result) {
    throw new NotFoundError(`${kind} of model run ${id} (the run is ${run.status})`);
  }
  if (kind === 'metrics.json') {
    const bt = run.result.backtest;
    if (!bt) throw new NotFoundError(`metrics.json of model run ${id} (it ran no backtest)`);
    return `${JSON.stringify({ ...bt.metrics, options: run.options, perYear: bt.perYear }, null, 2)}\n`;
  }
  const column = kind === 'forecasts.csv' ? 'forecasts_csv' : 'ranking_csv';
  const [row] = await db.query<{ text: string | null }>(
    `SELECT ${column} AS text FROM risk_model_runs WHERE id = $1`,
    [run.id],
  );
  if (!row?.text) {
    throw new NotFoundError(
      `${kind} of model run ${id} (it ran no ${kind === 'forecasts.csv' ? 'backtest' : 'forecast'})`,
    );
  }
  return row.text;
}

type WorkerMessage =
  | { kind: 'progress'; progress: JobProgress }
  | { kind: 'done'; result: ModelJobResult }
  | { kind: 'error'; message: string; field: string | null; expected: boolean };

/**
 * Runs queued model runs one after another in a worker thread. `kick()` after queueing; `recover()` at
 * start reports runs whose process died as interrupted; `close()` stops a run in progress (recorded as
 * interrupted, never left running).
 */
export class ModelRunner {
  private loop: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private worker: Worker | null = null;
  private current: string | null = null;

  constructor(
    private readonly db: Database,
    private readonly workers: number = defaultWorkers(),
    private readonly log: (msg: string, err?: unknown) => void = () => {},
  ) {}

  async recover(): Promise<number> {
    const rows = await this.db.query(
      `UPDATE risk_model_runs SET status = 'failed', finished_at = now(), lease_until = NULL,
         error = 'interrupted: the server running it stopped; start the run again'
       WHERE status = 'running' AND (lease_until IS NULL OR lease_until < now()) RETURNING id`,
    );
    return rows.length;
  }

  kick(): void {
    if (this.closed) return;
    if (this.loop) {
      this.again = true;
      return;
    }
    this.loop = (async () => {
      do {
        this.again = false;
        for (;;) {
          if (this.closed) return;
          const id = await this.claim();
          if (!id) break;
          await this.execute(id);
        }
      } while (this.again && !this.closed);
    })()
      .catch((err) => this.log('model runner failed', err))
      .finally(() => {
        this.loop = null;
      });
  }

  /** Waits until no run is in progress (tests). */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private async claim(): Promise<string | null> {
    const [row] = await this.db.query<{ id: string }>(
      `UPDATE risk_model_runs SET status = 'running', started_at = now(), lease_until = now() + ${LEASE}
       WHERE id = (SELECT id FROM risk_model_runs WHERE status = 'queued' ORDER BY created_at, id LIMIT 1
                   FOR UPDATE SKIP LOCKED)
       RETURNING id`,
    );
    return row?.id ?? null;
  }

  private async execute(id: string): Promise<void> {
    const [run] = await this.db.query<{ options: ModelJobOptions; content: string }>(
      `SELECT r.options, p.content FROM risk_model_runs r JOIN risk_model_panels p ON p.id = r.panel_id WHERE r.id = $1`,
      [id],
    );
    if (!run) return;
    this.current = id;
    let writes = Promise.resolve();
    const write = (sql: string, params: unknown[]) => {
      writes = writes
        .then(() => this.db.query(sql, params).then(() => {}))
        .catch((e) => this.log('model run update failed', e));
      return writes;
    };
    const heartbeat = setInterval(() => {
      void write(
        `UPDATE risk_model_runs SET lease_until = now() + ${LEASE} WHERE id = $1 AND status = 'running'`,
        [id],
      );
    }, HEARTBEAT_MS);
    heartbeat.unref();
    try {
      const outcome = await new Promise<WorkerMessage & { kind: 'done' | 'error' }>((resolve) => {
        const worker = new Worker(new URL('./job-worker.mjs', import.meta.url), {
          workerData: { csv: run.content, options: run.options, workers: this.workers },
        });
        this.worker = worker;
        let settled = false;
        const settle = (m: WorkerMessage & { kind: 'done' | 'error' }) => {
          if (settled) return;
          settled = true;
          resolve(m);
        };
        worker.on('message', (m: WorkerMessage) => {
          if (m.kind === 'progress') {
            void write(
              `UPDATE risk_model_runs SET progress = $2, lease_until = now() + ${LEASE} WHERE id = $1 AND status = 'running'`,
              [id, JSON.stringify(m.progress)],
            );
          } else settle(m);
        });
        worker.on('error', (err) =>
          settle({ kind: 'error', message: err.message, field: null, expected: false }),
        );
        worker.on('exit', (code) =>
          settle({
            kind: 'error',
            message: this.closed
              ? 'interrupted: the server stopped while the run was in progress; start the run again'
              : `the model worker stopped unexpectedly (exit code ${code})`,
            field: null,
            expected: false,
          }),
        );
      });
      await writes;
      if (outcome.kind === 'done') {
        const { forecastsCsv, rankingCsv, ...result } = outcome.result;
        await this.db.query(
          `UPDATE risk_model_runs SET status = 'succeeded', finished_at = now(), lease_until = NULL, result = $2,
             forecasts_csv = $3, ranking_csv = $4,
             progress = jsonb_build_object('phase', 'done', 'done', (progress->>'total')::int,
               'total', (progress->>'total')::int, 'message', 'done')
           WHERE id = $1`,
          [id, JSON.stringify(result), forecastsCsv, rankingCsv],
        );
      } else {
        if (!outcome.expected) this.log(`model run ${id} failed: ${outcome.message}`);
        await this.db.query(
          `UPDATE risk_model_runs SET status = 'failed', finished_at = now(), lease_until = NULL, error = $2,
             error_field = $3 WHERE id = $1`,
          [id, outcome.message, outcome.field],
        );
      }
    } finally {
      clearInterval(heartbeat);
      this.worker = null;
      this.current = null;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.worker) await this.worker.terminate();
    await this.idle();
  }

  get running(): string | null {
    return this.current;
  }
}
