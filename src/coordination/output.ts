// Output files: accounts.csv, edges.csv, communities.json, narratives.json, graph.gexf, graph.graphml,
// summary.md. Times in files are ISO 8601 UTC. Each file is made as a sequence of text chunks, written as
// they come: at 250,000 accounts a whole CSV or graph built as one string (and its intermediate pieces)
// was the largest thing the analysis ever held.
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountResult, AnalysisResult, EdgeResult } from './engine.ts';
import { BEHAVIOURS } from './types.ts';

export const OUTPUT_FILES = [
  'accounts.csv',
  'edges.csv',
  'communities.json',
  'narratives.json',
  'graph.gexf',
  'graph.graphml',
  'summary.md',
] as const;

function iso(t: number | null): string {
  return t === null ? '' : new Date(t * 1000).toISOString();
}

/** CSV cell: quoted when needed; a leading = + @ is neutralised so spreadsheets do not run it. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Lines grouped into chunks of about this many characters. */
const CHUNK = 1 << 16;

/** Joins lines (each given without its newline) into chunks of text. */
function* chunked(lines: Iterable<string>): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  for (const line of lines) {
    parts.push(line);
    size += line.length + 1;
    if (size >= CHUNK) {
      parts.push('');
      yield parts.join('\n');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) {
    parts.push('');
    yield parts.join('\n');
  }
}

/** CSV text, a chunk of rows at a time. */
function* csv(header: string[], count: number, row: (index: number) => unknown[]): Generator<string> {
  yield* chunked(
    (function* () {
      yield header.map(csvCell).join(',');
      for (let k = 0; k < count; k++) yield row(k).map(csvCell).join(',');
    })(),
  );
}

export function accountsCsv(result: AnalysisResult): Generator<string> {
  const header = [
    'author',
    'community',
    'score',
    'flagged',
    'reasons',
    'author_name',
    'posts',
    'partners',
    'behaviours',
    'author_created_at',
    'followers',
  ];
  const sorted = [...result.accounts].sort(
    (x, y) => Number(y.flagged) - Number(x.flagged) || y.score - x.score || (x.author < y.author ? -1 : 1),
  );
  return csv(header, sorted.length, (k) => {
    const a = sorted[k] as AccountResult;
    return [
      a.author,
      a.community ?? '',
      a.score,
      a.flagged ? 'true' : 'false',
      a.reasons,
      a.authorName ?? '',
      a.posts,
      a.partners,
      a.behaviours.join(' '),
      iso(a.authorCreatedAt),
      a.followers ?? '',
    ];
  });
}

