// Worker-thread entry for reading JSON Lines in parallel (parallel-read.ts): loads the TypeScript sources
// through tsx, as analysis-thread.mjs does, then parses the jobs it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serveJsonLineParsing } = await import('./parallel-read.ts');
if (parentPort) serveJsonLineParsing(parentPort, workerData.features);
