// `vigil items republish` as an operator runs it on an installation that holds items sealed before Vigil made
// publishable copies of their kind (a video and a PDF; simulated by removing their copies as such an
// installation would have none): the copies are made with progress, the command is safe to run again,
// --situation limits it, and the custody chain still verifies.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate } from '../src/db/migrate.ts';
import { openPostgres } from '../src/db/postgres.ts';
import type { Database } from '../src/db/types.ts';
import { runVigil } from './support/app.ts';
import { createPostgresDatabase } from './support/db.ts';
import { mediaWithLocation, pdfWithMetadata, seedSituation, tempDir } from './support/evidence.ts';

describe('vigil items republish', () => {
  let dataDir: string;
  let work: string;
  let database: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;

  const withDb = async <T>(fn: (db: Database) => Promise<T>) => {
    const db = await openPostgres(database.url);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };
  const copies = () =>
    withDb((db) =>
      db.query<{ claimed_name: string; mime: string | null }>(
        `SELECT e.claimed_name, p.mime FROM evidence_items e LEFT JOIN evidence_publishable p ON p.item_id = e.id
         ORDER BY e.claimed_name`,
      ),
    );

  before(async () => {
    dataDir = tempDir('republish-data');
    work = tempDir('republish-cli');
    database = await createPostgresDatabase();
    env = { VIGIL_DATA_DIR: dataDir, DATABASE_URL: database.url };
    await withDb(async (db) => {
      await migrate(db);
      await seedSituation(db, 'old-vault');
      await seedSituation(db, 'other-vault');
    });
    for (const [slug, files] of [
      ['old-vault', ['clip.mp4', 'statement.pdf', 'notes.txt']],
      ['other-vault', ['elsewhere.pdf']],
    ] as const) {
      const folder = join(work, slug);
      mkdirSync(folder);
      for (const name of files) {
        const data = name.endsWith('.mp4')
          ? mediaWithLocation(work, 'mp4')
          : name.endsWith('.pdf')
            ? await pdfWithMetadata(`Statement in ${slug}.`)
            : Buffer.from('what the witness said\n');
        writeFileSync(join(folder, name), data);
      }
      const imported = await runVigil(['import', 'items', folder, '--situation', slug], { env });
      assert.equal(imported.code, 0, imported.stderr);
    }
    // As an installation from before publishable copies of video and PDF: no copy, no reason recorded.
    await withDb(async (db) => {
      const removed = await db.query<{ sha256: string }>('DELETE FROM evidence_publishable RETURNING sha256');
      assert.equal(removed.length, 3);
      await db.query('UPDATE evidence_items SET publishable_note = NULL');
      for (const { sha256 } of removed) {
        rmSync(join(dataDir, 'blobs', 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256), {
          force: true,
        });
      }
    });
  });
  after(async () => {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('makes the missing copies of one situation with progress, then has nothing left to do', async () => {
    const run = await runVigil(['items', 'republish', '--situation', 'old-vault'], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^3 items without a publishable copy$/m);
    assert.match(run.stderr, /^\[1\/3\] 33%$/m);
    assert.match(run.stderr, /^\[3\/3\] 100%$/m);
    assert.match(run.stdout, /^made\t[0-9a-f-]{36}\tvideo\/mp4\t/m);
    assert.match(run.stdout, /^made\t[0-9a-f-]{36}\tapplication\/pdf\t/m);
    assert.match(
      run.stdout,
      /^none\t[0-9a-f-]{36}\tno publishable copy: Vigil cannot remove metadata from text\/plain/m,
    );
    assert.match(
      run.stderr,
      /2 copies made, 1 without a copy, 0 integrity failures, 0 skipped \(3 items had none\)/,
    );
    assert.deepEqual(
      (await copies()).map((r) => [r.claimed_name, r.mime]),
      [
        ['clip.mp4', 'video/mp4'],
        ['elsewhere.pdf', null],
        ['notes.txt', null],
        ['statement.pdf', 'application/pdf'],
      ],
    );

    const entries = () =>
      withDb(
        async (db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM custody_log'))[0]!.n,
      );
    const before = await entries();
    const again = await runVigil(['items', 'republish', '--situation', 'old-vault'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stderr,
      /0 copies made, 1 without a copy, 0 integrity failures, 0 skipped \(1 item had none\)/,
    );
    assert.equal(await entries(), before, 'a second run records nothing new');

    const custody = await runVigil(['verify', 'custody'], { env });
    assert.equal(custody.code, 0, custody.stderr);
  });

  it('reaches every situation without --situation and refuses an unknown one', async () => {
    const all = await runVigil(['items', 'republish'], { env });
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stderr, /^1 copy made, 1 without a copy/m);
    assert.equal((await copies()).find((r) => r.claimed_name === 'elsewhere.pdf')?.mime, 'application/pdf');

    const unknown = await runVigil(['items', 'republish', '--situation', 'no-such-place'], { env });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no-such-place/);
  });
});
