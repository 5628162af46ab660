// Benchmark: alert evaluation and webhook delivery (issue 9). Data generated at each run, never committed.
// 1. 1,000 rules of the eight kinds evaluated over a year of generated signals (the pure evaluator), as of the
//    year's last day, and the day-by-day replay of 100 of them over the year.
// 2. 10,000 webhook deliveries (100 alerts × 100 subscriptions) from the outbox to a local receiver.
//   node --import tsx bench/alerts.ts [--db pglite|postgres|both] [--rules 1000] [--deliveries 10000]
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { deliverDue, deliveryCounts } from '../src/alerts/delivery.ts';
import { type AlertInputs, addDays, evaluateRule, replay } from '../src/alerts/evaluate.ts';
import type { RuleSpec } from '../src/alerts/schema.ts';
import { createRule, createSubscription, enqueueDeliveries } from '../src/alerts/service.ts';
import type { Actor } from '../src/auth/permissions.ts';
import { createUser } from '../src/auth/service.ts';
import { migrate } from '../src/db/migrate.ts';
import { openPglite } from '../src/db/pglite.ts';
import { openPostgres } from '../src/db/postgres.ts';
import type { Database } from '../src/db/types.ts';
import type { LifelineSignal } from '../src/lifeline/signals.ts';
import { insertSituation } from '../src/situations/service.ts';
import { createPostgresDatabase } from '../test/support/db.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const RULES = Number(arg('rules', '1000'));
const DELIVERIES = Number(arg('deliveries', '10000'));
const KINDS = arg('db', 'both') === 'both' ? ['postgres', 'pglite'] : [arg('db', 'both')];
const START = '2023-01-01';
const END = addDays(START, 364);
const CATEGORIES = Array.from({ length: 10 }, (_, i) => `cat-${i}`);

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

function generateInputs(): AlertInputs {
  const signal = (
    kind: LifelineSignal['kind'],
    startsOn: string,
    endsOn: string | null,
    subject: string,
    value: number,
  ) =>
    ({
      kind,
      situationSlug: 'bench',
      startsOn,
      endsOn,
      value,
      threshold: null,
      unit: 'days',
      subject,
      message: kind,
      evidence: [{ ref: `ref-${startsOn}`, sources: [] }],
    }) satisfies LifelineSignal;
  const thresholds = [0.1, 0.25, 0.5, 0.75];
  const coverageRuns = thresholds.map((threshold) => ({
    threshold,
    signals: Array.from({ length: 20 }, (_, i) =>
      signal(
        'coverage-below',
        addDays(START, i * 18),
        addDays(START, i * 18 + Math.floor(random() * 17)),
        'cargo',
        threshold / 2,
      ),
    ),
  }));
  const lifeline: LifelineSignal[] = [];
  for (let i = 0; i < 30; i++) {
    const start = addDays(START, i * 12);
    lifeline.push(signal('closure-started', start, addDays(start, 5), `route-${i % 3}`, 6));
    for (const u of ['gas', 'electricity', 'internet'])
      lifeline.push(signal('utility-cut', start, addDays(start, 10), u, 11));
  }
  const incidents = [];
  for (let d = 0; d < 365; d++) {
    for (const category of CATEGORIES) {
      const n = random() < 0.03 ? 12 : Math.floor(random() * 4);
      for (let k = 0; k < n; k++)
        incidents.push({
          id: `i-${d}-${category}-${k}`,
          category,
          date: addDays(START, d),
          title: 't',
          sources: [],
        });
    }
  }
  const statusChanges = Array.from({ length: 500 }, (_, i) => ({
    id: `c-${i}`,
    measureId: `m-${i % 50}`,
    measureTitle: `Measure ${i % 50}`,
    category: 'sanction',
    status: ['introduced', 'adopted', 'in_force'][i % 3]!,
    date: addDays(START, Math.floor(random() * 365)),
    sources: [],
  }));
  // A coordination run a week, each finding 20 communities (half of them found again the next week).
  const communities = [];
  for (let w = 0; w < 52; w++) {
    for (let c = 0; c < 20; c++) {
      const id = c < 10 && w > 0 ? `${w - 1}-${c}` : `${w}-${c}`;
      communities.push({
        id: `com-${w}-${c}`,
        runId: `run-${w}`,
        number: c + 1,
        label: `community ${c + 1}`,
        size: 5 + Math.floor(random() * 60),
        flaggedAccounts: Math.floor(random() * 20),
        detectedOn: addDays(START, w * 7),
        accounts: Array.from({ length: 8 }, (_, k) => `acct-${id}-${k}`),
      });
    }
  }
  const levels = ['unknown', 'absent', 'present', 'strongly-present'];
  const assessments = Array.from({ length: 24 }, (_, i) => ({
    id: `as-${i}`,
    assessedOn: addDays(START, i * 15),
    title: `Assessment ${i}`,
    factors: Array.from({ length: 14 }, (_, f) => ({
      factor: f + 1,
      title: `Factor ${f + 1}`,
      level: levels[Math.floor(random() * 4)]!,
    })),
  }));
  const reports = Array.from({ length: 500 }, (_, i) => {
    const receivedOn = addDays(START, Math.floor(random() * 365));
    return {
      id: `rep-${i}`,
      receivedOn,
      decidedOn: random() < 0.8 ? addDays(receivedOn, Math.floor(random() * 10)) : null,
    };
  });
  return { coverageRuns, lifeline, incidents, statusChanges, communities, assessments, reports };
}

