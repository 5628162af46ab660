// Near-duplicate texts: word sets, MinHash signatures and LSH banding, verified by exact Jaccard.
//
// Hand-rolled on purpose: the npm MinHash/LSH packages keep every signature as JS arrays of numbers and
// buckets as objects of strings, which costs hundreds of bytes per post and does not stream. Here a text
// is a sorted list of word hashes, and buckets are runs of equal band keys after a radix sort - no
// per-bucket objects at all. While reading, what a text leaves in memory is nothing: its words, its
// summary (number of words and a 64-bit set of word-hash bits) and its band keys (one 32-bit key per
// band) go to temporary files; exact duplicates met recently are recognised by a table of bounded size
// and share one text, and older copies are joined first by an extra band keyed by the whole word set.
// Clustering goes band by band: each band's (key, text, summary) entries are spilled
// by key range and each range is sorted and walked on its own, so that the union-find of texts (4 bytes a
// text) is the only thing that grows with the data. Most candidates are ruled out from the two summaries
// in the entries; the few that are not (about one in 180 on the benchmark's data) read both word lists
// from the file.
//
// Words, not character shingles: light paraphrase (one word swapped) keeps a 20-word text at Jaccard
// 0.9 on word sets but drops it to about 0.8 on 5-character shingles.
import { KeyIds } from './keyids.ts';
import { hashString, mix32 } from './normalize.ts';
import { sortByKey } from './radix.ts';
import { Scratch } from './scratch.ts';
import { ColumnSpill, SpillFile } from './spill.ts';

export const BANDS = 10;
export const ROWS = 6;
const HASHES = BANDS * ROWS;
const MAX_WORDS = 256;
/** When a bucket holds many distinct texts, each new one is compared with at most this many
 * representatives: work stays linear in bucket size (the similar-text trap). */
const MAX_REPRESENTATIVES = 4;
/** Texts whose band keys and summaries are buffered before they are written (176 KiB in all). */
const TEXT_BLOCK = 4096;
/** Per text in the file of summaries: number of words, word-bit set (two words), where its words start
 * (two words: low and high 32 bits). */
const RECORD = 5;
/** Word hashes buffered before they are written (256 KiB). */
const WORD_BLOCK = 1 << 16;
/** Exact duplicates are recognised among the last one to two times this many texts (1.5 MiB a
 * generation: copies come close together, and a larger table only crowds the processor's cache). A copy
 * of an older text becomes a text of its own, and clustering joins the two before anything else. */
const EXACT_CACHE = 1 << 16;
/** The extra band whose key is a hash of the whole word set: exact copies share its buckets. */
const EXACT_BAND = BANDS;
/** Band entries a key range is sized for during clustering (about 2 MiB with its sort). */
const RANGE_TARGET = 1 << 16;
const MAX_RANGES = 256;

const SIGN = 0x80000000 | 0;
/** Per permutation: an odd multiplier, and an offset with its top bit flipped (see fingerprintText). */
const MULTIPLIERS = new Int32Array(HASHES);
const FLIPPED_SEEDS = new Int32Array(HASHES);
for (let k = 0; k < HASHES; k++) {
  FLIPPED_SEEDS[k] = mix32(0x9e3779b9 + k * 0x632be5ab) ^ SIGN;
  MULTIPLIERS[k] = mix32(0x7f4a7c15 + k * 0x2545f491) | 1;
}
// fingerprintText computes a band's rows side by side, written out for six.
if (ROWS !== 6) throw new Error('fingerprintText assumes six rows a band');

