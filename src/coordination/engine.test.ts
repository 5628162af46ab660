import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UndirectedGraph } from 'graphology';
import gexf from 'graphology-gexf';
import graphml from 'graphology-graphml';
import { defaultConfig, type GeneratedPost, generate } from '../../bench/coordination/generate.ts';
import { scoreAccounts } from '../../bench/coordination/run.ts';
import { fromNormalised } from './adapters.ts';
import {
  analyze,
  arraySource,
  type EdgeResult,
  iterableSource,
  type PostSource,
  recordSelector,
} from './engine.ts';
import { makePost } from './fixtures.ts';
import { BANDS } from './minhash.ts';
import { fileText, outputFiles } from './output.ts';
import { ColumnSpill } from './spill.ts';
import { logPoissonTail, surprise } from './stats.ts';
import type { Post } from './types.ts';
import { BEHAVIOURS } from './types.ts';

const T0 = Date.UTC(2024, 2, 4, 12) / 1000;

const post = makePost;

/** A small team that co-reposts `rounds` originals within seconds, among `organic` random accounts. */
function teamAndCrowd(rounds: number, organic = 60): Post[] {
  const posts: Post[] = [];
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    const t = T0 + r * 3600;
    for (let m = 0; m < 5; m++) {
      posts.push(post({ id: `t${n++}`, author: `team${m}`, createdAt: t + m * 7, repostOf: `orig${r}` }));
    }
  }
  // Organic reposts of the same originals, spread over hours.
  for (let i = 0; i < organic * 4; i++) {
    const r = i % rounds;
    posts.push(
      post({
        id: `o${n++}`,
        author: `org${i % organic}`,
        createdAt: T0 + r * 3600 + 600 + ((i * 977) % 20000),
        repostOf: `orig${r}`,
      }),
    );
  }
  return posts;
}

