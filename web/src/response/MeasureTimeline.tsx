// Status changes of the measures over time: one lane per category, one symbol per dated change (shape by
// stage, colour by category). A picture only: the table of changes beside it carries the same data with links.
import { useId } from 'react';
import type { FeedChange } from '../api/response.ts';
import { t, tn } from '../i18n/index.ts';
import { OUTLINE, shapePath } from '../lib/categories.ts';
import { formatDate, startMs } from '../lib/dates.ts';
import {
  measureCategoryLabel,
  measureColour,
  STAGE_ORDER,
  stageLabel,
  stageOf,
  stageShape,
} from './labels.ts';

const WIDTH = 960;
const LABEL_W = 210;
const RIGHT = 16;
const LANE_H = 34;
const TOP = 8;
const AXIS_H = 28;

export function StatusSymbol({
  category,
  status,
  size = 14,
}: {
  category: string;
  status: string;
  size?: number;
}) {
  const stage = stageOf(status);
  const r = size / 2 - 1.5;
  return (
    <svg
      width={size}
      height={size}
      viewBox={`${-size / 2} ${-size / 2} ${size} ${size}`}
      aria-hidden="true"
      focusable="false"
      className="symbol"
    >
      <path
        d={shapePath(stageShape(stage), r)}
        fill={stage === 'open' ? '#FFFFFF' : measureColour(category)}
        stroke={OUTLINE}
        strokeWidth={stage === 'open' ? 2 : 1.25}
      />
    </svg>
  );
}

export function MeasureTimeline({
  changes,
  categories,
  from,
}: {
  changes: FeedChange[];
  categories: string[];
  /** Only changes on or after this date are drawn (null: all). */
  from: string | null;
}) {
  const titleId = useId();
  const dated = changes.filter((c) => c.date && (!from || c.date >= from));
  const lanes = categories.filter((c) => dated.some((d) => d.category === c));
  if (dated.length === 0 || lanes.length === 0) return <p className="note">{t('response.timeline.empty')}</p>;
  const times = dated.map((c) => startMs(c.date ?? ''));
  const minYear = new Date(Math.min(...times)).getUTCFullYear();
  const maxYear = new Date(Math.max(...times)).getUTCFullYear() + 1;
  const x0 = Date.UTC(minYear, 0, 1);
  const x1 = Date.UTC(maxYear, 0, 1);
  const plotW = WIDTH - LABEL_W - RIGHT;
  const x = (ms: number) => LABEL_W + ((ms - x0) / (x1 - x0)) * plotW;
  const height = TOP + lanes.length * LANE_H + AXIS_H;
  const span = maxYear - minYear;
  const step = span > 20 ? 5 : span > 10 ? 2 : 1;
  const years: number[] = [];
  for (let y = minYear; y <= maxYear; y += step) years.push(y);
  const halfYears = span <= 6;
  return (
    <figure className="measure-timeline">
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
      <section className="timeline-scroll" tabIndex={0} aria-label={t('response.timeline.heading')}>
        <svg
          viewBox={`0 0 ${WIDTH} ${height}`}
          className="measure-timeline-svg"
          role="img"
          aria-labelledby={titleId}
        >
          <title id={titleId}>
            {tn('response.timeline.label', dated.length, {
              from: String(minYear),
              to: String(maxYear - 1),
            })}
          </title>
          {lanes.map((c, i) => (
            <g key={c} transform={`translate(0 ${TOP + i * LANE_H})`}>
              <rect
                x={LABEL_W}
                y={2}
                width={plotW}
                height={LANE_H - 4}
                fill={i % 2 === 0 ? '#F1F5F9' : '#FFFFFF'}
              />
              <text x={LABEL_W - 10} y={LANE_H / 2 + 5} textAnchor="end" className="mt-lane-label">
                {measureCategoryLabel(c)}
              </text>
            </g>
          ))}
          {years.map((y) => (
            <g key={y}>
              <line
                x1={x(Date.UTC(y, 0, 1))}
                x2={x(Date.UTC(y, 0, 1))}
                y1={TOP}
                y2={TOP + lanes.length * LANE_H + 4}
                stroke="#94A3B8"
                strokeWidth={1}
              />
              <text x={x(Date.UTC(y, 0, 1))} y={height - 8} textAnchor="middle" className="mt-axis-label">
                {y}
              </text>
            </g>
          ))}
          {halfYears &&
            years
              .slice(0, -1)
              .map((y) => (
                <line
                  key={`h${y}`}
                  x1={x(Date.UTC(y, 6, 1))}
                  x2={x(Date.UTC(y, 6, 1))}
                  y1={TOP}
                  y2={TOP + lanes.length * LANE_H}
                  stroke="#CBD5E1"
                  strokeDasharray="3 3"
                />
              ))}
          {dated.map((c) => {
            const lane = lanes.indexOf(c.category);
            const stage = stageOf(c.status);
            return (
              <path
                key={c.id}
                transform={`translate(${x(startMs(c.date ?? '')).toFixed(1)} ${TOP + lane * LANE_H + LANE_H / 2})`}
                d={shapePath(stageShape(stage), 6.5)}
                fill={stage === 'open' ? '#FFFFFF' : measureColour(c.category)}
                stroke={OUTLINE}
                strokeWidth={stage === 'open' ? 2 : 1.25}
                fillOpacity={0.9}
              >
                <title>{`${formatDate(c.date ?? '', c.datePrecision)}: ${c.measureTitle} (${c.statusText ?? c.status})`}</title>
              </path>
            );
          })}
        </svg>
      </section>
      <figcaption className="legend">
        <span className="legend-title">{t('response.timeline.legend')}</span>
        <ul className="legend-list">
          {STAGE_ORDER.map((s) => (
            <li key={s}>
              <StatusSymbol category="hearing_or_meeting" status={exampleStatus(s)} />
              {stageLabel(s)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

function exampleStatus(stage: string): string {
  switch (stage) {
    case 'start':
      return 'introduced';
    case 'step':
      return 'passed_one_chamber';
    case 'outcome':
      return 'adopted';
    case 'end':
      return 'lifted';
    default:
      return 'pending';
  }
}
