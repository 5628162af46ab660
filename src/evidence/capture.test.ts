import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, runVigil, startVigil } from '../../test/support/app.ts';
import { createPostgresDatabase, DATABASE_KINDS, describeEachDatabase } from '../../test/support/db.ts';
import { counts, seedSituation, sha256, tempDir } from '../../test/support/evidence.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { migrate } from '../db/migrate.ts';
import { openPostgres } from '../db/postgres.ts';
import { blockedReason, resolvePublic } from './address-guard.ts';
import { BlobStore } from './blobs.ts';
import {
  type CaptureContext,
  claimCapture,
  DEFAULT_CHROMIUM,
  fetchChecked,
  runNextCapture,
  startCaptureWorker,
} from './capture.ts';

const SLUG = 'test-vault';
const PAGE = Buffer.from(
  '<!doctype html><html><head><title>Checkpoint report</title><style>body{font-family:sans-serif}</style>' +
    '<script>var hidden = "scriptword";</script></head><body><h1>Convoy stopped at the checkpoint</h1>' +
    '<p>Forty trucks &amp; two ambulances waited at Hakari bridge.</p><img src="/pixel.png"></body></html>',
);
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** A small site on localhost: a page with an image, a redirect to it, a 404 and a redirect to 127.0.0.2. */
async function serveSite(): Promise<{ base: string; port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/page') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-served-by': 'test-site' });
      res.end(PAGE);
    } else if (req.url === '/other') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body><p>Another page about the corridor</p></body></html>');
    } else if (req.url === '/queued') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body><p>A page captured through the queue</p></body></html>');
    } else if (req.url === '/pixel.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(PIXEL);
    } else if (req.url === '/moved') {
      res.writeHead(302, { location: '/page' });
      res.end();
    } else if (req.url === '/to-internal') {
      const port = (server.address() as AddressInfo).port;
      res.writeHead(301, { location: `http://127.0.0.2:${port}/page` });
      res.end();
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('capture address guard', () => {
  it('refuses private, loopback, link-local and other non-public addresses, IPv4 and IPv6', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fe80::1%eth0',
      'fd00::1',
      'fc00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      '2002:7f00:1::',
      'ff02::1',
      '[::1]',
    ]) {
      assert.ok(blockedReason(address), `${address} must be refused`);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(blockedReason(address), null, `${address} is public`);
    }
  });

  it('checks every address a name resolves to', async () => {
    const resolver = async (host: string) =>
      host === 'mixed.test'
        ? [
            { address: '93.184.216.34', family: 4 },
            { address: '10.0.0.5', family: 4 },
          ]
        : host === 'v6.test'
          ? [
              { address: '2606:4700:4700::1111', family: 6 },
              { address: 'fd12::1', family: 6 },
            ]
          : [{ address: '93.184.216.34', family: 4 }];
    await assert.rejects(
      resolvePublic(new URL('http://mixed.test/'), false, resolver),
      /10\.0\.0\.5, a private/,
    );
    await assert.rejects(resolvePublic(new URL('http://v6.test/'), false, resolver), /fd12::1/);
    await assert.rejects(resolvePublic(new URL('http://[::1]:80/'), false, resolver), /loopback/);
    await assert.rejects(
      resolvePublic(new URL('ftp://public.test/'), false, resolver),
      /only http and https/,
    );
    const ok = await resolvePublic(new URL('https://public.test/x'), false, resolver);
    assert.deepEqual(ok.addresses, [{ address: '93.184.216.34', family: 4 }]);
    assert.ok(await resolvePublic(new URL('http://mixed.test/'), true, resolver));
  });

  it('checks the target of every redirect and refuses one that leads to a non-public address', async () => {
    const site = await serveSite();
    try {
      // 127.0.0.1 is allowed as an exception; the redirect goes to 127.0.0.2 (loopback, not allowed).
      const options = {
        allowPrivate: false,
        chromiumPath: null,
        allowAddress: (a: string) => a === '127.0.0.1',
      };
      const fetched = await fetchChecked(`${site.base}/moved`, options);
      assert.equal(fetched.finalUrl, `${site.base}/page`);
      assert.equal(fetched.redirects.length, 1);
      assert.equal(sha256(fetched.body), sha256(PAGE));
      await assert.rejects(
        fetchChecked(`${site.base}/to-internal`, options),
        /redirects to http:\/\/127\.0\.0\.2.*loopback/,
      );
    } finally {
      await site.close();
    }
  });
});

