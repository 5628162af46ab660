// `vigil replay <situation>` (what Vigil would have raised, day by day) and `vigil alerts evaluate|deliver`.
import { type Command, Option } from 'commander';
import { terminalActor, withDatabase } from '../cli/context.ts';
import type { Database } from '../db/types.ts';
import { ValidationError } from '../lib/errors.ts';
import { getSituation } from '../situations/service.ts';
import { deliverDue, deliveryOptionsFromEnv } from './delivery.ts';
import { addDays, type ReplayRow, replay } from './evaluate.ts';
import type { RuleSpec } from './schema.ts';
import { defaultRuleSpecs, evaluateSituation, listRules, loadInputs, toSpec } from './service.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function dateOption(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && !DATE.test(value)) throw ValidationError.field(name, 'must be YYYY-MM-DD');
  return value;
}

export interface ReplayResult {
  situationSlug: string;
  from: string;
  to: string;
  rules: RuleSpec[];
  alerts: ReplayRow[];
}

/** Re-runs a situation's history day by day with a rule set ('default' or the situation's own rules). */
export async function runReplay(
  db: Database,
  slug: string,
  options: { from?: string; to?: string; rules?: 'default' | 'situation' } = {},
): Promise<ReplayResult> {
  const actor = terminalActor('admin');
  const situation = await getSituation(db, actor, slug);
  const from = options.from ?? situation.startsOn;
  const to = options.to ?? situation.endsOn ?? new Date().toISOString().slice(0, 10);
  if (to < from) throw ValidationError.field('to', 'must not be before from');
  const rules =
    options.rules === 'situation'
      ? (await listRules(db, actor, slug)).filter((r) => r.enabled).map(toSpec)
      : defaultRuleSpecs();
  const inputs = await loadInputs(db, slug, rules);
  return { situationSlug: slug, from, to, rules, alerts: replay(rules, inputs, from, to) };
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
    .option('--json', 'print JSON instead of a table')
    .action(
      async (
        slug: string,
        opts: { from?: string; to?: string; rules: 'default' | 'situation'; json?: boolean },
      ) => {
        const result = await withDatabase((db) =>
          runReplay(db, slug, {
            from: dateOption(opts.from, 'from'),
            to: dateOption(opts.to, 'to'),
            rules: opts.rules,
          }),
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
    .command('deliver')
    .description('send the due deliveries of the outbox once (VIGIL_SMTP_URL for e-mail)')
    .action(async () => {
      const report = await withDatabase((db) => deliverDue(db, deliveryOptionsFromEnv()));
      console.log(
        `${report.claimed} claimed: ${report.done} sent, ${report.retried} to retry, ${report.dead} dead`,
      );
    });
}
