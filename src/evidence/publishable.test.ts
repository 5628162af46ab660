// Publishable copies of video, audio and PDF files (no location or device metadata, read back to prove
// it), what public readers and bundles get, items that cannot be copied, and PDF text in search.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { PDFDocument, PDFName } from 'pdf-lib';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import {
  mediaWithLocation,
  multipartBody,
  pdfWithMetadata,
  seedSituation,
  sha256,
  tempDir,
} from '../../test/support/evidence.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { initKeys } from './keys.ts';
import { readAvMetadata } from './publishable.ts';

const SLUG = 'test-vault';
const LOCATION_KEYS = /location|xyz|gps|make|model|creation_time|comment|date/i;
const XYZ = Buffer.from([0xa9, 0x78, 0x79, 0x7a]); // the MOV ©xyz atom

/** What a file still says about where and with what it was made, read straight from its bytes. */
function tellTales(data: Buffer): string[] {
  const found: string[] = [];
  if (data.includes('loci')) found.push('loci atom');
  if (data.includes(XYZ)) found.push('©xyz atom');
  if (data.includes('+40.1234')) found.push('the location string');
  if (data.includes('TestCam') || data.includes('Witness X1')) found.push('the camera');
  return found;
}

describeEachDatabase('publishable copies of video, audio and PDF', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  let incidentId: string;
  let work: string;
  const dirs: string[] = [];

  before(async () => {
    const seeded = await seedSituation(getDb(), SLUG);
    incidentId = seeded.published;
    tokens = await createUsersWithTokens(getDb());
    work = tempDir('pub');
    const evidence = { blobDir: tempDir('blobs'), keyDir: tempDir('keys'), maxUploadBytes: 64 * 1024 * 1024 };
    dirs.push(work, evidence.blobDir, evidence.keyDir);
    await initKeys(getDb(), evidence.keyDir);
    app = await buildTestApp(getDb(), { evidence });
  });
  after(async () => {
    await app.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const upload = async (data: Buffer, name: string, type: string, title = name) => {
    const { payload, headers } = multipartBody(data, name, type, { title, incident: incidentId });
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/situations/${SLUG}/items`,
      payload,
      headers: { ...headers, ...bearer(tokens.documenter) },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().item;
  };
  const anonymous = (url: string) => app.inject({ url });

  for (const [kind, mime] of [
    ['mp4', 'video/mp4'],
    ['mov', 'video/quicktime'],
    ['m4a', 'audio/mp4'],
    ['mp3', 'audio/mpeg'],
  ] as const) {
    it(`makes a ${kind} copy without location or device metadata, and public readers get only that copy`, async () => {
      const original = mediaWithLocation(work, kind);
      assert.ok(tellTales(original).length > 0 || kind === 'mp3', 'the fixture carries a location');
      const before = await readAvMetadata(join(work, `fixture.${kind}`));
      assert.ok(
        before.entries.some(([k, v]) => /location|comment/.test(k) && v.includes('+40.1234')),
        JSON.stringify(before.entries),
      );

      const item = await upload(original, `clip.${kind}`, mime);
      assert.equal(item.sealed.sha256, sha256(original), 'the original is sealed as it came');
      assert.ok(item.publishable, item.publishableNote);
      assert.equal(item.publishableNote, null);
      assert.match(item.publishable.method, /ffmpeg/);

      // Anonymous readers: the item is listed (it is linked to a published incident), with the copy only.
      const listed = (await anonymous(`/api/v1/situations/${SLUG}/items`)).json().items;
      const mine = listed.find((i: { id: string }) => i.id === item.id);
      assert.ok(mine, 'listed publicly');
      assert.equal(mine.sealed, undefined);
      assert.equal((await anonymous(`/api/v1/items/${item.id}/original`)).statusCode, 401);
      const copy = await anonymous(`/api/v1/items/${item.id}/publishable`);
      assert.equal(copy.statusCode, 200);
      assert.equal(sha256(copy.rawPayload), item.publishable.sha256);
      assert.deepEqual(tellTales(copy.rawPayload), []);

      // Read back by ffmpeg: still playable streams, and no metadata that says where, when or with what.
      const copyPath = join(work, `copy.${kind}`);
      writeFileSync(copyPath, copy.rawPayload);
      const after = await readAvMetadata(copyPath);
      assert.ok(after.streams.length >= 1, 'the copy holds the streams');
      assert.deepEqual(
        after.entries.filter(([k, v]) => LOCATION_KEYS.test(k) || v.includes('+40.1234')),
        [],
      );
    });
  }

  it('makes a PDF copy without its Info dictionary or XMP metadata, and finds the PDF by a word inside it', async () => {
    const original = await pdfWithMetadata('The quartermaster counted zebrafinch lorries at dawn');
    const source = await PDFDocument.load(original, { updateMetadata: false });
    assert.equal(source.getAuthor(), 'Witness Name');
    assert.ok(original.includes('<x:xmpmeta'));
    const item = await upload(original, 'statement.pdf', 'application/pdf', 'Signed statement');
    assert.ok(item.publishable, item.publishableNote);
    assert.equal(item.publishable.mime, 'application/pdf');

    const copy = (await anonymous(`/api/v1/items/${item.id}/publishable`)).rawPayload;
    for (const tell of ['xmpmeta', 'GPSLatitude', 'xpacket'])
      assert.ok(!copy.includes(tell), `the copy still holds ${tell}`);
    const doc = await PDFDocument.load(copy, { updateMetadata: false });
    assert.equal(doc.context.trailerInfo.Info, undefined, 'no Info dictionary');
    assert.ok(!copy.toString('latin1').includes('/Info'));
    assert.equal(doc.getAuthor(), undefined);
    assert.equal(doc.getCreator(), undefined);
    assert.equal(doc.catalog.get(PDFName.of('Metadata')), undefined);
    assert.equal(doc.getPageCount(), 1, 'the pages are kept');

    // Search: a word found only inside the PDF (not in its title) finds the item for sealed readers.
    const search = await app.inject({
      url: `/api/v1/situations/${SLUG}/search?q=zebrafinch`,
      headers: bearer(tokens.analyst),
    });
    assert.equal(search.statusCode, 200, search.body);
    const hit = search.json().items.find((h: { type: string; itemId: string }) => h.itemId === item.id);
    assert.ok(hit, search.body);
    assert.equal(hit.type, 'item-text');
    assert.match(hit.snippet, /«zebrafinch»/);
    const viewer = await app.inject({
      url: `/api/v1/situations/${SLUG}/search?q=zebrafinch`,
      headers: bearer(tokens.viewer),
    });
    assert.deepEqual(viewer.json().items, [], 'the text of a sealed file is not shown to viewers');
  });

  it('does not publish a file it cannot copy without metadata, and says why', async () => {
    const zip = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 7)]);
    const item = await upload(zip, 'archive.zip', 'application/zip');
    assert.equal(item.publishable, null);
    assert.match(
      item.publishableNote,
      /no publishable copy: Vigil cannot remove metadata from application\/zip/,
    );
    const broken = await upload(Buffer.from('%PDF-1.7\nnot really a pdf'), 'broken.pdf', 'application/pdf');
    assert.equal(broken.publishable, null);
    assert.match(broken.publishableNote, /no publishable copy: the PDF cannot be read/);

    const listed = (await anonymous(`/api/v1/situations/${SLUG}/items`)).json().items;
    assert.ok(!listed.some((i: { id: string }) => i.id === item.id || i.id === broken.id));
    assert.equal((await anonymous(`/api/v1/items/${item.id}`)).statusCode, 404);
    const asViewer = await app.inject({ url: `/api/v1/items/${item.id}`, headers: bearer(tokens.viewer) });
    assert.equal(asViewer.statusCode, 404);
  });

  it('puts the publishable copies in export bundles next to the originals', async () => {
    const items = (
      await app.inject({
        url: `/api/v1/situations/${SLUG}/items?limit=100`,
        headers: bearer(tokens.documenter),
      })
    ).json().items as { id: string; sealed: { mime: string }; publishable: { sha256: string } | null }[];
    const video = items.find((i) => i.sealed.mime === 'video/mp4')!;
    const pdf = items.find((i) => i.sealed.mime === 'application/pdf' && i.publishable)!;
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/situations/${SLUG}/exports`,
      payload: { itemIds: [video.id, pdf.id] },
      headers: bearer(tokens.documenter),
    });
    assert.equal(res.statusCode, 200, res.body);
    const zipPath = join(work, 'bundle.zip');
    writeFileSync(zipPath, res.rawPayload);
    const dir = join(work, 'bundle');
    assert.equal(spawnSync('unzip', ['-q', zipPath, '-d', dir]).status, 0);
    const copy = readFileSync(join(dir, 'items', video.id, 'publishable.mp4'));
    assert.equal(sha256(copy), video.publishable!.sha256);
    assert.deepEqual(tellTales(copy), []);
    assert.ok(readFileSync(join(dir, 'items', video.id, 'original.mp4')).includes('loci'));
    const bundled = await PDFDocument.load(readFileSync(join(dir, 'items', pdf.id, 'publishable.pdf')));
    assert.equal(bundled.getAuthor(), undefined);
  });
});
