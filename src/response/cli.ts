// `vigil sanctions …`, `vigil measures list`, `vigil dossier export`: run by the operator on the
// configured database.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { terminalActor, withDatabase } from '../cli/context.ts';
import { AppError, ValidationError } from '../lib/errors.ts';
import { ListFormatError, readBundledLists, readOfac, readUn } from './lists.ts';
import { buildDossier, dossierMarkdown } from './persons.ts';
import { DEFAULT_THRESHOLD, type ListVersion, listVersions, screenNames, storeList } from './sanctions.ts';
import { listMeasures } from './service.ts';

/** List-file errors become the CLI's "vigil: message" with exit 1. */
function asAppError(error: unknown): never {
  if (error instanceof ListFormatError) throw new AppError(400, 'Invalid list file', error.message);
  throw error;
}

const describe = (l: ListVersion) =>
  `${l.source}: ${l.entryCount} entries, ${l.nameCount} names, version ${l.version} (from ${l.loadedFrom})`;

function threshold(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw ValidationError.field('--threshold', 'must be a number in (0, 1]');
  return n;
}

export function registerResponseCommands(program: Command): void {
  const sanctions = program.command('sanctions').description('sanctions lists and name screening');
  sanctions
    .command('load')
    .description(
      'load sanctions lists: the bundled snapshots (datasets/sanctions-lists/) by default, or current files; ' +
        'each list is checked whole before it replaces the active list of its source',
    )
    .option('--ofac <dir>', 'a folder with the OFAC SDN CSV files (sdn.csv, alt.csv, add.csv)')
    .option('--un <file>', 'the UN Security Council consolidated list XML file')
    .action(async (opts: { ofac?: string; un?: string }) => {
      let lists: { list: ReturnType<typeof readOfac>; from: string }[];
      try {
        if (opts.ofac || opts.un) {
          lists = [];
          if (opts.ofac) lists.push({ list: readOfac(resolve(opts.ofac)), from: resolve(opts.ofac) });
          if (opts.un) lists.push({ list: readUn(resolve(opts.un)), from: resolve(opts.un) });
        } else {
          lists = readBundledLists().map((list) => ({
            list,
            from: 'datasets/sanctions-lists (bundled snapshot)',
          }));
        }
      } catch (error) {
        asAppError(error);
      }
      await withDatabase(async (db) => {
        // Both files are read and checked before either is stored.
        for (const { list, from } of lists)
          console.log(`loaded ${describe(await storeList(db, list, from))}`);
      });
    });
  sanctions
    .command('lists')
    .description('show the loaded lists and their versions')
    .option('--all', 'include earlier loads that are no longer active')
    .action(async (opts: { all?: boolean }) => {
      const lists = await withDatabase((db) => listVersions(db, { all: opts.all }));
      if (lists.length === 0) console.log('no lists loaded (vigil sanctions load)');
      for (const l of lists) console.log(`${l.active ? '' : '(inactive) '}${describe(l)}`);
    });
  sanctions
    .command('screen')
    .description('screen the names in a file (one per line; - for standard input) against the active lists')
    .argument('<names-file>', 'a UTF-8 text file, one name per line; empty lines are skipped')
    .option('--json', 'print JSON (lists with versions, then each name with its matches)')
    .option('--threshold <score>', 'lowest score reported, in (0, 1]', String(DEFAULT_THRESHOLD))
    .option('--limit <n>', 'most matches per name', '10')
    .action(async (file: string, opts: { json?: boolean; threshold: string; limit: string }) => {
      const text = readFileSync(file === '-' ? 0 : file, 'utf8');
      const names = text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);
      if (names.length === 0) throw ValidationError.field('names-file', 'holds no names');
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw ValidationError.field('--limit', 'must be a positive integer');
      const result = await withDatabase((db) =>
        screenNames(db, names, { threshold: threshold(opts.threshold), limit }),
      );
      if (opts.json) {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      for (const l of result.lists) console.log(`# ${describe(l)}`);
      for (const r of result.results) {
        console.log(`${r.name}: ${r.matches.length === 0 ? 'no match' : `${r.matches.length} match(es)`}`);
        for (const m of r.matches) {
          console.log(
            `  ${m.score.toFixed(3)}  ${m.list.source} ${m.entryId}  ${m.name}${m.matchedName !== m.name ? ` (as "${m.matchedName}")` : ''}  [${m.programs.join(', ')}]`,
          );
          for (const reason of m.reasons) console.log(`         - ${reason}`);
        }
      }
    });

  const measures = program.command('measures').description('response measures');
  measures
    .command('list')
    .description('list the measures of a situation with their status')
    .requiredOption('--situation <slug>', 'the situation')
    .option('--status <status>', 'only this vocabulary status')
    .option('--category <category>', 'only this category')
    .option('--json', 'print JSON')
    .action(async (opts: { situation: string; status?: string; category?: string; json?: boolean }) => {
      const items = await withDatabase((db) =>
        listMeasures(db, terminalActor('admin'), opts.situation, {
          status: opts.status as never,
          category: opts.category as never,
        }),
      );
      if (opts.json) {
        console.log(JSON.stringify(items, null, 2));
        return;
      }
      for (const m of items) {
        console.log(
          `${m.date ?? '----------'}  ${m.status.padEnd(18)} ${m.category.padEnd(20)} ${m.title}  [${m.statusText}]`,
        );
      }
    });

  program
    .command('dossier')
    .description('dossiers of persons of interest')
    .command('export')
    .description('export the dossier of a person of interest (Markdown or JSON)')
    .argument('<person-id>', 'the person id (GET /api/v1/situations/{slug}/persons)')
    .option('--format <format>', 'md or json', 'md')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (id: string, opts: { format: string; out?: string }) => {
      if (opts.format !== 'md' && opts.format !== 'json')
        throw ValidationError.field('--format', 'must be md or json');
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw ValidationError.field('person-id', 'is not a person id');
      const dossier = await withDatabase((db) => buildDossier(db, terminalActor('admin'), id));
      const text = opts.format === 'md' ? dossierMarkdown(dossier) : `${JSON.stringify(dossier, null, 2)}\n`;
      if (opts.out) {
        writeFileSync(opts.out, text);
        console.error(`wrote ${opts.out}`);
      } else process.stdout.write(text);
    });
}
