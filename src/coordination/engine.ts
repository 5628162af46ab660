// The coordination analysis: one streaming pass that turns posts into compact co-action events, the
// sliding-window sweeps, significance against chance, communities, narratives, and a second streaming
// pass that fetches the few texts, links and posts needed to describe what was found.
import { detectCommunities, type WeightedEdge } from './communities.ts';
import {
  type FeatureBatch,
  type FeatureOptions,
  FeatureWriter,
  featureOptions,
  HAS_HASHTAGS,
  HAS_REPOST,
  HAS_TEXT,
  LINK_SHIFT,
  POST_FLOATS,
  POST_HEAD,
} from './features.ts';
import { StringIds } from './keyids.ts';
import { FINGERPRINT_HEAD, TextIndex } from './minhash.ts';
import { mix32, normaliseUrl } from './normalize.ts';
import {
  groupPartition,
  MAX_OBJECTS_PER_BEHAVIOUR,
  type OrderedLog,
  orderLog,
  type SweepStats,
  sweepBehaviour,
} from './pairs.ts';
import { CountedPairs, countPartition, PairEventSpill } from './pairspill.ts';
import { Scratch } from './scratch.ts';
import { ColumnSpill, type SpilledRows } from './spill.ts';
import { surprise } from './stats.ts';
import {
  type AnalysisOptions,
  BEHAVIOURS,
  type Behaviour,
  DEFAULT_OPTIONS,
  type Post,
  type ProgressCallback,
  type ReadStats,
} from './types.ts';

/** Something that can stream its posts, twice (the second pass fetches details). */
export interface PostSource {
  /** Streams every post to `onPost` with its record number (0.. across the source) and position in the
   * record. Records for which `selectRecord` returns false may be passed over without parsing. */
  scan(
    onPost: (post: Post, record: number, position: number) => void,
    onProgress?: (done: number, total: number) => void,
    selectRecord?: (record: number) => boolean,
    features?: FeatureSink,
  ): Promise<ReadStats>;
}

/** Where a source that reads in parallel (files of JSON Lines) may deliver posts as feature batches
 * instead of through `onPost`: in reading order, interleaved with `onPost` calls only between them. */
export interface FeatureSink {
  options: FeatureOptions;
  onBatch(batch: FeatureBatch, recordBase: number): void;
}

export interface EdgeResult {
  a: number;
  b: number;
  /** Per behaviour: distinct co-action episodes, and what chance gives. */
  observed: Record<Behaviour, number>;
  expected: Record<Behaviour, number>;
  /** Co-action moments (episodes that start at the same time are one), and what chance gives. */
  observedTotal: number;
  expectedTotal: number;
  /** -log10 of the Poisson probability of seeing at least `observedTotal` moments by chance. */
  score: number;
  significant: boolean;
  behaviours: Behaviour[];
}

export interface AccountResult {
  index: number;
  author: string;
  authorName: string | null;
  posts: number;
  authorCreatedAt: number | null;
  followers: number | null;
  community: number | null;
  score: number;
  flagged: boolean;
  partners: number;
  reasons: string;
  behaviours: Behaviour[];
}

export interface PostRef {
  id: string;
  author: string;
  createdAt: number;
  text: string;
}

export interface CountedValue {
  value: string;
  count: number;
}

export interface ActivitySeries {
  bin: 'hour' | 'day';
  start: number;
  counts: number[];
}

export interface CommunityResult {
  id: number;
  size: number;
  accounts: { author: string; authorName: string | null; score: number }[];
  behaviours: Record<Behaviour, { edges: number; observed: number; expected: number }>;
  edges: number;
  density: number;
  posts: number;
  topTexts: CountedValue[];
  topLinks: CountedValue[];
  topHashtags: CountedValue[];
  activity: ActivitySeries;
  accountCreation: {
    known: number;
    earliest: number | null;
    latest: number | null;
    byMonth: Record<string, number>;
  };
  exemplars: PostRef[];
}

export interface NarrativeResult {
  id: number;
  text: string;
  posts: number;
  accounts: number;
  firstPost: PostRef | null;
  firstAt: number;
  lastAt: number;
  spread: ActivitySeries;
  flaggedPosts: number;
  communities: { community: number; posts: number }[];
}

export interface AnalysisResult {
  options: AnalysisOptions;
  read: ReadStats;
  accounts: AccountResult[];
  edges: EdgeResult[];
  communities: CommunityResult[];
  narratives: NarrativeResult[];
  stats: {
    posts: number;
    accounts: number;
    actions: Record<Behaviour, number>;
    objects: Record<Behaviour, number>;
    distinctTexts: number;
    textComparisons: number;
    /** Word lists read back from disk to verify similar-text candidates. Optional: results saved by
     * earlier versions lack it. */
    textWordReads?: number;
    /** Distinct account pairs that co-acted at least once (the Bonferroni divisor). */
    candidatePairs: number;
    /** Whether `candidatePairs` is an exact count. Always true since pairs are counted by partition; kept
     * because results saved by earlier versions (an estimate beyond a million pairs) carry it. */
    candidatePairsExact: boolean;
    /** Pairs whose co-actions were counted into episodes: those with at least `minCoActions` of them. */
    storedPairs: number;
    testedPairs: number;
    significantPairs: number;
    scoreThreshold: number;
    pairWork: number;
    crowdedActions: number;
    narrativeClusters: number;
    timeSpan: { start: number | null; end: number | null };
    seconds: Record<string, number>;
  };
}

