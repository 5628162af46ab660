// Worker-thread entry for a model run of the web app (jobs.ts): loads the TypeScript sources through tsx,
// as worker.mjs does, runs the job, and reports progress, the result or the error to the server thread.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runModelJob } = await import('./job.ts');
try {
  const result = await runModelJob(workerData.csv, workerData.options, workerData.workers, (progress) =>
    parentPort.postMessage({ kind: 'progress', progress }),
  );
  parentPort.postMessage({ kind: 'done', result });
} catch (error) {
  const fields = Array.isArray(error?.errors) ? error.errors : [];
  parentPort.postMessage({
    kind: 'error',
    message: error instanceof Error ? error.message : String(error),
    field: fields[0]?.field ?? null,
    expected: typeof error?.status === 'number' && error.status < 500,
  });
}
