// A run's analysis in a worker thread (analysis-thread.mjs), so that `vigil serve` keeps answering requests
// while the engine computes. The worker reads the run's posts page by page: from its own connection on
// PostgreSQL, or, on the embedded database (which one process cannot open twice), from pages the main
// thread reads and sends on request, one page ahead at most. It reports progress, builds the output files,
// and hands the result back; the main thread stores it. Terminating the worker cancels the analysis.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MessagePort, Worker } from 'node:worker_threads';
import type { Queryable } from '../db/types.ts';
import { type AnalysisResult, analyze, iterableSource, type PostSource } from './engine.ts';
import { fileText, outputFiles } from './output.ts';
import { type PostCursor, type PostPage, pagedPosts, readPostPage } from './store.ts';
import type { AnalysisOptions, ProgressPhase } from './types.ts';

/** Posts per page sent from the main thread (small, so that reading one holds the embedded database briefly). */
const STREAMED_PAGE = 2000;

export interface AnalysisInput {
  situationId: string;
  /** The run sees the posts of imports finished by then. */
  snapshot: Date;
  /** The source named in the run's summary. */
  label: string;
  options: AnalysisOptions;
  /** Posts the run will see (for progress). */
  total: number;
  /** PostgreSQL: the worker opens its own connection. Null: the main thread sends the posts. */
  databaseUrl: string | null;
  /** Where the run's temporary directory is made (default: the system's temporary directory). */
  tempParent?: string;
}

export interface AnalysisOutput {
  result: AnalysisResult;
  /** The run's files, as `vigil analyze coordination` writes them: [name, content]. */
  files: [string, string][];
}

type ToMain =
  | { kind: 'progress'; phase: ProgressPhase; done: number; total: number }
  | { kind: 'page'; request: number; after: PostCursor | null }
  | { kind: 'done'; output: AnalysisOutput }
  | { kind: 'error'; message: string };

type ToWorker =
  | { kind: 'page'; request: number; page: PostPage }
  | { kind: 'page-error'; request: number; message: string };

export class AnalysisCancelled extends Error {
  constructor() {
    super('the analysis was cancelled');
  }
}

/** The files of a run. */
export function resultFiles(result: AnalysisResult): [string, string][] {
  return outputFiles(result).map(([name, make]) => [name, fileText(make())]);
}

/**
 * Main thread: runs the analysis in a worker and resolves with its result. `db` answers the worker's page
 * requests when it has no connection of its own. Aborting `signal` terminates the worker and rejects with
 * AnalysisCancelled.
 */
export function analyzeInThread(
  db: Queryable,
  input: AnalysisInput,
  onProgress: (phase: ProgressPhase, done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<AnalysisOutput> {
  return new Promise<AnalysisOutput>((resolve, reject) => {
    if (signal?.aborted) return reject(new AnalysisCancelled());
    // The run's temporary files live in a directory of its own, removed here however the worker ends:
    // a terminated worker runs no cleanup of its own.
    let workDir: string;
    try {
      workDir = mkdtempSync(join(input.tempParent ?? tmpdir(), 'vigil-coord-run-'));
    } catch (error) {
      return reject(
        new Error(
          `cannot create the analysis's temporary directory (${(error as Error).message}); set TMPDIR to a writable directory`,
        ),
      );
    }
    const workerData: AnalysisInput & { workDir: string } = { ...input, workDir };
    const worker = new Worker(new URL('./analysis-thread.mjs', import.meta.url), { workerData });
    let settled = false;
    const settle = (done: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', cancel);
      void worker
        .terminate()
        .catch(() => 0)
        .finally(() => rmSync(workDir, { recursive: true, force: true }));
      done();
    };
    const cancel = (): void => settle(() => reject(new AnalysisCancelled()));
    signal?.addEventListener('abort', cancel, { once: true });
    const answer = (message: ToWorker): void => {
      if (!settled) worker.postMessage(message);
    };
    worker.on('message', (m: ToMain) => {
      if (m.kind === 'progress') onProgress(m.phase, m.done, m.total);
      else if (m.kind === 'page') {
        readPostPage(db, input.situationId, input.snapshot, m.after, STREAMED_PAGE).then(
          (page) => answer({ kind: 'page', request: m.request, page }),
          (error: unknown) =>
            answer({
              kind: 'page-error',
              request: m.request,
              message: error instanceof Error ? error.message : String(error),
            }),
        );
      } else if (m.kind === 'done') settle(() => resolve(m.output));
      else settle(() => reject(new Error(m.message)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`the analysis worker stopped unexpectedly (exit code ${code})`))),
    );
  });
}

/** Worker thread: reads the posts, analyses them, and posts the result (or the error) back. */
export async function serveAnalysis(
  port: MessagePort,
  input: AnalysisInput & { workDir?: string },
): Promise<void> {
  const send = (message: ToMain): void => port.postMessage(message);
  let close: (() => Promise<void>) | null = null;
  let listener: ((m: ToWorker) => void) | null = null;
  try {
    let fetchPage: (after: PostCursor | null) => Promise<PostPage>;
    if (input.databaseUrl) {
      const { openPostgres } = await import('../db/postgres.ts');
      const own = await openPostgres(input.databaseUrl, 1);
      close = () => own.close();
      fetchPage = (after) => readPostPage(own, input.situationId, input.snapshot, after);
    } else {
      const waiting = new Map<number, { resolve: (page: PostPage) => void; reject: (e: Error) => void }>();
      let nextRequest = 0;
      listener = (m: ToWorker) => {
        const request = waiting.get(m.request);
        if (!request) return;
        waiting.delete(m.request);
        if (m.kind === 'page') request.resolve(m.page);
        else request.reject(new Error(m.message));
      };
      port.on('message', listener);
      fetchPage = (after) =>
        new Promise<PostPage>((resolve, reject) => {
          const request = nextRequest++;
          waiting.set(request, { resolve, reject });
          send({ kind: 'page', request, after });
        });
    }
    const inner = iterableSource(() => pagedPosts(fetchPage), input.total);
    const source: PostSource = {
      async scan(onPost, onScanProgress, selectRecord) {
        const read = await inner.scan(onPost, onScanProgress, selectRecord);
        return { ...read, files: [input.label] };
      },
    };
    const result = await analyze(
      source,
      input.options,
      (phase, done, total) => send({ kind: 'progress', phase, done, total }),
      input.workDir,
    );
    send({ kind: 'progress', phase: 'write', done: 0, total: 1 });
    send({ kind: 'done', output: { result, files: resultFiles(result) } });
  } catch (error) {
    send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  } finally {
    // Nothing left to keep the thread alive: it ends.
    if (listener) port.off('message', listener);
    await close?.().catch(() => {});
  }
}
