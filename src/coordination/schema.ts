// Schemas of coordination in the product (issue 5, part 7): imports of posts into a situation, analysis
// runs with their options and progress, communities, narratives, the graph, the posts behind an edge,
// links to incidents and evidence, and an analyst's stance on a narrative.
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Slug, Uuid } from '../lib/schema.ts';
import { BEHAVIOURS, INPUT_FORMATS } from './types.ts';

const strict = { additionalProperties: false } as const;

export const BehaviourName = Type.Union(
  BEHAVIOURS.map((b) => Type.Literal(b)),
  { description: 'co-repost, co-link, co-hashtag (same hashtag sequence) or co-text (near-identical text)' },
);

export const InputFormatName = Type.Union(
  INPUT_FORMATS.map((f) => Type.Literal(f)),
  { description: 'input format; auto recognises it from the file name and content' },
);

const Seconds = Type.Integer({ minimum: 1, maximum: 2_592_000, description: 'seconds' });

/** What an analyst may choose when starting a run; everything else keeps the engine's defaults. */
export const RunOptions = Type.Object(
  {
    window: Type.Optional({ ...Seconds, description: 'co-action window for every behaviour, seconds (60)' }),
    windows: Type.Optional(
      Type.Object(
        {
          'co-repost': Type.Optional(Seconds),
          'co-link': Type.Optional(Seconds),
          'co-hashtag': Type.Optional(Seconds),
          'co-text': Type.Optional(Seconds),
        },
        { ...strict, description: 'a window per behaviour, overriding `window`' },
      ),
    ),
    textSimilarity: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1,
        description: 'word-set Jaccard similarity for near-identical text (0.8)',
      }),
    ),
    behaviours: Type.Optional(
      Type.Array(BehaviourName, { minItems: 1, maxItems: BEHAVIOURS.length, uniqueItems: true }),
    ),
    minCoActions: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        description: 'co-action moments before a pair is tested (3)',
      }),
    ),
    minCommunitySize: Type.Optional(
      Type.Integer({ minimum: 2, maximum: 10_000, description: 'smallest community that is flagged (3)' }),
    ),
  },
  strict,
);
export type RunOptions = Static<typeof RunOptions>;

export const RUN_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RunProgress = Type.Object({
  phase: Type.String({ description: 'queued, read, analyse, details, store' }),
  done: Type.Number(),
  total: Type.Number(),
});
export type RunProgress = Static<typeof RunProgress>;

export const Run = Type.Object(
  {
    id: Type.String(),
    status: Type.Union(RUN_STATUSES.map((s) => Type.Literal(s))),
    options: Type.Object({
      windows: Type.Record(Type.String(), Type.Number()),
      behaviours: Type.Array(Type.String()),
      textSimilarity: Type.Number(),
      minCoActions: Type.Number(),
      minCommunitySize: Type.Number(),
    }),
    progress: Nullable(RunProgress),
    posts: Nullable(Type.Integer()),
    accounts: Nullable(Type.Integer()),
    flaggedAccounts: Nullable(Type.Integer()),
    communities: Nullable(Type.Integer()),
    narratives: Nullable(Type.Integer()),
    error: Nullable(Type.String()),
    attempts: Type.Integer({
      description: 'how often a worker started it (a crashed worker’s run is taken up again)',
    }),
    createdBy: Nullable(Type.String()),
    createdAt: Type.String(),
    startedAt: Nullable(Type.String()),
    finishedAt: Nullable(Type.String()),
    files: Type.Array(Type.String(), { description: 'output files, downloadable once the run is done' }),
  },
  {},
);
export type Run = Static<typeof Run>;

export const MalformedRecord = Type.Object({ line: Type.Integer(), reason: Type.String() });

export const Import = Type.Object(
  {
    id: Type.String(),
    fileName: Type.String(),
    format: Type.String(),
    status: Type.Union([Type.Literal('importing'), Type.Literal('done'), Type.Literal('failed')]),
    progress: Nullable(
      Type.Object(
        {
          phase: Type.Union([Type.Literal('read'), Type.Literal('store'), Type.Literal('done')]),
          done: Type.Integer(),
          total: Type.Integer(),
        },
        {
          description:
            'while importing: phase "read" counts bytes of the file parsed (postsRead the posts so far), ' +
            '"store" the posts written of postsRead',
        },
      ),
    ),
    postsRead: Type.Integer({ description: 'posts in the file (while reading: so far)' }),
    postsStored: Type.Integer({
      description: 'new posts; posts already in the situation are not stored twice',
    }),
    duplicates: Type.Integer(),
    malformed: Type.Integer(),
    skipped: Type.Integer({
      description: 'valid records that are not posts (e.g. Telegram service messages)',
    }),
    malformedSamples: Type.Array(MalformedRecord, {
      description: 'the first malformed records, with line numbers',
    }),
    error: Nullable(Type.String()),
    createdBy: Nullable(Type.String()),
    createdAt: Type.String(),
    finishedAt: Nullable(Type.String()),
  },
  {},
);
export type Import = Static<typeof Import>;

export const ImportQuery = Type.Object(
  {
    format: Type.Optional(InputFormatName),
    id: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          "the new import's id, chosen by the client so it can follow the import (GET …/imports/{id}) before the upload answers",
      }),
    ),
  },
  strict,
);

export const Overview = Type.Object({
  posts: Type.Integer({ description: 'posts stored in the situation (finished imports)' }),
  accounts: Type.Integer(),
  firstPostAt: Nullable(Type.String()),
  lastPostAt: Nullable(Type.String()),
  imports: Type.Array(Import),
  runs: Type.Array(Run),
  latestRun: Nullable(Run),
});

