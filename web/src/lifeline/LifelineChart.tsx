// The lifeline chart, drawn as SVG: what was delivered per day against what was needed, over the chosen
// window. Daily figures are bars; a period total is a flat segment at its per-day average (labelled as an
// average, never split into invented daily figures); the needed rate is a dashed line. Corridor closures
// are shaded behind, utility cuts are bands in lanes underneath. Every mark is focusable, named, and opens
// its details and sources below the chart; the tables under the chart hold the same data.
import {
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from 'react';
import type {
  Disruption,
  LifelineConflict,
  LifelinePeriod,
  LifelineSeries,
  LifelineSource,
} from '../api/types.ts';
import { hostOf } from '../components/SourceLinks.tsx';
import { formatNumber, t, tMaybe } from '../i18n/index.ts';
import { OKABE_ITO, OUTLINE } from '../lib/categories.ts';
import { formatDate, formatPeriod, monthLabel, startMs } from '../lib/dates.ts';

const DAY = 86_400_000;
const M = { left: 96, right: 16, top: 22, plot: 240, gap: 34, lane: 24, bottom: 30 };
const UTILITIES = ['gas', 'electricity', 'internet'] as const;
export const UTILITY_COLOUR: Record<string, string> = {
  gas: OKABE_ITO.orange,
  electricity: OKABE_ITO.yellow,
  internet: OKABE_ITO.reddishPurple,
};
export const COLOUR = { needed: OKABE_ITO.blue, daily: OKABE_ITO.vermillion, average: OKABE_ITO.bluishGreen };

export interface Selection {
  key: string;
  title: string;
  lines: string[];
  sources: LifelineSource[];
  conflict?: LifelineConflict;
}

export function utilityLabel(kind: string): string {
  return tMaybe(`lifeline.utility.${kind}`, kind);
}

export function statusLabel(status: string): string {
  return tMaybe(`lifeline.status.${status}`, status);
}

function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [w, setW] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver((e) => setW(Math.round(e[0]?.contentRect.width ?? 0)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, w];
}

export function SourceList({ sources }: { sources: LifelineSource[] }) {
  if (sources.length === 0) return <span className="muted">{t('source.none')}</span>;
  return (
    <span className="source-links">
      {t('source.accordingTo')}{' '}
      {sources.map((s, i) => (
        <span key={s.url}>
          {i > 0 && ', '}
          <a href={s.url} rel="noopener noreferrer external">
            {s.outlet ?? hostOf(s.url)}
          </a>
        </span>
      ))}
    </span>
  );
}

/** Competing figures for the same period, side by side, with the one used and why. */
export function ConflictSideBySide({ conflict }: { conflict: LifelineConflict }) {
  return (
    <div className="side-by-side">
      {conflict.figures.map((f) => (
        <div key={f.id} className={f.ref === conflict.used ? 'compare-card compare-used' : 'compare-card'}>
          <p className="compare-figure">
            {f.qualifier ? `${f.qualifier} ` : ''}
            {formatNumber(f.quantity)} {f.unit}
          </p>
          <p className="muted">
            {f.ref} · {formatPeriod(f.periodStart, f.periodEnd)}
          </p>
          {f.ref === conflict.used && <p className="badge badge-phase">{t('lifeline.used')}</p>}
          <SourceList sources={f.sources} />
        </div>
      ))}
      <p className="side-by-side-why">{t('lifeline.usedWhy', { ref: conflict.used, why: conflict.why })}</p>
    </div>
  );
}

function activate(select: () => void) {
  return (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      select();
    }
  };
}

