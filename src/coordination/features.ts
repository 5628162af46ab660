// What the first pass keeps of a post, reduced to numbers: its account (two hashes and the id string),
// times, and the hashed objects of its actions (the reposted id, normalised links, the hashtag sequence,
// the text's fingerprint). Extracting them is the costly, stateless part of reading (hashing, URL
// normalisation, word splitting, MinHash), so reading threads can do it for the one thread that keeps
// the state (account ids, the text index, the spill files): engine.ts's Collector consumes batches of
// them, whether made by a reading thread or, post by post, by itself.
import { KEY_SEED_HI, KEY_SEED_LO } from './keyids.ts';
import { fingerprintText, MAX_FINGERPRINT } from './minhash.ts';
import { hashString, normaliseUrl, textWords } from './normalize.ts';
import type { AnalysisOptions, Post } from './types.ts';

/** Which actions are extracted, and the thresholds that decide whether a post has one. */
export interface FeatureOptions {
  repost: boolean;
  link: boolean;
  hashtag: boolean;
  text: boolean;
  minHashtags: number;
  minTextWords: number;
}

export function featureOptions(options: AnalysisOptions): FeatureOptions {
  return {
    repost: options.behaviours.includes('co-repost'),
    link: options.behaviours.includes('co-link'),
    hashtag: options.behaviours.includes('co-hashtag'),
    text: options.behaviours.includes('co-text'),
    minHashtags: options.minHashtags,
    minTextWords: options.minTextWords,
  };
}

/** Flags in a post's fifth word; the number of links is stored above them. */
export const HAS_REPOST = 1;
export const HAS_HASHTAGS = 2;
export const HAS_TEXT = 4;
export const LINK_SHIFT = 3;
/** Words before a post's actions: record, position, the account's two hashes, flags. */
export const POST_HEAD = 5;
/** Per post in `floats`: created at, account created at, followers (NaN where unknown). */
export const POST_FLOATS = 3;

/**
 * Posts in the order read. `ints` holds, per post: record, position, the account's two hashes, flags;
 * then the reposted id's two hashes (HAS_REPOST), each distinct normalised link's two hashes, the
 * hashtag sequence's two hashes (HAS_HASHTAGS), the text's fingerprint (HAS_TEXT).
 */
export interface FeatureBatch {
  count: number;
  ints: Uint32Array;
  floats: Float64Array;
  authors: string[];
  names: (string | null)[];
}

/** Builds feature batches post by post. */
export class FeatureWriter {
  private ints = new Uint32Array(1 << 12);
  private floats = new Float64Array(POST_FLOATS * 256);
  private intFill = 0;
  private count = 0;
  private authors: string[] = [];
  private names: (string | null)[] = [];
  private readonly seenLinks = new Set<string>();

  constructor(private readonly options: FeatureOptions) {}

  get posts(): number {
    return this.count;
  }

  private room(ints: number): void {
    if (this.intFill + ints > this.ints.length) {
      const grown = new Uint32Array(Math.max(this.ints.length * 2, this.intFill + ints));
      grown.set(this.ints.subarray(0, this.intFill));
      this.ints = grown;
    }
    if ((this.count + 1) * POST_FLOATS > this.floats.length) {
      const grown = new Float64Array(this.floats.length * 2);
      grown.set(this.floats);
      this.floats = grown;
    }
  }

  private pushKey(key: string): void {
    this.ints[this.intFill++] = hashString(key, KEY_SEED_HI);
    this.ints[this.intFill++] = hashString(key, KEY_SEED_LO);
  }

  add(post: Post, record: number, position: number): void {
    const o = this.options;
    this.room(POST_HEAD + 2 + 2 * post.urls.length + 2 + MAX_FINGERPRINT);
    const head = this.intFill;
    const ints = this.ints;
    ints[head] = record;
    ints[head + 1] = position;
    ints[head + 2] = hashString(post.author, KEY_SEED_HI);
    ints[head + 3] = hashString(post.author, KEY_SEED_LO);
    this.intFill = head + POST_HEAD;
    const f = this.count * POST_FLOATS;
    this.floats[f] = post.createdAt;
    this.floats[f + 1] = post.authorCreatedAt ?? Number.NaN;
    this.floats[f + 2] = post.followers ?? Number.NaN;
    this.authors.push(post.author);
    this.names.push(post.authorName);
    this.count++;

    let flags = 0;
    if (post.repostOf !== null) {
      // A repost's links, hashtags and text are the original's: it is one action, a co-repost.
      if (o.repost) {
        flags |= HAS_REPOST;
        this.pushKey(post.repostOf);
      }
      ints[head + 4] = flags;
      return;
    }
    if (o.link && post.urls.length > 0) {
      const seen = this.seenLinks;
      seen.clear();
      let links = 0;
      for (const raw of post.urls) {
        const url = normaliseUrl(raw);
        if (url === null || seen.has(url)) continue;
        seen.add(url);
        this.pushKey(url);
        links++;
      }
      flags |= links << LINK_SHIFT;
    }
    if (o.hashtag && post.hashtags.length >= o.minHashtags) {
      const distinct = [...new Set(post.hashtags)];
      if (distinct.length >= o.minHashtags) {
        flags |= HAS_HASHTAGS;
        this.pushKey(distinct.join(' '));
      }
    }
    if (o.text && post.text !== '') {
      const words = textWords(post.text);
      if (words.length >= o.minTextWords) {
        flags |= HAS_TEXT;
        this.intFill += fingerprintText(words, this.ints, this.intFill);
      }
    }
    ints[head + 4] = flags;
  }

  /** The posts added since the last `take` or `clear`, as a batch of arrays of its own (to be
   * transferred to another thread); the writer starts afresh. */
  take(): FeatureBatch {
    const batch: FeatureBatch = {
      count: this.count,
      ints: this.ints.slice(0, this.intFill),
      floats: this.floats.slice(0, this.count * POST_FLOATS),
      authors: this.authors,
      names: this.names,
    };
    this.reset();
    return batch;
  }

  /** The posts added since the last `take` or `clear`, without copying: valid until `clear`. */
  view(): FeatureBatch {
    return {
      count: this.count,
      ints: this.ints,
      floats: this.floats,
      authors: this.authors,
      names: this.names,
    };
  }

  /** Forgets the posts added, keeping the arrays (a batch from `view` is then no longer valid). */
  clear(): void {
    this.intFill = 0;
    this.count = 0;
    this.authors.length = 0;
    this.names.length = 0;
  }

  private reset(): void {
    this.intFill = 0;
    this.count = 0;
    this.authors = [];
    this.names = [];
  }
}
