import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { BlobStore } from '../evidence/blobs.ts';
import { sealItem } from '../evidence/items.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../scenario/service.ts';
import { insertSituation } from '../situations/service.ts';
import { parseXml } from './xml.ts';

const SLUG = BUILT_IN_SCENARIO;
const BASE = `/api/v1/situations/${SLUG}`;

interface MeasureJson {
  id: string;
  externalRef: string | null;
  category: string;
  kind: string;
  status: string;
  statusText: string;
  statusDate: string | null;
  incidents: { id: string; basis: string }[];
  history: { status: string; date: string | null; statusText: string | null; note: string | null }[];
}

describeEachDatabase('measures tracker and events registry', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  let measures: MeasureJson[];
  const byRef = (ref: string) => measures.find((m) => m.externalRef === ref)!;

  before(async () => {
    await importScenario(getDb(), SLUG);
    tokens = await createUsersWithTokens(getDb());
    app = await buildTestApp(getDb());
    measures = (await app.inject({ url: `${BASE}/measures` })).json().items;
  });

  it('links a measure to the evidence items it rests on, only items of its own situation', async () => {
    const blobDir = mkdtempSync(join(tmpdir(), 'vigil-measure-items-'));
    try {
      const vault = { db: getDb(), blobs: new BlobStore(blobDir), maxUploadBytes: 1_000_000 };
      const author = { userId: null, label: 'test' };
      const seal = async (situationId: string, text: string) =>
        (
          await sealItem(vault, author, {
            situationId,
            stream: Readable.from([Buffer.from(text)]),
            claimedName: 'statement.txt',
            claimedMime: 'text/plain',
            origin: 'upload',
          })
        ).id;
      const [own] = await getDb().query<{ id: string }>('SELECT id FROM situations WHERE slug = $1', [SLUG]);
      const other = await insertSituation(getDb(), {
        slug: 'elsewhere',
        name: 'Elsewhere',
        startsOn: '2024-01-01',
        visibility: 'public',
      });
      const ownItem = await seal(own!.id, 'the text of the bill as introduced');
      const otherItem = await seal(other.id, 'unrelated');
      const measure = byRef('msr-010').id;
      const put = (role: Role, itemIds: string[]) =>
        app.inject({
          method: 'PUT',
          url: `/api/v1/measures/${measure}/items`,
          headers: bearer(tokens[role]),
          payload: { itemIds, basis: 'the bill text' },
        });
      assert.equal((await put('viewer', [ownItem])).statusCode, 403);
      const foreign = await put('admin', [otherItem]);
      assert.equal(foreign.statusCode, 400);
      assert.equal(foreign.json().errors[0].field, 'itemIds.0');
      // An organiser may link only what they may see: a sealed text without a publishable copy is not that.
      const unseen = await put('organiser', [ownItem]);
      assert.equal(unseen.statusCode, 400);
      const linked = await put('admin', [ownItem, ownItem]);
      assert.equal(linked.statusCode, 200, linked.body);
      assert.deepEqual(linked.json().items, [{ id: ownItem, basis: 'the bill text' }]);
      const read = (await app.inject({ url: `/api/v1/measures/${measure}` })).json();
      assert.deepEqual(read.items, [{ id: ownItem, basis: 'the bill text' }]);
      assert.deepEqual((await put('organiser', [])).json().items, []);
      assert.equal((await getDb().query('SELECT 1 FROM measure_items')).length, 0);
    } finally {
      rmSync(blobDir, { recursive: true, force: true });
    }
  });

  it('loads measures.csv: measures to the tracker, events and boycott calls to the registry', async () => {
    assert.equal(measures.length, 36);
    assert.ok(!measures.some((m) => m.kind === 'event_hosted' || m.kind === 'boycott_call'));
    const events = (await app.inject({ url: `${BASE}/events` })).json().items;
    assert.equal(events.length, 6);
    const cop29 = events.find((e: { name: string }) => e.name.startsWith('COP29'));
    assert.equal(cop29.kind, 'conference');
    assert.equal(cop29.datesText, 'held 11-22 Nov 2024', 'source wording of the dates kept');
    assert.deepEqual(cop29.calls.map((c: { externalRef: string }) => c.externalRef).sort(), [
      'msr-004',
      'msr-006',
    ]);
    assert.match(cop29.calls[0].linkBasis, /COP29/);
    const calls = (await app.inject({ url: `${BASE}/boycott-calls` })).json().items;
    assert.equal(calls.length, 5);
    const unlinked = calls.filter((c: { eventId: string | null }) => c.eventId === null);
    assert.ok(
      unlinked.some((c: { externalRef: string }) => c.externalRef === 'msr-002'),
      'the 2016 race is not in the registry',
    );
  });

  it('maps each source status to the vocabulary and keeps the wording', async () => {
    const s3000 = (
      await app.inject({ url: `/api/v1/measures/${byRef('msr-034').id}` })
    ).json() as MeasureJson;
    assert.equal(s3000.category, 'resolution_or_bill');
    assert.equal(s3000.status, 'passed_one_chamber');
    assert.equal(s3000.statusText, 'passed Senate by voice vote 2023-11-15; sent to House');
    assert.equal(s3000.statusDate, '2023-11-15');
    assert.deepEqual(
      s3000.history.map((h) => [h.status, h.date]),
      [
        ['introduced', '2023-09-29'],
        ['passed_one_chamber', '2023-11-15'],
      ],
    );
    const icj = byRef('msr-020');
    assert.equal(icj.category, 'legal_proceeding');
    assert.equal(icj.status, 'pending');
    assert.match(icj.statusText, /provisional measures 2021-12-07, 2023-02-22/);
    assert.equal(byRef('msr-038').status, 'in_force', 'Section 907');
    assert.equal(byRef('msr-038').category, 'aid_restriction');
    assert.equal(byRef('msr-046').status, 'adopted', 'a waiver signed');
    assert.equal(byRef('msr-028').category, 'aid_flow', 'the GAO aid amounts');
    assert.equal(byRef('msr-024').status, 'held', 'a UNSC meeting without a statement');
    const mission = (await app.inject({ url: `/api/v1/measures/${byRef('msr-007').id}` })).json();
    assert.deepEqual(
      mission.history.map((h: { status: string; date: string }) => [h.status, h.date]),
      [
        ['adopted', '2023-01-23'],
        ['in_force', '2023-02-20'],
      ],
    );
    assert.ok(!measures.some((m) => m.category === 'sanction'), 'no sanctions were adopted in 2023');
  });

  it('filters the table', async () => {
    const get = async (query: string) =>
      (await app.inject({ url: `${BASE}/measures?${query}` })).json().items as MeasureJson[];
    const bills = await get('category=resolution_or_bill&status=introduced');
    assert.ok(bills.length >= 7);
    assert.ok(bills.every((m) => m.category === 'resolution_or_bill' && m.status === 'introduced'));
    assert.ok((await get('kind=us_waiver')).length === 2);
    const period = await get('from=2023-01-01&to=2023-12-31&actor=senate');
    assert.ok(period.length > 0 && period.every((m) => m.externalRef !== 'msr-038'));
    assert.ok((await get('q=Lachin')).length > 0);
    const bad = await app.inject({ url: `${BASE}/measures?status=maybe` });
    assert.equal(bad.statusCode, 400);
    const linked = measures.find((m) => m.incidents.length > 0);
    assert.ok(linked, 'a measure shares a source with an incident');
    const withIncident = await get(`incident=${linked.incidents[0]!.id}`);
    assert.ok(withIncident.some((m) => m.id === linked.id));
  });

  it('records a status change; going backwards needs a note', async () => {
    const id = byRef('msr-034').id;
    const post = (role: Role | null, body: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/measures/${id}/status`,
        headers: role ? bearer(tokens[role]) : {},
        payload: body,
      });
    assert.equal((await post(null, { status: 'lapsed' })).statusCode, 401);
    assert.equal((await post('analyst', { status: 'lapsed' })).statusCode, 403);
    const back = await post('organiser', { status: 'introduced', date: '2024-01-03' });
    assert.equal(back.statusCode, 400);
    assert.match(back.json().detail, /note: going back from passed_one_chamber to introduced/);
    const same = await post('organiser', { status: 'passed_one_chamber' });
    assert.equal(same.statusCode, 400);
    const lapsed = await post('organiser', {
      status: 'lapsed',
      date: '2025-01-03',
      statusText: 'died at the end of the 118th Congress',
      sources: [{ url: 'https://www.congress.gov/bill/118th-congress/senate-bill/3000' }],
    });
    assert.equal(lapsed.statusCode, 200, lapsed.body);
    assert.equal(lapsed.json().status, 'lapsed');
    assert.equal(lapsed.json().history.length, 3);
    const reopen = await post('organiser', { status: 'introduced', date: '2025-02-01' });
    assert.equal(reopen.statusCode, 400, 'leaving an end needs a note');
    const noted = await post('admin', {
      status: 'introduced',
      date: '2025-02-01',
      note: 'reintroduced in the 119th Congress under the same title',
    });
    assert.equal(noted.statusCode, 200);
    assert.equal(noted.json().history.at(-1).note, 'reintroduced in the 119th Congress under the same title');
    const badDate = await post('organiser', { status: 'held', date: '2025-13-01' });
    assert.equal(badDate.statusCode, 400);
  });

  it('creates a measure linked to an incident, and checks the links', async () => {
    const incidents = (await app.inject({ url: `${BASE}/incidents?limit=1` })).json().items;
    const body = {
      category: 'sanction',
      actor: 'Example Parliament',
      target: 'Officials responsible for the blockade',
      title: 'Targeted sanctions proposal',
      status: 'proposed',
      date: '2023-03',
      sources: [{ url: 'https://example.org/proposal', outlet: 'Example' }],
      incidentIds: [incidents[0].id],
    };
    const created = await app.inject({
      method: 'POST',
      url: `${BASE}/measures`,
      headers: bearer(tokens.organiser),
      payload: body,
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().date, '2023-03');
    assert.equal(created.json().incidents[0].id, incidents[0].id);
    const wrong = await app.inject({
      method: 'POST',
      url: `${BASE}/measures`,
      headers: bearer(tokens.organiser),
      payload: { ...body, incidentIds: ['00000000-0000-4000-8000-000000000000'] },
    });
    assert.equal(wrong.statusCode, 400);
    const viewer = await app.inject({
      method: 'POST',
      url: `${BASE}/measures`,
      headers: bearer(tokens.viewer),
      payload: body,
    });
    assert.equal(viewer.statusCode, 403);
  });

  it('serves a well-formed Atom feed with one entry per status change', async () => {
    const res = await app.inject({ url: `${BASE}/measures/feed.atom` });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^application\/atom\+xml/);
    const feed = parseXml(res.body);
    assert.equal(feed.name, 'feed');
    assert.equal(feed.attributes.xmlns, 'http://www.w3.org/2005/Atom');
    const [row] = await getDb().query<{ n: number }>('SELECT count(*)::int AS n FROM measure_status_changes');
    const entries = feed.children.filter((c) => c.name === 'entry');
    assert.equal(entries.length, row!.n);
    const ids = new Set(entries.map((e) => e.children.find((c) => c.name === 'id')!.text));
    assert.equal(ids.size, entries.length, 'entry ids are unique');
    for (const e of entries) {
      for (const required of ['id', 'title', 'updated', 'author']) {
        assert.ok(
          e.children.some((c) => c.name === required),
          `entry has ${required}`,
        );
      }
    }
    const changes = (await app.inject({ url: `${BASE}/measures/changes?limit=1000` })).json().items;
    assert.equal(changes.length, entries.length);
  });

  it('records events, calls and responses', async () => {
    const created = await app.inject({
      method: 'POST',
      url: `${BASE}/events`,
      headers: bearer(tokens.organiser),
      payload: {
        name: 'Example Cup 2025, Baku',
        kind: 'sport',
        host: 'Azerbaijan (host)',
        startsOn: '2025-06-01',
        endsOn: '2025-06-10',
        organisers: ['Example Federation'],
        sponsors: ['Example Energy'],
        sources: [{ url: 'https://example.org/cup' }],
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const event = created.json();
    const call = await app.inject({
      method: 'POST',
      url: `${BASE}/boycott-calls`,
      headers: bearer(tokens.organiser),
      payload: {
        eventId: event.id,
        caller: 'Example NGO',
        addressee: 'Example Federation',
        title: 'Call to withdraw',
        form: 'open letter',
        date: '2025-05-01',
        sources: [{ url: 'https://example.org/letter' }],
      },
    });
    assert.equal(call.statusCode, 201, call.body);
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/responses`,
      headers: bearer(tokens.organiser),
      payload: {
        callId: call.json().id,
        responder: 'Team X',
        response: 'withdrew',
        date: '2025-05-20',
        sources: [{ url: 'https://example.org/withdrew' }],
      },
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().responses[0].response, 'withdrew');
    assert.equal(response.json().calls.length, 1);
    const backwards = await app.inject({
      method: 'POST',
      url: `${BASE}/events`,
      headers: bearer(tokens.organiser),
      payload: { ...event, id: undefined },
    });
    assert.equal(backwards.statusCode, 400, 'unknown fields are refused');
    const badSpan = await app.inject({
      method: 'POST',
      url: `${BASE}/events`,
      headers: bearer(tokens.organiser),
      payload: {
        name: 'X',
        kind: 'concert',
        host: 'Y',
        startsOn: '2025-06-10',
        endsOn: '2025-06-01',
        sources: [{ url: 'https://example.org/x' }],
      },
    });
    assert.equal(badSpan.statusCode, 400);
    assert.equal(
      (await app.inject({ url: `/api/v1/events/00000000-0000-4000-8000-000000000000` })).statusCode,
      404,
    );
  });

  it('documents the vocabulary and lists every route in OpenAPI', async () => {
    const vocabulary = (await app.inject({ url: '/api/v1/measures/vocabulary' })).json();
    assert.ok(vocabulary.statuses.passed_one_chamber);
    assert.equal(vocabulary.sourceKinds.us_bill, 'resolution_or_bill');
    const paths = Object.keys((await app.inject({ url: '/api/v1/openapi.json' })).json().paths);
    for (const p of [
      '/api/v1/situations/{slug}/measures',
      '/api/v1/situations/{slug}/measures/feed.atom',
      '/api/v1/measures/{id}/status',
      '/api/v1/situations/{slug}/events',
      '/api/v1/sanctions/screen',
      '/api/v1/persons/{id}/dossier',
    ]) {
      assert.ok(paths.includes(p), p);
    }
  });
});