const BEHAVIOUR_INDEX: Record<Behaviour, number> = {
  'co-repost': 0,
  'co-link': 1,
  'co-hashtag': 2,
  'co-text': 3,
};
const MAX_SCORE = 300;

function zeroByBehaviour(): Record<Behaviour, number> {
  return { 'co-repost': 0, 'co-link': 0, 'co-hashtag': 0, 'co-text': 0 };
}

export function resolveOptions(partial: Partial<AnalysisOptions> = {}): AnalysisOptions {
  return {
    ...DEFAULT_OPTIONS,
    ...partial,
    windows: { ...DEFAULT_OPTIONS.windows, ...(partial.windows ?? {}) },
    behaviours: partial.behaviours ?? [...DEFAULT_OPTIONS.behaviours],
  };
}

interface NarrativeDraft {
  cluster: number;
  posts: number;
  accounts: number;
  flaggedPosts: number;
  flaggedAccounts: number;
  /** `record:position` of its first post. */
  firstKey: string;
  firstAt: number;
  lastAt: number;
  spread: ActivitySeries;
  byCommunity: Map<number, number>;
}

/** A partition of a behaviour's actions as spilled, grouped by object and ordered for the sweeps. */
type OrderedPartition = OrderedLog & { rows: SpilledRows; objectKey: Uint32Array };

const OBJECT_BEHAVIOURS: readonly ObjectBehaviour[] = ['co-repost', 'co-link', 'co-hashtag'];

/** Partitions of each behaviour's actions on disk: at five million posts about 20,000 actions each. */
const ACTION_PARTITIONS = 128;
const PARTITION_SHIFT = 32 - Math.log2(ACTION_PARTITIONS);
/** Repost, link and hashtag actions: object key (two hashes), account; text actions add record, position. */
const ACTION_WIDTH = 3;
const TEXT_ACTION_WIDTH = 5;

type ObjectBehaviour = Exclude<Behaviour, 'co-text'>;

/** The temporary files of one analysis, closed together however it ends. */
class Temporaries {
  private readonly open: { dispose(): void }[] = [];
  constructor(readonly workDir: string | undefined) {}

  spill(partitions: number, width: number, what: string): ColumnSpill {
    const spill = new ColumnSpill(partitions, width, what, this.workDir);
    this.open.push(spill);
    return spill;
  }

  /** Closes every file, even when closing one fails; the first failure is thrown after. */
  dispose(): void {
    let failure: unknown = null;
    for (const item of this.open.splice(0)) {
      try {
        item.dispose();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== null) throw failure;
  }
}

/**
 * Pass-1 state. In memory: what grows with accounts (and the text index's table of recent texts, of
 * bounded size). On disk:
 * every action, partitioned by a hash of its object (repost, link, hashtag) or in reading order (texts,
 * whose objects, near-duplicate clusters, are known only once all texts are read), and every post's
 * record and account, for the second pass.
 */
class Collector {
  readonly accounts = new StringIds();
  readonly authorNames: (string | null)[] = [];
  readonly authorCreated: (number | null)[] = [];
  readonly followers: (number | null)[] = [];
  readonly postCounts: number[] = [];
  readonly actions: Record<ObjectBehaviour, ColumnSpill>;
  /** Text actions in reading order: exact-duplicate text id, account, record, position (and time). */
  readonly textActions: ColumnSpill;
  /** Every post's record and account, in reading order (and its time). */
  readonly postIndex: ColumnSpill;
  readonly texts: TextIndex;
  seq = 0;
  minTime = Number.POSITIVE_INFINITY;
  maxTime = Number.NEGATIVE_INFINITY;
  readonly features: FeatureOptions;
  private readonly writer: FeatureWriter;

  constructor(options: AnalysisOptions, temporaries: Temporaries) {
    this.features = featureOptions(options);
    this.writer = new FeatureWriter(this.features);
    const spill = (beh: Behaviour): ColumnSpill =>
      temporaries.spill(
        options.behaviours.includes(beh) ? ACTION_PARTITIONS : 1,
        ACTION_WIDTH,
        `${beh} actions`,
      );
    this.actions = {
      'co-repost': spill('co-repost'),
      'co-link': spill('co-link'),
      'co-hashtag': spill('co-hashtag'),
    };
    this.textActions = temporaries.spill(1, 4, 'text actions');
    this.postIndex = temporaries.spill(1, 2, 'the index of posts');
    this.texts = new TextIndex(temporaries.workDir);
  }

