import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeEachDatabase } from '../../test/support/db.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../../test/support/smtp.ts';
import { deliverOutbox, enqueueMail, type MailSender, outboxStatus, smtpSender } from './mail.ts';

describeEachDatabase('campaign mail outbox', (getDb) => {
  let smtp: SmtpReceiver;
  let sender: MailSender;

  before(async () => {
    smtp = await startSmtpReceiver();
    sender = smtpSender({ url: smtp.url, from: 'Vigil <campaigns@vigil.test>' });
  });
  after(async () => {
    sender.close?.();
    await smtp?.close();
  });

  it('delivers queued messages over SMTP once each, with their Message-ID', async () => {
    const db = getDb();
    const queued = await db.transaction(async (tx) => [
      await enqueueMail(tx, { kind: 'test', to: 'a@example.org', subject: 'First', text: 'Hello A' }),
      await enqueueMail(tx, { kind: 'test', to: 'b@example.org', subject: 'Second', text: 'Hello B' }),
    ]);
    assert.deepEqual(await deliverOutbox(db, sender), { sent: 2, failed: 0 });
    assert.equal(smtp.messages.length, 2);
    const first = smtp.messages.find((m) => m.to[0] === 'a@example.org')!;
    assert.match(first.text, /Subject: First/);
    assert.match(first.text, /Hello A/);
    assert.ok(first.text.includes(`Message-ID: <${queued[0]!.messageId}>`), first.text);
    assert.deepEqual(await deliverOutbox(db, sender), { sent: 0, failed: 0 }, 'nothing is sent twice');
    assert.equal(smtp.messages.length, 2);
    assert.deepEqual(await outboxStatus(db), { pending: 0, sent: 2, failing: 0 });
  });

  it('keeps a message the server refuses, with the error, for a later attempt', async () => {
    const db = getDb();
    await db.transaction((tx) =>
      enqueueMail(tx, { kind: 'test', to: 'c@example.org', subject: 'Third', text: 'C' }),
    );
    smtp.refuseRecipients = true;
    assert.deepEqual(await deliverOutbox(db, sender), { sent: 0, failed: 1 });
    smtp.refuseRecipients = false;
    const [row] = await db.query<{ attempts: number; last_error: string; sent_at: Date | null }>(
      `SELECT attempts, last_error, sent_at FROM campaign_outbox WHERE to_address = 'c@example.org'`,
    );
    assert.equal(row!.attempts, 1);
    assert.equal(row!.sent_at, null);
    assert.match(row!.last_error, /mailbox unavailable/);
    assert.deepEqual(await deliverOutbox(db, sender), { sent: 0, failed: 0 }, 'not due before its backoff');
    await db.query(`UPDATE campaign_outbox SET next_attempt_at = now() WHERE to_address = 'c@example.org'`);
    assert.deepEqual(await deliverOutbox(db, sender), { sent: 1, failed: 0 });
    assert.equal(smtp.messages.filter((m) => m.to[0] === 'c@example.org').length, 1);
  });

  it('loses nothing when a transaction that queues mail fails', async () => {
    const db = getDb();
    await assert.rejects(
      db.transaction(async (tx) => {
        await enqueueMail(tx, { kind: 'test', to: 'd@example.org', subject: 'Rolled back', text: 'D' });
        throw new Error('the signature failed');
      }),
    );
    assert.deepEqual(await deliverOutbox(db, sender), { sent: 0, failed: 0 });
    assert.ok(!smtp.messages.some((m) => m.to[0] === 'd@example.org'));
  });
});
