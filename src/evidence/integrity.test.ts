// Exports that meet a blob altered or missing on disk, and the public record of the custody log: its keys
// (rotated ones too) and signed checkpoints, checked the way a third party would, with openssl.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, runVigil } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { jpegWithGps, seedSituation, tempDir } from '../../test/support/evidence.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { BlobStore } from './blobs.ts';
import { takeCheckpoint, verifyCustody } from './custody.ts';
import { verifyBundle } from './exports.ts';
import { sealItem } from './items.ts';
import { initKeys, knownPublicKeys, loadSigner, rotateKeys } from './keys.ts';

const SLUG = 'test-vault';
const author = { userId: null, label: 'test' };

describeEachDatabase('export integrity and the public custody record', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  let blobs: BlobStore;
  let keyDir: string;
  let work: string;
  let situationId: string;
  const dirs: string[] = [];

  before(async () => {
    const seeded = await seedSituation(getDb(), SLUG);
    situationId = seeded.situation.id;
    tokens = await createUsersWithTokens(getDb());
    work = tempDir('integrity');
    keyDir = tempDir('keys');
    const blobDir = tempDir('blobs');
    dirs.push(work, keyDir, blobDir);
    blobs = new BlobStore(blobDir);
    await initKeys(getDb(), keyDir);
    app = await buildTestApp(getDb(), { evidence: { blobDir, keyDir, maxUploadBytes: 16 * 1024 * 1024 } });
  });
  after(async () => {
    await app.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const seal = (data: Buffer, name: string) =>
    sealItem({ db: getDb(), blobs, maxUploadBytes: 16 * 1024 * 1024 }, author, {
      situationId,
      stream: Readable.from([data]),
      claimedName: name,
      claimedMime: null,
      origin: 'import',
    });
  const exportBundle = async (itemIds: string[], name: string) => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/situations/${SLUG}/exports`,
      payload: { itemIds },
      headers: bearer(tokens.documenter),
    });
    assert.equal(res.statusCode, 200, res.body);
    const path = join(work, name);
    writeFileSync(path, res.rawPayload);
    return { path, exportId: res.headers['x-vigil-export-id'] as string, trailers: res.trailers };
  };
  const unzip = (zip: string) => {
    const dir = `${zip}.d`;
    assert.equal(spawnSync('unzip', ['-q', '-o', zip, '-d', dir]).status, 0);
    return dir;
  };

  it('finishes an export whose blob was altered on disk, saying so in the bundle, the custody log, the API and the CLI', async () => {
    const good = await seal(await jpegWithGps(64, 48), 'photo.jpg');
    const bad = await seal(randomBytes(40_000), 'recording.bin');
    const [{ sha256 }] = (await getDb().query<{ sha256: string }>(
      'SELECT sha256 FROM evidence_items WHERE id = $1',
      [bad.id],
    )) as [{ sha256: string }];
    // Someone with the file system changes one byte of the sealed original.
    const blobPath = blobs.pathOf(sha256);
    chmodSync(blobPath, 0o644);
    const bytes = readFileSync(blobPath);
    bytes[1000] = bytes[1000]! ^ 0xff;
    writeFileSync(blobPath, bytes);

    const { path, exportId } = await exportBundle([good.id, bad.id], 'altered.zip');
    const dir = unzip(path);
    const badPath = `items/${bad.id}/original.bin`;
    // The bundle says so.
    const notice = readFileSync(join(dir, 'INTEGRITY-FAILURES.txt'), 'utf8');
    assert.match(notice, new RegExp(`item ${bad.id}`));
    assert.match(notice, new RegExp(`sealed: +${sha256}`));
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.integrityFailures.length, 1);
    assert.equal(manifest.integrityFailures[0].itemId, bad.id);
    assert.equal(manifest.integrityFailures[0].path, badPath);
    const custody = readFileSync(join(dir, 'custody.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const entry = custody.find((e: { action: string }) => e.action === 'integrity-failure');
    assert.equal(entry.itemId, bad.id);
    assert.equal(entry.details.expectedSha256, sha256);
    // sha256sum -c, as the court clerk runs it, fails on that file and only on it.
    const sums = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' });
    assert.notEqual(sums.status, 0);
    assert.match(sums.stdout, new RegExp(`${badPath}: FAILED`));
    assert.match(sums.stdout, /original\.jpg: OK/);
    // vigil verify bundle fails naming it.
    const report = await verifyBundle(path);
    assert.equal(report.ok, false);
    assert.ok(
      report.problems.some((p) => p.startsWith(`changed file: ${badPath}`)),
      report.problems.join('\n'),
    );
    assert.ok(
      report.problems.some((p) =>
        p.includes(`integrity failure recorded when the bundle was made: ${badPath}`),
      ),
    );
    const cli = await runVigil(['verify', 'bundle', path]);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, new RegExp(`changed file: ${badPath}`));
    // The API reports it, and the custody log holds it (and stays intact).
    const status = await app.inject({
      url: `/api/v1/exports/${exportId}`,
      headers: bearer(tokens.documenter),
    });
    assert.equal(status.statusCode, 200, status.body);
    assert.equal(status.json().status, 'integrity-failure');
    assert.equal(status.json().failures[0].itemId, bad.id);
    assert.equal(status.json().failures[0].expectedSha256, sha256);
    assert.equal(
      (await app.inject({ url: `/api/v1/exports/${exportId}`, headers: bearer(tokens.viewer) })).statusCode,
      403,
    );
    const logged = await getDb().query(
      "SELECT 1 FROM custody_log WHERE action = 'integrity-failure' AND item_id = $1",
      [bad.id],
    );
    assert.equal(logged.length, 1);
    const chain = await verifyCustody(getDb(), {
      keyDir,
      publicKeys: await knownPublicKeys(getDb(), keyDir),
    });
    assert.equal(chain.ok, true, chain.problems.join('\n'));

    // A blob gone from disk: named as missing.
    rmSync(blobPath);
    const missing = await exportBundle([bad.id], 'missing.zip');
    const missingReport = await verifyBundle(missing.path);
    assert.ok(missingReport.problems.includes(`missing file: ${badPath}`), missingReport.problems.join('\n'));
    const missingStatus = (
      await app.inject({ url: `/api/v1/exports/${missing.exportId}`, headers: bearer(tokens.admin) })
    ).json();
    assert.match(missingStatus.failures[0].reason, /missing/);

    // A sound export says so too.
    const sound = await exportBundle([good.id], 'sound.zip');
    assert.equal((await verifyBundle(sound.path)).ok, true);
    const soundStatus = (
      await app.inject({ url: `/api/v1/exports/${sound.exportId}`, headers: bearer(tokens.documenter) })
    ).json();
    assert.equal(soundStatus.status, 'complete');
    assert.deepEqual(soundStatus.failures, []);
  });

  it('publishes the public keys and signed checkpoints, which openssl verifies, and keeps old keys valid after a rotation', async () => {
    const first = loadSigner(keyDir)!;
    await takeCheckpoint(getDb(), first, keyDir, { force: true });
    const keys = (await app.inject({ url: '/api/v1/custody/keys' })).json().items;
    assert.equal(keys.length, 1);
    assert.equal(keys[0].fingerprintSha256, first.fingerprint);
    assert.equal(keys[0].current, true);
    const checkpoints = (await app.inject({ url: '/api/v1/custody/checkpoints' })).json();
    assert.ok(checkpoints.items.length >= 1);

    // What docs/evidence.md tells a third party to do, with openssl.
    const keyPath = join(work, 'key.pem');
    writeFileSync(keyPath, keys[0].publicKeyPem);
    const der = spawnSync('openssl', ['pkey', '-pubin', '-in', keyPath, '-outform', 'DER']);
    assert.equal(
      spawnSync('sha256sum', { input: der.stdout, encoding: 'utf8' }).stdout.split(' ')[0],
      first.fingerprint,
    );
    const opensslVerifies = (checkpoint: { message: string; signature: string }, pem: string) => {
      writeFileSync(join(work, 'checkpoint.txt'), checkpoint.message);
      writeFileSync(join(work, 'checkpoint.sig'), Buffer.from(checkpoint.signature, 'base64'));
      writeFileSync(join(work, 'signer.pem'), pem);
      const ssl = spawnSync(
        'openssl',
        [
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          'signer.pem',
          '-rawin',
          '-in',
          'checkpoint.txt',
          '-sigfile',
          'checkpoint.sig',
        ],
        { cwd: work, encoding: 'utf8' },
      );
      return ssl.status === 0 && /Signature Verified Successfully/.test(ssl.stdout);
    };
    const last = checkpoints.items.at(-1);
    assert.equal(last.message, `vigil-custody-checkpoint-v1\n${last.headId}\n${last.headHash}\n${last.at}\n`);
    assert.ok(opensslVerifies(last, keys[0].publicKeyPem));
    assert.ok(
      !opensslVerifies({ ...last, message: last.message.replace(/\n\d+\n/, '\n1\n') }, keys[0].publicKeyPem),
    );

    // Rotate: new checkpoints use the new key; the old key still verifies the old ones.
    const { retired, current } = await rotateKeys(getDb(), keyDir);
    assert.equal(retired.keyId, first.keyId);
    assert.notEqual(current.keyId, first.keyId);
    assert.equal(loadSigner(keyDir)!.keyId, current.keyId);
    assert.ok(existsSync(join(keyDir, 'retired', `${first.keyId}.pub.pem`)));
    await seal(randomBytes(1000), 'after-rotation.bin');
    const fresh = (await takeCheckpoint(getDb(), loadSigner(keyDir)!, keyDir))!;
    assert.equal(fresh.keyId, current.keyId);
    const report = await verifyCustody(getDb(), {
      keyDir,
      publicKeys: await knownPublicKeys(getDb(), keyDir),
    });
    assert.equal(report.ok, true, report.problems.join('\n'));
    assert.deepEqual(report.warnings, []);
    assert.equal(
      report.checkpointsChecked,
      (await getDb().query('SELECT 1 FROM custody_checkpoints')).length,
    );

    const after = (await app.inject({ url: '/api/v1/custody/keys' })).json().items;
    assert.deepEqual(
      after.map((k: { keyId: string; current: boolean; retiredAt: string | null }) => [
        k.keyId,
        k.current,
        k.retiredAt !== null,
      ]),
      [
        [first.keyId, false, true],
        [current.keyId, true, false],
      ],
    );
    const all = (await app.inject({ url: '/api/v1/custody/checkpoints?limit=1000' })).json().items;
    const newest = all.at(-1);
    assert.equal(newest.keyId, current.keyId);
    const pemOf = (id: string) => after.find((k: { keyId: string }) => k.keyId === id).publicKeyPem;
    for (const c of all) assert.ok(opensslVerifies(c, pemOf(c.keyId)), `checkpoint ${c.id} by ${c.keyId}`);
    assert.ok(!opensslVerifies(newest, pemOf(first.keyId)), 'the old key did not sign the new checkpoint');

    const bad = await app.inject({ url: '/api/v1/custody/checkpoints?limit=0' });
    assert.equal(bad.statusCode, 400);
  });
});