  /** Adds one post (sources that deliver whole posts): its features, extracted here. */
  add(post: Post, record: number, position: number): void {
    this.writer.add(post, record, position);
    this.addFeatures(this.writer.view(), 0);
    this.writer.clear();
  }

  /** Adds a batch of posts' features (features.ts), in reading order; `recordBase` is added to their
   * record numbers. */
  addFeatures(batch: FeatureBatch, recordBase: number): void {
    const { ints, floats, authors, names } = batch;
    const texts = this.texts;
    let at = 0;
    for (let i = 0; i < batch.count; i++) {
      this.seq++;
      const record = recordBase + (ints[at] as number);
      const position = ints[at + 1] as number;
      const acc = this.accounts.idOfHashed(
        authors[i] as string,
        ints[at + 2] as number,
        ints[at + 3] as number,
      );
      const flags = ints[at + 4] as number;
      at += POST_HEAD;
      const t = floats[i * POST_FLOATS] as number;
      const createdRaw = floats[i * POST_FLOATS + 1] as number;
      const followersRaw = floats[i * POST_FLOATS + 2] as number;
      const name = names[i] as string | null;
      const created = Number.isNaN(createdRaw) ? null : createdRaw;
      const followers = Number.isNaN(followersRaw) ? null : followersRaw;
      this.postIndex.add(0, t, record, acc);
      if (acc === this.postCounts.length) {
        this.authorNames.push(name);
        this.authorCreated.push(created);
        this.followers.push(followers);
        this.postCounts.push(0);
      } else {
        // Only a changed value is stored: storing each post's fresh copy of the same name puts a young
        // string into an old array at every post, which the garbage collector must then keep and move.
        if (name !== null && name !== this.authorNames[acc]) this.authorNames[acc] = name;
        if (created !== null && created !== this.authorCreated[acc]) this.authorCreated[acc] = created;
        if (followers !== null && followers !== this.followers[acc]) this.followers[acc] = followers;
      }
      this.postCounts[acc] = (this.postCounts[acc] as number) + 1;
      if (t < this.minTime) this.minTime = t;
      if (t > this.maxTime) this.maxTime = t;

      if ((flags & HAS_REPOST) !== 0) {
        at = this.addAction('co-repost', ints, at, acc, t);
        continue;
      }
      for (let links = flags >>> LINK_SHIFT; links > 0; links--)
        at = this.addAction('co-link', ints, at, acc, t);
      if ((flags & HAS_HASHTAGS) !== 0) at = this.addAction('co-hashtag', ints, at, acc, t);
      if ((flags & HAS_TEXT) !== 0) {
        this.textActions.add(0, t, texts.addFingerprint(ints, at), acc, record, position);
        at += FINGERPRINT_HEAD + (ints[at] as number);
      }
    }
  }

  /** Spills the action whose object's two hashes are at `at` of `ints`; returns where the next starts. */
  private addAction(
    beh: ObjectBehaviour,
    ints: Uint32Array,
    at: number,
    account: number,
    time: number,
  ): number {
    const hi = ints[at] as number;
    this.actions[beh].add(hi >>> PARTITION_SHIFT, time, hi, ints[at + 1] as number, account);
    return at + 2;
  }
}

/** Moves text actions to partitions by near-duplicate cluster: rows (cluster, 0, account, record,
 * position), in reading order within each partition. */
function partitionTexts(from: ColumnSpill, clusterOf: Int32Array, to: ColumnSpill): void {
  for (const { n, ints, times } of from.blocksOf(0)) {
    for (let e = 0; e < n; e++) {
      const cluster = clusterOf[ints[e * 4] as number] as number;
      to.add(
        mix32(cluster) >>> PARTITION_SHIFT,
        times[e] as number,
        cluster,
        0,
        ints[e * 4 + 1] as number,
        ints[e * 4 + 2] as number,
        ints[e * 4 + 3] as number,
      );
    }
  }
  to.finish();
}

/** Reads the post index alongside the records of the second pass: whether record `r` holds a post by an
 * account `wanted` accepts. Records must be asked in non-decreasing order (a reader may ask twice). */
export function recordSelector(
  index: ColumnSpill,
  wanted: (account: number) => boolean,
): (r: number) => boolean {
  const blocks = index.blocksOf(0);
  let rows: SpilledRows | null = null;
  let at = 0;
  const next = (): boolean => {
    while (rows === null || at >= rows.n) {
      const got = blocks.next();
      if (got.done) return false;
      rows = got.value;
      at = 0;
    }
    return true;
  };
  let lastAsked = -1;
  let lastAnswer = false;
  return (r) => {
    if (r === lastAsked) return lastAnswer;
    let selected = false;
    while (next()) {
      const current = rows as unknown as SpilledRows;
      const record = current.ints[at * 2] as number;
      if (record > r) break;
      if (record === r && wanted(current.ints[at * 2 + 1] as number)) selected = true;
      at++;
    }
    lastAsked = r;
    lastAnswer = selected;
    return selected;
  };
}

/**
 * Runs the analysis. `workDir` is where its temporary files (actions, text band keys, pair co-actions, the
 * index of posts) go (default: the system's temporary directory); they are removed before this returns
 * or throws.
 */
export async function analyze(
  source: PostSource,
  partialOptions: Partial<AnalysisOptions> = {},
  onProgress?: ProgressCallback,
  workDir?: string,
): Promise<AnalysisResult> {
  const temporaries = new Temporaries(workDir);
  try {
    return await runAnalysis(source, resolveOptions(partialOptions), temporaries, onProgress);
  } finally {
    temporaries.dispose();
  }
}

async function runAnalysis(
  source: PostSource,
  options: AnalysisOptions,
  temporaries: Temporaries,
  onProgress?: ProgressCallback,
): Promise<AnalysisResult> {
  const seconds: Record<string, number> = {};
  let clock = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    seconds[name] = Math.round(now - clock) / 1000;
    clock = now;
  };

