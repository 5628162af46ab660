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