describe('significance', () => {
  it('computes Poisson tails in log space', () => {
    assert.ok(Math.abs(Math.exp(logPoissonTail(3, 0.5)) - 0.0143877) < 1e-6);
    assert.ok(Math.abs(Math.exp(logPoissonTail(5, 10)) - 0.970747) < 1e-6);
    assert.equal(logPoissonTail(0, 3), 0);
    assert.ok(surprise(50, 0.05) > 100);
  });

  it('reports observed and expected co-actions per behaviour and flags the team, not the crowd', async () => {
    const result = await analyze(arraySource(teamAndCrowd(12)));
    const flagged = result.accounts
      .filter((a) => a.flagged)
      .map((a) => a.author)
      .sort();
    assert.deepEqual(flagged, ['team0', 'team1', 'team2', 'team3', 'team4']);
    const edge = result.edges.find((e) => e.significant);
    assert.ok(edge);
    assert.equal(edge.observed['co-repost'], 12);
    assert.equal(edge.observedTotal, 12);
    assert.ok(
      edge.expectedTotal > 0 && edge.expectedTotal < edge.observedTotal / 5,
      `expected ${edge.expectedTotal}`,
    );
    assert.ok(edge.score >= result.stats.scoreThreshold);
    assert.match(
      result.accounts.find((a) => a.author === 'team0')?.reasons ?? '',
      /co-repost with 4 account\(s\): 48 co-actions vs .* expected/,
    );
    assert.equal(result.communities.length, 1);
    assert.equal(result.communities[0]?.size, 5);
  });

  it('counts one post shared with its link, hashtags and text as one co-action moment, not three', async () => {
    const posts: Post[] = [];
    // Two strangers post about the same event, with its link, hashtags and words, seconds apart, on two
    // days; and a pair that shares only a link, on two other days.
    for (const day of [0, 1]) {
      for (const [m, author] of ['x', 'y'].entries()) {
        posts.push(
          post({
            id: `${author}${day}`,
            author,
            createdAt: T0 + day * 86400 + m * 20,
            text: 'fire at the central market crowds gathering now stay away from the square',
            urls: [`https://news.example/live-${day}`],
            hashtags: ['fire', 'market'],
          }),
        );
      }
      for (const [m, author] of ['v', 'w'].entries()) {
        posts.push(
          post({
            id: `${author}${day}`,
            author,
            createdAt: T0 + day * 86400 + 5000 + m * 20,
            urls: [`https://other.example/${day}`],
          }),
        );
      }
    }
    const result = await analyze(arraySource(posts), { allEdges: true, minCoActions: 1 });
    const index = new Map(result.accounts.map((a) => [a.author, a.index]));
    const edgeOf = (p: string, q: string): EdgeResult | undefined => {
      const [a, b] = [index.get(p) as number, index.get(q) as number].sort((u, v) => u - v);
      return result.edges.find((e) => e.a === a && e.b === b);
    };
    const bundled = edgeOf('x', 'y');
    assert.ok(bundled);
    assert.deepEqual(bundled.observed, { 'co-repost': 0, 'co-link': 2, 'co-hashtag': 2, 'co-text': 2 });
    assert.equal(bundled.observedTotal, 2);
    // The chance of a moment is the behaviours' chances over the co-actions a moment holds (three).
    const sum = BEHAVIOURS.reduce((total, b) => total + bundled.expected[b], 0);
    assert.ok(Math.abs(bundled.expectedTotal - sum / 3) < 1e-12, `${bundled.expectedTotal} vs ${sum}`);
    const single = edgeOf('v', 'w');
    assert.equal(single?.observedTotal, 2);
    assert.equal(single?.expectedTotal, single?.expected['co-link']);
    // Below the minimum of three moments, neither pair is tested at default settings.
    assert.equal((await analyze(arraySource(posts), { allEdges: true })).edges.length, 0);
  });

  it('leaves windows too crowded for pairs out of the chance expectation', async () => {
    const base = teamAndCrowd(8);
    // A viral original reposted by 400 accounts within 40 seconds, the team among them: far more than
    // the 100 others a window may hold for pairs to count.
    const viral = [
      ...Array.from({ length: 400 }, (_, i) => `fan${i}`),
      'team0',
      'team1',
      'team2',
      'team3',
      'team4',
    ].map((author, i) =>
      post({ id: `v${i}`, author, createdAt: T0 + 100_000 + (i % 40), repostOf: 'viral' }),
    );
    const quiet = await analyze(arraySource(base));
    const busy = await analyze(arraySource([...base, ...viral]));
    assert.ok(busy.stats.crowdedActions >= 405);
    const teamEdges = (r: typeof quiet) =>
      r.edges.map((e) => ({
        a: r.accounts[e.a]?.author,
        b: r.accounts[e.b]?.author,
        observed: e.observedTotal,
        expected: e.expectedTotal,
      }));
    assert.equal(quiet.edges.length, 10);
    assert.deepEqual(teamEdges(busy), teamEdges(quiet));
  });

  it('counts distinct co-actions, not posts: a spam burst on one object is one co-action', async () => {
    const posts: Post[] = [];
    for (let i = 0; i < 50; i++) {
      posts.push(post({ id: `a${i}`, author: 'a', createdAt: T0 + i, repostOf: 'x' }));
      posts.push(post({ id: `b${i}`, author: 'b', createdAt: T0 + i, repostOf: 'x' }));
      posts.push(post({ id: `c${i}`, author: 'c', createdAt: T0 + i, repostOf: 'x' }));
    }
    const result = await analyze(arraySource(posts), { allEdges: true, minCoActions: 1 });
    assert.equal(result.edges.length, 3);
    for (const e of result.edges) assert.equal(e.observedTotal, 1);
    assert.equal(result.accounts.filter((a) => a.flagged).length, 0);
  });
});

