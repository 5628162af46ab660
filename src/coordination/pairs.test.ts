import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig, type GeneratedPost, generate } from '../../bench/coordination/generate.ts';
import { fromNormalised } from './adapters.ts';
import { analyze, arraySource, type EdgeResult } from './engine.ts';
import { DistinctPairCounter, PairSketch } from './pairs.ts';
import type { Post } from './types.ts';

describe('pair sketch', () => {
  it('never bounds a pair below its true count, and keeps once-only pairs low', () => {
    // Sized as the engine sizes it: as many cells a row as pair events (rounded up to a power of two).
    const sketch = new PairSketch(20000);
    const truth = new Map<string, number>();
    let x = 12345;
    const next = (n: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % n;
    };
    for (let k = 0; k < 20000; k++) {
      // Most pairs once, a few often.
      const i = k % 10 === 0 ? next(20) : next(3000);
      const j = 3000 + (k % 10 === 0 ? next(20) : next(3000));
      sketch.add(i, j);
      truth.set(`${i}:${j}`, (truth.get(`${i}:${j}`) ?? 0) + 1);
    }
    let onceBelowThree = 0;
    let once = 0;
    for (const [key, count] of truth) {
      const [i, j] = key.split(':').map(Number) as [number, number];
      const bound = sketch.bound(i, j);
      assert.ok(bound >= Math.min(count, 255), `pair ${key}: bound ${bound} < count ${count}`);
      if (count === 1) {
        once++;
        if (bound < 3) onceBelowThree++;
      }
    }
    assert.ok(onceBelowThree / once > 0.9, `${onceBelowThree} of ${once} once-only pairs filtered`);
  });
});

describe('pair sketch with two-bit counters', () => {
  it('saturates at the minimum it must tell apart and never bounds a pair below it', () => {
    const sketch = new PairSketch(5000, 3);
    assert.equal(sketch.saturation, 3);
    assert.equal(sketch.bytes.length, sketch.width / 4);
    const truth = new Map<string, number>();
    for (let k = 0; k < 5000; k++) {
      // One pair in five from a small set (seen often), the rest spread out (mostly once).
      const i = k % 5 === 0 ? k % 20 : k % 400;
      const j = k % 5 === 0 ? 400 + (k % 30) : 400 + ((k * 7) % 900);
      sketch.add(i, j);
      truth.set(`${i}:${j}`, (truth.get(`${i}:${j}`) ?? 0) + 1);
    }
    let many = 0;
    for (const [key, count] of truth) {
      const [i, j] = key.split(':').map(Number) as [number, number];
      const bound = sketch.bound(i, j);
      assert.ok(bound <= 3, `bound ${bound} above saturation`);
      assert.ok(bound >= Math.min(count, 3), `pair ${key}: bound ${bound} < count ${count}`);
      if (count >= 3) many++;
    }
    assert.ok(many > 0);
    // Neighbouring cells of a byte do not disturb each other.
    const fresh = new PairSketch(1024, 15);
    assert.equal(fresh.saturation, 15);
    for (let r = 0; r < 20; r++) fresh.add(1, 2);
    assert.equal(fresh.bound(1, 2), 15);
    assert.equal(fresh.bound(3, 4), 0);
  });
});

describe('distinct pair counter', () => {
  it('is exact while small', () => {
    const counter = new DistinctPairCounter(5000);
    for (let r = 0; r < 3; r++) for (let i = 0; i < 4000; i++) counter.add(i, i + 1 + (i % 7));
    assert.equal(counter.count, 4000);
    assert.equal(counter.isExact, true);
  });

  it('estimates within 2 % once there are too many pairs to keep, in fixed memory', () => {
    const counter = new DistinctPairCounter(1_000_000);
    const n = 1_500_000;
    for (let r = 0; r < 2; r++)
      for (let k = 0; k < n; k++) counter.add(k % 1000, 1000 + Math.floor(k / 1000));
    assert.equal(counter.isExact, false);
    const error = Math.abs(counter.count - n) / n;
    assert.ok(error < 0.02, `estimate ${counter.count} for ${n} (error ${error})`);
  });
});

describe('only pairs that can reach the minimum are stored', () => {
  it('gives exactly the edges of an unfiltered run, while storing far fewer pairs', async () => {
    const raw: GeneratedPost[] = [];
    generate({ ...defaultConfig(20000, 5), accounts: 800, coordinatedShare: 0.05 }, (p) => raw.push(p));
    const posts: Post[] = raw.map((r) => {
      const c = fromNormalised(r as unknown as Record<string, unknown>);
      assert.ok('post' in c);
      return c.post;
    });
    // minCoActions 1 stores every pair; its edges with >= 3 co-actions are the reference.
    const unfiltered = await analyze(arraySource(posts), { allEdges: true, minCoActions: 1 });
    const filtered = await analyze(arraySource(posts), { allEdges: true });
    assert.equal(filtered.stats.candidatePairs, unfiltered.stats.candidatePairs);
    assert.equal(filtered.stats.candidatePairsExact, true);
    assert.ok(
      filtered.stats.storedPairs < unfiltered.stats.storedPairs / 3,
      `stored ${filtered.stats.storedPairs} of ${unfiltered.stats.storedPairs}`,
    );
    const key = (e: EdgeResult): string =>
      JSON.stringify([e.a, e.b, e.observed, e.expected, e.score, e.significant]);
    const reference = unfiltered.edges.filter((e) => e.observedTotal >= 3).map(key);
    assert.ok(reference.length > 100);
    assert.deepEqual(filtered.edges.map(key), reference);
    assert.ok(filtered.edges.some((e) => e.significant));
  });
});
