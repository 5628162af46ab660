// Backtest years in worker threads (one per core by default): the years are independent, each worker
// gets the panel once and then one year at a time, latest (largest) years first. Results do not depend
// on the number of workers: every year's seed is derived from the base seed and the year.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../lib/errors.ts';
import type { YearOutcome, YearRunner } from './backtest.ts';
import { inProcess } from './backtest.ts';

export function defaultWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

type Message = { kind: 'done'; outcome: YearOutcome } | { kind: 'error'; message: string; name: string };

export function workerRunner(workers: number): YearRunner {
  if (workers <= 1) return inProcess;
  return (panel, years, opts, onDone) =>
    new Promise<void>((resolve, reject) => {
      const queue = [...years].sort((a, b) => b - a);
      const pool: Worker[] = [];
      let pending = years.length;
      let failed = false;
      const finish = (err?: Error): void => {
        if (failed) return;
        if (err) failed = true;
        for (const w of pool) void w.terminate();
        if (err) reject(err);
        else resolve();
      };
      if (pending === 0) return resolve();
      for (let k = 0; k < Math.min(workers, years.length); k++) {
        const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
          workerData: { panel, opts },
        });
        pool.push(worker);
        const next = (): void => {
          const t = queue.shift();
          if (t !== undefined) worker.postMessage(t);
        };
        worker.on('message', (m: Message) => {
          if (m.kind === 'error') {
            // Errors the user can act on (bad panel, no convergence) keep their message and kind.
            finish(
              m.name === 'AppError' ? new AppError(422, 'Backtest failed', m.message) : new Error(m.message),
            );
            return;
          }
          onDone(m.outcome);
          pending--;
          if (pending === 0) finish();
          else next();
        });
        worker.on('error', (err) => finish(err));
        next();
      }
    });
}

/** Worker side: answers each year number with its outcome. */
export async function serveYears(
  port: import('node:worker_threads').MessagePort,
  data: { panel: Parameters<YearRunner>[0]; opts: Parameters<YearRunner>[2] },
): Promise<void> {
  const { prepare } = await import('./design.ts');
  const { backtestYear } = await import('./backtest.ts');
  const prep = prepare(data.panel, data.opts.policy);
  port.on('message', (t: number) => {
    try {
      port.postMessage({
        kind: 'done',
        outcome: backtestYear(data.panel, prep, t, data.opts),
      } satisfies Message);
    } catch (err) {
      const e = err as Error;
      port.postMessage({
        kind: 'error',
        message: e.message,
        name: e instanceof AppError ? 'AppError' : e.name,
      } satisfies Message);
    }
  });
}
