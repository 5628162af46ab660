import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextIndex } from './minhash.ts';

describe('text index', () => {
  it('decides similarity exactly as the full Jaccard does, while stopping early', () => {
    const index = new TextIndex();
    let x = 7;
    const next = (n: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % n;
    };
    const ids: number[] = [];
    for (let t = 0; t < 2000; t++) {
      const words = new Set<string>();
      const n = 1 + next(25);
      while (words.size < n) words.add(`w${next(40)}`);
      ids.push(index.add([...words]));
    }
    let similar = 0;
    for (const threshold of [0.3, 0.5, 0.75, 0.8, 0.9, 1]) {
      for (let k = 0; k < 10000; k++) {
        const a = ids[next(ids.length)] as number;
        const b = ids[next(ids.length)] as number;
        const expected = index.jaccard(a, b) >= threshold;
        assert.equal(index.similar(a, b, threshold), expected, `texts ${a}, ${b} at ${threshold}`);
        if (expected) similar++;
      }
    }
    assert.ok(similar > 1000);
    index.close();
  });
});
