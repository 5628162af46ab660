// Field-level normalisation: missing values, times, URLs, list cells, hashtags and text tokens.

// Spreadsheet and data-frame placeholders for "no value". They must never become an account or an object
// (the reference tools link every post whose URL cell is '' or 'NA').
const MISSING = new Set(['', 'na', 'n/a', '#n/a', 'nan', 'null', 'none', 'nil', 'undefined', '[]', '{}']);

export function isMissing(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'number') return Number.isNaN(value);
  if (typeof value !== 'string') return false;
  // Fast path: no placeholder is longer than 'undefined' once trimmed.
  if (value.length > 12) return value.trim().length === 0;
  return MISSING.has(value.trim().toLowerCase());
}

/** A present, non-placeholder string value, or null. Numbers (e.g. numeric ids) become strings. */
export function cleanString(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'string' || isMissing(value)) return null;
  return value.trim();
}

const ISO_LIKE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const EPOCH = /^-?\d+(?:\.\d+)?$/;
const HAS_ZONE = /(?:\b(?:Z|UTC|GMT)\b|[+-]\d{2}:?\d{2}\b)/i;

/**
 * Parses ISO 8601 (with or without zone; no zone means UTC), 'YYYY-MM-DD HH:MM' (the Twitter archive),
 * epoch seconds or milliseconds, and RFC 2822 / Twitter v1 dates. Returns epoch seconds (UTC) or null.
 * Never depends on the machine's time zone.
 */
export function parseTime(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? epochToSeconds(value) : null;
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (s === '' || isMissing(s)) return null;
  const fast = fastIsoUtc(s);
  if (fast !== null) return fast;
  if (EPOCH.test(s)) return epochToSeconds(Number(s));
  const m = ISO_LIKE.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, sec, frac, zone] = m;
    if (!validParts(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0)))
      return null;
    const ms = Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h ?? 0),
      Number(mi ?? 0),
      Number(sec ?? 0),
      frac ? Math.round(Number(`0.${frac}`) * 1000) : 0,
    );
    if (Number.isNaN(ms)) return null;
    return ms / 1000 - zoneOffsetSeconds(zone);
  }
  const ms = Date.parse(HAS_ZONE.test(s) ? s : `${s} UTC`);
  return Number.isNaN(ms) ? null : ms / 1000;
}

function validParts(y: number, mo: number, d: number, h: number, mi: number, sec: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60) return false;
  if (d <= 28) return true;
  // Day within the month (Date.UTC would silently roll 31 February into March).
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** 'YYYY-MM-DDTHH:MM:SS[.fff]Z', by far the most common form, without a regex. */
function fastIsoUtc(s: string): number | null {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 90 || s.charCodeAt(10) !== 84) return null;
  if (
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return null;
  }
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 7);
  const d = digits(s, 8, 10);
  const h = digits(s, 11, 13);
  const mi = digits(s, 14, 16);
  const sec = digits(s, 17, 19);
  const ms = n === 24 ? digits(s, 20, 23) : 0;
  if (y < 0 || h < 0 || mi < 0 || sec < 0 || ms < 0 || !validParts(y, mo, d, h, mi, sec)) return null;
  if (n === 24 && s.charCodeAt(19) !== 46) return null;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms) / 1000;
}

function epochToSeconds(n: number): number {
  // Anything beyond the year 5000 in seconds is a millisecond timestamp.
  return Math.abs(n) > 1e11 ? n / 1000 : n;
}

function zoneOffsetSeconds(zone: string | undefined): number {
  if (!zone || /^(z|utc|gmt)$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 3600 + minutes * 60);
}

// Query parameters that only say where a click came from; they would split one link into many.
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'msclkid',
  'yclid',
  'twclid',
  'igshid',
  'igsh',
  'mc_cid',
  'mc_eid',
  'ref_src',
  'ref_url',
  '_ga',
  '_gl',
  'si',
  'spm',
  'cmpid',
  'ocid',
  'mkt_tok',
  'wt_mc',
  'share',
  'feature',
]);

/**
 * Normalised link: lower-case host without 'www.', scheme dropped (http and https are the same link),
 * no fragment, no default port, no tracking parameters (utm_*, fbclid, ...), remaining parameters sorted,
 * no trailing slash. Returns null for placeholders and anything that is not an http(s) URL.
 */
