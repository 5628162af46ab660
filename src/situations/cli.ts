// `vigil situation list|create|update`: situations from the terminal, including the organisation they belong to.
import { type Command, Option } from 'commander';
import { terminalActor, withDatabase } from '../cli/context.ts';
import { parseWith } from '../lib/schema.ts';
import { SituationCreate, SituationPatch } from './schema.ts';
import { createSituation, listSituations, updateSituation } from './service.ts';

const admin = () => terminalActor('admin');
const visibility = () =>
  new Option(
    '--visibility <visibility>',
    'public: readable by everybody; private: signed-in readers only',
  ).choices(['public', 'private']);

export function registerSituationCommands(program: Command): void {
  const situation = program.command('situation').description('list, create and edit situations');

  situation
    .command('list')
    .description('every situation with its visibility and organisation')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const items = await withDatabase((db) => listSituations(db, admin()));
      if (opts.json) {
        console.log(
          JSON.stringify(
            items.map(({ id: _id, organisationId: _org, ...s }) => s),
            null,
            2,
          ),
        );
        return;
      }
      for (const s of items) {
        console.log(`${s.slug}\t${s.visibility}\t${s.organisation ?? '(installation)'}\t${s.name}`);
      }
    });

  situation
    .command('create')
    .description('create a situation')
    .argument('<slug>', 'short name, e.g. lachin-corridor (a-z, 0-9 and -)')
    .requiredOption('--name <name>', 'name')
    .requiredOption('--starts-on <date>', 'first day, YYYY-MM-DD')
    .option('--ends-on <date>', 'last day, YYYY-MM-DD')
    .option('--description <text>', 'description')
    .addOption(visibility().makeOptionMandatory())
    .option(
      '--organisation <slug>',
      'the organisation it belongs to (only its members read its private content)',
    )
    .action(
      async (
        slug: string,
        opts: {
          name: string;
          startsOn: string;
          endsOn?: string;
          description?: string;
          visibility: string;
          organisation?: string;
        },
      ) => {
        const input = parseWith(SituationCreate, {
          slug,
          name: opts.name,
          startsOn: opts.startsOn,
          visibility: opts.visibility,
          ...(opts.endsOn ? { endsOn: opts.endsOn } : {}),
          ...(opts.description ? { description: opts.description } : {}),
          ...(opts.organisation ? { organisation: opts.organisation } : {}),
        });
        const created = await withDatabase((db) => createSituation(db, admin(), input));
        console.log(
          `created ${created.slug} (${created.visibility}${created.organisation ? `, organisation ${created.organisation}` : ''})`,
        );
      },
    );

  situation
    .command('update')
    .description("edit a situation's name, visibility or organisation")
    .argument('<slug>', 'situation slug')
    .option('--name <name>', 'new name')
    .addOption(visibility())
    .option('--organisation <slug>', 'move it to this organisation')
    .option('--no-organisation', "make it the installation's own again (no organisation)")
    .action(
      async (slug: string, opts: { name?: string; visibility?: string; organisation?: string | false }) => {
        const patch = parseWith(SituationPatch, {
          ...(opts.name !== undefined ? { name: opts.name } : {}),
          ...(opts.visibility !== undefined ? { visibility: opts.visibility } : {}),
          ...(opts.organisation !== undefined ? { organisation: opts.organisation || null } : {}),
        });
        const updated = await withDatabase((db) => updateSituation(db, admin(), slug, patch));
        console.log(
          `updated ${updated.slug}: ${updated.visibility}, organisation ${updated.organisation ?? '(installation)'}`,
        );
      },
    );
}
