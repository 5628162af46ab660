// Issue 9: "no subscriber ever receives another organisation's private alert", on both databases, through the
// alerts module's own fan-out and delivery (a real webhook receiver and a real SMTP server): a subscriber in
// organisation A receives nothing of organisation B's private situation, whether they subscribed while they
// were in B, or the situation moved into B after they subscribed, or they left B between queueing and sending;
// B's members receive it.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { describeEachDatabase } from '../../test/support/db.ts';
import { TEST_PASSWORD } from '../../test/support/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../../test/support/smtp.ts';
import { deliverDue } from '../alerts/delivery.ts';
import {
  createRule,
  createSubscription,
  enqueueDeliveries,
  getAlert,
  listAlerts,
  listNotifications,
} from '../alerts/service.ts';
import type { Actor } from '../auth/permissions.ts';
import { actorForUser, createUser } from '../auth/service.ts';
import type { Database } from '../db/types.ts';
import { createSituation, updateSituation } from '../situations/service.ts';
import { addMember, createOrganisation, removeMember } from './service.ts';

const ADMIN: Actor = {
  kind: 'user',
  user: { id: '00000000-0000-0000-0000-000000000000', email: 'test admin', role: 'admin' },
  via: 'token',
  organisations: 'all',
};
const GUARD = { allowPrivate: true }; // the receivers listen on 127.0.0.1