export function normaliseUrl(raw: unknown): string | null {
  const s = cleanString(raw);
  if (s === null || /\s/.test(s)) return null;
  let candidate = s;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(candidate)) {
    if (!/^[\w-]+(\.[\w-]+)+(?:[/:?#]|$)/.test(candidate)) return null;
    candidate = `http://${candidate}`;
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  let host = url.hostname.toLowerCase();
  if (host === '') return null;
  if (host.startsWith('www.')) host = host.slice(4);
  const port = url.port ? `:${url.port}` : '';
  const params: [string, string][] = [];
  for (const [k, v] of url.searchParams) {
    const key = k.toLowerCase();
    if (key.startsWith('utm_') || TRACKING_PARAMS.has(key)) continue;
    params.push([k, v]);
  }
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const query = params.length ? `?${new URLSearchParams(params).toString()}` : '';
  let path = url.pathname;
  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '');
  if (path === '/') path = '';
  return `${host}${port}${path}${query}`;
}

/**
 * A list cell: a JSON array, a Python-style list ("['a', 'b']" as in the Twitter archive), "[a, b]",
 * or values separated by spaces, commas, semicolons or '|'. Placeholders give an empty list.
 */
export function parseList(value: unknown): string[] {
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const v of value) if (!isMissing(v)) out.push(String(v).trim());
    return out;
  }
  if (typeof value !== 'string' || isMissing(value)) return [];
  const s = value.trim();
  if (s.startsWith('[') && s.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(s);
      if (Array.isArray(parsed)) return parseList(parsed);
    } catch {
      // Not JSON: fall through to the loose form.
    }
    return splitLoose(s.slice(1, -1));
  }
  return splitLoose(s);
}

function splitLoose(s: string): string[] {
  return s
    .split(/[\s,;|]+/)
    .map((v) => v.replace(/^['"]+|['"]+$/g, '').trim())
    .filter((v) => !isMissing(v));
}

export function normaliseHashtag(tag: string): string | null {
  let t = tag.trim();
  if (t.charCodeAt(0) === 35) t = t.replace(/^#+/, '');
  if (NON_ASCII.test(t)) t = t.normalize('NFKC');
  t = t.toLowerCase();
  return t === '' || isMissing(t) ? null : t;
}

export function hashtagsFromText(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[^\p{L}\p{N}_&/])#([\p{L}\p{N}_]+)/gu)) if (m[1]) out.push(m[1]);
  return out;
}

export function urlsFromText(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"'«»]+/gi)].map((m) => m[0].replace(/[.,;:!?)\]}]+$/, ''));
}

const NON_ASCII = /[\u0080-\uffff]/;
const STRIP = /^rt @[\w_]+:?|https?:\/\/\S+|www\.\S+|@[\p{L}\p{N}_]+/giu;
const WORD = /[\p{L}\p{N}]+/gu;

/** Distinct words of a text for near-duplicate detection: lower case, NFKC, no links, mentions or
 * retweet prefix, hashtags kept as words (paraphrasing often swaps hashtags, rarely words). */
/** Jaccard similarity of two word sets; two empty sets are not similar (there is nothing to compare). */
export function wordSetJaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let common = 0;
  for (const w of a) if (b.has(w)) common++;
  return common / (a.size + b.size - common || 1);
}

export function textWords(text: string): string[] {
  let s = text.toLowerCase();
  const ascii = !NON_ASCII.test(s);
  if (!ascii) s = s.normalize('NFKC');
  if (s.includes('@') || s.includes('http') || s.includes('www.')) s = s.replace(STRIP, ' ');
  const seen = new Set<string>();
  if (ascii) {
    // Hot path (most posts): a character loop instead of a Unicode regex.
    let start = -1;
    for (let i = 0; i <= s.length; i++) {
      const c = i < s.length ? s.charCodeAt(i) : 32;
      const isWord = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
      if (isWord) {
        if (start < 0) start = i;
      } else if (start >= 0) {
        seen.add(s.slice(start, i));
        start = -1;
      }
    }
    return [...seen];
  }
  for (const m of s.matchAll(WORD)) seen.add(m[0]);
  return [...seen];
}

/** FNV-1a 32-bit string hash with a murmur finaliser: fast, good enough for word and key hashing. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h);
}

export function mix32(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
