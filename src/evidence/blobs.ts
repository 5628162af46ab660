// The content-addressed blob store: every file kept once under <root>/sha256/ab/cd/<sha256>, read-only.
// Bytes are hashed as they stream into a temporary file, which is synced and then linked into place;
// an existing blob is never overwritten, and a cut-off or oversized stream leaves nothing behind.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { chmod, link, mkdir, open, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../lib/errors.ts';

export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super(
      413,
      'Payload too large',
      `the file is larger than the limit of ${limit} bytes; nothing was stored`,
    );
  }
}

export class IncompleteUploadError extends AppError {
  constructor(reason: string) {
    super(400, 'Incomplete upload', `the upload was cut off (${reason}); nothing was stored`);
  }
}

export interface StoredBlob {
  sha256: string;
  size: number;
  /** The first bytes (up to 64 KiB), for sniffing the type. */
  head: Buffer;
  /** True when this call wrote the blob; false when the same bytes were already stored. */
  created: boolean;
}

const HEAD_BYTES = 64 * 1024;
const SHA256 = /^[0-9a-f]{64}$/;

export class BlobStore {
  constructor(readonly root: string) {}

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    return stat(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  read(sha256: string, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.pathOf(sha256), { highWaterMark: 1024 * 1024, ...range });
  }

  /** Streams `input` into the store, hashing on the way. Throws (and stores nothing) on a cut or an overflow. */
  async put(
    input: Readable | AsyncIterable<Buffer> | Iterable<Buffer>,
    maxBytes = Number.MAX_SAFE_INTEGER,
  ): Promise<StoredBlob> {
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = join(tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}`);
    const handle = await open(tmpPath, 'wx', 0o600);
    const hash = createHash('sha256');
    const heads: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    let writing: Promise<unknown> = Promise.resolve();
    let flushing: Promise<unknown> = Promise.resolve();
    try {
      try {
        // Writes are batched (a few MiB per write: few syscalls, little memory) and overlap the hashing
        // of the next batch; every 64 MiB the data written so far is flushed in the background, so the
        // final sync does not have to push the whole file to disk at once.
        let batch: Buffer[] = [];
        let batchBytes = 0;
        let sinceFlush = 0;
        const flush = async () => {
          await writing;
          const buffers = batch;
          const length = batchBytes;
          batch = [];
          batchBytes = 0;
          writing = handle.writev(buffers);
          sinceFlush += length;
          if (sinceFlush >= 64 * 1024 * 1024) {
            sinceFlush = 0;
            const written = writing;
            await flushing;
            flushing = written.then(() => handle.datasync());
          }
        };
        for await (const chunk of input as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > maxBytes) throw new PayloadTooLargeError(maxBytes);
          hash.update(chunk);
          if (headLength < HEAD_BYTES) {
            heads.push(chunk.subarray(0, HEAD_BYTES - headLength));
            headLength += Math.min(chunk.length, HEAD_BYTES - headLength);
          }
          batch.push(chunk);
          batchBytes += chunk.length;
          if (batchBytes >= 4 * 1024 * 1024) await flush();
        }
        if (batch.length) await flush();
        await writing;
        await flushing;
        if ((input as { truncated?: boolean }).truncated) throw new PayloadTooLargeError(maxBytes);
      } catch (error) {
        if (error instanceof AppError) throw error;
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
          throw new PayloadTooLargeError(maxBytes);
        throw new IncompleteUploadError((error as Error).message || 'stream error');
      }
      await handle.sync();
    } catch (error) {
      await writing.catch(() => {});
      await flushing.catch(() => {});
      await handle.close().catch(() => {});
      await rm(tmpPath, { force: true });
      throw error;
    }
    await handle.close();
    const sha256 = hash.digest('hex');
    const target = this.pathOf(sha256);
    await mkdir(dirname(target), { recursive: true });
    let created = true;
    try {
      await link(tmpPath, target); // fails if the blob exists: never overwrite
      await chmod(target, 0o444);
      await syncDir(dirname(target));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        await rm(tmpPath, { force: true });
        throw error;
      }
      created = false;
    }
    await unlink(tmpPath);
    return { sha256, size, head: Buffer.concat(heads), created };
  }

  /** A scratch folder inside the store (same file system, so finished files can be linked into place). */
  async workDir(): Promise<string> {
    const dir = join(this.root, 'tmp');
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Removes a blob this process just created when the record that would reference it was not written. */
  async discard(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // some file systems cannot sync a directory; the file itself was synced
  } finally {
    await handle.close();
  }
}

/** SHA-256 and size of a file in the store (re-reads it: for verification). */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}
