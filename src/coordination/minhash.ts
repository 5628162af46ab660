// Near-duplicate texts: word sets, MinHash signatures and LSH banding, verified by exact Jaccard.
//
// Hand-rolled on purpose: the npm MinHash/LSH packages keep every signature as JS arrays of numbers and
// buckets as objects of strings, which costs hundreds of bytes per post and does not stream. Here exact
// duplicates collapse to one entry (a 64-bit key of the sorted word hashes), and buckets are formed by
// sorting packed (band key, text id) numbers - no per-bucket objects at all. What a distinct text keeps in
// memory is 16 bytes (its number of words, a 64-bit set of word-hash bits, where its words start) and a
// slot of the exact-duplicate table while reading; its sorted word hashes (for exact verification) and
// its band keys (one 32-bit key per band, needed once reading is over, one band at a time) wait in
// temporary files. Most candidates are ruled out from the 16 bytes; the few that are not (about one in
// 180 on the benchmark's data) read both word lists from the file.
//
// Words, not character shingles: light paraphrase (one word swapped) keeps a 20-word text at Jaccard
// 0.9 on word sets but drops it to about 0.8 on 5-character shingles.
import { KeyIds } from './keyids.ts';
import { hashString, mix32 } from './normalize.ts';
import { sortByKey } from './radix.ts';
import { SpillFile } from './spill.ts';

export const BANDS = 10;
export const ROWS = 6;
const HASHES = BANDS * ROWS;
const MAX_WORDS = 256;
/** When a bucket holds many distinct texts, each new one is compared with at most this many
 * representatives: work stays linear in bucket size (the similar-text trap). */
const MAX_REPRESENTATIVES = 4;
/** Texts whose band keys are buffered before they are written: 10 bands x 4,096 keys (160 KiB). */
const BAND_BLOCK = 4096;
/** Word hashes buffered before they are written (256 KiB). */
const WORD_BLOCK = 1 << 16;

const SEEDS = new Uint32Array(HASHES);
const MULTIPLIERS = new Uint32Array(HASHES);
for (let k = 0; k < HASHES; k++) {
  SEEDS[k] = mix32(0x9e3779b9 + k * 0x632be5ab);
  MULTIPLIERS[k] = mix32(0x7f4a7c15 + k * 0x2545f491) | 1;
}

