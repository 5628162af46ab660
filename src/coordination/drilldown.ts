// The posts behind one edge: the co-actions of two accounts found again in their stored posts, by the
// same rules as the engine (same reposted post, same normalised link, same hashtag sequence, or
// near-identical text, within the run's window for that behaviour), numbered into episodes the way the
// engine counts an edge's co-actions.
import { normaliseUrl, textWords, wordSetJaccard } from './normalize.ts';
import type { StoredPost } from './schema.ts';
import type { AnalysisOptions, Behaviour, Post } from './types.ts';

/** Co-actions listed at most (earliest first). */
const MAX_CO_ACTIONS = 500;

interface Action {
  post: Post;
  side: 0 | 1;
}

interface Found {
  behaviour: Behaviour;
  object: string;
  first: Post;
  second: Post;
  /** Word set of the first post (co-text only): texts stand for one object when near-identical. */
  words?: Set<string>;
  episode?: number;
}

/**
 * Numbers co-actions into episodes as the engine counts them (countPartition in pairspill.ts): co-actions of
 * one behaviour on the same object (for co-text: near-identical texts) whose times are within the window
 * of the previous one are one episode; another object, or a longer pause, starts the next. A co-action's
 * time is that of its earlier post. Episodes that start at the same time are one co-action moment (one
 * post shared with its link, hashtags and text); moments are numbered by time, and their number returned.
 */
function numberEpisodes(found: Found[], options: AnalysisOptions): number {
  const at = (f: Found): number => Math.min(f.first.createdAt, f.second.createdAt);
  // Near-identical texts share the key of the first text they match (the engine's text clusters).
  const objectKey = new Map<Found, string>();
  const representatives: { words: Set<string>; key: string }[] = [];
  for (const f of [...found].sort((x, y) => at(x) - at(y))) {
    if (f.behaviour !== 'co-text' || !f.words) {
      objectKey.set(f, f.object);
      continue;
    }
    const words = f.words;
    let rep = representatives.find((r) => wordSetJaccard(words, r.words) >= options.textSimilarity);
    if (!rep) {
      rep = { words, key: f.object };
      representatives.push(rep);
    }
    objectKey.set(f, rep.key);
  }
  const ordered = [...found].sort(
    (x, y) =>
      (x.behaviour < y.behaviour ? -1 : x.behaviour > y.behaviour ? 1 : 0) ||
      ((objectKey.get(x) as string) < (objectKey.get(y) as string)
        ? -1
        : (objectKey.get(x) as string) > (objectKey.get(y) as string)
          ? 1
          : 0) ||
      at(x) - at(y),
  );
  const episodes: { first: number; members: Found[] }[] = [];
  let previous: Found | null = null;
  for (const f of ordered) {
    const same =
      previous !== null &&
      previous.behaviour === f.behaviour &&
      objectKey.get(previous) === objectKey.get(f) &&
      at(f) - at(previous) <= options.windows[f.behaviour];
    if (same) (episodes.at(-1) as { members: Found[] }).members.push(f);
    else episodes.push({ first: at(f), members: [f] });
    previous = f;
  }
  // Episodes that start at the same time (the same earlier post) are one co-action moment, whatever
  // their behaviours and objects, as the engine counts them.
  episodes.sort((x, y) => x.first - y.first);
  let moments = 0;
  episodes.forEach((e, i) => {
    if (i === 0 || e.first !== (episodes[i - 1] as { first: number }).first) moments++;
    for (const f of e.members) f.episode = moments;
  });
  return moments;
}

function keyedActions(post: Post, options: AnalysisOptions): [Behaviour, string][] {
  const enabled = new Set(options.behaviours);
  if (post.repostOf !== null) return enabled.has('co-repost') ? [['co-repost', post.repostOf]] : [];
  const out: [Behaviour, string][] = [];
  if (enabled.has('co-link')) {
    const seen = new Set<string>();
    for (const raw of post.urls) {
      const url = normaliseUrl(raw);
      if (url !== null && !seen.has(url)) {
        seen.add(url);
        out.push(['co-link', url]);
      }
    }
  }
  if (enabled.has('co-hashtag')) {
    const distinct = [...new Set(post.hashtags)];
    if (distinct.length >= options.minHashtags) out.push(['co-hashtag', distinct.join(' ')]);
  }
  return out;
}

