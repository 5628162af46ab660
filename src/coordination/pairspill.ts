// Pair co-actions counted exactly, one partition of accounts at a time, from a spill file on disk.
//
// Why not a table or sketch in memory: every pair co-action is a look-up at a random place of a
// structure that grows with the data. At one million posts such a structure (4 MiB) stays in the
// processor's cache; at five million (16 MiB) every look-up went to main memory, and the sweeps took
// ten times as long for five times the posts. Here the sweep appends each pair co-action (20 bytes) to
// the buffer of its first account's partition, full buffers go to one file, and each partition is then
// read back and counted on its own: the partitions are kept at about 64 K co-actions whatever the size
// of the data, so their tables stay in cache, the work grows with the number of co-actions, and memory
// holds one partition (plus 10 MiB of buffers) however many there are.

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Co-actions a partition is sized for: its counting tables then take about 2 MiB. */
const PARTITION_TARGET = 1 << 16;
const MAX_PARTITIONS = 512;
/** Co-actions buffered per partition before they are written (20 KiB). */
const BLOCK = 1024;

/**
 * Pair co-actions (accounts i < j, global object, time) appended by partition of `i` and spilled to a
 * temporary file. `dispose` closes (and where needed removes) the file; the caller must call it, also on
 * failure.
 */
export class PairEventSpill {
  readonly partitions: number;
  private readonly mask: number;
  private readonly dir: string;
  private readonly fd: number;
  private position = 0;
  /** Per partition and slot: i, j and object (3 x u32), and the time beside them. */
  private readonly ints: Uint32Array;
  private readonly times: Float64Array;
  private readonly fill: Int32Array;
  /** Per partition: file offset and size of each block written, flattened. */
  private readonly blocks: number[][];
  /** Per partition: co-actions in all. */
  readonly counts: Float64Array;
  total = 0;
  private disposed = false;

