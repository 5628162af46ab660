import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coActionsBetween } from './drilldown.ts';
import { analyze, arraySource, resolveOptions } from './engine.ts';
import { makePost } from './fixtures.ts';
import type { Post } from './types.ts';

let seq = 0;
function post(author: string, createdAt: number, fields: Partial<Post> = {}): Post {
  return makePost({ id: `d${++seq}`, platform: 'x', author, createdAt, ...fields });
}

const SLOGAN =
  'the corridor is open and nothing at all is blocked there say the people who drive on it every single day';
const PARAPHRASE = SLOGAN.replace('single', 'other');

describe('the posts behind an edge', () => {
  it('numbers co-actions into episodes exactly as the engine counts the edge', async () => {
    const T = 1_700_000_000;
    const posts: Post[] = [
      // One burst of reposts of the same original: one episode, however many posts.
      post('alice', T, { repostOf: 'orig1' }),
      post('bob', T + 10, { repostOf: 'orig1' }),
      post('alice', T + 20, { repostOf: 'orig1' }),
      post('bob', T + 25, { repostOf: 'orig1' }),
      // The same original two hours later: a second episode.
      post('alice', T + 7200, { repostOf: 'orig1' }),
      post('bob', T + 7230, { repostOf: 'orig1' }),
      // The same link, written differently.
      post('alice', T + 100, { text: 'look', urls: ['https://example.org/a?utm_source=x'] }),
      post('bob', T + 130, { text: 'see', urls: ['http://EXAMPLE.org/a'] }),
      // The same hashtag sequence.
      post('alice', T + 300, { text: 'now', hashtags: ['open', 'road'] }),
      post('bob', T + 310, { text: 'yes', hashtags: ['open', 'road'] }),
      // A slogan and a light paraphrase, twice an hour apart: two episodes.
      post('alice', T + 1000, { text: SLOGAN }),
      post('bob', T + 1020, { text: PARAPHRASE }),
      post('alice', T + 5000, { text: PARAPHRASE }),
      post('bob', T + 5030, { text: SLOGAN }),
      // Someone else, to be sure only the edge's two accounts count.
      post('carol', T + 12, { repostOf: 'orig1' }),
    ];
    const options = resolveOptions({ minCoActions: 1, allEdges: true });
    const drill = coActionsBetween(posts, 'alice', 'bob', options);
    assert.equal(drill.episodes, 6);
    const byBehaviour = new Map<string, Set<number>>();
    for (const c of drill.coActions) {
      const set = byBehaviour.get(c.behaviour) ?? new Set<number>();
      set.add(c.episode);
      byBehaviour.set(c.behaviour, set);
    }
    assert.equal(byBehaviour.get('co-repost')?.size, 2);
    assert.equal(byBehaviour.get('co-link')?.size, 1);
    assert.equal(byBehaviour.get('co-hashtag')?.size, 1);
    assert.equal(byBehaviour.get('co-text')?.size, 2);
    // Episodes are numbered by first time: the first burst of reposts is episode 1.
    assert.equal(drill.coActions.find((c) => c.behaviour === 'co-repost')?.episode, 1);

    const result = await analyze(arraySource(posts), options);
    const index = new Map(result.accounts.map((a) => [a.author, a.index]));
    const [i, j] = [index.get('alice') as number, index.get('bob') as number].sort((x, y) => x - y);
    const edge = result.edges.find((e) => e.a === i && e.b === j);
    assert.ok(edge, 'the engine has the edge');
    assert.equal(edge.observedTotal, drill.episodes);
    assert.equal(edge.observed['co-repost'], 2);
    assert.equal(edge.observed['co-text'], 2);
  });
});
