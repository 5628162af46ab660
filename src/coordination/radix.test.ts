import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bitsFor, orderByKey, sortByKey } from './radix.ts';

function reference(keys: Uint32Array): number[] {
  return Array.from(keys.keys()).sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
}

describe('radix ordering', () => {
  it('orders by key with ties in index order, for full 32-bit keys', () => {
    let x = 7;
    const keys = new Uint32Array(50_000);
    for (let i = 0; i < keys.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      // Many ties and the extremes of the range.
      keys[i] = i % 5 === 0 ? x % 37 : i % 7 === 0 ? 0xffffffff : x;
    }
    const { order, keys: sorted } = sortByKey(keys);
    assert.deepEqual(Array.from(order), reference(keys));
    for (let k = 1; k < sorted.length; k++) assert.ok((sorted[k - 1] as number) <= (sorted[k] as number));
  });

  it('takes fewer passes for small keys and gives the same order', () => {
    const keys = Uint32Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 1000);
    assert.equal(bitsFor(999), 10);
    assert.deepEqual(Array.from(orderByKey(keys, keys.length, bitsFor(999))), reference(keys));
  });

  it('handles nothing, one key, equal keys and a prefix of the array', () => {
    assert.deepEqual(Array.from(orderByKey(new Uint32Array(0))), []);
    assert.deepEqual(Array.from(orderByKey(Uint32Array.of(5))), [0]);
    assert.deepEqual(Array.from(orderByKey(Uint32Array.of(3, 3, 3))), [0, 1, 2]);
    assert.deepEqual(Array.from(orderByKey(Uint32Array.of(9, 1, 4, 0), 3)), [1, 2, 0]);
    assert.equal(bitsFor(0), 1);
    assert.equal(bitsFor(2 ** 32 - 1), 32);
  });
});
