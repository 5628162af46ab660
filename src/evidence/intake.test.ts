import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import exifr from 'exifr';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { BOUNDARY, counts, jpegWithGps, seedSituation, tempDir } from '../../test/support/evidence.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { insertSituation } from '../situations/service.ts';
import { coarsenPoint } from './intake.ts';

const SLUG = 'test-vault';

/** A multipart body with text fields first, then files. */
function reportBody(
  fields: Record<string, string>,
  files: { name: string; type: string; data: Buffer }[] = [],
) {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  };
}

describe('report location precision', () => {
  it('snaps the point to the grid of the chosen precision', () => {
    const p = { lat: 39.815123, lon: 46.752345 };
    assert.deepEqual(coarsenPoint(p, 'exact'), { lat: 39.81512, lon: 46.75235 });
    assert.deepEqual(coarsenPoint(p, 'approximate'), { lat: 39.82, lon: 46.75 });
    assert.deepEqual(coarsenPoint(p, 'town'), { lat: 39.8, lon: 46.8 });
    assert.deepEqual(coarsenPoint(p, 'region'), { lat: 40, lon: 47 });
    assert.equal(coarsenPoint(p, 'none'), null);
  });
});

describeEachDatabase('public report intake and moderation', (getDb) => {
  let app: FastifyInstance;
  let limited: FastifyInstance;
  let tokens: Record<Role, string>;
  let incidents: { published: string; draft: string };

  before(async () => {
    const seeded = await seedSituation(getDb(), SLUG);
    incidents = { published: seeded.published, draft: seeded.draft };
    await insertSituation(getDb(), {
      slug: 'closed-one',
      name: 'Private',
      startsOn: '2023-01-01',
      visibility: 'private',
    });
    tokens = await createUsersWithTokens(getDb());
    const evidence = { blobDir: tempDir('blobs'), keyDir: tempDir('keys'), maxUploadBytes: 4 * 1024 * 1024 };
    app = await buildTestApp(getDb(), {
      evidence: { ...evidence, reportMaxBytes: 1024 * 1024, reportRateLimit: 100 },
    });
    limited = await buildTestApp(getDb(), { evidence: { ...evidence, reportRateLimit: 2 } });
  });
  after(async () => {
    await app.close();
    await limited.close();
  });

  const send = (
    fields: Record<string, string>,
    files: { name: string; type: string; data: Buffer }[] = [],
    target = app,
    slug = SLUG,
  ) => {
    const body = reportBody(fields, files);
    return target.inject({
      method: 'POST',
      url: `/api/v1/situations/${slug}/reports`,
      payload: body.payload,
      headers: { ...body.headers, 'user-agent': 'WitnessPhone/1.0', 'x-forwarded-for': '203.0.113.77' },
      remoteAddress: '198.51.100.23',
    });
  };
  const as = (role: Role) => bearer(tokens[role]);
  let reportId = '';
  let photoItem = '';

  it('accepts an anonymous report, coarsens the point, seals the files and strips location from the public copy', async () => {
    const photo = await jpegWithGps();
    const res = await send(
      {
        what: 'Soldiers stopped the bread truck at the bridge.\nThey turned it back.',
        when: '2023-06',
        whenText: 'early in the morning',
        place: 'Hakari bridge',
        lat: '39.815123',
        lon: '46.752345',
        precision: 'town',
      },
      [{ name: 'bridge.jpg', type: 'image/jpeg', data: photo }],
    );
    assert.equal(res.statusCode, 201, res.body);
    const receipt = res.json();
    reportId = receipt.id;
    assert.deepEqual(receipt.storedLocation, {
      precision: 'town',
      point: { lat: 39.8, lon: 46.8 },
      placeName: 'Hakari bridge',
    });
    assert.equal(receipt.files.length, 1);

    const queue = await app.inject({
      url: `/api/v1/situations/${SLUG}/reports?status=pending`,
      headers: as('documenter'),
    });
    assert.equal(queue.statusCode, 200, queue.body);
    const report = queue.json().items.find((r: { id: string }) => r.id === reportId);
    assert.equal(report.when, '2023-06');
    assert.deepEqual(report.point, { lat: 39.8, lon: 46.8 });
    assert.equal(report.files[0].mime, 'image/jpeg');
    assert.equal(report.files[0].publishable, true);
    photoItem = report.files[0].itemId;

    const item = (await app.inject({ url: `/api/v1/items/${photoItem}`, headers: as('documenter') })).json();
    assert.equal(item.origin, 'report');
    assert.ok(item.sealed.metadata.latitude, 'the sealed original keeps its GPS tags (restricted)');
    const copy = await app.inject({
      url: `/api/v1/items/${photoItem}/publishable`,
      headers: as('documenter'),
    });
    const gps = await exifr.gps(copy.rawPayload).catch(() => undefined);
    assert.equal(gps?.latitude, undefined, 'the publishable copy carries no location');

    // Nothing about the sender is kept: no address, no user agent, anywhere.
    for (const needle of ['WitnessPhone', '198.51.100.23', '203.0.113.77']) {
      const [found] = (await getDb().query<{ n: number }>(
        `SELECT ((SELECT count(*) FROM public_reports r WHERE row_to_json(r)::text LIKE $1)
          + (SELECT count(*) FROM custody_log c WHERE row_to_json(c)::text LIKE $1)
          + (SELECT count(*) FROM evidence_items e WHERE row_to_json(e)::text LIKE $1))::int AS n`,
        [`%${needle}%`],
      )) as [{ n: number }];
      assert.equal(found.n, 0, `${needle} must not be stored`);
    }
  });

  it('refuses bad input, private situations and oversized files, storing nothing', async () => {
    const before = await counts(getDb());
    assert.equal((await send({ when: '2023-01-01' })).statusCode, 400);
    assert.equal(
      (await send({ what: 'x', lat: '39.8', lon: '46.7' })).statusCode,
      400,
      'precision is required with a point',
    );
    assert.equal((await send({ what: 'x', when: '2023-02-30' })).statusCode, 400);
    assert.equal((await send({ what: 'x' }, [], app, 'closed-one')).statusCode, 404);
    const big = await send({ what: 'big file' }, [
      { name: 'big.bin', type: 'application/octet-stream', data: Buffer.alloc(1024 * 1024 + 10, 1) },
    ]);
    assert.equal(big.statusCode, 413, big.body);
    const invalidAfterFile = await send({ what: '' }, [
      { name: 'a.txt', type: 'text/plain', data: Buffer.from('unique bytes 9f1') },
    ]);
    assert.equal(invalidAfterFile.statusCode, 400);
    assert.deepEqual(await counts(getDb()), before);
  });

  it('rate-limits reports per client', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await send({ what: `limited ${i}` }, [], limited)).statusCode);
    assert.deepEqual(codes, [201, 201, 429]);
  });

  it('only moderators see the queue', async () => {
    for (const role of ['viewer', 'organiser'] as const) {
      const res = await app.inject({ url: `/api/v1/situations/${SLUG}/reports`, headers: as(role) });
      assert.equal(res.statusCode, 403);
    }
    assert.equal((await app.inject({ url: `/api/v1/situations/${SLUG}/reports` })).statusCode, 401);
  });

  it('merges a report into a new incident, linking its items, recorded in custody', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/reports/${reportId}/decision`,
      payload: { action: 'merge', incident: { title: 'Bread truck turned back at Hakari bridge' } },
      headers: as('documenter'),
    });
    assert.equal(res.statusCode, 200, res.body);
    const decided = res.json();
    assert.equal(decided.status, 'merged');
    const incidentId = decided.decision.incidentId;
    const incident = (
      await app.inject({ url: `/api/v1/incidents/${incidentId}`, headers: as('documenter') })
    ).json();
    assert.equal(incident.title, 'Bread truck turned back at Hakari bridge');
    assert.equal(incident.status, 'draft');
    assert.equal(incident.start, '2023-06');
    assert.deepEqual(incident.point, { lat: 39.8, lon: 46.8 });
    assert.match(incident.description, /bread truck/);
    const item = (await app.inject({ url: `/api/v1/items/${photoItem}`, headers: as('documenter') })).json();
    assert.deepEqual(item.incidentIds, [incidentId]);
    const custody = (
      await app.inject({ url: `/api/v1/items/${photoItem}/custody`, headers: as('documenter') })
    ).json();
    const actions = custody.items.map((e: { action: string }) => e.action);
    assert.deepEqual(
      actions.filter((a: string) => a !== 'view'),
      ['create', 'report', 'link', 'moderate'],
    );
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/reports/${reportId}/decision`,
      payload: { action: 'reject', reason: 'duplicate' },
      headers: as('documenter'),
    });
    assert.equal(again.statusCode, 409);
  });

  it('merges into an existing incident as a revision, links as evidence, and rejects with a reason', async () => {
    const ids: string[] = [];
    for (const what of ['Shelling near the school', 'Queue at the bakery', 'Spam text']) {
      ids.push((await send({ what, precision: 'none' })).json().id);
    }
    const decide = (id: string, payload: object) =>
      app.inject({ method: 'POST', url: `/api/v1/reports/${id}/decision`, payload, headers: as('analyst') });
    const merged = await decide(ids[0]!, { action: 'merge', incidentId: incidents.published });
    assert.equal(merged.statusCode, 200, merged.body);
    const incident = (
      await app.inject({ url: `/api/v1/incidents/${incidents.published}`, headers: as('analyst') })
    ).json();
    assert.match(incident.description, /Shelling near the school/);
    assert.ok(incident.revisions.at(-1).changes.description);
    const linked = await decide(ids[1]!, { action: 'link', incidentId: incidents.draft });
    assert.equal(linked.json().status, 'linked');
    assert.equal((await decide(ids[2]!, { action: 'reject' })).statusCode, 400, 'a rejection needs a reason');
    const rejected = await decide(ids[2]!, { action: 'reject', reason: 'not about this situation' });
    assert.equal(rejected.json().status, 'rejected');
    assert.equal(rejected.json().decision.reason, 'not about this situation');
    const statement = rejected.json().statementItemId;
    const custody = (
      await app.inject({ url: `/api/v1/items/${statement}/custody`, headers: as('analyst') })
    ).json();
    const moderate = custody.items.find((e: { action: string }) => e.action === 'moderate');
    assert.equal(moderate.details.decision, 'rejected');
    assert.equal(moderate.details.reason, 'not about this situation');
    const pending = await app.inject({
      url: `/api/v1/situations/${SLUG}/reports?status=pending`,
      headers: as('admin'),
    });
    assert.ok(!pending.json().items.some((r: { id: string }) => ids.includes(r.id)));
    assert.equal(
      (await decide(ids[1]!, { action: 'link', incidentId: incidents.published })).statusCode,
      409,
    );
    assert.equal(
      (
        await app.inject({
          method: 'POST',
          url: `/api/v1/reports/${ids[1]}/decision`,
          payload: { action: 'reject', reason: 'x' },
          headers: as('viewer'),
        })
      ).statusCode,
      403,
    );
  });
});
