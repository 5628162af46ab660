// The backfill of publishable copies (`vigil items republish`): items sealed before Vigil made copies of
// their kind get one from the sealed original, without location metadata, each with a `publishable` custody
// entry; a second run changes nothing; a type that cannot be copied keeps (or gets) its reason; an original
// that no longer matches its seal gets no copy and an `integrity-failure` entry; other situations are left
// alone with --situation; and the custody chain stays intact throughout.
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import { describeEachDatabase } from '../../test/support/db.ts';
import {
  FIXTURE_LOCATION,
  mediaWithLocation,
  pdfWithMetadata,
  seedSituation,
  tempDir,
} from '../../test/support/evidence.ts';
import type { Database } from '../db/types.ts';
import { BlobStore } from './blobs.ts';
import { verifyCustody } from './custody.ts';
import { sealItem, type Vault } from './items.ts';
import { type RepublishOutcome, republishMissingCopies } from './republish.ts';

const AUTHOR = { userId: null, label: 'vigil command (test)' };

/** Makes an item look as if it was sealed before copies of its kind existed: no copy row, no note. */
async function asIfSealedBeforeCopies(vault: Vault, itemId: string): Promise<void> {
  const [row] = await vault.db.query<{ sha256: string }>(
    'DELETE FROM evidence_publishable WHERE item_id = $1 RETURNING sha256',
    [itemId],
  );
  await vault.db.query('UPDATE evidence_items SET publishable_note = NULL WHERE id = $1', [itemId]);
  if (row) await vault.blobs.discard(row.sha256);
}

describeEachDatabase('publishable copies made afterwards', (getDb) => {
  let vault: Vault;
  let work: string;
  let blobDir = '';
  const ids = { video: '', pdf: '', text: '', other: '', broken: '' };

  const seal = (situationId: string, data: Buffer, name: string) =>
    sealItem(vault, AUTHOR, {
      situationId,
      stream: Readable.from([data]),
      claimedName: name,
      claimedMime: null,
      origin: 'import',
    }).then((r) => r.id);
  const copyOf = async (id: string) =>
    (
      await getDb().query<{ sha256: string; mime: string }>(
        'SELECT sha256, mime FROM evidence_publishable WHERE item_id = $1',
        [id],
      )
    )[0] ?? null;
  const custody = async (id: string) =>
    getDb().query<{ action: string; details: Record<string, unknown> }>(
      'SELECT action, details FROM custody_log WHERE item_id = $1 ORDER BY id',
      [id],
    );
  const chainIntact = async (db: Database) => {
    const report = await verifyCustody(db, { keyDir: null, publicKeys: new Map() });
    assert.equal(report.ok, true, report.problems.join('\n'));
  };

  before(async () => {
    work = tempDir('republish');
    blobDir = tempDir('republish-blobs');
    vault = {
      db: getDb(),
      blobs: new BlobStore(blobDir),
      maxUploadBytes: 64 * 1024 * 1024,
    };
    const main = await seedSituation(getDb(), 'republish-vault');
    const other = await seedSituation(getDb(), 'other-vault');
    ids.video = await seal(main.situation.id, mediaWithLocation(work, 'mp4'), 'clip.mp4');
    ids.pdf = await seal(
      main.situation.id,
      await pdfWithMetadata('The convoy was stopped.'),
      'statement.pdf',
    );
    ids.text = await seal(main.situation.id, Buffer.from('I saw the convoy.\n'), 'statement.txt');
    ids.broken = await seal(main.situation.id, mediaWithLocation(work, 'm4a'), 'voice.m4a');
    ids.other = await seal(other.situation.id, await pdfWithMetadata('Elsewhere.'), 'other.pdf');
    for (const id of [ids.video, ids.pdf, ids.text, ids.broken, ids.other])
      await asIfSealedBeforeCopies(vault, id);
    // The voice memo's original was altered on disk after sealing.
    const [broken] = await getDb().query<{ sha256: string }>(
      'SELECT sha256 FROM evidence_items WHERE id = $1',
      [ids.broken],
    );
    const path = vault.blobs.pathOf(broken!.sha256);
    chmodSync(path, 0o644);
    writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.from('tampered')]));
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(blobDir, { recursive: true, force: true });
  });

  it('makes the missing copies of one situation from their checked originals, logged in the custody chain', async () => {
    const seen: RepublishOutcome[] = [];
    const progress: string[] = [];
    let total = -1;
    const summary = await republishMissingCopies(vault, AUTHOR, {
      situationId: (
        await getDb().query<{ id: string }>("SELECT id FROM situations WHERE slug = 'republish-vault'")
      )[0]!.id,
      onStart: (n) => {
        total = n;
      },
      onItem: (outcome, done, of) => {
        seen.push(outcome);
        progress.push(`${done}/${of}`);
      },
    });
    assert.equal(total, 4);
    assert.deepEqual(progress, ['1/4', '2/4', '3/4', '4/4']);
    assert.deepEqual(summary, { candidates: 4, made: 2, none: 1, integrityFailures: 1, skipped: 0 });
    const byItem = new Map(seen.map((o) => [o.itemId, o]));

    const video = await copyOf(ids.video);
    assert.equal(video?.mime, 'video/mp4');
    const copyBytes = readFileSync(vault.blobs.pathOf(video!.sha256));
    assert.ok(!copyBytes.includes(FIXTURE_LOCATION.slice(0, 8)), 'the copy carries no location');
    assert.ok(!copyBytes.includes('TestCam'), 'nor the camera');
    assert.equal((await copyOf(ids.pdf))?.mime, 'application/pdf');
    const entry = (await custody(ids.video)).at(-1)!;
    assert.equal(entry.action, 'publishable');
    assert.equal(entry.details.publishableSha256, video!.sha256);
    assert.equal(entry.details.previousNote, null);

    assert.equal(await copyOf(ids.text), null);
    assert.equal(byItem.get(ids.text)?.kind, 'none');
    const [text] = await getDb().query<{ publishable_note: string }>(
      'SELECT publishable_note FROM evidence_items WHERE id = $1',
      [ids.text],
    );
    assert.match(text!.publishable_note, /cannot remove metadata from text\/plain/);
    assert.equal((await custody(ids.text)).at(-1)?.action, 'publishable', 'the new reason is recorded');

    assert.equal(await copyOf(ids.broken), null, 'nothing is made from an original that fails its seal');
    assert.equal(byItem.get(ids.broken)?.kind, 'integrity-failure');
    const failure = (await custody(ids.broken)).at(-1)!;
    assert.equal(failure.action, 'integrity-failure');
    assert.equal(failure.details.during, 'republish');

    assert.equal(await copyOf(ids.other), null, 'another situation is left alone');
    await chainIntact(getDb());
  });

  it('changes nothing when run again, and reaches every situation without one', async () => {
    const entries = async () =>
      (await getDb().query<{ n: number }>('SELECT count(*)::int AS n FROM custody_log'))[0]!.n;
    const before = await entries();
    const again = await republishMissingCopies(vault, AUTHOR, {
      situationId: (
        await getDb().query<{ id: string }>("SELECT id FROM situations WHERE slug = 'republish-vault'")
      )[0]!.id,
    });
    assert.deepEqual(again, { candidates: 2, made: 0, none: 1, integrityFailures: 1, skipped: 0 });
    assert.equal(await entries(), before + 1, 'only the integrity failure, found again, is recorded again');

    const all = await republishMissingCopies(vault, AUTHOR);
    assert.equal(all.made, 1, 'the other situation’s PDF');
    assert.ok(await copyOf(ids.other));
    await chainIntact(getDb());
  });
});
