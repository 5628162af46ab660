// The replay on a timeline: which alerts a rule set would have raised over the situation's span, day by day
// (GET /situations/{slug}/alert-replay). A strip per rule: a bar from the day the alert would have been raised
// to the last day it held, a diamond for a one-day event. The table below is the accessible alternative.
import { useState } from 'react';
import { query } from '../api/client.ts';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { ErrorState, Loading } from '../components/Status.tsx';
import { formatNumber, t, tn } from '../i18n/index.ts';
import { formatDate, monthLabel } from '../lib/dates.ts';
import { useApi } from '../lib/useApi.ts';
import type { Replay as ReplayResult, ReplayRow } from './api.ts';
import { addDays } from './dates.ts';
import { kindLabel, severityLabel } from './labels.ts';

const DAY = 86_400_000;
const WIDTH = 960;
const LABEL = 230;
const LANE = 30;
const TOP = 28;
const ms = (d: string) => Date.parse(`${d}T00:00:00Z`);

/** The last day an alert held: the day before it ended, or its last known day. */
const lastDay = (a: ReplayRow) => (a.endedOn ? addDays(a.endedOn, -1) : a.lastHeldOn);

function Strip({ replay }: { replay: ReplayResult }) {
  const lanes = [...new Set(replay.alerts.map((a) => a.ruleName))];
  const start = ms(replay.from);
  const end = ms(replay.to) + DAY;
  const x = (d: number) => LABEL + ((d - start) / (end - start)) * (WIDTH - LABEL - 10);
  const height = TOP + lanes.length * LANE + 10;
  const ticks: number[] = [];
  for (
    let d = new Date(start);
    d.getTime() <= end;
    d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))
  ) {
    const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    if (first >= start) ticks.push(first);
  }
  return (
    <div className="chart-scroll">
      <svg
        className="alerts-strip"
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-label={t('alerts.replay.chartLabel', {
          from: formatDate(replay.from),
          to: formatDate(replay.to),
          count: replay.alerts.length,
        })}
      >
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={x(tick)} x2={x(tick)} y1={TOP - 6} y2={height - 6} className="chart-grid" />
            <text x={x(tick) + 3} y={TOP - 10} className="chart-tick">
              {monthLabel(tick)}
            </text>
          </g>
        ))}
        {lanes.map((lane, i) => {
          const y = TOP + i * LANE;
          return (
            <g key={lane}>
              <text x={4} y={y + LANE / 2 + 4} className="chart-lane-label">
                {lane.length > 32 ? `${lane.slice(0, 31)}…` : lane}
              </text>
              {replay.alerts
                .filter((a) => a.ruleName === lane)
                .map((a) => {
                  const x0 = x(ms(a.firedOn));
                  const x1 = x(ms(lastDay(a)) + DAY);
                  const cy = y + LANE / 2;
                  const name = `${formatDate(a.firedOn)}: ${a.title}`;
                  return (
                    <g key={a.key} className={`alerts-mark alerts-mark-${a.severity}`}>
                      <title>{name}</title>
                      {x1 - x0 > 6 ? (
                        <rect x={x0} y={cy - 8} width={x1 - x0} height={16} rx={3} />
                      ) : (
                        <path d={`M${x0} ${cy - 8} L${x0 + 7} ${cy} L${x0} ${cy + 8} L${x0 - 7} ${cy} Z`} />
                      )}
                    </g>
                  );
                })}
            </g>
          );
        })}
      </svg>
      <ul className="legend-list alerts-legend" aria-label={t('alerts.replay.legend')}>
        {(['critical', 'warning', 'info'] as const).map((s) => (
          <li key={s}>
            <span className={`alerts-swatch alerts-mark-${s}`} aria-hidden="true" /> {severityLabel(s)}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ReplayView({ slug, canManage }: { slug: string; canManage: boolean }) {
  const [rules, setRules] = useState<'default' | 'situation'>('default');
  const replay = useApi<ReplayResult>(
    `/situations/${encodeURIComponent(slug)}/alert-replay${query({ rules })}`,
  );
  const data = replay.result.state === 'ready' ? replay.result.data : null;
  const first = data?.alerts[0];
  const longest = data ? [...data.alerts].sort((a, b) => b.daysHeld - a.daysHeld)[0] : undefined;
  return (
    <section aria-labelledby="alerts-replay-heading" className="section">
      <h2 id="alerts-replay-heading">{t('alerts.replay.heading')}</h2>
      <p className="lead">{t('alerts.replay.lead')}</p>
      {canManage && (
        <div className="field">
          <label htmlFor="alerts-replay-rules">{t('alerts.replay.ruleSet')}</label>
          <select
            id="alerts-replay-rules"
            value={rules}
            onChange={(e) => setRules(e.target.value as 'default' | 'situation')}
          >
            <option value="default">{t('alerts.replay.defaultRules')}</option>
            <option value="situation">{t('alerts.replay.situationRules')}</option>
          </select>
        </div>
      )}
      {replay.result.state === 'loading' && <Loading label={t('alerts.replay.working')} />}
      {replay.result.state === 'error' && <ErrorState error={replay.result.error} onRetry={replay.retry} />}
      {data && (
        <>
          <dl className="figures figures-compact">
            <KeyFigure label={t('alerts.replay.figureAlerts')} value={formatNumber(data.alerts.length)}>
              <a href="#alerts-replay-table">{t('alerts.replay.figureSource')}</a>
            </KeyFigure>
            {first && (
              <KeyFigure label={t('alerts.replay.figureFirst')} value={formatDate(first.firedOn)}>
                {first.title}
              </KeyFigure>
            )}
            {longest && (
              <KeyFigure
                label={t('alerts.replay.figureLongest')}
                value={tn('alerts.replay.weeks', Math.floor(longest.daysHeld / 7))}
              >
                {longest.title}
              </KeyFigure>
            )}
          </dl>
          <p className="muted">{t('alerts.replay.caveat')}</p>
          {data.alerts.length === 0 ? <p>{t('alerts.replay.none')}</p> : <Strip replay={data} />}
          <div className="table-wrap">
            <table className="data-table" id="alerts-replay-table" tabIndex={-1}>
              <caption>
                {t('alerts.replay.caption', {
                  from: formatDate(data.from),
                  to: formatDate(data.to),
                  count: data.alerts.length,
                })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('alerts.replay.raised')}</th>
                  <th scope="col">{t('alerts.rules.severity')}</th>
                  <th scope="col">{t('alerts.replay.rule')}</th>
                  <th scope="col">{t('alerts.replay.heldUntil')}</th>
                  <th scope="col" className="num">
                    {t('alerts.replay.days')}
                  </th>
                  <th scope="col">{t('alerts.replay.what')}</th>
                </tr>
              </thead>
              <tbody>
                {data.alerts.map((a) => (
                  <tr key={`${a.ruleId}:${a.key}`}>
                    <td className="nowrap">{formatDate(a.firedOn)}</td>
                    <td>{severityLabel(a.severity)}</td>
                    <td>
                      {a.ruleName} <span className="muted">({kindLabel(a.kind)})</span>
                    </td>
                    <td className="nowrap">{formatDate(lastDay(a))}</td>
                    <td className="num">{formatNumber(a.daysHeld)}</td>
                    <td>
                      {a.title}
                      {a.evidence.length > 0 && <span className="muted"> [{a.evidence.join(', ')}]</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