describeEachDatabase('URL capture API', (getDb) => {
  let app: FastifyInstance;
  let strictApp: FastifyInstance;
  let noChromiumApp: FastifyInstance;
  let tokens: Record<Role, string>;
  let site: Awaited<ReturnType<typeof serveSite>>;
  let incidentId: string;
  // The queue's worker, as `vigil serve` runs it (the apps only queue jobs).
  let ctx: CaptureContext;
  let worker: { stop(): Promise<void> };

  before(async () => {
    const seeded = await seedSituation(getDb(), SLUG);
    incidentId = seeded.published;
    tokens = await createUsersWithTokens(getDb());
    site = await serveSite();
    const evidence = { blobDir: tempDir('blobs'), keyDir: tempDir('keys'), maxUploadBytes: 32 * 1024 * 1024 };
    app = await buildTestApp(getDb(), { evidence: { ...evidence, captureAllowPrivate: true } });
    strictApp = await buildTestApp(getDb(), { evidence: { ...evidence, captureAllowPrivate: false } });
    noChromiumApp = await buildTestApp(getDb(), {
      evidence: { ...evidence, captureAllowPrivate: true, chromiumPath: '/nonexistent/chromium' },
    });
    ctx = {
      vault: { db: getDb(), blobs: new BlobStore(evidence.blobDir), maxUploadBytes: evidence.maxUploadBytes },
      allowPrivate: true,
      chromiumPath: DEFAULT_CHROMIUM,
    };
    worker = startCaptureWorker(ctx, { pollMs: 100 });
  });
  after(async () => {
    await worker.stop();
    await app.close();
    await strictApp.close();
    await noChromiumApp.close();
    await site.close();
  });

  const capture = (target: FastifyInstance, url: string, role: Role = 'documenter', extra = {}) =>
    target.inject({
      method: 'POST',
      url: `/api/v1/situations/${SLUG}/captures`,
      payload: { url, ...extra },
      headers: bearer(tokens[role]),
    });
  const finished = async (target: FastifyInstance, id: string) => {
    for (;;) {
      const res = await target.inject({
        url: `/api/v1/situations/${SLUG}/captures/${id}`,
        headers: bearer(tokens.documenter),
      });
      assert.equal(res.statusCode, 200, res.body);
      const job = res.json();
      if (job.status === 'succeeded' || job.status === 'failed') return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const item = (id: string) =>
    app.inject({ url: `/api/v1/items/${id}`, headers: bearer(tokens.documenter) }).then((r) => r.json());
  const original = (id: string) =>
    app.inject({ url: `/api/v1/items/${id}/original`, headers: bearer(tokens.documenter) });

  it('captures a page: raw response, screenshot, PDF and the capture record, sealed and linked', async () => {
    const res = await capture(app, `${site.base}/moved`, 'documenter', { incidentId });
    assert.equal(res.statusCode, 202, res.body);
    assert.match(res.json().status, /queued|running/);
    const job = await finished(app, res.json().id);
    assert.equal(job.status, 'succeeded', job.error);
    assert.equal(job.progress, 100);
    assert.equal(job.finalUrl, `${site.base}/page`);
    assert.equal(job.httpStatus, 200);
    assert.ok(job.fetchedAt);
    assert.equal(job.rendered, true, job.renderNote);
    for (const part of ['record', 'response', 'screenshot', 'pdf']) assert.ok(job.items[part], part);

    const response = await item(job.items.response);
    assert.equal(response.origin, 'capture');
    assert.equal(response.sourceUrl, `${site.base}/page`);
    assert.equal(response.sealed.sha256, sha256(PAGE), 'the raw response is sealed byte for byte');
    assert.equal(response.sealed.mime, 'text/html');
    assert.deepEqual(response.incidentIds, [incidentId]);
    assert.equal((await item(job.items.screenshot)).sealed.mime, 'image/png');
    assert.equal((await item(job.items.pdf)).sealed.mime, 'application/pdf');

    const recordRes = await original(job.items.record);
    const record = JSON.parse(recordRes.body);
    assert.equal(record.kind, 'vigil-capture-record');
    assert.equal(record.requestedUrl, `${site.base}/moved`);
    assert.equal(record.finalUrl, `${site.base}/page`);
    assert.equal(record.fetchStartedAt, job.fetchedAt);
    assert.equal(record.redirects[0].status, 302);
    assert.deepEqual(
      record.response.headers.find(([k]: [string]) => k.toLowerCase() === 'x-served-by'),
      ['x-served-by', 'test-site'],
    );
    assert.equal(record.parts.response.sha256, sha256(PAGE));
    const screenshot = await original(job.items.screenshot);
    assert.equal(record.parts.screenshot.sha256, sha256(screenshot.rawPayload));
    assert.equal(screenshot.rawPayload.subarray(1, 4).toString(), 'PNG');
    assert.equal((await original(job.items.pdf)).rawPayload.subarray(0, 5).toString(), '%PDF-');

    const custody = await app.inject({
      url: `/api/v1/items/${job.items.record}/custody`,
      headers: bearer(tokens.documenter),
    });
    const actions = custody.json().items.map((e: { action: string }) => e.action);
    assert.ok(actions.includes('create') && actions.includes('capture'), actions.join());
    const entry = custody.json().items.find((e: { action: string }) => e.action === 'capture');
    assert.equal(entry.details.parts.pdf, job.items.pdf);

    const list = await app.inject({
      url: `/api/v1/situations/${SLUG}/captures`,
      headers: bearer(tokens.analyst),
    });
    assert.ok(list.json().items.some((c: { id: string }) => c.id === job.id));
  });

  it('a URL that cannot be fetched fails the job with a clear error and stores nothing', async () => {
    const before = await counts(getDb());
    const res = await capture(app, `${site.base}/gone`);
    assert.equal(res.statusCode, 202);
    const job = await finished(app, res.json().id);
    assert.equal(job.status, 'failed');
    assert.match(job.error, /answered 404.*nothing was stored/);
    const refused = await capture(app, `http://127.0.0.1:1/`);
    const job2 = await finished(app, refused.json().id);
    assert.equal(job2.status, 'failed');
    assert.match(job2.error, /cannot fetch .*refused/);
    assert.deepEqual(await counts(getDb()), before);
  });

  it('refuses loopback addresses unless the administrator allows them, before queueing anything', async () => {
    const [{ n: jobs }] = (await getDb().query<{ n: number }>(
      'SELECT count(*)::int AS n FROM evidence_captures',
    )) as [{ n: number }];
    const res = await capture(strictApp, `${site.base}/page`);
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().detail, /127\.0\.0\.1, a loopback address.*VIGIL_CAPTURE_ALLOW_PRIVATE/);
    const bad = await capture(strictApp, 'file:///etc/passwd');
    assert.equal(bad.statusCode, 400);
    const [{ n }] = (await getDb().query<{ n: number }>(
      'SELECT count(*)::int AS n FROM evidence_captures',
    )) as [{ n: number }];
    assert.equal(n, jobs);
  });

  it('without chromium keeps the raw response and the record, and says how to install chromium', async () => {
    await worker.stop();
    const noChromium = startCaptureWorker({ ...ctx, chromiumPath: '/nonexistent/chromium' }, { pollMs: 100 });
    const res = await capture(noChromiumApp, `${site.base}/other`);
    const job = await finished(noChromiumApp, res.json().id).finally(async () => {
      await noChromium.stop();
      worker = startCaptureWorker(ctx, { pollMs: 100 });
    });
    assert.equal(job.status, 'succeeded', job.error);
    assert.equal(job.rendered, false);
    assert.match(job.renderNote, /apt-get install chromium/);
    assert.ok(job.items.response && job.items.record);
    assert.equal(job.items.screenshot, null);
    assert.equal(job.items.pdf, null);
  });

  it('keeps jobs in the database: a job whose worker died is taken up again when its lease runs out, stored once', async () => {
    await worker.stop();
    try {
      const before = await counts(getDb());
      const res = await capture(app, `${site.base}/queued`);
      assert.equal(res.statusCode, 202, res.body);
      const id = res.json().id;
      const job = async () =>
        (
          await app.inject({
            url: `/api/v1/situations/${SLUG}/captures/${id}`,
            headers: bearer(tokens.documenter),
          })
        ).json();
      // A worker takes the job and dies: it never renews its lease nor finishes.
      const t0 = Date.now();
      const dead = await claimCapture(getDb(), {
        now: () => new Date(t0),
        leaseMs: 60_000,
        workerId: 'dead',
      });
      assert.equal(dead?.jobId, id);
      assert.equal((await job()).status, 'running');
      // While the lease holds, no other worker takes it.
      assert.equal(await runNextCapture(ctx, { now: () => new Date(t0 + 30_000), workerId: 'other' }), null);
      // After it, another worker does, and finishes it.
      assert.equal(await runNextCapture(ctx, { now: () => new Date(t0 + 61_000), workerId: 'other' }), id);
      const done = await job();
      assert.equal(done.status, 'succeeded', done.error);
      assert.equal(done.attempts, 2);
      assert.ok(done.items.response && done.items.record && done.items.screenshot && done.items.pdf);
      // Stored once: one item per part, one capture custody entry.
      const after = await counts(getDb());
      assert.equal(after.items - before.items, 4);
      const [{ n }] = (await getDb().query<{ n: number }>(
        `SELECT count(*)::int AS n FROM custody_log WHERE action = 'capture' AND details->>'captureId' = $1`,
        [id],
      )) as [{ n: number }];
      assert.equal(n, 1);
      // The dead worker's lease is gone: were it to wake up, its updates would change nothing.
      assert.equal(await runNextCapture(ctx), null);
    } finally {
      worker = startCaptureWorker(ctx, { pollMs: 100 });
    }
  });

  it('gives up on a job interrupted more often than allowed, saying why', async () => {
    await worker.stop();
    try {
      const res = await capture(app, `${site.base}/other`);
      const id = res.json().id;
      let t = Date.now();
      for (let i = 0; i < 3; i++) {
        assert.equal((await claimCapture(getDb(), { now: () => new Date(t), leaseMs: 1000 }))?.jobId, id);
        t += 2000;
      }
      assert.equal(await claimCapture(getDb(), { now: () => new Date(t), leaseMs: 1000 }), null);
      const job = (
        await app.inject({
          url: `/api/v1/situations/${SLUG}/captures/${id}`,
          headers: bearer(tokens.documenter),
        })
      ).json();
      assert.equal(job.status, 'failed');
      assert.match(job.error, /interrupted 3 times/);
    } finally {
      worker = startCaptureWorker(ctx, { pollMs: 100 });
    }
  });

  it('needs evidence.write', async () => {
    assert.equal((await capture(app, `${site.base}/page`, 'viewer')).statusCode, 403);
    const anonymous = await app.inject({
      method: 'POST',
      url: `/api/v1/situations/${SLUG}/captures`,
      payload: { url: `${site.base}/page` },
    });
    assert.equal(anonymous.statusCode, 401);
  });
});

describe('vigil capture', { skip: !DATABASE_KINDS.includes('postgres') }, () => {
  let site: Awaited<ReturnType<typeof serveSite>>;
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  before(async () => {
    site = await serveSite();
    database = await createPostgresDatabase();
    const db = await openPostgres(database.url);
    await migrate(db);
    await seedSituation(db, SLUG);
    await db.close();
  });
  after(async () => {
    await site.close();
    await database.drop();
  });

  it('captures a URL from the command line, and refuses a private address unless allowed', async () => {
    const env = {
      DATABASE_URL: database.url,
      VIGIL_DATA_DIR: tempDir('cli-data'),
      VIGIL_CHROMIUM: '/nonexistent/chromium',
    };
    const refused = await runVigil(['capture', `${site.base}/page`, '--situation', SLUG], { env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /loopback address/);
    const ok = await runVigil(['capture', `${site.base}/page`, '--situation', SLUG], {
      env: { ...env, VIGIL_CAPTURE_ALLOW_PRIVATE: '1' },
    });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^response\t[0-9a-f-]{36}$/m);
    assert.match(ok.stdout, /^record\t[0-9a-f-]{36}$/m);
    assert.match(ok.stderr, /100%\s+done/);
    assert.match(ok.stderr, /apt-get install chromium/);
  });
});

describe('capture queue across a crash of vigil serve', {
  skip: !DATABASE_KINDS.includes('postgres'),
}, () => {
  // A page whose image stalls the first time it is asked for: the server is killed while chromium waits.
  const hits = { page: 0, image: 0 };
  const stalled: http.ServerResponse[] = [];
  let server: http.Server;
  let base: string;
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let token: string;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/crash-page') {
        hits.page++;
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body><h1>Shelling near the crossing</h1><img src="/stall.png"></body></html>');
      } else if (req.url === '/stall.png') {
        hits.image++;
        if (hits.image === 1) {
          stalled.push(res); // never answered
          return;
        }
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(PIXEL);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    database = await createPostgresDatabase();
    const db = await openPostgres(database.url);
    await migrate(db);
    await seedSituation(db, SLUG);
    token = (await createUsersWithTokens(db)).documenter;
    await db.close();
  });
  after(async () => {
    for (const res of stalled) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await database.drop();
  });

  it('resumes a job whose server was killed mid-capture after a restart, fetching and storing nothing twice', async () => {
    const dataDir = tempDir('crash-data');
    const env = {
      DATABASE_URL: database.url,
      VIGIL_CAPTURE_ALLOW_PRIVATE: '1',
      VIGIL_CAPTURE_LEASE_SECONDS: '2',
      VIGIL_NO_DEMO: '1',
    };
    const first = await startVigil({ dataDir, env });
    let id: string;
    try {
      const res = await fetch(`${first.url}/api/v1/situations/${SLUG}/captures`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${base}/crash-page` }),
      });
      assert.equal(res.status, 202);
      id = ((await res.json()) as { id: string }).id;
      // Wait until chromium asks for the stalling image: the response is sealed by then.
      while (hits.image === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      const exited = new Promise((resolve) => first.process.once('exit', resolve));
      first.process.kill('SIGKILL');
      await exited;
    }
    const db = await openPostgres(database.url);
    try {
      const [left] = await db.query<{ status: string; parts: number }>(
        `SELECT status, (SELECT count(*)::int FROM evidence_capture_items WHERE capture_id = c.id) AS parts
         FROM evidence_captures c WHERE id = $1`,
        [id],
      );
      assert.equal(left?.status, 'running', 'the dead worker left the job running');
      assert.equal(left?.parts, 1, 'only the raw response was sealed before the crash');

      const second = await startVigil({ dataDir, env });
      let job: { status: string; attempts: number; error: string | null; items: Record<string, string> };
      try {
        for (;;) {
          const res = await fetch(`${second.url}/api/v1/situations/${SLUG}/captures/${id}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          job = (await res.json()) as typeof job;
          if (job.status === 'succeeded' || job.status === 'failed') break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      } finally {
        await second.stop();
      }
      assert.equal(job.status, 'succeeded', job.error ?? '');
      assert.equal(job.attempts, 2);
      assert.equal(hits.page, 1, 'the page was fetched once: the resumed job used the sealed response');
      const [stored] = await db.query<{ items: number; captures: number }>(
        `SELECT (SELECT count(*)::int FROM evidence_items) AS items,
           (SELECT count(*)::int FROM custody_log WHERE action = 'capture') AS captures`,
      );
      assert.deepEqual(stored, { items: 4, captures: 1 });
      for (const part of ['record', 'response', 'screenshot', 'pdf']) assert.ok(job.items[part], part);
    } finally {
      await db.close();
    }
  });
});