  // ---- Pass 1: stream posts into actions on disk.
  const collector = new Collector(options, temporaries);
  let read: ReadStats;
  let clusters: { clusterOf: Int32Array; count: number };
  try {
    read = await source.scan(
      (post, record, position) => collector.add(post, record, position),
      (done, total) => onProgress?.('read', done, total),
      undefined,
      {
        options: collector.features,
        onBatch: (batch, recordBase) => collector.addFeatures(batch, recordBase),
      },
    );
    for (const beh of OBJECT_BEHAVIOURS) collector.actions[beh].finish();
    collector.textActions.finish();
    collector.postIndex.finish();
    lap('read');
    clusters = collector.texts.cluster(options.textSimilarity);
  } finally {
    collector.texts.close();
  }

  const accountCount = collector.accounts.size;
  const accountIds = collector.accounts.strings;
  const steps = options.behaviours.length + 3;
  let step = 0;
  const tick = (): void => onProgress?.('analyse', ++step, steps);

  // ---- Near-duplicate text clusters (narratives, clustered above) are the objects of co-text actions.
  const { clusterOf } = clusters;
  const actionSpills: Record<Behaviour, ColumnSpill> = {
    ...collector.actions,
    'co-text': temporaries.spill(
      options.behaviours.includes('co-text') ? ACTION_PARTITIONS : 1,
      TEXT_ACTION_WIDTH,
      'co-text actions',
    ),
  };
  partitionTexts(collector.textActions, clusterOf, actionSpills['co-text']);
  collector.textActions.dispose();
  lap('text clusters');
  tick();

  // ---- Sliding-window sweeps, one partition of a behaviour's actions at a time. Objects get global ids
  // in the order they are met: behaviour by behaviour, partition by partition.
  const crowd: Record<Behaviour, Float64Array> = {
    'co-repost': new Float64Array(accountCount),
    'co-link': new Float64Array(accountCount),
    'co-hashtag': new Float64Array(accountCount),
    'co-text': new Float64Array(accountCount),
  };
  const actions: Record<Behaviour, Float64Array> = {
    'co-repost': new Float64Array(accountCount),
    'co-link': new Float64Array(accountCount),
    'co-hashtag': new Float64Array(accountCount),
    'co-text': new Float64Array(accountCount),
  };
  const totals = zeroByBehaviour();
  const objectCounts = zeroByBehaviour();
  let pairWork = 0;
  let crowdedActions = 0;
  // One partition at a time is held: its arrays are reused by the next (scratch.ts).
  const scratch = new Scratch();
  const orderedPartition = (beh: Behaviour, p: number): OrderedPartition => {
    const spill = actionSpills[beh];
    const rows = spill.read(p);
    const { columns, objectCount, objectKey } = groupPartition(rows, spill.width, scratch);
    return { rows, objectKey, ...orderLog(columns, objectCount, scratch) };
  };
  // One sweep: crowds and actions per account (both only where pairs are counted: windows too crowded
  // for pairs count for neither side of the test), objects, and every pair co-action to a spill file,
  // then counted one partition of account pairs at a time (pairspill.ts): about 4 pairs in 5 co-act once.
  // The spill's partitions are sized for four co-actions an action (the benchmark's data has about that).
  const chanceTotals = zeroByBehaviour();
  const windows = Float64Array.from(BEHAVIOURS, (beh) => options.windows[beh]);
  const counted = new CountedPairs(BEHAVIOURS.length);
  let candidatePairs = 0;
  const swept = BEHAVIOURS.filter((beh) => options.behaviours.includes(beh));
  const spill = new PairEventSpill(
    4 * swept.reduce((sum, beh) => sum + actionSpills[beh].total, 0),
    temporaries.workDir,
  );
  try {
    for (const beh of swept) {
      const actionSpill = actionSpills[beh];
      totals[beh] = actionSpill.total;
      const behaviourBits = BEHAVIOUR_INDEX[beh] * MAX_OBJECTS_PER_BEHAVIOUR;
      for (let p = 0; p < actionSpill.partitions; p++) {
        const ordered = orderedPartition(beh, p);
        if (objectCounts[beh] + ordered.objectCount > MAX_OBJECTS_PER_BEHAVIOUR) {
          throw new Error(`more than ${MAX_OBJECTS_PER_BEHAVIOUR} distinct objects for ${beh}`);
        }
        const s: SweepStats = sweepBehaviour(
          ordered,
          behaviourBits + objectCounts[beh],
          options.windows[beh],
          options.maxWindowCrowd,
          { crowd: crowd[beh], actions: actions[beh], spill },
        );
        objectCounts[beh] += ordered.objectCount;
        pairWork += s.pairWork;
        crowdedActions += s.crowdedActions;
        chanceTotals[beh] += s.actions - s.crowdedActions;
      }
      // Text actions are read again for the narratives; the others are done with.
      if (beh !== 'co-text') actionSpill.dispose();
      tick();
    }
    spill.finish();
    for (let p = 0; p < spill.partitions; p++) {
      candidatePairs += countPartition(
        spill.read(p),
        windows,
        Math.max(1, options.minCoActions),
        counted,
        scratch,
      );
    }
  } finally {
    spill.dispose();
  }
  lap('sweeps');

