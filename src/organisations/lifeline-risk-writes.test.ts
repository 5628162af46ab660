// Writes of the lifeline (observations as JSON and CSV, needs models and population, disruptions, stocks,
// records at once, re-deriving) and of the risk framework (assessments and their indicator marks, stage
// observations, suggestion refresh and decisions) in an organisation's PUBLIC situation: reading it is open
// to all, but only the organisation's members (and admins) write to it. A non-member with the right role
// gets 403 and nothing is written.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens, TEST_PASSWORD } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { createApiToken, createUser } from '../auth/service.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../scenario/service.ts';

const SLUG = BUILT_IN_SCENARIO; // moved into organisation B, left public
const BASE = `/api/v1/situations/${SLUG}`;
const LIFELINE = `${BASE}/lifeline`;
const SOURCES = [{ url: 'https://example.org/org-writes', outlet: 'Example' }];

// Every table these writes add to, change or remove from: a refused write must leave all of them as they were.
const TABLES = [
  'lifeline_observations',
  'lifeline_needs',
  'lifeline_population',
  'lifeline_disruptions',
  'lifeline_stocks',
  'risk_assessments',
  'risk_assessment_marks',
  'genocide_stage_observations',
  'risk_suggestions',
];

// One body per lifeline write; `tag` keeps the refs of each writer apart (refs are unique per situation).
const observation = (tag: string) => ({
  periodStart: '2023-08-01',
  route: 'lachin-corridor',
  commodity: 'food',
  quantity: 10,
  unit: 't',
  carriers: ['icrc'],
  direction: 'in',
  confidence: 'medium',
  sources: [{ url: `https://example.org/org-writes/${tag}` }],
});
const observationsCsv = (tag: string) =>
  [
    'period_start,route,commodity,quantity,unit,carriers,direction,confidence,sources',
    '#date+start,#loc+route,#item+type,#value+quantity,#value+unit,#org+carrier,#meta+direction,#meta+confidence,#meta+source+url',
    `2023-08-02,lachin-corridor,fuel,0.1,t,russian-peacekeepers,in,medium,https://example.org/csv/${tag}`,
  ].join('\r\n');
const needsModel = (tag: string) => ({
  ref: `needs-${tag}`,
  commodity: 'cargo',
  model: 'baseline-rate',
  rate: 400,
  label: `Baseline ${tag}`,
  assumptions: 'A fixture: the rate is not a claim about the scenario',
  sources: SOURCES,
});
const population = (tag: string, onDate: string) => ({
  ref: `population-${tag}`,
  onDate,
  persons: 120_000,
  sources: SOURCES,
});
const disruption = (tag: string, startsOn: string) => ({
  ref: `cut-${tag}`,
  kind: 'internet',
  status: 'cut',
  startsOn,
  endsOn: startsOn,
  confidence: 'medium',
  sources: SOURCES,
});
const stock = (tag: string) => ({
  ref: `stock-${tag}`,
  commodity: 'flour',
  onDate: '2023-07-01',
  quantity: 1000,
  unit: 't',
  sources: SOURCES,
});

