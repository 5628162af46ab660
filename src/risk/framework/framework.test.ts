// Structured risk assessment on both databases, over HTTP: permissions, assessments with links,
// summaries, diffs, the printable report, stage observations, and lifeline suggestions with decisions.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDatabase } from '../../../test/support/db.ts';
import { bearer, createUsersWithTokens } from '../../../test/support/fixtures.ts';
import type { Role } from '../../auth/permissions.ts';
import { insertIncident } from '../../evidence/incidents.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../../scenario/service.ts';
import { insertSituation } from '../../situations/service.ts';
import { INDICATOR_IDS } from './catalogue.ts';
import { recordSuggestions } from './suggestions.ts';

const SLUG = BUILT_IN_SCENARIO;
const BASE = `/api/v1/situations/${SLUG}`;

describeEachDatabase('risk framework', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  let incidentId: string;
  let otherIncidentId: string;
  let firstId: string;
  let secondId: string;

  before(async () => {
    const db = getDb();
    await importScenario(db, SLUG);
    tokens = await createUsersWithTokens(db);
    app = await buildTestApp(db);
    const incidents = (await app.inject({ url: `${BASE}/incidents?limit=5` })).json().items;
    incidentId = incidents[0].id;
    const hidden = await insertSituation(db, {
      slug: 'hidden-place',
      name: 'Hidden',
      startsOn: '2023-01-01',
      visibility: 'private',
    });
    otherIncidentId = await insertIncident(
      db,
      hidden.id,
      {
        title: 'Elsewhere',
        category: 'test',
        start: '2023-02-01',
        confidence: 'low',
        status: 'published',
        sources: [{ url: 'https://example.org/x' }],
      },
      { userId: null, label: 'test' },
    );
  });

  const post = (url: string, role: Role | null, payload: object) =>
    app.inject({ method: 'POST', url, payload, headers: role ? bearer(tokens[role]) : {} });

  it('lets only analysts and admins write (401 anonymous, 403 other roles)', async () => {
    const body = { assessedOn: '2023-01-15' };
    assert.equal((await post(`${BASE}/assessments`, null, body)).statusCode, 401);
    for (const role of ['viewer', 'documenter', 'organiser'] as const) {
      assert.equal((await post(`${BASE}/assessments`, role, body)).statusCode, 403, role);
      assert.equal(
        (await post(`${BASE}/stages`, role, { stage: 'denial', observedOn: '2023-01-01', note: 'x' }))
          .statusCode,
        403,
      );
      assert.equal((await post(`${BASE}/suggestions/refresh`, role, {})).statusCode, 403);
    }
    assert.equal((await post(`${BASE}/suggestions/refresh`, null, {})).statusCode, 401);
  });

  it('follows the situation visibility on reads', async () => {
    const url = '/api/v1/situations/hidden-place/assessments';
    assert.equal((await app.inject({ url })).statusCode, 404);
    assert.equal((await app.inject({ url, headers: bearer(tokens.viewer) })).statusCode, 200);
    assert.equal((await post(url, 'analyst', { assessedOn: '2023-01-01' })).statusCode, 201);
    assert.equal((await app.inject({ url: '/api/v1/situations/hidden-place/stages' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/api/v1/situations/hidden-place/suggestions' })).statusCode, 404);
  });

  it('creates a dated assessment with marks, links and a factor summary', async () => {
    const res = await post(`${BASE}/assessments`, 'analyst', {
      assessedOn: '2023-01-15',
      title: 'One month into the blockade',
      marks: [
        {
          indicator: '7.10',
          status: 'present',
          note: 'Corridor closed <b>since</b> 12 December',
          incidents: [incidentId],
        },
        { indicator: '1.1', status: 'strongly-present' },
        { indicator: '9.2', status: 'absent' },
      ],
    });
    assert.equal(res.statusCode, 201, res.body);
    const a = res.json();
    firstId = a.id;
    assert.equal(a.assessedOn, '2023-01-15');
    assert.equal(a.createdBy, 'analyst@example.org');
    assert.equal(a.marks.length, INDICATOR_IDS.length);
    const m710 = a.marks.find((m: { indicator: string }) => m.indicator === '7.10');
    assert.deepEqual([m710.status, m710.incidents], ['present', [incidentId]]);
    assert.equal(a.marks.find((m: { indicator: string }) => m.indicator === '7.11').status, 'unknown');
    const f1 = a.factors.find((f: { factor: number }) => f.factor === 1);
    assert.deepEqual([f1.level, f1.stronglyPresent, f1.unknown], ['strongly-present', 1, 10]);
    assert.equal(a.factors.length, 14);
  });

  it('refuses unknown indicators and links to another situation', async () => {
    const bad = await post(`${BASE}/assessments`, 'analyst', {
      assessedOn: '2023-01-15',
      marks: [{ indicator: '99.1', status: 'present' }],
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail, /99\.1/);
    const foreign = await post(`${BASE}/assessments`, 'analyst', {
      assessedOn: '2023-01-15',
      marks: [{ indicator: '7.10', status: 'present', incidents: [otherIncidentId] }],
    });
    assert.equal(foreign.statusCode, 400);
    assert.match(foreign.json().detail, /is not an incident of/);
    const missingItem = await post(`${BASE}/assessments`, 'analyst', {
      assessedOn: '2023-01-15',
      marks: [{ indicator: '7.10', status: 'present', items: ['00000000-0000-4000-8000-000000000000'] }],
    });
    assert.equal(missingItem.statusCode, 400);
  });

  it('copies an earlier assessment, updates it, and diffs the two', async () => {
    const res = await post(`${BASE}/assessments`, 'admin', { assessedOn: '2023-09-01', copyFrom: firstId });
    assert.equal(res.statusCode, 201, res.body);
    secondId = res.json().id;
    const patched = await app.inject({
      method: 'PATCH',
      url: `${BASE}/assessments/${secondId}`,
      headers: bearer(tokens.analyst),
      payload: {
        title: 'Before the offensive',
        marks: [{ indicator: '7.10', status: 'strongly-present', note: 'Nine months' }],
      },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(
      patched.json().marks.find((m: { indicator: string }) => m.indicator === '1.1').status,
      'strongly-present',
    );
    const diff = await app.inject({ url: `${BASE}/assessments/diff?from=${firstId}&to=${secondId}` });
    assert.equal(diff.statusCode, 200, diff.body);
    const d = diff.json();
    assert.equal(d.from.id, firstId);
    assert.deepEqual(
      d.changes.map((c: { indicator: string; from: string; to: string; direction: string }) => [
        c.indicator,
        c.from,
        c.to,
        c.direction,
      ]),
      [['7.10', 'present', 'strongly-present', 'up']],
    );
    assert.deepEqual(d.changes[0].linksRemoved, { incidents: [incidentId], items: [] });
    assert.deepEqual(
      d.factors.map((f: { factor: number }) => f.factor),
      [7],
    );
    const list = (await app.inject({ url: `${BASE}/assessments` })).json().items;
    assert.deepEqual(
      list.map((a: { id: string }) => a.id),
      [firstId, secondId],
    );
  });

  it('prints a report with every factor heading, escaped notes and citations', async () => {
    const res = await app.inject({ url: `${BASE}/assessments/${firstId}/report` });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/html/);
    for (let n = 1; n <= 14; n++) assert.match(res.body, new RegExp(`<h2>Risk Factor ${n}: `));
    assert.match(res.body, /A\/70\/741–S\/2016\/71/);
    assert.match(res.body, /Corridor closed &lt;b&gt;since&lt;\/b&gt;/);
    assert.match(res.body, /@media print/);
    assert.equal((await app.inject({ url: `${BASE}/assessments/not-an-id/report` })).statusCode, 404);
  });

  it('records dated stage observations with links, and removes one made in error', async () => {
    const res = await post(`${BASE}/stages`, 'analyst', {
      stage: 'persecution',
      observedOn: '2022-12-12',
      endsOn: '2023-09-19',
      note: 'Blockade of the corridor',
      incidents: [incidentId],
    });
    assert.equal(res.statusCode, 201, res.body);
    const ladder = (await app.inject({ url: `${BASE}/stages` })).json();
    assert.equal(ladder.stages.length, 10);
    assert.deepEqual(
      ladder.stages.map((s: { order: number }) => s.order),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    const persecution = ladder.stages.find((s: { id: string }) => s.id === 'persecution');
    assert.deepEqual(
      persecution.observations.map((o: { incidents: string[] }) => o.incidents),
      [[incidentId]],
    );
    const bad = await post(`${BASE}/stages`, 'analyst', {
      stage: 'denial',
      observedOn: '2023-02-01',
      endsOn: '2023-01-01',
      note: 'x',
    });
    assert.equal(bad.statusCode, 400);
    const del = await app.inject({
      method: 'DELETE',
      url: `${BASE}/stages/${res.json().id}`,
      headers: bearer(tokens.analyst),
    });
    assert.equal(del.statusCode, 204);
    const after = (await app.inject({ url: `${BASE}/stages` })).json();
    assert.equal(after.stages.flatMap((s: { observations: unknown[] }) => s.observations).length, 0);
  });

  it('suggests indicators from the lifeline without setting them, and records each decision', async () => {
    const refreshed = await post(`${BASE}/suggestions/refresh`, 'analyst', {});
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const created = refreshed.json().created;
    const coverage = created.filter((s: { originKey: string }) =>
      s.originKey.startsWith('lifeline:coverage-below:'),
    );
    assert.deepEqual(coverage.map((s: { target: string }) => s.target).sort(), ['13.8', '7.10']);
    assert.ok(
      coverage.every(
        (s: { status: string; evidence: unknown[] }) => s.status === 'pending' && s.evidence.length > 0,
      ),
    );
    assert.equal(
      (await post(`${BASE}/suggestions/refresh`, 'analyst', {})).json().created.length,
      0,
      'nothing twice',
    );
    // Nothing was set by the suggestions.
    const untouched = (await app.inject({ url: `${BASE}/assessments/${secondId}` })).json();
    assert.equal(
      untouched.marks.find((m: { indicator: string }) => m.indicator === '13.8').status,
      'unknown',
    );

    const [s710, s138] = ['7.10', '13.8'].map((t) =>
      coverage.find((s: { target: string }) => s.target === t),
    );
    const rejected = await post(`${BASE}/suggestions/${s710.id}/decision`, 'analyst', {
      decision: 'rejected',
      note: 'already marked',
    });
    assert.equal(rejected.statusCode, 200, rejected.body);
    assert.equal(rejected.json().status, 'rejected');
    assert.equal(rejected.json().decidedBy, 'analyst@example.org');
    assert.ok(rejected.json().decidedAt);
    assert.equal(rejected.json().decisionNote, 'already marked');
    assert.equal(
      (await post(`${BASE}/suggestions/${s710.id}/decision`, 'admin', { decision: 'accepted' })).statusCode,
      409,
    );
    assert.equal(
      (await post(`${BASE}/suggestions/${s138.id}/decision`, 'viewer', { decision: 'accepted' })).statusCode,
      403,
    );

    const accepted = await post(`${BASE}/suggestions/${s138.id}/decision`, 'admin', {
      decision: 'accepted',
      assessmentId: secondId,
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.deepEqual(
      [accepted.json().status, accepted.json().decidedBy, accepted.json().appliedToAssessment],
      ['accepted', 'admin@example.org', secondId],
    );
    const mark = (await app.inject({ url: `${BASE}/assessments/${secondId}` }))
      .json()
      .marks.find((m: { indicator: string }) => m.indicator === '13.8');
    assert.equal(mark.status, 'present');
    assert.match(mark.note, /Accepted suggestion \(lifeline\): coverage of/);

    const pending = (await app.inject({ url: `${BASE}/suggestions?status=pending` })).json().items;
    assert.ok(!pending.some((s: { id: string }) => s.id === s710.id || s.id === s138.id));
    const decided = (await app.inject({ url: `${BASE}/suggestions?status=rejected` })).json().items;
    assert.deepEqual(
      decided.map((s: { id: string }) => s.id),
      [s710.id],
    );
  });

  it('refreshes quietly where the lifeline has nothing, and turns an accepted stage suggestion into an observation', async () => {
    const empty = await post('/api/v1/situations/hidden-place/suggestions/refresh', 'analyst', {});
    assert.equal(empty.statusCode, 200, empty.body);
    assert.deepEqual(empty.json().created, []);

    const situationId = (
      await getDb().query<{ id: string }>('SELECT id FROM situations WHERE slug = $1', [SLUG])
    )[0]!.id;
    const [draft] = await recordSuggestions(getDb(), situationId, [
      {
        targetKind: 'stage',
        target: 'denial',
        origin: 'test',
        originKey: 'test:denial:1',
        reason: 'a coordinated denial narrative',
        startsOn: '2023-08-01',
        endsOn: null,
        evidence: [],
      },
    ]);
    const bad = await post(`${BASE}/suggestions/${draft!.id}/decision`, 'analyst', {
      decision: 'accepted',
      assessmentId: firstId,
    });
    assert.equal(bad.statusCode, 400, 'a stage suggestion is not a mark');
    const ok = await post(`${BASE}/suggestions/${draft!.id}/decision`, 'analyst', { decision: 'accepted' });
    assert.equal(ok.statusCode, 200, ok.body);
    const denial = (await app.inject({ url: `${BASE}/stages` }))
      .json()
      .stages.find((s: { id: string }) => s.id === 'denial');
    assert.deepEqual(
      denial.observations.map((o: { observedOn: string; suggestionId: string }) => [
        o.observedOn,
        o.suggestionId,
      ]),
      [['2023-08-01', draft!.id]],
    );
  });

  it('describes its routes in the OpenAPI document', async () => {
    const doc = (await app.inject({ url: '/api/v1/openapi.json' })).json();
    for (const path of [
      '/api/v1/situations/{slug}/assessments',
      '/api/v1/situations/{slug}/assessments/{id}/report',
      '/api/v1/situations/{slug}/stages',
      '/api/v1/situations/{slug}/suggestions/{id}/decision',
    ]) {
      assert.ok(doc.paths[path], path);
    }
  });
});
