// The evidence commands as a user runs them: import a folder, keys, verify custody, export and verify a bundle.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate } from '../src/db/migrate.ts';
import { openPostgres } from '../src/db/postgres.ts';
import type { Database } from '../src/db/types.ts';
import { runVigil } from './support/app.ts';
import { createPostgresDatabase } from './support/db.ts';
import { jpegWithGps, seedSituation, tempDir } from './support/evidence.ts';

// On PostgreSQL: each command opens the database, and opening the embedded one costs seconds.
describe('vigil evidence commands', () => {
  let dataDir: string;
  let database: { url: string; drop(): Promise<void> };
  let work: string;
  let env: Record<string, string>;
  let incident: string;

  const withDb = async <T>(fn: (db: Database) => Promise<T>) => {
    const db = await openPostgres(database.url);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };

  before(async () => {
    dataDir = tempDir('data');
    work = tempDir('cli');
    database = await createPostgresDatabase();
    env = { VIGIL_DATA_DIR: dataDir, DATABASE_URL: database.url };
    incident = await withDb(async (db) => {
      await migrate(db);
      return (await seedSituation(db, 'cli-vault')).published;
    });
    const folder = join(work, 'evidence');
    mkdirSync(join(folder, 'day-1'), { recursive: true });
    writeFileSync(join(folder, 'day-1', 'photo.jpg'), await jpegWithGps(64, 48));
    writeFileSync(join(folder, 'statement.txt'), 'I saw the convoy turned back.\n');
    writeFileSync(join(folder, 'clip.mp4'), randomBytes(20_000)); // not really a video: flagged
    writeFileSync(join(folder, '.DS_Store'), 'hidden');
  });
  after(async () => {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('imports a folder, verifies custody, exports and verifies a bundle, and catches tampering', async () => {
    const keys = await runVigil(['keys', 'init'], { env });
    assert.equal(keys.code, 0, keys.stderr);
    assert.match(keys.stdout, /fingerprint \(SHA-256\): [0-9a-f]{64}/);
    assert.notEqual((await runVigil(['keys', 'init'], { env })).code, 0, 'a key is never replaced');

    const imported = await runVigil(
      ['import', 'items', join(work, 'evidence'), '--situation', 'cli-vault', '--incident', incident],
      { env },
    );
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /3 sealed, 0 duplicates, 0 failed \(3 files\)/);
    const again = await runVigil(['import', 'items', join(work, 'evidence'), '--situation', 'cli-vault'], {
      env,
    });
    assert.match(again.stderr, /0 sealed, 3 duplicates/);
    const flagged = await withDb((db) =>
      db.query<{ claimed_name: string; type_mismatch: boolean }>(
        'SELECT claimed_name, type_mismatch FROM evidence_items ORDER BY claimed_name',
      ),
    );
    assert.deepEqual(
      flagged.map((r) => [r.claimed_name, r.type_mismatch]),
      [
        ['clip.mp4', true],
        ['day-1/photo.jpg', false],
        ['statement.txt', false],
      ],
    );

    const intact = await runVigil(['verify', 'custody'], { env });
    assert.equal(intact.code, 0, intact.stderr);
    assert.match(intact.stdout, /custody log intact: 6 entries/);

    const bundle = join(work, 'bundle.zip');
    const exported = await runVigil(['export', 'bundle', '--situation', 'cli-vault', '--out', bundle], {
      env,
    });
    assert.equal(exported.code, 0, exported.stderr);
    const checked = await runVigil(['verify', 'bundle', bundle], { env });
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stdout, /bundle intact: .* 3 items/);

    // Key rotation: the chain still verifies (old checkpoints by the retired key), new checkpoints use the
    // new key, and the bundle signed before stays checkable with the retired public key.
    const oldId = /signing key ([0-9a-f]{16}) created/.exec(keys.stdout)![1]!;
    const rotated = await runVigil(['keys', 'rotate'], { env });
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, new RegExp(`retired key ${oldId}`));
    const newId = /signing key ([0-9a-f]{16}) created/.exec(rotated.stdout)![1]!;
    assert.notEqual(newId, oldId);
    const afterRotation = await runVigil(['verify', 'custody'], { env });
    assert.equal(afterRotation.code, 0, afterRotation.stderr);
    assert.doesNotMatch(afterRotation.stderr, /unknown key/);
    const checkpoints = readFileSync(join(dataDir, 'keys', 'checkpoints.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(JSON.parse(checkpoints.at(-1)!).keyId, newId);
    assert.ok(checkpoints.some((line) => JSON.parse(line).keyId === oldId));
    const oldBundle = await runVigil(
      ['verify', 'bundle', bundle, '--public-key', join(dataDir, 'keys', 'retired', `${oldId}.pub.pem`)],
      { env },
    );
    assert.equal(oldBundle.code, 0, oldBundle.stderr);

    // An entry altered straight in the database.
    const [victim] = await withDb(async (db) => {
      const rows = await db.query<{ id: number }>(
        "SELECT id FROM custody_log WHERE action = 'duplicate' ORDER BY id LIMIT 1",
      );
      await db.query(`UPDATE custody_log SET details = '{"claimedName":"nothing to see"}' WHERE id = $1`, [
        rows[0]!.id,
      ]);
      return rows;
    });
    const broken = await runVigil(['verify', 'custody'], { env });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, new RegExp(`BROKEN at entry ${victim!.id}\\b`));

    // A bundle with a file changed (a corrupted ZIP copy is refused too).
    const garbled = join(work, 'garbled.zip');
    writeFileSync(garbled, 'not a zip');
    const bad = await runVigil(['verify', 'bundle', garbled], { env });
    assert.notEqual(bad.code, 0);
  });
});
