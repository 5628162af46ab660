// `vigil analyze coordination FILE... --out DIR`: thin wiring of options, progress and errors around
// the engine (engine.ts) and the output writers (output.ts).

import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { Option } from 'commander';
import { terminalActor, withDatabase } from '../cli/context.ts';
import { analyze } from './engine.ts';
import { writeOutputs } from './output.ts';
import { CoordinationInputError, defaultReadThreads, fileSource, MAX_READ_THREADS } from './read.ts';
import { TemporaryFileError } from './spill.ts';
import {
  type AnalysisOptions,
  BEHAVIOURS,
  type Behaviour,
  DEFAULT_OPTIONS,
  INPUT_FORMATS,
  type InputFormat,
  type ProgressPhase,
} from './types.ts';

interface CliOptions {
  out: string;
  window?: string;
  windowRepost?: string;
  windowLink?: string;
  windowHashtag?: string;
  windowText?: string;
  similarity: string;
  minCoActions: string;
  alpha: string;
  maxCrowd: string;
  minCommunitySize: string;
  resolution: string;
  behaviours: string;
  minTextWords: string;
  minHashtags: string;
  maxNarratives: string;
  seed: string;
  format: InputFormat;
  strict?: boolean;
  quiet?: boolean;
  allEdges?: boolean;
  tempDir?: string;
  threads?: string;
}

class UsageError extends Error {}

function number(
  value: string | undefined,
  name: string,
  check: (n: number) => boolean,
  rule: string,
): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n) || !check(n)) {
    throw new UsageError(`--${name} must be ${rule} (got '${value}')`);
  }
  return n;
}

const MAX_THREADS_OPTION = 16;

/** The reading threads asked for with --threads (default: defaultReadThreads()); throws UsageError. */
export function readThreadsFromCli(value: string | undefined): number {
  if (value === undefined) return defaultReadThreads();
  // Each reading thread holds a heap of its own (about 50 MiB): a bound keeps a typo from costing gigabytes.
  return number(
    value,
    'threads',
    (n) => Number.isInteger(n) && n >= 0 && n <= MAX_THREADS_OPTION,
    `a whole number from 0 to ${MAX_THREADS_OPTION}`,
  );
}

