// Synthetic social-media data with planted coordinated groups among organic accounts, carrying the traps
// of real data: viral organic reposts, popular links shared by thousands (with tracking-parameter and
// scheme variants), common phrases and hashtags, bursts around events, accounts in many time zones, and
// coordinated groups that jitter their timing, skip some actions and paraphrase lightly.
//
//   node --import tsx bench/coordination/generate.ts --posts 1000000 --out bench/out/coord-1m.jsonl
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mulberry32 } from '../../src/coordination/communities.ts';
import type { Behaviour } from '../../src/coordination/types.ts';

export interface GeneratorConfig {
  posts: number;
  accounts: number;
  days: number;
  /** Share of accounts that belong to coordinated groups. */
  coordinatedShare: number;
  groupSize: [number, number];
  /** Campaign actions per group. */
  actions: [number, number];
  /** Probability that a member joins a given action. */
  participation: number;
  /** Largest delay (s) of a member behind the action start; about a third fall outside a 60 s window. */
  maxJitter: number;
  seed: number;
}

export function defaultConfig(posts: number, seed = 7): GeneratorConfig {
  return {
    posts,
    accounts: Math.max(100, Math.round(posts / 20)),
    days: 7,
    coordinatedShare: 0.025,
    groupSize: [8, 30],
    actions: [20, 40],
    participation: 0.75,
    maxJitter: 90,
    seed,
  };
}

export interface GroundTruth {
  /** Account id -> group number and the behaviours that group uses. */
  coordinated: Map<string, { group: number; behaviours: Behaviour[] }>;
  groups: number;
  posts: number;
  accounts: number;
}

export interface GeneratedPost {
  id: string;
  platform: string;
  author: string;
  author_name: string;
  created_at: string | number;
  text: string;
  urls: string[];
  hashtags: string[];
  repost_of: string | null;
  lang: string;
  author_created_at?: string;
}

interface Draft {
  t: number;
  text: string;
  urls: string[];
  hashtags: string[];
  repost_of: string | null;
}

const START = Date.UTC(2024, 2, 4) / 1000;
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ra',
  'te',
  'su',
  'an',
  'vi',
  'dor',
  'pel',
  'ta',
  'ne',
  'bri',
  'os',
  'um',
  'zel',
];
const COMMON_PHRASES = [
  'good morning everyone have a wonderful day ahead',
  'thoughts and prayers with everyone affected today',
  'cannot believe what is happening right now in the world',
  'happy friday to all my friends and followers out there',
  'please share this with everyone you know it matters',
  'this is the most important thing you will read today',
  'stay safe out there everyone and look after each other',
  'breaking news coming in now more details to follow soon',
];
const TIME_ZONES = [-8, -6, -5, -3, 0, 1, 2, 3, 4, 5.5, 7, 8, 9, 10];

