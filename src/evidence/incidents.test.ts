import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../scenario/service.ts';

const SLUG = BUILT_IN_SCENARIO;
const BASE = `/api/v1/situations/${SLUG}/incidents`;

const newIncident = {
  title: 'Convoy turned back at the checkpoint',
  description: 'Test incident recorded by a documenter.',
  category: 'humanitarian',
  start: '2023-03-02',
  confidence: 'medium',
  status: 'published',
  placeName: 'Kornidzor',
  point: { lat: 39.548, lon: 46.531 },
  sources: [{ url: 'https://example.org/report', outlet: 'Example Outlet', accessedOn: '2023-03-03' }],
};

describeEachDatabase('incidents API', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;

  before(async () => {
    await importScenario(getDb(), SLUG);
    tokens = await createUsersWithTokens(getDb());
    app = await buildTestApp(getDb());
  });

  const count = async () =>
    (await getDb().query<{ n: number }>('SELECT count(*)::int AS n FROM incidents'))[0]!.n;

  it('lists the public scenario and its stats without login', async () => {
    const list = await app.inject({ url: '/api/v1/situations' });
    assert.equal(list.statusCode, 200);
    const situation = list.json().items.find((s: { slug: string }) => s.slug === SLUG);
    assert.ok(situation, 'scenario listed');
    assert.equal(situation.stats.incidents, 67);
    assert.equal(situation.startsOn, '2022-12-12');
    assert.equal(situation.endsOn, '2023-09-30');
    assert.equal(situation.id, undefined, 'internal ids stay internal');
    const one = await app.inject({ url: `/api/v1/situations/${SLUG}` });
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().population.value, 120000);
    assert.ok(one.json().population.sources.length > 0, 'population carries its source');
  });

  it('pages through all 67 incidents by start date with a cursor', async () => {
    const seen: { id: string; start: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `${BASE}?limit=20${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.ok(body.items.length <= 20);
      seen.push(...body.items);
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(seen.length, 67);
    assert.equal(pages, 4);
    assert.equal(new Set(seen.map((i) => i.id)).size, 67, 'no incident twice');
    const starts = seen.map((i) => i.start);
    assert.deepEqual(starts, [...starts].sort(), 'ordered by start date');
    const firstPage = await app.inject({ url: BASE });
    assert.equal(firstPage.json().items.length, 50, 'default limit is 50');
  });

  it('filters by date range, category and full text', async () => {
    const range = (await app.inject({ url: `${BASE}?from=2023-09-19&to=2023-09-30&limit=500` })).json();
    assert.ok(range.items.length > 0);
    for (const i of range.items) {
      const last = i.end ?? i.start;
      assert.ok(i.start <= '2023-09-30', `${i.start} starts after the range`);
      // A month-precision date ('2023-09') covers the whole month.
      assert.ok(
        last.length === 7 ? last >= '2023-09' : last >= '2023-09-19',
        `${last} ends before the range`,
      );
    }
    assert.ok(
      range.items.some((i: { start: string }) => i.start === '2023-09-19'),
      'the offensive of 19 Sep 2023',
    );
    const legal = (await app.inject({ url: `${BASE}?category=legal&limit=500` })).json();
    assert.ok(legal.items.length > 0);
    assert.ok(legal.items.every((i: { category: string }) => i.category === 'legal'));
    const lachin = (await app.inject({ url: `${BASE}?q=Lachin&limit=500` })).json();
    assert.ok(lachin.items.length > 0);
    for (const i of lachin.items) {
      assert.match(`${i.title} ${i.description} ${i.placeName}`, /lachin/i);
    }
    const none = (await app.inject({ url: `${BASE}?q=zzzzqqq` })).json();
    assert.deepEqual(none.items, []);
    assert.equal(none.nextCursor, null);
  });

  it('keeps a month-precision date as a month', async () => {
    const res = await app.inject({
      method: 'POST',
      url: BASE,
      headers: bearer(tokens.documenter),
      payload: { ...newIncident, start: '2016-06', title: 'Month-only event' },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().start, '2016-06');
    assert.equal(res.json().startPrecision, 'month');
    const june = (await app.inject({ url: `${BASE}?from=2016-06-20&to=2016-06-21` })).json();
    assert.ok(
      june.items.some((i: { title: string }) => i.title === 'Month-only event'),
      'a month overlaps days inside it',
    );
  });

  for (const [query, field] of [
    ['from=yesterday', 'from'],
    ['to=2023-02-30', 'to'],
    ['limit=0', 'limit'],
    ['limit=10000', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=garbage', 'cursor'],
    ['category=Not%20A%20Category', 'category'],
    ['unknown=1', 'unknown'],
  ] as const) {
    it(`answers ?${query} with a 400 problem naming ${field}`, async () => {
      const res = await app.inject({ url: `${BASE}?${query}` });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
      const problem = res.json();
      assert.equal(problem.status, 400);
      assert.ok(
        problem.errors?.some((e: { field: string }) => e.field === field) || problem.detail.includes(field),
        `problem names ${field}: ${res.body}`,
      );
    });
  }

  it('answers unknown slugs and ids with 404', async () => {
    assert.equal((await app.inject({ url: '/api/v1/situations/no-such-place' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/api/v1/situations/no-such-place/incidents' })).statusCode, 404);
    const res = await app.inject({ url: '/api/v1/incidents/00000000-0000-4000-8000-000000000000' });
    assert.equal(res.statusCode, 404);
    assert.match(res.headers['content-type'] as string, /problem\+json/);
  });

  it('refuses writes without the role, and writes nothing', async () => {
    const before = await count();
    const anonymous = await app.inject({ method: 'POST', url: BASE, payload: newIncident });
    assert.equal(anonymous.statusCode, 401);
    const viewer = await app.inject({
      method: 'POST',
      url: BASE,
      headers: bearer(tokens.viewer),
      payload: newIncident,
    });
    assert.equal(viewer.statusCode, 403);
    const organiser = await app.inject({
      method: 'POST',
      url: BASE,
      headers: bearer(tokens.organiser),
      payload: newIncident,
    });
    assert.equal(organiser.statusCode, 403);
    assert.equal(await count(), before);
  });

  it('rejects invalid incidents naming the field, and writes nothing', async () => {
    const before = await count();
    const cases: [Record<string, unknown>, string][] = [
      [{ ...newIncident, sources: [] }, 'sources'],
      [{ ...newIncident, sources: [{ url: 'not a url' }] }, 'sources.0.url'],
      [{ ...newIncident, start: '2023-02-30' }, 'start'],
      [{ ...newIncident, end: '2023-01-01' }, 'end'],
      [{ ...newIncident, confidence: 'certain' }, 'confidence'],
      [{ ...newIncident, point: { lat: 91, lon: 0 } }, 'point.lat'],
      [(({ title: _t, ...rest }) => rest)(newIncident), 'title'],
    ];
    for (const [payload, field] of cases) {
      const res = await app.inject({
        method: 'POST',
        url: BASE,
        headers: bearer(tokens.documenter),
        payload,
      });
      assert.equal(res.statusCode, 400, `${field}: ${res.body}`);
      assert.ok(
        res.json().errors.some((e: { field: string }) => e.field === field),
        `expected an error on ${field}: ${res.body}`,
      );
    }
    assert.equal(await count(), before);
  });

  it('records every edit as a revision and refuses stale versions', async () => {
    const created = await app.inject({
      method: 'POST',
      url: BASE,
      headers: bearer(tokens.documenter),
      payload: newIncident,
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id;
    assert.equal(created.headers.location, `/api/v1/incidents/${id}`);
    const edit = await app.inject({
      method: 'PATCH',
      url: `/api/v1/incidents/${id}`,
      headers: bearer(tokens.analyst),
      payload: { title: 'Convoy turned back at the Hakari checkpoint', confidence: 'high', version: 1 },
    });
    assert.equal(edit.statusCode, 200, edit.body);
    assert.equal(edit.json().version, 2);
    const stale = await app.inject({
      method: 'PATCH',
      url: `/api/v1/incidents/${id}`,
      headers: bearer(tokens.documenter),
      payload: { title: 'Lost update', version: 1 },
    });
    assert.equal(stale.statusCode, 409);
    const viewerEdit = await app.inject({
      method: 'PATCH',
      url: `/api/v1/incidents/${id}`,
      headers: bearer(tokens.viewer),
      payload: { title: 'Not allowed' },
    });
    assert.equal(viewerEdit.statusCode, 403);
    const full = (await app.inject({ url: `/api/v1/incidents/${id}` })).json();
    assert.equal(full.title, 'Convoy turned back at the Hakari checkpoint');
    assert.equal(full.revisions.length, 2);
    assert.equal(full.revisions[0].changedBy, 'documenter@example.org');
    assert.equal(full.revisions[0].changes.title.to, newIncident.title);
    assert.deepEqual(full.revisions[1].changes.title, {
      from: newIncident.title,
      to: 'Convoy turned back at the Hakari checkpoint',
    });
    assert.deepEqual(full.revisions[1].changes.confidence, { from: 'medium', to: 'high' });
    assert.equal(full.revisions[1].changedBy, 'analyst@example.org');
    assert.equal(Object.keys(full.revisions[1].changes).length, 2, 'only changed fields are recorded');
  });

  it('shows drafts only to those who may read private material', async () => {
    const created = await app.inject({
      method: 'POST',
      url: BASE,
      headers: bearer(tokens.documenter),
      payload: { ...newIncident, status: 'draft', title: 'Unverified draft report' },
    });
    const id = created.json().id;
    assert.equal((await app.inject({ url: `/api/v1/incidents/${id}` })).statusCode, 404);
    const anonymousList = (await app.inject({ url: `${BASE}?q=unverified` })).json();
    assert.equal(anonymousList.items.length, 0);
    assert.equal(
      (await app.inject({ url: `/api/v1/incidents/${id}`, headers: bearer(tokens.viewer) })).statusCode,
      200,
    );
    const viewerList = (
      await app.inject({ url: `${BASE}?q=unverified`, headers: bearer(tokens.viewer) })
    ).json();
    assert.equal(viewerList.items.length, 1);
  });

  it('lets only admins create and edit situations, and hides private ones', async () => {
    const situation = {
      slug: 'private-watch',
      name: 'Private watch',
      startsOn: '2024-01-01',
      visibility: 'private',
      area: { type: 'Point', coordinates: [46.75, 39.81] },
    };
    const byDocumenter = await app.inject({
      method: 'POST',
      url: '/api/v1/situations',
      headers: bearer(tokens.documenter),
      payload: situation,
    });
    assert.equal(byDocumenter.statusCode, 403);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/situations',
      headers: bearer(tokens.admin),
      payload: situation,
    });
    assert.equal(created.statusCode, 201, created.body);
    const duplicate = await app.inject({
      method: 'POST',
      url: '/api/v1/situations',
      headers: bearer(tokens.admin),
      payload: situation,
    });
    assert.equal(duplicate.statusCode, 409);
    assert.equal((await app.inject({ url: '/api/v1/situations/private-watch' })).statusCode, 404);
    assert.ok(
      !(await app.inject({ url: '/api/v1/situations' }))
        .json()
        .items.some((s: { slug: string }) => s.slug === 'private-watch'),
    );
    assert.equal(
      (await app.inject({ url: '/api/v1/situations/private-watch', headers: bearer(tokens.viewer) }))
        .statusCode,
      200,
    );
    const badSpan = await app.inject({
      method: 'PATCH',
      url: '/api/v1/situations/private-watch',
      headers: bearer(tokens.admin),
      payload: { endsOn: '2023-01-01' },
    });
    assert.equal(badSpan.statusCode, 400);
    assert.equal(badSpan.json().errors[0].field, 'endsOn');
    const patched = await app.inject({
      method: 'PATCH',
      url: '/api/v1/situations/private-watch',
      headers: bearer(tokens.admin),
      payload: { visibility: 'public', population: { value: 5000, sources: ['https://example.org/census'] } },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal((await app.inject({ url: '/api/v1/situations/private-watch' })).statusCode, 200);
    const badSlug = await app.inject({
      method: 'POST',
      url: '/api/v1/situations',
      headers: bearer(tokens.admin),
      payload: { ...situation, slug: 'Bad Slug!' },
    });
    assert.equal(badSlug.statusCode, 400);
    assert.equal(badSlug.json().errors[0].field, 'slug');
  });

  it('serves the scenario layers with the schematic road marked schematic', async () => {
    const layers = (await app.inject({ url: `/api/v1/situations/${SLUG}/layers` })).json().items;
    const road = layers.find((l: { kind: string }) => l.kind === 'route');
    assert.ok(road, 'a route layer');
    assert.equal(road.schematic, true);
    assert.match(road.name, /schematic/i);
    const places = layers.find((l: { kind: string }) => l.kind === 'places');
    assert.ok(places.geojson.features.length >= 5);
  });
});