export function edgesCsv(result: AnalysisResult): Generator<string> {
  const header = [
    'source',
    'target',
    'significant',
    'score',
    'observed',
    'expected',
    'behaviours',
    'community',
    ...BEHAVIOURS.flatMap((b) => [`${b}_observed`, `${b}_expected`]),
  ];
  return csv(header, result.edges.length, (k) => {
    const e = result.edges[k] as EdgeResult;
    const a = result.accounts[e.a];
    const b = result.accounts[e.b];
    const community = a && a.community !== null && a.community === b?.community ? a.community : '';
    return [
      a?.author,
      b?.author,
      e.significant ? 'true' : 'false',
      round(e.score),
      e.observedTotal,
      round(e.expectedTotal, 6),
      e.behaviours.join(' '),
      community,
      ...BEHAVIOURS.flatMap((beh) => [e.observed[beh], round(e.expected[beh], 6)]),
    ];
  });
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function communitiesJson(result: AnalysisResult): string {
  return `${JSON.stringify(
    {
      communities: result.communities.map((c) => ({
        id: c.id,
        size: c.size,
        posts: c.posts,
        edges: c.edges,
        density: c.density,
        behaviours: c.behaviours,
        accounts: c.accounts.map((a) => ({ author: a.author, author_name: a.authorName, score: a.score })),
        top_texts: c.topTexts,
        top_links: c.topLinks,
        top_hashtags: c.topHashtags,
        activity: { bin: c.activity.bin, start: iso(c.activity.start), counts: c.activity.counts },
        account_creation: {
          known: c.accountCreation.known,
          earliest: iso(c.accountCreation.earliest),
          latest: iso(c.accountCreation.latest),
          by_month: c.accountCreation.byMonth,
        },
        exemplars: c.exemplars.map((p) => ({
          id: p.id,
          author: p.author,
          created_at: iso(p.createdAt),
          text: p.text,
        })),
      })),
    },
    null,
    2,
  )}\n`;
}

export function narrativesJson(result: AnalysisResult): string {
  return `${JSON.stringify(
    {
      narratives: result.narratives.map((n) => ({
        id: n.id,
        text: n.text,
        posts: n.posts,
        accounts: n.accounts,
        flagged_posts: n.flaggedPosts,
        first_post: n.firstPost
          ? { id: n.firstPost.id, author: n.firstPost.author, created_at: iso(n.firstPost.createdAt) }
          : null,
        first_at: iso(n.firstAt),
        last_at: iso(n.lastAt),
        spread: { bin: n.spread.bin, start: iso(n.spread.start), counts: n.spread.counts },
        communities: n.communities,
      })),
    },
    null,
    2,
  )}\n`;
}

/** The graph of significant edges: nodes are accounts (in the order the edges, strongest first, meet
 * them), edges carry their counts and behaviours. */
export interface CoordinationGraph {
  nodes: AccountResult[];
  edges: { source: string; target: string; edge: EdgeResult }[];
}

export function buildGraph(result: AnalysisResult): CoordinationGraph {
  const seen = new Uint8Array(result.accounts.length);
  const nodes: AccountResult[] = [];
  const edges: CoordinationGraph['edges'] = [];
  const addNode = (index: number): AccountResult | undefined => {
    const a = result.accounts[index];
    if (a && seen[index] === 0) {
      seen[index] = 1;
      nodes.push(a);
    }
    return a;
  };
  for (const e of result.edges) {
    if (!e.significant) continue;
    const a = addNode(e.a);
    const b = addNode(e.b);
    // Each pair of accounts has one edge at most (pairs are counted once).
    if (a && b) edges.push({ source: a.author, target: b.author, edge: e });
  }
  return { nodes, edges };
}

const NODE_ATTRIBUTES: [name: string, gexfType: string, graphmlType: string][] = [
  ['community', 'integer', 'int'],
  ['score', 'double', 'double'],
  ['flagged', 'boolean', 'boolean'],
  ['posts', 'integer', 'int'],
];
const EDGE_ATTRIBUTES: [name: string, gexfType: string, graphmlType: string][] = [
  ['score', 'double', 'double'],
  ['observed', 'integer', 'int'],
  ['expected', 'double', 'double'],
  ['behaviours', 'string', 'string'],
];

function nodeValues(a: AccountResult): (string | number | boolean)[] {
  return [a.community ?? 0, a.score, a.flagged, a.posts];
}

function edgeValues(e: EdgeResult): (string | number)[] {
  return [round(e.score), e.observedTotal, round(e.expectedTotal, 6), e.behaviours.join(' ')];
}

/** GEXF 1.2 by hand, as GraphML is: graphology-gexf builds the whole document through an XML writer,
 * which took 2 s and 340 MiB of short-lived memory for a 22 MB graph of 60,000 edges. */
export function* graphGexf(graph: CoordinationGraph): Generator<string> {
  yield* chunked(
    (function* () {
      yield '<?xml version="1.0" encoding="UTF-8"?>';
      yield '<gexf version="1.2" xmlns="http://www.gexf.net/1.2draft">';
      yield '  <meta/>';
      yield '  <graph defaultedgetype="undirected">';
      for (const [cls, attributes] of [
        ['node', NODE_ATTRIBUTES],
        ['edge', EDGE_ATTRIBUTES],
      ] as const) {
        yield `    <attributes class="${cls}">`;
        for (const [name, type] of attributes) {
          yield `      <attribute id="${name}" title="${name}" type="${type}"/>`;
        }
        yield '    </attributes>';
      }
      yield '    <nodes>';
      for (const a of graph.nodes) {
        yield `      <node id="${xml(a.author)}" label="${xml(a.authorName ?? a.author)}">`;
        yield '        <attvalues>';
        const values = nodeValues(a);
        for (let k = 0; k < NODE_ATTRIBUTES.length; k++) {
          const name = (NODE_ATTRIBUTES[k] as [string, string, string])[0];
          yield `          <attvalue for="${name}" value="${xml(String(values[k]))}"/>`;
        }
        yield '        </attvalues>';
        yield '      </node>';
      }
      yield '    </nodes>';
      yield '    <edges>';
      for (const { source, target, edge } of graph.edges) {
        const s = xml(source);
        const t = xml(target);
        yield `      <edge id="${s}--${t}" source="${s}" target="${t}" weight="${edge.observedTotal}">`;
        yield '        <attvalues>';
        const values = edgeValues(edge);
        for (let k = 0; k < EDGE_ATTRIBUTES.length; k++) {
          const name = (EDGE_ATTRIBUTES[k] as [string, string, string])[0];
          yield `          <attvalue for="${name}" value="${xml(String(values[k]))}"/>`;
        }
        yield '        </attvalues>';
        yield '      </edge>';
      }
      yield '    </edges>';
      yield '  </graph>';
      yield '</gexf>';
    })(),
  );
}

function xml(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    // XML 1.0 forbids most control characters, even escaped.
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) continue;
    out += c === 60 || c === 62 || c === 38 || c === 34 || c === 39 ? `&#${c};` : ch;
  }
  return out;
}

