#!/usr/bin/env node
// Runs the whole suite with node:test (its summary is what CI reads).
// Test files: src/**/*.test.ts and test/**/*.test.ts; pass paths or substrings to run a subset:
//   npm test -- src/auth          npm test -- incidents
// Before the run it prepares a migrated PGlite template folder once (test/support/prepare-template.ts),
// because creating a PGlite database costs seconds; tests copy that folder instead.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = ['src', 'test']
  .flatMap((dir) => readdirSync(join(root, dir), { recursive: true }).map((f) => join(dir, String(f))))
  .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const prep = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/prepare-template.ts'], {
  cwd: root,
  stdio: 'inherit',
});
if (prep.status !== 0) process.exit(prep.status ?? 1);
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, VIGIL_TEST: '1' } },
);
process.exit(run.status ?? 1);