export function LifelineChart({
  series,
  labelledBy,
  selected,
  onSelect,
}: {
  series: LifelineSeries;
  labelledBy: string;
  selected: string | null;
  onSelect: (s: Selection) => void;
}) {
  const [wrap, measured] = useWidth();
  const width = Math.max(560, measured || 960);
  const descId = useId();
  const hatch = useId().replace(/:/g, '');
  const lanes = UTILITIES.length;
  const plotBottom = M.top + M.plot;
  const laneTop = plotBottom + M.gap;
  const axisY = laneTop + lanes * M.lane + 6;
  const height = axisY + M.bottom;

  const geo = useMemo(() => {
    const from = startMs(series.window.from);
    const days = series.window.days;
    const inner = width - M.left - M.right;
    const x = (date: string) => M.left + ((startMs(date) - from) / DAY / days) * inner;
    const xEnd = (date: string) => x(date) + inner / days; // the end of that day
    const yMax =
      Math.max(
        1,
        ...series.days.map((d) => Math.max(d.needed ?? 0, d.delivered ?? 0, d.periodAverage ?? 0)),
      ) * 1.12;
    const y = (v: number) => plotBottom - (v / yMax) * M.plot;
    const clampStart = (d: string) => (d < series.window.from ? series.window.from : d);
    const clampEnd = (d: string | null) => (!d || d > series.window.to ? series.window.to : d);
    return { x, xEnd, y, yMax, inner, clampStart, clampEnd, dayW: inner / days };
  }, [series, width, plotBottom]);

  const { x, xEnd, y, yMax, clampStart, clampEnd, dayW } = geo;

  // Needed: a step line over the days that have a value.
  const neededPath = useMemo(() => {
    let d = '';
    let prev: number | null = null;
    for (const day of series.days) {
      if (day.needed === null) {
        prev = null;
        continue;
      }
      const yy = y(day.needed);
      d += prev === null ? `M${x(day.date)},${yy}` : `V${yy}`;
      d += `H${xEnd(day.date)}`;
      prev = day.needed;
    }
    return d;
  }, [series.days, x, xEnd, y]);

  const ticks = useMemo(() => {
    const out: { x: number; label: string }[] = [];
    const start = new Date(startMs(series.window.from));
    let m = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + (start.getUTCDate() > 1 ? 1 : 0), 1);
    const end = startMs(series.window.to);
    const monthsTotal = (end - m) / (30.44 * DAY);
    const every = width / Math.max(1, monthsTotal) >= 48 ? 1 : width / Math.max(1, monthsTotal) >= 24 ? 2 : 3;
    let i = 0;
    while (m <= end) {
      const d = new Date(m);
      if (i % every === 0) {
        const iso = d.toISOString().slice(0, 10);
        const label =
          d.getUTCMonth() === 0 || out.length === 0
            ? `${monthLabel(m)} ${d.getUTCFullYear()}`
            : monthLabel(m);
        out.push({ x: x(iso), label });
      }
      m = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      i++;
    }
    return out;
  }, [series.window, x, width]);

  const yTicks = useMemo(() => {
    const step =
      [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000].find((s) => yMax / s <= 5) ?? 10_000;
    const out: number[] = [];
    for (let v = 0; v <= yMax; v += step) out.push(v);
    return out;
  }, [yMax]);

  const unit = series.unit;
  const conflictFor = (p: LifelinePeriod) =>
    series.contested.find((c) => c.figures.some((f) => f.ref === p.ref));

  const selectPeriod = (p: LifelinePeriod) =>
    onSelect({
      key: `period:${p.ref}`,
      title: periodName(p, unit),
      lines: [t('lifeline.chart.periodNote')],
      sources: p.sources,
      ...(conflictFor(p) ? { conflict: conflictFor(p)! } : {}),
    });
  const selectDisruption = (d: Disruption, name: string) =>
    onSelect({ key: `dis:${d.id}`, title: name, lines: d.note ? [d.note] : [], sources: d.sources });

  const mark = (key: string, name: string, select: () => void, children: ReactNode) => (
    // biome-ignore lint/a11y/useSemanticElements: an SVG mark cannot be an HTML button
    <g
      key={key}
      role="button"
      tabIndex={0}
      aria-label={name}
      aria-pressed={selected === key}
      className={selected === key ? 'chart-mark chart-mark-selected' : 'chart-mark'}
      onClick={select}
      onKeyDown={activate(select)}
    >
      <title>{name}</title>
      {children}
    </g>
  );

  const corridor = series.closures.filter((c) => c.basis === 'interval');
  const cutsByKind = (kind: string) => series.utilityCuts.filter((c) => c.kind === kind);

  return (
    <div className="chart-scroll" ref={wrap}>
      <p id={descId} className="visually-hidden">
        {t('lifeline.chart.description')}
      </p>
      {/* biome-ignore lint/a11y/useSemanticElements: an SVG drawing holding focusable marks is a group */}
      <svg
        className="lifeline-chart"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="group"
        aria-labelledby={labelledBy}
        aria-describedby={descId}
      >
        <defs>
          <pattern
            id={`${hatch}-closed`}
            width="6"
            height="6"
            patternUnits="userSpaceOnUse"
            patternTransform="rotate(45)"
          >
            <rect width="6" height="6" fill="#d4d4d8" />
            <line x1="0" y1="0" x2="0" y2="6" stroke="#52525b" strokeWidth="2" />
          </pattern>
          <pattern
            id={`${hatch}-open`}
            width="6"
            height="6"
            patternUnits="userSpaceOnUse"
            patternTransform="rotate(45)"
          >
            <rect width="6" height="6" fill="#ffffff" />
            <line x1="0" y1="0" x2="0" y2="6" stroke="#334155" strokeWidth="1.5" />
          </pattern>
        </defs>
        {/* Corridor status behind the plot */}
        {corridor.map((c) => {
          const s = clampStart(c.startsOn);
          const e = clampEnd(c.endsOn ?? c.confirmedUntil);
          if (s > series.window.to || e < series.window.from) return null;
          const closed = c.status === 'closed';
          const name = t('lifeline.chart.corridorName', {
            status: statusLabel(c.status),
            period: formatPeriod(c.startsOn, c.endsOn),
            ref: c.ref ?? '',
          });
          return mark(
            `dis:${c.id}`,
            name,
            () => selectDisruption(c, name),
            <>
              <rect
                x={x(s)}
                y={M.top}
                width={Math.max(2, xEnd(e) - x(s))}
                height={M.plot}
                fill={closed ? `url(#${hatch}-closed)` : '#eef2f7'}
                opacity={closed ? 0.75 : 1}
              />
              {xEnd(e) - x(s) > 110 && (
                <text className="chart-band-label" x={x(s) + 4} y={M.top - 6}>
                  {statusLabel(c.status)}
                </text>
              )}
            </>,
          );
        })}
        {/* Axes and grid */}
        {yTicks.map((v) => (
          <g key={v}>
            <line className="chart-grid" x1={M.left} x2={width - M.right} y1={y(v)} y2={y(v)} />
            <text className="chart-tick" x={M.left - 6} y={y(v) + 4} textAnchor="end">
              {formatNumber(v)}
            </text>
          </g>
        ))}
        <text className="chart-axis-title" x={8} y={M.top + 10}>
          {t('lifeline.chart.yAxis', { unit })}
        </text>
        {/* Needed */}
        <path d={neededPath} fill="none" stroke={COLOUR.needed} strokeWidth={2.5} strokeDasharray="8 4" />
        {/* Period totals as per-day averages */}
        {series.periods.map((p) => {
          const s = clampStart(p.periodStart);
          const e = clampEnd(p.periodEnd);
          const x0 = x(s);
          const x1 = xEnd(e);
          const yy = y(p.perDay);
          const key = `period:${p.ref}`;
          return mark(
            key,
            periodName(p, unit),
            () => selectPeriod(p),
            <>
              <rect
                x={x0}
                y={yy}
                width={Math.max(2, x1 - x0)}
                height={plotBottom - yy}
                fill={COLOUR.average}
                fillOpacity={0.25}
              />
              <line
                x1={x0}
                x2={x1}
                y1={yy}
                y2={yy}
                stroke={COLOUR.average}
                strokeWidth={3}
                strokeDasharray={p.contested ? '4 3' : undefined}
              />
              <rect x={x0} y={yy - 12} width={Math.max(2, x1 - x0)} height={24} fill="transparent" />
              {p.contested && (
                <text className="chart-contested" x={x0 + 4} y={yy - 16}>
                  {t('lifeline.contestedMark')}
                </text>
              )}
            </>,
          );
        })}
        {/* Daily figures */}
        {series.days
          .filter((d) => d.delivered !== null)
          .map((d) => {
            const name = t('lifeline.chart.dailyName', {
              date: formatDate(d.date),
              value: formatNumber(d.delivered ?? 0),
              unit,
            });
            const bw = Math.max(4, dayW);
            const cx = x(d.date) + dayW / 2;
            return mark(
              `day:${d.date}`,
              name,
              () =>
                onSelect({
                  key: `day:${d.date}`,
                  title: name,
                  lines: [t('lifeline.chart.dailyNote')],
                  sources: [],
                }),
              <>
                <rect
                  x={cx - bw / 2}
                  y={y(d.delivered ?? 0)}
                  width={bw}
                  height={plotBottom - y(d.delivered ?? 0)}
                  fill={COLOUR.daily}
                  stroke={OUTLINE}
                  strokeWidth={0.75}
                />
                <rect
                  x={cx - 12}
                  y={y(d.delivered ?? 0) - 6}
                  width={24}
                  height={plotBottom - y(d.delivered ?? 0) + 6}
                  fill="transparent"
                />
              </>,
            );
          })}
        <line className="chart-axis" x1={M.left} x2={width - M.right} y1={plotBottom} y2={plotBottom} />
        {/* Utility lanes */}
        <text className="chart-axis-title" x={8} y={laneTop - 10}>
          {t('lifeline.chart.utilities')}
        </text>
        {UTILITIES.map((kind, lane) => {
          const top = laneTop + lane * M.lane;
          const colour = UTILITY_COLOUR[kind] ?? OKABE_ITO.grey;
          return (
            <g key={kind}>
              <rect
                x={M.left}
                y={top + 2}
                width={width - M.left - M.right}
                height={M.lane - 4}
                fill="#f1f5f9"
              />
              <text className="chart-lane-label" x={M.left - 6} y={top + M.lane / 2 + 4} textAnchor="end">
                {utilityLabel(kind)}
              </text>
              {cutsByKind(kind).map((c) => {
                if (c.basis !== 'interval') {
                  const s = clampStart(c.startsOn);
                  const e = clampEnd(c.endsOn);
                  const name = t('lifeline.chart.statedName', {
                    ref: c.ref ?? '',
                    days: c.statedDays ?? 0,
                    utility: utilityLabel(kind),
                    period: formatPeriod(c.startsOn, c.endsOn),
                  });
                  return mark(
                    `dis:${c.id}`,
                    name,
                    () => selectDisruption(c, name),
                    <>
                      <path
                        d={`M${x(s)},${top + M.lane - 5}v3H${xEnd(e)}v-3`}
                        fill="none"
                        stroke={OUTLINE}
                        strokeWidth={1}
                        strokeDasharray="2 2"
                      />
                      <rect
                        x={x(s)}
                        y={top + M.lane - 8}
                        width={Math.max(2, xEnd(e) - x(s))}
                        height={8}
                        fill="transparent"
                      />
                    </>,
                  );
                }
                const s = clampStart(c.startsOn);
                const confirmedEnd = clampEnd(c.endsOn ?? c.confirmedUntil ?? c.startsOn);
                const openEnd = !c.endsOn ? series.window.to : null;
                const alt = c.endsOnAlternative ? clampEnd(c.endsOnAlternative) : null;
                if (s > series.window.to || confirmedEnd < series.window.from) return null;
                const name = t('lifeline.chart.cutName', {
                  utility: utilityLabel(kind),
                  status: statusLabel(c.status),
                  period: c.endsOn
                    ? formatPeriod(c.startsOn, c.endsOn)
                    : t('lifeline.chart.openEnded', {
                        from: formatDate(c.startsOn),
                        until: c.confirmedUntil ? formatDate(c.confirmedUntil) : formatDate(c.startsOn),
                      }),
                  ref: c.ref ?? '',
                });
                const fullName = alt
                  ? `${name} ${t('lifeline.chart.altEnd', { date: formatDate(c.endsOnAlternative ?? '') })}`
                  : name;
                return mark(
                  `dis:${c.id}`,
                  fullName,
                  () => selectDisruption(c, fullName),
                  <>
                    {openEnd && (
                      <rect
                        x={xEnd(confirmedEnd)}
                        y={top + 5}
                        width={Math.max(0, xEnd(openEnd) - xEnd(confirmedEnd))}
                        height={M.lane - 10}
                        fill={`url(#${hatch}-open)`}
                        stroke={colour}
                        strokeWidth={1}
                        opacity={0.6}
                      />
                    )}
                    {alt && alt > confirmedEnd && (
                      <rect
                        x={xEnd(confirmedEnd)}
                        y={top + 5}
                        width={Math.max(2, xEnd(alt) - xEnd(confirmedEnd))}
                        height={M.lane - 10}
                        fill="none"
                        stroke={OUTLINE}
                        strokeDasharray="2 2"
                      />
                    )}
                    <rect
                      x={x(s)}
                      y={top + 4}
                      width={Math.max(3, xEnd(confirmedEnd) - x(s))}
                      height={M.lane - 8}
                      fill={colour}
                      stroke={OUTLINE}
                      strokeWidth={c.status === 'partial' ? 0.75 : 1}
                      fillOpacity={c.status === 'partial' ? 0.5 : 1}
                    />
                  </>,
                );
              })}
            </g>
          );
        })}
        {/* X axis */}
        <line className="chart-axis" x1={M.left} x2={width - M.right} y1={axisY} y2={axisY} />
        {ticks.map((tk) => (
          <g key={tk.x}>
            <line className="chart-axis" x1={tk.x} x2={tk.x} y1={axisY} y2={axisY + 5} />
            <text className="chart-tick" x={tk.x + 2} y={axisY + 18}>
              {tk.label}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
}

export function periodName(p: LifelinePeriod, unit: string): string {
  return (
    t('lifeline.chart.periodName', {
      ref: p.ref,
      quantity: `${p.qualifier ? `${p.qualifier} ` : ''}${formatNumber(p.quantity)}`,
      unit,
      period: formatPeriod(p.periodStart, p.periodEnd),
      perDay: formatNumber(Math.round(p.perDay * 10) / 10),
    }) + (p.contested ? ` (${t('lifeline.contestedMark')})` : '')
  );
}
