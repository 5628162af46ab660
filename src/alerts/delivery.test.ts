// Delivery on both databases: a webhook receiver that fails then succeeds (retry, the same idempotency key,
// a valid signature), an endpoint that never answers (it delays no other, then goes to the dead letters),
// a crash mid-send (the row is sent again: at least once), and e-mail through a real SMTP server.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { describeEachDatabase } from '../../test/support/db.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../../test/support/smtp.ts';
import type { Actor } from '../auth/permissions.ts';
import { createUser } from '../auth/service.ts';
import type { Database } from '../db/types.ts';
import { insertSituation } from '../situations/service.ts';
import { claimDue, deliverDue, deliveryCounts, listDeadDeliveries, signBody } from './delivery.ts';
import { createRule, createSubscription, enqueueDeliveries } from './service.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

async function insertAlert(db: Database, ruleId: string, situationId: string, key: string): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO alerts (rule_id, situation_id, episode_key, severity, title, message, value, starts_on, fired_on,
       last_held_on, evidence)
     VALUES ($1, $2, $3, 'critical', 'Full closure of the road', 'the road is closed', 1, '2023-06-15', '2023-06-15',
       '2023-06-15', '[{"kind":"lifeline","ref":"nk-032","sources":[]}]') RETURNING id`,
    [ruleId, situationId, key],
  );
  return row!.id;
}

// The receivers of these tests listen on the loopback address, which only an administrator's allowance opens.
const LOCAL = { allowPrivate: true };

describeEachDatabase('alert delivery', (getDb) => {
  const received: Received[] = [];
  let failuresLeft = 1;
  const flaky = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      if (failuresLeft-- > 0) res.writeHead(500).end('not now');
      else res.writeHead(204).end();
    });
  });
  const silent = createServer(() => {
    // never answers
  });
  let smtp: SmtpReceiver;
  let flakyUrl = '';
  let silentUrl = '';
  let actor: Actor;
  let situationId = '';
  let ruleId = '';
  let secret = '';

  before(async () => {
    flakyUrl = await listen(flaky);
    silentUrl = await listen(silent);
    smtp = await startSmtpReceiver();
    const db = getDb();
    const situation = await insertSituation(db, {
      slug: 'road',
      name: 'Road',
      startsOn: '2023-01-01',
      visibility: 'public',
    } as never);
    situationId = situation.id;
    const user = await createUser(db, {
      email: 'watcher@example.org',
      password: 'a long enough password',
      role: 'analyst',
    });
    actor = { kind: 'user', user: { id: user.id, email: user.email, role: 'analyst' }, via: 'token' };
    ruleId = (
      await createRule(db, actor, 'road', {
        name: 'Closure',
        kind: 'lifeline.full_closure',
        parameters: {},
        severity: 'critical',
      })
    ).id;
    secret = (
      await createSubscription(
        db,
        actor,
        {
          situationSlug: 'road',
          channel: 'webhook',
          target: `${flakyUrl}/hook`,
        },
        LOCAL,
      )
    ).secret!;
    await createSubscription(
      db,
      actor,
      {
        situationSlug: 'road',
        channel: 'webhook',
        target: `${silentUrl}/hook`,
      },
      LOCAL,
    );
  });

  after(async () => {
    flaky.close();
    silent.closeAllConnections();
    silent.close();
    await smtp?.close();
  });

  it('retries a failing webhook with the same idempotency key and a valid signature; a silent one delays none', async () => {
    const db = getDb();
    const alertId = await insertAlert(db, ruleId, situationId, 'closure:road:1');
    assert.equal(await enqueueDeliveries(db, alertId, 'opened'), 2);
    assert.equal(await enqueueDeliveries(db, alertId, 'opened'), 0, 'queued once per subscription and event');
    const t0 = Date.now();
    const options = { timeoutMs: 300, backoffMs: 1000, maxAttempts: 3, webhookAllowPrivate: true };
    const first = await deliverDue(db, { ...options, now: () => new Date(t0) });
    assert.deepEqual(first, { claimed: 2, done: 0, retried: 2, dead: 0 });
    // Not due yet: the backoff holds both rows back.
    assert.equal((await deliverDue(db, { ...options, now: () => new Date(t0 + 500) })).claimed, 0);
    const second = await deliverDue(db, { ...options, now: () => new Date(t0 + 1500) });
    assert.deepEqual(second, { claimed: 2, done: 1, retried: 1, dead: 0 });

    assert.equal(received.length, 2);
    const [a, b] = received;
    assert.equal(a!.headers['idempotency-key'], b!.headers['idempotency-key']);
    assert.equal(a!.body, b!.body);
    assert.equal(b!.headers['x-vigil-signature'], signBody(secret, b!.body));
    const payload = JSON.parse(b!.body);
    assert.equal(payload.event, 'opened');
    assert.equal(payload.alert.id, alertId);
    assert.equal(payload.idempotencyKey, b!.headers['idempotency-key']);
    assert.deepEqual(
      payload.alert.evidence.map((e: { ref: string }) => e.ref),
      ['nk-032'],
    );

    // The silent endpoint: third failure (backoff 1 s, then 2 s) puts it in the dead letters.
    const third = await deliverDue(db, { ...options, now: () => new Date(t0 + 10_000) });
    assert.deepEqual(third, { claimed: 1, done: 0, retried: 0, dead: 1 });
    const dead = await listDeadDeliveries(db, actor.kind === 'user' ? actor.user.id : '');
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.attempts, 3);
    assert.ok(dead[0]!.last_error);
  });

  it('sends again a row claimed by a worker that died mid-send (at least once, never lost)', async () => {
    const db = getDb();
    await db.query('UPDATE alert_subscriptions SET enabled = false WHERE target LIKE $1', [`${silentUrl}%`]);
    const alertId = await insertAlert(db, ruleId, situationId, 'closure:road:2');
    assert.equal(await enqueueDeliveries(db, alertId, 'opened'), 1);
    const t0 = Date.now() + 60_000;
    const claimed = await claimDue(db, new Date(t0), 60_000, 10);
    assert.equal(claimed.length, 1);
    // …the process dies here. Within the lease nobody else takes the row; after it, a worker does.
    assert.equal(
      (await deliverDue(db, { now: () => new Date(t0 + 1000), webhookAllowPrivate: true })).claimed,
      0,
    );
    const before = received.length;
    const report = await deliverDue(db, { now: () => new Date(t0 + 61_000), webhookAllowPrivate: true });
    assert.deepEqual(report, { claimed: 1, done: 1, retried: 0, dead: 0 });
    assert.equal(received.length, before + 1);
    assert.equal(JSON.parse(received.at(-1)!.body).alert.id, alertId);
  });

  it('sends e-mail through SMTP, and nothing to a subscriber who may no longer receive it', async () => {
    const db = getDb();
    await db.query('UPDATE alert_subscriptions SET enabled = false');
    await createSubscription(db, actor, {
      situationSlug: 'road',
      channel: 'email',
      target: 'desk@example.org',
    });
    const alertId = await insertAlert(db, ruleId, situationId, 'closure:road:3');
    assert.equal(await enqueueDeliveries(db, alertId, 'opened'), 1);
    const report = await deliverDue(db, {
      smtpUrl: smtp.url,
      mailFrom: 'Vigil <alerts@vigil.test>',
      now: () => new Date(Date.now() + 120_000),
    });
    assert.deepEqual(report, { claimed: 1, done: 1, retried: 0, dead: 0 });
    assert.equal(smtp.messages.length, 1);
    const mail = smtp.messages[0]!.text;
    assert.match(mail, /^To: desk@example\.org/m);
    assert.match(mail, /^Subject: \[Vigil critical\] Alert: Full closure of the road/m);
    assert.match(mail, /X-Vigil-Idempotency-Key:\s+vigil-/);
    assert.match(mail, /nk-032/);

    // The subscriber's account is disabled after the row was queued: it goes dead, unsent, and no more are queued.
    const second = await insertAlert(db, ruleId, situationId, 'closure:road:4');
    assert.equal(await enqueueDeliveries(db, second, 'opened'), 1);
    await db.query("UPDATE users SET disabled_at = now() WHERE email = 'watcher@example.org'");
    const refused = await deliverDue(db, { smtpUrl: smtp.url, now: () => new Date(Date.now() + 180_000) });
    assert.deepEqual(refused, { claimed: 1, done: 0, retried: 0, dead: 1 });
    assert.equal(smtp.messages.length, 1);
    assert.equal(
      await enqueueDeliveries(db, await insertAlert(db, ruleId, situationId, 'closure:road:5'), 'opened'),
      0,
    );
    const counts = await deliveryCounts(db);
    assert.equal(counts.pending + counts.sending, 0);
  });
});
