// Co-actions: per-behaviour event columns, a compact pair table, and the sliding-window sweep.
//
// Memory: an action costs 16 bytes in typed arrays (object, account, time); texts, links and post ids
// are not kept. Most account pairs co-act once and never matter: a first sweep bounds every pair's count
// in a sketch of a few bits a pair and counts distinct pairs in a fixed-size estimator; only pairs
// that can reach the minimum enter the open-addressing table (28 bytes a slot) keyed by account pair,
// with a distinct-co-action count per behaviour.

import { bitsFor, orderByKey } from './radix.ts';

export class EventLog {
  object = new Int32Array(1024);
  account = new Int32Array(1024);
  time = new Float64Array(1024);
  length = 0;

  push(object: number, account: number, time: number): void {
    if (this.length === this.object.length) {
      const cap = this.object.length * 2;
      const o = new Int32Array(cap);
      o.set(this.object);
      this.object = o;
      const a = new Int32Array(cap);
      a.set(this.account);
      this.account = a;
      const t = new Float64Array(cap);
      t.set(this.time);
      this.time = t;
    }
    this.object[this.length] = object;
    this.account[this.length] = account;
    this.time[this.length] = time;
    this.length++;
  }
}

/** Event indexes grouped by object (ascending), each group in time order; `start[o]..start[o+1]`. */
export function orderByObjectThenTime(
  log: EventLog,
  objectCount: number,
): { order: Int32Array; start: Int32Array } {
  const n = log.length;
  const byTime = sortByTime(log);
  const start = new Int32Array(objectCount + 1);
  for (let i = 0; i < n; i++) {
    const o = log.object[i] as number;
    start[o + 1] = (start[o + 1] as number) + 1;
  }
  for (let o = 0; o < objectCount; o++) start[o + 1] = (start[o + 1] as number) + (start[o] as number);
  // Stable by object over the time order (a radix sort, not a scatter through per-object cursors:
  // with millions of objects those writes land anywhere in memory).
  const objectInTimeOrder = new Uint32Array(n);
  for (let k = 0; k < n; k++) objectInTimeOrder[k] = log.object[byTime[k] as number] as number;
  const byObject = orderByKey(objectInTimeOrder, n, bitsFor(objectCount - 1));
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = byTime[byObject[k] as number] as number;
  return { order, start };
}

function sortByTime(log: EventLog): Int32Array {
  const n = log.length;
  if (n === 0) return new Int32Array(0);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = log.time[i] as number;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  const span = Math.floor(max - min);
  if (span < 2 ** 32) {
    // Whole seconds since the first action, ordered by a stable radix sort: ties keep index order.
    const seconds = new Uint32Array(n);
    for (let i = 0; i < n; i++) seconds[i] = Math.floor((log.time[i] as number) - min);
    return orderByKey(seconds, n, bitsFor(span));
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => Math.floor(log.time[a] as number) - Math.floor(log.time[b] as number) || a - b);
  return order;
}

export class PairTable {
  capacity: number;
  size = 0;
  a: Int32Array;
  b: Int32Array;
  /** The object (global id) and time of the pair's latest co-action. A co-action counts only when it is
   * on another object, or on the same object after a pause longer than the window: counts are distinct
   * co-action episodes, not posts, so a spam burst is one, while a slogan pushed together on eight
   * different days is eight. */
  last: Int32Array;
  lastTime: Float64Array;
  counts: Uint16Array;
  readonly behaviours: number;

  constructor(behaviours: number, capacity = 1 << 16) {
    this.behaviours = behaviours;
    this.capacity = capacity;
    this.a = new Int32Array(capacity).fill(-1);
    this.b = new Int32Array(capacity);
    this.last = new Int32Array(capacity).fill(-1);
    this.lastTime = new Float64Array(capacity);
    this.counts = new Uint16Array(capacity * behaviours);
  }