export function generate(config: GeneratorConfig, emit: (post: GeneratedPost) => void): GroundTruth {
  const rand = mulberry32(config.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const between = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const zipf = (n: number, s = 1.1): number => {
    // Inverse-CDF approximation of a Zipf-like rank in [0, n).
    const u = rand();
    const r = Math.floor(n ** (u ** s) - 1);
    return Math.min(n - 1, Math.max(0, r));
  };
  const expo = (mean: number): number => -Math.log(1 - rand()) * mean;
  const lognormal = (median: number, sigma: number): number => {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    return median * Math.exp(sigma * z);
  };
  const span = config.days * 86400;

  const vocab: string[] = [];
  for (let i = 0; i < 6000; i++)
    vocab.push(pick(SYLLABLES) + pick(SYLLABLES) + (i % 3 === 0 ? pick(SYLLABLES) : ''));
  const words = (n: number): string[] =>
    Array.from({ length: n }, () => vocab[zipf(vocab.length, 1.3)] as string);
  const tags: string[] = Array.from({ length: 400 }, (_, i) => `${pick(SYLLABLES)}${pick(SYLLABLES)}${i}`);
  const popularLinks = Array.from({ length: 3000 }, (_, i) => `news${i % 300}.example.org/story/${i}`);

  // Accounts.
  const coordinatedTotal = Math.round(config.accounts * config.coordinatedShare);
  const truth: GroundTruth = { coordinated: new Map(), groups: 0, posts: 0, accounts: config.accounts };
  interface Account {
    id: string;
    tz: number;
    weight: number;
    created: number;
  }
  const accounts: Account[] = [];
  for (let i = 0; i < config.accounts; i++) {
    accounts.push({
      id: `u${(i * 7919 + 13) % 1000003}`,
      tz: pick(TIME_ZONES),
      weight: lognormal(1, 1.1),
      created: START - between(30, 4000) * 86400,
    });
  }
  // Groups take the last `coordinatedTotal` accounts; ids are shuffled so position reveals nothing.
  interface Group {
    members: Account[];
    behaviours: Behaviour[];
    actions: number;
    tz: number;
  }
  const groups: Group[] = [];
  const behaviourCycle: Behaviour[] = ['co-repost', 'co-text', 'co-link', 'co-hashtag'];
  let next = config.accounts - coordinatedTotal;
  while (next < config.accounts) {
    const size = Math.min(config.accounts - next, between(config.groupSize[0], config.groupSize[1]));
    if (size < 3) break;
    const members = accounts.slice(next, next + size);
    next += size;
    const primary = behaviourCycle[groups.length % behaviourCycle.length] as Behaviour;
    const behaviours: Behaviour[] = [primary];
    if (rand() < 0.3) {
      const second = pick(behaviourCycle.filter((b) => b !== primary));
      behaviours.push(second);
    }
    // Sock-puppet batches are often created together.
    const batch = START - between(20, 400) * 86400;
    for (const m of members) if (rand() < 0.7) m.created = batch + between(0, 3 * 86400);
    groups.push({
      members,
      behaviours,
      actions: between(config.actions[0], config.actions[1]),
      tz: pick(TIME_ZONES),
    });
    for (const m of members) truth.coordinated.set(m.id, { group: groups.length, behaviours });
  }
  truth.groups = groups.length;

  let postSeq = 0;
  const out = (p: Draft, a: Account): string => {
    // Post ids have 19 digits, as X's snowflake ids do. (Short ids would also be slower to read than real
    // ones: V8 interns every string of up to 10 characters that JSON.parse meets - docs/benchmarks.md.)
    const id = `1${String(++postSeq).padStart(18, '0')}`;
    const t = Math.min(START + span + 3600, Math.max(START - 3600, p.t));
    // Mixed time formats: ISO UTC, epoch seconds, and local time with an offset.
    const r = postSeq % 10;
    let created: string | number;
    if (r === 0) created = Math.floor(t);
    else if (r === 1) {
      const off = a.tz;
      const local = new Date((Math.floor(t) + off * 3600) * 1000).toISOString().slice(0, 19);
      const sign = off < 0 ? '-' : '+';
      const abs = Math.abs(off);
      created = `${local}${sign}${String(Math.floor(abs)).padStart(2, '0')}:${abs % 1 ? '30' : '00'}`;
    } else created = new Date(Math.floor(t) * 1000).toISOString();
    emit({
      id,
      platform: 'twitter',
      author: a.id,
      author_name: `name_${a.id}`,
      created_at: created,
      text: p.text,
      urls: p.urls,
      hashtags: p.hashtags,
      repost_of: p.repost_of,
      lang: 'xx',
      author_created_at:
        postSeq % 7 === 0 ? undefined : new Date(a.created * 1000).toISOString().slice(0, 10),
    });
    truth.posts++;
    return id;
  };
  const localTime = (tz: number): number => {
    // A day in the span, an hour in the account's waking hours (07-23 local).
    const day = Math.floor(rand() * config.days);
    const hour = 7 + rand() * 16;
    return START + day * 86400 + (hour - tz) * 3600;
  };

  // Originals that organic accounts repost: a few viral ones (bursts) and a long tail.
  const coordinatedPosts = groups.reduce(
    (s, g) => s + g.actions * g.members.length * config.participation,
    0,
  );
  const organicBudget = Math.max(0, config.posts - coordinatedPosts * 1.05);
  const originalCount = Math.max(50, Math.round(organicBudget / 25));
  const viralCount = Math.max(5, Math.round(organicBudget / 20000));
  const originals: { id: string; t: number }[] = [];
  const viral: { id: string; t: number }[] = [];
  const events: { t: number; tags: string[]; link: string; words: string[] }[] = [];
  for (let e = 0; e < Math.max(3, config.days); e++) {
    events.push({
      t: START + rand() * span,
      tags: [`event${e}`, 'breaking'],
      link: `https://www.bignews.example.com/live/${e}?utm_source=share&utm_medium=social`,
      words: words(6),
    });
  }
  const sources = accounts.slice(0, Math.max(10, Math.round(config.accounts * 0.02)));
  const pickWeighted = (): Account => {
    // Heavier accounts post more: rejection sampling on the lognormal weight.
    for (;;) {
      const a = accounts[Math.floor(rand() * (config.accounts - coordinatedTotal))] as Account;
      if (rand() * 6 < a.weight) return a;
    }
  };
  for (let i = 0; i < originalCount; i++) {
    const a = pick(sources);
    const t = localTime(a.tz);
    originals.push({
      id: out({ t, text: words(between(8, 22)).join(' '), urls: [], hashtags: [], repost_of: null }, a),
      t,
    });
  }
  for (let i = 0; i < viralCount; i++) {
    const a = pick(sources);
    const t = START + rand() * span;
    viral.push({
      id: out({ t, text: words(between(8, 22)).join(' '), urls: [], hashtags: [], repost_of: null }, a),
      t,
    });
  }

  // Coordinated campaigns.
  const campaignSeeds: { id: string; t: number }[] = [];
  groups.forEach((g, gi) => {
    for (let k = 0; k < g.actions; k++) {
      const T = localTime(g.tz);
      const leader = pick(g.members);
      let seedId = '';
      if (g.behaviours.includes('co-repost')) {
        seedId = out(
          {
            t: T - between(30, 600),
            text: words(between(10, 20)).join(' '),
            urls: [],
            hashtags: [],
            repost_of: null,
          },
          leader,
        );
        campaignSeeds.push({ id: seedId, t: T });
      }
      const template = words(between(14, 24));
      const link = `https://Campaign${gi}.example.net/a/${k}`;
      const seq = [`op${gi}x`, `truth${k % 5}`, pick(tags)].slice(0, between(2, 3));
      for (const m of g.members) {
        if (rand() > config.participation) continue;
        const jitter = rand() < 0.5 ? rand() * config.maxJitter : expo(config.maxJitter / 3);
        const t = T + jitter;
        for (const beh of g.behaviours) {
          if (beh === 'co-repost')
            out({ t: t + rand() * 5, text: '', urls: [], hashtags: [], repost_of: seedId }, m);
          else if (beh === 'co-text') {
            out({ t, text: paraphrase(template, rand, vocab), urls: [], hashtags: [], repost_of: null }, m);
          } else if (beh === 'co-link') {
            const variant =
              rand() < 0.5
                ? link
                : `${link.replace('https://', 'http://www.')}/?utm_source=m${m.id}&fbclid=x${k}`;
            out(
              { t, text: words(between(6, 14)).join(' '), urls: [variant], hashtags: [], repost_of: null },
              m,
            );
          } else {
            out(
              {
                t,
                text: `${words(between(6, 12)).join(' ')} ${seq.map((s) => `#${s}`).join(' ')}`,
                urls: [],
                hashtags: seq,
                repost_of: null,
              },
              m,
            );
          }
        }
      }
    }
  });

  // Organic activity, including the coordinated accounts' own background posting.
  const organicAccounts = accounts.length - coordinatedTotal;
  while (truth.posts < config.posts) {
    const a =
      rand() < 0.05
        ? (accounts[organicAccounts + Math.floor(rand() * coordinatedTotal)] ?? pickWeighted())
        : pickWeighted();
    const kind = rand();
    if (kind < 0.38) {
      // Repost: viral burst, long-tail original, or (rarely) a campaign seed, with human delays.
      const r = rand();
      if (r < 0.35 && viral.length) {
        const v = viral[zipf(viral.length, 1.0)] as { id: string; t: number };
        out({ t: v.t + expo(1500), text: '', urls: [], hashtags: [], repost_of: v.id }, a);
      } else if (r < 0.4 && campaignSeeds.length) {
        const s = pick(campaignSeeds);
        out({ t: s.t + lognormal(1800, 1.2), text: '', urls: [], hashtags: [], repost_of: s.id }, a);
      } else {
        const o = originals[zipf(originals.length, 1.2)] as { id: string; t: number };
        out({ t: o.t + lognormal(2400, 1.5), text: '', urls: [], hashtags: [], repost_of: o.id }, a);
      }
      continue;
    }
    if (kind < 0.46) {
      // Event burst: many accounts post the same hashtags and live link within minutes.
      const e = pick(events);
      const url = rand() < 0.5 ? e.link : e.link.replace('https://www.', 'http://').replace(/\?.*$/, '');
      out(
        {
          t: e.t + expo(900),
          text: `${e.words.join(' ')} ${words(between(4, 10)).join(' ')}`,
          urls: rand() < 0.6 ? [url] : [],
          hashtags: e.tags,
          repost_of: null,
        },
        a,
      );
      continue;
    }
    const t = localTime(a.tz);
    let text: string;
    if (kind < 0.52) text = pick(COMMON_PHRASES);
    else text = words(between(5, 25)).join(' ');
    const urls: string[] = [];
    if (rand() < 0.25) {
      const l = popularLinks[zipf(popularLinks.length, 1.3)] as string;
      urls.push(rand() < 0.5 ? `https://${l}?utm_campaign=x${between(1, 9)}` : `http://www.${l}#top`);
    } else if (rand() < 0.1) urls.push(`https://blog${between(1, 100000)}.example.com/p/${postSeq}`);
    const hashtags: string[] = [];
    if (rand() < 0.3) {
      if (rand() < 0.3) hashtags.push('breaking', 'news');
      else for (let h = between(1, 3); h > 0; h--) hashtags.push(tags[zipf(tags.length, 1.2)] as string);
    }
    out({ t, text, urls, hashtags, repost_of: null }, a);
  }
  return truth;
}

/** Light paraphrase: maybe swap a word, drop a word, add a tag or emoji, change case. */
function paraphrase(template: string[], rand: () => number, vocab: string[]): string {
  const w = [...template];
  if (rand() < 0.4) w[Math.floor(rand() * w.length)] = vocab[Math.floor(rand() * vocab.length)] as string;
  if (rand() < 0.2) w.splice(Math.floor(rand() * w.length), 1);
  let s = w.join(' ');
  if (rand() < 0.3) s += rand() < 0.5 ? ' !!' : ' 🙏';
  if (rand() < 0.2) s = s.toUpperCase();
  if (rand() < 0.2) s = `${s}.`;
  return s;
}

/** Writes a data set as JSON Lines (synchronous writes: the generator is synchronous too) and its truth. */
export async function writeDataset(config: GeneratorConfig, file: string): Promise<GroundTruth> {
  await mkdir(dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  let buffer: string[] = [];
  const truth = generate(config, (p) => {
    buffer.push(JSON.stringify(p));
    if (buffer.length >= 5000) {
      writeSync(fd, `${buffer.join('\n')}\n`);
      buffer = [];
    }
  });
  if (buffer.length) writeSync(fd, `${buffer.join('\n')}\n`);
  closeSync(fd);
  await writeFile(
    `${file}.truth.json`,
    JSON.stringify({
      groups: truth.groups,
      posts: truth.posts,
      accounts: truth.accounts,
      coordinated: [...truth.coordinated],
    }),
  );
  return truth;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: string): string => {
    const i = args.indexOf(name);
    return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
  };
  const posts = Number(arg('--posts', '100000'));
  const outFile = arg('--out', `bench/out/coord-${posts}.jsonl`);
  const config = defaultConfig(posts, Number(arg('--seed', '7')));
  const truth = await writeDataset(config, outFile);
  console.log(
    `wrote ${truth.posts} posts, ${truth.accounts} accounts, ${truth.groups} groups (${truth.coordinated.size} coordinated accounts) to ${outFile}`,
  );
}
