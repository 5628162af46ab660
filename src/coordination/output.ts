// Output files: accounts.csv, edges.csv, communities.json, narratives.json, graph.gexf, graph.graphml,
// summary.md. Times in files are ISO 8601 UTC.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UndirectedGraph } from 'graphology';
import gexf from 'graphology-gexf';
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

/** CSV text; each row becomes its line at once (at 250,000 accounts, arrays of cells for every row at
 * the same time cost more memory than the text). */
function csv(header: string[], count: number, row: (index: number) => unknown[]): string {
  const lines = [header.map(csvCell).join(',')];
  for (let k = 0; k < count; k++) lines.push(row(k).map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}

export function accountsCsv(result: AnalysisResult): string {
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

export function edgesCsv(result: AnalysisResult): string {
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

/** The graph of significant edges: nodes are accounts, attributes say community, score and behaviours. */
export function buildGraph(result: AnalysisResult): UndirectedGraph {
  const graph = new UndirectedGraph();
  const significant = result.edges.filter((e) => e.significant);
  const addNode = (index: number): void => {
    const a = result.accounts[index];
    if (!a || graph.hasNode(a.author)) return;
    graph.addNode(a.author, {
      label: a.authorName ?? a.author,
      community: a.community ?? 0,
      score: a.score,
      flagged: a.flagged,
      posts: a.posts,
    });
  };
  for (const e of significant) {
    addNode(e.a);
    addNode(e.b);
    const a = result.accounts[e.a]?.author as string;
    const b = result.accounts[e.b]?.author as string;
    // Keys of our own: graphology's generated ones start from a random number, and the same analysis must
    // give the same files.
    graph.mergeEdgeWithKey(`${a}--${b}`, a, b, edgeAttributes(e));
  }
  return graph;
}

function edgeAttributes(e: EdgeResult): Record<string, string | number> {
  return {
    weight: e.observedTotal,
    score: round(e.score),
    observed: e.observedTotal,
    expected: round(e.expectedTotal, 6),
    behaviours: e.behaviours.join(' '),
  };
}

export function graphGexf(graph: UndirectedGraph): string {
  return gexf.write(graph, {
    formatNode: (_key, attrs) => ({
      label: String(attrs.label),
      attributes: {
        community: attrs.community,
        score: attrs.score,
        flagged: attrs.flagged,
        posts: attrs.posts,
      },
    }),
    formatEdge: (_key, attrs) => ({
      weight: Number(attrs.weight),
      attributes: {
        score: attrs.score,
        observed: attrs.observed,
        expected: attrs.expected,
        behaviours: attrs.behaviours,
      },
    }),
  });
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
export function graphGraphml(graph: UndirectedGraph): string {
  const nodeKeys: [string, string][] = [
    ['label', 'string'],
    ['community', 'int'],
    ['score', 'double'],
    ['flagged', 'boolean'],
    ['posts', 'int'],
  ];
  const edgeKeys: [string, string][] = [
    ['weight', 'double'],
    ['score', 'double'],
    ['observed', 'int'],
    ['expected', 'double'],
    ['behaviours', 'string'],
  ];
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
  ];
  for (const [name, type] of nodeKeys) {
    out.push(`  <key id="n_${name}" for="node" attr.name="${name}" attr.type="${type}"/>`);
  }
  for (const [name, type] of edgeKeys) {
    out.push(`  <key id="e_${name}" for="edge" attr.name="${name}" attr.type="${type}"/>`);
  }
  out.push('  <graph id="coordination" edgedefault="undirected">');
  graph.forEachNode((node, attrs) => {
    out.push(`    <node id="${xml(node)}">`);
    for (const [name] of nodeKeys) out.push(`      <data key="n_${name}">${xml(String(attrs[name]))}</data>`);
    out.push('    </node>');
  });
  let n = 0;
  graph.forEachEdge((_edge, attrs, source, target) => {
    out.push(`    <edge id="e${n++}" source="${xml(source)}" target="${xml(target)}">`);
    for (const [name] of edgeKeys) out.push(`      <data key="e_${name}">${xml(String(attrs[name]))}</data>`);
    out.push('    </edge>');
  });
  out.push('  </graph>', '</graphml>', '');
  return out.join('\n');
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
    'Scores are -log10 of the chance probability of the observed number of distinct co-actions, given how',
    'active each account is and how crowded the moments it acted in were. A flag is a lead for review, not proof.',
    '',
  );
  return lines.join('\n');
}

export type OutputFile = (typeof OUTPUT_FILES)[number];

/** The seven output files in OUTPUT_FILES order, each made when asked for (so that they need not all be
 * in memory at once). */
export function outputFiles(result: AnalysisResult): [OutputFile, () => string][] {
  let graph: UndirectedGraph | null = null;
  const theGraph = (): UndirectedGraph => {
    graph ??= buildGraph(result);
    return graph;
  };
  const make: Record<OutputFile, () => string> = {
    'accounts.csv': () => accountsCsv(result),
    'edges.csv': () => edgesCsv(result),
    'communities.json': () => communitiesJson(result),
    'narratives.json': () => narrativesJson(result),
    'graph.gexf': () => graphGexf(theGraph()),
    'graph.graphml': () => graphGraphml(theGraph()),
    'summary.md': () => summaryMd(result),
  };
  return OUTPUT_FILES.map((name) => [name, make[name]]);
}

export async function writeOutputs(result: AnalysisResult, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, make] of outputFiles(result)) {
    const path = join(dir, name);
    await writeFile(path, make());
    written.push(path);
  }
  return written;
}