  /** `expected`: about how many co-actions will come (sets the number of partitions). */
  constructor(expected: number, parentDir: string = tmpdir()) {
    let partitions = 1;
    while (partitions < MAX_PARTITIONS && partitions * PARTITION_TARGET < expected) partitions *= 2;
    this.partitions = partitions;
    this.mask = partitions - 1;
    this.ints = new Uint32Array(partitions * BLOCK * 3);
    this.times = new Float64Array(partitions * BLOCK);
    this.fill = new Int32Array(partitions);
    this.counts = new Float64Array(partitions);
    this.blocks = Array.from({ length: partitions }, () => []);
    let dir: string | null = null;
    try {
      dir = mkdtempSync(join(parentDir, 'vigil-pairs-'));
      this.fd = openSync(join(dir, 'co-actions.bin'), 'w+');
    } catch (error) {
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `cannot create the temporary file that counts account pairs in ${parentDir} (${(error as Error).message}); set TMPDIR to a writable directory`,
      );
    }
    this.dir = dir;
    // Where the system allows it (not Windows), the open file loses its name at once: nothing is left
    // on disk when the process is killed, and the space returns when the file is closed.
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Removed by `dispose` instead.
    }
  }

  /** The partition of pairs whose first account is `i` (high bits of a multiplicative hash). */
  partitionOf(i: number): number {
    return (Math.imul(i, 0x9e3779b1) >>> 16) & this.mask;
  }

  add(i: number, j: number, object: number, time: number): void {
    const p = this.partitionOf(i);
    const f = this.fill[p] as number;
    const slot = p * BLOCK + f;
    this.ints[slot * 3] = i;
    this.ints[slot * 3 + 1] = j;
    this.ints[slot * 3 + 2] = object;
    this.times[slot] = time;
    this.fill[p] = f + 1;
    if (f + 1 === BLOCK) this.flush(p);
  }

  private flush(p: number): void {
    const n = this.fill[p] as number;
    if (n === 0) return;
    const ints = new Uint8Array(this.ints.buffer, p * BLOCK * 12, n * 12);
    const times = new Uint8Array(this.times.buffer, p * BLOCK * 8, n * 8);
    (this.blocks[p] as number[]).push(this.position, n);
    this.writeAll(ints);
    this.writeAll(times);
    this.counts[p] = (this.counts[p] as number) + n;
    this.total += n;
    this.fill[p] = 0;
  }

  private writeAll(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      done += writeSync(this.fd, bytes, done, bytes.length - done, this.position + done);
    }
    this.position += bytes.length;
  }

  /** Writes what is still buffered; call once, after the last `add`. */
  finish(): void {
    for (let p = 0; p < this.partitions; p++) this.flush(p);
  }

  /** The co-actions of partition `p`, in the order they were added. */
  read(p: number): { n: number; ints: Uint32Array; times: Float64Array } {
    const n = this.counts[p] as number;
    const ints = new Uint32Array(n * 3);
    const times = new Float64Array(n);
    const list = this.blocks[p] as number[];
    let at = 0;
    for (let b = 0; b < list.length; b += 2) {
      const offset = list[b] as number;
      const size = list[b + 1] as number;
      this.readAll(new Uint8Array(ints.buffer, at * 12, size * 12), offset);
      this.readAll(new Uint8Array(times.buffer, at * 8, size * 8), offset + size * 12);
      at += size;
    }
    return { n, ints, times };
  }

  private readAll(into: Uint8Array, position: number): void {
    let done = 0;
    while (done < into.length) {
      const got = readSync(this.fd, into, done, into.length - done, position + done);
      if (got === 0) throw new Error('the co-action spill file ended early');
      done += got;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    try {
      closeSync(this.fd);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** Pairs whose co-actions were counted exactly: accounts and distinct co-actions per behaviour. */
export class CountedPairs {
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  counts: Uint16Array;
  length = 0;

  constructor(readonly behaviours: number) {
    this.counts = new Uint16Array(1024 * behaviours);
  }

  push(a: number, b: number, counts: Uint16Array, at: number): void {
    if (this.length === this.a.length) {
      const cap = this.a.length * 2;
      const na = new Int32Array(cap);
      na.set(this.a);
      this.a = na;
      const nb = new Int32Array(cap);
      nb.set(this.b);
      this.b = nb;
      const nc = new Uint16Array(cap * this.behaviours);
      nc.set(this.counts);
      this.counts = nc;
    }
    this.a[this.length] = a;
    this.b[this.length] = b;
    const k = this.behaviours;
    for (let x = 0; x < k; x++) this.counts[this.length * k + x] = counts[at * k + x] as number;
    this.length++;
  }
}

/**
 * Counts one partition's co-actions by pair. Pairs with at least `minCount` co-actions (in all
 * behaviours) get their distinct co-action counts per behaviour and are appended to `out`; returns the
 * number of distinct pairs seen (each a hypothesis of the significance test).
 *
 * A co-action counts only when it is on another object than the pair's previous one, or on the same
 * object after a pause longer than the behaviour's window: counts are distinct co-action episodes, not
 * posts, so a spam burst is one, while a slogan pushed together on eight different days is eight. The
 * co-actions are read in the order the sweep added them (behaviour, object, time), so episodes are
 * the same as if every pair had been followed through the sweep.
 */
export function countPartition(
  events: { n: number; ints: Uint32Array; times: Float64Array },
  objectStart: Int32Array,
  windows: Float64Array,
  minCount: number,
  out: CountedPairs,
): number {
  const { n, ints, times } = events;
  if (n === 0) return 0;
  let capacity = 1024;
  while (capacity < n * 2) capacity *= 2;
  const mask = capacity - 1;
  const slotA = new Int32Array(capacity).fill(-1);
  const slotB = new Int32Array(capacity);
  const slotLocal = new Int32Array(capacity);
  const pairA = new Int32Array(n);
  const pairB = new Int32Array(n);
  const raw = new Int32Array(n);
  const localOf = new Int32Array(n);
  let distinct = 0;
  for (let e = 0; e < n; e++) {
    const i = ints[e * 3] as number;
    const j = ints[e * 3 + 1] as number;
    let h = Math.imul(i, 0x9e3779b1) ^ Math.imul(j + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    let s = h & mask;
    for (;;) {
      const a = slotA[s] as number;
      if (a === -1) {
        slotA[s] = i;
        slotB[s] = j;
        slotLocal[s] = distinct;
        pairA[distinct] = i;
        pairB[distinct] = j;
        distinct++;
        break;
      }
      if (a === i && slotB[s] === j) break;
      s = (s + 1) & mask;
    }
    const local = slotLocal[s] as number;
    localOf[e] = local;
    raw[local] = (raw[local] as number) + 1;
  }
  // Episodes, only for the pairs that can reach the minimum (most pairs co-act once).
  const k = out.behaviours;
  const lastObject = new Int32Array(distinct).fill(-1);
  const lastTime = new Float64Array(distinct);
  const counts = new Uint16Array(distinct * k);
  const behaviourCount = objectStart.length - 1;
  for (let e = 0; e < n; e++) {
    const local = localOf[e] as number;
    if ((raw[local] as number) < minCount) continue;
    const object = ints[e * 3 + 2] as number;
    const time = times[e] as number;
    let beh = 0;
    while (beh + 1 < behaviourCount && object >= (objectStart[beh + 1] as number)) beh++;
    const sameEpisode =
      lastObject[local] === object && time - (lastTime[local] as number) <= (windows[beh] as number);
    lastObject[local] = object;
    lastTime[local] = time;
    if (sameEpisode) continue;
    const c = local * k + beh;
    if ((counts[c] as number) < 65535) counts[c] = (counts[c] as number) + 1;
  }
  for (let local = 0; local < distinct; local++) {
    if ((raw[local] as number) < minCount) continue;
    out.push(pairA[local] as number, pairB[local] as number, counts, local);
  }
  return distinct;
}