describe('traps', () => {
  it('never co-links posts without URLs (empty, NA or missing link fields)', async () => {
    const posts: Post[] = [];
    for (let i = 0; i < 200; i++) {
      const raw = {
        id: `p${i}`,
        author: `acc${i % 20}`,
        created_at: T0 + (i % 10),
        text: '',
        urls: i % 2 ? 'NA' : '',
      };
      const c = fromNormalised(raw);
      assert.ok('post' in c);
      posts.push(c.post);
    }
    const result = await analyze(arraySource(posts), { allEdges: true, minCoActions: 1 });
    assert.equal(result.stats.actions['co-link'], 0);
    assert.equal(result.stats.candidatePairs, 0);
    assert.equal(result.edges.length, 0);
  });

  it('a viral object shared by 20,000 accounts costs posts x window occupancy, not 200 million pairs', async () => {
    const posts: Post[] = [];
    for (let i = 0; i < 20000; i++) {
      // A burst: everyone within 20 minutes.
      posts.push(
        post({ id: `v${i}`, author: `acc${i}`, createdAt: T0 + (i * 1200) / 20000, repostOf: 'viral' }),
      );
    }
    const result = await analyze(arraySource(posts));
    const bound = 20000 * result.options.maxWindowCrowd;
    assert.ok(result.stats.pairWork <= bound, `pair work ${result.stats.pairWork} > ${bound}`);
    assert.ok(result.stats.candidatePairs <= bound, `pairs ${result.stats.candidatePairs}`);
    assert.ok(result.stats.candidatePairs < 200_000_000 / 100);
    assert.ok(result.stats.crowdedActions > 0);
    assert.equal(result.accounts.filter((a) => a.flagged).length, 0);
  });

  it('blocks similar-text candidates before verifying them (no all-pairs comparison in a window)', async () => {
    const posts: Post[] = [];
    const vocab = Array.from({ length: 40 }, (_, i) => `word${i}`);
    const n = 4000;
    for (let i = 0; i < n; i++) {
      // Every text draws 12 words from the same 40: all similar-ish, few near-identical; same minute.
      const words = Array.from({ length: 12 }, (_, k) => vocab[(i * 7 + k * k * 3 + (i % 13) * k) % 40]);
      posts.push(
        post({ id: `s${i}`, author: `acc${i % 500}`, createdAt: T0 + (i % 60), text: words.join(' ') }),
      );
    }
    const result = await analyze(arraySource(posts));
    const allPairs = (result.stats.distinctTexts * (result.stats.distinctTexts - 1)) / 2;
    const bound = result.stats.distinctTexts * BANDS * 4;
    assert.ok(result.stats.textComparisons <= bound, `${result.stats.textComparisons} > ${bound}`);
    assert.ok(result.stats.textComparisons < allPairs / 10, `${result.stats.textComparisons} vs ${allPairs}`);
  });

  it('finds near-identical texts despite light paraphrase, and groups them as a narrative', async () => {
    const base =
      'the blockade is a lie invented by foreign media there is plenty of food in every market today';
    const variants = [
      base,
      base.toUpperCase(),
      `${base} !!`,
      base.replace('plenty', 'lots'),
      `RT @x: ${base}`.replace('RT @x: ', '@someone '),
      `${base} https://t.co/abc`,
    ];
    const posts: Post[] = [];
    for (let r = 0; r < 8; r++) {
      variants.forEach((v, m) => {
        posts.push(
          post({
            id: `p${r}-${m}`,
            author: `team${m}`,
            createdAt: T0 + r * 7200 + m * 9,
            text: `${v} ${'x'.repeat(r + 1)}`,
          }),
        );
      });
    }
    for (let i = 0; i < 100; i++) {
      posts.push(
        post({
          id: `o${i}`,
          author: `org${i}`,
          createdAt: T0 + i * 300,
          text: `organic post number ${i} about the weather and football ${i * 7}`,
        }),
      );
    }
    const result = await analyze(arraySource(posts));
    const flagged = result.accounts
      .filter((a) => a.flagged)
      .map((a) => a.author)
      .sort();
    assert.deepEqual(flagged, ['team0', 'team1', 'team2', 'team3', 'team4', 'team5']);
    assert.ok(result.accounts.find((a) => a.author === 'team3')?.behaviours.includes('co-text'));
    const top = result.narratives[0];
    assert.ok(top);
    assert.ok(top.posts >= 6);
    assert.equal(top.firstPost?.author, 'team0');
    assert.equal(top.communities[0]?.community, 1);
  });

  it('an empty input gives an empty, valid result', async () => {
    const result = await analyze(arraySource([]));
    assert.equal(result.accounts.length, 0);
    assert.equal(result.edges.length, 0);
    assert.equal(result.communities.length, 0);
    assert.equal(result.narratives.length, 0);
    assert.equal(result.stats.timeSpan.start, null);
  });
});

