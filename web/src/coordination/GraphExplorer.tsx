// The graph of a run drawn with sigma.js: accounts coloured by community (Okabe–Ito), zoom buttons, a
// search that centres and highlights an account, and a click on an edge (or on a row of the table behind
// the picture, for keyboard and screen-reader users) that opens the posts behind it.
import { UndirectedGraph } from 'graphology';
import forceAtlas2Module from 'graphology-layout-forceatlas2';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import Sigma from 'sigma';
import { formatNumber, t } from '../i18n/index.ts';
import type { GraphData } from './api.ts';

/** Okabe–Ito, without black (used for text) and yellow (too light on white). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#8C6D1F', '#332288'];
const NEUTRAL = '#9a9a9a';
// The package is CommonJS: its default export is the function itself in the browser bundle.
const forceAtlas2 = ((forceAtlas2Module as { default?: unknown }).default ??
  forceAtlas2Module) as typeof forceAtlas2Module.default;

export function communityColour(community: number | null): string {
  return community === null ? NEUTRAL : (PALETTE[(community - 1) % PALETTE.length] ?? NEUTRAL);
}

/** A stable starting position from the account id, so the same graph is laid out the same way. */
function seeded(id: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return ((h >>> 0) % 10000) / 10000;
}

export function GraphExplorer({
  data,
  onOpenEdge,
}: {
  data: GraphData;
  onOpenEdge: (source: string, target: string) => void;
}) {
  const id = useId();
  const container = useRef<HTMLDivElement | null>(null);
  const renderer = useRef<Sigma | null>(null);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const highlighted = useRef<string | null>(null);
  const openEdge = useRef(onOpenEdge);
  openEdge.current = onOpenEdge;

  const graph = useMemo(() => {
    const g = new UndirectedGraph();
    const byCommunity = new Map<number, number>();
    for (const n of data.nodes) if (n.community !== null) byCommunity.set(n.community, 0);
    const communities = [...byCommunity.keys()].sort((a, b) => a - b);
    for (const n of data.nodes) {
      // Communities start on a circle, each in its own sector, then force-directed layout pulls them apart.
      const k = n.community === null ? -1 : communities.indexOf(n.community);
      const angle =
        k < 0 ? seeded(n.id, 1) * 2 * Math.PI : (k / Math.max(1, communities.length)) * 2 * Math.PI;
      const r = k < 0 ? 12 : 6;
      g.addNode(n.id, {
        label: n.label,
        x: Math.cos(angle) * r + seeded(n.id, 2),
        y: Math.sin(angle) * r + seeded(n.id, 3),
        size: 3 + Math.min(9, Math.sqrt(n.partners) * 1.5),
        color: communityColour(n.community),
        community: n.community,
      });
    }
    for (const e of data.edges) {
      if (!g.hasNode(e.source) || !g.hasNode(e.target) || g.hasEdge(e.source, e.target)) continue;
      g.addEdge(e.source, e.target, {
        size: Math.min(4, 0.5 + Math.log1p(e.observed) / 2),
        color: e.community === null ? '#cfcfcf' : `${communityColour(e.community)}88`,
        weight: e.observed,
      });
    }
    if (g.order > 1) {
      forceAtlas2.assign(g, {
        iterations: g.order > 3000 ? 30 : 120,
        settings: { ...forceAtlas2.inferSettings(g), barnesHutOptimize: g.order > 500 },
      });
    }
    return g;
  }, [data]);

  useEffect(() => {
    if (!container.current) return;
    let sigma: Sigma;
    try {
      sigma = new Sigma(graph, container.current, {
        enableEdgeEvents: true,
        labelRenderedSizeThreshold: 8,
        itemSizesReference: 'screen',
        nodeReducer: (node, attrs) =>
          highlighted.current === null
            ? attrs
            : node === highlighted.current
              ? { ...attrs, highlighted: true, size: (attrs.size ?? 4) * 1.8, zIndex: 1 }
              : graph.hasEdge(node, highlighted.current)
                ? attrs
                : { ...attrs, color: '#dddddd', label: '' },
      });
    } catch {
      setFailed(true);
      return;
    }
    renderer.current = sigma;
    sigma.on('clickEdge', ({ edge }) => {
      const [source, target] = graph.extremities(edge);
      if (source && target) openEdge.current(source, target);
    });
    sigma.on('clickNode', ({ node }) => {
      highlighted.current = node;
      setFound(node);
      sigma.refresh();
    });
    sigma.on('enterEdge', () => {
      if (container.current) container.current.style.cursor = 'pointer';
    });
    sigma.on('leaveEdge', () => {
      if (container.current) container.current.style.cursor = '';
    });
    return () => {
      sigma.kill();
      renderer.current = null;
    };
  }, [graph]);

  const search = (e: React.FormEvent) => {
    e.preventDefault();
    const q = query.trim().toLowerCase();
    if (!q) return;
    const match =
      data.nodes.find((n) => n.id.toLowerCase() === q || n.label.toLowerCase() === q) ??
      data.nodes.find((n) => n.id.toLowerCase().includes(q) || n.label.toLowerCase().includes(q));
    if (!match) {
      setFound(null);
      setMessage(t('coordination.graph.notFound', { query: query.trim() }));
      return;
    }
    setMessage(null);
    setFound(match.id);
    highlighted.current = match.id;
    const sigma = renderer.current;
    if (sigma) {
      sigma.refresh();
      const pos = sigma.getNodeDisplayData(match.id);
      if (pos) void sigma.getCamera().animate({ x: pos.x, y: pos.y, ratio: 0.25 }, { duration: 400 });
    }
  };

  const zoom = (how: 'in' | 'out' | 'reset') => {
    const camera = renderer.current?.getCamera();
    if (!camera) return;
    if (how === 'in') void camera.animatedZoom({ duration: 200 });
    else if (how === 'out') void camera.animatedUnzoom({ duration: 200 });
    else {
      highlighted.current = null;
      setFound(null);
      renderer.current?.refresh();
      void camera.animatedReset({ duration: 200 });
    }
  };

  const node = found ? data.nodes.find((n) => n.id === found) : null;
  const neighbours = found
    ? data.edges.filter((e) => e.source === found || e.target === found).sort((a, b) => b.score - a.score)
    : [];
  const communities = [
    ...new Set(data.nodes.map((n) => n.community).filter((c): c is number => c !== null)),
  ].sort((a, b) => a - b);

  return (
    <div className="coord-graph">
      <div className="coord-graph-tools">
        <form onSubmit={search} className="coord-graph-search">
          <label htmlFor={`${id}-search`}>{t('coordination.graph.search')}</label>
          <input
            id={`${id}-search`}
            type="search"
            value={query}
            list={`${id}-accounts`}
            onChange={(e) => setQuery(e.target.value)}
          />
          <datalist id={`${id}-accounts`}>
            {data.nodes.slice(0, 2000).map((n) => (
              <option key={n.id} value={n.id}>
                {n.label}
              </option>
            ))}
          </datalist>
          <button type="submit" className="button">
            {t('coordination.graph.find')}
          </button>
        </form>
        <div className="coord-graph-zoom">
          <button type="button" className="button button-secondary" onClick={() => zoom('in')}>
            {t('coordination.graph.zoomIn')}
          </button>
          <button type="button" className="button button-secondary" onClick={() => zoom('out')}>
            {t('coordination.graph.zoomOut')}
          </button>
          <button type="button" className="button button-secondary" onClick={() => zoom('reset')}>
            {t('coordination.graph.reset')}
          </button>
        </div>
      </div>
      <p className="note">{t('coordination.graph.howTo')}</p>
      {data.truncated && (
        <p className="note">{t('coordination.graph.truncated', { edges: data.edges.length })}</p>
      )}
      {failed ? (
        <p className="field-error" role="alert">
          {t('coordination.graph.noWebgl')}
        </p>
      ) : (
        <div
          ref={container}
          className="coord-graph-canvas"
          role="img"
          aria-label={t('coordination.graph.label', { nodes: data.nodes.length, edges: data.edges.length })}
          data-testid="coordination-graph"
        />
      )}
      <ul className="coord-legend" aria-label={t('coordination.graph.legend')}>
        {communities.slice(0, 16).map((c) => (
          <li key={c}>
            <span className="coord-swatch" style={{ background: communityColour(c) }} aria-hidden="true" />
            {t('coordination.communityN', { n: c })}
          </li>
        ))}
      </ul>
      <div role="status" className="coord-graph-status">
        {message && <p>{message}</p>}
        {node && (
          <div className="coord-account">
            <h3>{t('coordination.graph.account', { account: node.id })}</h3>
            {node.label !== node.id && <p>{node.label}</p>}
            <p>
              {node.community === null
                ? t('coordination.graph.noCommunity')
                : t('coordination.communityN', { n: node.community })}
              {' · '}
              {t('coordination.graph.partners', { n: node.partners })}
              {' · '}
              {t('coordination.graph.posts', { n: node.posts })}
            </p>
            <p className="small">{node.reasons}</p>
          </div>
        )}
      </div>
      {node && neighbours.length > 0 && (
        <EdgeTable
          caption={t('coordination.graph.edgesOf', { account: node.id })}
          edges={neighbours}
          onOpen={onOpenEdge}
        />
      )}
      {!node && (
        <EdgeTable
          caption={t('coordination.graph.strongest', { n: Math.min(25, data.edges.length) })}
          edges={data.edges.slice(0, 25)}
          onOpen={onOpenEdge}
        />
      )}
    </div>
  );
}

function EdgeTable({
  caption,
  edges,
  onOpen,
}: {
  caption: string;
  edges: GraphData['edges'];
  onOpen: (source: string, target: string) => void;
}) {
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('coordination.edge.accounts')}</th>
            <th scope="col">{t('coordination.edge.behaviours')}</th>
            <th scope="col">{t('coordination.edge.observed')}</th>
            <th scope="col">{t('coordination.edge.expected')}</th>
            <th scope="col">{t('coordination.edge.score')}</th>
            <th scope="col">{t('coordination.edge.posts')}</th>
          </tr>
        </thead>
        <tbody>
          {edges.map((e) => (
            <tr key={`${e.source}\u0000${e.target}`}>
              <td>
                {e.source} — {e.target}
              </td>
              <td>{e.behaviours.join(', ')}</td>
              <td className="num">{formatNumber(e.observed)}</td>
              <td className="num">
                {e.expected < 0.01 ? e.expected.toExponential(1) : e.expected.toFixed(2)}
              </td>
              <td className="num">{e.score.toFixed(1)}</td>
              <td>
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => onOpen(e.source, e.target)}
                >
                  {t('coordination.edge.open', { a: e.source, b: e.target })}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