  private slotOf(i: number, j: number): number {
    const mask = this.capacity - 1;
    let h = Math.imul(i, 0x9e3779b1) ^ Math.imul(j + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    let s = h & mask;
    for (;;) {
      const ai = this.a[s] as number;
      if (ai === -1 || (ai === i && this.b[s] === j)) return s;
      s = (s + 1) & mask;
    }
  }

  /** Records a co-action of accounts i < j on `object` at `time` for behaviour `beh`. */
  add(i: number, j: number, object: number, beh: number, time: number, window: number): void {
    let s = this.slotOf(i, j);
    if (this.a[s] === -1) {
      if ((this.size + 1) * 10 > this.capacity * 7) {
        this.grow();
        s = this.slotOf(i, j);
      }
      this.a[s] = i;
      this.b[s] = j;
      this.size++;
    }
    const sameEpisode = this.last[s] === object && time - (this.lastTime[s] as number) <= window;
    this.last[s] = object;
    this.lastTime[s] = time;
    if (sameEpisode) return;
    const c = s * this.behaviours + beh;
    if ((this.counts[c] as number) < 65535) this.counts[c] = (this.counts[c] as number) + 1;
  }

  private grow(): void {
    const { a, b, last, lastTime, counts, capacity } = this;
    const k = this.behaviours;
    this.capacity = capacity * 2;
    this.a = new Int32Array(this.capacity).fill(-1);
    this.b = new Int32Array(this.capacity);
    this.last = new Int32Array(this.capacity).fill(-1);
    this.lastTime = new Float64Array(this.capacity);
    this.counts = new Uint16Array(this.capacity * k);
    for (let s = 0; s < capacity; s++) {
      const i = a[s] as number;
      if (i === -1) continue;
      const t = this.slotOf(i, b[s] as number);
      this.a[t] = i;
      this.b[t] = b[s] as number;
      this.last[t] = last[s] as number;
      this.lastTime[t] = lastTime[s] as number;
      for (let x = 0; x < k; x++) this.counts[t * k + x] = counts[s * k + x] as number;
    }
  }
}

export interface SweepStats {
  actions: number;
  /** Pair co-actions looked at: bounded by actions x maxWindowCrowd, whatever the virality. */
  pairWork: number;
  /** Actions in windows so crowded that no pairs were emitted for them. */
  crowdedActions: number;
}

/** A behaviour's events grouped by object, in time order (see orderByObjectThenTime). */
export interface OrderedLog {
  log: EventLog;
  order: Int32Array;
  start: Int32Array;
  objectCount: number;
  /** Times and accounts copied into `order`: the three sweeps then read memory in sequence. */
  time: Float64Array;
  account: Int32Array;
}

export function orderLog(log: EventLog, objectCount: number): OrderedLog {
  const { order, start } = orderByObjectThenTime(log, objectCount);
  const time = new Float64Array(order.length);
  const account = new Int32Array(order.length);
  for (let k = 0; k < order.length; k++) {
    const e = order[k] as number;
    time[k] = log.time[e] as number;
    account[k] = log.account[e] as number;
  }
  return { log, objectCount, order, start, time, account };
}

/** Finalises a 32-bit hash of an account pair; `seed` gives independent hashes of the same pair. */
function pairHash(i: number, j: number, seed: number): number {
  let h = Math.imul(i ^ seed, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h ^ j, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Upper bounds of how often each account pair co-acted: a count-min sketch with two saturating counters a
 * pair and conservative update. Counters need only count up to the minimum number of co-actions a pair
 * must reach, so with the default minimum of 3 they take two bits each: four cells a byte keep the sketch
 * for five million posts (64 M cells) in 16 MiB, inside the last-level cache, where byte counters would
 * take 64 MiB and make every lookup a memory access. Both counters of a pair lie in one block of 64 cells
 * (at most 64 bytes), so a lookup costs at most one cache miss, not two. Most pairs co-act once and can
 * never be tested; a pair whose bound stays below the minimum never enters the PairTable. A bound is never
 * below the true count (up to saturation), so no testable pair is lost; a collision only lets an
 * untestable pair in, where it is counted exactly and fails the minimum as before.
 */
export class PairSketch {
  /** Counters in all (a power of two, at least 1024). */
  readonly width: number;
  /** The largest value a counter holds (3, 15 or 255). */
  readonly saturation: number;
  private readonly blockMask: number;
  private readonly bits: number;
  private readonly cellShift: number;
  private readonly cellMask: number;
  readonly bytes: Uint8Array;

  /** `saturateAt`: the largest count that must be told apart (the minimum number of co-actions). */
  constructor(width: number, saturateAt = 255) {
    this.width = 2 ** Math.max(10, Math.ceil(Math.log2(Math.max(1, width) * 2)));
    this.blockMask = this.width / 64 - 1;
    this.bits = saturateAt <= 3 ? 2 : saturateAt <= 15 ? 4 : 8;
    this.saturation = 2 ** this.bits - 1;
    this.cellShift = Math.log2(8 / this.bits);
    this.cellMask = 8 / this.bits - 1;
    this.bytes = new Uint8Array((this.width * this.bits) / 8);
  }

  private get(c: number): number {
    return (
      ((this.bytes[c >>> this.cellShift] as number) >>> ((c & this.cellMask) * this.bits)) & this.saturation
    );
  }

  private set(c: number, v: number): void {
    const at = c >>> this.cellShift;
    const shift = (c & this.cellMask) * this.bits;
    const byte = this.bytes[at] as number;
    this.bytes[at] = (byte & ~(this.saturation << shift)) | (v << shift);
  }

  // The pair's two cells, set by `locate` (fields rather than a returned tuple: no allocation per pair).
  private x = 0;
  private y = 0;

  /** A block from one hash, two distinct cells in it from another. */
  private locate(i: number, j: number): void {
    const g = pairHash(i, j, 0x13198a2e);
    const base = (pairHash(i, j, 0x243f6a88) & this.blockMask) * 64;
    this.x = base + (g & 63);
    this.y = base + ((g + 1 + ((g >>> 6) % 63)) & 63);
  }

  add(i: number, j: number): void {
    this.locate(i, j);
    const x = this.x;
    const y = this.y;
    const cx = this.get(x);
    const cy = this.get(y);
    const low = Math.min(cx, cy);
    if (low === this.saturation) return;
    if (cx === low) this.set(x, low + 1);
    if (cy === low) this.set(y, low + 1);
  }

  /** Upper bound of the pair's count (saturates at `saturation`). */
  bound(i: number, j: number): number {
    this.locate(i, j);
    return Math.min(this.get(this.x), this.get(this.y));
  }

  /** Counters at or above `k`, halved: close to the number of pairs that will pass `bound >= k`. */
  cellsAtLeast(k: number): number {
    // How many cells of each possible byte reach k, then one look-up a byte.
    const perByte = new Uint8Array(256);
    const cellsPerByte = 8 / this.bits;
    for (let byte = 0; byte < 256; byte++) {
      let c = 0;
      for (let cell = 0; cell < cellsPerByte; cell++)
        if (((byte >>> (cell * this.bits)) & this.saturation) >= k) c++;
      perByte[byte] = c;
    }
    let n = 0;
    for (let at = 0; at < this.bytes.length; at++) n += perByte[this.bytes[at] as number] as number;
    return Math.ceil(n / 2);
  }
}

const HLL_BITS = 16;
const HLL_REGISTERS = 1 << HLL_BITS;
/** Up to this many distinct pairs are counted exactly (a set of at most 16 MiB); beyond it, estimated. */
const EXACT_PAIR_LIMIT = 1 << 20;

/**
 * How many distinct account pairs co-acted at least once (the Bonferroni divisor). Exact while there are
 * at most EXACT_PAIR_LIMIT of them; beyond that a HyperLogLog estimate (65,536 registers, standard error
 * 0.4 %, deterministic) replaces the set, so memory does not grow with once-only pairs.
 */
export class DistinctPairCounter {
  // Always a Float64Array (emptied, never null, once the limit is passed): a field whose type changes
  // mid-sweep makes V8 throw away the sweep's optimised code, which cost seconds at five million posts.
  private exact: Float64Array = new Float64Array(1024).fill(-1);
  private exactOn = true;
  private exactSize = 0;
  private readonly registers = new Uint8Array(HLL_REGISTERS);
  private readonly stride: number;

  constructor(accountCount: number) {
    this.stride = Math.max(1, accountCount);
  }

  add(i: number, j: number): void {
    const h = pairHash(i, j, 0xa4093822);
    const w = pairHash(i, j, 0x299f31d0);
    const r = h >>> (32 - HLL_BITS);
    const rank = Math.clz32(w) + 1;
    if (rank > (this.registers[r] as number)) this.registers[r] = rank;
    if (!this.exactOn) return;
    const set = this.exact;
    const key = i * this.stride + j;
    let s = this.slot(set, key, h);
    if (set[s] === key) return;
    if (this.exactSize === EXACT_PAIR_LIMIT) {
      this.exactOn = false;
      this.exact = new Float64Array(0);
      return;
    }
    if ((this.exactSize + 1) * 2 > set.length) {
      this.growExact();
      s = this.slot(this.exact, key, h);
    }
    this.exact[s] = key;
    this.exactSize++;
  }

  /** The slot holding `key`, or the empty slot where it belongs. */
  private slot(set: Float64Array, key: number, hash: number): number {
    const mask = set.length - 1;
    let s = hash & mask;
    for (;;) {
      const v = set[s] as number;
      if (v === key || v === -1) return s;
      s = (s + 1) & mask;
    }
  }

  private growExact(): void {
    const old = this.exact;
    const next = new Float64Array(old.length * 2).fill(-1);
    for (const key of old) {
      if (key === -1) continue;
      const i = Math.floor(key / this.stride);
      next[this.slot(next, key, pairHash(i, key - i * this.stride, 0xa4093822))] = key;
    }
    this.exact = next;
  }

  /** True while `count` is exact. */
  get isExact(): boolean {
    return this.exactOn;
  }

  get count(): number {
    if (this.exactOn) return this.exactSize;
    const m = HLL_REGISTERS;
    let sum = 0;
    let zeros = 0;
    for (let r = 0; r < m; r++) {
      const v = this.registers[r] as number;
      sum += 2 ** -v;
      if (v === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    let estimate = (alpha * m * m) / sum;
    // Small-range correction (linear counting); the 64-bit-like hash needs no large-range correction.
    if (estimate <= 2.5 * m && zeros > 0) estimate = m * Math.log(m / zeros);
    return Math.max(EXACT_PAIR_LIMIT, Math.round(estimate));
  }
}

/** Where a sweep sends what it finds. */
export type SweepTarget =
  | {
      /** First sweep, no pairs yet: crowd totals and the amount of pair work (sizes the sketch). */
      kind: 'crowd';
      crowd: Float64Array;
    }
  | {
      /** Second sweep: pair-count bounds and the number of distinct pairs. */
      kind: 'count';
      sketch: PairSketch | null;
      distinct: DistinctPairCounter;
    }
  | {
      /** Third sweep: exact distinct co-action counts for pairs whose bound reaches `minCount`. */
      kind: 'collect';
      table: PairTable;
      sketch: PairSketch | null;
      minCount: number;
    };

/**
 * Slides a window of `window` seconds over each object's actions in time order. Every action adds the
 * number of other actions within +-window (its crowd) to its account's `crowd` total, the input of the
 * chance expectation. Pairs are emitted forward in time only when the window holds at most `maxCrowd`
 * others, so one object shared by 20,000 accounts costs actions x maxCrowd at most, not 200 million.
 * The engine sweeps three times with the same windows (see SweepTarget); all three see the same pairs.
 */
export function sweepBehaviour(
  ordered: OrderedLog,
  objectOffset: number,
  beh: number,
  window: number,
  maxCrowd: number,
  target: SweepTarget,
): SweepStats {
  const { log, start, objectCount, time, account } = ordered;
  const stats: SweepStats = { actions: log.length, pairWork: 0, crowdedActions: 0 };
  const crowd = target.kind === 'crowd' ? target.crowd : null;
  const counting = target.kind === 'count';
  const distinct = target.kind === 'count' ? target.distinct : null;
  const table = target.kind === 'collect' ? target.table : null;
  const sketch = target.kind === 'crowd' ? null : target.sketch;
  const minCount = target.kind === 'collect' ? target.minCount : 0;
  for (let o = 0; o < objectCount; o++) {
    const s = start[o] as number;
    const e = start[o + 1] as number;
    if (e - s < 2) continue;
    const globalObject = objectOffset + o;
    let lo = s;
    let hi = s;
    for (let p = s; p < e; p++) {
      const t = time[p] as number;
      while (hi < e && (time[hi] as number) - t <= window) hi++;
      while ((time[lo] as number) < t - window) lo++;
      const acc = account[p] as number;
      const forward = hi - p - 1;
      if (crowd !== null) {
        crowd[acc] = (crowd[acc] as number) + (hi - lo - 1);
        if (forward > maxCrowd || hi - lo - 1 > 2 * maxCrowd) stats.crowdedActions++;
        else stats.pairWork += forward;
        continue;
      }
      if (forward > maxCrowd || hi - lo - 1 > 2 * maxCrowd) continue;
      for (let q = p + 1; q < hi; q++) {
        const other = account[q] as number;
        if (other === acc) continue;
        const i = Math.min(acc, other);
        const j = Math.max(acc, other);
        if (counting) {
          (distinct as DistinctPairCounter).add(i, j);
          sketch?.add(i, j);
        } else if (sketch === null || sketch.bound(i, j) >= minCount) {
          (table as PairTable).add(i, j, globalObject, beh, t, window);
        }
      }
    }
  }
  return stats;
}