/** GraphML by hand: graphology-graphml only parses. Keys are declared with types so Gephi reads them. */
export function* graphGraphml(graph: CoordinationGraph): Generator<string> {
  const nodeKeys: [string, string][] = [
    ['label', 'string'],
    ...NODE_ATTRIBUTES.map(([name, , type]): [string, string] => [name, type]),
  ];
  const edgeKeys: [string, string][] = [
    ['weight', 'double'],
    ...EDGE_ATTRIBUTES.map(([name, , type]): [string, string] => [name, type]),
  ];
  yield* chunked(
    (function* () {
      yield '<?xml version="1.0" encoding="UTF-8"?>';
      yield '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">';
      for (const [name, type] of nodeKeys) {
        yield `  <key id="n_${name}" for="node" attr.name="${name}" attr.type="${type}"/>`;
      }
      for (const [name, type] of edgeKeys) {
        yield `  <key id="e_${name}" for="edge" attr.name="${name}" attr.type="${type}"/>`;
      }
      yield '  <graph id="coordination" edgedefault="undirected">';
      for (const a of graph.nodes) {
        yield `    <node id="${xml(a.author)}">`;
        const values = [a.authorName ?? a.author, ...nodeValues(a)];
        for (let k = 0; k < nodeKeys.length; k++) {
          yield `      <data key="n_${(nodeKeys[k] as [string, string])[0]}">${xml(String(values[k]))}</data>`;
        }
        yield '    </node>';
      }
      let n = 0;
      for (const { source, target, edge } of graph.edges) {
        yield `    <edge id="e${n++}" source="${xml(source)}" target="${xml(target)}">`;
        const values = [edge.observedTotal, ...edgeValues(edge)];
        for (let k = 0; k < edgeKeys.length; k++) {
          yield `      <data key="e_${(edgeKeys[k] as [string, string])[0]}">${xml(String(values[k]))}</data>`;
        }
        yield '    </edge>';
      }
      yield '  </graph>';
      yield '</graphml>';
    })(),
  );
}

