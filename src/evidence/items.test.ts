import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import exifr from 'exifr';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import {
  BOUNDARY,
  blobFiles,
  counts,
  jpegWithGps,
  multipartBody,
  seedSituation,
  sha256,
  tempDir,
  tmpFiles,
} from '../../test/support/evidence.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';

const SLUG = 'test-vault';
const MAX = 1024 * 1024;

describeEachDatabase('evidence vault API', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  let blobDir: string;
  let keyDir: string;
  let incidents: { published: string; draft: string };

  before(async () => {
    const seeded = await seedSituation(getDb(), SLUG);
    incidents = { published: seeded.published, draft: seeded.draft };
    tokens = await createUsersWithTokens(getDb());
    blobDir = tempDir('blobs');
    keyDir = tempDir('keys');
    app = await buildTestApp(getDb(), { evidence: { blobDir, keyDir, maxUploadBytes: MAX } });
  });
  after(async () => {
    await app.close();
    rmSync(blobDir, { recursive: true, force: true });
    rmSync(keyDir, { recursive: true, force: true });
  });

  const upload = (data: Buffer, name: string, type: string, role: Role | null = 'documenter', query = '') => {
    const body = multipartBody(data, name, type);
    return app.inject({
      method: 'POST',
      url: `/api/v1/situations/${SLUG}/items${query}`,
      payload: body.payload,
      headers: { ...body.headers, ...(role ? bearer(tokens[role]) : {}) },
    });
  };
  const get = (url: string, role: Role | null) =>
    app.inject({ url, headers: role ? bearer(tokens[role]) : {} });

  let firstId = '';
  const bytes = randomBytes(300_000);

  it('seals an upload: the hash computed on the stream is the SHA-256 of the bytes, stored read-only', async () => {
    const res = await upload(
      bytes,
      'clip.bin',
      'application/octet-stream',
      'documenter',
      '?title=Raw%20clip',
    );
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.duplicate, false);
    assert.equal(body.item.sealed.sha256, sha256(bytes));
    assert.equal(body.item.sealed.size, bytes.length);
    assert.equal(body.item.sealed.mime, 'application/octet-stream');
    assert.equal(body.item.title, 'Raw clip');
    assert.equal(body.item.phase, 'preservation');
    const h = sha256(bytes);
    const path = join(blobDir, 'sha256', h.slice(0, 2), h.slice(2, 4), h);
    assert.deepEqual(readFileSync(path), bytes);
    assert.equal(statSync(path).mode & 0o222, 0, 'the original is read-only');
    assert.deepEqual(tmpFiles(blobDir), [], 'no temporary file left');
    firstId = body.item.id;
    const custody = await getDb().query<{ action: string; item_id: string; details: { sha256: string } }>(
      'SELECT action, item_id, details FROM custody_log WHERE item_id = $1',
      [firstId],
    );
    assert.deepEqual(
      custody.map((c) => [c.action, c.details.sha256]),
      [['create', h]],
    );
  });

  it('reports the same bytes uploaded again as a duplicate of the first, storing nothing new', async () => {
    const before = await counts(getDb());
    const blobs = blobFiles(blobDir).length;
    const res = await upload(bytes, 'copy-of-clip.mp4', 'video/mp4', 'analyst');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().duplicate, true);
    assert.equal(res.json().duplicateOf, firstId);
    assert.equal(res.json().item.id, firstId);
    const now = await counts(getDb());
    assert.equal(now.items, before.items);
    assert.equal(blobFiles(blobDir).length, blobs);
    assert.equal(now.custody, before.custody + 1, 'the duplicate attempt is recorded');
  });

  it('refuses an oversized upload and leaves no blob, no row, no custody entry', async () => {
    const before = await counts(getDb());
    const blobs = blobFiles(blobDir).length;
    const res = await upload(randomBytes(MAX + 1), 'big.bin', 'application/octet-stream');
    assert.equal(res.statusCode, 413, res.body);
    assert.match(res.json().detail, /limit/);
    assert.deepEqual(await counts(getDb()), before);
    assert.equal(blobFiles(blobDir).length, blobs);
    assert.deepEqual(tmpFiles(blobDir), []);
  });

  it('refuses an upload cut off mid-stream and leaves nothing behind', async () => {
    const before = await counts(getDb());
    const blobs = blobFiles(blobDir).length;
    const whole = multipartBody(randomBytes(200_000), 'cut.bin', 'application/octet-stream');
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/situations/${SLUG}/items`,
      payload: whole.payload.subarray(0, 100_000),
      headers: { ...whole.headers, ...bearer(tokens.documenter) },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().detail, /cut off|nothing was stored|Unexpected end/i);
    assert.deepEqual(await counts(getDb()), before);
    assert.equal(blobFiles(blobDir).length, blobs);
    assert.deepEqual(tmpFiles(blobDir), []);
  });

  it('refuses uploads from roles without evidence.write before reading them', async () => {
    assert.equal((await upload(Buffer.from('x'), 'a.txt', 'text/plain', null)).statusCode, 401);
    assert.equal((await upload(Buffer.from('x'), 'a.txt', 'text/plain', 'viewer')).statusCode, 403);
    assert.equal((await upload(Buffer.from('x'), 'a.txt', 'text/plain', 'organiser')).statusCode, 403);
  });

  it('stores a file whose bytes contradict its claimed type as what it is, and flags it', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const res = await upload(png, 'report.pdf', 'application/pdf');
    assert.equal(res.statusCode, 201, res.body);
    const sealed = res.json().item.sealed;
    assert.equal(sealed.mime, 'image/png');
    assert.equal(sealed.claimedMime, 'application/pdf');
    assert.equal(sealed.claimedName, 'report.pdf');
    assert.equal(sealed.typeMismatch, true);
    const honest = await upload(Buffer.from('just some text\n'), 'notes.txt', 'text/plain');
    assert.equal(honest.json().item.sealed.typeMismatch, false);
    assert.equal(honest.json().item.sealed.mime, 'text/plain');
  });

  let photoId = '';
  let photo: Buffer;

  it('keeps GPS and capture time in the sealed metadata and none in the publishable copy', async () => {
    photo = await jpegWithGps();
    const source = await exifr.gps(photo);
    assert.ok(source && Math.abs(source.latitude - 39.808) < 0.01, 'the test image carries GPS');
    const body = multipartBody(photo, 'IMG_0001.jpg', 'image/jpeg', {
      title: 'Shelling seen from the roof',
      incident: incidents.draft,
    });
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/situations/${SLUG}/items`,
      payload: body.payload,
      headers: { ...body.headers, ...bearer(tokens.documenter) },
    });
    assert.equal(res.statusCode, 201, res.body);
    const item = res.json().item;
    photoId = item.id;
    assert.equal(item.title, 'Shelling seen from the roof');
    assert.deepEqual(item.incidentIds, [incidents.draft]);
    assert.equal(item.sealed.mime, 'image/jpeg');
    assert.equal(item.sealed.capturedAt, '2023-09-19T10:15:00');
    assert.ok(Math.abs((item.sealed.metadata.latitude as number) - 39.808) < 0.01);
    assert.equal(item.sealed.metadata.Make, 'TestCam');
    assert.match(item.sealed.phash, /^[0-9a-f]{16}$/);
    assert.ok(item.publishable, 'an image gets a publishable copy');

    const copy = await get(`/api/v1/items/${photoId}/publishable`, 'documenter');
    assert.equal(copy.statusCode, 200);
    assert.equal(copy.headers['content-type'], 'image/jpeg');
    assert.equal(sha256(copy.rawPayload), item.publishable.sha256);
    const copyMeta = await exifr.parse(copy.rawPayload, {
      gps: true,
      xmp: true,
      iptc: true,
      tiff: true,
      exif: true,
    });
    assert.equal(copyMeta?.latitude, undefined, 'no GPS in the publishable copy');
    assert.equal(copyMeta?.Make, undefined, 'no device in the publishable copy');
    assert.equal(await exifr.gps(copy.rawPayload).catch(() => undefined), undefined);
    const meta = await sharp(copy.rawPayload).metadata();
    assert.equal(meta.exif, undefined);
    assert.equal(meta.xmp, undefined);
    assert.equal(meta.width, 320);

    const original = await get(`/api/v1/items/${photoId}/original`, 'documenter');
    assert.equal(original.statusCode, 200);
    assert.deepEqual(original.rawPayload, photo, 'the original is returned byte for byte');
    assert.match(String(original.headers['content-disposition']), /^attachment/);
  });

  it('suggests a resized re-encoding of an image as a near-duplicate', async () => {
    const resized = await sharp(photo).resize(200).jpeg({ quality: 70 }).toBuffer();
    const res = await upload(resized, 'smaller.jpg', 'image/jpeg');
    assert.equal(res.statusCode, 201);
    const item = await get(`/api/v1/items/${res.json().item.id}`, 'analyst');
    assert.ok(
      item.json().nearDuplicates.some((d: { id: string }) => d.id === photoId),
      JSON.stringify(item.json().nearDuplicates),
    );
  });

  it('shows originals and metadata only to roles that may see sealed material', async () => {
    // Linked only to a draft incident: anonymous readers see nothing of it.
    assert.equal((await get(`/api/v1/items/${photoId}`, null)).statusCode, 404);
    assert.equal((await get(`/api/v1/items/${photoId}/publishable`, null)).statusCode, 404);
    // A viewer gets the publishable copy and nothing sealed.
    const viewer = (await get(`/api/v1/items/${photoId}`, 'viewer')).json();
    assert.equal(viewer.sealed, undefined);
    assert.equal(viewer.createdBy, undefined);
    assert.ok(viewer.publishable);
    // Times of day are taken out first: a timestamp such as 12:04:39.812Z is not a coordinate.
    const viewerText = JSON.stringify(viewer).replace(/\d{2}:\d{2}:\d{2}\.\d+/g, '');
    assert.equal(viewerText.includes('39.8'), false, 'no coordinates leak');
    assert.equal((await get(`/api/v1/items/${photoId}/original`, 'viewer')).statusCode, 403);
    assert.equal((await get(`/api/v1/items/${photoId}/original`, 'organiser')).statusCode, 403);
    assert.equal((await get(`/api/v1/items/${photoId}/notes`, 'viewer')).statusCode, 403);
    assert.equal((await get(`/api/v1/items/${photoId}/custody`, 'viewer')).statusCode, 403);
    // An item without a publishable copy is invisible to them.
    assert.equal((await get(`/api/v1/items/${firstId}`, 'viewer')).statusCode, 404);
    const viewerList = (await get(`/api/v1/situations/${SLUG}/items`, 'viewer')).json();
    assert.ok(
      viewerList.items.every((i: { publishable: unknown; sealed?: unknown }) => i.publishable && !i.sealed),
    );
    assert.equal((await get(`/api/v1/situations/${SLUG}/items`, null)).json().items.length, 0);

    // Linked to a published incident: anonymous readers see its publishable copy only.
    const link = await app.inject({
      method: 'POST',
      url: `/api/v1/items/${photoId}/incidents`,
      payload: { incidentId: incidents.published },
      headers: bearer(tokens.documenter),
    });
    assert.equal(link.statusCode, 200, link.body);
    const anonymous = await get(`/api/v1/items/${photoId}`, null);
    assert.equal(anonymous.statusCode, 200);
    assert.equal(anonymous.json().sealed, undefined);
    assert.deepEqual(anonymous.json().incidentIds, [incidents.published], 'draft links stay hidden');
    assert.equal((await get(`/api/v1/items/${photoId}/publishable`, null)).statusCode, 200);
    assert.equal((await get(`/api/v1/items/${photoId}/original`, null)).statusCode, 401);
    const list = (await get(`/api/v1/situations/${SLUG}/items`, null)).json();
    assert.deepEqual(
      list.items.map((i: { id: string }) => i.id),
      [photoId],
    );
    const full = (await get(`/api/v1/situations/${SLUG}/items?incident=${incidents.draft}`, 'admin')).json();
    assert.ok(full.items.every((i: { sealed?: unknown }) => i.sealed));
  });

  it('records verification notes as separate records, never edits of the item', async () => {
    const before = (await get(`/api/v1/items/${photoId}`, 'analyst')).json();
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/items/${photoId}/notes`,
      payload: {
        method: 'geolocation',
        conclusion: 'confirms',
        note: 'Skyline matches the view north of the market.',
      },
      headers: bearer(tokens.analyst),
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().author, 'analyst@example.org');
    const viewerNote = await app.inject({
      method: 'POST',
      url: `/api/v1/items/${photoId}/notes`,
      payload: { method: 'other', conclusion: 'inconclusive', note: 'x' },
      headers: bearer(tokens.viewer),
    });
    assert.equal(viewerNote.statusCode, 403);
    const after = (await get(`/api/v1/items/${photoId}`, 'analyst')).json();
    assert.deepEqual(
      { ...after, nearDuplicates: null },
      { ...before, nearDuplicates: null },
      'the item is unchanged',
    );
    const notes = (await get(`/api/v1/items/${photoId}/notes`, 'documenter')).json().items;
    assert.equal(notes.length, 1);
    assert.equal(notes[0].method, 'geolocation');

    const phase = await app.inject({
      method: 'PATCH',
      url: `/api/v1/items/${photoId}`,
      payload: { phase: 'verification' },
      headers: bearer(tokens.documenter),
    });
    assert.equal(phase.json().phase, 'verification');
    const custody = (await get(`/api/v1/items/${photoId}/custody`, 'documenter')).json().items;
    const actions = custody.map((e: { action: string }) => e.action);
    for (const action of ['create', 'view', 'download', 'link', 'note', 'phase']) {
      assert.ok(actions.includes(action), `custody has ${action}: ${actions}`);
    }
  });

  it('answers 415 for a non-multipart upload and 404 for an unknown situation', async () => {
    const json = await app.inject({
      method: 'POST',
      url: `/api/v1/situations/${SLUG}/items`,
      payload: { file: 'x' },
      headers: bearer(tokens.documenter),
    });
    assert.equal(json.statusCode, 415);
    const body = multipartBody(Buffer.from('x'), 'a.txt', 'text/plain');
    const missing = await app.inject({
      method: 'POST',
      url: '/api/v1/situations/no-such-place/items',
      payload: body.payload,
      headers: { ...body.headers, ...bearer(tokens.documenter) },
    });
    assert.equal(missing.statusCode, 404);
    assert.ok(BOUNDARY);
  });
});
