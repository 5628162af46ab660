// Worker-thread entry for a coordination run (analysis-thread.ts): loads the TypeScript sources through
// tsx, as src/risk/model/job-worker.mjs does, then analyses the run's posts.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serveAnalysis } = await import('./analysis-thread.ts');
if (parentPort) await serveAnalysis(parentPort, workerData);
