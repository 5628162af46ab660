// Sanctions screening: 10,000 names against the full OFAC SDN snapshot with its aliases (and, second,
// SDN + UN), with precision and recall on a labelled set built from the list itself:
// variants of listed individuals (reordered parts, typos, other romanisations, Cyrillic script,
// initials) and names that are not on the list. Deterministic (seeded). Run: npm run bench -- response
import { cpus } from 'node:os';
import { BUNDLED_LISTS_DIR, readOfac, readUn } from '../src/response/lists.ts';
import { type MatchableEntry, NameIndex, nameParts } from '../src/response/matcher.ts';
import { DEFAULT_THRESHOLD } from '../src/response/sanctions.ts';

let seed = 20_231_115;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const TRANSLIT: [RegExp, string][] = [
  [/kh/i, 'h'],
  [/ov\b/i, 'off'],
  [/ev\b/i, 'yev'],
  [/yev\b/i, 'ev'],
  [/yan\b/i, 'ian'],
  [/ian\b/i, 'yan'],
  [/y/i, 'i'],
  [/j/i, 'dzh'],
  [/ch/i, 'tch'],
  [/sh/i, 'sch'],
  [/u/i, 'ou'],
  [/w/i, 'v'],
  [/ph/i, 'f'],
  [/ee/i, 'i'],
];
const CYRILLIC: [string, string][] = [
  ['shch', 'щ'],
  ['kh', 'х'],
  ['zh', 'ж'],
  ['ch', 'ч'],
  ['sh', 'ш'],
  ['ts', 'ц'],
  ['ya', 'я'],
  ['yu', 'ю'],
  ['a', 'а'],
  ['b', 'б'],
  ['v', 'в'],
  ['g', 'г'],
  ['d', 'д'],
  ['e', 'е'],
  ['z', 'з'],
  ['i', 'и'],
  ['y', 'й'],
  ['k', 'к'],
  ['l', 'л'],
  ['m', 'м'],
  ['n', 'н'],
  ['o', 'о'],
  ['p', 'п'],
  ['r', 'р'],
  ['s', 'с'],
  ['t', 'т'],
  ['u', 'у'],
  ['f', 'ф'],
  ['h', 'х'],
  ['c', 'к'],
  ['j', 'дж'],
  ['q', 'к'],
  ['w', 'в'],
  ['x', 'кс'],
];

function toCyrillic(name: string): string {
  let out = name.toLowerCase();
  for (const [latin, cyr] of CYRILLIC) out = out.replaceAll(latin, cyr);
  return out;
}

function typo(word: string): string {
  const i = 1 + Math.floor(random() * (word.length - 2));
  const op = Math.floor(random() * 4);
  const letters = 'abcdefghiklmnoprstuvz';
  if (op === 0) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  if (op === 1) return word.slice(0, i) + word.slice(i + 1);
  if (op === 2) return word.slice(0, i) + pick([...letters]) + word.slice(i + 1);
  return word.slice(0, i) + pick([...letters]) + word.slice(i);
}

/** "KADYROV, Ramzan Akhmatovich" → ['Ramzan', 'Akhmatovich', 'KADYROV'] (given names first). */
function naturalOrder(name: string): string[] {
  const [last, given] = name.split(',').map((s) => s.trim());
  const parts = given ? [...given.split(/\s+/), ...last!.split(/\s+/)] : last!.split(/\s+/);
  return parts.filter(Boolean);
}

type Kind = 'reordered' | 'typo' | 'transliteration' | 'cyrillic script' | 'initial';
function variant(name: string, kind: Kind): string | null {
  const parts = naturalOrder(name);
  if (parts.length < 2) return null;
  switch (kind) {
    case 'reordered':
      return [...parts.slice(1), parts[0]].join(' ');
    case 'typo': {
      const long = parts.map((p, i) => [p, i] as const).filter(([p]) => p.length >= 5);
      if (!long.length) return null;
      const [p, i] = pick(long);
      return parts.map((q, j) => (j === i ? typo(p) : q)).join(' ');
    }
    case 'transliteration': {
      const text = parts.join(' ');
      const rules = TRANSLIT.filter(([re]) => re.test(text));
      if (!rules.length) return null;
      const [re, to] = pick(rules);
      return text.replace(re, to);
    }
    case 'cyrillic script':
      return toCyrillic(parts.join(' '));
    case 'initial':
      return parts.length >= 2 && parts[0]!.length > 1
        ? `${parts[0]![0]}. ${parts.slice(1).join(' ')}`
        : null;
  }
}

// Unlisted names: European, Armenian and Japanese (see docs/benchmarks.md on what this leaves out).
const GIVEN = (
  'Anna Maria Lucas Emma Noah Olivia Liam Sophie Hugo Clara Felix Ines Tomas Elena Marco Julia Pieter Sanne ' +
  'Aram Anahit Gohar Tigran Lilit Narek Mariam Hovhannes Siranush Armen Nune Davit Astghik Levon Karine ' +
  'Ingrid Lars Freya Mateo Lucia Pablo Chiara Luca Bianca Oskar Zofia Kamil Agnieszka Jan Eva Petra'
).split(' ');
const FAMILY = (
  'Smith Jansen Dubois Rossi Lindqvist Novak Moreau Fischer Kowalski Hansen Bakker Silva Costa Martin Weber ' +
  'Hovsepyan Grigoryan Avetisyan Manukyan Harutyunyan Sahakyan Vardanyan Karapetyan Ghazaryan Abrahamyan ' +
  'Nilsson Bergstrom Horvath Varga Lindgren Castellano Ferreira Okafor Mensah Tanaka Nakamura Kobayashi'
).split(' ');

