import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { describeEachDatabase } from '../../test/support/db.ts';
import { deliverOutbox, enqueueMail, type MailSender, outboxStatus, smtpSender } from './mail.ts';

describeEachDatabase('campaign mail outbox', (getDb) => {
  const received: { text: string; to: string[] }[] = [];
  let refuse = false;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      callback(refuse ? new Error('mailbox unavailable') : undefined);
      void address;
    },
    onData(stream, session, callback) {
      let text = '';
      stream.on('data', (c: Buffer) => {
        text += c.toString('utf8');
      });
      stream.on('end', () => {
        received.push({ text, to: session.envelope.rcptTo.map((r) => r.address) });
        callback();
      });
    },
  });
  let sender: MailSender;

  before(async () => {
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    sender = smtpSender({ url: `smtp://127.0.0.1:${port}`, from: 'Vigil <campaigns@vigil.test>' });
  });
  after(async () => {
    sender.close?.();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('delivers queued messages over SMTP once each, with their Message-ID', async () => {
    const db = getDb();
    const queued = await db.transaction(async (tx) => [
      await enqueueMail(tx, { kind: 'test', to: 'a@example.org', subject: 'First', text: 'Hello A' }),
      await enqueueMail(tx, { kind: 'test', to: 'b@example.org', subject: 'Second', text: 'Hello B' }),
    ]);
    assert.deepEqual(await deliverOutbox(db, sender), { sent: 2, failed: 0 });
    assert.equal(received.length, 2);
    const first = received.find((m) => m.to[0] === 'a@example.org')!;
    assert.match(first.text, /Subject: First/);
    assert.match(first.text, /Hello A/);
    assert.ok(first.text.includes(`Message-ID: <${queued[0]!.messageId}>`), first.text);
    assert.deepEqual(await deliverOutbox(db, sender), { sent: 0, failed: 0 }, 'nothing is sent twice');
    assert.equal(received.length, 2);
    assert.deepEqual(await outboxStatus(db), { pending: 0, sent: 2, failing: 0 });
  });

  it('keeps a message the server refuses, with the error, for a later attempt', async () => {
    const db = getDb();
    await db.transaction((tx) =>
      enqueueMail(tx, { kind: 'test', to: 'c@example.org', subject: 'Third', text: 'C' }),
    );
    refuse = true;
    assert.deepEqual(await deliverOutbox(db, sender), { sent: 0, failed: 1 });
    refuse = false;
    const [row] = await db.query<{ attempts: number; last_error: string; sent_at: Date | null }>(
      `SELECT attempts, last_error, sent_at FROM campaign_outbox WHERE to_address = 'c@example.org'`,
    );
    assert.equal(row!.attempts, 1);
    assert.equal(row!.sent_at, null);
    assert.match(row!.last_error, /mailbox unavailable/);
    assert.deepEqual(await deliverOutbox(db, sender), { sent: 0, failed: 0 }, 'not due before its backoff');
    await db.query(`UPDATE campaign_outbox SET next_attempt_at = now() WHERE to_address = 'c@example.org'`);
    assert.deepEqual(await deliverOutbox(db, sender), { sent: 1, failed: 0 });
    assert.equal(received.filter((m) => m.to[0] === 'c@example.org').length, 1);
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
    assert.ok(!received.some((m) => m.to[0] === 'd@example.org'));
  });
});