function popcount(v: number): number {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Words of a fingerprint after its head: word count, two hashes of the word set, the MinHash band keys. */
export const FINGERPRINT_HEAD = 3 + BANDS;
/** The longest fingerprint: texts are cut to their first MAX_WORDS distinct words. */
export const MAX_FINGERPRINT = FINGERPRINT_HEAD + MAX_WORDS;

/**
 * Writes a text's fingerprint at `at` of `out` (MAX_FINGERPRINT words must fit) and returns its length:
 * the number n of words kept, two hashes of the word set, the band keys, then the n word hashes sorted.
 * A pure function of the words, so that reading threads can compute it; `TextIndex.addFingerprint` does
 * the rest.
 */
export function fingerprintText(distinctWords: string[], out: Uint32Array, at: number): number {
  const n = Math.min(distinctWords.length, MAX_WORDS);
  const first = at + FINGERPRINT_HEAD;
  const hashes = out.subarray(first, first + n);
  for (let i = 0; i < n; i++) hashes[i] = hashString(distinctWords[i] as string);
  hashes.sort();
  let h1 = 0x12345678;
  let h2 = 0x9abcdef0;
  for (let i = 0; i < n; i++) {
    const w = hashes[i] as number;
    h1 = mix32(h1 ^ w);
    h2 = mix32(Math.imul(h2, 31) + w);
  }
  out[at] = n;
  out[at + 1] = h1;
  out[at + 2] = h2;
  // Word hashes are already well mixed, so an odd multiply-add per permutation is enough. A band's six
  // permutations run side by side over the words (six running minima in registers, independent of one
  // another: about half the time of one permutation at a time). Minima are taken on signed integers
  // with the top bit flipped, which orders them as the unsigned values they stand for.
  for (let b = 0; b < BANDS; b++) {
    const k = b * ROWS;
    const m0 = MULTIPLIERS[k] as number;
    const m1 = MULTIPLIERS[k + 1] as number;
    const m2 = MULTIPLIERS[k + 2] as number;
    const m3 = MULTIPLIERS[k + 3] as number;
    const m4 = MULTIPLIERS[k + 4] as number;
    const m5 = MULTIPLIERS[k + 5] as number;
    const c0 = FLIPPED_SEEDS[k] as number;
    const c1 = FLIPPED_SEEDS[k + 1] as number;
    const c2 = FLIPPED_SEEDS[k + 2] as number;
    const c3 = FLIPPED_SEEDS[k + 3] as number;
    const c4 = FLIPPED_SEEDS[k + 4] as number;
    const c5 = FLIPPED_SEEDS[k + 5] as number;
    let min0 = 0x7fffffff;
    let min1 = min0;
    let min2 = min0;
    let min3 = min0;
    let min4 = min0;
    let min5 = min0;
    for (let i = 0; i < n; i++) {
      const w = (hashes[i] as number) | 0;
      const v0 = (Math.imul(m0, w) + c0) | 0;
      const v1 = (Math.imul(m1, w) + c1) | 0;
      const v2 = (Math.imul(m2, w) + c2) | 0;
      const v3 = (Math.imul(m3, w) + c3) | 0;
      const v4 = (Math.imul(m4, w) + c4) | 0;
      const v5 = (Math.imul(m5, w) + c5) | 0;
      if (v0 < min0) min0 = v0;
      if (v1 < min1) min1 = v1;
      if (v2 < min2) min2 = v2;
      if (v3 < min3) min3 = v3;
      if (v4 < min4) min4 = v4;
      if (v5 < min5) min5 = v5;
    }
    let h = 0x2545f491 + b;
    h = mix32(h ^ min0 ^ SIGN);
    h = mix32(h ^ min1 ^ SIGN);
    h = mix32(h ^ min2 ^ SIGN);
    h = mix32(h ^ min3 ^ SIGN);
    h = mix32(h ^ min4 ^ SIGN);
    h = mix32(h ^ min5 ^ SIGN);
    out[at + 3 + b] = h;
  }
  return FINGERPRINT_HEAD + n;
}

/** A text as the verification needs it: its summary and where its words are. */
interface TextSummary {
  words: number;
  low: number;
  high: number;
  start: number;
}

export class TextIndex {
  /** Recent exact duplicates by two hashes of their sorted word hashes, in two generations of at most
   * EXACT_CACHE texts each: a full table becomes the older one, and the older one is let go. */
  private byKey = new KeyIds();
  private olderKeys = new KeyIds(16);
  /** Word hashes not yet written, and how many were written before them. */
  private readonly wordBuffer = new Uint32Array(WORD_BLOCK);
  private wordFill = 0;
  private wordsWritten = 0;
  private wordFile: SpillFile | null = null;
  private readonly wordsX = new Uint32Array(MAX_WORDS);
  private readonly wordsY = new Uint32Array(MAX_WORDS);
  /** Band keys (TEXT_BLOCK per band, the exact band last) and summaries of the texts not yet written. */
  private readonly bandBuffer = new Uint32Array((BANDS + 1) * TEXT_BLOCK);
  private readonly recordBuffer = new Uint32Array(RECORD * TEXT_BLOCK);
  private textFill = 0;
  private bandFile: SpillFile | null = null;
  /** Summaries by text id, end to end: text i's at byte i x RECORD x 4. */
  private recordFile: SpillFile | null = null;
  private readonly recordBytes = new Uint8Array(RECORD * 4);
  private readonly recordView = new Uint32Array(this.recordBytes.buffer);
  /** Texts (kept when `close` lets the rest go). */
  private count = 0;
  /** A text's fingerprint while it is added by its words. */
  private readonly fingerprint = new Uint32Array(MAX_FINGERPRINT);
  /** Work done verifying candidates (the similar-text trap is about this staying ~linear). */
  comparisons = 0;
  /** Word lists read back from the file to verify candidates (a read is a system call). */
  wordReads = 0;
  private needs: Int32Array | null = null;
  private needsThreshold = Number.NaN;

  private readonly exactCache: number;
  private readonly rangeTarget: number;

  /** `workDir`: where the temporary files go (default: the system's temporary directory). `sizes` are
   * for tests: the generation size of the table of recent texts, and the entries a key range aims at. */
  constructor(
    private readonly workDir?: string,
    sizes: { exactCache?: number; rangeTarget?: number } = {},
  ) {
    this.exactCache = sizes.exactCache ?? EXACT_CACHE;
    this.rangeTarget = sizes.rangeTarget ?? RANGE_TARGET;
  }

  get size(): number {
    return this.count;
  }

  /** Registers a text by its distinct words; returns its id (the id of an earlier exact copy when the
   * table of recent texts still holds it). */
  add(distinctWords: string[]): number {
    fingerprintText(distinctWords, this.fingerprint, 0);
    return this.addFingerprint(this.fingerprint, 0);
  }

  /** Registers a text by its fingerprint (`fingerprintText`) at `at` of `data`; returns its id as `add`
   * does. The fingerprint may come from another thread: this is the part that needs the index's state. */
  addFingerprint(data: Uint32Array, at: number): number {
    const n = data[at] as number;
    const h1 = data[at + 1] as number;
    const h2 = data[at + 2] as number;
    let known = this.byKey.find(h1, h2);
    if (known === -1) known = this.olderKeys.find(h1, h2);
    if (known !== -1) return known;
    if (this.byKey.size >= this.exactCache) {
      this.olderKeys = this.byKey;
      this.byKey = new KeyIds(this.exactCache * 2);
    }
    const id = this.count;
    this.byKey.findOrInsert(h1, h2, id);
    this.count++;
    const start = this.wordsWritten + this.wordFill;
    let distinct = 0;
    let low = 0;
    let high = 0;
    const first = at + FINGERPRINT_HEAD;
    for (let i = first; i < first + n; i++) {
      const w = data[i] as number;
      if (i > first && w === data[i - 1]) continue;
      if (this.wordFill === WORD_BLOCK) this.flushWords();
      this.wordBuffer[this.wordFill++] = w;
      distinct++;
      const bit = w >>> 26;
      if (bit < 32) low |= 1 << bit;
      else high |= 1 << (bit - 32);
    }
    const f = this.textFill;
    const record = this.recordBuffer;
    record[f * RECORD] = distinct;
    record[f * RECORD + 1] = low >>> 0;
    record[f * RECORD + 2] = high >>> 0;
    record[f * RECORD + 3] = start >>> 0;
    record[f * RECORD + 4] = Math.floor(start / 2 ** 32);
    for (let b = 0; b < BANDS; b++) this.bandBuffer[b * TEXT_BLOCK + f] = data[at + 3 + b] as number;
    this.bandBuffer[EXACT_BAND * TEXT_BLOCK + f] = h1;
    this.textFill = f + 1;
    if (this.textFill === TEXT_BLOCK) this.flushTexts();
    return id;
  }

  private flushWords(): void {
    if (this.wordFill === 0) return;
    this.wordFile ??= new SpillFile(1, 'grouping similar texts', this.workDir);
    this.wordFile.append(0, new Uint8Array(this.wordBuffer.buffer, 0, this.wordFill * 4));
    this.wordsWritten += this.wordFill;
    this.wordFill = 0;
  }

  /** Writes the buffered texts' band keys (a block per band) and summaries. */
  private flushTexts(): void {
    const n = this.textFill;
    if (n === 0) return;
    this.bandFile ??= new SpillFile(BANDS + 1, 'grouping similar texts', this.workDir);
    this.recordFile ??= new SpillFile(1, 'grouping similar texts', this.workDir);
    const bytes = new Uint8Array(this.bandBuffer.buffer);
    for (let b = 0; b <= BANDS; b++)
      this.bandFile.append(b, bytes.subarray(b * TEXT_BLOCK * 4, (b * TEXT_BLOCK + n) * 4));
    this.recordFile.append(0, new Uint8Array(this.recordBuffer.buffer, 0, n * RECORD * 4));
    this.textFill = 0;
  }

  /** Closes the temporary files and lets go of the table of recent texts: only `size` and
   * `comparisons` answer after this. */
  close(): void {
    for (const file of [this.bandFile, this.recordFile, this.wordFile]) file?.close();
    this.bandFile = null;
    this.recordFile = null;
    this.wordFile = null;
    this.byKey = new KeyIds(16);
    this.olderKeys = new KeyIds(16);
  }

  /** Text `id`'s summary, read from the file (or the buffer of texts not yet written). */
  private summaryOf(id: number): TextSummary {
    const buffered = id - (this.count - this.textFill);
    let r: Uint32Array;
    if (buffered >= 0) {
      r = this.recordBuffer.subarray(buffered * RECORD, buffered * RECORD + RECORD);
    } else {
      (this.recordFile as SpillFile).readAt(id * RECORD * 4, this.recordBytes);
      r = this.recordView;
    }
    return {
      words: r[0] as number,
      low: r[1] as number,
      high: r[2] as number,
      start: (r[3] as number) + (r[4] as number) * 2 ** 32,
    };
  }

  /** The `n` sorted word hashes of a text whose words start at `start`, copied into `target`. */
  private wordsOf(start: number, n: number, target: Uint32Array): Uint32Array {
    const buffered = start - this.wordsWritten;
    if (buffered >= 0) {
      target.set(this.wordBuffer.subarray(buffered, buffered + n));
    } else {
      this.wordReads++;
      (this.wordFile as SpillFile).readAt(start * 4, new Uint8Array(target.buffer, target.byteOffset, n * 4));
    }
    return target;
  }

  /** The number of words two sorted word lists (`xe` and `ye` long) share, or -1 as soon as it cannot
   * reach `need`. */
  private static commonWords(wx: Uint32Array, xe: number, wy: Uint32Array, ye: number, need: number): number {
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
    const sx = this.summaryOf(x);
    const sy = this.summaryOf(y);
    const common = TextIndex.commonWords(
      this.wordsOf(sx.start, sx.words, this.wordsX),
      sx.words,
      this.wordsOf(sy.start, sy.words, this.wordsY),
      sy.words,
      0,
    );
    const union = sx.words + sy.words - common;
    return union === 0 ? 1 : common / union;
  }

  /**
   * Whether two texts' word sets reach Jaccard `threshold`: the same answer as
   * `jaccard(x, y) >= threshold`, but the merge stops as soon as the words left cannot bring enough in
   * common (a shorter text never gets that far): most candidates from a bucket are not similar.
   */
  similar(x: number, y: number, threshold: number): boolean {
    const sx = this.summaryOf(x);
    const sy = this.summaryOf(y);
    const need = this.wordsNeeded(sx, sy, this.needTable(threshold));
    if (need < 0) return false;
    const wx = this.wordsOf(sx.start, sx.words, this.wordsX);
    const wy = this.wordsOf(sy.start, sy.words, this.wordsY);
    return TextIndex.reaches(wx, sx.words, wy, sy.words, need, threshold);
  }

  /** Per number of words in two texts (0..2 x MAX_WORDS): the least number in common that brings their
   * Jaccard to `threshold`, by the same division as `jaccard`. Kept for the last threshold asked. */
  private needTable(threshold: number): Int32Array {
    if (this.needs !== null && this.needsThreshold === threshold) return this.needs;
    const table = new Int32Array(2 * MAX_WORDS + 1);
    for (let total = 1; total <= 2 * MAX_WORDS; total++) {
      let need = Math.max(0, Math.floor((threshold * total) / (1 + threshold)) - 1);
      while (need <= total / 2 && need / (total - need) < threshold) need++;
      table[total] = need;
    }
    this.needs = table;
    this.needsThreshold = threshold;
    return table;
  }

  /**
   * The words two texts must share to be similar, or -1 when their summaries alone rule it out (most
   * candidates): an exact test that reads no word list. Counted as a comparison.
   */
  private wordsNeeded(x: TextSummary, y: TextSummary, needs: Int32Array): number {
    this.comparisons++;
    const nx = x.words;
    const ny = y.words;
    const total = nx + ny;
    if (total === 0) return 0;
    const need = needs[total] as number;
    // Each text must hold `need` words, and every bit set for x and not for y stands for at least one
    // word of x that y lacks (and the other way round), which bounds the words in common from above.
    if (nx < need || ny < need) return -1;
    const onlyX = popcount(x.low & ~y.low) + popcount(x.high & ~y.high);
    if (nx - onlyX < need) return -1;
    const onlyY = popcount(y.low & ~x.low) + popcount(y.high & ~x.high);
    return ny - onlyY < need ? -1 : need;
  }

  /** Whether two word lists that may share `need` words reach the threshold: the lists, merged. */
  private static reaches(
    wx: Uint32Array,
    nx: number,
    wy: Uint32Array,
    ny: number,
    need: number,
    threshold: number,
  ): boolean {
    const total = nx + ny;
    if (total === 0) return 1 >= threshold;
    const common = TextIndex.commonWords(wx, nx, wy, ny, need);
    if (common < 0) return false;
    const union = total - common;
    return (union === 0 ? 1 : common / union) >= threshold;
  }

  /**
   * Groups texts whose word-set Jaccard reaches `threshold` (single linkage through verified pairs).
   * Returns the cluster of every text id, numbered 0..count-1 in the order of their first texts. No text
   * may be added after this.
   */
  cluster(threshold: number): { clusterOf: Int32Array; count: number } {
    const n = this.size;
    this.byKey = new KeyIds(16);
    this.olderKeys = new KeyIds(16);
    this.flushWords();
    this.flushTexts();
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
    let ranges = 1;
    while (ranges < MAX_RANGES && ranges * this.rangeTarget < n) ranges *= 2;
    const rangeShift = 32 - Math.log2(ranges);
    const reps: number[] = [];
    const repRoots: number[] = [];
    const repWordBuffers = Array.from({ length: MAX_REPRESENTATIVES }, () => new Uint32Array(MAX_WORDS));
    const needs = this.needTable(threshold);
    // A range at a time is held: its arrays are reused by the next.
    const scratch = new Scratch();
    // The exact band first: copies the table of recent texts missed are joined (verified, Jaccard 1)
    // before any band is walked, so that the clusters are those every copy sharing its first text's id
    // would give.
    const bandOrder = [EXACT_BAND, ...Array.from({ length: BANDS }, (_, b) => b)];
    for (const b of n > 0 ? bandOrder : []) {
      // The band's entries by key range: (summary's word start; key, text, words, word bits), read in text
      // order from the band keys and the summaries, which were written in blocks of the same texts.
      const entries = new ColumnSpill(ranges, 5, 'grouping similar texts', this.workDir);
      try {
        const records = (this.recordFile as SpillFile).blocksOf(0);
        let text = 0;
        for (const block of (this.bandFile as SpillFile).blocksOf(b)) {
          const keys = new Uint32Array(block.buffer, block.byteOffset, block.length / 4);
          const got = records.next();
          if (got.done) throw new Error('the temporary file of similar texts ended early');
          const r = new Uint32Array(got.value.buffer, got.value.byteOffset, got.value.length / 4);
          for (let k = 0; k < keys.length; k++, text++) {
            const key = keys[k] as number;
            const at = k * RECORD;
            const start = (r[at + 3] as number) + (r[at + 4] as number) * 2 ** 32;
            entries.add(
              rangeShift === 32 ? 0 : key >>> rangeShift,
              start,
              key,
              text,
              r[at] as number,
              r[at + 1] as number,
              r[at + 2] as number,
            );
          }
        }
        entries.finish();
        // Ranges in key order, keys in order within a range, texts in order within a key (the sort is
        // stable): buckets are met exactly as one sort of the whole band would give them.
        for (let range = 0; range < ranges; range++) {
          const { n: m, ints, times } = entries.read(range);
          const bandKeys = scratch.uint32('bandKeys', m);
          for (let e = 0; e < m; e++) bandKeys[e] = ints[e * 5] as number;
          const { order, keys } = sortByKey(bandKeys, m, 32, scratch, 'band');
          // Two summaries filled in place: candidates run to tens of millions.
          const self: TextSummary = { words: 0, low: 0, high: 0, start: 0 };
          const other: TextSummary = { words: 0, low: 0, high: 0, start: 0 };
          const fill = (target: TextSummary, e: number): TextSummary => {
            target.words = ints[e * 5 + 2] as number;
            target.low = ints[e * 5 + 3] as number;
            target.high = ints[e * 5 + 4] as number;
            target.start = times[e] as number;
            return target;
          };
          // Word lists are read once per entry and once per representative in a bucket, not once per
          // comparison: an entry may be compared with several representatives, and a representative
          // with much of its bucket.
          let selfWords: Uint32Array | null = null;
          const repWordsRead = new Array<boolean>(MAX_REPRESENTATIVES).fill(false);
          // Roots are found only when needed (a union-find far larger than the cache makes each a trip to
          // main memory): the entry's when a representative's summary does not rule it out or when it may
          // become one, the representatives' when the first of those comes and again after each union.
          // The outcome is that of finding them all first: an entry in a representative's set is passed
          // over, any other is compared with the representatives in turn until one is similar.
          let runKey = -1;
          let rootsValid = false;
          const rootsOfReps = (): void => {
            if (rootsValid) return;
            repRoots.length = 0;
            for (const rep of reps) repRoots.push(find(ints[rep * 5 + 1] as number));
            rootsValid = true;
          };
          for (let i = 0; i < m; i++) {
            const key = keys[i] as number;
            const e = order[i] as number;
            if (key !== runKey) {
              runKey = key;
              reps.length = 0;
              reps.push(e);
              repWordsRead.fill(false);
              rootsValid = false;
              continue;
            }
            const id = ints[e * 5 + 1] as number;
            fill(self, e);
            selfWords = null;
            let root = -1;
            let settled = false;
            for (let k = 0; k < reps.length; k++) {
              const rep = reps[k] as number;
              const need = this.wordsNeeded(self, fill(other, rep), needs);
              if (need < 0) continue;
              if (root === -1) {
                root = find(id);
                rootsOfReps();
                if (repRoots.includes(root)) {
                  settled = true;
                  break;
                }
              }
              selfWords ??= this.wordsOf(self.start, self.words, this.wordsX);
              const repWords = repWordBuffers[k] as Uint32Array;
              if (!repWordsRead[k]) {
                this.wordsOf(other.start, other.words, repWords);
                repWordsRead[k] = true;
              }
              if (TextIndex.reaches(selfWords, self.words, repWords, other.words, need, threshold)) {
                const ra = find(ints[rep * 5 + 1] as number);
                const rb = find(id);
                if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
                settled = true;
                rootsValid = false;
                break;
              }
            }
            // The last entry of a bucket would be no one's representative.
            if (settled || reps.length >= MAX_REPRESENTATIVES || i + 1 === m || keys[i + 1] !== key) continue;
            if (root === -1) {
              root = find(id);
              rootsOfReps();
              if (repRoots.includes(root)) continue;
            }
            reps.push(e);
            repRoots.push(root);
          }
        }
      } finally {
        entries.dispose();
      }
    }
    // Cluster numbers in place of the parents: a set's root is its smallest text, numbered before any
    // other member reads it.
    for (let i = 0; i < n; i++) parent[i] = find(i);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const root = parent[i] as number;
      parent[i] = root === i ? count++ : (parent[root] as number);
    }
    return { clusterOf: parent, count };
  }
}