const lists = { sdn: readOfac(BUNDLED_LISTS_DIR), un: readUn(`${BUNDLED_LISTS_DIR}/UN_consolidated.xml`) };
const entries = lists.sdn.entries;
const aliasCount = entries.reduce((n, e) => n + e.aliases.length, 0);
const matchable = (from: typeof entries, offset = 0): MatchableEntry[] =>
  from.map((e, i) => ({
    ref: i + offset,
    names: [{ name: e.name, kind: 'primary' as const }, ...e.aliases],
  }));

// The labelled set: 6,000 variants of listed individuals, 4,000 names that are not listed.
const individuals = entries.map((e, i) => [e, i] as const).filter(([e]) => e.entryType === 'individual');
const kinds: Kind[] = ['reordered', 'typo', 'transliteration', 'cyrillic script', 'initial'];
const positives: { name: string; truth: number; kind: Kind }[] = [];
while (positives.length < 6000) {
  const [entry, truth] = pick(individuals);
  const kind = kinds[positives.length % kinds.length]!;
  const name = variant(entry.name, kind);
  if (name && nameParts(name).length >= 2) positives.push({ name, truth, kind });
}
const listed = new Set(
  entries
    .flatMap((e) => [e.name, ...e.aliases.map((a) => a.name)])
    .map((n) =>
      nameParts(n)
        .map((p) => p.canon)
        .sort()
        .join(' '),
    ),
);
const negatives: string[] = [];
while (negatives.length < 4000) {
  const name = `${pick(GIVEN)} ${random() < 0.3 ? `${pick(GIVEN)} ` : ''}${pick(FAMILY)}`;
  if (
    !listed.has(
      nameParts(name)
        .map((p) => p.canon)
        .sort()
        .join(' '),
    )
  )
    negatives.push(name);
}

function run(label: string, index: NameIndex, threshold: number) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const posResults = positives.map((p) => index.screen(p.name, { threshold }));
  const negResults = negatives.map((n) => index.screen(n, { threshold }));
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  let found = 0;
  let topRight = 0;
  let answered = 0;
  const byKind = new Map<Kind, { n: number; found: number }>();
  for (const [i, p] of positives.entries()) {
    const matches = posResults[i]!;
    const hit = matches.some((m) => m.ref === p.truth);
    if (hit) found++;
    if (matches.length) answered++;
    if (matches[0]?.ref === p.truth) topRight++;
    const k = byKind.get(p.kind) ?? { n: 0, found: 0 };
    k.n++;
    if (hit) k.found++;
    byKind.set(p.kind, k);
  }
  const falseAlarms = negResults.filter((m) => m.length > 0).length;
  answered += falseAlarms;
  return {
    label,
    threshold,
    ms,
    cpuMs,
    recall: found / positives.length,
    precision: topRight / answered,
    falseAlarmRate: falseAlarms / negatives.length,
    byKind,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
let t = performance.now();
const sdnIndex = new NameIndex(matchable(entries));
const buildMs = performance.now() - t;
t = performance.now();
const bothIndex = new NameIndex([...matchable(entries), ...matchable(lists.un.entries, entries.length)]);
const bothBuildMs = performance.now() - t;

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
console.log(
  `list: OFAC SDN snapshot, ${entries.length} entries + ${aliasCount} aliases = ${sdnIndex.size} names (index built in ${Math.round(buildMs)} ms); ` +
    `SDN + UN: ${bothIndex.size} names (built in ${Math.round(bothBuildMs)} ms)`,
);
console.log(
  `queries: ${positives.length + negatives.length} (${positives.length} labelled variants, ${negatives.length} unlisted names)`,
);
console.log('');
console.log(
  '| lists | threshold | time for 10,000 names (CPU time) | recall | precision (top match) | unlisted names flagged |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
const results = [
  run('SDN', sdnIndex, DEFAULT_THRESHOLD),
  run('SDN', sdnIndex, 0.8),
  run('SDN', sdnIndex, 0.9),
  run('SDN + UN', bothIndex, DEFAULT_THRESHOLD),
];
for (const r of results) {
  console.log(
    `| ${r.label} | ${r.threshold} | ${(r.ms / 1000).toFixed(2)} s (${(r.cpuMs / 1000).toFixed(2)} s) | ${pct(r.recall)} | ${pct(r.precision)} | ${pct(r.falseAlarmRate)} |`,
  );
}
console.log('');
console.log(`recall by variant kind (SDN, threshold ${DEFAULT_THRESHOLD}):`);
console.log('');
console.log('| variant | names | recall |');
console.log('| --- | ---: | ---: |');
for (const [kind, k] of results[0]!.byKind) console.log(`| ${kind} | ${k.n} | ${pct(k.found / k.n)} |`);
