// `vigil campaigns outbox send|status`, `vigil campaigns supporters export|erase`. Not wired into
// src/cli/main.ts yet: one import and `registerCampaignCommands(program)` there enable it.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { terminalActor, withDatabase } from '../cli/context.ts';
import { AppError } from '../lib/errors.ts';
import { deliverOutbox, outboxStatus, smtpOptionsFromEnv, smtpSender } from './mail.ts';
import { eraseSupporter, exportSupporters, purgeUnconfirmed, supportersCsv } from './petitions.ts';

export function registerCampaignCommands(program: Command): void {
  const campaigns = program
    .command('campaigns')
    .description('campaign mail and supporters (docs/campaigns.md)');
  const outbox = campaigns.command('outbox').description('the campaign mail outbox');
  outbox
    .command('send')
    .description('send what is due once, through VIGIL_SMTP_URL (from VIGIL_MAIL_FROM)')
    .action(async () => {
      const smtp = smtpOptionsFromEnv();
      if (!smtp)
        throw new AppError(400, 'No SMTP server', 'set VIGIL_SMTP_URL (smtp://host:port) to send mail');
      const sender = smtpSender(smtp);
      try {
        const [result, purged] = await withDatabase(
          async (db) =>
            [await deliverOutbox(db, sender, { limit: 10_000 }), await purgeUnconfirmed(db)] as const,
        );
        console.log(`sent ${result.sent}, failed ${result.failed} (retried later)`);
        console.log(
          `deleted ${purged.signatures} unconfirmed signatures, ${purged.supporters} supporters left without one`,
        );
      } finally {
        sender.close?.();
      }
    });
  outbox
    .command('status')
    .description('how many messages wait, were sent, or are failing')
    .action(async () => {
      const s = await withDatabase((db) => outboxStatus(db));
      console.log(`pending ${s.pending} (failing ${s.failing}), sent ${s.sent}`);
    });
  const supporters = campaigns.command('supporters').description("supporters' data (OSDI field names)");
  supporters
    .command('export')
    .description('export supporters as OSDI JSON or CSV')
    .option('--format <format>', 'json or csv', 'json')
    .option('--email <email>', 'only this supporter (a request to see their data)')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (opts: { format: string; email?: string; out?: string }) => {
      if (opts.format !== 'json' && opts.format !== 'csv')
        throw new AppError(400, 'Invalid input', '--format: json or csv');
      const people = await withDatabase((db) => exportSupporters(db, terminalActor('organiser'), opts.email));
      const text = opts.format === 'csv' ? supportersCsv(people) : `${JSON.stringify(people, null, 2)}\n`;
      if (opts.out) writeFileSync(opts.out, text, { mode: 0o600 });
      else process.stdout.write(text);
    });
  supporters
    .command('erase')
    .description("erase a supporter's record, signatures and unsent mail")
    .argument('<email>', 'their email address')
    .action(async (email: string) => {
      const result = await withDatabase((db) => eraseSupporter(db, terminalActor('organiser'), email));
      console.log(result.erased ? `erased ${email}` : `no supporter ${email}`);
    });
}
