// Co-actions: per-behaviour event columns, a compact pair table, and the sliding-window sweep.
//
// Memory: an action costs 16 bytes in typed arrays (object, account, time); texts, links and post ids
// are not kept. Pairs live in one open-addressing table (28 bytes a slot) keyed by account pair, with a
// distinct-co-action count per behaviour.

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
  const cursor = start.slice(0, objectCount);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const e = byTime[k] as number;
    const o = log.object[e] as number;
    order[cursor[o] as number] = e;
    cursor[o] = (cursor[o] as number) + 1;
  }
  return { order, start };
}

function sortByTime(log: EventLog): Int32Array {
  const n = log.length;
  const order = new Int32Array(n);
  if (n === 0) return order;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = log.time[i] as number;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  const idBits = Math.ceil(Math.log2(n + 1));
  const timeBits = Math.ceil(Math.log2(Math.floor(max - min) + 2));
  if (idBits + timeBits <= 53) {
    // One numeric sort of packed (whole second, index): far faster than a comparator sort.
    const scale = 2 ** idBits;
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = Math.floor((log.time[i] as number) - min) * scale + i;
    packed.sort();
    for (let i = 0; i < n; i++) {
      const v = packed[i] as number;
      order[i] = v - Math.floor(v / scale) * scale;
    }
    return order;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (log.time[a] as number) - (log.time[b] as number));
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

/**
 * Slides a window of `window` seconds over each object's actions in time order. Every action adds the
 * number of other actions within +-window (its crowd) to its account's `crowd` total, the input of the
 * chance expectation. Pairs are emitted forward in time only when the window holds at most `maxCrowd`
 * others, so one object shared by 20,000 accounts costs actions x maxCrowd at most, not 200 million.
 */
export function sweepBehaviour(
  log: EventLog,
  objectCount: number,
  objectOffset: number,
  beh: number,
  window: number,
  maxCrowd: number,
  table: PairTable,
  crowd: Float64Array,
): SweepStats {
  const { order, start } = orderByObjectThenTime(log, objectCount);
  const stats: SweepStats = { actions: log.length, pairWork: 0, crowdedActions: 0 };
  const time = log.time;
  const account = log.account;
  for (let o = 0; o < objectCount; o++) {
    const s = start[o] as number;
    const e = start[o + 1] as number;
    if (e - s < 2) continue;
    const globalObject = objectOffset + o;
    let lo = s;
    let hi = s;
    for (let p = s; p < e; p++) {
      const ep = order[p] as number;
      const t = time[ep] as number;
      while (hi < e && (time[order[hi] as number] as number) - t <= window) hi++;
      while ((time[order[lo] as number] as number) < t - window) lo++;
      const acc = account[ep] as number;
      crowd[acc] = (crowd[acc] as number) + (hi - lo - 1);
      const forward = hi - p - 1;
      if (forward > maxCrowd || hi - lo - 1 > 2 * maxCrowd) {
        stats.crowdedActions++;
        continue;
      }
      for (let q = p + 1; q < hi; q++) {
        const other = account[order[q] as number] as number;
        stats.pairWork++;
        if (other === acc) continue;
        if (acc < other) table.add(acc, other, globalObject, beh, t, window);
        else table.add(other, acc, globalObject, beh, t, window);
      }
    }
  }
  return stats;
}
