// The `vigil` command: one verb per task. Thin: parse and validate, call a service, print the result.
import { Command, CommanderError, Option } from 'commander';
import { registerAlertCommands } from '../alerts/cli.ts';
import { ROLES } from '../auth/permissions.ts';
import { createApiToken, createUser, listApiTokens, listUsers, revokeApiToken } from '../auth/service.ts';
import { registerCampaignCommands } from '../campaigns/cli.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { registerCoordinationCommands } from '../coordination/cli.ts';
import { DatabaseLockedError } from '../db/connect.ts';
import { MigrationError } from '../db/migrate.ts';
import { DatabaseUnavailableError } from '../db/postgres.ts';
import { registerEvidenceCommands } from '../evidence/cli.ts';
import { AppError } from '../lib/errors.ts';
import { registerLifelineCommands } from '../lifeline/cli.ts';
import { registerOfficialsCommands } from '../officials/cli.ts';
import { registerOrganisationCommands } from '../organisations/cli.ts';
import { registerResponseCommands } from '../response/cli.ts';
import { registerRiskCommands } from '../risk/cli.ts';
import { ScenarioFormatError } from '../scenario/read.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../scenario/service.ts';
import { registerSituationCommands } from '../situations/cli.ts';
import { VERSION } from '../version.ts';
import { withDatabase } from './context.ts';
import { promptSecret, readAllStdin } from './io.ts';
import { serve } from './serve.ts';

export function buildProgram(): Command {
  const program = new Command('vigil')
    .description('Vigil: early warning and rapid response for atrocity prevention')
    .version(VERSION)
    .showHelpAfterError();

  program
    .command('serve')
    .description(
      'serve the API and web UI (loads the built-in scenario on first start unless VIGIL_NO_DEMO=1)',
    )
    .action(async () => {
      await serve(loadConfig());
    });

  program
    .command('demo')
    .description(`load the built-in scenario (${BUILT_IN_SCENARIO}) into the configured database`)
    .option('--replace', 'delete the loaded scenario, with any changes made to it, and load it again')
    .option('--scenario <slug>', 'a scenario folder under scenarios/', BUILT_IN_SCENARIO)
    .action(async (opts: { replace?: boolean; scenario: string }) => {
      const result = await withDatabase((db) =>
        importScenario(db, opts.scenario, {
          replace: opts.replace,
          onProgress: (m) => console.error(`… ${m}`),
        }),
      );
      const c = result.counts;
      if (result.status === 'already-loaded') {
        console.log(`${result.slug} is already loaded; nothing changed (use --replace to load it again)`);
      } else {
        console.log(
          `${result.slug} ${result.status}: ${c.incidents} incidents, ${c.supplies} supply observations, ${c.measures} measures, ${c.events} events, ${c.boycottCalls} boycott calls, ${c.layers} map layers`,
        );
      }
    });

  program
    .command('migrate')
    .description('apply pending database migrations (serve does this too)')
    .action(async () => {
      await withDatabase(async (db) => console.log(`database schema is up to date (${db.kind})`));
    });
  registerRiskCommands(program);
  registerResponseCommands(program);
  registerCoordinationCommands(program);
  registerEvidenceCommands(program);
  registerLifelineCommands(program);
  registerAlertCommands(program);
  registerOfficialsCommands(program);
  registerCampaignCommands(program);
  registerOrganisationCommands(program);
  registerSituationCommands(program);

  const user = program.command('user').description('manage users');
  user
    .command('add')
    .description('add a user; the password is asked for on the terminal, or read with --password-stdin')
    .requiredOption('--email <email>', 'e-mail address (the sign-in name)')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: { email: string; role: string; passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? await readAllStdin() : await promptSecret('Password: ');
      const created = await withDatabase((db) =>
        createUser(db, { email: opts.email, password, role: opts.role }),
      );
      console.log(`added ${created.email} (${created.role})`);
    });
  user
    .command('list')
    .description('list users')
    .action(async () => {
      const users = await withDatabase((db) => listUsers(db));
      for (const u of users) console.log(`${u.email}\t${u.role}\t${u.createdAt.toISOString()}`);
    });

  const token = program.command('token').description('manage API tokens (Authorization: Bearer …)');
  token
    .command('create')
    .description("create an API token with the user's role; it is printed once and stored only as a hash")
    .requiredOption('--email <email>', 'the user the token acts as')
    .option('--name <name>', 'what the token is for', 'cli')
    .action(async (opts: { email: string; name: string }) => {
      const created = await withDatabase((db) => createApiToken(db, opts.email, opts.name));
      console.error(
        `token ${created.prefix}… (id ${created.id}) created; store it now, it is not shown again:`,
      );
      console.log(created.token);
    });
  token
    .command('revoke')
    .description('revoke a token, given the token itself, its id, or its printed prefix')
    .argument('<token>', 'token, id or prefix')
    .action(async (value: string) => {
      const count = await withDatabase((db) => revokeApiToken(db, value));
      if (count === 0) throw new AppError(404, 'Not found', 'no active token matches');
      console.log(`revoked ${count} token${count === 1 ? '' : 's'}`);
    });
  token
    .command('list')
    .description("list a user's tokens")
    .requiredOption('--email <email>', 'the user')
    .action(async (opts: { email: string }) => {
      const tokens = await withDatabase((db) => listApiTokens(db, opts.email));
      for (const t of tokens) {
        const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active';
        console.log(`${t.id}\t${t.prefix}…\t${t.name}\t${state}`);
      }
    });
  return program;
}

const KNOWN_ERRORS = [
  AppError,
  ConfigError,
  DatabaseUnavailableError,
  DatabaseLockedError,
  ScenarioFormatError,
  MigrationError,
];

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (KNOWN_ERRORS.some((kind) => error instanceof kind)) {
      console.error(`vigil: ${(error as Error).message}`);
      process.exit(1);
    }
    console.error('vigil: unexpected error:', error);
    process.exit(1);
  }
}
