import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import yazl from 'yazl';
import { describeEachDatabase } from '../../test/support/db.ts';
import { jpegWithGps, seedSituation, tempDir } from '../../test/support/evidence.ts';
import type { Database } from '../db/types.ts';
import { BlobStore } from './blobs.ts';
import { appendCustody, takeCheckpoint, verifyCustody } from './custody.ts';
import { prepareExport, verifyBundle } from './exports.ts';
import { sealItem } from './items.ts';
import { initKeys, knownPublicKeys, type Signer } from './keys.ts';

const author = { userId: null, label: 'test' };

describeEachDatabase('custody chain and bundles', (getDb) => {
  let keyDir: string;
  let blobDir: string;
  let work: string;
  let signer: Signer;

  before(async () => {
    keyDir = tempDir('keys');
    blobDir = tempDir('blobs');
    work = tempDir('work');
    signer = await initKeys(getDb(), keyDir);
  });
  after(() => {
    for (const dir of [keyDir, blobDir, work]) rmSync(dir, { recursive: true, force: true });
  });

  const verify = async (db: Database = getDb(), dir: string | null = keyDir) =>
    verifyCustody(db, { keyDir: dir, publicKeys: await knownPublicKeys(db, dir) });
  const append = (n: number) =>
    getDb().transaction((tx) =>
      appendCustody(
        tx,
        Array.from({ length: n }, (_, i) => ({
          actorId: null,
          actorLabel: 'tester',
          action: 'view' as const,
          itemId: null,
          details: { n: i, nested: { b: 2, a: [1, 'x'] } },
        })),
      ),
    );

  it('keeps an intact chain, page after page', async () => {
    await append(12);
    const report = await verifyCustody(getDb(), {
      keyDir,
      publicKeys: await knownPublicKeys(getDb(), keyDir),
      pageSize: 5,
    });
    assert.equal(report.ok, true, report.problems.join('\n'));
    assert.equal(report.entries, 12);
    assert.equal(report.firstBroken, null);
  });

  it('names the first broken entry after an UPDATE straight in the database, and is intact again once undone', async () => {
    const rows = await getDb().query<{ id: number; actor_label: string }>(
      'SELECT id, actor_label FROM custody_log ORDER BY id',
    );
    const target = rows[4]!;
    await getDb().query("UPDATE custody_log SET actor_label = 'someone else' WHERE id = $1", [target.id]);
    const report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken, target.id);
    assert.match(report.problems[0]!, /altered/);
    await getDb().query('UPDATE custody_log SET actor_label = $2 WHERE id = $1', [
      target.id,
      target.actor_label,
    ]);
    assert.equal((await verify()).ok, true);
  });

  it('names the entry after a DELETE straight in the database', async () => {
    const rows = await getDb().query<{ id: number }>('SELECT id FROM custody_log ORDER BY id');
    const saved = await getDb().query('SELECT * FROM custody_log WHERE id = $1', [rows[6]!.id]);
    await getDb().query('DELETE FROM custody_log WHERE id = $1', [rows[6]!.id]);
    const report = await verify();
    assert.equal(report.firstBroken, rows[7]!.id);
    assert.match(report.problems[0]!, /deleted/);
    const s = saved[0] as Record<string, unknown>;
    await getDb().query(
      'INSERT INTO custody_log (id, at, actor_id, actor_label, action, item_id, details, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)',
      [
        s.id,
        s.at,
        s.actor_id,
        s.actor_label,
        s.action,
        s.item_id,
        JSON.stringify(s.details),
        s.prev_hash,
        s.hash,
      ],
    );
    assert.equal((await verify()).ok, true);
  });

  it('detects entries cut from the end with a signed checkpoint', async () => {
    const checkpoint = await takeCheckpoint(getDb(), signer, keyDir);
    assert.ok(checkpoint);
    const [head] = await getDb().query<{ id: number }>('SELECT max(id)::int AS id FROM custody_log');
    assert.equal(checkpoint.headId, head!.id);
    assert.equal((await verify()).checkpointsChecked >= 1, true);
    await getDb().query('DELETE FROM custody_log WHERE id >= $1', [head!.id - 1]);
    const report = await verify();
    assert.equal(report.ok, false);
    assert.match(report.problems.join('\n'), /missing .*cut/);
    // The checkpoint kept outside the database still catches it when the database's copy is removed too.
    await getDb().query('DELETE FROM custody_checkpoints');
    assert.equal((await verify()).ok, false);
    // Without any checkpoint the cut cannot be seen: the report says so.
    const blind = await verify(getDb(), null);
    assert.equal(blind.ok, true);
    assert.match(blind.warnings.join('\n'), /no signed checkpoints/);
    // A forged checkpoint does not verify.
    const file = join(keyDir, 'checkpoints.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const forged = { ...JSON.parse(lines.at(-1)!), headHash: 'f'.repeat(64) };
    writeFileSync(file, `${JSON.stringify(forged)}\n`);
    assert.match((await verify()).problems.join('\n'), /signature does not verify/);
    rmSync(file);
  });

  it('exports a bundle that verifies, and names a changed, missing or extra file', async () => {
    await getDb().query('DELETE FROM custody_log'); // start a fresh chain for this test
    const { situation } = await seedSituation(getDb(), 'bundle-test');
    const vault = { db: getDb(), blobs: new BlobStore(blobDir), maxUploadBytes: 10 * 1024 * 1024 };
    const photo = await sealItem(vault, author, {
      situationId: situation.id,
      stream: Readable.from([await jpegWithGps(64, 48)]),
      claimedName: 'photo.jpg',
      claimedMime: 'image/jpeg',
      origin: 'upload',
    });
    const doc = await sealItem(vault, author, {
      situationId: situation.id,
      stream: Readable.from([randomBytes(50_000)]),
      claimedName: 'blob.bin',
      claimedMime: null,
      origin: 'import',
    });
    const prepared = await prepareExport(
      { db: getDb(), blobs: vault.blobs, signer, keyDir },
      author,
      situation,
      [photo.id, doc.id],
    );
    const zipPath = join(work, 'bundle.zip');
    await prepared.write(createWriteStream(zipPath));
    const report = await verifyBundle(zipPath);
    assert.equal(report.ok, true, report.problems.join('\n'));
    assert.equal(report.items, 2);
    assert.equal(report.fingerprint, signer.fingerprint);
    assert.ok(report.custodyEntries >= 4, 'create and export entries of both items');
    assert.equal((await verify()).ok, true, 'exporting keeps the chain intact');
    const exports = await getDb().query<{ action: string }>(
      "SELECT action FROM custody_log WHERE action = 'export'",
    );
    assert.equal(exports.length, 2);

    // With the public key given, a bundle signed by another key is refused.
    const other = await initKeys(getDb(), tempDir('other-key'));
    assert.match(
      (await verifyBundle(zipPath, { publicKeyPem: other.publicKeyPem })).problems.join('\n'),
      /not the key you gave/,
    );

    // The court clerk's commands from VERIFY.txt, on the unzipped bundle.
    const dir = join(work, 'unzipped');
    assert.equal(spawnSync('unzip', ['-q', zipPath, '-d', dir]).status, 0);
    const verifyText = readFileSync(join(dir, 'VERIFY.txt'), 'utf8');
    assert.match(verifyText, /sha256sum -c SHA256SUMS/);
    const sums = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' });
    assert.equal(sums.status, 0, sums.stdout + sums.stderr);
    assert.match(sums.stdout, /items\/.*\/original\.jpg: OK/);
    if (existsSync('/usr/bin/openssl')) {
      for (const file of ['SHA256SUMS', 'manifest.json']) {
        const ssl = spawnSync(
          'openssl',
          [
            'pkeyutl',
            '-verify',
            '-pubin',
            '-inkey',
            'public-key.pem',
            '-rawin',
            '-in',
            file,
            '-sigfile',
            `${file}.sig`,
          ],
          { cwd: dir, encoding: 'utf8' },
        );
        assert.equal(ssl.status, 0, ssl.stdout + ssl.stderr);
        assert.match(ssl.stdout, /Signature Verified Successfully/);
      }
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const photoEntry = manifest.items.find((i: { id: string }) => i.id === photo.id);
    assert.equal(photoEntry.capture.capturedAt, '2023-09-19T10:15:00');
    assert.equal(photoEntry.files.length, 2, 'original and publishable copy');

    // Tampered copies: rebuild the ZIP with one change each.
    const entries = spawnSync('unzip', ['-Z1', zipPath], { encoding: 'utf8' }).stdout.trim().split('\n');
    const rebuild = async (name: string, change: (files: Map<string, Buffer>) => void) => {
      const files = new Map(entries.map((e) => [e, readFileSync(join(dir, e))]));
      change(files);
      const zip = new yazl.ZipFile();
      for (const [path, data] of files) zip.addBuffer(data, path);
      zip.end();
      const out = join(work, name);
      await new Promise((resolve, reject) =>
        zip.outputStream
          .pipe(createWriteStream(out))
          .on('finish', () => resolve(undefined))
          .on('error', reject),
      );
      return (await verifyBundle(out)).problems.join('\n');
    };
    const original = entries.find((e) => e.endsWith('original.bin'))!;
    assert.match(
      await rebuild('changed.zip', (f) => {
        const data = Buffer.from(f.get(original)!);
        data[100] = data[100]! ^ 0xff;
        f.set(original, data);
      }),
      new RegExp(`changed file: ${original}`),
    );
    assert.match(
      await rebuild('missing.zip', (f) => f.delete(original)),
      new RegExp(`missing file: ${original}`),
    );
    assert.match(
      await rebuild('extra.zip', (f) => f.set('items/planted.txt', Buffer.from('planted'))),
      /extra file: items\/planted\.txt/,
    );
    assert.match(
      await rebuild('resigned.zip', (f) =>
        // Another first character, whatever it was (a hash may start with 0).
        f.set(
          'SHA256SUMS',
          Buffer.from(`${f.get('SHA256SUMS')}`.replace(/^./, (c) => (c === '0' ? '1' : '0'))),
        ),
      ),
      /signature does not verify: SHA256SUMS\.sig/,
    );
  });
});