function generateRules(n: number): RuleSpec[] {
  const rules: RuleSpec[] = [];
  for (let i = 0; i < n; i++) {
    const base = { id: `r-${i}`, name: `rule ${i}`, severity: 'warning' as const };
    switch (i % 8) {
      case 0:
        rules.push({
          ...base,
          kind: 'lifeline.coverage_below',
          parameters: { threshold: [0.1, 0.25, 0.5, 0.75][i % 4]!, minDays: 1 + (i % 10) },
        });
        break;
      case 1:
        rules.push({
          ...base,
          kind: 'lifeline.utility_cut',
          parameters: {
            utility: (['gas', 'electricity', 'internet'] as const)[i % 3]!,
            minDays: 1 + (i % 10),
          },
        });
        break;
      case 2:
        rules.push({ ...base, kind: 'lifeline.full_closure', parameters: {} });
        break;
      case 3:
        rules.push({
          ...base,
          kind: 'incidents.spike',
          parameters: { category: CATEGORIES[i % 10]!, factor: 2 + (i % 3), minCount: 3 },
        });
        break;
      case 4:
        rules.push({
          ...base,
          kind: 'measure.status_change',
          parameters: i % 2 ? { statuses: ['adopted'] } : {},
        });
        break;
      case 5:
        rules.push({ ...base, kind: 'coordination.community', parameters: { minSize: 10 + (i % 40) } });
        break;
      case 6:
        rules.push({ ...base, kind: 'risk.factor_change', parameters: { change: i % 2 ? 'rise' : 'any' } });
        break;
      default:
        rules.push({ ...base, kind: 'reports.pending', parameters: { waitingDays: i % 5 } });
    }
  }
  return rules;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function evaluationBench() {
  const inputs = generateInputs();
  const rules = generateRules(RULES);
  const runs: number[] = [];
  let episodes = 0;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    episodes = 0;
    for (const rule of rules) episodes += evaluateRule(rule, inputs, END).length;
    runs.push(performance.now() - t);
  }
  const t = performance.now();
  const rows = replay(rules.slice(0, 100), inputs, START, END);
  const replayMs = performance.now() - t;
  console.log(
    `| evaluation | ${RULES} rules as of ${END} (${inputs.incidents.length} incidents, ${episodes} episodes), 5 runs | ${Math.round(median(runs))} | ${Math.round(Math.min(...runs))}–${Math.round(Math.max(...runs))} |`,
  );
  console.log(
    `| evaluation | replay of 100 rules day by day over 365 days (${rows.length} alerts), 1 run | ${Math.round(replayMs)} | – |`,
  );
}

async function deliveryBench(kind: string) {
  let db: Database;
  let cleanup: () => Promise<void>;
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-alerts-'));
    db = await openPglite(join(dir, 'pglite'));
    cleanup = async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const created = await createPostgresDatabase();
    db = await openPostgres(created.url);
    cleanup = async () => {
      await db.close();
      await created.drop();
    };
  }
  await migrate(db);
  const keys = new Set<string>();
  let requests = 0;
  const receiver = createServer((req, res) => {
    requests++;
    keys.add(String(req.headers['idempotency-key']));
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    const situation = await insertSituation(db, {
      slug: 'bench-alerts',
      name: 'Bench',
      startsOn: START,
      visibility: 'public',
    } as never);
    const user = await createUser(db, {
      email: 'bench@example.org',
      password: 'a long enough password',
      role: 'analyst',
    });
    const actor: Actor = {
      kind: 'user',
      user: { id: user.id, email: user.email, role: 'analyst' },
      via: 'token',
    };
    const rule = await createRule(db, actor, 'bench-alerts', {
      name: 'b',
      kind: 'lifeline.full_closure',
      parameters: {},
      severity: 'critical',
    });
    const subs = 100;
    const alerts = Math.ceil(DELIVERIES / subs);
    for (let i = 0; i < subs; i++)
      await createSubscription(
        db,
        actor,
        { situationSlug: 'bench-alerts', channel: 'webhook', target: url },
        { allowPrivate: true }, // the receiver is on the loopback address
      );
    const tQueue = performance.now();
    for (let a = 0; a < alerts; a++) {
      await db.transaction(async (tx) => {
        const [row] = await tx.query<{ id: string }>(
          `INSERT INTO alerts (rule_id, situation_id, episode_key, severity, title, message, starts_on, fired_on, last_held_on)
           VALUES ($1, $2, $3, 'critical', 't', 'm', $4, $4, $4) RETURNING id`,
          [rule.id, situation.id, `k-${a}`, START],
        );
        await enqueueDeliveries(tx, row!.id, 'opened');
      });
    }
    const queueMs = performance.now() - tQueue;
    const t = performance.now();
    let passes = 0;
    while ((await deliverDue(db, { batchSize: 200, webhookAllowPrivate: true })).claimed > 0) passes++;
    const sendMs = performance.now() - t;
    const counts = await deliveryCounts(db);
    const label = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
    console.log(
      `| ${label} | queueing ${alerts * subs} deliveries (${alerts} alerts × ${subs} subscriptions) | ${Math.round(queueMs)} | – |`,
    );
    console.log(
      `| ${label} | sending them to a local webhook receiver (${passes} passes of ≤ 200; ${counts.done} done, ${keys.size} distinct keys received, ${requests} requests, ${counts.pending + counts.dead} lost or dead) | ${Math.round(sendMs)} | – |`,
    );
  } finally {
    receiver.close();
    await cleanup();
  }
}

console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}\n`,
);
console.log('| database | what | median ms | min–max ms |');
console.log('| --- | --- | ---: | ---: |');
await evaluationBench();
for (const kind of KINDS) await deliveryBench(kind);
