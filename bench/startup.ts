// Benchmark: cold start of `vigil serve` (new embedded database, migrations, scenario import) and warm
// restart, and the scenario import alone on PGlite and on PostgreSQL. Prints a Markdown table.
//   node --import tsx bench/startup.ts [--runs N]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../src/db/migrate.ts';
import { openPglite } from '../src/db/pglite.ts';
import { openPostgres } from '../src/db/postgres.ts';
import type { Database } from '../src/db/types.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../src/scenario/service.ts';
import { createPostgresDatabase } from '../test/support/db.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const BIN = new URL('../bin/vigil.js', import.meta.url).pathname;

/** Milliseconds from spawning `vigil serve` to its "listening" line. */
function timeServe(env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...process.env, PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk;
      if (out.includes('Vigil listening on')) {
        const ms = performance.now() - started;
        child.once('exit', () => resolve(ms));
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      if (!out.includes('Vigil listening on')) reject(new Error(`serve exited ${code}: ${out}`));
    });
  });
}

async function timeImport(open: () => Promise<{ db: Database; drop: () => Promise<void> }>): Promise<number> {
  const { db, drop } = await open();
  try {
    await migrate(db);
    const started = performance.now();
    await importScenario(db, BUILT_IN_SCENARIO);
    return performance.now() - started;
  } finally {
    await drop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: [string, number[]][] = [];

const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  try {
    cold.push(await timeServe({ VIGIL_DATA_DIR: dir }));
    warm.push(await timeServe({ VIGIL_DATA_DIR: dir }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
rows.push(['cold start, embedded (new database + migrations + scenario import), to listening', cold]);
rows.push(['restart, embedded (existing database), to listening', warm]);

const pgColdRuns: number[] = [];
for (let i = 0; i < runs; i++) {
  const database = await createPostgresDatabase();
  try {
    pgColdRuns.push(await timeServe({ DATABASE_URL: database.url }));
  } finally {
    await database.drop();
  }
}
rows.push([
  'cold start, PostgreSQL (empty database + migrations + scenario import), to listening',
  pgColdRuns,
]);

const pgliteImport: number[] = [];
const postgresImport: number[] = [];
for (let i = 0; i < runs; i++) {
  pgliteImport.push(
    await timeImport(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
      const db = await openPglite(dir);
      const drop = async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      };
      return { db, drop };
    }),
  );
  postgresImport.push(
    await timeImport(async () => {
      const database = await createPostgresDatabase();
      const db = await openPostgres(database.url);
      const drop = async () => {
        await db.close();
        await database.drop();
      };
      return { db, drop };
    }),
  );
}
rows.push(['scenario import (67 incidents, 65 supplies, 47 measures), PGlite', pgliteImport]);
rows.push(['scenario import, PostgreSQL 15 on 127.0.0.1', postgresImport]);

console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${runs} runs each, median (min–max) in ms\n`,
);
console.log('| what | median ms | min–max ms |\n| --- | ---: | ---: |');
for (const [what, xs] of rows) {
  console.log(
    `| ${what} | ${Math.round(median(xs))} | ${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))} |`,
  );
}
