// `vigil lifeline …`: the lifeline report, and CSV import/export, run by the operator on the configured database.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { terminalActor, withDatabase } from '../cli/context.ts';
import { ValidationError } from '../lib/errors.ts';
import { parseWith } from '../lib/schema.ts';
import { getSituation } from '../situations/service.ts';
import { observationsToCsv, parseObservationsCsv } from './csv.ts';
import { rederiveLifeline } from './derive.ts';
import { fmt } from './metrics.ts';
import { importObservations, writeRecords } from './records.ts';
import { LifelineRecordsInput } from './schema.ts';
import { computeMetrics, type LifelineMetrics, listObservations } from './service.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function dateOption(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && !DATE.test(value)) throw ValidationError.field(name, 'must be YYYY-MM-DD');
  return value;
}

/** A plain-text report a journalist can read and copy: each figure with where it comes from. */
export function formatReport(m: LifelineMetrics): string {
  const out: string[] = [];
  const src = (sources: { url: string; outlet: string | null }[]) =>
    sources.map((s) => `${s.outlet ?? ''} ${s.url}`.trim()).join('; ');
  out.push(`Lifeline of ${m.situationSlug}, ${m.window.from} to ${m.window.to} (${m.window.days} days)`);
  const d = m.delivered;
  out.push('');
  out.push(
    `Delivered (${d.commodity}, inbound): ${d.lowerBound ? 'at least ' : ''}${fmt(d.total)} ${d.unit}, covering ${d.coveredDays} of ${m.window.days} days`,
  );
  for (const o of d.used)
    out.push(
      `  used ${o.ref ?? o.id}: ${fmt(o.quantity)} ${o.unit}, ${o.periodStart}..${o.periodEnd} — ${src(o.sources)}`,
    );
  if (d.dailyFiguresSummed) out.push(`  plus ${d.dailyFiguresSummed} daily figures summed`);
  for (const n of d.notUsed) out.push(`  not used ${n.ref}: ${n.reason}`);
  for (const c of d.conflicts)
    out.push(
      `  conflicting figures for ${c.periodStart}..${c.periodEnd}: ${c.figures.map((f) => `${f.ref}: ${fmt(f.quantity)} ${f.unit}`).join(' vs ')}; used ${c.used} (${c.why})`,
    );
  if (m.needed && m.needs) {
    out.push(`Needed: ${fmt(m.needed.total)} t (${m.needed.formula})`);
    out.push(`  baseline ${m.needs.ref ?? ''}: ${m.needs.label} — ${src(m.needs.sources)}`);
    out.push(`  assumptions: ${m.needs.assumptions}`);
    for (const a of m.alternativeNeeds)
      out.push(`  alternative ${a.ref ?? ''}: ${a.label} — ${src(a.sources)}`);
  } else out.push('Needed: no needs model is selected');
  for (const s of m.statedComparison) out.push(`  ${s.ref}: ${s.note}`);
  out.push(
    `Coverage: ${m.coverage.percent === null ? 'n/a' : `${m.coverage.percent}%`} (${m.coverage.formula})${m.coverage.complete ? '' : ' — incomplete: not every day has a figure'}`,
  );
  if (m.shortfall.cumulative !== null)
    out.push(`Cumulative shortfall: ${fmt(m.shortfall.cumulative)} t (${m.shortfall.formula})`);
  const l = m.lastDelivery;
  out.push(
    `Last delivery as of ${l.asOf}: ${l.lastOn ? `${l.lastOn} (${l.daysSince} days before, ${l.ref})` : 'none recorded'}${l.caveat ? ` — ${l.caveat}` : ''}`,
  );
  out.push('');
  out.push(
    `Days of full closure: ${m.closure.daysConfirmed}${m.closure.daysUpperBound !== m.closure.daysConfirmed ? ` to ${m.closure.daysUpperBound}` : ''}`,
  );
  for (const i of m.closure.intervals)
    out.push(`  ${i.ref}: ${i.startsOn}..${i.endsOn ?? 'no end reported'}`);
  for (const u of m.utilities) {
    const range =
      u.daysUpperBound !== u.daysConfirmed ? `${u.daysConfirmed}–${u.daysUpperBound}` : `${u.daysConfirmed}`;
    const alt =
      u.daysWithAlternativeEnds !== null ? ` (${u.daysWithAlternativeEnds} with contested end dates)` : '';
    out.push(
      `Days without ${u.kind}: ${range}${alt} from dated intervals (${u.intervals.map((i) => i.ref).join(', ') || 'none'})`,
    );
    for (const s of u.stated)
      out.push(`  stated by ${s.ref}: ${s.days} days in ${s.startsOn}..${s.endsOn} — ${src(s.sources)}`);
    if (u.comparison) out.push(`  ${u.comparison}`);
  }
  for (const f of [...m.otherFlows, ...m.blocked]) {
    out.push(
      `${f.outcome === 'blocked' ? 'Blocked' : 'Flow'} ${f.commodity} (${f.direction}): ${f.lowerBound ? 'at least ' : ''}${fmt(f.total)} ${f.unit}${f.used.length ? ` from ${f.used.map((o) => o.ref).join(', ')}` : ''}`,
    );
    for (const c of f.conflicts)
      out.push(
        `  conflicting: ${c.figures.map((o) => `${o.ref}: ${fmt(o.quantity)} ${o.unit}`).join(' vs ')}; used ${c.used} (${c.why})`,
      );
  }
  for (const s of m.stockOut)
    out.push(
      `Stock-out ${s.commodity} (${s.ref}): ${s.computable ? (s.days === null ? `not falling (${s.formula})` : `${s.days} days, ${s.date} (${s.formula})`) : s.reason}`,
    );
  for (const c of m.caveats) out.push(`Note: ${c}`);
  return `${out.join('\n')}\n`;
}