  // ---- Significance: observed co-action moments against what chance gives this pair.
  // Chance: each of i's actions shares its window with `crowd` other actions on the same object (in the
  // windows where pairs are counted at all); if accounts filled those slots in proportion to their
  // activity, j would fill crowd_i x n_j / N of them. Viral moments (large crowds), very active accounts
  // (large n) and popular objects all raise it.
  // A moment can hold co-actions of several behaviours (one post's link, hashtags and text): the pair's
  // count in all is its moments, and the chance of a moment is the sum of the behaviours' chances divided
  // by how many co-actions the pair's moments hold on average, so that a bundle counts once on both sides.
  // Every pair that co-acted at least once is a hypothesis, tested or not: the Bonferroni divisor.
  const threshold = -Math.log10(options.alpha / Math.max(1, candidatePairs));
  const edges: EdgeResult[] = [];
  let testedPairs = 0;
  const k = BEHAVIOURS.length;
  for (let s = 0; s < counted.length; s++) {
    const observedTotal = counted.moments[s] as number;
    if (observedTotal < options.minCoActions) continue;
    testedPairs++;
    const i = counted.a[s] as number;
    const j = counted.b[s] as number;
    const observed = zeroByBehaviour();
    const expected = zeroByBehaviour();
    let expectedSum = 0;
    let observedSum = 0;
    for (const beh of BEHAVIOURS) {
      const o = counted.counts[s * k + BEHAVIOUR_INDEX[beh]] as number;
      observed[beh] = o;
      observedSum += o;
      const n = chanceTotals[beh];
      if (n === 0) continue;
      // Leave the pair's own co-actions out of the crowds it is judged against.
      const ci = Math.max(0, (crowd[beh][i] as number) - o);
      const cj = Math.max(0, (crowd[beh][j] as number) - o);
      const e = (ci * (actions[beh][j] as number) + cj * (actions[beh][i] as number)) / (2 * n);
      expected[beh] = e;
      expectedSum += e;
    }
    const expectedTotal = (expectedSum * observedTotal) / Math.max(observedTotal, observedSum);
    const score = Math.min(MAX_SCORE, surprise(observedTotal, Math.max(expectedTotal, 1e-9)));
    const significant = score >= threshold;
    if (!significant && !options.allEdges) continue;
    const behaviours = BEHAVIOURS.filter((b) => observed[b] >= 2 && observed[b] >= 0.2 * observedTotal);
    edges.push({
      a: i,
      b: j,
      observed,
      expected,
      observedTotal,
      expectedTotal,
      score,
      significant,
      behaviours,
    });
  }
  edges.sort((x, y) => y.score - x.score || x.a - y.a || x.b - y.b);
  const significantEdges = edges.filter((e) => e.significant);
  lap('significance');
  tick();

  // ---- Communities.
  const weighted: WeightedEdge[] = significantEdges.map((e) => ({ a: e.a, b: e.b, weight: e.observedTotal }));
  const rawCommunity = detectCommunities(weighted, options.resolution, options.seed);
  const communitySize = new Map<number, number>();
  for (const c of rawCommunity.values()) communitySize.set(c, (communitySize.get(c) ?? 0) + 1);
  // Renumber the communities that are big enough to flag: 1.. by size.
  const kept = [...communitySize.entries()]
    .filter(([, size]) => size >= options.minCommunitySize)
    .sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  const renumber = new Map<number, number>(kept.map(([c], idx) => [c, idx + 1]));
  const communityOf = new Int32Array(accountCount).fill(0);
  for (const [acc, c] of rawCommunity) communityOf[acc] = renumber.get(c) ?? 0;
  lap('communities');
  tick();

