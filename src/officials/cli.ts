// `vigil officials load|import|search|sources`: the directory, run by the operator on the configured database.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { withDatabase } from '../cli/context.ts';
import { AppError, ValidationError } from '../lib/errors.ts';
import { parseOfficialsFile } from './csv.ts';
import { type LoadResult, listSources, searchOfficials, storeSnapshots } from './service.ts';
import { DirectoryFormatError, readUsDirectory } from './us.ts';

const describe = (r: LoadResult) =>
  `${r.source}: ${r.officials} officials${r.retired ? ` (${r.retired} no longer listed, kept as former)` : ''}` +
  (r.committees ? `, ${r.committees} committees, ${r.memberships} memberships` : '');

export function registerOfficialsCommands(program: Command): void {
  const officials = program.command('officials').description('the officials directory (docs/officials.md)');
  officials
    .command('load')
    .description(
      'load the US directory: the bundled snapshot (datasets/officials-us/) by default, or a folder with the ' +
        'same congress-legislators files; all or nothing, and recorded positions are kept',
    )
    .option('--dir <dir>', 'a folder with legislators-current.yaml, committees-current.yaml, …')
    .action(async (opts: { dir?: string }) => {
      let snapshots: ReturnType<typeof readUsDirectory>;
      try {
        snapshots = readUsDirectory(opts.dir ? resolve(opts.dir) : undefined);
      } catch (error) {
        if (error instanceof DirectoryFormatError)
          throw new AppError(400, 'Invalid directory', error.message);
        throw error;
      }
      const results = await withDatabase((db) => storeSnapshots(db, snapshots));
      for (const r of results) console.log(`loaded ${describe(r)}`);
    });
  officials
    .command('import')
    .description(
      "import one country's officials (heads of state, ministers, parliamentarians) and their committees from " +
        "CSV or YAML; replaces that country's earlier import; any error names file:line and nothing is imported",
    )
    .argument('<file>', 'a UTF-8 .csv file with a header row, or a .yaml/.yml file (docs/officials.md)')
    .requiredOption('--country <code>', 'ISO 3166-1 alpha-2 country code, e.g. FR')
    .option(
      '--committees <file>',
      "a CSV of the country's committees (code,name,body,parent_code,url), with a CSV file",
    )
    .action(async (file: string, opts: { country: string; committees?: string }) => {
      const read = (path: string) => {
        try {
          return readFileSync(resolve(path), 'utf8');
        } catch (error) {
          throw new AppError(400, 'Invalid input', `${path}: cannot read (${(error as Error).message})`);
        }
      };
      let snapshot: ReturnType<typeof parseOfficialsFile>;
      try {
        snapshot = parseOfficialsFile(
          read(file),
          opts.country,
          file,
          opts.committees ? { content: read(opts.committees), file: opts.committees } : undefined,
        );
      } catch (error) {
        if (error instanceof ValidationError) {
          for (const e of error.errors) console.error(`${e.field}: ${e.message}`);
          throw new AppError(
            400,
            'Invalid input',
            `${file}: ${error.errors.length} error(s), nothing imported`,
          );
        }
        throw error;
      }
      snapshot.loadedFrom = resolve(file);
      const [result] = await withDatabase((db) => storeSnapshots(db, [snapshot]));
      if (result) console.log(`imported ${describe(result)}`);
    });
  officials
    .command('search')
    .description('search the directory (loads the bundled US directory on first use)')
    .option('--q <text>', 'part of the name')
    .option('--chamber <chamber>', 'senate, house, executive, …')
    .option('--state <state>', 'two-letter state or region')
    .option('--district <n>', 'House district (with --state)')
    .option('--committee <code>', 'e.g. SSFR')
    .option('--party <party>', 'prefix, e.g. D')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        q?: string;
        chamber?: string;
        state?: string;
        district?: string;
        committee?: string;
        party?: string;
        json?: boolean;
      }) => {
        let district: number | undefined;
        if (opts.district !== undefined) {
          district = Number(opts.district);
          if (!Number.isInteger(district) || district < 0)
            throw ValidationError.field('--district', 'must be a whole number');
        }
        const items = await withDatabase(async (db) => {
          const all = [];
          let cursor: string | undefined;
          do {
            const page = await searchOfficials(db, { ...opts, district, limit: 500, cursor });
            all.push(...page.items);
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          return all;
        });
        if (opts.json) {
          console.log(JSON.stringify(items, null, 2));
          return;
        }
        for (const o of items) {
          const place = [o.state, o.district === null ? null : String(o.district)].filter(Boolean).join('-');
          console.log(`${o.externalId}\t${o.title}\t${o.name}\t${o.party ?? ''}\t${place}\t${o.phone ?? ''}`);
        }
        console.error(`${items.length} official${items.length === 1 ? '' : 's'}`);
      },
    );
  officials
    .command('sources')
    .description('the directory sources loaded and when')
    .action(async () => {
      const sources = await withDatabase((db) => listSources(db));
      if (sources.length === 0) console.log('nothing loaded yet (vigil officials load)');
      for (const s of sources)
        console.log(
          `${s.source}\t${s.country}\t${s.officialCount} officials\t${s.loadedAt}\t${s.loadedFrom}`,
        );
    });
}
