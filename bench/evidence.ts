// Benchmark: the evidence vault against sha256sum, with the server's resident memory.
//   node --import tsx bench/evidence.ts [--upload-mib 1024] [--items 1000] [--item-kib 2048]
// 1. One upload of a 1 GiB file through a running `vigil serve` (streaming multipart): hashing and
//    storing time vs `sha256sum` on the same file, and how much the server's RSS grows.
// 2. An export bundle of 1,000 items totalling 2 GiB streamed by the server (RSS growth), and
//    `verifyBundle` on it vs `sha256sum` over the same bytes.
// Needs PostgreSQL (TEST_DATABASE_URL, as the tests). Generated data lives in a temp folder, deleted afterwards.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createApiToken, createUser } from '../src/auth/service.ts';
import { migrate } from '../src/db/migrate.ts';
import { openPostgres } from '../src/db/postgres.ts';
import { BlobStore } from '../src/evidence/blobs.ts';
import { verifyBundle } from '../src/evidence/exports.ts';
import { sealItem } from '../src/evidence/items.ts';
import { initKeys } from '../src/evidence/keys.ts';
import { insertSituation } from '../src/situations/service.ts';
import { createPostgresDatabase } from '../test/support/db.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const UPLOAD_MIB = arg('upload-mib', 1024);
const ITEMS = arg('items', 1000);
const ITEM_KIB = arg('item-kib', 2048);
const BIN = new URL('../bin/vigil.js', import.meta.url).pathname;
const MiB = 1024 * 1024;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** Samples a process's RSS every 50 ms while `work` runs; returns the peak. */
async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(pid));
    } catch {
      // process gone
    }
  }, 50);
  try {
    return { result: await work(), peak };
  } finally {
    clearInterval(timer);
  }
}

