// Fuzzy, transliteration-aware name matching for sanctions screening. Written here rather than taken from
// a package: none is installed, and the usual ones (fuse.js, string-similarity, talisman) neither know
// Azerbaijani/Armenian/Cyrillic/Arabic romanisation nor explain why two names match. The method:
//  1. Transliterate to Latin (Cyrillic incl. Azerbaijani Cyrillic, Armenian, Arabic; Azerbaijani Latin
//     letters ə ı ğ ş ç ö ü, and c/x/q read the Azerbaijani way when the name is Azerbaijani).
//  2. Split into parts, drop titles, particles and company forms, and keep initials apart.
//  3. Reduce each part to a canonical spelling (dzh/dj/zh → j, tch/ch → C, sch/sh → S, kh → h, w → v,
//     y → i, ou → u, -off → -ov, double letters single…) and a phonetic key (its consonants, g/k/q as one).
//  4. Find candidates through an index of keys and their one-deletion variants (a typo in one part still
//     hits), then score each candidate by pairing parts regardless of their order.
// The score is the mean similarity of the query's parts to their best partners (1 for the same canonical
// spelling, Jaro-Winkler otherwise, a floor for the same phonetic key), lowered for list-name parts that
// found no partner. Every match carries the reasons that produced it.

export type AliasKind =
  | 'primary'
  | 'aka'
  | 'fka'
  | 'nka'
  | 'good quality alias'
  | 'low quality alias'
  | 'original script';

export interface MatchableEntry {
  /** The caller's handle (e.g. an index into its entries). */
  ref: number;
  names: { name: string; kind: AliasKind }[];
}

interface Part {
  raw: string;
  canon: string;
  key: string;
  initial: boolean;
  position: number;
}

interface IndexedName {
  entry: number;
  name: string;
  kind: AliasKind;
  parts: Part[];
}

export interface NameMatch {
  ref: number;
  score: number;
  matchedName: string;
  matchedKind: AliasKind;
  reasons: string[];
}

const CYRILLIC: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'yo',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
  і: 'i',
  ї: 'yi',
  є: 'ye',
  ґ: 'g',
  ў: 'u',
  // Azerbaijani, Kazakh, Uzbek Cyrillic
  ә: 'a',
  ғ: 'gh',
  ҹ: 'j',
  һ: 'h',
  ө: 'o',
  ү: 'u',
  ј: 'y',
  ҝ: 'g',
  қ: 'k',
  ң: 'n',
  ұ: 'u',
  ҳ: 'h',
  ӣ: 'i',
};

const ARMENIAN: Record<string, string> = {
  ա: 'a',
  բ: 'b',
  գ: 'g',
  դ: 'd',
  ե: 'e',
  զ: 'z',
  է: 'e',
  ը: 'y',
  թ: 't',
  ժ: 'zh',
  ի: 'i',
  լ: 'l',
  խ: 'kh',
  ծ: 'ts',
  կ: 'k',
  հ: 'h',
  ձ: 'dz',
  ղ: 'gh',
  ճ: 'ch',
  մ: 'm',
  յ: 'y',
  ն: 'n',
  շ: 'sh',
  ո: 'o',
  չ: 'ch',
  պ: 'p',
  ջ: 'j',
  ռ: 'r',
  ս: 's',
  վ: 'v',
  տ: 't',
  ր: 'r',
  ց: 'ts',
  ւ: 'v',
  փ: 'p',
  ք: 'k',
  օ: 'o',
  ֆ: 'f',
  և: 'ev',
};

const ARABIC: Record<string, string> = {
  ا: 'a',
  أ: 'a',
  إ: 'i',
  آ: 'a',
  ٱ: 'a',
  ب: 'b',
  ت: 't',
  ث: 'th',
  ج: 'j',
  ح: 'h',
  خ: 'kh',
  د: 'd',
  ذ: 'dh',
  ر: 'r',
  ز: 'z',
  س: 's',
  ش: 'sh',
  ص: 's',
  ض: 'd',
  ط: 't',
  ظ: 'z',
  ع: '',
  غ: 'gh',
  ف: 'f',
  ق: 'q',
  ك: 'k',
  ل: 'l',
  م: 'm',
  ن: 'n',
  ه: 'h',
  و: 'w',
  ي: 'y',
  ى: 'a',
  ة: 'a',
  ء: '',
  ؤ: '',
  ئ: '',
  پ: 'p',
  چ: 'ch',
  ژ: 'zh',
  گ: 'g',
  ک: 'k',
  ی: 'y',
};

