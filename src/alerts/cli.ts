// `vigil replay <situation>` (what Vigil would have raised, day by day, optionally paced with --speed) and
// `vigil alerts evaluate|deliver|digest`.
import cliProgress from 'cli-progress';
import { type Command, Option } from 'commander';
import { terminalActor, withDatabase } from '../cli/context.ts';
import type { Database } from '../db/types.ts';
import { ValidationError } from '../lib/errors.ts';
import { deliverDue, deliveryOptionsFromEnv } from './delivery.ts';
import { addDays, type ReplayRow, type ReplayStep } from './evaluate.ts';
import {
  evaluateSituation,
  prepareReplay,
  queueDigests,
  type ReplayResult,
  replaySteps,
  sortReplayRows,
} from './service.ts';

export type { ReplayResult };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function dateOption(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && !DATE.test(value)) throw ValidationError.field(name, 'must be YYYY-MM-DD');
  return value;
}

function speedOption(value: string | undefined): number | null {
  if (value === undefined) return null;
  const speed = Number(value);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 100_000) {
    throw ValidationError.field('speed', 'must be a number of days per second, more than 0 (e.g. 7 or 0.5)');
  }
  return speed;
}

export interface ReplayPacing {
  /** Days per second; null or absent: as fast as it computes. */
  speed?: number | null;
  /** Called after each day (the CLI draws its progress and prints what was raised). */
  onStep?: (step: ReplayStep) => void;
  /** How to wait (tests count the waits instead of waiting). */
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Re-runs a situation's history day by day with a rule set ('default' or the situation's own rules). */
export async function runReplay(
  db: Database,
  slug: string,
  options: { from?: string; to?: string; rules?: 'default' | 'situation' } = {},
  pacing: ReplayPacing = {},
): Promise<ReplayResult> {
  const { inputs, ...prepared } = await prepareReplay(db, terminalActor('admin'), slug, options);
  const rows = new Map<string, ReplayRow>();
  const sleep = pacing.sleep ?? sleepFor;
  const started = Date.now();
  for (const step of replaySteps(prepared.rules, inputs, prepared.from, prepared.to, rows)) {
    pacing.onStep?.(step);
    if (pacing.speed) {
      // Paced against the start, so slow days do not add up: day n is shown at n / speed seconds.
      const due = started + (step.index * 1000) / pacing.speed;
      await sleep(Math.max(0, due - Date.now()));
    }
  }
  return { ...prepared, alerts: sortReplayRows(rows.values()) };
}

/** Progress on a terminal: a bar with the day and the alerts so far, and each alert printed as it is raised. */
function terminalProgress(stream: NodeJS.WriteStream): (step: ReplayStep) => void {
  const bar = new cliProgress.SingleBar(
    { format: 'replay [{bar}] {day} | day {value}/{total} | {alerts} alerts', stream, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let alerts = 0;
  let started = false;
  return (step) => {
    if (!started) {
      bar.start(step.days, 0, { day: step.day, alerts });
      started = true;
    }
    for (const row of step.raised) {
      alerts++;
      // Printed above the bar: the moment each alert would have reached people.
      stream.write(`\r\x1b[2K${row.firedOn}  ${row.severity.padEnd(8)}  ${row.ruleName}: ${row.title}\n`);
    }
    bar.update(step.index, { day: step.day, alerts });
    if (step.index === step.days) bar.stop();
  };
}

export function formatReplay(result: ReplayResult): string {
  const header = ['raised', 'severity', 'rule', 'held until', 'days raised', 'what'];
  const rows = result.alerts.map((a) => [
    a.firedOn,
    a.severity,
    a.ruleName,
    a.endedOn ? addDays(a.endedOn, -1) : `${a.lastHeldOn}${a.lastHeldOn >= result.to ? '+' : ''}`,
    String(a.daysHeld),
    `${a.title} [${a.evidence.join(', ')}]`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 5 ? 0 : r[i]!.length))));
  const line = (r: string[]) => r.map((c, i) => (i === 5 ? c : c.padEnd(widths[i]!))).join('  ');
  return [
    `Replay of ${result.situationSlug}, ${result.from} to ${result.to}, ${result.rules.length} rules: ${result.alerts.length} alerts`,
    'Dated by the days the data covers (a period total counts from its first day, not from its report).',
    '',
    line(header),
    ...rows.map(line),
    '',
  ].join('\n');
}

export function registerAlertCommands(program: Command): void {
  program
    .command('replay')
    .description('re-run a situation day by day with a rule set and print the alerts Vigil would have raised')
    .argument('<situation>', 'situation slug, e.g. nagorno-karabakh-2022-23')
    .option('--from <date>', 'first day (default: the situation start)')
    .option('--to <date>', 'last day (default: the situation end, or today)')
    .addOption(
      new Option('--rules <set>', "'default' (the built-in set) or 'situation' (its enabled rules)")
        .choices(['default', 'situation'])
        .default('default'),
    )
    .option('--speed <days>', 'pace the replay: this many days per second (default: as fast as it computes)')
    .option('--json', 'print JSON instead of a table')
    .action(
      async (
        slug: string,
        opts: { from?: string; to?: string; rules: 'default' | 'situation'; speed?: string; json?: boolean },
      ) => {
        const speed = speedOption(opts.speed);
        // Progress goes to the terminal (stderr) only when someone watches it; the table or JSON to stdout.
        const onStep = process.stderr.isTTY && !opts.json ? terminalProgress(process.stderr) : undefined;
        const result = await withDatabase((db) =>
          runReplay(
            db,
            slug,
            { from: dateOption(opts.from, 'from'), to: dateOption(opts.to, 'to'), rules: opts.rules },
            { speed, ...(onStep ? { onStep } : {}) },
          ),
        );
        process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatReplay(result));
      },
    );

  const alerts = program.command('alerts').description('evaluate alert rules and deliver alerts');
  alerts
    .command('evaluate')
    .description(
      "evaluate a situation's enabled rules, open/update/resolve alerts and queue their deliveries",
    )
    .argument('<situation>', 'situation slug')
    .option('--as-of <date>', 'evaluate as of this day (default today)')
    .action(async (slug: string, opts: { asOf?: string }) => {
      const result = await withDatabase((db) => evaluateSituation(db, slug, dateOption(opts.asOf, 'as-of')));
      console.log(
        `${result.opened.length} opened, ${result.updated.length} updated, ${result.resolved.length} resolved`,
      );
    });
  alerts
    .command('digest')
    .description('queue the daily digests of the days that are over (UTC); `deliver` sends them')
    .option('--today <date>', 'treat this day as today (default: today, UTC)')
    .action(async (opts: { today?: string }) => {
      const queued = await withDatabase((db) => queueDigests(db, dateOption(opts.today, 'today')));
      console.log(`${queued} digests queued`);
    });
  alerts
    .command('deliver')
    .description('send the due deliveries of the outbox once (VIGIL_SMTP_URL for e-mail)')
    .action(async () => {
      const report = await withDatabase((db) => deliverDue(db, deliveryOptionsFromEnv()));
      console.log(
        `${report.claimed} claimed: ${report.done} sent, ${report.retried} to retry, ${report.dead} dead`,
      );
    });
}