export const LinkTarget = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('incident'), Type.Literal('item')]),
  title: Type.String(),
});

export const Link = Type.Object(
  {
    id: Type.String(),
    communityId: Nullable(Type.String()),
    narrativeId: Nullable(Type.String()),
    target: LinkTarget,
    note: Nullable(Type.String()),
    createdBy: Nullable(Type.String()),
    createdAt: Type.String(),
  },
  {},
);
export type Link = Static<typeof Link>;

export const LinkCreate = Type.Object(
  {
    communityId: Type.Optional(Uuid),
    narrativeId: Type.Optional(Uuid),
    incidentId: Type.Optional(Uuid),
    itemId: Type.Optional(Uuid),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  {
    ...strict,
    description: 'exactly one of communityId and narrativeId, and exactly one of incidentId and itemId',
  },
);
export type LinkCreate = Static<typeof LinkCreate>;

export const Community = Type.Object(
  {
    id: Type.String(),
    runId: Type.String(),
    number: Type.Integer(),
    label: Type.String(),
    size: Type.Integer(),
    flaggedAccounts: Type.Integer(),
    behaviours: Type.Array(Type.String()),
    summary: Type.Record(Type.String(), Type.Unknown(), {
      description: 'the community as in communities.json (accounts, top texts, links, hashtags, activity)',
    }),
    firstSeen: Nullable(Type.String()),
    lastSeen: Nullable(Type.String()),
    createdAt: Type.String(),
    links: Type.Array(Link),
  },
  {},
);
export type Community = Static<typeof Community>;

export const STANCES = ['unassessed', 'denial', 'downplaying', 'other'] as const;
export type Stance = (typeof STANCES)[number];

export const Narrative = Type.Object(
  {
    id: Type.String(),
    runId: Type.String(),
    number: Type.Integer(),
    label: Type.String(),
    postCount: Type.Integer(),
    accountCount: Type.Integer(),
    communityId: Nullable(Type.String()),
    communityNumber: Nullable(Type.Integer()),
    summary: Type.Record(Type.String(), Type.Unknown(), {
      description: 'the narrative as in narratives.json',
    }),
    firstSeen: Nullable(Type.String()),
    lastSeen: Nullable(Type.String()),
    stance: Type.Union(STANCES.map((s) => Type.Literal(s))),
    stanceNote: Nullable(Type.String()),
    stanceSetBy: Nullable(Type.String()),
    stanceSetAt: Nullable(Type.String()),
    /** Set when the stance was carried over from the same narrative in an earlier run (the first one an
     * analyst labelled); null once an analyst sets this narrative's stance. */
    stanceCarriedFrom: Nullable(Type.Object({ narrativeId: Type.String(), runId: Type.String() })),
    createdAt: Type.String(),
    links: Type.Array(Link),
  },
  {},
);
export type Narrative = Static<typeof Narrative>;

export const StancePatch = Type.Object(
  {
    stance: Type.Union(STANCES.map((s) => Type.Literal(s))),
    note: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
  },
  strict,
);
export type StancePatch = Static<typeof StancePatch>;

export const GraphNode = Type.Object({
  id: Type.String(),
  label: Type.String(),
  community: Nullable(Type.Integer()),
  score: Type.Number(),
  flagged: Type.Boolean(),
  posts: Type.Integer(),
  partners: Type.Integer(),
  reasons: Type.String(),
});

export const GraphEdge = Type.Object({
  source: Type.String(),
  target: Type.String(),
  community: Nullable(Type.Integer()),
  score: Type.Number(),
  observed: Type.Integer(),
  expected: Type.Number(),
  behaviours: Type.Array(Type.String()),
});

export const Graph = Type.Object({
  nodes: Type.Array(GraphNode),
  edges: Type.Array(GraphEdge),
  truncated: Type.Boolean({ description: 'true when only the strongest edges are included' }),
});
export type Graph = Static<typeof Graph>;

export const StoredPost = Type.Object({
  platform: Type.String(),
  id: Type.String(),
  author: Type.String(),
  authorName: Nullable(Type.String()),
  createdAt: Type.String(),
  text: Type.String(),
  urls: Type.Array(Type.String()),
  hashtags: Type.Array(Type.String()),
  repostOf: Nullable(Type.String()),
});
export type StoredPost = Static<typeof StoredPost>;

export const CoAction = Type.Object({
  behaviour: Type.String(),
  object: Type.String({
    description: 'the reposted id, the normalised link, the hashtag sequence, or the text',
  }),
  posts: Type.Array(Type.String(), { description: 'ids of the two posts, source account’s first' }),
  seconds: Type.Number({ description: 'time between the two posts' }),
  episode: Type.Integer({
    description:
      'the co-action episode (1.., by first time) as the engine counts them: the same object again within the window is the same episode',
  }),
});

export const EdgePosts = Type.Object({
  source: Type.String(),
  target: Type.String(),
  coActions: Type.Array(CoAction),
  episodes: Type.Integer({ description: "co-action moments among all co-actions found (the edge's count)" }),
  posts: Type.Array(StoredPost),
  truncated: Type.Boolean(),
});
export type EdgePosts = Static<typeof EdgePosts>;

export const EdgeQuery = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: 500 }),
    target: Type.String({ minLength: 1, maxLength: 500 }),
  },
  strict,
);

export const RunParams = Type.Object({ slug: Slug, id: Uuid });
