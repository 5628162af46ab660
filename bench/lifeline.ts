// Benchmark: lifeline metrics and the chart series over generated data (never committed): N days of daily
// observations on R routes (default 3,650 × 1,000 = 3.65 M rows) plus a few period totals that overlap
// daily rows (so reconciliation has work to do). Prints a Markdown table.
//   node --import tsx bench/lifeline.ts [--db pglite|postgres|both] [--days 3650] [--routes 1000] [--runs 3]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { ANONYMOUS } from '../src/auth/permissions.ts';
import { migrate } from '../src/db/migrate.ts';
import { openPglite } from '../src/db/pglite.ts';
import { openPostgres } from '../src/db/postgres.ts';
import type { Database } from '../src/db/types.ts';
import { addDays } from '../src/lifeline/metrics.ts';
import { computeMetrics, insertNeedsModel, insertObservation } from '../src/lifeline/service.ts';
import { insertSituation } from '../src/situations/service.ts';
import { buildTestApp } from '../test/support/app.ts';
import { createPostgresDatabase } from '../test/support/db.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const DAYS = Number(arg('days', '3650'));
const ROUTES = Number(arg('routes', '1000'));
const RUNS = Number(arg('runs', '3'));
const KINDS = arg('db', 'both') === 'both' ? ['postgres', 'pglite'] : [arg('db', 'both')];
const START = '2014-01-01';
const END = addDays(START, DAYS - 1);
const SLUG = 'bench-lifeline';

async function generate(db: Database): Promise<{ rows: number; loadMs: number }> {
  const started = performance.now();
  await migrate(db);
  const situation = await insertSituation(db, {
    slug: SLUG,
    name: 'Benchmark lifeline',
    startsOn: START,
    endsOn: END,
    visibility: 'public',
  });
  await insertNeedsModel(db, situation.id, {
    ref: 'bench-need',
    commodity: 'cargo',
    model: 'baseline-rate',
    rate: ROUTES * 10,
    rateHigh: null,
    unit: 't/day',
    validFrom: null,
    validTo: null,
    selected: true,
    label: 'generated baseline',
    assumptions: 'generated',
    derivedFrom: [],
    sources: [{ url: 'https://example.org/bench', outlet: null }],
  });
  // Bulk load without the secondary indexes, then build them once (much faster than row by row).
  const indexes = await db.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'lifeline_observations' AND indexname LIKE '%\\_idx'`,
  );
  for (const i of indexes) await db.exec(`DROP INDEX ${i.indexname}`);
  // One year at a time keeps each statement's memory bounded.
  for (let offset = 0; offset < DAYS; offset += 365) {
    const from = addDays(START, offset);
    const to = addDays(START, Math.min(offset + 364, DAYS - 1));
    await db.query(
      `INSERT INTO lifeline_observations (situation_id, period_start, period_end, route, commodity, quantity, unit,
         quantity_given, unit_given, carriers, direction, outcome, confidence, sources)
       SELECT $1, d::date, d::date, 'route-' || r, (ARRAY['food','fuel','medicine','goods'])[1 + r % 4],
         ((r * 7 + extract(doy FROM d)::int) % 13)::float8, 't', ((r * 7 + extract(doy FROM d)::int) % 13)::float8,
         't', ARRAY['carrier-' || (r % 5)], 'in', 'delivered', 'medium', '[{"url":"https://example.org/bench"}]'::jsonb
       FROM generate_series($2::date, $3::date, interval '1 day') d, generate_series(1, $4::int) r`,
      [situation.id, from, to, ROUTES],
    );
  }
  for (const i of indexes) await db.exec(i.indexdef);
  // Period totals that overlap daily rows of their route: written through the service, which marks the overlap.
  await db.transaction(async (tx) => {
    for (let i = 0; i < 50; i++) {
      const from = addDays(START, (i * 73) % Math.max(1, DAYS - 31));
      await insertObservation(tx, situation.id, {
        ref: `bench-period-${i}`,
        derivedFrom: [],
        periodStart: from,
        periodEnd: addDays(from, 29),
        route: `route-${i + 1}`,
        commodity: 'cargo',
        quantity: 300,
        unit: 't',
        quantityGiven: 300,
        unitGiven: 't',
        conversion: null,
        qualifier: null,
        carriers: [],
        direction: 'in',
        outcome: 'delivered',
        confidence: 'high',
        statedExpected: null,
        reportedOn: null,
        note: 'generated period total',
        sources: [{ url: 'https://example.org/bench-period', outlet: null }],
      });
    }
  });
  await db.exec('VACUUM ANALYZE lifeline_observations');
  const [count] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM lifeline_observations');
  return { rows: count!.n, loadMs: performance.now() - started };
}

async function time(runs: number, work: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await work();
    out.push(performance.now() - t);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cell = (xs: number[]) =>
  `${Math.round(median(xs))} | ${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;

const rows: string[] = [];
for (const kind of KINDS) {
  let db: Database;
  let drop: () => Promise<void>;
  if (kind === 'postgres') {
    const created = await createPostgresDatabase();
    db = await openPostgres(created.url);
    drop = async () => {
      await db.close();
      await created.drop();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-lifeline-'));
    db = await openPglite(dir);
    drop = async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  try {
    console.error(`… ${kind}: generating ${DAYS} days × ${ROUTES} routes`);
    const { rows: n, loadMs } = await generate(db);
    console.error(`… ${kind}: ${n} rows in ${Math.round(loadMs / 1000)} s; measuring`);
    const whole = await time(RUNS, async () => {
      const m = await computeMetrics(db, ANONYMOUS, SLUG, {});
      if (!(m.delivered.total > 0)) throw new Error('no deliveries computed');
    });
    const app = await buildTestApp(db, { rateLimit: 1_000_000 });
    const twoYears = `/api/v1/situations/${SLUG}/lifeline/series?from=${addDays(END, -729)}&to=${END}`;
    await app.inject({ url: twoYears }); // warm the route's serializer
    const chart = await time(Math.max(RUNS, 5), async () => {
      const res = await app.inject({ url: twoYears });
      if (res.statusCode !== 200) throw new Error(res.body);
    });
    await app.close();
    rows.push(
      `| ${kind} | metrics, whole period (${DAYS} days, ${n.toLocaleString('en-GB')} rows) | ${cell(whole)} |`,
    );
    rows.push(
      `| ${kind} | chart endpoint \`GET …/lifeline/series\`, 2-year range (730 days) | ${cell(chart)} |`,
    );
    rows.push(`| ${kind} | generating and loading the data (once) | ${Math.round(loadMs)} | – |`);
  } finally {
    await drop();
  }
}

console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ` +
    `${DAYS} days × ${ROUTES} routes + 50 overlapping period totals; ${RUNS} runs (chart: ${Math.max(RUNS, 5)}), median (min–max) in ms\n`,
);
console.log('| database | what | median ms | min–max ms |\n| --- | --- | ---: | ---: |');
for (const r of rows) console.log(r);