// Azerbaijani Latin (and Turkish) letters; c, x and q are read the Azerbaijani way in an Azerbaijani name.
const TURKIC: Record<string, string> = {
  ə: 'a',
  ı: 'i',
  ğ: 'gh',
  ş: 'sh',
  ç: 'ch',
  ö: 'o',
  ü: 'u',
  c: 'j',
  x: 'kh',
  q: 'k',
};
const TURKIC_MARKERS = /[əığşәҹһғ]/;

const OTHER_LATIN: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ł: 'l',
  þ: 'th',
  ð: 'd',
};

export type Script = 'latin' | 'cyrillic' | 'armenian' | 'arabic';

export function scriptOf(text: string): Script {
  if (/[\u0400-\u04FF]/.test(text)) return 'cyrillic';
  if (/[\u0530-\u058F]/.test(text)) return 'armenian';
  if (/[\u0600-\u06FF]/.test(text)) return 'arabic';
  return 'latin';
}

/** Lower-case Latin letters, spaces and hyphens: the name in one romanisation. */
export function transliterate(text: string): string {
  const lower = text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[’'ʼ`ʻ]/g, '');
  const turkic = TURKIC_MARKERS.test(lower);
  let out = '';
  const chars = [...lower];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const next = chars[i + 1];
    const wordStart = i === 0 || !/\p{L}/u.test(chars[i - 1]!);
    if (ch === 'ո' && next === 'ւ') {
      out += 'u';
      i++;
    } else if (ch === 'ե' && wordStart) out += 'ye';
    else if (ch === 'ո' && wordStart) out += 'vo';
    else if (turkic && TURKIC[ch] !== undefined) out += TURKIC[ch];
    else if (TURKIC[ch] !== undefined && !'cxq'.includes(ch)) out += TURKIC[ch];
    else out += CYRILLIC[ch] ?? ARMENIAN[ch] ?? ARABIC[ch] ?? OTHER_LATIN[ch] ?? ch;
  }
  return out
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

/** Titles, particles, patronymic markers and company forms: ignored when matching. */
const IGNORED = new Set(
  (
    'al el ul bin ibn bint mr mrs ms dr gen general col colonel maj major capt captain lt sheikh shaikh shaykh ' +
    'haji hajji mullah mulla oglu ogli ogly qizi kizi kyzy de da del der la le van von the of and co ltd llc ' +
    'inc sa ag gmbh company corporation corp limited jsc ojsc cjsc ooo zao oao pjsc plc'
  ).split(' '),
);

/** One part's canonical spelling: romanisation variants collapse to one form. */
export function canonical(part: string): string {
  let t = part;
  t = t.replace(/dzh|dsch|dj|zh/g, 'j');
  t = t.replace(/tsch|tch|tsh|ch/g, 'C');
  t = t.replace(/sch|sh/g, 'S');
  t = t.replace(/kh/g, 'h').replace(/gh/g, 'g').replace(/ph/g, 'f').replace(/th/g, 't');
  t = t.replace(/ck/g, 'k').replace(/q/g, 'k');
  t = t.replace(/^x/, 'h').replace(/x/g, 'ks');
  t = t.replace(/c(?=[eiy])/g, 's').replace(/c/g, 'k');
  t = t.replace(/w/g, 'v').replace(/ou|oo/g, 'u').replace(/ee/g, 'i').replace(/y/g, 'i');
  t = t.replace(/([oe])ff$/, '$1v');
  t = t.replace(/(.)\1+/g, '$1');
  return t;
}

/** Consonant skeleton of a canonical spelling; g, k and q count as one. */
export function phoneticKey(canon: string): string {
  const key = canon
    .replace(/[aeiou]/g, '')
    .replace(/g/g, 'k')
    .replace(/(.)\1+/g, '$1');
  return key.length > 0 ? key : canon;
}

export function nameParts(name: string): Part[] {
  const parts: Part[] = [];
  for (const raw of transliterate(name).split(/[\s-]+/)) {
    if (!raw || IGNORED.has(raw)) continue;
    const canon = canonical(raw);
    parts.push({ raw, canon, key: phoneticKey(canon), initial: raw.length === 1, position: parts.length });
  }
  return parts;
}

/** Jaro-Winkler similarity in [0, 1]. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  if (!a.length || !b.length) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatched = new Array<boolean>(a.length).fill(false);
  const bMatched = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(b.length - 1, i + window);
    for (let j = from; j <= to; j++) {
      if (!bMatched[j] && a[i] === b[j]) {
        aMatched[i] = true;
        bMatched[j] = true;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a[i] !== b[k]) transpositions++;
    k++;
  }
  const jaro = (matches / a.length + matches / b.length + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

function deletions(key: string): string[] {
  if (key.length < 4) return [];
  const out: string[] = [];
  for (let i = 0; i < key.length; i++) out.push(`${key.slice(0, i)}${key.slice(i + 1)}`);
  return out;
}

interface PairScore {
  sim: number;
  reason: string | null;
}

function pairScore(q: Part, c: Part): PairScore {
  if (q.initial || c.initial) {
    const [initial, full] = q.initial ? [q, c] : [c, q];
    if (full.initial) return q.raw === c.raw ? { sim: 0.9, reason: null } : { sim: 0, reason: null };
    return full.raw[0] === initial.raw || full.canon[0] === canonical(initial.raw)
      ? { sim: 0.8, reason: `initial "${initial.raw.toUpperCase()}." for "${full.raw}"` }
      : { sim: 0, reason: null };
  }
  if (q.raw === c.raw) return { sim: 1, reason: null };
  if (q.canon === c.canon) return { sim: 1, reason: `"${q.raw}" and "${c.raw}" are romanisation variants` };
  const jw = Math.abs(q.canon.length - c.canon.length) > 4 ? 0 : jaroWinkler(q.canon, c.canon);
  // Below 0.88 a Jaro-Winkler similarity falls fast: different names, not variants.
  const spelled = jw >= 0.88 ? jw : Math.max(0, jw - 0.7) * 2;
  // The same consonants count when the vowels are close too, or missing (Arabic script writes few).
  const vowelless = q.key === q.canon || c.key === c.canon;
  const keyed =
    q.key === c.key && q.key.length >= 2 && (jw >= 0.82 || vowelless) ? (q.key.length >= 3 ? 0.92 : 0.88) : 0;
  if (keyed > spelled)
    return { sim: keyed, reason: `"${q.raw}" sounds like "${c.raw}" (same phonetic key ${q.key})` };
  if (spelled >= 0.88) {
    return {
      sim: spelled,
      reason: `"${q.raw}" is spelled close to "${c.raw}" (similarity ${spelled.toFixed(2)})`,
    };
  }
  return { sim: spelled, reason: null };
}

export interface ScoreOptions {
  /** Weight of each list-name part left without a partner (0: extra parts cost nothing). */
  extraPartWeight?: number;
}

