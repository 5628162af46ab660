// The rule kinds over the other modules' data, on both databases: coordination communities (rows as the
// coordination store keeps them), risk-factor changes (assessments through the risk service), public reports
// awaiting moderation; the rule editor's preview of a draft rule (validated, nothing stored); the replay API.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Actor, Role } from '../auth/permissions.ts';
import { createUser } from '../auth/service.ts';
import type { Database } from '../db/types.ts';
import { createAssessment } from '../risk/framework/service.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../scenario/service.ts';
import { insertSituation } from '../situations/service.ts';
import { addDays } from './evaluate.ts';
import { createRule, evaluateSituation, todayUtc } from './service.ts';

const SLUG = 'watch';

async function insertCommunity(
  db: Database,
  situationId: string,
  finishedAt: string,
  communities: { number: number; size: number; flagged: number; accounts: string[] }[],
): Promise<string[]> {
  const [run] = await db.query<{ id: string }>(
    `INSERT INTO coordination_runs (situation_id, status, created_at, finished_at)
     VALUES ($1, 'done', $2, $2) RETURNING id`,
    [situationId, finishedAt],
  );
  const ids: string[] = [];
  for (const c of communities) {
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO coordination_communities (run_id, situation_id, number, label, size, flagged_accounts, summary, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        run!.id,
        situationId,
        c.number,
        `denial network ${c.number}`,
        c.size,
        c.flagged,
        JSON.stringify({ accounts: c.accounts.map((author) => ({ author, author_name: null, score: 1 })) }),
        finishedAt,
      ],
    );
    ids.push(row!.id);
  }
  return ids;
}

