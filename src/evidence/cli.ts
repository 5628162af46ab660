// `vigil capture`, `vigil import items`, `vigil items republish`, `vigil verify custody|bundle`,
// `vigil keys init|rotate`, `vigil export bundle`.
import { createPublicKey } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { terminalAuthor, withDatabase } from '../cli/context.ts';
import { loadConfig } from '../config.ts';
import { AppError, NotFoundError } from '../lib/errors.ts';
import { findSituation } from '../situations/service.ts';

// The vault's modules (image codecs, ZIP) load only when one of these commands runs,
// so the rest of the `vigil` command starts as fast as before.
const blobsModule = () => import('./blobs.ts');
const captureModule = () => import('./capture.ts');
const custodyModule = () => import('./custody.ts');
const exportsModule = () => import('./exports.ts');
const itemsModule = () => import('./items.ts');
const keysModule = () => import('./keys.ts');
const republishModule = () => import('./republish.ts');

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

export function registerEvidenceCommands(program: Command): void {
  program
    .command('capture')
    .description(
      'capture a URL as evidence: seal the raw response, a screenshot and a PDF (headless chromium), and the fetch record',
    )
    .argument('<url>', 'the http(s) URL')
    .requiredOption('--situation <slug>', 'the situation')
    .option('--incident <id>', 'link the captured items to this incident')
    .action(async (url: string, opts: { situation: string; incident?: string }) => {
      const config = loadConfig();
      const [{ BlobStore }, { createCaptureJob, runCapture }] = await Promise.all([
        blobsModule(),
        captureModule(),
      ]);
      const job = await withDatabase(async (db) => {
        const situation = await findSituation(db, opts.situation);
        if (!situation) throw new NotFoundError(`situation ${opts.situation}`);
        const ctx = {
          vault: { db, blobs: new BlobStore(config.blobDir), maxUploadBytes: config.maxUploadBytes },
          allowPrivate: config.captureAllowPrivate,
          chromiumPath: config.chromiumPath,
        };
        const author = terminalAuthor();
        const queued = await createCaptureJob(ctx, situation, author, { url, incidentId: opts.incident });
        return runCapture(ctx, queued.id, (progress, stage) =>
          console.error(`${String(progress).padStart(3)}%  ${stage}`),
        );
      });
      if (job.status !== 'succeeded') {
        throw new AppError(502, 'Capture failed', job.error ?? 'the capture failed; nothing was stored');
      }
      console.log(`capture\t${job.id}\t${job.finalUrl}\tfetched ${job.fetchedAt}`);
      for (const [part, id] of Object.entries(job.items)) if (id) console.log(`${part}\t${id}`);
      if (job.renderNote) console.error(`note: ${job.renderNote}`);
    });

  program
    .command('import')
    .description('import data')
    .command('items')
    .description(
      'seal every file under a folder as an evidence item of a situation (hidden files and links are skipped)',
    )
    .argument('<dir>', 'the folder')
    .requiredOption('--situation <slug>', 'the situation')
    .option('--incident <id>', 'link every item to this incident')
    .option('--title-from-path', 'title each item with its path under the folder (default: its file name)')
    .action(async (dir: string, opts: { situation: string; incident?: string; titleFromPath?: boolean }) => {
      const config = loadConfig();
      const [{ BlobStore }, { sealItem }] = await Promise.all([blobsModule(), itemsModule()]);
      const root = resolve(dir);
      const files = await listFiles(root);
      let sealed = 0;
      let duplicates = 0;
      let failed = 0;
      await withDatabase(async (db) => {
        const situation = await findSituation(db, opts.situation);
        if (!situation) throw new NotFoundError(`situation ${opts.situation}`);
        const vault = { db, blobs: new BlobStore(config.blobDir), maxUploadBytes: config.maxUploadBytes };
        const author = terminalAuthor();
        for (const file of files) {
          const name = relative(root, file);
          try {
            const result = await sealItem(vault, author, {
              situationId: situation.id,
              stream: createReadStream(file, { highWaterMark: 1024 * 1024 }),
              claimedName: name,
              claimedMime: null,
              title: opts.titleFromPath ? name : undefined,
              origin: 'import',
              incidentIds: opts.incident ? [opts.incident] : [],
            });
            if (result.duplicate) duplicates++;
            else sealed++;
            console.log(`${result.duplicate ? 'duplicate of' : 'sealed'}\t${result.id}\t${name}`);
          } catch (error) {
            failed++;
            console.error(`failed\t${name}\t${(error as Error).message}`);
          }
        }
      });
      console.error(`${sealed} sealed, ${duplicates} duplicates, ${failed} failed (${files.length} files)`);
      if (failed) process.exitCode = 1;
    });

  program
    .command('items')
    .description('evidence items')
    .command('republish')
    .description(
      'make the publishable copies missing from items sealed before Vigil made copies of their kind ' +
        '(checks each original against its seal first; safe to run again)',
    )
    .option('--situation <slug>', 'only the items of this situation (default: every situation)')
    .action(async (opts: { situation?: string }) => {
      const config = loadConfig();
      const [{ BlobStore }, { republishMissingCopies }] = await Promise.all([
        blobsModule(),
        republishModule(),
      ]);
      const summary = await withDatabase(async (db) => {
        let situationId: string | null = null;
        if (opts.situation) {
          const situation = await findSituation(db, opts.situation);
          if (!situation) throw new NotFoundError(`situation ${opts.situation}`);
          situationId = situation.id;
        }
        const vault = { db, blobs: new BlobStore(config.blobDir), maxUploadBytes: config.maxUploadBytes };
        return republishMissingCopies(vault, terminalAuthor(), {
          situationId,
          onStart: (total) =>
            console.error(`${total} item${total === 1 ? '' : 's'} without a publishable copy`),
          onItem: (outcome, done, total) => {
            const at = `[${done}/${total}]`;
            if (outcome.kind === 'made') {
              console.log(`made\t${outcome.itemId}\t${outcome.mime}\t${outcome.method}`);
            } else if (outcome.kind === 'none') {
              console.log(`none\t${outcome.itemId}\t${outcome.reason}`);
            } else if (outcome.kind === 'integrity-failure') {
              console.error(`INTEGRITY FAILURE\t${outcome.itemId}\t${outcome.reason}`);
            } else {
              console.log(`skipped\t${outcome.itemId}\t${outcome.reason}`);
            }
            console.error(`${at} ${Math.round((done / total) * 100)}%`);
          },
        });
      });
      const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
      console.error(
        `${count(summary.made, 'copy', 'copies')} made, ${summary.none} without a copy, ` +
          `${count(summary.integrityFailures, 'integrity failure', 'integrity failures')}, ${summary.skipped} skipped ` +
          `(${count(summary.candidates, 'item', 'items')} had none)`,
      );
      if (summary.integrityFailures) process.exitCode = 1;
    });

  const verify = program.command('verify').description('check integrity');
  verify
    .command('custody')
    .description(
      'recompute the whole custody chain and check its signed checkpoints; exit 1 naming the first broken entry',
    )
    .option('--public-key <file>', 'also trust this public key (PEM) for checkpoints')
    .action(async (opts: { publicKey?: string }) => {
      const config = loadConfig();
      const [{ verifyCustody }, { keyIdOf, knownPublicKeys }] = await Promise.all([
        custodyModule(),
        keysModule(),
      ]);
      const report = await withDatabase(async (db) => {
        const keys = await knownPublicKeys(db, config.keyDir);
        if (opts.publicKey) {
          const key = createPublicKey(readFileSync(opts.publicKey));
          keys.set(keyIdOf(key), key);
        }
        return verifyCustody(db, { keyDir: config.keyDir, publicKeys: keys });
      });
      for (const warning of report.warnings) console.error(`warning: ${warning}`);
      if (report.ok) {
        console.log(
          `custody log intact: ${report.entries} entries, head ${report.head ? `#${report.head.id} ${report.head.hash}` : '(empty)'}, ` +
            `${report.checkpointsChecked} signed checkpoint${report.checkpointsChecked === 1 ? '' : 's'} checked`,
        );
        return;
      }
      console.error(`custody log BROKEN at entry ${report.firstBroken}`);
      for (const problem of report.problems) console.error(`  ${problem}`);
      process.exitCode = 1;
    });
  verify
    .command('bundle')
    .description(
      'check an export bundle offline: every file hash, the signatures, manifest and custody entries',
    )
    .argument('<file>', 'the bundle (.zip)')
    .option('--public-key <file>', 'the public key (PEM) the bundle must be signed with')
    .action(async (file: string, opts: { publicKey?: string }) => {
      const { verifyBundle } = await exportsModule();
      const report = await verifyBundle(file, {
        publicKeyPem: opts.publicKey ? readFileSync(opts.publicKey, 'utf8') : undefined,
      }).catch((error: Error) => {
        throw new AppError(400, 'Unreadable bundle', `cannot read ${file} as a ZIP bundle: ${error.message}`);
      });
      if (report.ok) {
        console.log(
          `bundle intact: ${report.files} files (${report.bytes} bytes), ${report.items} items, ${report.custodyEntries} custody entries; ` +
            `signed by key ${report.fingerprint}`,
        );
        if (!opts.publicKey) {
          console.error(
            'compare the key fingerprint above with the one the publishing organisation gave you',
          );
        }
        return;
      }
      console.error(
        `bundle FAILED verification (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}):`,
      );
      for (const problem of report.problems) console.error(`  ${problem}`);
      process.exitCode = 1;
    });

  const keys = program.command('keys').description('the signing key');
  keys
    .command('init')
    .description(
      'create the Ed25519 key that signs custody checkpoints and export bundles (once; never replaced)',
    )
    .action(async () => {
      const config = loadConfig();
      const [{ initKeys, PUBLIC_KEY_FILE }, { takeCheckpoint }] = await Promise.all([
        keysModule(),
        custodyModule(),
      ]);
      const signer = await withDatabase(async (db) => {
        const created = await initKeys(db, config.keyDir);
        await takeCheckpoint(db, created, config.keyDir);
        return created;
      });
      console.log(`signing key ${signer.keyId} created in ${config.keyDir}`);
      console.log(`public key: ${join(config.keyDir, PUBLIC_KEY_FILE)}`);
      console.log(`fingerprint (SHA-256): ${signer.fingerprint}`);
      console.error('publish the fingerprint, and keep a copy of the key folder somewhere safe');
    });
  keys
    .command('rotate')
    .description(
      'replace the signing key; the old public key stays valid for the checkpoints and bundles it signed',
    )
    .action(async () => {
      const config = loadConfig();
      const [{ rotateKeys, RETIRED_DIR }, { takeCheckpoint }] = await Promise.all([
        keysModule(),
        custodyModule(),
      ]);
      const { retired, current } = await withDatabase(async (db) => {
        const old = (await keysModule()).loadSigner(config.keyDir);
        // The old key's last word: a checkpoint of the head as it stands, then the new key's first.
        if (old) await takeCheckpoint(db, old, config.keyDir);
        const rotated = await rotateKeys(db, config.keyDir);
        await takeCheckpoint(db, rotated.current, config.keyDir, { force: true });
        return rotated;
      });
      console.log(`retired key ${retired.keyId} (fingerprint ${retired.fingerprint})`);
      console.log(`signing key ${current.keyId} created in ${config.keyDir}`);
      console.log(`fingerprint (SHA-256): ${current.fingerprint}`);
      console.error(
        `publish the new fingerprint. The old public key stays in ${join(config.keyDir, RETIRED_DIR)} and in the ` +
          `database to check what it signed; its private key was moved to ${join(config.keyDir, RETIRED_DIR, `${retired.keyId}.key`)}: ` +
          'take it offline or destroy it',
      );
    });

  program
    .command('export')
    .description('export data')
    .command('bundle')
    .description("write a signed evidence bundle (ZIP) of a situation's items for legal proceedings")
    .requiredOption('--situation <slug>', 'the situation')
    .requiredOption('--out <file>', 'the ZIP file to write')
    .option('--items <ids>', 'comma-separated item ids (default: every item of the situation)')
    .action(async (opts: { situation: string; out: string; items?: string }) => {
      const config = loadConfig();
      const itemIds = opts.items
        ? opts.items
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : null;
      const tmp = `${opts.out}.partial`;
      const [{ BlobStore }, { prepareExport }, { loadSigner }] = await Promise.all([
        blobsModule(),
        exportsModule(),
        keysModule(),
      ]);
      const prepared = await withDatabase(async (db) => {
        const situation = await findSituation(db, opts.situation);
        if (!situation) throw new NotFoundError(`situation ${opts.situation}`);
        const ctx = {
          db,
          blobs: new BlobStore(config.blobDir),
          signer: loadSigner(config.keyDir),
          keyDir: config.keyDir,
        };
        const exported = await prepareExport(ctx, terminalAuthor(), situation, itemIds);
        try {
          return { ...exported, failures: await exported.write(createWriteStream(tmp, { flags: 'wx' })) };
        } catch (error) {
          await rm(tmp, { force: true });
          throw new AppError(
            500,
            'Export failed',
            `the bundle could not be written: ${(error as Error).message}`,
          );
        }
      });
      await rename(tmp, opts.out);
      console.log(`wrote ${opts.out}: ${prepared.itemCount} items, export ${prepared.exportId}`);
      if (prepared.failures.length) {
        // The bundle is kept: it records the failure (INTEGRITY-FAILURES.txt, manifest, custody entries).
        console.error(
          `INTEGRITY FAILURE: ${prepared.failures.length} file${prepared.failures.length === 1 ? '' : 's'} did not match the seal:`,
        );
        for (const f of prepared.failures) console.error(`  item ${f.itemId} ${f.path}: ${f.reason}`);
        process.exitCode = 1;
      }
    });
}
