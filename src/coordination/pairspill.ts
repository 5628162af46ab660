// Pair co-actions counted exactly, one partition of account pairs at a time, from a spill file on disk.
//
// Why not a table or sketch in memory: every pair co-action is a look-up at a random place of a
// structure that grows with the data. At one million posts such a structure (4 MiB) stays in the
// processor's cache; at five million (16 MiB) every look-up went to main memory, and the sweeps took
// ten times as long for five times the posts. Here the sweep appends each pair co-action (20 bytes) to
// the buffer of its pair's partition, full buffers go to one file, and each partition is then
// read back and counted on its own: the partitions are kept at about 64 K co-actions whatever the size
// of the data, so their tables stay in cache, the work grows with the number of co-actions, and memory
// holds one partition (plus 10 MiB of buffers) however many there are.

import { OBJECT_BITS } from './pairs.ts';
import { Scratch } from './scratch.ts';
import { ColumnSpill, type SpilledRows } from './spill.ts';

/** Co-actions a partition is sized for: its counting tables then take about 2 MiB. */
const PARTITION_TARGET = 1 << 16;
const MAX_PARTITIONS = 512;

/**
 * Pair co-actions (accounts i < j, global object, time) appended by partition of the pair and spilled to a
 * temporary file (20 bytes each, 1,024 buffered per partition). `dispose` closes (and where needed
 * removes) the file; the caller must call it, also on failure.
 */
export class PairEventSpill {
  readonly partitions: number;
  private readonly mask: number;
  private readonly rows: ColumnSpill;

  /** `expected`: about how many co-actions will come (sets the number of partitions). */
  constructor(expected: number, parentDir?: string) {
    let partitions = 1;
    while (partitions < MAX_PARTITIONS && partitions * PARTITION_TARGET < expected) partitions *= 2;
    this.partitions = partitions;
    this.mask = partitions - 1;
    this.rows = new ColumnSpill(partitions, 3, 'counting account pairs', parentDir);
  }

  /** Per partition: co-actions in all. */
  get counts(): Float64Array {
    return this.rows.counts;
  }

  get total(): number {
    return this.rows.total;
  }

  /** The partition of the pair (i, j): by a hash of both accounts, so that one very active account's
   * pairs spread over all partitions instead of filling one. */
  partitionOf(i: number, j: number): number {
    let h = Math.imul(i, 0x9e3779b1) ^ Math.imul(j, 0x85ebca77);
    h ^= h >>> 15;
    return (Math.imul(h, 0x2c1b3c6d) >>> 16) & this.mask;
  }

  add(i: number, j: number, object: number, time: number): void {
    this.rows.add(this.partitionOf(i, j), time, i, j, object);
  }

  /** Writes what is still buffered; call once, after the last `add`. */
  finish(): void {
    this.rows.finish();
  }

  /** The co-actions of partition `p`, in the order they were added. */
  read(p: number): SpilledRows {
    return this.rows.read(p);
  }

  dispose(): void {
    this.rows.dispose();
  }
}

/** Pairs whose co-actions were counted exactly: accounts, distinct co-actions per behaviour, and
 * co-action moments in all (see countPartition). */
export class CountedPairs {
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  counts: Uint16Array;
  moments = new Int32Array(1024);
  length = 0;

  constructor(readonly behaviours: number) {
    this.counts = new Uint16Array(1024 * behaviours);
  }