/** Turns the command-line options into engine options; throws UsageError naming the option. */
export function optionsFromCli(o: CliOptions): Partial<AnalysisOptions> {
  const seconds = (v: string | undefined, name: string, fallback: number): number =>
    v === undefined ? fallback : number(v, name, (n) => n > 0 && n <= 86400 * 30, 'a number of seconds > 0');
  const base = seconds(o.window, 'window', DEFAULT_OPTIONS.windows['co-repost']);
  const behaviours = o.behaviours
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const b of behaviours) {
    if (!(BEHAVIOURS as readonly string[]).includes(b)) {
      throw new UsageError(`--behaviours: unknown behaviour '${b}' (known: ${BEHAVIOURS.join(', ')})`);
    }
  }
  if (behaviours.length === 0) throw new UsageError('--behaviours must name at least one behaviour');
  const positiveInt = (v: string, name: string): number =>
    number(v, name, (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1');
  return {
    windows: {
      'co-repost': seconds(o.windowRepost, 'window-repost', base),
      'co-link': seconds(o.windowLink, 'window-link', base),
      'co-hashtag': seconds(o.windowHashtag, 'window-hashtag', base),
      'co-text': seconds(o.windowText, 'window-text', base),
    },
    behaviours: behaviours as Behaviour[],
    textSimilarity: number(o.similarity, 'similarity', (n) => n > 0 && n <= 1, 'between 0 and 1'),
    minCoActions: positiveInt(o.minCoActions, 'min-co-actions'),
    alpha: number(o.alpha, 'alpha', (n) => n > 0 && n < 1, 'between 0 and 1'),
    maxWindowCrowd: positiveInt(o.maxCrowd, 'max-crowd'),
    minCommunitySize: number(
      o.minCommunitySize,
      'min-community-size',
      (n) => Number.isInteger(n) && n >= 2,
      'a whole number ≥ 2',
    ),
    resolution: number(o.resolution, 'resolution', (n) => n > 0, 'a number > 0'),
    minTextWords: positiveInt(o.minTextWords, 'min-text-words'),
    minHashtags: positiveInt(o.minHashtags, 'min-hashtags'),
    maxNarratives: number(
      o.maxNarratives,
      'max-narratives',
      (n) => Number.isInteger(n) && n >= 0,
      'a whole number ≥ 0',
    ),
    seed: number(o.seed, 'seed', Number.isInteger, 'a whole number'),
    format: o.format,
    strict: o.strict === true,
    allEdges: o.allEdges === true,
  };
}

const PHASE_LABEL: Record<ProgressPhase, string> = {
  read: 'reading posts ',
  analyse: 'analysing     ',
  details: 'describing    ',
  write: 'writing files ',
};

/** Adds `analyze coordination` (creating `analyze` if the program does not have it yet). */
export function registerCoordinationCommands(program: Command): void {
  registerCoordinationImportCommand(program);
  const analyzeCommand =
    program.commands.find((c) => c.name() === 'analyze') ??
    program.command('analyze').description('analyse collected data (see `vigil analyze <kind> --help`)');
  const d = DEFAULT_OPTIONS;
  const command = analyzeCommand
    .command('coordination')
    .description(
      'find accounts that repost the same thing, share the same link or hashtags, or post near-identical text ' +
        'within seconds of each other far more often than chance allows',
    )
    .argument(
      '<files...>',
      'posts: JSON Lines or CSV in the normalised format, Twitter/X API v2 JSON, the Twitter/X information-operations CSV, or a Telegram Desktop JSON export (.gz read transparently)',
    )
    .requiredOption(
      '--out <dir>',
      'folder for accounts.csv, edges.csv, communities.json, narratives.json, graph.gexf, graph.graphml, summary.md',
    )
    .option('--window <seconds>', `co-action window for every behaviour (default ${d.windows['co-repost']})`)
    .option('--window-repost <seconds>', 'window for co-repost only')
    .option('--window-link <seconds>', 'window for co-link only')
    .option('--window-hashtag <seconds>', 'window for co-hashtag (same hashtag sequence) only')
    .option('--window-text <seconds>', 'window for co-text (near-identical text) only')
    .option('--behaviours <list>', 'comma-separated behaviours to look for', d.behaviours.join(','))
    .option(
      '--similarity <jaccard>',
      'word-set Jaccard similarity for near-identical text',
      String(d.textSimilarity),
    )
    .option(
      '--min-co-actions <n>',
      'co-action moments a pair needs before it is tested',
      String(d.minCoActions),
    )
    .option(
      '--alpha <p>',
      'family-wise significance level (divided by the number of candidate pairs)',
      String(d.alpha),
    )
    .option(
      '--max-crowd <n>',
      'no pairs from moments when more than n others acted on the same object (viral crowds)',
      String(d.maxWindowCrowd),
    )
    .option(
      '--min-community-size <n>',
      'smallest community whose accounts are flagged',
      String(d.minCommunitySize),
    )
    .option('--resolution <r>', 'Louvain resolution (higher gives smaller communities)', String(d.resolution))
    .option(
      '--min-text-words <n>',
      'texts with fewer distinct words take no part in co-text',
      String(d.minTextWords),
    )
    .option('--min-hashtags <n>', 'hashtag sequences shorter than this are ignored', String(d.minHashtags))
    .option('--max-narratives <n>', 'narratives written to narratives.json', String(d.maxNarratives))
    .option('--seed <n>', 'seed for community detection (same input and seed, same result)', String(d.seed))
    .addOption(new Option('--format <format>', 'input format').choices([...INPUT_FORMATS]).default('auto'))
    .option('--strict', 'stop at the first malformed record instead of counting and skipping it')
    .option('--all-edges', 'write every tested pair to edges.csv, not only significant ones')
    .option('--quiet', 'no progress bar and no summary on the terminal (for scripts)')
    .option(
      '--threads <n>',
      `threads that parse JSON Lines input beside the one that analyses it (default: one per core, at most ${MAX_READ_THREADS}, none on one core; 0: one thread reads)`,
    )
    .option(
      '--temp-dir <dir>',
      "where the analysis's temporary files go (about 110 MB per million posts; default: TMPDIR or the system's)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  vigil analyze coordination posts.jsonl.gz --out results/\n' +
        '  vigil analyze coordination tweets/*.json --window 120 --out results/\n' +
        '  vigil analyze coordination export/result.json --format telegram --out results/\n\n' +
        'A flagged account is a lead for human review, not proof of coordination. See docs/coordination.md.',
    )
    .action(async (files: string[], opts: CliOptions) => {
      let options: Partial<AnalysisOptions>;
      let threads: number;
      try {
        options = optionsFromCli(opts);
        threads = readThreadsFromCli(opts.threads);
      } catch (err) {
        if (err instanceof UsageError)
          command.error(`error: ${err.message}`, { exitCode: 2, code: 'vigil.usage' });
        throw err;
      }
      const showProgress = !opts.quiet && process.stderr.isTTY === true;
      const bar = showProgress
        ? new cliProgress.SingleBar(
            { format: '{phase} [{bar}] {percentage}% | {detail}', stream: process.stderr, hideCursor: true },
            cliProgress.Presets.shades_classic,
          )
        : null;
      let currentPhase: ProgressPhase | null = null;
      const onProgress = (phase: ProgressPhase, done: number, total: number): void => {
        if (!bar) return;
        const detail =
          phase === 'read' || phase === 'details' ? `${mib(done)} / ${mib(total)} MiB` : `${done}/${total}`;
        if (phase !== currentPhase) {
          if (currentPhase !== null) bar.stop();
          currentPhase = phase;
          bar.start(Math.max(1, total), done, { phase: PHASE_LABEL[phase], detail });
        } else bar.update(done, { detail });
      };
      try {
        const result = await analyze(
          fileSource(files, { format: options.format ?? 'auto', strict: options.strict ?? false, threads }),
          options,
          onProgress,
          opts.tempDir,
        );
        onProgress('write', 0, 1);
        await writeOutputs(result, opts.out);
        onProgress('write', 1, 1);
        bar?.stop();
        if (!opts.quiet) {
          const flagged = result.accounts.filter((a) => a.flagged).length;
          console.log(
            `Read ${result.stats.posts} posts from ${result.stats.accounts} accounts` +
              (result.read.malformed
                ? ` (${result.read.malformed} malformed records skipped; see summary.md)`
                : '') +
              `.\nFlagged ${flagged} accounts in ${result.communities.length} communities; ` +
              `${result.narratives.length} narratives. Results in ${opts.out}`,
          );
        }
      } catch (err) {
        bar?.stop();
        if (err instanceof CoordinationInputError)
          command.error(`error: ${err.message}`, { exitCode: 1, code: 'vigil.input' });
        if (err instanceof TemporaryFileError)
          command.error(`error: ${err.message}`, { exitCode: 1, code: 'vigil.temp' });
        throw err;
      }
    });
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/** `vigil coordination import FILE… --situation S`: stores posts in a situation for runs in the product. */
export function registerCoordinationImportCommand(program: Command): void {
  const group =
    program.commands.find((c) => c.name() === 'coordination') ??
    program.command('coordination').description('posts and coordination analyses stored in a situation');
  group
    .command('import')
    .description(
      'import posts into a situation (posts already stored are not stored twice; malformed records are counted and listed with their line numbers)',
    )
    .argument('<files...>', 'posts in any format `vigil analyze coordination` reads (.gz read transparently)')
    .requiredOption('--situation <slug>', 'the situation')
    .addOption(new Option('--format <format>', 'input format').choices([...INPUT_FORMATS]).default('auto'))
    .option('--quiet', 'no progress bar and no summary (errors only)')
    .action(async (files: string[], opts: { situation: string; format: InputFormat; quiet?: boolean }) => {
      const { importPosts } = await import('./service.ts');
      const { basename } = await import('node:path');
      const { existsSync } = await import('node:fs');
      for (const file of files) {
        if (!existsSync(file)) throw new CoordinationInputError(`cannot read input file '${file}'`);
      }
      const showProgress = !opts.quiet && process.stderr.isTTY === true;
      await withDatabase(async (db) => {
        for (const file of files) {
          const bar = showProgress
            ? new cliProgress.SingleBar(
                {
                  format: '{phase} [{bar}] {percentage}% | {detail}',
                  stream: process.stderr,
                  hideCursor: true,
                },
                cliProgress.Presets.shades_classic,
              )
            : null;
          let phase: 'read' | 'store' | null = null;
          const result = await importPosts(db, terminalActor('analyst'), opts.situation, {
            fileName: basename(file),
            path: file,
            format: opts.format,
            onProgress: (p, done, total) => {
              if (!bar) return;
              const detail = p === 'read' ? `${mib(done)} / ${mib(total)} MiB` : `${done} / ${total} posts`;
              if (p !== phase) {
                if (phase !== null) bar.stop();
                phase = p;
                bar.start(Math.max(1, total), done, {
                  phase: p === 'read' ? 'reading posts ' : 'storing posts ',
                  detail,
                });
              } else bar.update(done, { detail });
            },
          });
          bar?.stop();
          if (opts.quiet) continue;
          console.log(
            `${file}: ${result.postsRead} posts read (${result.format}), ${result.postsStored} stored, ` +
              `${result.duplicates} already in ${opts.situation}` +
              (result.malformed ? `, ${result.malformed} malformed records skipped` : '') +
              (result.skipped ? `, ${result.skipped} records that are not posts` : ''),
          );
          for (const m of result.malformedSamples.slice(0, 20))
            console.log(`  ${file}:${m.line} ${m.reason}`);
          if (result.malformed > 20) console.log(`  … and ${result.malformed - 20} more`);
        }
      });
    });
}