describeEachDatabase('alert rules over coordination, risk and reports', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  let analyst: Actor;
  let situationId = '';

  before(async () => {
    const db = getDb();
    tokens = await createUsersWithTokens(db);
    app = await buildTestApp(db);
    situationId = (
      await insertSituation(db, {
        slug: SLUG,
        name: 'Watch',
        startsOn: '2023-01-01',
        visibility: 'public',
      } as never)
    ).id;
    const user = await createUser(db, {
      email: 'rules@example.org',
      password: 'a long enough password',
      role: 'analyst',
    });
    analyst = { kind: 'user', user: { id: user.id, email: user.email, role: 'analyst' }, via: 'token' };
  });

  it('raises a new coordination community above the size, once, with the community as evidence', async () => {
    const db = getDb();
    const rule = await createRule(db, analyst, SLUG, {
      name: 'Large coordinated community',
      kind: 'coordination.community',
      parameters: { minSize: 10 },
      severity: 'warning',
    });
    const day = todayUtc();
    const [large, small] = await insertCommunity(db, situationId, `${day}T08:00:00Z`, [
      { number: 1, size: 14, flagged: 9, accounts: ['a', 'b', 'c', 'd'] },
      { number: 2, size: 4, flagged: 4, accounts: ['x', 'y'] },
    ]);
    const first = await evaluateSituation(db, SLUG, day);
    assert.equal(first.opened.length, 1);
    const [alert] = await db.query<{ episode_key: string; evidence: { kind: string; ref: string }[] }>(
      'SELECT episode_key, evidence FROM alerts WHERE rule_id = $1',
      [rule.id],
    );
    assert.equal(alert?.episode_key, `community:${large}`);
    assert.deepEqual(
      alert?.evidence.map((e) => [e.kind, e.ref]),
      [['coordination', large]],
    );
    assert.notEqual(large, small);
    // A second run finds the same accounts again: not new, no second alert.
    await insertCommunity(db, situationId, `${day}T09:00:00Z`, [
      { number: 1, size: 15, flagged: 10, accounts: ['a', 'b', 'c', 'e'] },
    ]);
    const again = await evaluateSituation(db, SLUG, day);
    assert.deepEqual(again.opened, []);
    await db.query('UPDATE alert_rules SET enabled = false WHERE id = $1', [rule.id]);
  });

  it("raises a risk factor's rise between consecutive assessments, through the risk service", async () => {
    const db = getDb();
    const rule = await createRule(db, analyst, SLUG, {
      name: 'Risk factor rises',
      kind: 'risk.factor_change',
      parameters: { change: 'rise', factors: [1, 9] },
      severity: 'critical',
    });
    const day = todayUtc();
    const before = await createAssessment(db, analyst, SLUG, {
      assessedOn: addDays(day, -30),
      marks: [
        { indicator: '1.1', status: 'absent' },
        { indicator: '2.1', status: 'absent' },
      ],
    } as never);
    await createAssessment(db, analyst, SLUG, {
      assessedOn: addDays(day, -2),
      copyFrom: before.id,
      marks: [
        { indicator: '1.1', status: 'strongly-present' },
        { indicator: '2.1', status: 'present' }, // factor 2 is not watched by this rule
      ],
    } as never);
    const result = await evaluateSituation(db, SLUG, day);
    assert.equal(result.opened.length, 1);
    const [alert] = await db.query<{ episode_key: string; title: string; fired_on: string }>(
      'SELECT episode_key, title, fired_on FROM alerts WHERE rule_id = $1',
      [rule.id],
    );
    assert.match(alert!.episode_key, /^risk-factor:.+:1$/);
    assert.equal(alert!.fired_on, addDays(day, -2));
    assert.match(alert!.title, /Risk factor 1 rose to strongly present/);
    await db.query('UPDATE alert_rules SET enabled = false WHERE id = $1', [rule.id]);
  });

  it('raises a public report awaiting moderation, without its content, and resolves it once decided', async () => {
    const db = getDb();
    const rule = await createRule(db, analyst, SLUG, {
      name: 'New public report',
      kind: 'reports.pending',
      parameters: {},
      severity: 'info',
    });
    const [report] = await db.query<{ id: string }>(
      `INSERT INTO public_reports (situation_id, what, place_name, location_precision)
       VALUES ($1, 'Shelling near the school this morning', 'Secret village', 'town') RETURNING id`,
      [situationId],
    );
    const day = todayUtc();
    const opened = await evaluateSituation(db, SLUG, day);
    assert.equal(opened.opened.length, 1);
    const alertUrl = `/api/v1/alerts/${opened.opened[0]}`;
    const alert = (await app.inject({ url: alertUrl, headers: bearer(tokens.viewer) })).json();
    assert.equal(alert.kind, 'reports.pending');
    assert.deepEqual(alert.evidence, [{ kind: 'report', ref: report!.id, sources: [] }]);
    assert.doesNotMatch(
      JSON.stringify(alert),
      /Shelling|school|Secret village/,
      'the witness’s words stay in the queue',
    );
    await db.query(
      `UPDATE public_reports SET status = 'rejected', reason = 'duplicate', decided_by_label = 'a moderator',
         decided_at = now() WHERE id = $1`,
      [report!.id],
    );
    const decided = await evaluateSituation(db, SLUG, day);
    assert.deepEqual(decided.resolved, opened.opened);
    const after = (await app.inject({ url: alertUrl, headers: bearer(tokens.viewer) })).json();
    assert.equal(after.status, 'resolved');
    assert.equal(after.resolvedBy, 'condition cleared');
    assert.equal(after.endedOn, day);
    await db.query('UPDATE alert_rules SET enabled = false WHERE id = $1', [rule.id]);
  });

  it('accepts the new kinds over the API and refuses invalid ones naming the field', async () => {
    const url = `/api/v1/situations/${SLUG}/alert-rules`;
    const post = (payload: object) =>
      app.inject({ method: 'POST', url, payload, headers: bearer(tokens.analyst) });
    const bad = await post({
      name: 'x',
      kind: 'risk.factor_change',
      parameters: { change: 'sideways' },
      severity: 'info',
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad.json().errors.map((e: { field: string }) => e.field),
      ['parameters.change'],
    );
    const unknown = await post({ name: 'x', kind: 'coordination.size', parameters: {}, severity: 'info' });
    assert.equal(unknown.statusCode, 400);
    for (const [kind, parameters] of [
      ['coordination.community', { minSize: 5, minFlagged: 2 }],
      ['risk.factor_change', { change: 'any' }],
      ['reports.pending', { waitingDays: 2 }],
    ] as const) {
      const res = await post({ name: kind, kind, parameters, severity: 'info' });
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(res.json().parameters, parameters);
    }
  });
});