/** For each action of the source account, the nearest action of the target within the window. */
function pairWithin(actions: Action[], window: number, emit: (a: Post, b: Post) => void): void {
  actions.sort((x, y) => x.post.createdAt - y.post.createdAt);
  const targets = actions.filter((a) => a.side === 1);
  let lo = 0;
  for (const a of actions) {
    if (a.side !== 0) continue;
    const t = a.post.createdAt;
    while (lo < targets.length && (targets[lo] as Action).post.createdAt < t - window) lo++;
    let best: Post | null = null;
    for (let i = lo; i < targets.length; i++) {
      const b = (targets[i] as Action).post;
      if (b.createdAt > t + window) break;
      if (best === null || Math.abs(b.createdAt - t) < Math.abs(best.createdAt - t)) best = b;
    }
    if (best) emit(a.post, best);
  }
}

export function toStoredPost(p: Post): StoredPost {
  return {
    platform: p.platform,
    id: p.id,
    author: p.author,
    authorName: p.authorName,
    createdAt: new Date(p.createdAt * 1000).toISOString(),
    text: p.text,
    urls: p.urls,
    hashtags: p.hashtags,
    repostOf: p.repostOf,
  };
}

export function coActionsBetween(
  posts: Post[],
  source: string,
  target: string,
  options: AnalysisOptions,
): {
  coActions: { behaviour: string; object: string; posts: string[]; seconds: number; episode: number }[];
  episodes: number;
  posts: StoredPost[];
  truncated: boolean;
} {
  const found: Found[] = [];
  const byKey = new Map<string, Action[]>();
  const texts: { post: Post; side: 0 | 1; words: Set<string> }[] = [];
  for (const post of posts) {
    const side = post.author === source ? 0 : post.author === target ? 1 : null;
    if (side === null) continue;
    for (const [behaviour, object] of keyedActions(post, options)) {
      const key = `${behaviour}\u0000${object}`;
      let list = byKey.get(key);
      if (!list) {
        list = [];
        byKey.set(key, list);
      }
      list.push({ post, side });
    }
    if (options.behaviours.includes('co-text') && post.repostOf === null && post.text !== '') {
      const words = textWords(post.text);
      if (words.length >= options.minTextWords) texts.push({ post, side, words: new Set(words) });
    }
  }
  for (const [key, actions] of byKey) {
    if (!actions.some((a) => a.side === 0) || !actions.some((a) => a.side === 1)) continue;
    const cut = key.indexOf('\u0000');
    const behaviour = key.slice(0, cut) as Behaviour;
    const object = key.slice(cut + 1);
    pairWithin(actions, options.windows[behaviour], (first, second) =>
      found.push({ behaviour, object, first, second }),
    );
  }
  // Near-identical text: each source text against the target's texts inside the window.
  texts.sort((x, y) => x.post.createdAt - y.post.createdAt);
  const targetTexts = texts.filter((x) => x.side === 1);
  const window = options.windows['co-text'];
  let lo = 0;
  for (const a of texts) {
    if (a.side !== 0) continue;
    const t = a.post.createdAt;
    while (lo < targetTexts.length && (targetTexts[lo] as (typeof texts)[number]).post.createdAt < t - window)
      lo++;
    let best: Post | null = null;
    for (let i = lo; i < targetTexts.length; i++) {
      const b = targetTexts[i] as (typeof texts)[number];
      if (b.post.createdAt > t + window) break;
      if (wordSetJaccard(a.words, b.words) < options.textSimilarity) continue;
      if (best === null || Math.abs(b.post.createdAt - t) < Math.abs(best.createdAt - t)) best = b.post;
    }
    if (best)
      found.push({ behaviour: 'co-text', object: a.post.text, first: a.post, second: best, words: a.words });
  }
  found.sort(
    (x, y) =>
      Math.min(x.first.createdAt, x.second.createdAt) - Math.min(y.first.createdAt, y.second.createdAt) ||
      (x.behaviour < y.behaviour ? -1 : x.behaviour > y.behaviour ? 1 : 0),
  );
  const episodes = numberEpisodes(found, options);
  const kept = found.slice(0, MAX_CO_ACTIONS);
  const involved = new Map<string, Post>();
  for (const f of kept) {
    involved.set(`${f.first.platform}\u0000${f.first.id}`, f.first);
    involved.set(`${f.second.platform}\u0000${f.second.id}`, f.second);
  }
  return {
    coActions: kept.map((f) => ({
      behaviour: f.behaviour,
      object: f.object,
      posts: [f.first.id, f.second.id],
      seconds: Math.abs(f.second.createdAt - f.first.createdAt),
      episode: f.episode as number,
    })),
    episodes,
    posts: [...involved.values()].sort((x, y) => x.createdAt - y.createdAt).map(toStoredPost),
    truncated: found.length > MAX_CO_ACTIONS,
  };
}