  // ---- Accounts.
  const best = new Float64Array(accountCount);
  const partners = new Int32Array(accountCount);
  const reasonCounts: { partners: number; observed: number; expected: number }[][] = [];
  for (const e of significantEdges) {
    for (const acc of [e.a, e.b]) {
      if (e.score > (best[acc] as number)) best[acc] = e.score;
      partners[acc] = (partners[acc] as number) + 1;
      let r = reasonCounts[acc];
      if (!r) {
        r = BEHAVIOURS.map(() => ({ partners: 0, observed: 0, expected: 0 }));
        reasonCounts[acc] = r;
      }
      for (const beh of e.behaviours) {
        const slot = r[BEHAVIOUR_INDEX[beh]];
        if (!slot) continue;
        slot.partners++;
        slot.observed += e.observed[beh];
        slot.expected += e.expected[beh];
      }
    }
  }
  const accounts: AccountResult[] = accountIds.map((author, index) => {
    const community = communityOf[index] as number;
    const r = reasonCounts[index];
    const behaviours = r ? BEHAVIOURS.filter((_, x) => (r[x]?.partners ?? 0) > 0) : [];
    const reasons = r
      ? behaviours
          .map((beh) => {
            const slot = r[BEHAVIOUR_INDEX[beh]];
            if (!slot) return '';
            return `${beh} with ${slot.partners} account(s): ${slot.observed} co-actions vs ${fmt(slot.expected)} expected`;
          })
          .join('; ')
      : '';
    return {
      index,
      author,
      authorName: collector.authorNames[index] ?? null,
      posts: collector.postCounts[index] ?? 0,
      authorCreatedAt: collector.authorCreated[index] ?? null,
      followers: collector.followers[index] ?? null,
      community: community === 0 ? null : community,
      score: round(best[index] as number),
      flagged: community !== 0,
      partners: partners[index] as number,
      reasons,
      behaviours,
    };
  });

  // ---- Narratives: clusters of near-identical texts across the whole set, read again from the co-text
  // partitions; only the best `maxNarratives` drafts are kept as they come.
  const minTime = Number.isFinite(collector.minTime) ? collector.minTime : 0;
  const maxTime = Number.isFinite(collector.maxTime) ? collector.maxTime : 0;
  const lastSeenCluster = new Int32Array(accountCount).fill(-1);
  let drafts: NarrativeDraft[] = [];
  let narrativeClusters = 0;
  const byRank = (x: NarrativeDraft, y: NarrativeDraft): number =>
    y.flaggedAccounts - x.flaggedAccounts || y.posts - x.posts || x.cluster - y.cluster;
  const textSpill = actionSpills['co-text'];
  for (let p = 0; p < textSpill.partitions && options.behaviours.includes('co-text'); p++) {
    const { rows, objectKey, order, start, objectCount, time, account } = orderedPartition('co-text', p);
    for (let o = 0; o < objectCount; o++) {
      const s = start[o] as number;
      const e = start[o + 1] as number;
      if (e - s < options.minNarrativePosts) continue;
      const cluster = objectKey[o] as number;
      let distinct = 0;
      let flaggedPosts = 0;
      let flaggedAccounts = 0;
      for (let k = s; k < e; k++) {
        const acc = account[k] as number;
        const flagged = (communityOf[acc] as number) !== 0;
        if (flagged) flaggedPosts++;
        if (lastSeenCluster[acc] !== cluster) {
          lastSeenCluster[acc] = cluster;
          distinct++;
          if (flagged) flaggedAccounts++;
        }
      }
      if (distinct < 2) continue;
      narrativeClusters++;
      const firstAt = time[s] as number;
      const lastAt = time[e - 1] as number;
      const spreadBin: 'hour' | 'day' = lastAt - firstAt <= 3 * 86400 ? 'hour' : 'day';
      const width = spreadBin === 'hour' ? 3600 : 86400;
      const spreadStart = Math.floor(firstAt / width) * width;
      const counts: number[] = [];
      const byCommunity = new Map<number, number>();
      for (let k = s; k < e; k++) {
        const bin = Math.floor(((time[k] as number) - spreadStart) / width);
        counts[bin] = (counts[bin] ?? 0) + 1;
        const c = communityOf[account[k] as number] as number;
        if (c !== 0) byCommunity.set(c, (byCommunity.get(c) ?? 0) + 1);
      }
      const first = (order[s] as number) * TEXT_ACTION_WIDTH;
      drafts.push({
        cluster,
        posts: e - s,
        accounts: distinct,
        flaggedPosts,
        flaggedAccounts,
        firstKey: `${rows.ints[first + 3]}:${rows.ints[first + 4]}`,
        firstAt,
        lastAt,
        spread: { bin: spreadBin, start: spreadStart, counts: dense(counts, counts.length) },
        byCommunity,
      });
      if (drafts.length >= 4 * options.maxNarratives + 1024) {
        drafts = drafts.sort(byRank).slice(0, options.maxNarratives);
      }
    }
  }
  textSpill.dispose();
  const narrativeDrafts = drafts.sort(byRank).slice(0, options.maxNarratives);
  drafts = [];
  lap('narratives');
  tick();

