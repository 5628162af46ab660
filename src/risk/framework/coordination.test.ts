// The "denial" stage suggested from coordination, on both databases and over HTTP: narratives an analyst
// labelled denial or downplaying (rows inserted directly, as the coordination module stores them) become
// pending suggestions with the narrative as evidence; nothing is set until an analyst decides; accepting
// records a dated denial observation linked to the narrative's incidents; rejecting is recorded too.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDatabase } from '../../../test/support/db.ts';
import { bearer, createUsersWithTokens } from '../../../test/support/fixtures.ts';
import type { Role } from '../../auth/permissions.ts';
import { insertIncident } from '../../evidence/incidents.ts';
import { insertSituation } from '../../situations/service.ts';

const SLUG = 'denial-test';
const BASE = `/api/v1/situations/${SLUG}`;

describeEachDatabase('risk suggestions from coordination', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  let incidentId: string;
  const narrative: Record<string, string> = {};

  before(async () => {
    const db = getDb();
    tokens = await createUsersWithTokens(db);
    app = await buildTestApp(db);
    const situation = await insertSituation(db, {
      slug: SLUG,
      name: 'Denial test',
      startsOn: '2023-01-01',
      visibility: 'public',
    });
    incidentId = await insertIncident(
      db,
      situation.id,
      {
        title: 'Convoy turned back',
        category: 'blockade',
        start: '2023-03-01',
        confidence: 'high',
        status: 'published',
        sources: [{ url: 'https://example.org/convoy' }],
      },
      { userId: null, label: 'test' },
    );
    const [run] = await db.query<{ id: string }>(
      `INSERT INTO coordination_runs (situation_id, status, finished_at) VALUES ($1, 'done', now()) RETURNING id`,
      [situation.id],
    );
    const stances = ['denial', 'downplaying', 'other', 'unassessed'] as const;
    for (const [i, stance] of stances.entries()) {
      const [row] = await db.query<{ id: string }>(
        `INSERT INTO coordination_narratives (run_id, situation_id, number, label, post_count, account_count, summary,
           first_seen, last_seen, stance, stance_note, stance_set_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $10 = 'unassessed' THEN NULL ELSE now() END)
         RETURNING id`,
        [
          run!.id,
          situation.id,
          i + 1,
          `"There is no blockade" (${stance})`,
          120 + i,
          30 + i,
          JSON.stringify({ top_links: [{ url: `https://example.org/post-${i}`, count: 4 }] }),
          `2023-0${i + 2}-01T08:00:00Z`,
          `2023-0${i + 2}-20T08:00:00Z`,
          stance,
          stance === 'denial' ? 'Same wording from 30 new accounts' : null,
        ],
      );
      narrative[stance] = row!.id;
    }
    await db.query(
      `INSERT INTO coordination_links (situation_id, narrative_id, incident_id, note) VALUES ($1, $2, $3, 'denies it')`,
      [situation.id, narrative.denial, incidentId],
    );
  });

  const post = (url: string, role: Role, payload: object = {}) =>
    app.inject({ method: 'POST', url, payload, headers: bearer(tokens[role]) });
  const pending = async () =>
    (await app.inject({ url: `${BASE}/suggestions?status=pending` })).json().items as {
      id: string;
      target: string;
      targetKind: string;
      origin: string;
      reason: string;
      startsOn: string;
      endsOn: string;
      evidence: { ref: string; sources: { url: string }[] }[];
    }[];
  const denialObservations = async () =>
    (await app.inject({ url: `${BASE}/stages` })).json().stages.find((s: { id: string }) => s.id === 'denial')
      .observations;

  it('suggests the denial stage for each narrative labelled denial or downplaying, and sets nothing', async () => {
    const res = await post(`${BASE}/suggestions/refresh`, 'analyst');
    assert.equal(res.statusCode, 200, res.body);
    const created = res.json().created.filter((s: { origin: string }) => s.origin === 'coordination');
    assert.equal(created.length, 2);
    const list = (await pending()).filter((s) => s.origin === 'coordination');
    assert.deepEqual(
      list.map((s) => [s.targetKind, s.target]),
      [
        ['stage', 'denial'],
        ['stage', 'denial'],
      ],
    );
    const denial = list.find((s) => s.evidence[0]?.ref === `coordination-narrative:${narrative.denial}`);
    assert.ok(denial, 'the denial narrative is the evidence of its suggestion');
    assert.match(denial.reason, /labelled the coordinated narrative .* as denial \(120 posts by 30 accounts/);
    assert.match(denial.reason, /Same wording from 30 new accounts/);
    assert.equal(denial.startsOn, '2023-02-01');
    assert.equal(denial.endsOn, '2023-02-20');
    assert.deepEqual(
      denial.evidence[0]?.sources.map((s) => s.url),
      ['https://example.org/post-0'],
    );
    assert.deepEqual(denial.evidence[1], { ref: `incident:${incidentId}`, sources: [] });
    assert.ok(list.some((s) => s.evidence[0]?.ref === `coordination-narrative:${narrative.downplaying}`));
    assert.ok(!list.some((s) => s.evidence[0]?.ref === `coordination-narrative:${narrative.other}`));
    assert.deepEqual(await denialObservations(), [], 'never set automatically');
    // Refreshing again suggests nothing twice; other roles may not refresh.
    assert.equal(
      (await post(`${BASE}/suggestions/refresh`, 'analyst'))
        .json()
        .created.filter((s: { origin: string }) => s.origin === 'coordination').length,
      0,
    );
    assert.equal((await post(`${BASE}/suggestions/refresh`, 'documenter')).statusCode, 403);
  });

  it('records an accepted suggestion as a dated denial observation linked to the evidence, and a rejection', async () => {
    const list = (await pending()).filter((s) => s.origin === 'coordination');
    const denial = list.find((s) => s.evidence[0]?.ref === `coordination-narrative:${narrative.denial}`)!;
    const downplaying = list.find((s) => s !== denial)!;
    const accepted = await post(`${BASE}/suggestions/${denial.id}/decision`, 'analyst', {
      decision: 'accepted',
      note: 'Checked the accounts',
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.equal(accepted.json().status, 'accepted');
    assert.equal(accepted.json().decidedBy, 'analyst@example.org');
    const observations = await denialObservations();
    assert.equal(observations.length, 1);
    assert.equal(observations[0].observedOn, '2023-02-01');
    assert.equal(observations[0].endsOn, '2023-02-20');
    assert.equal(observations[0].suggestionId, denial.id);
    assert.deepEqual(observations[0].incidents, [incidentId]);
    assert.match(observations[0].note, /Accepted suggestion \(coordination\).*Checked the accounts/s);

    const rejected = await post(`${BASE}/suggestions/${downplaying.id}/decision`, 'analyst', {
      decision: 'rejected',
      note: 'Ordinary disagreement, not denial',
    });
    assert.equal(rejected.json().status, 'rejected');
    assert.equal(rejected.json().decisionNote, 'Ordinary disagreement, not denial');
    assert.equal((await denialObservations()).length, 1);
    assert.equal(
      (await post(`${BASE}/suggestions/${downplaying.id}/decision`, 'analyst', { decision: 'accepted' }))
        .statusCode,
      409,
    );
  });
});