describeEachDatabase('organisation isolation of alert delivery', (getDb) => {
  /** Webhook bodies received, by path (one path per subscriber). */
  const hooks: { path: string; alertId: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      hooks.push({ path: req.url ?? '', alertId: JSON.parse(body).alert?.id ?? '' });
      res.writeHead(204).end();
    });
  });
  let smtp: SmtpReceiver;
  let hookUrl = '';
  const users: Record<'a' | 'b' | 'leaver', { id: string; actor: () => Promise<Actor> }> = {} as never;
  const situationIds: Record<string, string> = {};

  const deliver = () =>
    deliverDue(getDb(), { smtpUrl: smtp.url, webhookAllowPrivate: true, timeoutMs: 5000 });

  /** An alert of a rule of the situation, as evaluation would store it (the fan-out is under test, not evaluation). */
  async function raiseAlert(db: Database, slug: string, key: string, isPublic = false): Promise<string> {
    const rule = await createRule(db, ADMIN, slug, {
      name: `Closure ${key}`,
      kind: 'lifeline.full_closure',
      parameters: {},
      severity: 'critical',
      public: isPublic,
    });
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO alerts (rule_id, situation_id, episode_key, severity, title, message, value, starts_on, fired_on,
         last_held_on, evidence)
       VALUES ($1, $2, $3, 'critical', 'Full closure', 'the road is closed', 1, '2023-06-15', '2023-06-15',
         '2023-06-15', '[]') RETURNING id`,
      [rule.id, situationIds[slug], key],
    );
    return row!.id;
  }

  before(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    smtp = await startSmtpReceiver();
    const db = getDb();
    await createOrganisation(db, ADMIN, { slug: 'org-a', name: 'A' });
    await createOrganisation(db, ADMIN, { slug: 'org-b', name: 'B' });
    for (const key of ['a', 'b', 'leaver'] as const) {
      const user = await createUser(db, {
        email: `${key}@example.org`,
        password: TEST_PASSWORD,
        role: 'analyst',
      });
      users[key] = { id: user.id, actor: async () => (await actorForUser(db, user.id))! };
    }
    await addMember(db, ADMIN, 'org-a', 'a@example.org');
    await addMember(db, ADMIN, 'org-b', 'b@example.org');
    await addMember(db, ADMIN, 'org-b', 'leaver@example.org');
    for (const [slug, organisation] of [
      ['b-private', 'org-b'],
      ['moves-to-b', null],
      ['b-public', 'org-b'],
    ] as const) {
      const situation = await createSituation(db, ADMIN, {
        slug,
        name: slug,
        startsOn: '2023-01-01',
        visibility: slug === 'b-public' ? 'public' : 'private',
        organisation,
      });
      situationIds[slug] = situation.id;
    }
  });

  after(async () => {
    receiver.close();
    await smtp?.close();
  });

  it('refuses a subscription to another organisation’s private situation as if it did not exist', async () => {
    await assert.rejects(
      createSubscription(
        getDb(),
        await users.a.actor(),
        {
          situationSlug: 'b-private',
          channel: 'webhook',
          target: `${hookUrl}/a`,
        },
        GUARD,
      ),
      { status: 404 },
    );
  });

  it('delivers B’s private alert to B’s member only, never to A’s, however they came to be subscribed', async () => {
    const db = getDb();
    const subscribe = async (who: 'a' | 'b' | 'leaver', slug: string) => {
      const actor = await users[who].actor();
      await createSubscription(
        db,
        actor,
        { situationSlug: slug, channel: 'webhook', target: `${hookUrl}/${who}` },
        GUARD,
      );
      await createSubscription(
        db,
        actor,
        { situationSlug: slug, channel: 'email', target: `${who}@example.org` },
        GUARD,
      );
      await createSubscription(db, actor, { situationSlug: slug, channel: 'in_app' }, GUARD);
    };
    // B's member subscribes; the leaver subscribes while in B, then moves to A.
    await subscribe('b', 'b-private');
    await subscribe('leaver', 'b-private');
    await removeMember(db, ADMIN, 'org-b', 'leaver@example.org');
    await addMember(db, ADMIN, 'org-a', 'leaver@example.org');
    // A's member subscribes to an installation-wide situation that then moves into B.
    await subscribe('a', 'moves-to-b');
    await subscribe('b', 'moves-to-b');
    await updateSituation(db, ADMIN, 'moves-to-b', { organisation: 'org-b' });

    const first = await raiseAlert(db, 'b-private', 'closure:1');
    const second = await raiseAlert(db, 'moves-to-b', 'closure:2');
    await db.transaction(async (tx) => {
      await enqueueDeliveries(tx, first, 'opened');
      await enqueueDeliveries(tx, second, 'opened');
    });
    const report = await deliver();
    assert.equal(report.dead, 0);
    assert.deepEqual(hooks.map((h) => `${h.path} ${h.alertId === first ? 'first' : 'second'}`).sort(), [
      '/b first',
      '/b second',
    ]);
    assert.equal(smtp.messages.length, 2);
    assert.ok(
      smtp.messages.every((m) => /^To: b@example\.org/m.test(m.text)),
      'mail only to B’s member',
    );
    assert.equal((await listNotifications(db, await users.b.actor())).items.length, 2);
    assert.equal((await listNotifications(db, await users.a.actor())).items.length, 0);
    assert.equal((await listNotifications(db, await users.leaver.actor())).items.length, 0);
  });

  it('does not send what was queued for a member who left B before it went out', async () => {
    const db = getDb();
    hooks.length = 0;
    smtp.messages.length = 0;
    await addMember(db, ADMIN, 'org-b', 'a@example.org');
    const actor = await users.a.actor();
    await createSubscription(
      db,
      actor,
      { situationSlug: 'b-private', channel: 'webhook', target: `${hookUrl}/a-late` },
      GUARD,
    );
    const alert = await raiseAlert(db, 'b-private', 'closure:3');
    await db.transaction((tx) => enqueueDeliveries(tx, alert, 'opened'));
    await removeMember(db, ADMIN, 'org-b', 'a@example.org');
    await deliver();
    assert.ok(!hooks.some((h) => h.path === '/a-late'), 'checked again at send time');
    assert.ok(
      hooks.some((h) => h.path === '/b'),
      'B’s member still receives it',
    );
  });

  it('shows and sends the alerts of non-public rules of B’s public situation to B’s members only', async () => {
    const db = getDb();
    hooks.length = 0;
    const outsider = await createUser(db, {
      email: 'outsider@example.org',
      password: TEST_PASSWORD,
      role: 'analyst',
    });
    const outsiderActor = (await actorForUser(db, outsider.id))!;
    const member = await users.b.actor();
    for (const [actor, who] of [
      [outsiderActor, 'outsider'],
      [member, 'b'],
    ] as const)
      await createSubscription(
        db,
        actor,
        { situationSlug: 'b-public', channel: 'webhook', target: `${hookUrl}/public-${who}` },
        GUARD,
      );
    const internal = await raiseAlert(db, 'b-public', 'closure:internal');
    const announced = await raiseAlert(db, 'b-public', 'closure:announced', true);
    await db.transaction(async (tx) => {
      await enqueueDeliveries(tx, internal, 'opened');
      await enqueueDeliveries(tx, announced, 'opened');
    });
    await deliver();
    const got = (who: string) =>
      hooks
        .filter((h) => h.path === `/public-${who}`)
        .map((h) => (h.alertId === internal ? 'internal' : 'announced'))
        .sort();
    assert.deepEqual(got('b'), ['announced', 'internal']);
    assert.deepEqual(got('outsider'), ['announced'], 'an outsider gets the public rule’s alert only');
    assert.deepEqual(
      (await listAlerts(db, outsiderActor, 'b-public')).map((a) => a.id),
      [announced],
    );
    assert.equal((await listAlerts(db, member, 'b-public')).length, 2);
    await assert.rejects(getAlert(db, outsiderActor, internal), { status: 404 });
    assert.equal((await getAlert(db, member, internal)).id, internal);
  });
});
