// Communities of the significant-edge graph: connected components first (cheap, and Louvain cannot
// join what is disconnected anyway), then Louvain (graphology) inside each component big enough to split.
import { UndirectedGraph } from 'graphology';
import louvainModule from 'graphology-communities-louvain';

// The package is CommonJS with an ES-style d.ts: at run time the default import is the function itself.
const louvain = (louvainModule.default ?? louvainModule) as typeof louvainModule.default;

export interface WeightedEdge {
  a: number;
  b: number;
  weight: number;
}

/** Deterministic PRNG so that the same input and seed give the same communities. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Community of every node that has an edge; communities are numbered 1.. by size (largest first). */
export function detectCommunities(
  edges: WeightedEdge[],
  resolution: number,
  seed: number,
): Map<number, number> {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    for (;;) {
      const p = parent.get(r);
      if (p === undefined || p === r) break;
      r = p;
    }
    parent.set(x, r);
    return r;
  };
  for (const e of edges) {
    if (!parent.has(e.a)) parent.set(e.a, e.a);
    if (!parent.has(e.b)) parent.set(e.b, e.b);
    const ra = find(e.a);
    const rb = find(e.b);
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
  const components = new Map<number, { nodes: number[]; edges: WeightedEdge[] }>();
  for (const node of parent.keys()) {
    const r = find(node);
    let c = components.get(r);
    if (!c) {
      c = { nodes: [], edges: [] };
      components.set(r, c);
    }
    c.nodes.push(node);
  }
  for (const e of edges) components.get(find(e.a))?.edges.push(e);

  const groups: number[][] = [];
  const rng = mulberry32(seed);
  for (const { nodes, edges: compEdges } of components.values()) {
    if (nodes.length < 4) {
      groups.push(nodes);
      continue;
    }
    const graph = new UndirectedGraph();
    for (const n of nodes) graph.addNode(String(n));
    for (const e of compEdges) graph.mergeEdge(String(e.a), String(e.b), { weight: e.weight });
    const assignment = louvain(graph, { resolution, rng, getEdgeWeight: 'weight' });
    const split = new Map<number, number[]>();
    for (const n of nodes) {
      const c = assignment[String(n)] ?? -1;
      let list = split.get(c);
      if (!list) {
        list = [];
        split.set(c, list);
      }
      list.push(n);
    }
    for (const list of split.values()) groups.push(list);
  }
  for (const g of groups) g.sort((x, y) => x - y);
  groups.sort((x, y) => y.length - x.length || (x[0] as number) - (y[0] as number));
  const result = new Map<number, number>();
  groups.forEach((g, i) => {
    for (const n of g) result.set(n, i + 1);
  });
  return result;
}
