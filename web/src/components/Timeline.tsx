// The incident timeline, drawn as SVG: a month axis spanning the data, the situation period shaded and the
// earlier context left plain, one symbol per incident at its start (a bar to its end date; a month-precision
// date spans its whole month, as it is not known to the day), stacked in lanes so none overlap. Each symbol
// is a link named "date — title"; the table beside it is the accessible alternative.
import { type MouseEvent, type RefObject, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { Incident } from '../api/types.ts';
import { t } from '../i18n/index.ts';
import { categoryStyle, OUTLINE, shapePath } from '../lib/categories.ts';
import { endMs, formatRange, monthLabel, startMs } from '../lib/dates.ts';

const DAY = 86_400_000;
const MARGIN = { left: 14, right: 14, top: 30, bottom: 44 };
// Each entry is a link at least 24 × 24 px (WCAG 2.2 target size), boxes never overlap.
const TARGET = 24;
const HALF = TARGET / 2;
const LANE = TARGET + 4;
const R = 6;
const MIN_WIDTH = 640;

interface Placed {
  incident: Incident;
  lane: number;
  cx: number;
  x0: number;
  x1: number;
  /** The link's box. */
  left: number;
  right: number;
  span: boolean;
  name: string;
}

function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function nextMonth(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width ?? 0;
      setWidth(Math.round(w));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}

export interface TimelineProps {
  incidents: Incident[];
  periodStart: string;
  periodEnd: string | null;
  contextFrom: string | null;
  labelledBy: string;
  onOpen: (id: string) => void;
}

export function Timeline({
  incidents,
  periodStart,
  periodEnd,
  contextFrom,
  labelledBy,
  onOpen,
}: TimelineProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const measured = useWidth(wrap);
  const width = Math.max(MIN_WIDTH, measured || 960);
  const descId = useId();

  const layout = useMemo(() => {
    const starts = incidents.map((i) => startMs(i.start));
    const ends = incidents.map((i) =>
      endMs(i.end ?? i.start, i.end ? (i.endPrecision ?? undefined) : i.startPrecision),
    );
    const p0 = startMs(periodStart);
    const p1 = periodEnd ? endMs(periodEnd) : null;
    const lo = Math.min(p0, ...starts, ...(contextFrom ? [startMs(contextFrom)] : []));
    const hi = Math.max(p1 ?? p0, ...ends);
    const d0 = monthStart(lo);
    const d1 = nextMonth(hi);
    const inner = width - MARGIN.left - MARGIN.right;
    const x = (ms: number) => MARGIN.left + ((ms - d0) / (d1 - d0)) * inner;

    const laneEnds: number[] = [];
    const placed: Placed[] = [];
    const sorted = [...incidents].sort(
      (a, b) => startMs(a.start) - startMs(b.start) || a.title.localeCompare(b.title),
    );
    for (const i of sorted) {
      const s = startMs(i.start);
      const monthOnly = i.startPrecision === 'month';
      const sEnd = endMs(i.start, i.startPrecision) + DAY;
      const e = i.end ? endMs(i.end, i.endPrecision ?? undefined) + DAY : sEnd;
      const cx = monthOnly && !i.end ? x((s + sEnd) / 2) : x(s);
      const left = Math.min(x(s) - 2, cx - HALF);
      const right = Math.max(x(e) + 2, cx + HALF);
      const span = x(e) - x(s) > R * 1.5;
      let lane = laneEnds.findIndex((end) => end + 2 <= left);
      if (lane < 0) {
        lane = laneEnds.length;
        laneEnds.push(right);
      } else laneEnds[lane] = right;
      const name = `${formatRange(i.start, i.startPrecision, i.end, i.endPrecision)} — ${i.title}`;
      placed.push({ incident: i, lane, cx, x0: x(s), x1: x(e), left, right, span, name });
    }
    const lanes = Math.max(1, laneEnds.length);
    const axisY = MARGIN.top + lanes * LANE + 8;
    const height = axisY + MARGIN.bottom;

    const pxPerMonth = inner / ((d1 - d0) / (30.44 * DAY));
    const every = pxPerMonth >= 34 ? 1 : pxPerMonth >= 16 ? 3 : 6;
    const ticks: { x: number; label: string | null; year: boolean }[] = [];
    for (let m = d0; m <= d1; m = nextMonth(m)) {
      const d = new Date(m);
      const month = d.getUTCMonth();
      const year = month === 0;
      const label = year ? String(d.getUTCFullYear()) : month % every === 0 ? monthLabel(m) : null;
      ticks.push({ x: x(m), label, year });
    }
    const period = { x0: x(p0), x1: p1 === null ? x(d1) : x(p1 + DAY) };
    return { placed, axisY, height, ticks, period, firstYear: new Date(d0).getUTCFullYear() };
  }, [incidents, periodStart, periodEnd, contextFrom, width]);

  const open = (id: string) => (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    onOpen(id);
  };

  const { placed, axisY, height, ticks, period } = layout;

  // On a narrow screen the drawing scrolls sideways: start at the situation period, not the earliest context.
  const scrolled = useRef(false);
  useEffect(() => {
    const el = wrap.current;
    if (!el || scrolled.current || measured === 0) return;
    scrolled.current = true;
    if (el.scrollWidth > el.clientWidth) el.scrollLeft = Math.max(0, period.x0 - 48);
  }, [measured, period.x0]);
  const laneY = (lane: number) => MARGIN.top + lane * LANE + LANE / 2;
  const hasContext = period.x0 > MARGIN.left + 40;

  return (
    <div className="timeline-scroll" ref={wrap}>
      <p id={descId} className="visually-hidden">
        {t('timeline.description')}
      </p>
      <div className="timeline-canvas" style={{ width, height }}>
        <svg className="timeline-axis" width={width} height={height} aria-hidden="true" focusable="false">
          <rect
            className="tl-period"
            x={period.x0}
            y={MARGIN.top - 22}
            width={Math.max(0, period.x1 - period.x0)}
            height={axisY - MARGIN.top + 22}
          />
          <text className="tl-period-label" x={period.x0 + 6} y={MARGIN.top - 8}>
            {t('timeline.period')}
          </text>
          {hasContext && (
            <text className="tl-context-label" x={MARGIN.left + 2} y={MARGIN.top - 8}>
              {t('timeline.context')}
            </text>
          )}
          <line className="tl-axis" x1={MARGIN.left} x2={width - MARGIN.right} y1={axisY} y2={axisY} />
          {ticks.map((tk) => (
            <g key={tk.x}>
              {tk.year && (
                <line className="tl-year-grid" x1={tk.x} x2={tk.x} y1={MARGIN.top - 22} y2={axisY} />
              )}
              <line className="tl-tick" x1={tk.x} x2={tk.x} y1={axisY} y2={axisY + (tk.year ? 8 : 4)} />
              {tk.label && (
                <text className={tk.year ? 'tl-label tl-label-year' : 'tl-label'} x={tk.x + 2} y={axisY + 20}>
                  {tk.label}
                </text>
              )}
            </g>
          ))}
        </svg>
        <ol className="timeline-items" aria-labelledby={labelledBy} aria-describedby={descId}>
          {placed.map((p) => {
            const { colour, shape } = categoryStyle(p.incident.category);
            const y = laneY(p.lane);
            const { left } = p;
            const w = p.right - p.left;
            const h = TARGET;
            const top = y - HALF;
            return (
              <li key={p.incident.id} style={{ left, top, width: w, height: h }}>
                <a
                  href={`/incidents/${encodeURIComponent(p.incident.id)}`}
                  className="tl-item"
                  title={p.name}
                  onClick={open(p.incident.id)}
                >
                  <svg
                    width={w}
                    height={h}
                    viewBox={`${left} ${top} ${w} ${h}`}
                    aria-hidden="true"
                    focusable="false"
                  >
                    {p.span && (
                      <rect
                        x={p.x0}
                        y={y - 3}
                        width={Math.max(2, p.x1 - p.x0)}
                        height={6}
                        rx={3}
                        fill={colour}
                        stroke={OUTLINE}
                        strokeWidth={0.75}
                        opacity={p.incident.startPrecision === 'month' && !p.incident.end ? 0.55 : 0.85}
                      />
                    )}
                    <path
                      d={shapePath(shape, R)}
                      transform={`translate(${p.cx},${y})`}
                      fill={colour}
                      stroke={OUTLINE}
                      strokeWidth={1.25}
                    />
                  </svg>
                  <span className="visually-hidden">{p.name}</span>
                </a>
              </li>
            );
          })}
        </ol>
      </div>
    </div>
  );
}
