// `vigil org …`: organisations and their members, from the terminal (the operator acts as an admin).
import type { Command } from 'commander';
import { terminalActor, withDatabase } from '../cli/context.ts';
import { parseWith } from '../lib/schema.ts';
import { OrganisationCreate } from './schema.ts';
import {
  addMember,
  createOrganisation,
  getOrganisation,
  listOrganisations,
  removeMember,
} from './service.ts';

const admin = () => terminalActor('admin');

export function registerOrganisationCommands(program: Command): void {
  const org = program
    .command('org')
    .description(
      "organisations: teams that share this installation without seeing each other's private situations",
    );

  org
    .command('add')
    .description('create an organisation')
    .argument('<slug>', 'short name, e.g. karabakh-documentation (a-z, 0-9 and -)')
    .requiredOption('--name <name>', 'full name')
    .action(async (slug: string, opts: { name: string }) => {
      const input = parseWith(OrganisationCreate, { slug, name: opts.name });
      const created = await withDatabase((db) => createOrganisation(db, admin(), input));
      console.log(`added organisation ${created.slug} (${created.name})`);
    });

  org
    .command('list')
    .description('list organisations with their numbers of members and situations')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const items = await withDatabase((db) => listOrganisations(db, admin()));
      if (opts.json) {
        console.log(JSON.stringify(items, null, 2));
        return;
      }
      if (items.length === 0) console.log('no organisations (vigil org add SLUG --name NAME)');
      for (const o of items)
        console.log(`${o.slug}\t${o.name}\t${o.members} members\t${o.situations} situations`);
    });

  org
    .command('show')
    .description('an organisation, its members and the history of membership changes')
    .argument('<slug>', 'organisation slug')
    .option('--json', 'print JSON')
    .action(async (slug: string, opts: { json?: boolean }) => {
      const detail = await withDatabase((db) => getOrganisation(db, admin(), slug));
      if (opts.json) {
        console.log(JSON.stringify(detail, null, 2));
        return;
      }
      console.log(`${detail.organisation.slug}\t${detail.organisation.name}`);
      for (const m of detail.members) console.log(`member\t${m.email}\t${m.role}\tsince ${m.addedAt}`);
      for (const h of detail.history) console.log(`${h.at}\t${h.change}\t${h.email}\tby ${h.by}`);
    });

  const member = org.command('member').description('add or remove members');
  member
    .command('add')
    .description('make a user a member of an organisation')
    .argument('<slug>', 'organisation slug')
    .argument('<email>', "the user's e-mail")
    .action(async (slug: string, email: string) => {
      const added = await withDatabase((db) => addMember(db, admin(), slug, email));
      console.log(`${added.email} (${added.role}) is now a member of ${slug}`);
    });
  member
    .command('remove')
    .description('end a membership (the user loses access at their next request)')
    .argument('<slug>', 'organisation slug')
    .argument('<email>', "the user's e-mail")
    .action(async (slug: string, email: string) => {
      await withDatabase((db) => removeMember(db, admin(), slug, email));
      console.log(`${email.trim().toLowerCase()} is no longer a member of ${slug}`);
    });
}
