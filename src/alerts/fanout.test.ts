// Who receives what, on both databases: in-app notifications (listed, counted, marked read, per user), daily
// e-mail digests through the outbox (one per subscription and day, never two, a late event in the next one),
// no alert of a private situation to a subscriber who may not read it (checked at fan-out and again at send),
// and the webhook address guard (at subscription and at delivery, with the administrator's allowance).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../../test/support/smtp.ts';
import type { Actor, Role } from '../auth/permissions.ts';
import { createApiToken, createUser } from '../auth/service.ts';
import type { Database } from '../db/types.ts';
import type { Resolver } from '../evidence/address-guard.ts';
import { insertSituation } from '../situations/service.ts';
import { deliverDue } from './delivery.ts';
import { addDays } from './evaluate.ts';
import { createRule, createSubscription, enqueueDeliveries, queueDigests, todayUtc } from './service.ts';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

let alertNumber = 0;
async function raise(db: Database, ruleId: string, situationId: string, title: string): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO alerts (rule_id, situation_id, episode_key, severity, title, message, starts_on, fired_on,
       last_held_on, evidence)
     VALUES ($1, $2, $3, 'critical', $4, 'the road is closed', '2023-06-15', '2023-06-15', '2023-06-15',
       '[{"kind":"lifeline","ref":"nk-032","sources":[{"url":"https://example.org/nk-032","outlet":"Example"}]}]')
     RETURNING id`,
    [ruleId, situationId, `k-${++alertNumber}`, title],
  );
  await db.transaction((tx) => enqueueDeliveries(tx, row!.id, 'opened'));
  return row!.id;
}

const asUser = (id: string, email: string, role: Role): Actor => ({
  kind: 'user',
  user: { id, email, role },
  via: 'token',
});

describeEachDatabase('alert fan-out: notifications, digests, private situations, webhook guard', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  let situationId = '';
  let ruleId = '';
  let smtp: SmtpReceiver;
  const received: string[] = [];
  const receiver = createServer((req, res) => {
    received.push(String(req.headers['idempotency-key']));
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  let port = 0;

  before(async () => {
    const db = getDb();
    smtp = await startSmtpReceiver();
    port = await listen(receiver);
    tokens = await createUsersWithTokens(db);
    app = await buildTestApp(db);
    situationId = (
      await insertSituation(db, {
        slug: 'road',
        name: 'Road',
        startsOn: '2023-01-01',
        visibility: 'public',
      } as never)
    ).id;
    const [admin] = await db.query<{ id: string }>("SELECT id FROM users WHERE role = 'admin' LIMIT 1");
    ruleId = (
      await createRule(db, asUser(admin!.id, 'admin@example.org', 'admin'), 'road', {
        name: 'Closure',
        kind: 'lifeline.full_closure',
        parameters: {},
        severity: 'critical',
      })
    ).id;
  });

  after(async () => {
    receiver.close();
    await smtp?.close();
  });

  it('notifies in-app subscribers, counts their unread notifications and marks them read, per user', async () => {
    const db = getDb();
    const sub = await app.inject({
      method: 'POST',
      url: '/api/v1/alert-subscriptions',
      payload: { situationSlug: 'road', channel: 'in_app', minSeverity: 'warning' },
      headers: bearer(tokens.viewer),
    });
    assert.equal(sub.statusCode, 201, sub.body);
    assert.equal(sub.json().target, null);
    const withTarget = await app.inject({
      method: 'POST',
      url: '/api/v1/alert-subscriptions',
      payload: { situationSlug: 'road', channel: 'in_app', target: 'x@example.org' },
      headers: bearer(tokens.viewer),
    });
    assert.equal(withTarget.statusCode, 400);
    assert.equal(withTarget.json().errors[0].field, 'target');

    const first = await raise(db, ruleId, situationId, 'Road closed');
    await raise(db, ruleId, situationId, 'Road closed again');
    const outbox = await db.query('SELECT 1 FROM alert_deliveries WHERE subscription_id = $1', [
      sub.json().id,
    ]);
    assert.equal(outbox.length, 0, 'in-app notifications are not sent anywhere');

    const mine = await app.inject({ url: '/api/v1/alert-notifications', headers: bearer(tokens.viewer) });
    assert.equal(mine.statusCode, 200, mine.body);
    assert.equal(mine.json().unread, 2);
    assert.deepEqual(
      mine.json().items.map((n: { alert: { title: string } }) => n.alert.title),
      ['Road closed again', 'Road closed'],
    );
    assert.equal(mine.json().items[1].alert.id, first);
    const others = await app.inject({ url: '/api/v1/alert-notifications', headers: bearer(tokens.analyst) });
    assert.equal(others.json().unread, 0);
    assert.equal((await app.inject({ url: '/api/v1/alert-notifications' })).statusCode, 401);

    const one = await app.inject({
      method: 'POST',
      url: '/api/v1/alert-notifications/read',
      payload: { ids: [mine.json().items[1].id] },
      headers: bearer(tokens.viewer),
    });
    assert.deepEqual(one.json(), { unread: 1 });
    // Another user's read does not touch them.
    await app.inject({
      method: 'POST',
      url: '/api/v1/alert-notifications/read',
      payload: { ids: [mine.json().items[0].id] },
      headers: bearer(tokens.analyst),
    });
    const unread = await app.inject({
      url: '/api/v1/alert-notifications?unread=true&situation=road',
      headers: bearer(tokens.viewer),
    });
    assert.equal(unread.json().items.length, 1);
    const all = await app.inject({
      method: 'POST',
      url: '/api/v1/alert-notifications/read',
      payload: { all: true, situation: 'road' },
      headers: bearer(tokens.viewer),
    });
    assert.deepEqual(all.json(), { unread: 0 });
    await db.query('UPDATE alert_subscriptions SET enabled = false WHERE id = $1', [sub.json().id]);
  });

  it('sends one daily digest per subscription and day through the outbox, never two, late events the next day', async () => {
    const db = getDb();
    const hookDigest = await app.inject({
      method: 'POST',
      url: '/api/v1/alert-subscriptions',
      payload: { situationSlug: 'road', channel: 'webhook', target: 'http://1.1.1.1/x', digest: true },
      headers: bearer(tokens.analyst),
    });
    assert.equal(hookDigest.statusCode, 400);
    assert.equal(hookDigest.json().errors[0].field, 'digest');
    const sub = await app.inject({
      method: 'POST',
      url: '/api/v1/alert-subscriptions',
      payload: { situationSlug: 'road', channel: 'email', target: 'desk@example.org', digest: true },
      headers: bearer(tokens.analyst),
    });
    assert.equal(sub.statusCode, 201, sub.body);
    assert.equal(sub.json().digest, true);
    await raise(db, ruleId, situationId, 'Morning closure');
    await raise(db, ruleId, situationId, 'Evening closure');
    const counts = async () =>
      (
        await db.query<{ items: number; digests: number }>(
          `SELECT (SELECT count(*)::int FROM alert_digest_items WHERE subscription_id = $1) AS items,
             (SELECT count(*)::int FROM alert_deliveries WHERE subscription_id = $1) AS digests`,
          [sub.json().id],
        )
      )[0]!;
    assert.deepEqual(await counts(), { items: 2, digests: 0 }, 'no message per alert');

    const today = todayUtc();
    assert.equal(await queueDigests(db, today), 0, 'the day is not over');
    assert.equal(await queueDigests(db, addDays(today, 1)), 1);
    assert.equal(await queueDigests(db, addDays(today, 1)), 0, 'never a second digest for the day');
    assert.equal(await queueDigests(db, addDays(today, 2)), 0);
    const [digest] = await db.query<{ event: string; digest_day: string; idempotency_key: string }>(
      'SELECT event, digest_day, idempotency_key FROM alert_deliveries WHERE subscription_id = $1',
      [sub.json().id],
    );
    assert.equal(digest?.event, 'digest');
    assert.equal(digest?.digest_day, today);
    assert.equal(digest?.idempotency_key, `vigil-digest-${sub.json().id}-${today}`);

    const sent = await deliverDue(db, { smtpUrl: smtp.url, now: () => new Date(Date.now() + 1000) });
    assert.deepEqual(sent, { claimed: 1, done: 1, retried: 0, dead: 0 });
    assert.equal(smtp.messages.length, 1);
    const mail = smtp.messages[0]!.text.replace(/=\r?\n/g, '');
    assert.match(mail, /^Subject: \[Vigil\] Daily digest for road, \d{4}-\d{2}-\d{2}: 2 alert events/m);
    assert.match(mail, /Morning closure/);
    assert.match(mail, /Evening closure/);
    assert.match(mail, /https:\/\/example\.org\/nk-032/);

    // An event recorded today after today's digest was queued (a slow transaction): it goes into the next one.
    await raise(db, ruleId, situationId, 'Late closure');
    assert.equal(await queueDigests(db, addDays(today, 1)), 0);
    const [late] = await db.query<{ day: string }>(
      'SELECT day FROM alert_digest_items WHERE subscription_id = $1 AND delivery_id IS NULL',
      [sub.json().id],
    );
    assert.equal(late?.day, addDays(today, 1));
    assert.equal(await queueDigests(db, addDays(today, 2)), 1);
    assert.deepEqual(await counts(), { items: 3, digests: 2 });
    const next = await deliverDue(db, { smtpUrl: smtp.url, now: () => new Date(Date.now() + 2000) });
    assert.deepEqual(next, { claimed: 1, done: 1, retried: 0, dead: 0 });
    assert.match(smtp.messages[1]!.text, /Late closure/);
    assert.doesNotMatch(smtp.messages[1]!.text, /Morning closure/);
    await db.query('UPDATE alert_subscriptions SET enabled = false WHERE id = $1', [sub.json().id]);
  });

  it("never delivers a private situation's alert to a subscriber who may not read it", async () => {
    const db = getDb();
    const [org] = await db.query<{ id: string }>(
      "INSERT INTO organisations (slug, name) VALUES ('desk-a', 'Desk A') RETURNING id",
    );
    const secret = await insertSituation(db, {
      slug: 'secret',
      name: 'Secret',
      startsOn: '2023-01-01',
      visibility: 'private',
    } as never);
    await db.query('UPDATE situations SET organisation_id = $1 WHERE id = $2', [org!.id, secret.id]);
    const member = await createUser(db, {
      email: 'member@example.org',
      password: 'a long enough password',
      role: 'viewer',
    });
    const outsider = await createUser(db, {
      email: 'outsider@example.org',
      password: 'a long enough password',
      role: 'viewer',
    });
    await db.query('INSERT INTO organisation_members (organisation_id, user_id) VALUES ($1, $2)', [
      org!.id,
      member.id,
    ]);
    const memberToken = (await createApiToken(db, 'member@example.org', 't')).token;
    const outsiderToken = (await createApiToken(db, 'outsider@example.org', 't')).token;
    const subscribe = (token: string, payload: object) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/alert-subscriptions',
        payload: { situationSlug: 'secret', ...payload },
        headers: bearer(token),
      });
    // The outsider cannot even subscribe: to them the situation does not exist.
    assert.equal((await subscribe(outsiderToken, { channel: 'in_app' })).statusCode, 404);
    const inApp = await subscribe(memberToken, { channel: 'in_app', minSeverity: 'info' });
    assert.equal(inApp.statusCode, 201, inApp.body);
    const mail = await subscribe(memberToken, {
      channel: 'email',
      target: 'member@example.org',
      minSeverity: 'info',
    });
    assert.equal(mail.statusCode, 201);
    // A subscription made directly in the table for the outsider (as if they had once been a member).
    await db.query(
      `INSERT INTO alert_subscriptions (user_id, situation_id, channel, target, min_severity)
       VALUES ($1, $2, 'email', 'outsider@example.org', 'info')`,
      [outsider.id, secret.id],
    );
    const [admin] = await db.query<{ id: string }>("SELECT id FROM users WHERE email = 'admin@example.org'");
    const rule = await createRule(db, asUser(admin!.id, 'admin@example.org', 'admin'), 'secret', {
      name: 'Closure',
      kind: 'lifeline.full_closure',
      parameters: {},
      severity: 'critical',
    });
    const alertId = await raise(db, rule.id, secret.id, 'Secret road closed');
    const targets = await db.query<{ target: string }>(
      `SELECT sub.target FROM alert_deliveries d JOIN alert_subscriptions sub ON sub.id = d.subscription_id
       WHERE d.alert_id = $1`,
      [alertId],
    );
    assert.deepEqual(
      targets.map((r) => r.target),
      ['member@example.org'],
      'queued for the member only',
    );
    const notes = await db.query<{ user_id: string }>(
      'SELECT user_id FROM alert_notifications WHERE alert_id = $1',
      [alertId],
    );
    assert.deepEqual(
      notes.map((n) => n.user_id),
      [member.id],
    );

    // The member leaves the organisation before the row is sent: it goes dead, unsent; nothing more is queued.
    await db.query('DELETE FROM organisation_members WHERE user_id = $1', [member.id]);
    const before = smtp.messages.length;
    const report = await deliverDue(db, { smtpUrl: smtp.url, now: () => new Date(Date.now() + 5000) });
    assert.deepEqual(report, { claimed: 1, done: 0, retried: 0, dead: 1 });
    assert.equal(smtp.messages.length, before);
    const [dead] = await db.query<{ last_error: string }>(
      'SELECT last_error FROM alert_deliveries WHERE alert_id = $1',
      [alertId],
    );
    assert.match(dead!.last_error, /may no longer read/);
    const second = await raise(db, rule.id, secret.id, 'Secret road closed again');
    assert.equal(
      (await db.query('SELECT 1 FROM alert_deliveries WHERE alert_id = $1', [second])).length +
        (await db.query('SELECT 1 FROM alert_notifications WHERE alert_id = $1', [second])).length,
      0,
    );
    const list = await app.inject({ url: '/api/v1/alert-notifications', headers: bearer(memberToken) });
    assert.equal(list.json().unread, 0, 'a notification of a situation no longer readable is not shown');
    await db.query('UPDATE alert_subscriptions SET enabled = false WHERE situation_id = $1', [secret.id]);
  });

  it('refuses webhooks to private, loopback and link-local addresses unless the administrator allows them', async () => {
    const db = getDb();
    const post = (target: string, instance = app) =>
      instance.inject({
        method: 'POST',
        url: '/api/v1/alert-subscriptions',
        payload: { situationSlug: 'road', channel: 'webhook', target },
        headers: bearer(tokens.analyst),
      });
    for (const [target, why] of [
      [`http://127.0.0.1:${port}/hook`, /loopback/],
      ['http://[::1]/hook', /loopback/],
      ['http://169.254.169.254/latest/meta-data', /link-local/],
      ['https://10.0.0.5/hook', /private/],
      ['http://[::ffff:192.168.1.1]/hook', /private/],
    ] as const) {
      const res = await post(target);
      assert.equal(res.statusCode, 400, target);
      assert.equal(res.json().errors[0].field, 'target');
      assert.match(res.json().errors[0].message, why);
      assert.match(res.json().errors[0].message, /VIGIL_WEBHOOK_ALLOW_PRIVATE/);
    }
    // A name is judged by every address it resolves to.
    const [analyst] = await db.query<{ id: string }>(
      "SELECT id FROM users WHERE email = 'analyst@example.org'",
    );
    const actor = asUser(analyst!.id, 'analyst@example.org', 'analyst');
    let answer = '10.1.2.3';
    const resolver: Resolver = async () => [{ address: answer, family: 4 }];
    const hook = {
      situationSlug: 'road',
      channel: 'webhook' as const,
      target: `http://hooks.example.test:${port}/in`,
    };
    await assert.rejects(
      createSubscription(db, actor, hook, { allowPrivate: false, resolver }),
      /a private address/,
    );
    answer = '93.184.216.34';
    const sub = await createSubscription(
      db,
      actor,
      { ...hook, minSeverity: 'info' },
      { allowPrivate: false, resolver },
    );
    assert.ok(sub.secret);

    // At delivery the name resolves to the loopback address now (DNS changed): refused, nothing sent, dead.
    answer = '127.0.0.1';
    await db.query('UPDATE alert_subscriptions SET enabled = false WHERE id <> $1', [sub.id]);
    await raise(db, ruleId, situationId, 'Rebound');
    const refused = await deliverDue(db, { resolver, now: () => new Date(Date.now() + 10_000) });
    assert.deepEqual(refused, { claimed: 1, done: 0, retried: 0, dead: 1 });
    assert.equal(received.length, 0);
    const [row] = await db.query<{ last_error: string }>(
      "SELECT last_error FROM alert_deliveries WHERE subscription_id = $1 AND status = 'dead'",
      [sub.id],
    );
    assert.match(
      row!.last_error,
      /refused: hooks\.example\.test resolves to 127\.0\.0\.1, a loopback address/,
    );

    // With the allowance the same delivery goes through, to the address that was checked.
    await raise(db, ruleId, situationId, 'Allowed');
    const allowed = await deliverDue(db, {
      resolver,
      webhookAllowPrivate: true,
      now: () => new Date(Date.now() + 20_000),
    });
    assert.deepEqual(allowed, { claimed: 1, done: 1, retried: 0, dead: 0 });
    assert.equal(received.length, 1);

    // And at subscription time, over the API, once the administrator allows it (VIGIL_WEBHOOK_ALLOW_PRIVATE=1).
    process.env.VIGIL_WEBHOOK_ALLOW_PRIVATE = '1';
    let permissive: FastifyInstance;
    try {
      permissive = await buildTestApp(db);
    } finally {
      delete process.env.VIGIL_WEBHOOK_ALLOW_PRIVATE;
    }
    const local = await post(`http://127.0.0.1:${port}/hook`, permissive);
    assert.equal(local.statusCode, 201, local.body);
    await permissive.close();
  });
});