/** Scores a query's parts against a list name's parts; null when nothing pairs. */
export function scoreParts(query: Part[], candidate: Part[], options: ScoreOptions = {}) {
  if (query.length === 0 || candidate.length === 0) return null;
  const pairs: { qi: number; ci: number; s: PairScore }[] = [];
  for (const [qi, q] of query.entries()) {
    for (const [ci, c] of candidate.entries()) {
      const s = pairScore(q, c);
      if (s.sim >= 0.7) pairs.push({ qi, ci, s });
    }
  }
  if (pairs.length === 0) return null;
  pairs.sort((a, b) => b.s.sim - a.s.sim);
  const usedQ = new Set<number>();
  const usedC = new Set<number>();
  const chosen: typeof pairs = [];
  for (const p of pairs) {
    if (usedQ.has(p.qi) || usedC.has(p.ci)) continue;
    usedQ.add(p.qi);
    usedC.add(p.ci);
    chosen.push(p);
  }
  const fullParts = chosen.filter((p) => !query[p.qi]!.initial && !candidate[p.ci]!.initial).length;
  if (fullParts === 0) return null;
  const extra = candidate.length - usedC.size;
  const total = chosen.reduce((sum, p) => sum + p.s.sim, 0);
  const score = total / (query.length + (options.extraPartWeight ?? 0.25) * extra);
  const reasons: string[] = [];
  for (const p of chosen) if (p.s.reason) reasons.push(p.s.reason);
  const order = [...chosen].sort((a, b) => a.qi - b.qi).map((p) => p.ci);
  if (order.some((ci, i) => i > 0 && ci < order[i - 1]!)) reasons.push('name parts in a different order');
  const missing = query.filter((_, i) => !usedQ.has(i)).map((p) => p.raw);
  if (missing.length) reasons.push(`no counterpart in the list name for: ${missing.join(', ')}`);
  const extras = candidate.filter((_, i) => !usedC.has(i)).map((p) => p.raw);
  if (extras.length) reasons.push(`the list name has further parts: ${extras.join(', ')}`);
  return { score: Math.min(1, score), reasons };
}