describeEachDatabase('rule preview and replay over the scenario', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  const BASE = `/api/v1/situations/${BUILT_IN_SCENARIO}`;

  before(async () => {
    await importScenario(getDb(), BUILT_IN_SCENARIO);
    tokens = await createUsersWithTokens(getDb());
    app = await buildTestApp(getDb());
  });

  it('previews a draft rule over past data without storing anything, and names the bad field', async () => {
    const db = getDb();
    const count = async () =>
      (
        await db.query<{ n: number }>(
          'SELECT (SELECT count(*) FROM alert_rules) + (SELECT count(*) FROM alerts) AS n',
        )
      )[0]!.n;
    const before = await count();
    const draft = { kind: 'lifeline.full_closure', parameters: {}, severity: 'critical' };
    const res = await app.inject({
      method: 'POST',
      url: `${BASE}/alert-rules/preview?asOf=2023-09-30`,
      payload: draft,
      headers: bearer(tokens.analyst),
    });
    assert.equal(res.statusCode, 200, res.body);
    const [closure] = res.json().episodes;
    assert.equal(closure.firedOn, '2023-06-15');
    assert.deepEqual(
      closure.evidence.map((e: { ref: string }) => e.ref),
      ['nk-032'],
    );
    const bad = await app.inject({
      method: 'POST',
      url: `${BASE}/alert-rules/preview`,
      payload: { kind: 'lifeline.coverage_below', parameters: { threshold: 0, minDays: 7 } },
      headers: bearer(tokens.analyst),
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].field, 'parameters.threshold');
    const viewer = await app.inject({
      method: 'POST',
      url: `${BASE}/alert-rules/preview`,
      payload: draft,
      headers: bearer(tokens.viewer),
    });
    assert.equal(viewer.statusCode, 403);
    assert.equal(await count(), before, 'a preview stores nothing');
  });

  it('returns the replay of the default rule set for the timeline, and of the situation rules to managers', async () => {
    const res = await app.inject({ url: `${BASE}/alert-replay`, headers: bearer(tokens.viewer) });
    assert.equal(res.statusCode, 200, res.body);
    const replay = res.json();
    assert.equal(replay.ruleSet, 'default');
    assert.equal(replay.from, '2022-12-12');
    const closure = replay.alerts.find((a: { kind: string }) => a.kind === 'lifeline.full_closure');
    assert.equal(closure.firedOn, '2023-06-15');
    const coverage = replay.alerts.find(
      (a: { kind: string; severity: string }) =>
        a.kind === 'lifeline.coverage_below' && a.severity === 'critical',
    );
    assert.ok(coverage.daysHeld >= 140, 'weeks of coverage under 10%');
    const own = await app.inject({
      url: `${BASE}/alert-replay?rules=situation`,
      headers: bearer(tokens.viewer),
    });
    assert.equal(own.statusCode, 403);
    const mine = await app.inject({
      url: `${BASE}/alert-replay?rules=situation`,
      headers: bearer(tokens.analyst),
    });
    assert.equal(mine.statusCode, 200);
    assert.deepEqual(mine.json().alerts, [], 'no rules of its own yet');
    const reversed = await app.inject({
      url: `${BASE}/alert-replay?from=2023-06-01&to=2023-05-01`,
      headers: bearer(tokens.viewer),
    });
    assert.equal(reversed.statusCode, 400);
    assert.equal(reversed.json().errors[0].field, 'to');
  });
});