export function summaryMd(result: AnalysisResult): string {
  const { stats, read, options } = result;
  const flagged = result.accounts.filter((a) => a.flagged).length;
  const lines: string[] = [
    '# Coordination analysis',
    '',
    `- Input: ${read.files.length ? read.files.join(', ') : '(in memory)'}`,
    `- Posts read: ${stats.posts.toLocaleString('en')} from ${stats.accounts.toLocaleString('en')} accounts` +
      (stats.timeSpan.start !== null ? `, ${iso(stats.timeSpan.start)} to ${iso(stats.timeSpan.end)}` : ''),
    `- Malformed records skipped: ${read.malformed}` +
      (read.malformedSamples.length
        ? ` (first: ${read.malformedSamples
            .slice(0, 5)
            .map((m) => `${m.file}:${m.line} ${m.reason}`)
            .join('; ')})`
        : ''),
    `- Windows (s): ${BEHAVIOURS.map((b) => `${b} ${options.windows[b]}`).join(', ')}; text similarity ≥ ${options.textSimilarity}`,
    `- Candidate pairs: ${stats.candidatePairsExact === false ? 'about ' : ''}${stats.candidatePairs.toLocaleString('en')}; tested (≥ ${options.minCoActions} co-actions): ${stats.testedPairs.toLocaleString('en')}; significant: ${stats.significantPairs.toLocaleString('en')} (score ≥ ${stats.scoreThreshold}, i.e. p ≤ ${options.alpha} / candidate pairs)`,
    `- Flagged accounts: ${flagged} in ${result.communities.length} communities (size ≥ ${options.minCommunitySize})`,
    `- Narratives (near-identical text clusters with ≥ ${options.minNarrativePosts} posts): ${stats.narrativeClusters} (${result.narratives.length} written)`,
    '',
  ];
  if (result.communities.length === 0) {
    lines.push('No coordinated communities were found at these settings.', '');
  } else {
    lines.push(
      '## Communities',
      '',
      '| # | accounts | behaviours (observed vs expected co-actions) | top text |',
      '|---|---|---|---|',
    );
    for (const c of result.communities.slice(0, 20)) {
      const behaviours = BEHAVIOURS.filter((b) => c.behaviours[b].edges > 0)
        .map((b) => `${b} ${c.behaviours[b].observed} vs ${c.behaviours[b].expected}`)
        .join(', ');
      const text = (c.topTexts[0]?.value ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 80);
      lines.push(`| ${c.id} | ${c.size} | ${behaviours} | ${text} |`);
    }
    lines.push('');
  }
  if (result.narratives.length > 0) {
    lines.push(
      '## Top narratives',
      '',
      '| # | posts | accounts | flagged posts | first posted | text |',
      '|---|---|---|---|---|---|',
    );
    for (const n of result.narratives.slice(0, 10)) {
      const text = n.text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 80);
      lines.push(
        `| ${n.id} | ${n.posts} | ${n.accounts} | ${n.flaggedPosts} | ${iso(n.firstAt)} | ${text} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    'Scores are -log10 of the chance probability of the observed number of co-action moments, given how',
    'active each account is and how crowded the moments it acted in were. A flag is a lead for review, not proof.',
    '',
  );
  return lines.join('\n');
}

export type OutputFile = (typeof OUTPUT_FILES)[number];

/** The seven output files in OUTPUT_FILES order, each made as chunks of text when asked for (so that no
 * file need be in memory whole). */
export function outputFiles(result: AnalysisResult): [OutputFile, () => Iterable<string>][] {
  let graph: CoordinationGraph | null = null;
  const theGraph = (): CoordinationGraph => {
    graph ??= buildGraph(result);
    return graph;
  };
  const make: Record<OutputFile, () => Iterable<string>> = {
    'accounts.csv': () => accountsCsv(result),
    'edges.csv': () => edgesCsv(result),
    'communities.json': () => [communitiesJson(result)],
    'narratives.json': () => [narrativesJson(result)],
    'graph.gexf': () => graphGexf(theGraph()),
    'graph.graphml': () => graphGraphml(theGraph()),
    'summary.md': () => [summaryMd(result)],
  };
  return OUTPUT_FILES.map((name) => [name, make[name]]);
}

/** A file's whole text (for files kept in the database). */
export function fileText(chunks: Iterable<string>): string {
  return [...chunks].join('');
}

export async function writeOutputs(result: AnalysisResult, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, make] of outputFiles(result)) {
    const path = join(dir, name);
    const file = await open(path, 'w');
    try {
      for (const chunk of make()) await file.write(chunk);
    } finally {
      await file.close();
    }
    written.push(path);
  }
  return written;
}