  // ---- Pass 2: fetch the texts, links and posts that describe communities and narratives: records with
  // a post by a flagged account, found by reading the index of posts alongside, and the narratives'
  // first posts, found again by (record, position in record).
  const wanted = new Map<string, PostRef | null>();
  const wantedRecords = new Set<number>();
  for (const d of narrativeDrafts) {
    wanted.set(d.firstKey, null);
    wantedRecords.add(Number(d.firstKey.slice(0, d.firstKey.indexOf(':'))));
  }
  const selectAccount = recordSelector(collector.postIndex, (acc) => (communityOf[acc] as number) !== 0);
  const selectRecord = (record: number): boolean => selectAccount(record) || wantedRecords.has(record);
  const activityBin: 'hour' | 'day' = maxTime - minTime <= 3 * 86400 ? 'hour' : 'day';
  const binSeconds = activityBin === 'hour' ? 3600 : 86400;
  const binStart = Math.floor(minTime / binSeconds) * binSeconds;
  const binCount = Math.max(1, Math.floor((maxTime - binStart) / binSeconds) + 1);
  interface CommunityDraft {
    posts: number;
    texts: Map<string, { count: number; first: PostRef }>;
    links: Map<string, number>;
    hashtags: Map<string, number>;
    activity: number[];
  }
  const communityDrafts = new Map<number, CommunityDraft>();
  for (const [, idx] of renumber) {
    communityDrafts.set(idx, {
      posts: 0,
      texts: new Map(),
      links: new Map(),
      hashtags: new Map(),
      activity: [],
    });
  }
  const MAX_DISTINCT = 20000;
  if (wanted.size > 0 || communityDrafts.size > 0) {
    await source.scan(
      (post, record, position) => {
        const key = `${record}:${position}`;
        if (wanted.has(key)) {
          wanted.set(key, { id: post.id, author: post.author, createdAt: post.createdAt, text: post.text });
        }
        const acc = collector.accounts.get(post.author);
        if (acc === undefined) return;
        const c = communityOf[acc] as number;
        if (c === 0) return;
        const draft = communityDrafts.get(c);
        if (!draft) return;
        draft.posts++;
        const bin = Math.floor((post.createdAt - binStart) / binSeconds);
        draft.activity[bin] = (draft.activity[bin] ?? 0) + 1;
        const text = post.text.trim();
        if (text !== '' && post.repostOf === null) {
          const entry = draft.texts.get(text);
          if (entry) entry.count++;
          else if (draft.texts.size < MAX_DISTINCT) {
            draft.texts.set(text, {
              count: 1,
              first: { id: post.id, author: post.author, createdAt: post.createdAt, text },
            });
          }
        }
        for (const raw of post.urls) {
          const url = normaliseUrl(raw);
          if (url !== null) bump(draft.links, url, MAX_DISTINCT);
        }
        for (const tag of post.hashtags) bump(draft.hashtags, tag, MAX_DISTINCT);
      },
      (done, total) => onProgress?.('details', done, total),
      selectRecord,
    );
  }
  lap('details');

  // ---- Summaries.
  const communityMembers = new Map<number, number[]>();
  for (let acc = 0; acc < accountCount; acc++) {
    const c = communityOf[acc] as number;
    if (c === 0) continue;
    let list = communityMembers.get(c);
    if (!list) {
      list = [];
      communityMembers.set(c, list);
    }
    list.push(acc);
  }
  const communityEdges = new Map<number, EdgeResult[]>();
  for (const e of significantEdges) {
    const c = communityOf[e.a] as number;
    if (c === 0 || c !== communityOf[e.b]) continue;
    let list = communityEdges.get(c);
    if (!list) {
      list = [];
      communityEdges.set(c, list);
    }
    list.push(e);
  }
  const communities: CommunityResult[] = [...communityMembers.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([id, members]) => {
      const draft = communityDrafts.get(id);
      const inner = communityEdges.get(id) ?? [];
      const behaviours = {} as CommunityResult['behaviours'];
      for (const beh of BEHAVIOURS) {
        const withBeh = inner.filter((e) => e.behaviours.includes(beh));
        behaviours[beh] = {
          edges: withBeh.length,
          observed: withBeh.reduce((sum, e) => sum + e.observed[beh], 0),
          expected: round(withBeh.reduce((sum, e) => sum + e.expected[beh], 0)),
        };
      }
      const created = members
        .map((acc) => collector.authorCreated[acc])
        .filter((t): t is number => typeof t === 'number');
      const byMonth: Record<string, number> = {};
      for (const t of created) {
        const month = new Date(t * 1000).toISOString().slice(0, 7);
        byMonth[month] = (byMonth[month] ?? 0) + 1;
      }
      const texts = [...(draft?.texts.values() ?? [])].sort(
        (x, y) => y.count - x.count || x.first.createdAt - y.first.createdAt,
      );
      const size = members.length;
      return {
        id,
        size,
        accounts: members
          .map((acc) => ({
            author: accountIds[acc] as string,
            authorName: collector.authorNames[acc] ?? null,
            score: round(best[acc] as number),
          }))
          .sort((x, y) => y.score - x.score || (x.author < y.author ? -1 : 1)),
        behaviours,
        edges: inner.length,
        density: size > 1 ? round((2 * inner.length) / (size * (size - 1))) : 0,
        posts: draft?.posts ?? 0,
        topTexts: texts.slice(0, 10).map((t) => ({ value: t.first.text, count: t.count })),
        topLinks: top(draft?.links, 10),
        topHashtags: top(draft?.hashtags, 10),
        activity: { bin: activityBin, start: binStart, counts: dense(draft?.activity ?? [], binCount) },
        accountCreation: {
          known: created.length,
          earliest: created.length ? Math.min(...created) : null,
          latest: created.length ? Math.max(...created) : null,
          byMonth,
        },
        exemplars: texts.slice(0, 5).map((t) => t.first),
      };
    });