function sha256sumSeconds(path: string): number {
  const started = performance.now();
  const result = spawnSync('sha256sum', [path], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error('sha256sum failed');
  return (performance.now() - started) / 1000;
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  async function* chunks() {
    for (let left = bytes; left > 0; left -= 8 * MiB) yield randomBytes(Math.min(8 * MiB, left));
  }
  await pipeline(Readable.from(chunks()), createWriteStream(path));
}

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', VIGIL_NO_DEMO: '1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk;
      const match = /Vigil listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

function uploadFile(url: string, token: string, path: string): Promise<{ status: number; body: string }> {
  const boundary = 'vigil-bench-boundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = statSync(path).size;
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/v1/situations/bench/items`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + size + tail.length,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.write(head);
    const file = createReadStream(path, { highWaterMark: MiB });
    file.pipe(req, { end: false });
    file.on('end', () => req.end(tail));
  });
}

function downloadExport(url: string, token: string, out: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/v1/situations/bench/exports`,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`export answered ${res.statusCode}`));
        pipeline(res, createWriteStream(out)).then(() => resolve(statSync(out).size), reject);
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-evidence-'));
const database = await createPostgresDatabase();
let server: ChildProcess | null = null;
try {
  const db = await openPostgres(database.url);
  await migrate(db);
  const situation = await insertSituation(db, {
    slug: 'bench',
    name: 'Benchmark',
    startsOn: '2023-01-01',
    visibility: 'private',
  });
  await createUser(db, { email: 'bench@example.org', password: 'benchmark password', role: 'documenter' });
  const token = (await createApiToken(db, 'bench@example.org', 'bench')).token;
  const dataDir = join(dir, 'data');
  await initKeys(db, join(dataDir, 'keys'));

  const started = await startServer({ DATABASE_URL: database.url, VIGIL_DATA_DIR: dataDir });
  server = started.child;
  const pid = server.pid!;

  // 1. Upload
  const bigFile = join(dir, 'upload.bin');
  await writeRandomFile(bigFile, UPLOAD_MIB * MiB);
  const shaUpload = sha256sumSeconds(bigFile);
  const rssBefore = rssMiB(pid);
  const t0 = performance.now();
  const { result: uploaded, peak: uploadPeak } = await peakRss(pid, () =>
    uploadFile(started.url, token, bigFile),
  );
  const uploadSeconds = (performance.now() - t0) / 1000;
  if (uploaded.status !== 201) throw new Error(`upload answered ${uploaded.status}: ${uploaded.body}`);
  rmSync(bigFile);

  // 2. Export of many items
  const vault = { db, blobs: new BlobStore(join(dataDir, 'blobs')), maxUploadBytes: 4 * 1024 * MiB };
  const author = { userId: null, label: 'bench' };
  const seedStart = performance.now();
  for (let i = 0; i < ITEMS; i++) {
    await sealItem(vault, author, {
      situationId: situation.id,
      stream: Readable.from([randomBytes(ITEM_KIB * 1024)]),
      claimedName: `item-${i}.bin`,
      claimedMime: null,
      origin: 'import',
    });
  }
  const seedSeconds = (performance.now() - seedStart) / 1000;
  // The 1 GiB upload is an item of the situation too; export only the generated ones.
  await db.query(
    "DELETE FROM custody_log WHERE item_id IN (SELECT id FROM evidence_items WHERE claimed_name = 'big.bin')",
  );
  await db.query("DELETE FROM evidence_items WHERE claimed_name = 'big.bin'");
  const bundle = join(dir, 'bundle.zip');
  const rssBeforeExport = rssMiB(pid);
  const t1 = performance.now();
  const { result: bundleBytes, peak: exportPeak } = await peakRss(pid, () =>
    downloadExport(started.url, token, bundle),
  );
  const exportSeconds = (performance.now() - t1) / 1000;
  const shaBundle = sha256sumSeconds(bundle);
  const t2 = performance.now();
  const report = await verifyBundle(bundle);
  const verifySeconds = (performance.now() - t2) / 1000;
  if (!report.ok) throw new Error(`bundle did not verify: ${report.problems.join('; ')}`);
  await db.close();

  const mibs = (bytes: number, s: number) => `${(bytes / MiB / s).toFixed(0)} MiB/s`;
  const pct = (a: number, b: number) => `${((b / a) * 100).toFixed(0)}%`;
  console.log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Node ${process.version}\n`,
  );
  console.log('| measure | Vigil | sha256sum | Vigil / sha256sum | server RSS before → peak (growth) |');
  console.log('| --- | --- | --- | --- | --- |');
  console.log(
    `| upload ${UPLOAD_MIB} MiB (multipart → hash → fsync → blob store) | ${uploadSeconds.toFixed(2)} s (${mibs(UPLOAD_MIB * MiB, uploadSeconds)}) | ` +
      `${shaUpload.toFixed(2)} s (${mibs(UPLOAD_MIB * MiB, shaUpload)}) | ${pct(uploadSeconds, shaUpload)} | ` +
      `${rssBefore.toFixed(0)} → ${uploadPeak.toFixed(0)} MiB (+${(uploadPeak - rssBefore).toFixed(0)}) |`,
  );
  console.log(
    `| export ${ITEMS} items, ${(bundleBytes / MiB).toFixed(0)} MiB bundle (HTTP, streamed) | ${exportSeconds.toFixed(2)} s (${mibs(bundleBytes, exportSeconds)}) | | | ` +
      `${rssBeforeExport.toFixed(0)} → ${exportPeak.toFixed(0)} MiB (+${(exportPeak - rssBeforeExport).toFixed(0)}) |`,
  );
  console.log(
    `| verify that bundle (\`verifyBundle\`) | ${verifySeconds.toFixed(2)} s (${mibs(bundleBytes, verifySeconds)}) | ` +
      `${shaBundle.toFixed(2)} s (${mibs(bundleBytes, shaBundle)}) | ${pct(verifySeconds, shaBundle)} | |`,
  );
  console.log(`\n(seeding ${ITEMS} items of ${ITEM_KIB} KiB in-process took ${seedSeconds.toFixed(1)} s)`);
} finally {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
}
