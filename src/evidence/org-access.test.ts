// The evidence vault in an organisation's PUBLIC situation: anybody may read what is published (the
// publishable copy of an item linked to a published incident) and send a public report, but only the
// organisation's members (and admins) add evidence, capture pages, moderate reports, export bundles or see
// sealed originals, their metadata, notes and custody. Non-members with the very same role get 403 on
// every write and sealed read, and a refused write stores nothing (no row, no job, no custody entry).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import {
  BOUNDARY,
  counts,
  jpegWithGps,
  multipartBody,
  seedSituation,
  tempDir,
} from '../../test/support/evidence.ts';
import { bearer, createUsersWithTokens, TEST_PASSWORD } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { createApiToken, createUser } from '../auth/service.ts';
import { initKeys } from './keys.ts';

const SLUG = 'org-vault';
const BASE = `/api/v1/situations/${SLUG}`;

describeEachDatabase('evidence access in an organisation’s public situation', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  let site: Server;
  let pageUrl = '';
  // Same roles, different organisations: only membership differs.
  const member = { documenterB: '', documenterA: '' };
  const ids = { published: '', photo: '', report: '', capture: '', export: '' };

  const get = (url: string, token?: string) => app.inject({ url, headers: token ? bearer(token) : {} });
  const send = (method: 'POST' | 'PATCH', url: string, token: string, payload: object) =>
    app.inject({ method, url, headers: bearer(token), payload });
  const upload = (token: string, data: Buffer, name: string) => {
    const body = multipartBody(data, name, 'image/jpeg');
    return app.inject({
      method: 'POST',
      url: `${BASE}/items?incident=${ids.published}`,
      payload: body.payload,
      headers: { ...body.headers, ...bearer(token) },
    });
  };
  const captureRows = async () =>
    (await getDb().query<{ n: number }>('SELECT count(*)::int AS n FROM evidence_captures'))[0]!.n;
  const exportRows = async () =>
    (await getDb().query<{ n: number }>('SELECT count(*)::int AS n FROM evidence_exports'))[0]!.n;

  before(async () => {
    const db = getDb();
    const seeded = await seedSituation(db, SLUG);
    ids.published = seeded.published;
    tokens = await createUsersWithTokens(db);
    for (const key of ['documenterB', 'documenterA'] as const) {
      const email = `${key.toLowerCase()}@example.org`;
      await createUser(db, { email, password: TEST_PASSWORD, role: 'documenter' });
      member[key] = (await createApiToken(db, email, 'test')).token;
    }
    const keyDir = tempDir('org-keys');
    await initKeys(db, keyDir);
    app = await buildTestApp(db, {
      evidence: {
        blobDir: tempDir('org-blobs'),
        keyDir,
        maxUploadBytes: 4 * 1024 * 1024,
        captureAllowPrivate: true,
        chromiumPath: null,
      },
    });
    for (const [slug, email] of [
      ['org-a', 'documentera@example.org'],
      ['org-b', 'documenterb@example.org'],
    ] as const) {
      const made = await send('POST', '/api/v1/organisations', tokens.admin, { slug, name: slug });
      assert.equal(made.statusCode, 201, made.body);
      const added = await send('POST', `/api/v1/organisations/${slug}/members`, tokens.admin, { email });
      assert.equal(added.statusCode, 201, added.body);
    }
    const moved = await send('PATCH', BASE, tokens.admin, { organisation: 'org-b' });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(moved.json().visibility, 'public');
    site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Statement</title><p>Statement of the day.</p>');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/statement.html`;
  });

  after(async () => {
    await app.close();
    await new Promise((resolve) => site.close(resolve));
  });

  it('lets a member seal a file; a non-member of the same role gets 403 and nothing is stored', async () => {
    const photo = await jpegWithGps();
    const before = await counts(getDb());
    const refused = await upload(member.documenterA, photo, 'roof.jpg');
    assert.equal(refused.statusCode, 403, refused.body);
    assert.match(refused.json().detail, /members of the situation's organisation/);
    assert.deepEqual(await counts(getDb()), before, 'no item, copy or custody entry');

    const sealed = await upload(member.documenterB, photo, 'roof.jpg');
    assert.equal(sealed.statusCode, 201, sealed.body);
    ids.photo = sealed.json().item.id;
    assert.ok(sealed.json().item.sealed, 'the member sees the sealed original');
  });

  it('shows a non-member only the publishable copy, never the original, its metadata, notes or custody', async () => {
    const item = await get(`/api/v1/items/${ids.photo}`, member.documenterA);
    assert.equal(item.statusCode, 200, item.body);
    assert.equal(item.json().sealed, undefined);
    assert.equal(item.json().publishableNote, undefined);
    assert.ok(item.json().publishable, 'the copy of an item linked to a published incident is public');
    for (const path of ['original', 'notes', 'custody']) {
      const res = await get(`/api/v1/items/${ids.photo}/${path}`, member.documenterA);
      assert.equal(res.statusCode, 403, `${path}: ${res.body}`);
    }
    const copy = await get(`/api/v1/items/${ids.photo}/publishable`, member.documenterA);
    assert.equal(copy.statusCode, 200);
    const list = await get(`${BASE}/items`, member.documenterA);
    assert.equal(list.statusCode, 200);
    assert.ok(list.json().items.every((i: { sealed?: unknown }) => i.sealed === undefined));
    const search = await get(`${BASE}/search?q=roof`, member.documenterA);
    assert.equal(search.statusCode, 200);
    assert.deepEqual(search.json().types, ['incident', 'item'], 'no extracted text, notes or reports');

    const note = { method: 'geolocation', conclusion: 'supports', note: 'Roof line matches.' };
    const before = await counts(getDb());
    const refused = await send('POST', `/api/v1/items/${ids.photo}/notes`, member.documenterA, note);
    assert.equal(refused.statusCode, 403);
    const phase = await send('PATCH', `/api/v1/items/${ids.photo}`, member.documenterA, {
      phase: 'verification',
    });
    assert.equal(phase.statusCode, 403);
    assert.deepEqual(await counts(getDb()), before);
    // The member and an admin (who acts in every organisation) see it sealed.
    for (const token of [member.documenterB, tokens.admin]) {
      assert.ok((await get(`/api/v1/items/${ids.photo}`, token)).json().sealed);
      assert.equal((await get(`/api/v1/items/${ids.photo}/original`, token)).statusCode, 200);
    }
  });

  it('queues captures for members only; a non-member can neither queue, list nor poll them', async () => {
    const refused = await send('POST', `${BASE}/captures`, member.documenterA, { url: pageUrl });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(await captureRows(), 0, 'no job was queued');

    const queued = await send('POST', `${BASE}/captures`, member.documenterB, { url: pageUrl });
    assert.equal(queued.statusCode, 202, queued.body);
    ids.capture = queued.json().id;
    assert.equal((await get(`${BASE}/captures`, member.documenterB)).json().items.length, 1);
    assert.equal((await get(`${BASE}/captures`, member.documenterA)).statusCode, 403);
    assert.equal((await get(`${BASE}/captures/${ids.capture}`, member.documenterA)).statusCode, 403);
    assert.equal((await get(`${BASE}/captures`)).statusCode, 401);
  });

  it('takes anyone’s public report, but only members moderate it', async () => {
    const body = [
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="what"\r\n\r\nThe bridge was closed at dawn.\r\n`,
      `--${BOUNDARY}--\r\n`,
    ].join('');
    const sent = await app.inject({
      method: 'POST',
      url: `${BASE}/reports`,
      payload: body,
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    });
    assert.equal(sent.statusCode, 201, sent.body);
    ids.report = sent.json().id;

    assert.equal((await get(`${BASE}/reports`, member.documenterA)).statusCode, 403);
    assert.equal((await get(`/api/v1/reports/${ids.report}`, member.documenterA)).statusCode, 403);
    const before = await counts(getDb());
    for (const decision of [
      { action: 'reject', reason: 'spam' },
      { action: 'link', incidentId: ids.published },
      { action: 'merge' },
    ]) {
      const res = await send('POST', `/api/v1/reports/${ids.report}/decision`, member.documenterA, decision);
      assert.equal(res.statusCode, 403, `${decision.action}: ${res.body}`);
    }
    assert.deepEqual(await counts(getDb()), before, 'no moderate or link custody entry');
    assert.equal((await get(`/api/v1/reports/${ids.report}`, member.documenterB)).json().status, 'pending');

    assert.equal((await get(`${BASE}/reports?status=pending`, member.documenterB)).json().items.length, 1);
    const linked = await send('POST', `/api/v1/reports/${ids.report}/decision`, member.documenterB, {
      action: 'link',
      incidentId: ids.published,
    });
    assert.equal(linked.statusCode, 200, linked.body);
    assert.equal(linked.json().status, 'linked');
  });

  it('exports bundles for members only', async () => {
    const refused = await send('POST', `${BASE}/exports`, member.documenterA, {});
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(await exportRows(), 0, 'no export was recorded');

    const bundle = await send('POST', `${BASE}/exports`, member.documenterB, { itemIds: [ids.photo] });
    assert.equal(bundle.statusCode, 200, bundle.body);
    assert.equal(bundle.rawPayload.subarray(0, 2).toString('latin1'), 'PK');
    ids.export = String(bundle.headers['x-vigil-export-id']);
    assert.equal((await get(`/api/v1/exports/${ids.export}`, member.documenterB)).statusCode, 200);
    assert.equal((await get(`/api/v1/exports/${ids.export}`, member.documenterA)).statusCode, 403);
  });
});
