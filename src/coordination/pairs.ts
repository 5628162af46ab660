// Co-actions: one partition of a behaviour's actions, grouped by object for the sliding-window sweep.
//
// Memory: actions wait on disk, partitioned by a hash of their object (engine.ts); the sweep holds one
// partition at a time, about 36 bytes an action of it. Its pair co-actions go to another spill file and
// are counted one partition of account pairs at a time (pairspill.ts).

import type { PairEventSpill } from './pairspill.ts';
import { bitsFor, orderByKey } from './radix.ts';
import { Scratch } from './scratch.ts';
import type { SpilledRows } from './spill.ts';

/** Actions as columns: object (a dense id), account, time. */
export interface ActionColumns {
  object: Int32Array;
  account: Int32Array;
  time: Float64Array;
  length: number;
}

/** A partition of spilled actions (rows: object key hi, lo, account, ...) with dense local object ids,
 * in the order the objects were first met; `objectKey[o]` is local object o's first key half. `scratch`
 * lends the arrays (valid until the next partition grouped with it). */
export function groupPartition(
  rows: SpilledRows,
  width: number,
  scratch: Scratch = new Scratch(),
): { columns: ActionColumns; objectCount: number; objectKey: Uint32Array } {
  const { n, ints, times } = rows;
  const ids = scratch.keyIds(n * 2);
  const object = scratch.int32('group.object', n);
  const account = scratch.int32('group.account', n);
  const firstHalf = scratch.uint32('group.firstHalf', n);
  for (let e = 0; e < n; e++) {
    const at = e * width;
    const hi = ints[at] as number;
    const before = ids.size;
    const o = ids.idOf(hi, ints[at + 1] as number);
    if (o === before) firstHalf[o] = hi;
    object[e] = o;
    account[e] = ints[at + 2] as number;
  }
  return {
    columns: { object, account, time: times, length: n },
    objectCount: ids.size,
    objectKey: firstHalf.subarray(0, ids.size),
  };
}

/** Event indexes grouped by object (ascending), each group in time order; `start[o]..start[o+1]`. */
export function orderByObjectThenTime(
  log: ActionColumns,
  objectCount: number,
  scratch: Scratch = new Scratch(),
): { order: Int32Array; start: Int32Array } {
  const n = log.length;
  const byTime = sortByTime(log, scratch);
  const start = scratch.int32('order.start', objectCount + 1).fill(0);
  for (let i = 0; i < n; i++) {
    const o = log.object[i] as number;
    start[o + 1] = (start[o + 1] as number) + 1;
  }
  for (let o = 0; o < objectCount; o++) start[o + 1] = (start[o + 1] as number) + (start[o] as number);
  // Stable by object over the time order (a radix sort, not a scatter through per-object cursors:
  // with millions of objects those writes land anywhere in memory).
  const objectInTimeOrder = scratch.uint32('order.objectInTimeOrder', n);
  for (let k = 0; k < n; k++) objectInTimeOrder[k] = log.object[byTime[k] as number] as number;
  const byObject = orderByKey(objectInTimeOrder, n, bitsFor(objectCount - 1), scratch, 'order.byObject');
  const order = scratch.int32('order.order', n);
  for (let k = 0; k < n; k++) order[k] = byTime[byObject[k] as number] as number;
  return { order, start };
}

function sortByTime(log: ActionColumns, scratch: Scratch): Int32Array {
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
    const seconds = scratch.uint32('order.seconds', n);
    for (let i = 0; i < n; i++) seconds[i] = Math.floor((log.time[i] as number) - min);
    return orderByKey(seconds, n, bitsFor(span), scratch, 'order.byTime');
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => Math.floor(log.time[a] as number) - Math.floor(log.time[b] as number) || a - b);
  return order;
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
  log: ActionColumns;
  order: Int32Array;
  start: Int32Array;
  objectCount: number;
  /** Times and accounts copied into `order`: the sweeps then read memory in sequence. */
  time: Float64Array;
  account: Int32Array;
}

/** `scratch` lends the arrays (valid until the next log ordered with it). */
export function orderLog(
  log: ActionColumns,
  objectCount: number,
  scratch: Scratch = new Scratch(),
): OrderedLog {
  const { order, start } = orderByObjectThenTime(log, objectCount, scratch);
  const time = scratch.float64('order.time', order.length);
  const account = scratch.int32('order.account', order.length);
  for (let k = 0; k < order.length; k++) {
    const e = order[k] as number;
    time[k] = log.time[e] as number;
    account[k] = log.account[e] as number;
  }
  return { log, objectCount, order, start, time, account };
}

/** Objects of all behaviours share the pair co-action spill: a behaviour's index in the top two bits of
 * an object's number, its object count within the behaviour in the rest. */
export const OBJECT_BITS = 30;
export const MAX_OBJECTS_PER_BEHAVIOUR = 2 ** OBJECT_BITS;

/** Where a sweep sends what it finds: per account, the crowds and the number of its actions in windows
 * where pairs are counted; every pair co-action, to the spill that counts them by partition. */
export interface SweepTarget {
  crowd: Float64Array;
  actions: Float64Array;
  spill: PairEventSpill;
}

/**
 * Slides a window of `window` seconds over each object's actions in time order. Pairs are emitted forward
 * in time only when the window holds at most `maxCrowd` others, so one object shared by 20,000 accounts
 * costs actions x maxCrowd at most, not 200 million. Every action in such a window adds one to its
 * account's `actions` and the number of other actions within +-window (its crowd) to its `crowd`: the
 * inputs of the chance expectation, which thus counts only what could have been observed.
 * Local object o is numbered `objectBase + o` in the pair co-actions.
 */
export function sweepBehaviour(
  ordered: OrderedLog,
  objectBase: number,
  window: number,
  maxCrowd: number,
  target: SweepTarget,
): SweepStats {
  const { log, start, objectCount, time, account } = ordered;
  const stats: SweepStats = { actions: log.length, pairWork: 0, crowdedActions: 0 };
  const { crowd, actions, spill } = target;
  for (let o = 0; o < objectCount; o++) {
    const s = start[o] as number;
    const e = start[o + 1] as number;
    if (e - s < 2) {
      // An object acted on once: no pairs, no crowd, but an action of its account all the same.
      if (e > s) {
        const acc = account[s] as number;
        actions[acc] = (actions[acc] as number) + 1;
      }
      continue;
    }
    const object = objectBase + o;
    let lo = s;
    let hi = s;
    for (let p = s; p < e; p++) {
      const t = time[p] as number;
      while (hi < e && (time[hi] as number) - t <= window) hi++;
      while ((time[lo] as number) < t - window) lo++;
      const acc = account[p] as number;
      const forward = hi - p - 1;
      if (forward > maxCrowd || hi - lo - 1 > 2 * maxCrowd) {
        stats.crowdedActions++;
        continue;
      }
      stats.pairWork += forward;
      crowd[acc] = (crowd[acc] as number) + (hi - lo - 1);
      actions[acc] = (actions[acc] as number) + 1;
      for (let q = p + 1; q < hi; q++) {
        const other = account[q] as number;
        if (other === acc) continue;
        spill.add(Math.min(acc, other), Math.max(acc, other), object, t);
      }
    }
  }
  return stats;
}
