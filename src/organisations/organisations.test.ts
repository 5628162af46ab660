// Organisations on both databases: managing them (admins only, logged), and the isolation they give: a member
// of organisation A never sees organisation B's private situation, its incidents, evidence, lifeline, risk
// assessments, measures or alerts (404, absent from lists and search), while B's members and admins do, and
// public situations stay readable by everybody.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens, TEST_PASSWORD } from '../../test/support/fixtures.ts';
import { addDays } from '../alerts/evaluate.ts';
import { evaluateSituation } from '../alerts/service.ts';
import type { Actor, Role } from '../auth/permissions.ts';
import { createApiToken, createUser, resolveApiToken } from '../auth/service.ts';
import { BlobStore } from '../evidence/blobs.ts';
import { sealItem } from '../evidence/items.ts';
import { lifelineSignals } from '../lifeline/signals.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../scenario/service.ts';
import { canRead } from '../situations/service.ts';

const B_SITUATION = BUILT_IN_SCENARIO; // the scenario, moved into organisation B and made private
const A_SITUATION = 'a-private';

describeEachDatabase('organisations', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  let memberA = '';
  let memberB = '';
  let viewerB = '';
  const ids = { bIncident: '', bDraft: '', bItem: '', bMeasure: '', bAssessment: '', bAlert: '', aDraft: '' };
  let blobDir = '';

  const get = (url: string, token?: string) => app.inject({ url, headers: token ? bearer(token) : {} });
  const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: object) =>
    app.inject({ method, url, headers: bearer(token), payload });

  const userWithToken = async (email: string, role: Role) => {
    await createUser(getDb(), { email, password: TEST_PASSWORD, role });
    return (await createApiToken(getDb(), email, 'test')).token;
  };

  before(async () => {
    const db = getDb();
    await importScenario(db, BUILT_IN_SCENARIO);
    tokens = await createUsersWithTokens(db);
    memberA = await userWithToken('analyst-a@example.org', 'analyst');
    memberB = await userWithToken('analyst-b@example.org', 'analyst');
    viewerB = await userWithToken('viewer-b@example.org', 'viewer');
    blobDir = mkdtempSync(join(tmpdir(), 'vigil-orgs-'));
    app = await buildTestApp(db, {
      evidence: { blobDir, keyDir: join(blobDir, 'keys'), maxUploadBytes: 1_000_000 },
    });
  });

  after(async () => {
    await app.close();
    rmSync(blobDir, { recursive: true, force: true });
  });

  it('lets only admins manage organisations and members, and logs who changed a membership', async () => {
    const body = { slug: 'org-a', name: 'Documentation team A' };
    assert.equal(
      (await app.inject({ method: 'POST', url: '/api/v1/organisations', payload: body })).statusCode,
      401,
    );
    for (const role of ['viewer', 'documenter', 'analyst', 'organiser'] as const) {
      assert.equal((await send('POST', '/api/v1/organisations', tokens[role], body)).statusCode, 403, role);
      assert.equal((await get('/api/v1/organisations', tokens[role])).statusCode, 403, role);
    }
    const created = await send('POST', '/api/v1/organisations', tokens.admin, body);
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(
      { ...(created.json() as object), createdAt: undefined },
      { slug: 'org-a', name: 'Documentation team A', members: 0, situations: 0, createdAt: undefined },
    );
    assert.equal((await send('POST', '/api/v1/organisations', tokens.admin, body)).statusCode, 409);
    const bad = await send('POST', '/api/v1/organisations', tokens.admin, { slug: 'Org B!', name: 'x' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /slug/);
    assert.equal(
      (await send('POST', '/api/v1/organisations', tokens.admin, { slug: 'org-b', name: 'Team B' }))
        .statusCode,
      201,
    );

    const add = (slug: string, email: string) =>
      send('POST', `/api/v1/organisations/${slug}/members`, tokens.admin, { email });
    assert.equal((await add('org-a', 'analyst-a@example.org')).statusCode, 201);
    assert.equal((await add('org-b', 'Analyst-B@example.org')).statusCode, 201);
    assert.equal((await add('org-b', 'viewer-b@example.org')).statusCode, 201);
    assert.equal((await add('org-b', 'analyst-b@example.org')).statusCode, 409);
    const unknown = await add('org-b', 'nobody@example.org');
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().errors[0].field, 'email');
    assert.equal((await add('org-z', 'analyst-a@example.org')).statusCode, 404);
    assert.equal(
      (await send('POST', '/api/v1/organisations/org-b/members', memberB, { email: 'analyst-a@example.org' }))
        .statusCode,
      403,
      'a member may not add others',
    );

    // A member added and removed again: the history keeps both, with who did it.
    assert.equal((await add('org-b', 'documenter@example.org')).statusCode, 201);
    const removed = await send(
      'DELETE',
      '/api/v1/organisations/org-b/members/documenter@example.org',
      tokens.admin,
    );
    assert.equal(removed.statusCode, 204);
    assert.equal(
      (await send('DELETE', '/api/v1/organisations/org-b/members/documenter@example.org', tokens.admin))
        .statusCode,
      404,
    );
    const detail = (await get('/api/v1/organisations/org-b', tokens.admin)).json();
    assert.deepEqual(
      detail.members.map((m: { email: string }) => m.email),
      ['analyst-b@example.org', 'viewer-b@example.org'],
    );
    assert.deepEqual(
      detail.history.map((h: { email: string; change: string; by: string }) => [h.email, h.change, h.by]),
      [
        ['analyst-b@example.org', 'added', 'admin@example.org'],
        ['viewer-b@example.org', 'added', 'admin@example.org'],
        ['documenter@example.org', 'added', 'admin@example.org'],
        ['documenter@example.org', 'removed', 'admin@example.org'],
      ],
    );
    const renamed = await send('PATCH', '/api/v1/organisations/org-b', tokens.admin, {
      name: 'Team B (Yerevan)',
    });
    assert.equal(renamed.json().name, 'Team B (Yerevan)');
  });

  it('lists a user’s organisations in the session and carries them in the actor', async () => {
    const session = (await get('/api/v1/auth/session', memberB)).json();
    assert.deepEqual(session.organisations, [{ slug: 'org-b', name: 'Team B (Yerevan)' }]);
    assert.deepEqual((await get('/api/v1/auth/session', tokens.analyst)).json().organisations, []);
    assert.deepEqual((await get('/api/v1/auth/session')).json().organisations, []);
    const resolved = await resolveApiToken(getDb(), memberA);
    assert.equal(resolved?.organisations.length, 1);
  });

  it('creates and moves situations into an organisation (admins, with the organisation named by slug)', async () => {
    const create = {
      slug: A_SITUATION,
      name: 'A private matter',
      startsOn: '2023-01-01',
      visibility: 'private',
      organisation: 'org-a',
    };
    assert.equal((await send('POST', '/api/v1/situations', memberA, create)).statusCode, 403);
    const unknown = await send('POST', '/api/v1/situations', tokens.admin, {
      ...create,
      organisation: 'org-z',
    });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().errors[0].field, 'organisation');
    const created = await send('POST', '/api/v1/situations', tokens.admin, create);
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().organisation, 'org-a');

    const moved = await send('PATCH', `/api/v1/situations/${B_SITUATION}`, tokens.admin, {
      visibility: 'private',
      organisation: 'org-b',
    });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(moved.json().organisation, 'org-b');
    const orgs = (await get('/api/v1/organisations', tokens.admin)).json().items;
    assert.deepEqual(
      orgs.map((o: { slug: string; members: number; situations: number }) => [
        o.slug,
        o.members,
        o.situations,
      ]),
      [
        ['org-a', 1, 1],
        ['org-b', 2, 1],
      ],
    );
  });

  it('lets members write to their organisation’s situation and no one else', async () => {
    const incident = (status: string) => ({
      title: `An incident (${status})`,
      category: 'test',
      start: '2023-02-01',
      confidence: 'medium',
      status,
      sources: [{ url: 'https://example.org/a' }],
    });
    const url = `/api/v1/situations/${A_SITUATION}/incidents`;
    assert.equal(
      (await send('POST', url, memberB, incident('draft'))).statusCode,
      404,
      'not even its existence',
    );
    assert.equal((await send('POST', url, tokens.analyst, incident('draft'))).statusCode, 404);
    const draft = await send('POST', url, memberA, incident('draft'));
    assert.equal(draft.statusCode, 201, draft.body);
    ids.aDraft = draft.json().id;
    assert.equal((await send('POST', url, memberA, incident('published'))).statusCode, 201);

    // B's situation: its member writes, A's member cannot even find it.
    const bUrl = `/api/v1/situations/${B_SITUATION}/incidents`;
    const bDraft = await send('POST', bUrl, memberB, incident('draft'));
    assert.equal(bDraft.statusCode, 201, bDraft.body);
    ids.bDraft = bDraft.json().id;
    assert.equal((await send('POST', bUrl, memberA, incident('draft'))).statusCode, 404);
    assert.equal(
      (await send('PATCH', `/api/v1/incidents/${ids.bDraft}`, memberA, { title: 'changed' })).statusCode,
      404,
    );
  });

  it('seeds B’s situation with evidence, an assessment and an alert (as its members)', async () => {
    const db = getDb();
    const admin = (await get(`/api/v1/situations/${B_SITUATION}/incidents?limit=1`, tokens.admin)).json();
    ids.bIncident = admin.items[0].id;
    ids.bMeasure = (await get(`/api/v1/situations/${B_SITUATION}/measures`, tokens.admin)).json().items[0].id;
    const situationId = (
      await db.query<{ id: string }>('SELECT id FROM situations WHERE slug = $1', [B_SITUATION])
    )[0]!.id;
    ids.bItem = (
      await sealItem(
        { db, blobs: new BlobStore(blobDir), maxUploadBytes: 1_000_000 },
        { userId: null, label: 'test' },
        {
          situationId,
          stream: Readable.from([Buffer.from('witness statement about the corridor')]),
          claimedName: 'statement.txt',
          claimedMime: 'text/plain',
          origin: 'upload',
        },
      )
    ).id;
    const assessment = await send('POST', `/api/v1/situations/${B_SITUATION}/assessments`, memberB, {
      assessedOn: '2023-09-01',
    });
    assert.equal(assessment.statusCode, 201, assessment.body);
    ids.bAssessment = assessment.json().id;
    const rule = await send('POST', `/api/v1/situations/${B_SITUATION}/alert-rules`, memberB, {
      name: 'Closure',
      kind: 'lifeline.full_closure',
      parameters: {},
      severity: 'critical',
    });
    assert.equal(rule.statusCode, 201, rule.body);
    assert.equal(
      (
        await send('POST', `/api/v1/situations/${B_SITUATION}/alert-rules`, memberA, {
          name: 'Closure',
          kind: 'lifeline.full_closure',
          parameters: {},
          severity: 'critical',
        })
      ).statusCode,
      404,
    );
    const [run] = await lifelineSignals(db, B_SITUATION, { coverageBelow: { threshold: 0.1, minDays: 1 } });
    assert.ok(run);
    const coverage = await send('POST', `/api/v1/situations/${B_SITUATION}/alert-rules`, memberB, {
      name: 'Coverage under 10%',
      kind: 'lifeline.coverage_below',
      parameters: { threshold: 0.1, minDays: 1 },
      severity: 'critical',
    });
    assert.equal(coverage.statusCode, 201, coverage.body);
    const result = await evaluateSituation(db, B_SITUATION, addDays(run.startsOn, 6));
    assert.ok(result.opened.length >= 1, 'the blockade raises an alert');
    ids.bAlert = result.opened[0]!;
  });

  it('hides B’s private situation and everything in it from A’s member, an outsider and anonymous readers', async () => {
    for (const [who, token] of [
      ['member of A', memberA],
      ['analyst in no organisation', tokens.analyst],
      ['viewer in no organisation', tokens.viewer],
      ['anonymous', undefined],
    ] as const) {
      const listed = (await get('/api/v1/situations', token))
        .json()
        .items.map((s: { slug: string }) => s.slug);
      assert.ok(!listed.includes(B_SITUATION), `${who}: absent from the list`);
      for (const url of [
        `/api/v1/situations/${B_SITUATION}`,
        `/api/v1/situations/${B_SITUATION}/incidents`,
        `/api/v1/situations/${B_SITUATION}/items`,
        `/api/v1/situations/${B_SITUATION}/search?q=corridor`,
        `/api/v1/situations/${B_SITUATION}/lifeline/series`,
        `/api/v1/situations/${B_SITUATION}/lifeline/observations`,
        `/api/v1/situations/${B_SITUATION}/assessments`,
        `/api/v1/situations/${B_SITUATION}/measures`,
        `/api/v1/situations/${B_SITUATION}/alerts`,
        `/api/v1/incidents/${ids.bIncident}`,
        `/api/v1/incidents/${ids.bDraft}`,
        `/api/v1/items/${ids.bItem}`,
        `/api/v1/situations/${B_SITUATION}/assessments/${ids.bAssessment}`,
        `/api/v1/measures/${ids.bMeasure}`,
        `/api/v1/alerts/${ids.bAlert}`,
      ]) {
        const res = await get(url, token);
        assert.equal(res.statusCode, 404, `${who}: ${url} answered ${res.statusCode}`);
        assert.ok(!res.body.includes('Lachin'), `${who}: ${url} leaks content`);
      }
    }
  });

  it('answers 404 for B’s situation on every situation-scoped GET route of the API (outsider)', async () => {
    // The answer must be the one for a situation that does not exist (404, or 400 when a required query
    // parameter is missing), so it reveals nothing; never a 200.
    const spec = (await get('/api/v1/openapi.json')).json() as { paths: Record<string, { get?: unknown }> };
    const routes = Object.entries(spec.paths)
      .filter(([path, ops]) => ops.get && /^\/api\/v1\/situations\/\{slug\}(\/[^{}]*)?$/.test(path))
      .map(([path]) => path);
    assert.ok(routes.length >= 10, `found ${routes.length} routes`);
    for (const path of routes) {
      const res = await get(path.replace('{slug}', B_SITUATION), memberA);
      const missing = await get(path.replace('{slug}', 'no-such-situation'), memberA);
      assert.notEqual(res.statusCode, 200, `${path} answered 200 to a member of another organisation`);
      assert.equal(res.statusCode, missing.statusCode, `${path}: ${res.body.slice(0, 200)}`);
    }
  });

  it('shows B’s situation to B’s members and to admins, drafts included', async () => {
    for (const [who, token] of [
      ['member of B', memberB],
      ['viewer member of B', viewerB],
      ['admin', tokens.admin],
    ] as const) {
      const listed = (await get('/api/v1/situations', token))
        .json()
        .items.map((s: { slug: string }) => s.slug);
      assert.ok(listed.includes(B_SITUATION), `${who}: listed`);
      for (const url of [
        `/api/v1/situations/${B_SITUATION}`,
        `/api/v1/situations/${B_SITUATION}/incidents`,
        `/api/v1/situations/${B_SITUATION}/items`,
        `/api/v1/situations/${B_SITUATION}/search?q=corridor`,
        `/api/v1/situations/${B_SITUATION}/lifeline/series`,
        `/api/v1/situations/${B_SITUATION}/assessments`,
        `/api/v1/situations/${B_SITUATION}/measures`,
        `/api/v1/situations/${B_SITUATION}/alerts`,
        `/api/v1/incidents/${ids.bDraft}`,
        `/api/v1/measures/${ids.bMeasure}`,
        `/api/v1/alerts/${ids.bAlert}`,
      ]) {
        const res = await get(url, token);
        assert.equal(
          res.statusCode,
          200,
          `${who}: ${url} answered ${res.statusCode} ${res.body.slice(0, 200)}`,
        );
      }
    }
    // Sealed items are for roles with evidence.read-sealed (the viewer sees none, as without organisations).
    assert.equal((await get(`/api/v1/items/${ids.bItem}`, memberB)).statusCode, 200);
    assert.equal((await get(`/api/v1/items/${ids.bItem}`, tokens.admin)).statusCode, 200);
    const hits = (await get(`/api/v1/situations/${B_SITUATION}/search?q=incident`, memberB)).json().items;
    assert.ok(
      hits.some((h: { id: string }) => h.id === ids.bDraft),
      'search finds the draft for a member',
    );
    // A's member sees A's situation with its draft; B's does not.
    const aIncidents = (await get(`/api/v1/situations/${A_SITUATION}/incidents`, memberA)).json().items;
    assert.equal(aIncidents.length, 2);
    assert.equal((await get(`/api/v1/incidents/${ids.aDraft}`, memberA)).statusCode, 200);
    assert.equal((await get(`/api/v1/incidents/${ids.aDraft}`, memberB)).statusCode, 404);
    const adminList = (await get('/api/v1/situations', tokens.admin))
      .json()
      .items.map((s: { slug: string }) => s.slug);
    assert.ok(adminList.includes(A_SITUATION) && adminList.includes(B_SITUATION));
  });

  it('keeps an organisation’s public situation readable by all, its drafts and sealed originals for members', async () => {
    const made = await send('PATCH', `/api/v1/situations/${B_SITUATION}`, tokens.admin, {
      visibility: 'public',
    });
    assert.equal(made.statusCode, 200);
    try {
      for (const token of [memberA, tokens.analyst, undefined]) {
        assert.equal((await get(`/api/v1/situations/${B_SITUATION}`, token)).statusCode, 200);
        const list = (await get(`/api/v1/situations/${B_SITUATION}/incidents?limit=500`, token)).json().items;
        assert.ok(list.length > 0);
        assert.ok(
          !list.some((i: { id: string }) => i.id === ids.bDraft),
          'drafts stay with the organisation',
        );
        assert.equal((await get(`/api/v1/incidents/${ids.bDraft}`, token)).statusCode, 404);
        // Sealed originals stay with the members: to others the item is not there (it has no public copy).
        assert.equal((await get(`/api/v1/items/${ids.bItem}/original`, token)).statusCode, 404);
      }
      const memberList = (await get(`/api/v1/situations/${B_SITUATION}/incidents?limit=500`, memberB)).json()
        .items;
      assert.ok(memberList.some((i: { id: string }) => i.id === ids.bDraft));
      assert.equal((await get(`/api/v1/items/${ids.bItem}/original`, memberB)).statusCode, 200);
      // Writing needs membership even where reading does not.
      const write = await send('POST', `/api/v1/situations/${B_SITUATION}/incidents`, memberA, {
        title: 'From outside',
        category: 'test',
        start: '2023-02-01',
        confidence: 'low',
        status: 'draft',
        sources: [{ url: 'https://example.org/x' }],
      });
      assert.equal(write.statusCode, 403);
      assert.equal(
        (await send('PATCH', `/api/v1/incidents/${ids.bIncident}`, memberA, { title: 'changed' })).statusCode,
        403,
      );
    } finally {
      await send('PATCH', `/api/v1/situations/${B_SITUATION}`, tokens.admin, { visibility: 'private' });
    }
  });

  it('keeps situations without an organisation as before: every role with read-private reads them', async () => {
    const situation = { visibility: 'private' as const, organisationId: null };
    const none: Actor = { kind: 'user', user: { id: 'x', email: 'x', role: 'viewer' }, via: 'token' };
    assert.equal(canRead(none, situation), true);
    assert.equal(canRead({ kind: 'anonymous' }, situation), false);
    assert.equal(canRead(none, { visibility: 'private', organisationId: 'some-org' }), false);
    assert.equal(
      canRead(
        { ...none, organisations: ['some-org'] },
        { visibility: 'private', organisationId: 'some-org' },
      ),
      true,
    );
    assert.equal(
      canRead({ ...none, organisations: 'all' }, { visibility: 'private', organisationId: 'other' }),
      true,
    );
  });

  it('takes a removed member’s access away at their next request', async () => {
    assert.equal((await get(`/api/v1/situations/${B_SITUATION}`, viewerB)).statusCode, 200);
    assert.equal(
      (await send('DELETE', '/api/v1/organisations/org-b/members/viewer-b@example.org', tokens.admin))
        .statusCode,
      204,
    );
    assert.equal((await get(`/api/v1/situations/${B_SITUATION}`, viewerB)).statusCode, 404);
  });
});
