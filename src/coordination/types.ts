// Plain data shapes shared by the coordination engine, its adapters, outputs and CLI.

/** One post in Vigil's normalised format (see docs/coordination.md). Times are epoch seconds, UTC. */
export interface Post {
  id: string;
  platform: string;
  author: string;
  authorName: string | null;
  createdAt: number;
  text: string;
  urls: string[];
  hashtags: string[];
  repostOf: string | null;
  replyTo: string | null;
  lang: string | null;
  authorCreatedAt: number | null;
  followers: number | null;
}

export const BEHAVIOURS = ['co-repost', 'co-link', 'co-hashtag', 'co-text'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export const INPUT_FORMATS = ['auto', 'jsonl', 'csv', 'twitter-v2', 'twitter-ioa', 'telegram'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export interface AnalysisOptions {
  /** Co-action window in seconds, per behaviour. */
  windows: Record<Behaviour, number>;
  behaviours: Behaviour[];
  /** Jaccard similarity (word sets) at or above which two texts are near-identical. */
  textSimilarity: number;
  /** Texts with fewer distinct words than this take no part in co-text or narratives. */
  minTextWords: number;
  /** Hashtag sequences shorter than this are too common to mean anything. */
  minHashtags: number;
  /** A pair needs at least this many co-action moments (all behaviours) to be tested. */
  minCoActions: number;
  /** Family-wise significance level; divided by the number of candidate pairs (Bonferroni). */
  alpha: number;
  /** When more than this many other posts share an object inside one window, that moment is a crowd,
   * not a team: no pairs are emitted for it (it still counts toward the chance expectation). */
  maxWindowCrowd: number;
  /** Louvain resolution. */
  resolution: number;
  /** Communities smaller than this are not flagged. */
  minCommunitySize: number;
  /** Narrative clusters need this many posts (from at least two accounts). */
  minNarrativePosts: number;
  maxNarratives: number;
  format: InputFormat;
  strict: boolean;
  /** Write every tested pair (not only significant ones) to edges.csv. */
  allEdges: boolean;
  seed: number;
}

export const DEFAULT_OPTIONS: AnalysisOptions = {
  windows: { 'co-repost': 60, 'co-link': 60, 'co-hashtag': 60, 'co-text': 60 },
  behaviours: [...BEHAVIOURS],
  textSimilarity: 0.8,
  minTextWords: 5,
  minHashtags: 2,
  minCoActions: 3,
  alpha: 0.01,
  maxWindowCrowd: 100,
  resolution: 1,
  minCommunitySize: 3,
  minNarrativePosts: 3,
  maxNarratives: 1000,
  format: 'auto',
  strict: false,
  allEdges: false,
  seed: 42,
};

export interface MalformedLine {
  file: string;
  /** 1-based line number in the (decompressed) file; for whole JSON documents, the line the item starts on. */
  line: number;
  reason: string;
}

export interface ReadStats {
  files: string[];
  posts: number;
  malformed: number;
  /** The first malformed lines (bounded), with their line numbers. */
  malformedSamples: MalformedLine[];
  /** Records that are valid but not posts (Telegram service messages, etc.). */
  skipped: number;
  formats: Record<string, string>;
}

export type ProgressPhase = 'read' | 'analyse' | 'details' | 'write';
export type ProgressCallback = (phase: ProgressPhase, done: number, total: number) => void;