function popcount(v: number): number {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

class GrowableU32 {
  data = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

export class TextIndex {
  /** Exact duplicates by two hashes of their sorted word hashes. */
  private byKey = new KeyIds();
  /** Word hashes not yet written, and how many were written before them. */
  private readonly wordBuffer = new Uint32Array(WORD_BLOCK);
  private wordFill = 0;
  private wordsWritten = 0;
  private wordFile: SpillFile | null = null;
  /** Per text: where its words start among all texts' words (they end where the next text's start). */
  private wordStart = new GrowableU32();
  private readonly wordsX = new Uint32Array(MAX_WORDS);
  private readonly wordsY = new Uint32Array(MAX_WORDS);
  /** Band keys of the texts not yet written: BAND_BLOCK per band. */
  private readonly bandBuffer = new Uint32Array(BANDS * BAND_BLOCK);
  private bandFill = 0;
  private bandFile: SpillFile | null = null;
  /** Per text: its number of distinct words and a 64-bit set of word-hash bits (two words), side by side
   * so that most candidates are ruled out by one small read instead of a walk through both word lists. */
  private summary = new GrowableU32();
  /** Distinct texts (kept when `close` lets the rest go). */
  private count = 0;
  private readonly signature = new Uint32Array(HASHES);
  /** Work done verifying candidates (the similar-text trap is about this staying ~linear). */
  comparisons = 0;

  /** `workDir`: where the temporary file of band keys goes (default: the system's temporary directory). */
  constructor(private readonly workDir?: string) {}

  get size(): number {
    return this.count;
  }

  /** Registers a text by its distinct words; returns the id of its exact-duplicate class. */
  add(distinctWords: string[]): number {
    const n = Math.min(distinctWords.length, MAX_WORDS);
    const hashes = new Uint32Array(n);
    for (let i = 0; i < n; i++) hashes[i] = hashString(distinctWords[i] as string);
    hashes.sort();
    let h1 = 0x12345678;
    let h2 = 0x9abcdef0;
    for (let i = 0; i < n; i++) {
      const w = hashes[i] as number;
      h1 = mix32(h1 ^ w);
      h2 = mix32(Math.imul(h2, 31) + w);
    }
    const id = this.byKey.idOf(h1, h2);
    if (id < this.count) return id;
    this.count++;
    this.wordStart.push(this.wordsWritten + this.wordFill);
    let distinct = 0;
    let low = 0;
    let high = 0;
    for (let i = 0; i < n; i++) {
      const w = hashes[i] as number;
      if (i > 0 && w === hashes[i - 1]) continue;
      if (this.wordFill === WORD_BLOCK) this.flushWords();
      this.wordBuffer[this.wordFill++] = w;
      distinct++;
      const bit = w >>> 26;
      if (bit < 32) low |= 1 << bit;
      else high |= 1 << (bit - 32);
    }
    this.summary.push(distinct);
    this.summary.push(low >>> 0);
    this.summary.push(high >>> 0);
    // Word hashes are already well mixed, so an odd multiply-add per permutation is enough; the loop runs
    // permutation-outer so that the running minimum stays in a register.
    const sig = this.signature;
    for (let k = 0; k < HASHES; k++) {
      const a = MULTIPLIERS[k] as number;
      const c = SEEDS[k] as number;
      let min = 0xffffffff;
      for (let i = 0; i < n; i++) {
        const v = (Math.imul(a, hashes[i] as number) + c) >>> 0;
        if (v < min) min = v;
      }
      sig[k] = min;
    }
    const f = this.bandFill;
    for (let b = 0; b < BANDS; b++) {
      let h = 0x2545f491 + b;
      for (let r = 0; r < ROWS; r++) h = mix32(h ^ (sig[b * ROWS + r] as number));
      this.bandBuffer[b * BAND_BLOCK + f] = h >>> 0;
    }
    this.bandFill = f + 1;
    if (this.bandFill === BAND_BLOCK) this.flushBands();
    return id;
  }

  private flushWords(): void {
    if (this.wordFill === 0) return;
    this.wordFile ??= new SpillFile(1, 'grouping similar texts', this.workDir);
    const bytes = new Uint8Array(this.wordBuffer.buffer, 0, this.wordFill * 4);
    this.wordFile.append(0, bytes);
    this.wordsWritten += this.wordFill;
    this.wordFill = 0;
  }

  private flushBands(): void {
    const n = this.bandFill;
    if (n === 0) return;
    this.bandFile ??= new SpillFile(BANDS, 'grouping similar texts', this.workDir);
    const bytes = new Uint8Array(this.bandBuffer.buffer);
    for (let b = 0; b < BANDS; b++)
      this.bandFile.append(b, bytes.subarray(b * BAND_BLOCK * 4, (b * BAND_BLOCK + n) * 4));
    this.bandFill = 0;
  }

  /** Every text's key in band `b`, by text id. */
  private bandKeys(b: number): Uint32Array {
    const keys = new Uint32Array(this.size);
    let at = 0;
    this.bandFile?.read(b, (data) => {
      keys.set(new Uint32Array(data.buffer, data.byteOffset, data.length / 4), at);
      at += data.length / 4;
    });
    keys.set(this.bandBuffer.subarray(b * BAND_BLOCK, b * BAND_BLOCK + this.bandFill), at);
    return keys;
  }

  /** Closes the temporary file of band keys and lets go of the word lists (the rest of the analysis does
   * not need them): only `size` and `comparisons` answer after this. */
  close(): void {
    this.bandFile?.close();
    this.bandFile = null;
    this.wordFile?.close();
    this.wordFile = null;
    this.byKey = new KeyIds(16);
    this.wordStart = new GrowableU32();
    this.summary = new GrowableU32();
  }

  /** Text `id`'s sorted word hashes, copied into `target`; returns how many. */
  private wordsOf(id: number, target: Uint32Array): number {
    const start = this.wordStart.data[id] as number;
    const n = this.summary.data[id * 3] as number;
    const buffered = start - this.wordsWritten;
    if (buffered >= 0) {
      target.set(this.wordBuffer.subarray(buffered, buffered + n));
    } else {
      (this.wordFile as SpillFile).readAt(start * 4, new Uint8Array(target.buffer, 0, n * 4));
    }
    return n;
  }

  /** The number of words two texts share, or -1 as soon as it cannot reach `need`. */
  private commonWords(x: number, y: number, need: number): number {
    const xe = this.wordsOf(x, this.wordsX);
    const ye = this.wordsOf(y, this.wordsY);
    const wx = this.wordsX;
    const wy = this.wordsY;
    let i = 0;
    let j = 0;
    let common = 0;
    while (i < xe && j < ye) {
      if (common + Math.min(xe - i, ye - j) < need) return -1;
      const a = wx[i] as number;
      const b = wy[j] as number;
      if (a === b) {
        common++;
        i++;
        j++;
      } else if (a < b) i++;
      else j++;
    }
    return common < need ? -1 : common;
  }

  /** Exact Jaccard similarity of two texts' word sets. */
  jaccard(x: number, y: number): number {
    this.comparisons++;
    const common = this.commonWords(x, y, 0);
    const union = (this.summary.data[x * 3] as number) + (this.summary.data[y * 3] as number) - common;
    return union === 0 ? 1 : common / union;
  }

  /**
   * Whether two texts' word sets reach Jaccard `threshold`: the same answer as
   * `jaccard(x, y) >= threshold`, but the merge stops as soon as the words left cannot bring enough in
   * common (a shorter text never gets that far): most candidates from a bucket are not similar.
   */
  similar(x: number, y: number, threshold: number): boolean {
    this.comparisons++;
    const sum = this.summary.data;
    const nx = sum[x * 3] as number;
    const ny = sum[y * 3] as number;
    const total = nx + ny;
    if (total === 0) return 1 >= threshold;
    // Jaccard is at most the ratio of the smaller set to the larger.
    if (Math.min(nx, ny) < threshold * Math.max(nx, ny) - 1e-9) return false;
    // The least number of common words that reaches the threshold, by the same division as `jaccard`.
    let need = Math.max(0, Math.floor((threshold * total) / (1 + threshold)) - 1);
    while (need <= total / 2 && need / (total - need) < threshold) need++;
    // Every bit set for x and not for y stands for at least one word of x that y lacks (and the other way
    // round), which bounds the words in common from above: an exact test that reads no word list.
    const lx = sum[x * 3 + 1] as number;
    const hx = sum[x * 3 + 2] as number;
    const ly = sum[y * 3 + 1] as number;
    const hy = sum[y * 3 + 2] as number;
    const onlyX = popcount(lx & ~ly) + popcount(hx & ~hy);
    const onlyY = popcount(ly & ~lx) + popcount(hy & ~hx);
    if (Math.min(nx - onlyX, ny - onlyY) < need) return false;
    const common = this.commonWords(x, y, need);
    if (common < 0) return false;
    const union = total - common;
    return (union === 0 ? 1 : common / union) >= threshold;
  }

  /**
   * Groups texts whose word-set Jaccard reaches `threshold` (single linkage through verified pairs).
   * Returns the cluster of every text id, numbered 0..count-1.
   */
  cluster(threshold: number): { clusterOf: Int32Array; count: number } {
    const n = this.size;
    // No text is added after this: the exact-duplicate table can go, and every word must be readable.
    this.byKey = new KeyIds(16);
    this.flushWords();
    const parent = new Int32Array(n);
    for (let i = 0; i < n; i++) parent[i] = i;
    const find = (x: number): number => {
      let r = x;
      while (parent[r] !== r) r = parent[r] as number;
      let c = x;
      while (parent[c] !== r) {
        const next = parent[c] as number;
        parent[c] = r;
        c = next;
      }
      return r;
    };
    const reps: number[] = [];
    for (let b = 0; b < BANDS; b++) {
      const bandKey = this.bandKeys(b);
      // Buckets are runs of equal keys; within a run, ids ascend (the sort is stable).
      const { order, keys } = sortByKey(bandKey, n);
      let runKey = -1;
      for (let i = 0; i < n; i++) {
        const key = keys[i] as number;
        const id = order[i] as number;
        if (key !== runKey) {
          runKey = key;
          reps.length = 0;
          reps.push(id);
          continue;
        }
        const root = find(id);
        let joined = false;
        for (const rep of reps) {
          if (find(rep) === root) {
            joined = true;
            break;
          }
        }
        if (joined) continue;
        for (const rep of reps) {
          if (this.similar(id, rep, threshold)) {
            const ra = find(rep);
            const rb = find(id);
            if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
            joined = true;
            break;
          }
        }
        if (!joined && reps.length < MAX_REPRESENTATIVES) reps.push(id);
      }
    }
    const clusterOf = new Int32Array(n);
    const compact = new Int32Array(n).fill(-1);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const r = find(i);
      if (compact[r] === -1) compact[r] = count++;
      clusterOf[i] = compact[r] as number;
    }
    return { clusterOf, count };
  }
}
