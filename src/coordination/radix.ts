// Stable ordering of millions of indexes by unsigned integer keys in linear time.
//
// Written here rather than taken from npm: the engine needs the permutation (not the sorted keys), stable
// ties in index order (results must not depend on the sort), and typed arrays throughout. A numeric
// `Float64Array.prototype.sort` costs n log n with random access over the whole array, which is what made
// text clustering and the sweeps grow faster than the number of posts; an LSD radix sort reads and writes
// in passes whose working set (2,048 counters) stays in the first-level cache.

import { Scratch } from './scratch.ts';

const DIGIT_BITS = 11;
const RADIX = 1 << DIGIT_BITS;
const DIGIT_MASK = RADIX - 1;

/**
 * The indexes 0..n-1 ordered by `keys[i]` (unsigned, below 2^`keyBits`), ties in ascending index order.
 * `keyBits` (1..32) only saves passes when the keys are known to be small.
 */
export function orderByKey(
  keys: Uint32Array,
  n: number = keys.length,
  keyBits = 32,
  arrays: Scratch = new Scratch(),
  name = 'sort',
): Int32Array {
  return sortByKey(keys, n, keyBits, arrays, name).order;
}

/** Like `orderByKey`, with the keys in that order beside it. Both are views of `arrays` named after
 * `name`, valid until the next sort of that name with them. */
export function sortByKey(
  keys: Uint32Array,
  n: number = keys.length,
  keyBits = 32,
  arrays: Scratch = new Scratch(),
  name = 'sort',
): { order: Int32Array; keys: Uint32Array } {
  let order = arrays.int32(`${name}.order`, n);
  for (let i = 0; i < n; i++) order[i] = i;
  // The keys travel with their indexes, so that every pass reads both in sequence.
  let key = arrays.uint32(`${name}.key`, n);
  key.set(keys.subarray(0, n));
  if (n < 2) return { order, keys: key };
  let spare = arrays.int32(`${name}.spare`, n);
  let spareKey = arrays.uint32(`${name}.spareKey`, n);
  const counts = arrays.int32('radix.counts', RADIX);
  for (let shift = 0; shift < keyBits; shift += DIGIT_BITS) {
    counts.fill(0);
    for (let k = 0; k < n; k++) {
      const d = ((key[k] as number) >>> shift) & DIGIT_MASK;
      counts[d] = (counts[d] as number) + 1;
    }
    // A pass whose digit is the same for every key would only copy: skip it.
    let nonEmpty = 0;
    for (let d = 0; d < RADIX && nonEmpty < 2; d++) if ((counts[d] as number) > 0) nonEmpty++;
    if (nonEmpty < 2) continue;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = counts[d] as number;
      counts[d] = sum;
      sum += c;
    }
    for (let k = 0; k < n; k++) {
      const v = key[k] as number;
      const d = (v >>> shift) & DIGIT_MASK;
      const at = counts[d] as number;
      spare[at] = order[k] as number;
      spareKey[at] = v;
      counts[d] = at + 1;
    }
    const t = order;
    order = spare;
    spare = t;
    const tk = key;
    key = spareKey;
    spareKey = tk;
  }
  return { order, keys: key };
}

/** The number of bits needed for unsigned values up to `max`. */
export function bitsFor(max: number): number {
  return max <= 0 ? 1 : Math.min(32, Math.floor(Math.log2(max)) + 1);
}
