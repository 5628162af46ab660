import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BANDS, FINGERPRINT_HEAD, fingerprintText, MAX_FINGERPRINT, ROWS, TextIndex } from './minhash.ts';
import { hashString, mix32 } from './normalize.ts';

/** MinHash band keys the plain way: one permutation at a time, in unsigned arithmetic. */
function referenceBandKeys(words: string[]): number[] {
  const hashes = words.slice(0, 256).map((w) => hashString(w));
  const keys: number[] = [];
  for (let b = 0; b < BANDS; b++) {
    let h = 0x2545f491 + b;
    for (let r = 0; r < ROWS; r++) {
      const k = b * ROWS + r;
      const seed = mix32(0x9e3779b9 + k * 0x632be5ab);
      const multiplier = (mix32(0x7f4a7c15 + k * 0x2545f491) | 1) >>> 0;
      let min = 0xffffffff;
      for (const w of hashes) min = Math.min(min, (Math.imul(multiplier, w) + seed) >>> 0);
      h = mix32(h ^ min);
    }
    keys.push(h);
  }
  return keys;
}

describe('text fingerprints', () => {
  it('give the band keys of one permutation at a time, with sorted word hashes after them', () => {
    const out = new Uint32Array(MAX_FINGERPRINT + 7);
    let x = 3;
    for (let t = 0; t < 500; t++) {
      const words = new Set<string>();
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      // 1 to 300 words: texts longer than 256 words are cut.
      const n = 1 + (x % 300);
      for (let i = 0; words.size < n; i++) words.add(`w${(x + i * 7919) % 100000}`);
      const length = fingerprintText([...words], out, 7);
      const kept = Math.min(n, 256);
      assert.equal(length, FINGERPRINT_HEAD + kept);
      assert.equal(out[7], kept);
      assert.deepEqual([...out.subarray(7 + 3, 7 + 3 + BANDS)], referenceBandKeys([...words]), `text ${t}`);
      const sorted = [...words]
        .slice(0, 256)
        .map((w) => hashString(w))
        .sort((a, b) => a - b);
      assert.deepEqual([...out.subarray(7 + FINGERPRINT_HEAD, 7 + FINGERPRINT_HEAD + kept)], sorted);
    }
  });
});

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

  it('verifies from the file of word lists once they outgrow the buffer, and clusters across it', () => {
    const index = new TextIndex();
    const ids: number[] = [];
    // 12,000 texts of 8 words: 96,000 words, more than one buffer (65,536) of them.
    for (let t = 0; t < 12_000; t++) {
      ids.push(index.add(Array.from({ length: 8 }, (_, k) => `t${t}w${k}`)));
    }
    // A light paraphrase of text 5 (one word of eight swapped: Jaccard 7/9) and an exact copy of text 11,000.
    const paraphrase = index.add([...Array.from({ length: 7 }, (_, k) => `t5w${k}`), 'other']);
    const copy = index.add(Array.from({ length: 8 }, (_, k) => `t11000w${k}`));
    assert.equal(copy, ids[11_000]);
    assert.equal(index.size, 12_001);
    const { clusterOf, count } = index.cluster(0.75);
    assert.equal(count, 12_000);
    assert.equal(clusterOf[paraphrase], clusterOf[ids[5] as number]);
    assert.notEqual(clusterOf[ids[6] as number], clusterOf[ids[5] as number]);
    // After clustering every word list is read from the file.
    assert.equal(index.jaccard(ids[5] as number, paraphrase), 7 / 9);
    assert.equal(index.similar(ids[5] as number, paraphrase, 0.75), true);
    assert.equal(index.similar(ids[5] as number, paraphrase, 0.8), false);
    assert.equal(index.jaccard(ids[11_999] as number, ids[11_998] as number), 0);
    index.close();
  });

  it('forgets old exact copies within bounds, and clusters them back with their originals', () => {
    // Odd texts are light paraphrases of the even text before them (one word of eight swapped).
    const texts = (t: number): string[] =>
      t % 2 === 0
        ? Array.from({ length: 8 }, (_, k) => `t${t}w${k}`)
        : [...Array.from({ length: 7 }, (_, k) => `t${t - 1}w${k}`), `odd${t}`];
    const bounded = new TextIndex(undefined, { exactCache: 1000, rangeTarget: 500 });
    const whole = new TextIndex();
    const ids: [number, number][] = [];
    // 4,000 texts, then copies of texts 2,500 (in the older table), 3,990 (recent) and 0 (long forgotten).
    for (let t = 0; t < 4000; t++) ids.push([bounded.add(texts(t)), whole.add(texts(t))]);
    const copies = [2500, 3990, 0].map((t) => [t, bounded.add(texts(t)), whole.add(texts(t))] as const);
    assert.equal(whole.size, 4000);
    assert.equal(bounded.size, 4001);
    assert.deepEqual(
      copies.map(([t, b]) => b === (ids[t] as [number, number])[0]),
      [true, true, false],
    );
    // Sixteen key ranges for 4,001 texts: the same clusters as one sort of every band.
    const fromBounded = bounded.cluster(0.75);
    const fromWhole = whole.cluster(0.75);
    assert.ok(fromWhole.count <= 2300, `${fromWhole.count} clusters`);
    assert.equal(fromBounded.count, fromWhole.count);
    for (let t = 0; t < 4000; t++) {
      const [b, w] = ids[t] as [number, number];
      assert.equal(fromBounded.clusterOf[b], fromWhole.clusterOf[w]);
    }
    const [, forgotten] = copies[2] as readonly [number, number, number];
    assert.equal(fromBounded.clusterOf[forgotten], fromBounded.clusterOf[(ids[0] as [number, number])[0]]);
    bounded.close();
    whole.close();
  });
  it('joins every forgotten copy to its original, also where buckets are crowded with near misses', () => {
    // Two hundred texts share fifty of their 51 words (Jaccard 0.96, under the threshold of 0.97): in most
    // bands most of them share one bucket, whose first four take the representatives' places. A copy met
    // after the table of recent texts forgot its original must still join it.
    const common = Array.from({ length: 50 }, (_, k) => `common${k}`);
    const family = (i: number): string[] => [...common, `own${i}`];
    const bounded = new TextIndex(undefined, { exactCache: 100, rangeTarget: 500 });
    const whole = new TextIndex();
    const originals: [number, number][] = [];
    for (let i = 0; i < 200; i++) originals.push([bounded.add(family(i)), whole.add(family(i))]);
    for (let t = 0; t < 1000; t++) {
      const filler = Array.from({ length: 6 }, (_, k) => `filler${t}w${k}`);
      bounded.add(filler);
      whole.add(filler);
    }
    const copies: [number, number][] = [];
    for (let i = 0; i < 200; i++) copies.push([bounded.add(family(i)), whole.add(family(i))]);
    assert.equal(bounded.size, whole.size + 200, 'every copy was forgotten by the bounded table');
    const fromBounded = bounded.cluster(0.97);
    // The near misses pass the summaries and are verified from their word lists (4,605 times): a list is
    // read once per entry and once per representative, not twice per verification.
    assert.ok(bounded.wordReads <= (BANDS + 1) * (400 + 4), `${bounded.wordReads} word lists read`);
    const fromWhole = whole.cluster(0.97);
    assert.equal(fromBounded.count, fromWhole.count);
    assert.equal(fromWhole.count, 1200, 'no two distinct texts are similar');
    for (let i = 0; i < 200; i++) {
      const [original] = originals[i] as [number, number];
      const [copy] = copies[i] as [number, number];
      assert.equal(fromBounded.clusterOf[copy], fromBounded.clusterOf[original], `copy of text ${i}`);
    }
    bounded.close();
    whole.close();
  });
});
