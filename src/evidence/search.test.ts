import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { seedSituation, tempDir } from '../../test/support/evidence.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { BlobStore } from './blobs.ts';
import { insertIncident } from './incidents.ts';
import { parseReportFields, submitReport } from './intake.ts';
import { sealItem, type Vault } from './items.ts';
import { htmlToText, storeItemText } from './text.ts';

const SLUG = 'test-vault';

it('turns HTML into its readable text', () => {
  const text = htmlToText(
    '<html><head><title>T</title><script>var secret = 1;</script><style>p{}</style></head>' +
      '<body><!-- hidden --><p>Fuel &amp; flour</p><p>at&nbsp;the&#32;border&#x21;</p></body></html>',
  );
  assert.equal(text, 'T\nFuel & flour\nat the border!');
});

describeEachDatabase('search', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  const ids: Record<string, string> = {};

  before(async () => {
    const db = getDb();
    const seeded = await seedSituation(db, SLUG);
    tokens = await createUsersWithTokens(db);
    const blobDir = tempDir('blobs');
    app = await buildTestApp(db, {
      evidence: { blobDir, keyDir: tempDir('keys'), maxUploadBytes: 1024 * 1024 },
    });
    const vault: Vault = { db, blobs: new BlobStore(blobDir), maxUploadBytes: 1024 * 1024 };
    const author = { userId: null, label: 'test' };
    ids.publishedIncident = await insertIncident(
      db,
      seeded.situation.id,
      {
        title: 'Humanitarian convoy blocked',
        description: 'The convoy waited at the checkpoint',
        category: 'test',
        start: '2023-07-01',
        confidence: 'high',
        status: 'published',
        sources: [{ url: 'https://example.org/a' }],
      },
      author,
    );
    ids.draftIncident = await insertIncident(
      db,
      seeded.situation.id,
      {
        title: 'Convoy rumour (unchecked)',
        category: 'test',
        start: '2023-07-02',
        confidence: 'low',
        status: 'draft',
        sources: [{ url: 'https://example.org/b' }],
      },
      author,
    );
    const seal = async (title: string, text: string) =>
      (
        await sealItem(vault, author, {
          situationId: seeded.situation.id,
          stream: Readable.from([Buffer.from(`<html><body>${text}</body></html>`)]),
          claimedName: 'page.html',
          claimedMime: 'text/html',
          title,
          origin: 'capture',
        })
      ).id;
    ids.capture = await seal(
      'Raw response of ministry statement',
      'The ministry denied any blockade of the corridor',
    );
    await storeItemText(
      db,
      ids.capture,
      'html-without-tags',
      'The ministry denied any blockade of the corridor',
    );
    const note = await app.inject({
      method: 'POST',
      url: `/api/v1/items/${ids.capture}/notes`,
      payload: {
        method: 'geolocation',
        conclusion: 'supports',
        note: 'Shadows match the afternoon at Stepanakert',
      },
      headers: bearer(tokens.documenter),
    });
    ids.note = note.json().id;
    const receipt = await submitReport(
      vault,
      seeded.situation,
      parseReportFields({ what: 'Ambulance stopped at the corridor checkpoint', precision: 'none' }),
      [],
    );
    ids.report = receipt.id;
  });
  after(async () => {
    await app.close();
  });

  const search = async (q: string, role: Role | null, extra = '') => {
    const res = await app.inject({
      url: `/api/v1/situations/${SLUG}/search?q=${encodeURIComponent(q)}${extra}`,
      headers: role ? bearer(tokens[role]) : {},
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as {
      items: { type: string; id: string; snippet: string; url: string }[];
      types: string[];
    };
  };
  const hits = (result: Awaited<ReturnType<typeof search>>) =>
    result.items.map((h) => `${h.type}:${h.id}`).sort();

  it('finds incidents, item titles, captured text, notes and reports for a reader of sealed material', async () => {
    const convoy = await search('convoy', 'documenter');
    assert.deepEqual(
      hits(convoy),
      [`incident:${ids.draftIncident}`, `incident:${ids.publishedIncident}`].sort(),
    );
    assert.match(convoy.items[0]!.snippet, /«[Cc]onvoy»/);
    assert.deepEqual(
      hits(await search('ministry', 'documenter')),
      [`item-text:${ids.capture}`, `item:${ids.capture}`].sort(),
    );
    assert.deepEqual(hits(await search('blockade corridor', 'documenter')), [`item-text:${ids.capture}`]);
    const shadows = await search('shadows Stepanakert', 'documenter');
    assert.deepEqual(hits(shadows), [`note:${ids.note}`]);
    assert.equal(shadows.items[0]!.url, `/api/v1/items/${ids.capture}/notes`);
    assert.deepEqual(hits(await search('ambulance', 'analyst')), [`report:${ids.report}`]);
    assert.deepEqual(hits(await search('corridor', 'documenter', '&types=report')), [`report:${ids.report}`]);
  });

  it('never shows sealed material or drafts to those who may not see them', async () => {
    const viewer = await search('convoy ministry shadows ambulance or corridor or blockade', 'viewer');
    assert.deepEqual(viewer.types, ['incident', 'item']);
    assert.ok(viewer.items.every((h) => h.type === 'incident'));
    assert.deepEqual(
      hits(await search('convoy', 'viewer')),
      [`incident:${ids.draftIncident}`, `incident:${ids.publishedIncident}`].sort(),
    );
    assert.deepEqual(hits(await search('convoy', null)), [`incident:${ids.publishedIncident}`]);
    assert.deepEqual(hits(await search('ministry', null)), [], 'an item without a public copy is not found');
    assert.deepEqual(hits(await search('ambulance', 'organiser')), []);
  });
});
