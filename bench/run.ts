// `npm run bench [-- NAME…]`: runs the named benchmarks (default: all), each as its own process.
import { spawnSync } from 'node:child_process';

const BENCHMARKS: Record<string, string[]> = {
  startup: ['bench/startup.ts'],
  coordination: ['bench/coordination/run.ts'],
  lifeline: ['bench/lifeline.ts'],
  evidence: ['bench/evidence.ts'],
  response: ['bench/response.ts'],
  risk: ['bench/risk.ts'],
  alerts: ['bench/alerts.ts'],
  campaigns: ['bench/campaigns.ts'],
};
const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of names.length ? names : Object.keys(BENCHMARKS)) {
  const args = BENCHMARKS[name];
  if (!args) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n## ${name}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', ...args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
