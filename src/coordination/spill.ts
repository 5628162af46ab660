// A temporary file of blocks, each tagged with a partition, read back one partition at a time: the
// engine's way to keep what grows with the number of posts (pair co-actions, text band keys) out of
// memory while it is not needed.

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHOOSE_ANOTHER =
  'choose a directory with room and write access (TMPDIR, or --temp-dir on the command line)';

/** A temporary file could not be made or written (no such directory, no permission, disk full). */
export class TemporaryFileError extends Error {
  override name = 'TemporaryFileError';
}

export class SpillFile {
  private readonly dir: string;
  private readonly fd: number;
  private position = 0;
  /** Per partition: file offset and byte length of each block, flattened. */
  private readonly blocks: number[][];
  private closed = false;
  private scratch = new Uint8Array(0);

  /** `what` names the contents in the error when the file cannot be made or written. */
  constructor(
    partitions: number,
    private readonly what: string,
    private readonly parentDir: string = tmpdir(),
  ) {
    let dir: string | null = null;
    try {
      dir = mkdtempSync(join(parentDir, 'vigil-spill-'));
      this.fd = openSync(join(dir, 'spill.bin'), 'w+');
    } catch (error) {
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
      throw new TemporaryFileError(
        `cannot create the temporary file for ${what} in ${parentDir} (${(error as Error).message}); ${CHOOSE_ANOTHER}`,
      );
    }
    this.dir = dir;
    // Where the system allows it (not Windows), the open file loses its name at once: nothing is left
    // on disk when the process is killed, and the space returns when the file is closed.
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Removed by `close` instead.
    }
    this.blocks = Array.from({ length: partitions }, () => []);
  }

  /** Appends a block of partition `p`. */
  append(p: number, data: Uint8Array): void {
    if (data.length === 0) return;
    (this.blocks[p] as number[]).push(this.position, data.length);
    let done = 0;
    try {
      while (done < data.length) {
        done += writeSync(this.fd, data, done, data.length - done, this.position + done);
      }
    } catch (error) {
      const written = ((this.position + done) / 2 ** 20).toFixed(0);
      throw new TemporaryFileError(
        `the temporary file for ${this.what} in ${this.parentDir} could not grow beyond ${written} MiB (${(error as Error).message}); ${CHOOSE_ANOTHER}`,
      );
    }
    this.position += data.length;
  }

  /** Reads partition `p`'s blocks in the order they were appended. `onBlock` gets a view that is reused
   * for the next block: copy what must be kept. */
  read(p: number, onBlock: (data: Uint8Array) => void): void {
    const list = this.blocks[p] as number[];
    for (let b = 0; b < list.length; b += 2) {
      const length = list[b + 1] as number;
      if (this.scratch.length < length) this.scratch = new Uint8Array(length);
      const target = this.scratch.subarray(0, length);
      const position = list[b] as number;
      let done = 0;
      while (done < length) {
        const got = readSync(this.fd, target, done, length - done, position + done);
        if (got === 0) throw new Error('a temporary file of the analysis ended early');
        done += got;
      }
      onBlock(target);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