type Derivation = Awaited<ReturnType<typeof rederiveLifeline>>;

/** What a derivation changed, kind by kind, with the refs. */
export function formatDerivation(d: Derivation): string {
  const out: string[] = [];
  const kinds = ['observations', 'models', 'population', 'disruptions', 'stocks'] as const;
  const names = { models: 'needs models', population: 'population figures' } as Record<string, string>;
  for (const kind of kinds) {
    const c = d[kind];
    const part = (verb: string, refs: string[]) => (refs.length ? `${verb} ${refs.join(', ')}` : '');
    const changes = [part('added', c.added), part('updated', c.updated), part('removed', c.removed)].filter(
      Boolean,
    );
    out.push(
      `${names[kind] ?? kind}: ${changes.length ? `${changes.join('; ')}; ` : ''}${c.unchanged} unchanged`,
    );
  }
  for (const k of d.kept) out.push(`kept ${k.ref}: ${k.reason}`);
  for (const s of d.skipped) out.push(`row ${s.ref} not used: ${s.reason}`);
  out.unshift(
    d.changed
      ? `derived the lifeline of ${d.situationSlug} again from its rows:`
      : `the lifeline of ${d.situationSlug} already matches its rows; nothing changed:`,
  );
  return `${out.join('\n')}\n`;
}

export function registerLifelineCommands(program: Command): void {
  const lifeline = program
    .command('lifeline')
    .description('the lifeline: deliveries against needs, disruptions');

  lifeline
    .command('report')
    .description('delivered against needed, coverage, closures and utility cuts, each figure with its source')
    .requiredOption('--situation <slug>', 'the situation')
    .option('--from <date>', 'first day of the window (default: the situation start)')
    .option('--to <date>', 'last day of the window (default: the situation end)')
    .option('--as-of <date>', 'date for "days since the last delivery" (default: --to)')
    .option('--json', 'print the full result as JSON')
    .action(
      async (opts: { situation: string; from?: string; to?: string; asOf?: string; json?: boolean }) => {
        const query = {
          from: dateOption(opts.from, 'from'),
          to: dateOption(opts.to, 'to'),
          asOf: dateOption(opts.asOf, 'as-of'),
        };
        const metrics = await withDatabase((db) =>
          computeMetrics(db, terminalActor('viewer'), opts.situation, query),
        );
        process.stdout.write(opts.json ? `${JSON.stringify(metrics, null, 2)}\n` : formatReport(metrics));
      },
    );

  lifeline
    .command('import')
    .description('import observations from a CSV file with HXL hashtags (docs/lifeline.md): all rows or none')
    .argument('<file>', 'CSV file')
    .requiredOption('--situation <slug>', 'the situation')
    .action(async (file: string, opts: { situation: string }) => {
      const parsed = parseObservationsCsv(readFileSync(file, 'utf8'));
      const items = await withDatabase(async (db) => {
        const situation = await getSituation(db, terminalActor('viewer'), opts.situation);
        return importObservations(db, situation.id, parsed.inputs, (i) => `line ${parsed.lines[i]}`, null);
      });
      console.log(
        `imported ${items.length} observation${items.length === 1 ? '' : 's'} into ${opts.situation}`,
      );
    });

  lifeline
    .command('export')
    .description('export the observations as CSV with HXL hashtags (the import format)')
    .requiredOption('--situation <slug>', 'the situation')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (opts: { situation: string; out?: string }) => {
      const csv = await withDatabase(async (db) => {
        const situation = await getSituation(db, terminalActor('viewer'), opts.situation);
        return observationsToCsv(await listObservations(db, situation.id));
      });
      if (opts.out) writeFileSync(opts.out, csv);
      else process.stdout.write(csv);
    });

  lifeline
    .command('record')
    .description(
      'record observations, needs models, population, disruptions and stocks from a JSON file (docs/lifeline.md): all or none',
    )
    .argument(
      '<file>',
      'JSON file: { "observations": [...], "models": [...], "population": [...], "disruptions": [...], "stocks": [...] }',
    )
    .requiredOption('--situation <slug>', 'the situation')
    .action(async (file: string, opts: { situation: string }) => {
      let body: unknown;
      try {
        body = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw ValidationError.field('file', `not valid JSON: ${(error as Error).message}`);
      }
      const input = parseWith(LifelineRecordsInput, body);
      const written = await withDatabase(async (db) => {
        const situation = await getSituation(db, terminalActor('viewer'), opts.situation);
        return writeRecords(db, situation.id, input, { createdBy: null });
      });
      const counts = [
        `${written.observations.length} observations`,
        `${written.models.length} needs models`,
        `${written.population.length} population figures`,
        `${written.disruptions.length} disruptions`,
        `${written.stocks.length} stocks`,
      ];
      console.log(`recorded ${counts.join(', ')} in ${opts.situation}`);
      if (written.deselected.length)
        console.log(`no longer selected: ${written.deselected.join(', ')} (a new model was selected)`);
    });

  lifeline
    .command('derive')
    .description(
      "derive the scenario's lifeline records again from its stored rows, without re-importing; changes only what differs",
    )
    .requiredOption('--situation <slug>', 'the situation')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { situation: string; json?: boolean }) => {
      const result = await withDatabase((db) =>
        rederiveLifeline(db, terminalActor('documenter'), opts.situation),
      );
      process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatDerivation(result));
    });
}
