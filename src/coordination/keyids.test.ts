import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyIds, StringIds } from './keyids.ts';

describe('key ids', () => {
  it('gives dense, stable ids to string keys across growth', () => {
    const ids = new KeyIds(16);
    const keys = Array.from({ length: 50_000 }, (_, i) => `https://example.org/page/${i}`);
    for (const [i, k] of keys.entries()) assert.equal(ids.idOfString(k), i);
    assert.equal(ids.size, keys.length);
    for (const [i, k] of keys.entries()) assert.equal(ids.idOfString(k), i);
    assert.equal(ids.size, keys.length);
    assert.equal(ids.find(1, 2), -1);
    assert.equal(ids.idOf(1, 2), keys.length);
    assert.equal(ids.find(1, 2), keys.length);
  });

  it('forgets every key when reset to a smaller table, also when it grows again', () => {
    const ids = new KeyIds(16);
    for (let k = 0; k < 10_000; k++) ids.idOf(k, k + 1);
    ids.reset(16);
    assert.equal(ids.size, 0);
    assert.equal(ids.find(5, 6), -1);
    // Grows past the first size: no key of before comes back with it.
    for (let k = 0; k < 100; k++) assert.equal(ids.idOf(k + 1_000_000, k), k);
    for (let k = 0; k < 10_000; k++) assert.equal(ids.find(k, k + 1), -1);
    assert.equal(ids.size, 100);
  });
});

describe('string ids', () => {
  it('gives exact ids to account ids and finds them again', () => {
    const ids = new StringIds();
    const keys = Array.from({ length: 20_000 }, (_, i) => `user${i}`);
    for (const [i, k] of keys.entries()) assert.equal(ids.idOf(k), i);
    for (const [i, k] of keys.entries()) assert.equal(ids.get(k), i);
    assert.equal(ids.get('nobody'), undefined);
    assert.deepEqual(ids.strings.slice(0, 2), ['user0', 'user1']);
    assert.equal(ids.size, keys.length);
  });
});
