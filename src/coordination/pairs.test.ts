import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultConfig, type GeneratedPost, generate } from '../../bench/coordination/generate.ts';
import { fromNormalised } from './adapters.ts';
import { analyze, arraySource, type EdgeResult } from './engine.ts';
import { MAX_OBJECTS_PER_BEHAVIOUR } from './pairs.ts';
import { CountedPairs, countPartition, PairEventSpill } from './pairspill.ts';
import { ColumnSpill, SpillFile, TemporaryFileError } from './spill.ts';
import type { Post } from './types.ts';

describe('rows spilled by partition', () => {
  it('reads back rows of five columns in order, whole or a block at a time', () => {
    const spill = new ColumnSpill(4, 5, 'a test', undefined, 16);
    try {
      const want: number[][][] = [[], [], [], []];
      for (let k = 0; k < 1000; k++) {
        const p = (k * 7) % 4;
        const row = [1.5e9 + k / 4, k, 0xffffffff - k, k * 3, k % 11, 2 ** 31 + k];
        spill.add(
          p,
          row[0] as number,
          row[1] as number,
          row[2] as number,
          row[3] as number,
          row[4] as number,
          row[5] as number,
        );
        (want[p] as number[][]).push(row);
      }
      spill.finish();
      assert.equal(spill.total, 1000);
      for (let p = 0; p < 4; p++) {
        const whole = spill.read(p);
        const got: number[][] = [];
        for (let r = 0; r < whole.n; r++)
          got.push([whole.times[r] as number, ...whole.ints.subarray(r * 5, r * 5 + 5)]);
        assert.deepEqual(got, want[p]);
        const byBlock: number[][] = [];
        for (const block of spill.blocksOf(p)) {
          assert.ok(block.n <= 16);
          for (let r = 0; r < block.n; r++)
            byBlock.push([block.times[r] as number, ...block.ints.subarray(r * 5, r * 5 + 5)]);
        }
        assert.deepEqual(byBlock, want[p]);
      }
    } finally {
      spill.dispose();
    }
  });
});

describe('pair co-actions spilled by partition', () => {
  it('reads back every co-action of a partition in the order it was added, and leaves no file', () => {
    const parent = mkdtempSync(join(tmpdir(), 'vigil-spill-test-'));
    try {
      const spill = new PairEventSpill(1_000_000, parent);
      // The open file has no name: a killed process leaves nothing behind.
      assert.deepEqual(readdirSync(parent), []);
      assert.ok(spill.partitions >= 8, `${spill.partitions} partitions`);
      const expected = new Map<number, [number, number, number, number][]>();
      let x = 99;
      const next = (n: number): number => {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        return x % n;
      };
      // More than a block (1,024) per partition, so blocks of one partition interleave in the file.
      for (let k = 0; k < 40_000; k++) {
        const i = next(5000);
        const j = i + 1 + next(5000);
        const event: [number, number, number, number] = [i, j, next(100_000), 1.7e9 + k + 0.25];
        spill.add(...event);
        const p = spill.partitionOf(i, j);
        expected.set(p, [...(expected.get(p) ?? []), event]);
      }
      spill.finish();
      assert.equal(spill.total, 40_000);
      for (let p = 0; p < spill.partitions; p++) {
        const { n, ints, times } = spill.read(p);
        const want = expected.get(p) ?? [];
        assert.equal(n, want.length);
        for (let e = 0; e < n; e++) {
          assert.deepEqual([ints[e * 3], ints[e * 3 + 1], ints[e * 3 + 2], times[e]], want[e]);
        }
      }
      spill.dispose();
      assert.deepEqual(readdirSync(parent), []);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("spreads one very active account's pairs over all partitions", () => {
    const spill = new PairEventSpill(1_000_000);
    try {
      const perPartition = new Array<number>(spill.partitions).fill(0);
      for (let j = 1; j <= 20_000; j++) {
        const p = spill.partitionOf(0, j);
        perPartition[p] = (perPartition[p] as number) + 1;
      }
      const average = 20_000 / spill.partitions;
      assert.ok(
        Math.max(...perPartition) < 1.5 * average,
        `largest ${Math.max(...perPartition)} of ${average}`,
      );
    } finally {
      spill.dispose();
    }
  });

  it('says how far a temporary file got when writing fails (a full disk)', () => {
    const file = new SpillFile(2, 'testing', tmpdir());
    file.append(0, new Uint8Array(1 << 20));
    // The descriptor closed behind its back: the next write fails as it would on a full disk.
    closeSync((file as unknown as { fd: number }).fd);
    assert.throws(
      () => file.append(1, new Uint8Array(16)),
      (err: Error) => {
        assert.ok(err instanceof TemporaryFileError);
        assert.match(err.message, /for testing in .* could not grow beyond 1 MiB .*TMPDIR/);
        return true;
      },
    );
  });

  it('says which directory it could not write to', () => {
    assert.throws(() => new PairEventSpill(10, '/nonexistent/vigil'), /in \/nonexistent\/vigil .*TMPDIR/);
  });

  it('counts distinct pairs, and co-action episodes only for pairs that reach the minimum', () => {
    // Objects 3 and 4 are behaviour 0 (window 60 s), B + 2 and B + 3 behaviour 1 (window 600 s), 3B + 1
    // and 3B + 2 behaviour 3 (window 3,600 s; their numbers do not fit a signed 32-bit integer).
    const B = MAX_OBJECTS_PER_BEHAVIOUR;
    const windows = Float64Array.from([60, 600, 60, 3600]);
    const events: [number, number, number, number][] = [
      // Pair 1-2: a burst on object 3 (one episode), object 3 again after a pause (a second), object 4.
      [1, 2, 3, 1000],
      [1, 2, 3, 1010],
      [1, 2, 3, 1050],
      [1, 2, 3, 2000],
      [1, 2, 4, 2001],
      // Pair 1-3 on behaviour 1: 500 s apart on one object is still one episode (window 600 s).
      [1, 3, B + 2, 1000],
      [1, 3, B + 2, 1500],
      [1, 3, B + 3, 1600],
      // Pair 1-4 on behaviour 3: 2,000 s apart on one object is one episode, then another object.
      [1, 4, 3 * B + 1, 1000],
      [1, 4, 3 * B + 1, 3000],
      [1, 4, 3 * B + 2, 3001],
      // Pair 2-5: twice only, below the minimum of 3.
      [2, 5, 3, 1000],
      [2, 5, 4, 5000],
    ];
    const n = events.length;
    const ints = new Uint32Array(n * 3);
    const times = new Float64Array(n);
    events.forEach(([i, j, o, t], e) => {
      ints.set([i, j, o], e * 3);
      times[e] = t;
    });
    const out = new CountedPairs(4);
    assert.equal(countPartition({ n, ints, times }, windows, 3, out), 4);
    assert.equal(out.length, 3);
    const rows = Array.from({ length: out.length }, (_, s) => [
      out.a[s],
      out.b[s],
      ...out.counts.subarray(s * 4, s * 4 + 4),
    ]);
    assert.deepEqual(rows, [
      [1, 2, 3, 0, 0, 0],
      [1, 3, 0, 2, 0, 0],
      [1, 4, 0, 0, 0, 2],
    ]);
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
