// Benchmark: campaigns (issue 7). On each database, with the bundled US directory loaded and Vigil
// listening on 127.0.0.1:
// 1. the petition endpoint under an open-loop load of 500 signatures per second (a load generator in a
//    child process, keep-alive connections), 5 % of them repeats of an earlier address: latency, the rate
//    achieved, and then the check that none was lost or doubled (every address has one signature, every
//    confirmation link confirms, the count equals the addresses); confirmation e-mails are queued in the
//    outbox, not sent inline. The load generator is a child process (`--client`), the server this one;
// 2. the same endpoint closed-loop (32 requests in flight) to find its ceiling;
// 3. directory searches over HTTP (committee, state + district, name, party; 200 each): latency.
//   node --import tsx bench/campaigns.ts [--db pglite|postgres|both] [--rate 500] [--seconds 10] [--port 4140]

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiToken, createUser } from '../src/auth/service.ts';
import { migrate } from '../src/db/migrate.ts';
import { openPglite } from '../src/db/pglite.ts';
import { openPostgres } from '../src/db/postgres.ts';
import type { Database } from '../src/db/types.ts';
import { loadUsDirectory } from '../src/officials/service.ts';
import { buildApp } from '../src/server/app.ts';
import { insertSituation } from '../src/situations/service.ts';
import { createPostgresDatabase } from '../test/support/db.ts';

interface LoadJob {
  port: number;
  /** Requests per second (open loop), or 0 for closed loop with `inFlight` requests. */
  rate: number;
  total: number;
  inFlight: number;
  prefix: string;
  repeatShare: number;
}
interface LoadResult {
  latencies: number[];
  statuses: Record<string, number>;
  elapsedMs: number;
  emails: string[];
}

function post(agent: Agent, port: number, path: string, body: unknown): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(-1));
    req.end(payload);
  });
}

/** The load generator (worker thread): signs with distinct addresses, some repeated. */
async function runLoad(job: LoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const emails: string[] = [];
  for (let i = 0; i < job.total; i++) {
    // Every 20th request repeats an address already sent.
    const repeat = i > 20 && i % Math.round(1 / job.repeatShare) === 0;
    emails.push(repeat ? emails[i - 17]! : `${job.prefix}${i}@example.org`);
  }
  const one = async (i: number) => {
    const t = performance.now();
    const status = await post(agent, job.port, '/api/v1/campaigns/bench-petition/signatures', {
      email: emails[i],
      givenName: 'Bench',
      region: 'WA',
    });
    latencies.push(performance.now() - t);
    statuses[status] = (statuses[status] ?? 0) + 1;
  };
  const started = performance.now();
  if (job.rate > 0) {
    const pending: Promise<void>[] = [];
    for (let i = 0; i < job.total; i++) {
      const due = started + (i * 1000) / job.rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(one(i));
    }
    await Promise.all(pending);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: job.inFlight }, async () => {
        while (next < job.total) await one(next++);
      }),
    );
  }
  agent.destroy();
  return { latencies, statuses, elapsedMs: performance.now() - started, emails };
}

/** Runs the load generator in its own process (its own core), so it does not share the server's event loop. */
function load(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--client', JSON.stringify(job)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as LoadResult)
        : reject(new Error(`load generator exited ${code}`)),
    );
  });
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const ms = (n: number) => n.toFixed(1);

async function main() {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
  };
  const RATE = Number(arg('rate', '500'));
  const SECONDS = Number(arg('seconds', '10'));
  const PORT = Number(arg('port', '4140'));
  const kinds = arg('db', 'both') === 'both' ? ['postgres', 'pglite'] : [arg('db', 'both')];
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`,
  );
  for (const kind of kinds) await benchOne(kind, RATE, SECONDS, PORT);
}

async function benchOne(kind: string, rate: number, seconds: number, port: number) {
  let db: Database;
  let cleanup: () => Promise<void>;
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-campaigns-'));
    db = await openPglite(join(dir, 'pglite'));
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const created = await createPostgresDatabase();
    db = await openPostgres(created.url);
    cleanup = () => created.drop();
  }
  await migrate(db);
  await loadUsDirectory(db);
  await insertSituation(db, { slug: 'bench', name: 'Bench', startsOn: '2022-12-12', visibility: 'public' });
  await createUser(db, {
    email: 'organiser@bench.test',
    password: 'a bench password 123',
    role: 'organiser',
  });
  const token = (await createApiToken(db, 'organiser@bench.test', 'bench')).token;
  // The rate limits are set for the benchmark (one client sends everything).
  const app = await buildApp({
    db,
    cookieSecure: false,
    logger: false,
    webDist: null,
    rateLimit: 10_000_000,
    petitionRateLimit: 10_000_000,
  });
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/situations/bench/campaigns',
    headers: { authorization: `Bearer ${token}` },
    payload: { slug: 'bench-petition', title: 'Bench', ask: 'hold', petitionText: 'We ask.' },
  });
  if (created.statusCode !== 201) throw new Error(created.body);
  await app.listen({ host: '127.0.0.1', port });
  console.log(`\n### ${kind}\n`);

  const total = rate * seconds;
  const open = await load({ port, rate, total, inFlight: 0, prefix: 'open', repeatShare: 0.05 });
  report(`open loop, ${rate}/s for ${seconds} s (${total} requests)`, open);
  await checkNoneLostOrDoubled(db, app, open.emails);

  const closed = await load({
    port,
    rate: 0,
    total: 3000,
    inFlight: 32,
    prefix: 'closed',
    repeatShare: 0.05,
  });
  report('closed loop, 32 in flight (3000 requests)', closed);
  await checkNoneLostOrDoubled(db, app, [...open.emails, ...closed.emails]);

  await searches(port);
  await app.close();
  await db.close();
  await cleanup();
}