  push(a: number, b: number, counts: Uint16Array, at: number, moments: number): void {
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
      const nm = new Int32Array(cap);
      nm.set(this.moments);
      this.moments = nm;
    }
    this.a[this.length] = a;
    this.b[this.length] = b;
    const k = this.behaviours;
    for (let x = 0; x < k; x++) this.counts[this.length * k + x] = counts[at * k + x] as number;
    this.moments[this.length] = moments;
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
 * the same as if every pair had been followed through the sweep. A co-action's behaviour is in the top
 * bits of its object's number (OBJECT_BITS); `windows` are by behaviour index. `scratch` lends the working
 * arrays (one for all partitions saves a buffer per array and partition).
 *
 * A pair's episodes that start at the same time (that of the same earlier post) are one co-action moment,
 * whatever behaviours and objects they involve: two accounts posting the same link with the same hashtags
 * and the same words at the same moment is one coincidence, not three. The moments are the pair's count
 * in all, the one the significance test weighs.
 */
export function countPartition(
  events: { n: number; ints: Uint32Array; times: Float64Array },
  windows: Float64Array,
  minCount: number,
  out: CountedPairs,
  scratch: Scratch = new Scratch(),
): number {
  const { n, ints, times } = events;
  if (n === 0) return 0;
  let capacity = 1024;
  while (capacity < n * 2) capacity *= 2;
  const mask = capacity - 1;
  // Arrays from `scratch` are not cleared: what is read before it is written is filled here.
  const slotA = scratch.int32('count.slotA', capacity).fill(-1);
  const slotB = scratch.int32('count.slotB', capacity);
  const slotLocal = scratch.int32('count.slotLocal', capacity);
  const pairA = scratch.int32('count.pairA', n);
  const pairB = scratch.int32('count.pairB', n);
  const raw = scratch.int32('count.raw', n);
  const localOf = scratch.int32('count.localOf', n);
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
        raw[distinct] = 0;
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
  const lastObject = scratch.int32('count.lastObject', distinct).fill(-1);
  const lastTime = scratch.float64('count.lastTime', distinct);
  const counts = scratch.uint16('count.counts', distinct * k).fill(0);
  // Episode starts, to be grouped by pair for the moments.
  const startLocal = scratch.int32('count.startLocal', n);
  const startTime = scratch.float64('count.startTime', n);
  let starts = 0;
  for (let e = 0; e < n; e++) {
    const local = localOf[e] as number;
    if ((raw[local] as number) < minCount) continue;
    // Signed, as `lastObject` holds it; the behaviour is in the top bits.
    const object = (ints[e * 3 + 2] as number) | 0;
    const beh = object >>> OBJECT_BITS;
    const time = times[e] as number;
    const sameEpisode =
      lastObject[local] === object && time - (lastTime[local] as number) <= (windows[beh] as number);
    lastObject[local] = object;
    lastTime[local] = time;
    if (sameEpisode) continue;
    const c = local * k + beh;
    if ((counts[c] as number) < 65535) counts[c] = (counts[c] as number) + 1;
    startLocal[starts] = local;
    startTime[starts] = time;
    starts++;
  }
  // Episode starts by pair (a counting sort), then distinct start times per pair.
  const offset = scratch.int32('count.offset', distinct + 1).fill(0);
  for (let x = 0; x < starts; x++) {
    const next = (startLocal[x] as number) + 1;
    offset[next] = (offset[next] as number) + 1;
  }
  for (let local = 0; local < distinct; local++) {
    offset[local + 1] = (offset[local + 1] as number) + (offset[local] as number);
  }
  const cursor = scratch.int32('count.cursor', distinct);
  cursor.set(offset.subarray(0, distinct));
  const byPair = scratch.float64('count.byPair', starts);
  for (let x = 0; x < starts; x++) {
    const local = startLocal[x] as number;
    const at = cursor[local] as number;
    byPair[at] = startTime[x] as number;
    cursor[local] = at + 1;
  }
  for (let local = 0; local < distinct; local++) {
    if ((raw[local] as number) < minCount) continue;
    const from = offset[local] as number;
    const to = offset[local + 1] as number;
    const pairStarts = byPair.subarray(from, to).sort();
    let moments = 0;
    for (let x = 0; x < pairStarts.length; x++) {
      if (x === 0 || pairStarts[x] !== pairStarts[x - 1]) moments++;
    }
    out.push(pairA[local] as number, pairB[local] as number, counts, local, moments);
  }
  return distinct;
}