describe('accuracy on a generated data set', () => {
  it('reaches F1 >= 0.95 with at most 5% organic accounts among the flagged', async () => {
    const config = {
      ...defaultConfig(8000, 11),
      accounts: 400,
      coordinatedShare: 0.1,
      groupSize: [6, 12] as [number, number],
    };
    const raw: GeneratedPost[] = [];
    const truth = generate(config, (p) => raw.push(p));
    const posts = raw.map((r) => {
      const c = fromNormalised(r as unknown as Record<string, unknown>);
      assert.ok('post' in c);
      return c.post;
    });
    const result = await analyze(arraySource(posts));
    const flagged = result.accounts.filter((a) => a.flagged);
    const score = scoreAccounts(flagged, truth.coordinated);
    assert.ok(
      score.f1 >= 0.95,
      `F1 ${score.f1.toFixed(3)} (precision ${score.precision}, recall ${score.recall})`,
    );
    assert.ok(score.organicShareOfFlagged <= 0.05, `organic share ${score.organicShareOfFlagged}`);
  });
});

describe('posts from an async iterable (stored posts)', () => {
  it('gives the same result as the same posts in memory, streaming them once per pass', async () => {
    const posts = teamAndCrowd(10);
    let opened = 0;
    const source = iterableSource(async function* () {
      opened++;
      for (const p of posts) yield p;
    }, posts.length);
    const progress: number[] = [];
    const streamed = await analyze(source, {}, (phase, done) => {
      if (phase === 'read') progress.push(done);
    });
    const inMemory = await analyze(arraySource(posts));
    assert.equal(opened, 2);
    assert.equal(progress.at(-1), posts.length);
    assert.deepEqual(streamed.edges, inMemory.edges);
    assert.deepEqual(streamed.communities, inMemory.communities);
    assert.deepEqual(
      streamed.accounts.filter((a) => a.flagged).map((a) => a.author),
      ['team0', 'team1', 'team2', 'team3', 'team4'],
    );
  });
});

describe('the same input gives the same files', () => {
  it('writes byte-identical outputs on two runs (graph edge ids included)', async () => {
    const raw: GeneratedPost[] = [];
    generate({ ...defaultConfig(6000, 9), accounts: 300, coordinatedShare: 0.1 }, (p) => raw.push(p));
    const posts = raw.map((r) => {
      const c = fromNormalised(r as unknown as Record<string, unknown>);
      assert.ok('post' in c);
      return c.post;
    });
    const files = async (): Promise<[string, string][]> =>
      outputFiles(await analyze(arraySource(posts))).map(([name, make]) => [name, fileText(make())]);
    const first = await files();
    const second = await files();
    assert.ok((first.find(([name]) => name === 'graph.gexf')?.[1].match(/<edge /g) ?? []).length > 0);
    assert.deepEqual(second, first);
  });
});