  const narratives: NarrativeResult[] = narrativeDrafts.map((d, idx) => {
    const firstPost = wanted.get(d.firstKey) ?? null;
    return {
      id: idx + 1,
      text: firstPost?.text ?? '',
      posts: d.posts,
      accounts: d.accounts,
      firstPost,
      firstAt: d.firstAt,
      lastAt: d.lastAt,
      spread: d.spread,
      flaggedPosts: d.flaggedPosts,
      communities: [...d.byCommunity.entries()]
        .map(([community, posts]) => ({ community, posts }))
        .sort((x, y) => y.posts - x.posts || x.community - y.community),
    };
  });
  lap('summaries');

  return {
    options,
    read,
    accounts,
    edges,
    communities,
    narratives,
    stats: {
      posts: collector.seq,
      accounts: accountCount,
      actions: totals,
      objects: objectCounts,
      distinctTexts: collector.texts.size,
      textComparisons: collector.texts.comparisons,
      textWordReads: collector.texts.wordReads,
      candidatePairs,
      candidatePairsExact: true,
      storedPairs: counted.length,
      testedPairs,
      significantPairs: significantEdges.length,
      scoreThreshold: round(threshold),
      pairWork,
      crowdedActions,
      narrativeClusters,
      timeSpan: { start: collector.seq > 0 ? minTime : null, end: collector.seq > 0 ? maxTime : null },
      seconds,
    },
  };
}

function bump(map: Map<string, number>, key: string, limit: number): void {
  const v = map.get(key);
  if (v !== undefined) map.set(key, v + 1);
  else if (map.size < limit) map.set(key, 1);
}

function top(map: Map<string, number> | undefined, n: number): CountedValue[] {
  if (!map) return [];
  return [...map.entries()]
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .slice(0, n)
    .map(([value, count]) => ({ value, count }));
}

function dense(sparse: number[], length: number): number[] {
  const out = new Array<number>(length).fill(0);
  sparse.forEach((v, i) => {
    if (i < length) out[i] = v;
  });
  return out;
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function fmt(x: number): string {
  return x < 0.01 ? x.toExponential(1) : x.toFixed(2);
}

/** A source over posts already in memory (tests, jobs over stored posts). */
export function arraySource(posts: Post[]): PostSource {
  return {
    async scan(onPost, _onProgress, selectRecord) {
      posts.forEach((p, i) => {
        if (!selectRecord || selectRecord(i)) onPost(p, i, 0);
      });
      return { files: [], posts: posts.length, malformed: 0, malformedSamples: [], skipped: 0, formats: {} };
    },
  };
}

/**
 * A source over posts that can be streamed again on demand (posts stored in a database, a generator):
 * `open` is called once for each pass (the analysis makes two) and must give the same posts in the same
 * order each time. Every post is its own record. `total`, when known, drives the progress callback.
 * Nothing is kept between passes but the analysis' own compact state.
 */
export function iterableSource(open: () => AsyncIterable<Post> | Iterable<Post>, total?: number): PostSource {
  return {
    async scan(onPost, onProgress, selectRecord) {
      let record = 0;
      for await (const post of open()) {
        if (!selectRecord || selectRecord(record)) onPost(post, record, 0);
        record++;
        if (onProgress && total !== undefined && record % 10000 === 0) onProgress(record, total);
      }
      if (onProgress && total !== undefined) onProgress(record, total);
      return { files: [], posts: record, malformed: 0, malformedSamples: [], skipped: 0, formats: {} };
    },
  };
}
