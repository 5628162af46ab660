// A temporary file of blocks, each tagged with a partition, read back one partition at a time: the
// engine's way to keep what grows with the number of posts (pair co-actions, text band keys) out of
// memory while it is not needed.

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scratch } from './scratch.ts';

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
    for (const block of this.blocksOf(p)) onBlock(block);
  }

  /** Reads `target.length` bytes at `position` of the file (for files of one partition, which are their
   * blocks end to end). */
  readAt(position: number, target: Uint8Array): void {
    let done = 0;
    while (done < target.length) {
      const got = readSync(this.fd, target, done, target.length - done, position + done);
      if (got === 0) throw new Error('a temporary file of the analysis ended early');
      done += got;
    }
  }

  /** Partition `p`'s blocks, one at a time, for a reader that pulls (each view is reused by the next). */
  *blocksOf(p: number): Generator<Uint8Array> {
    const list = this.blocks[p] as number[];
    for (let b = 0; b < list.length; b += 2) {
      const length = list[b + 1] as number;
      if (this.scratch.length < length) this.scratch = new Uint8Array(length);
      const target = this.scratch.subarray(0, length);
      this.readAt(list[b] as number, target);
      yield target;
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

/**
 * Rows of one float64 (a time) and `width` uint32 columns, appended to buffers by partition and spilled to
 * a temporary file, then read back one partition at a time. A block holds its times first and then its
 * integer rows, so both read back as aligned views. `dispose` closes the file; the caller must call it,
 * also on failure.
 */
export class ColumnSpill {
  private readonly file: SpillFile;
  private readonly block: number;
  private readonly region: number;
  private readonly bytes: Uint8Array;
  private readonly times: Float64Array;
  private readonly ints: Uint32Array;
  private readonly fill: Int32Array;
  /** Per partition: rows in all. */
  readonly counts: Float64Array;
  private readonly readArrays = new Scratch();
  total = 0;

  /** `block`: rows buffered per partition before they are written. */
  constructor(
    readonly partitions: number,
    readonly width: number,
    what: string,
    parentDir?: string,
    block = 1024,
  ) {
    this.block = block;
    this.region = block * (8 + 4 * width);
    const buffer = new ArrayBuffer(partitions * this.region);
    this.bytes = new Uint8Array(buffer);
    this.times = new Float64Array(buffer);
    this.ints = new Uint32Array(buffer);
    this.fill = new Int32Array(partitions);
    this.counts = new Float64Array(partitions);
    this.file = new SpillFile(partitions, what, parentDir);
  }

  /** Appends a row to partition `p`; columns beyond `width` are ignored. */
  add(p: number, time: number, c0: number, c1: number, c2 = 0, c3 = 0, c4 = 0): void {
    const f = this.fill[p] as number;
    this.times[(p * this.region) / 8 + f] = time;
    const w = this.width;
    const at = (p * this.region) / 4 + 2 * this.block + f * w;
    const ints = this.ints;
    ints[at] = c0;
    ints[at + 1] = c1;
    if (w > 2) ints[at + 2] = c2;
    if (w > 3) {
      ints[at + 3] = c3;
      if (w > 4) ints[at + 4] = c4;
    }
    this.fill[p] = f + 1;
    if (f + 1 === this.block) this.flush(p);
  }

  private flush(p: number): void {
    const n = this.fill[p] as number;
    if (n === 0) return;
    const base = p * this.region;
    // A short block: its integer rows move up behind its times.
    if (n < this.block) {
      this.bytes.copyWithin(base + n * 8, base + this.block * 8, base + this.block * 8 + n * 4 * this.width);
    }
    this.file.append(p, this.bytes.subarray(base, base + n * (8 + 4 * this.width)));
    this.counts[p] = (this.counts[p] as number) + n;
    this.total += n;
    this.fill[p] = 0;
  }

  /** Writes what is still buffered; call once, after the last `add`. */
  finish(): void {
    for (let p = 0; p < this.partitions; p++) this.flush(p);
  }

  /** Partition `p`'s rows, in the order they were added: row r's columns are `ints[r * width ..]`. The
   * arrays are reused by the next `read` (a partition at a time is all the engine holds). */
  read(p: number): SpilledRows {
    const n = this.counts[p] as number;
    const w = this.width;
    const ints = this.readArrays.uint32('ints', n * w);
    const times = this.readArrays.float64('times', n);
    let at = 0;
    this.file.read(p, (data) => {
      const m = data.length / (8 + 4 * w);
      times.set(new Float64Array(data.buffer, data.byteOffset, m), at);
      ints.set(new Uint32Array(data.buffer, data.byteOffset + m * 8, m * w), at * w);
      at += m;
    });
    return { n, ints, times };
  }

  /** Partition `p`'s rows a block at a time (views reused by the next block), for sequential readers. */
  *blocksOf(p: number): Generator<SpilledRows> {
    const w = this.width;
    for (const data of this.file.blocksOf(p)) {
      const m = data.length / (8 + 4 * w);
      yield {
        n: m,
        times: new Float64Array(data.buffer, data.byteOffset, m),
        ints: new Uint32Array(data.buffer, data.byteOffset + m * 8, m * w),
      };
    }
  }

  dispose(): void {
    this.file.close();
  }
}

export interface SpilledRows {
  n: number;
  ints: Uint32Array;
  times: Float64Array;
}