describe('records of several posts (documents, exports) in the second pass', () => {
  it('selects a record by any of its posts, however often the reader asks', () => {
    const index = new ColumnSpill(1, 2, 'a test index of posts', undefined, 4);
    try {
      // (record, account): record 0 holds accounts 1 and 5, record 3 holds 2, 2 and 5, record 7 holds 9.
      const rows: [number, number][] = [
        [0, 1],
        [0, 5],
        [1, 2],
        [3, 2],
        [3, 2],
        [3, 5],
        [4, 1],
        [7, 9],
      ];
      for (const [record, account] of rows) index.add(0, 0, record, account);
      index.finish();
      const select = recordSelector(index, (account) => account === 5 || account === 9);
      const asked = [0, 0, 1, 2, 3, 3, 5, 7, 7, 8].map((r) => [r, select(r)]);
      assert.deepEqual(asked, [
        [0, true],
        [0, true],
        [1, false],
        [2, false],
        [3, true],
        [3, true],
        [5, false],
        [7, true],
        [7, true],
        [8, false],
      ]);
    } finally {
      index.dispose();
    }
  });

  it('describes communities and narratives as it does for one post a record', async () => {
    const posts = teamAndCrowd(10);
    posts.push(
      ...[0, 1, 2, 3].map((m) =>
        post({
          id: `n${m}`,
          author: `team${m}`,
          createdAt: T0 + 50_000 + m * 5,
          text: 'nothing is happening at the border, the road is open today',
        }),
      ),
    );
    // Three posts a record; like the file reader, the first record is read without being asked about
    // and every other record is asked about twice.
    const grouped: PostSource = {
      async scan(onPost, _onProgress, selectRecord) {
        for (let start = 0; start < posts.length; start += 3) {
          const record = start / 3;
          if (record > 0 && selectRecord && !(selectRecord(record) && selectRecord(record))) continue;
          posts.slice(start, start + 3).forEach((p, position) => {
            onPost(p, record, position);
          });
        }
        return {
          files: [],
          posts: posts.length,
          malformed: 0,
          malformedSamples: [],
          skipped: 0,
          formats: {},
        };
      },
    };
    const inRecords = await analyze(grouped);
    const alone = await analyze(arraySource(posts));
    assert.equal(inRecords.communities[0]?.posts, 54);
    assert.deepEqual(inRecords.communities, alone.communities);
    assert.equal(inRecords.narratives[0]?.firstPost?.id, 'n0');
    assert.deepEqual(inRecords.narratives, alone.narratives);
  });
});

describe('narratives', () => {
  it('keeps the best ones as they come: the same as ranking every cluster at once', async () => {
    // 1,200 clusters of three posts by three accounts: more than the drafts kept before they are cut.
    const posts: Post[] = [];
    for (let c = 0; c < 1200; c++) {
      const words = Array.from({ length: 8 }, (_, k) => `c${c}w${k}`).join(' ');
      for (let m = 0; m < 3 + (c % 4); m++) {
        posts.push(
          post({
            id: `p${c}-${m}`,
            author: `a${(c + m) % 500}`,
            createdAt: T0 + c * 97 + m * 3600,
            text: words,
          }),
        );
      }
    }
    const few = await analyze(arraySource(posts), { maxNarratives: 3 });
    const all = await analyze(arraySource(posts), { maxNarratives: 10_000 });
    assert.equal(all.narratives.length, 1200);
    assert.equal(few.stats.narrativeClusters, 1200);
    assert.deepEqual(
      few.narratives,
      all.narratives.slice(0, 3).map((n, k) => ({ ...n, id: k + 1 })),
    );
    assert.deepEqual(
      few.narratives.map((n) => n.posts),
      [6, 6, 6],
    );
  });
});

describe('graph files', () => {
  it('escape account names and ids that XML would misread, and open in graph readers', async () => {
    const posts = teamAndCrowd(10).map((p) =>
      p.author === 'team0' ? { ...p, author: 'a&b<c>"d\'', authorName: 'Bell \u0007& <Co>' } : p,
    );
    const result = await analyze(arraySource(posts));
    const files = new Map(outputFiles(result).map(([name, make]) => [name, fileText(make())]));
    const fromGexf = gexf.parse(UndirectedGraph, files.get('graph.gexf') as string);
    const fromGraphml = graphml.parse(UndirectedGraph, files.get('graph.graphml') as string);
    for (const graph of [fromGexf, fromGraphml]) {
      assert.equal(graph.order, 5);
      assert.equal(graph.size, 10);
      assert.equal(graph.getNodeAttribute('a&b<c>"d\'', 'label'), 'Bell & <Co>');
      assert.equal(Number(graph.getNodeAttribute('a&b<c>"d\'', 'community')), 1);
    }
    const edge = fromGexf.edges()[0] as string;
    assert.match(String(fromGexf.getEdgeAttribute(edge, 'behaviours')), /co-repost/);
    assert.ok(Number(fromGexf.getEdgeAttribute(edge, 'weight')) >= 3);
  });
});
