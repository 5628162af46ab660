// Worker-thread entry for parallel backtests (parallel.ts): loads the TypeScript sources through tsx,
// as bin/vigil.js does, then serves forecast years.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serveYears } = await import('./parallel.ts');
if (parentPort) await serveYears(parentPort, workerData);