export class NameIndex {
  private readonly names: IndexedName[] = [];
  private readonly postings = new Map<string, number[]>();
  /** For each query key: the names any of its lookups reach (queries repeat parts: Mohammed, Ali…). */
  private readonly reach = new Map<string, Int32Array>();
  private hitCounts = new Int32Array(0);

  constructor(entries: Iterable<MatchableEntry>) {
    for (const entry of entries) {
      for (const n of entry.names) {
        const parts = nameParts(n.name);
        if (parts.length === 0) continue;
        const id = this.names.length;
        this.names.push({ entry: entry.ref, name: n.name, kind: n.kind, parts });
        const keys = new Set<string>();
        for (const p of parts) {
          if (p.initial) continue;
          keys.add(p.key);
          for (const d of deletions(p.key)) keys.add(`~${d}`);
        }
        for (const k of keys) {
          const list = this.postings.get(k);
          if (list) list.push(id);
          else this.postings.set(k, [id]);
        }
      }
    }
  }

  private reachOf(key: string): Int32Array {
    const cached = this.reach.get(key);
    if (cached) return cached;
    const ids = new Set<number>();
    for (const k of [key, `~${key}`, ...deletions(key).flatMap((d) => [`~${d}`, d])]) {
      for (const id of this.postings.get(k) ?? []) ids.add(id);
    }
    const out = Int32Array.from(ids);
    if (this.reach.size > 50_000) this.reach.clear();
    this.reach.set(key, out);
    return out;
  }

  get size(): number {
    return this.names.length;
  }

  /** The entries whose best-matching name scores at least `threshold`, best first. */
  screen(name: string, options: { threshold?: number; limit?: number } = {}): NameMatch[] {
    const threshold = options.threshold ?? 0.85;
    const query = nameParts(name);
    const full = query.filter((p) => !p.initial);
    if (full.length === 0) return [];
    if (this.hitCounts.length !== this.names.length) this.hitCounts = new Int32Array(this.names.length);
    const counts = this.hitCounts;
    const touched: number[] = [];
    for (const p of new Map(full.map((f) => [f.key, f])).values()) {
      for (const id of this.reachOf(p.key)) {
        if (counts[id] === 0) touched.push(id);
        counts[id]!++;
      }
    }
    const hits: [number, number][] = touched.map((id) => [id, counts[id]!]);
    for (const id of touched) counts[id] = 0;
    const needed = Math.min(full.length, 2);
    const script = scriptOf(name);
    const best = new Map<number, NameMatch>();
    for (const [id, count] of hits) {
      const candidate = this.names[id]!;
      const fullCandidate = candidate.parts.filter((p) => !p.initial).length;
      if (count < Math.min(needed, fullCandidate)) continue;
      const scored = scoreParts(query, candidate.parts);
      if (!scored || scored.score < threshold) continue;
      const previous = best.get(candidate.entry);
      const rounded = Math.round(scored.score * 1000) / 1000;
      if (
        previous &&
        (previous.score > rounded || (previous.score === rounded && candidate.kind !== 'primary'))
      ) {
        continue;
      }
      const reasons = [...scored.reasons];
      if (script !== 'latin')
        reasons.unshift(`transliterated from ${script} script as "${transliterate(name)}"`);
      if (candidate.kind !== 'primary')
        reasons.push(`matched the list's ${candidate.kind} "${candidate.name}"`);
      if (reasons.length === 0) reasons.push('the same name');
      best.set(candidate.entry, {
        ref: candidate.entry,
        score: rounded,
        matchedName: candidate.name,
        matchedKind: candidate.kind,
        reasons,
      });
    }
    return [...best.values()].sort((a, b) => b.score - a.score).slice(0, options.limit ?? 10);
  }
}