describeEachDatabase('lifeline and risk writes in an organisation’s public situation', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  // Members of organisation B, and of organisation A (with the same roles: only membership differs).
  const member = { documenterB: '', analystB: '', documenterA: '', analystA: '' };
  const ids = { assessment: '', stage: '', pending: '' };

  const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: object) =>
    app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const sendCsv = (token: string, body: string) =>
    app.inject({
      method: 'POST',
      url: `${LIFELINE}/observations`,
      headers: { ...bearer(token), 'content-type': 'text/csv' },
      body,
    });

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      const [row] = await getDb().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      out[table] = row!.n;
    }
    return out;
  };

  /** Every lifeline write, by one writer (a documenter), in the order B's member makes them. */
  const lifelineWrites = async (
    token: string,
    tag: string,
    day: string,
  ): Promise<[string, LightMyRequestResponse][]> => [
    [
      'observations',
      await send('POST', `${LIFELINE}/observations`, token, { observations: [observation(tag)] }),
    ],
    ['observations (CSV)', await sendCsv(token, observationsCsv(tag))],
    [
      'needs and population',
      await send('POST', `${LIFELINE}/needs`, token, {
        models: [needsModel(tag)],
        population: [population(tag, day)],
      }),
    ],
    [
      'disruptions',
      await send('POST', `${LIFELINE}/disruptions`, token, { disruptions: [disruption(tag, day)] }),
    ],
    ['stocks', await send('POST', `${LIFELINE}/stocks`, token, { stocks: [stock(tag)] })],
    ['records', await send('POST', `${LIFELINE}/records`, token, { stocks: [stock(`${tag}-records`)] })],
    ['derive', await send('POST', `${LIFELINE}/derive`, token, {})],
  ];

  before(async () => {
    const db = getDb();
    await importScenario(db, SLUG);
    tokens = await createUsersWithTokens(db);
    for (const [key, role] of [
      ['documenterB', 'documenter'],
      ['analystB', 'analyst'],
      ['documenterA', 'documenter'],
      ['analystA', 'analyst'],
    ] as const) {
      const email = `${key.toLowerCase()}@example.org`;
      await createUser(db, { email, password: TEST_PASSWORD, role });
      member[key] = (await createApiToken(db, email, 'test')).token;
    }
    app = await buildTestApp(db);
    for (const [slug, members] of [
      ['org-a', ['documentera@example.org', 'analysta@example.org']],
      ['org-b', ['documenterb@example.org', 'analystb@example.org']],
    ] as const) {
      const made = await send('POST', '/api/v1/organisations', tokens.admin, { slug, name: slug });
      assert.equal(made.statusCode, 201, made.body);
      for (const email of members) {
        const added = await send('POST', `/api/v1/organisations/${slug}/members`, tokens.admin, { email });
        assert.equal(added.statusCode, 201, added.body);
      }
    }
    const moved = await send('PATCH', BASE, tokens.admin, { organisation: 'org-b' });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(moved.json().visibility, 'public');
  });

  after(async () => {
    await app.close();
  });

  it('lets B’s documenter write the lifeline', async () => {
    for (const [what, res] of await lifelineWrites(member.documenterB, 'b', '2023-07-10')) {
      assert.ok([200, 201].includes(res.statusCode), `${what}: ${res.statusCode} ${res.body}`);
    }
    const stocks = (await app.inject({ url: `${LIFELINE}/stocks` })).json().items;
    assert.ok(stocks.some((s: { ref: string }) => s.ref === 'stock-b-records'));
  });

  it('lets B’s analyst write assessments, marks, stage observations and suggestion decisions', async () => {
    const created = await send('POST', `${BASE}/assessments`, member.analystB, {
      assessedOn: '2023-01-15',
      title: 'By B',
      marks: [{ indicator: '7.10', status: 'present' }],
    });
    assert.equal(created.statusCode, 201, created.body);
    ids.assessment = created.json().id;
    const marked = await send('PATCH', `${BASE}/assessments/${ids.assessment}`, member.analystB, {
      marks: [{ indicator: '1.1', status: 'absent' }],
    });
    assert.equal(marked.statusCode, 200, marked.body);
    const stage = await send('POST', `${BASE}/stages`, member.analystB, {
      stage: 'denial',
      observedOn: '2023-01-01',
      note: 'Recorded by B',
    });
    assert.equal(stage.statusCode, 201, stage.body);
    const removable = await send('POST', `${BASE}/stages`, member.analystB, {
      stage: 'denial',
      observedOn: '2023-01-02',
      note: 'Recorded in error',
    });
    assert.equal(
      (await send('DELETE', `${BASE}/stages/${removable.json().id}`, member.analystB)).statusCode,
      204,
    );
    ids.stage = stage.json().id;
    const refreshed = await send('POST', `${BASE}/suggestions/refresh`, member.analystB, {});
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const suggested = refreshed.json().created;
    assert.ok(suggested.length >= 2, 'the scenario’s lifeline suggests at least two indicators');
    const decided = await send('POST', `${BASE}/suggestions/${suggested[0].id}/decision`, member.analystB, {
      decision: 'rejected',
      note: 'decided by B',
    });
    assert.equal(decided.statusCode, 200, decided.body);
    ids.pending = suggested[1].id;
  });

  it('refuses every lifeline and risk write from outside B with 403, and writes nothing', async () => {
    const db = getDb();
    // Leave something for each idempotent write to do, had it been let through: a derived disruption to
    // restore (derive) and a suggestion to make again (refresh).
    await db.query(`DELETE FROM lifeline_disruptions WHERE external_ref = 'nk-015'`);
    await db.query(`DELETE FROM risk_suggestions WHERE status = 'pending' AND id <> $1`, [ids.pending]);
    const counted = await counts();
    // Same roles as B's members, in another organisation or in none: only membership is missing.
    for (const [who, documenter, analyst] of [
      ['member of A', member.documenterA, member.analystA],
      ['member of no organisation', tokens.documenter, tokens.analyst],
    ] as const) {
      const writes: [string, LightMyRequestResponse][] = [
        ...(await lifelineWrites(documenter, 'refused', '2023-07-20')),
        ['derive (analyst)', await send('POST', `${LIFELINE}/derive`, analyst, {})],
        [
          'assessment',
          await send('POST', `${BASE}/assessments`, analyst, {
            assessedOn: '2023-02-01',
            marks: [{ indicator: '7.10', status: 'strongly-present' }],
          }),
        ],
        [
          'assessment copy',
          await send('POST', `${BASE}/assessments`, analyst, {
            assessedOn: '2023-02-01',
            copyFrom: ids.assessment,
          }),
        ],
        [
          'assessment change and marks',
          await send('PATCH', `${BASE}/assessments/${ids.assessment}`, analyst, {
            title: 'Overwritten',
            marks: [{ indicator: '1.1', status: 'strongly-present' }],
          }),
        ],
        [
          'stage observation',
          await send('POST', `${BASE}/stages`, analyst, {
            stage: 'denial',
            observedOn: '2023-01-03',
            note: 'refused',
          }),
        ],
        ['stage removal', await send('DELETE', `${BASE}/stages/${ids.stage}`, analyst)],
        ['suggestion refresh', await send('POST', `${BASE}/suggestions/refresh`, analyst, {})],
        [
          'suggestion decision',
          await send('POST', `${BASE}/suggestions/${ids.pending}/decision`, analyst, {
            decision: 'accepted',
            assessmentId: ids.assessment,
          }),
        ],
      ];
      for (const [what, res] of writes) {
        assert.equal(res.statusCode, 403, `${what} by a ${who}: ${res.body}`);
        assert.match(res.json().detail ?? res.body, /only members of the situation's organisation/, what);
      }
    }
    assert.deepEqual(await counts(), counted, 'nothing was written');
    const assessment = (await app.inject({ url: `${BASE}/assessments/${ids.assessment}` })).json();
    assert.equal(assessment.title, 'By B');
    const mark = (indicator: string) =>
      assessment.marks.find((m: { indicator: string }) => m.indicator === indicator).status;
    assert.deepEqual([mark('7.10'), mark('1.1')], ['present', 'absent'], 'the marks stay as B set them');
    const pending = (await app.inject({ url: `${BASE}/suggestions?status=pending` })).json().items;
    assert.deepEqual(
      pending.map((s: { id: string }) => s.id),
      [ids.pending],
      'the suggestion is still pending',
    );
    // The situation itself stays public: the same people still read it.
    for (const token of [member.analystA, tokens.documenter]) {
      const read = await app.inject({ url: `${LIFELINE}/stocks`, headers: bearer(token) });
      assert.equal(read.statusCode, 200);
      assert.equal(
        (await app.inject({ url: `${BASE}/assessments`, headers: bearer(token) })).statusCode,
        200,
      );
    }
  });

  it('lets admins write in every organisation', async () => {
    for (const [what, res] of await lifelineWrites(tokens.admin, 'admin', '2023-07-30')) {
      assert.ok([200, 201].includes(res.statusCode), `${what}: ${res.statusCode} ${res.body}`);
      if (what === 'derive') assert.deepEqual(res.json().disruptions.added, ['nk-015']);
    }
    const created = await send('POST', `${BASE}/assessments`, tokens.admin, { assessedOn: '2023-03-01' });
    assert.equal(created.statusCode, 201, created.body);
    const refreshed = await send('POST', `${BASE}/suggestions/refresh`, tokens.admin, {});
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.ok(refreshed.json().created.length > 0, 'the removed suggestions are made again');
    const decided = await send('POST', `${BASE}/suggestions/${ids.pending}/decision`, tokens.admin, {
      decision: 'rejected',
    });
    assert.equal(decided.statusCode, 200, decided.body);
    assert.equal((await send('DELETE', `${BASE}/stages/${ids.stage}`, tokens.admin)).statusCode, 204);
  });
});