function report(what: string, r: LoadResult) {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const ok = r.statuses['202'] ?? 0;
  console.log(
    `${what}: ${((ok * 1000) / r.elapsedMs).toFixed(0)} accepted/s over ${(r.elapsedMs / 1000).toFixed(2)} s; ` +
      `statuses ${JSON.stringify(r.statuses)}; latency p50 ${ms(pct(sorted, 0.5))} ms, p95 ${ms(pct(sorted, 0.95))} ms, ` +
      `p99 ${ms(pct(sorted, 0.99))} ms, max ${ms(sorted[sorted.length - 1] ?? 0)} ms`,
  );
}

/** Every address has exactly one signature; every queued link confirms; the count is the addresses. */
async function checkNoneLostOrDoubled(
  db: Database,
  app: Awaited<ReturnType<typeof buildApp>>,
  emails: string[],
) {
  const unique = new Set(emails);
  const [rows] = await db.query<{ signatures: number; supporters: number; mails: number }>(
    `SELECT (SELECT count(*)::integer FROM petition_signatures) AS signatures,
       (SELECT count(DISTINCT supporter_id)::integer FROM petition_signatures) AS supporters,
       (SELECT count(*)::integer FROM campaign_outbox WHERE kind = 'petition-confirmation' AND sent_at IS NULL) AS mails`,
  );
  const bodies = await db.query<{ to_address: string; body: string }>(
    `SELECT DISTINCT ON (to_address) to_address, body FROM campaign_outbox WHERE kind = 'petition-confirmation'
     ORDER BY to_address, created_at DESC`,
  );
  let confirmed = 0;
  const t = performance.now();
  for (const b of bodies) {
    const token = /Confirmation code \(if the link does not open\): (\S+)/.exec(b.body)![1]!;
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/petition-confirmations',
      payload: { token },
    });
    if (res.statusCode === 200) confirmed++;
  }
  const confirmMs = performance.now() - t;
  const count = (
    await app.inject({ method: 'GET', url: '/api/v1/campaigns/bench-petition/signature-count' })
  ).json().signatureCount as number;
  const lost = unique.size - (rows?.signatures ?? 0);
  console.log(
    `check: ${unique.size} addresses sent → ${rows?.signatures} signatures (${lost} lost, ` +
      `${(rows?.signatures ?? 0) - (rows?.supporters ?? 0)} doubled), ${rows?.mails} confirmation e-mails queued, ` +
      `${confirmed} confirmed through their link (${ms(confirmMs / Math.max(1, bodies.length))} ms each), public count ${count}` +
      (count === unique.size && lost === 0 ? ' — none lost, none doubled' : ' — MISMATCH'),
  );
  if (count !== unique.size || lost !== 0) process.exitCode = 1;
}

async function searches(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) =>
    new Promise<void>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`)),
        );
      })
        .on('error', reject)
        .end();
    });
  const queries = [
    '/api/v1/officials?committee=SSFR',
    '/api/v1/officials?state=WA&district=7',
    '/api/v1/officials?q=cantwell',
    '/api/v1/officials?chamber=senate&party=D&limit=100',
    '/api/v1/officials',
  ];
  for (const q of queries) {
    for (let i = 0; i < 10; i++) await get(q); // warm-up
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await get(q);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(
      `search ${q.replace('/api/v1/officials', '') || '(first page)'}: p50 ${ms(pct(times, 0.5))} ms, p95 ${ms(pct(times, 0.95))} ms, max ${ms(times[times.length - 1]!)} ms`,
    );
  }
  agent.destroy();
}

const clientArg = process.argv.indexOf('--client');
if (clientArg > 0) {
  const result = await runLoad(JSON.parse(process.argv[clientArg + 1]!) as LoadJob);
  process.stdout.write(JSON.stringify(result));
} else {
  await main();
}
