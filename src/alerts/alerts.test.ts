// Alerts on both databases with the built-in scenario: rules over the API (roles, refusals), preview,
// evaluation with one alert per rule and episode, the lifecycle, subscriptions and who receives what,
// the Atom feed, and the replay of the blockade.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { lifelineSignals } from '../lifeline/signals.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../scenario/service.ts';
import { insertSituation } from '../situations/service.ts';
import { formatReplay, runReplay } from './cli.ts';
import { addDays } from './evaluate.ts';
import { evaluateSituation } from './service.ts';

const SLUG = BUILT_IN_SCENARIO;
const RULES = `/api/v1/situations/${SLUG}/alert-rules`;

describeEachDatabase('alerts', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  let coverageRuleId = '';

  before(async () => {
    await importScenario(getDb(), SLUG);
    tokens = await createUsersWithTokens(getDb());
    app = await buildTestApp(getDb());
    await insertSituation(getDb(), {
      slug: 'elsewhere',
      name: 'Elsewhere',
      startsOn: '2023-01-01',
      visibility: 'private',
    } as never);
  });

  it('lets analysts and admins manage rules and refuses invalid ones naming the field', async () => {
    const rule = {
      name: 'Coverage under 10%',
      kind: 'lifeline.coverage_below',
      parameters: { threshold: 0.1, minDays: 7 },
      severity: 'critical',
      public: true,
    };
    assert.equal((await app.inject({ method: 'POST', url: RULES, payload: rule })).statusCode, 401);
    for (const role of ['viewer', 'documenter', 'organiser'] as const) {
      const res = await app.inject({
        method: 'POST',
        url: RULES,
        payload: rule,
        headers: bearer(tokens[role]),
      });
      assert.equal(res.statusCode, 403, role);
    }
    const bad = await app.inject({
      method: 'POST',
      url: RULES,
      payload: { ...rule, parameters: { threshold: 1.5, minDays: 7 } },
      headers: bearer(tokens.analyst),
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad.json().errors.map((e: { field: string }) => e.field),
      ['parameters.threshold'],
    );
    const created = await app.inject({
      method: 'POST',
      url: RULES,
      payload: rule,
      headers: bearer(tokens.analyst),
    });
    assert.equal(created.statusCode, 201, created.body);
    coverageRuleId = created.json().id;
    const closure = await app.inject({
      method: 'POST',
      url: RULES,
      payload: { name: 'Closure', kind: 'lifeline.full_closure', parameters: {}, severity: 'critical' },
      headers: bearer(tokens.admin),
    });
    assert.equal(closure.statusCode, 201);
    const patched = await app.inject({
      method: 'PATCH',
      url: `${RULES}/${coverageRuleId}`,
      payload: { parameters: { threshold: 0.1, minDays: 0 } },
      headers: bearer(tokens.analyst),
    });
    assert.equal(patched.statusCode, 400);
    assert.equal(patched.json().errors[0].field, 'parameters.minDays');
    const list = await app.inject({ url: RULES, headers: bearer(tokens.analyst) });
    assert.equal(list.json().items.length, 2);
  });

  it('previews what a rule would have fired on past data', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `${RULES}/${coverageRuleId}/preview?asOf=2023-01-31`,
      headers: bearer(tokens.analyst),
    });
    assert.equal(res.statusCode, 200, res.body);
    const [episode] = res.json().episodes;
    assert.ok(episode);
    assert.ok(episode.evidence.some((e: { ref: string }) => e.ref === 'sup-031'));
  });

  it('opens one alert per rule and episode, updates it while it holds, and resolves it when it ends', async () => {
    const db = getDb();
    const [run] = await lifelineSignals(db, SLUG, { coverageBelow: { threshold: 0.1, minDays: 1 } });
    assert.ok(run?.endsOn);
    const fires = addDays(run.startsOn, 6);
    const first = await evaluateSituation(db, SLUG, fires);
    assert.equal(first.opened.length, 1);
    const again = await evaluateSituation(db, SLUG, addDays(fires, 10));
    assert.deepEqual(again.opened, []);
    assert.deepEqual(again.updated, first.opened);
    const list = (
      await app.inject({ url: `/api/v1/situations/${SLUG}/alerts`, headers: bearer(tokens.viewer) })
    ).json();
    assert.equal(list.items.length, 1);
    assert.equal(list.items[0].firedOn, fires);
    assert.equal(list.items[0].lastHeldOn, addDays(fires, 10));
    assert.equal(list.items[0].status, 'open');

    const ack = await app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${first.opened[0]}/acknowledge`,
      headers: bearer(tokens.viewer),
    });
    assert.equal(ack.statusCode, 403);
    const acked = await app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${first.opened[0]}/acknowledge`,
      headers: bearer(tokens.analyst),
    });
    assert.equal(acked.json().status, 'acknowledged');
    assert.equal(acked.json().acknowledgedBy, 'analyst@example.org');

    const ended = await evaluateSituation(db, SLUG, addDays(run.endsOn, 3));
    assert.deepEqual(ended.resolved, first.opened);
    const alert = (await app.inject({ url: `/api/v1/alerts/${first.opened[0]}` })).json();
    assert.equal(alert.status, 'resolved');
    assert.equal(alert.resolvedBy, 'condition cleared');
    assert.equal(alert.endedOn, addDays(run.endsOn, 1));
  });

  it('queues deliveries only for subscribers who may read the situation, at their severity', async () => {
    const db = getDb();
    const sub = async (role: Role, payload: object) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/alert-subscriptions',
        payload,
        headers: bearer(tokens[role]),
      });
    const hook = await sub('viewer', {
      situationSlug: SLUG,
      channel: 'webhook',
      target: 'http://1.1.1.1/vigil-test-hook',
      minSeverity: 'critical',
    });
    assert.equal(hook.statusCode, 201, hook.body);
    assert.ok(hook.json().secret);
    const mail = await sub('organiser', { situationSlug: SLUG, channel: 'email', target: 'org@example.org' });
    assert.equal(mail.statusCode, 201);
    const other = await sub('analyst', {
      situationSlug: 'elsewhere',
      channel: 'email',
      target: 'a@example.org',
    });
    assert.equal(other.statusCode, 201);
    assert.equal(
      (await sub('viewer', { situationSlug: SLUG, channel: 'email', target: 'nope' })).statusCode,
      400,
    );
    assert.equal(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/alert-subscriptions',
          payload: { situationSlug: 'elsewhere', channel: 'email', target: 'x@example.org' },
        })
      ).statusCode,
      401,
    );
    const mine = (
      await app.inject({ url: '/api/v1/alert-subscriptions', headers: bearer(tokens.viewer) })
    ).json();
    assert.equal(mine.items.length, 1);
    assert.equal(mine.items[0].secret, undefined, 'the secret is shown once');
    // The organiser's subscription is paused: nothing for it.
    const paused = await app.inject({
      method: 'PATCH',
      url: `/api/v1/alert-subscriptions/${mail.json().id}`,
      payload: { enabled: false },
      headers: bearer(tokens.organiser),
    });
    assert.equal(paused.json().enabled, false);
    assert.equal(
      (
        await app.inject({
          method: 'PATCH',
          url: `/api/v1/alert-subscriptions/${mail.json().id}`,
          payload: { enabled: true },
          headers: bearer(tokens.viewer),
        })
      ).statusCode,
      404,
      "another user's subscription is not found",
    );

    const [closure] = (await lifelineSignals(db, SLUG, { closureStarted: true })).filter(
      (s) => s.kind === 'closure-started',
    );
    assert.ok(closure);
    const result = await evaluateSituation(db, SLUG, closure.startsOn);
    assert.equal(result.opened.length, 1);
    const rows = await db.query<{ subscription_id: string; event: string }>(
      'SELECT subscription_id, event FROM alert_deliveries WHERE alert_id = $1',
      [result.opened[0]],
    );
    assert.deepEqual(rows, [{ subscription_id: hook.json().id, event: 'opened' }]);

    const gone = await app.inject({
      method: 'DELETE',
      url: `/api/v1/alert-subscriptions/${other.json().id}`,
      headers: bearer(tokens.analyst),
    });
    assert.equal(gone.statusCode, 204);
  });

  it('lists dead letters with what they were for, and sends one again for its owner only', async () => {
    const db = getDb();
    // The viewer's webhook row of the previous test failed for good.
    const [row] = await db.query<{ id: string; subscription_id: string }>(
      `UPDATE alert_deliveries SET status = 'dead', attempts = 8, last_error = 'connect ECONNREFUSED'
       WHERE id = (SELECT id FROM alert_deliveries ORDER BY created_at LIMIT 1) RETURNING id, subscription_id`,
    );
    assert.ok(row);
    const dead = (
      await app.inject({ url: '/api/v1/alert-deliveries/dead', headers: bearer(tokens.viewer) })
    ).json().items;
    assert.equal(dead.length, 1);
    assert.equal(dead[0].id, row.id);
    assert.equal(dead[0].channel, 'webhook');
    assert.equal(dead[0].target, 'http://1.1.1.1/vigil-test-hook');
    assert.equal(dead[0].situationSlug, SLUG);
    assert.equal(dead[0].subscriptionEnabled, true);
    assert.ok(dead[0].alertTitle);
    assert.equal(dead[0].lastError, 'connect ECONNREFUSED');

    const retry = (role: Role | null, id = row.id) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/alert-deliveries/${id}/retry`,
        headers: role ? bearer(tokens[role]) : {},
      });
    assert.equal((await retry(null)).statusCode, 401);
    assert.equal((await retry('analyst')).statusCode, 404, "another user's dead letter is not found");
    assert.equal((await retry('viewer', 'not-a-uuid')).statusCode, 400);
    const again = await retry('viewer');
    assert.equal(again.statusCode, 202, again.body);
    const [queued] = await db.query<{ status: string; attempts: number }>(
      'SELECT status, attempts FROM alert_deliveries WHERE id = $1',
      [row.id],
    );
    assert.deepEqual(queued, { status: 'pending', attempts: 0 });
    assert.equal((await retry('viewer')).statusCode, 409, 'no longer dead');

    // A paused subscription's dead letter waits until it is resumed.
    await db.query(`UPDATE alert_deliveries SET status = 'dead', attempts = 8 WHERE id = $1`, [row.id]);
    await db.query('UPDATE alert_subscriptions SET enabled = false WHERE id = $1', [row.subscription_id]);
    const paused = await retry('viewer');
    assert.equal(paused.statusCode, 409);
    assert.match(paused.json().detail, /paused/);
    await db.query('UPDATE alert_subscriptions SET enabled = true WHERE id = $1', [row.subscription_id]);
    await db.query(`UPDATE alert_deliveries SET status = 'done' WHERE id = $1`, [row.id]);
  });

  it('publishes public alerts in the Atom feed and hides the others from anonymous readers', async () => {
    const anonymous = (await app.inject({ url: `/api/v1/situations/${SLUG}/alerts` })).json().items;
    const signedIn = (
      await app.inject({ url: `/api/v1/situations/${SLUG}/alerts`, headers: bearer(tokens.viewer) })
    ).json().items;
    assert.equal(anonymous.length, 1, 'only the public coverage rule');
    assert.equal(signedIn.length, 2);
    const feed = await app.inject({ url: `/api/v1/situations/${SLUG}/alerts.atom` });
    assert.equal(feed.statusCode, 200);
    assert.match(feed.headers['content-type'] as string, /application\/atom\+xml/);
    assert.equal(feed.body.match(/<entry>/g)?.length, 1);
    assert.match(feed.body, /Coverage of cargo under 10\.0%/);
    assert.match(feed.body, /sup-031/);
    assert.equal((await app.inject({ url: '/api/v1/situations/elsewhere/alerts.atom' })).statusCode, 404);
    const spec = (await app.inject({ url: '/api/v1/openapi.json' })).json();
    assert.ok(spec.paths['/api/v1/situations/{slug}/alert-rules']);
  });

  it('replays the blockade: a critical coverage alert within its first weeks, the full closure on its day', async () => {
    const db = getDb();
    const result = await runReplay(db, SLUG, { rules: 'default' });
    const [run] = await lifelineSignals(db, SLUG, { coverageBelow: { threshold: 0.1, minDays: 1 } });
    assert.ok(run);
    const coverage = result.alerts.find(
      (a) => a.kind === 'lifeline.coverage_below' && a.severity === 'critical',
    );
    assert.equal(coverage?.firedOn, addDays(run.startsOn, 6));
    assert.ok(coverage.firedOn <= addDays('2022-12-12', 21), 'within the first three weeks of the blockade');
    assert.ok(coverage.daysHeld >= 7 * 20, 'weeks of coverage under 10%');
    const closure = result.alerts.find((a) => a.kind === 'lifeline.full_closure');
    assert.equal(closure?.firedOn, '2023-06-15');
    assert.deepEqual(closure.evidence, ['nk-032']);
    const table = formatReplay(result);
    assert.match(table, /Coverage under 10% for a week/);
    const window = await runReplay(db, SLUG, { from: '2023-06-01', to: '2023-06-30' });
    assert.ok(window.alerts.every((a) => a.firedOn >= '2023-06-01' && a.firedOn <= '2023-06-30'));
  });

  it('paces the replay with --speed: one wait per day, each alert reported on the day it is raised', async () => {
    const waits: number[] = [];
    const raisedOn: string[] = [];
    let days = 0;
    const paced = await runReplay(
      getDb(),
      SLUG,
      { from: '2023-06-10', to: '2023-06-19' },
      {
        speed: 2,
        sleep: async (ms) => {
          waits.push(ms);
        },
        onStep: (step) => {
          days = step.index;
          for (const row of step.raised) raisedOn.push(`${step.day} ${row.kind}`);
        },
      },
    );
    assert.equal(days, 10);
    assert.equal(waits.length, 10, 'one wait per day');
    assert.ok(waits.every((ms) => ms >= 0 && ms <= 5000));
    assert.ok(raisedOn.includes('2023-06-15 lifeline.full_closure'));
    const instant = await runReplay(getDb(), SLUG, { from: '2023-06-10', to: '2023-06-19' });
    assert.deepEqual(paced.alerts, instant.alerts, 'pacing changes when, not what');
  });
});
