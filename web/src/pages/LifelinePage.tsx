// A situation's lifeline: what reached the population against what it needed, over a chosen window. Key
// figures each with their sources and formula, the chart (delivered against needed, closures shaded, utility
// cuts as bands, contested figures marked), then the tables behind it and the CSV export.
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api, query } from '../api/client.ts';
import type {
  DisruptionDays,
  LifelineMetrics,
  LifelineObservation,
  LifelineSeries,
  LifelineSource,
  Situation,
} from '../api/types.ts';
import { Field } from '../components/Form.tsx';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, isNotFound, Loading } from '../components/Status.tsx';
import { formatNumber, t, tn } from '../i18n/index.ts';
import { formatDate, formatPeriod } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';
import { useApi, useLoader } from '../lib/useApi.ts';
import {
  COLOUR,
  ConflictSideBySide,
  LifelineChart,
  periodName,
  type Selection,
  SourceList,
  statusLabel,
  UTILITY_COLOUR,
  utilityLabel,
} from '../lifeline/LifelineChart.tsx';
import { canWriteLifeline, ObservationForm } from '../lifeline/ObservationForm.tsx';

const ISO = /^\d{4}-\d{2}-\d{2}$/;

interface Window {
  from?: string;
  to?: string;
  asOf?: string;
}

function readWindow(search: string): Window {
  const p = new URLSearchParams(search);
  const out: Window = {};
  for (const k of ['from', 'to', 'asOf'] as const) {
    const v = p.get(k);
    if (v && ISO.test(v)) out[k] = v;
  }
  return out;
}

interface Loaded {
  metrics: LifelineMetrics;
  series: LifelineSeries;
  observations: LifelineObservation[];
}

function PeriodForm({
  value,
  onSubmit,
  resetHref,
}: {
  value: { from: string; to: string; asOf: string };
  onSubmit: (w: Window) => void;
  resetHref: string;
}) {
  const id = useId();
  const [from, setFrom] = useState(value.from);
  const [to, setTo] = useState(value.to);
  const [asOf, setAsOf] = useState(value.asOf);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    setFrom(value.from);
    setTo(value.to);
    setAsOf(value.asOf);
  }, [value.from, value.to, value.asOf]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (from && to && to < from) {
      setError(t('incidents.dateOrder'));
      return;
    }
    setError(undefined);
    onSubmit({ from, to, ...(asOf && asOf !== to ? { asOf } : {}) });
  };
  return (
    <form className="period-form" onSubmit={submit} noValidate>
      <Field id={`${id}-from`} label={t('lifeline.from')}>
        {(props) => <input {...props} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />}
      </Field>
      <Field id={`${id}-to`} label={t('lifeline.to')} error={error}>
        {(props) => <input {...props} type="date" value={to} onChange={(e) => setTo(e.target.value)} />}
      </Field>
      <Field id={`${id}-asof`} label={t('lifeline.asOf')} hint={t('lifeline.asOfHint')}>
        {(props) => <input {...props} type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} />}
      </Field>
      <div className="field-actions">
        <button type="submit" className="button">
          {t('lifeline.apply')}
        </button>
        <Link href={resetHref}>{t('lifeline.reset')}</Link>
      </div>
    </form>
  );
}

function refsSources(refs: string[], bySource: Map<string, LifelineSource[]>): LifelineSource[] {
  const seen = new Set<string>();
  const out: LifelineSource[] = [];
  for (const r of refs)
    for (const s of bySource.get(r) ?? [])
      if (!seen.has(s.url)) {
        seen.add(s.url);
        out.push(s);
      }
  return out;
}

function utilityContested(u: DisruptionDays): boolean {
  return (
    u.daysWithAlternativeEnds !== null || u.stated.some((s) => s.sameWindow && s.days !== u.daysConfirmed)
  );
}

function UtilityFigure({ u, bySource }: { u: DisruptionDays; bySource: Map<string, LifelineSource[]> }) {
  const contested = utilityContested(u);
  const range = u.daysUpperBound > u.daysConfirmed;
  const value = range
    ? t('lifeline.daysRange', { low: u.daysConfirmed, high: u.daysUpperBound })
    : tn('figure.days', u.daysConfirmed);
  return (
    <KeyFigure
      label={t('lifeline.figure.utility', { utility: utilityLabel(u.kind).toLowerCase() })}
      value={
        <>
          {value}
          {contested && <span className="contested-mark">{t('lifeline.contestedMark')}</span>}
        </>
      }
    >
      {range && <span className="figure-note">{t('lifeline.figure.utilityRange')}</span>}
      {u.daysWithAlternativeEnds !== null && (
        <span className="figure-note">
          {t('lifeline.figure.altEnds', { days: u.daysWithAlternativeEnds })}
        </span>
      )}
      {u.comparison && <span className="figure-note">{u.comparison}</span>}
      {u.intervals.length > 0 && (
        <SourceList
          sources={refsSources(
            u.intervals.map((i) => i.ref),
            bySource,
          )}
        />
      )}
      {(contested || u.stated.length > 0) && (
        <details className="compare-details">
          <summary>{t('lifeline.compareSources')}</summary>
          <div className="side-by-side">
            <div className="compare-card">
              <p className="compare-figure">{t('lifeline.dated', { days: u.daysConfirmed })}</p>
              <ul className="plain-list">
                {u.intervals.map((i) => (
                  <li key={i.ref}>
                    <strong>{i.ref}</strong>{' '}
                    {i.endsOn
                      ? formatPeriod(i.startsOn, i.endsOn)
                      : t('lifeline.chart.openEnded', {
                          from: formatDate(i.startsOn),
                          until: formatDate(i.confirmedUntil ?? i.startsOn),
                        })}
                    <span className="fact-note">{i.note}</span>
                  </li>
                ))}
              </ul>
              <SourceList
                sources={refsSources(
                  u.intervals.map((i) => i.ref),
                  bySource,
                )}
              />
            </div>
            {u.stated.map((s) => (
              <div key={s.ref} className="compare-card">
                <p className="compare-figure">{t('lifeline.stated', { days: s.days })}</p>
                <p className="muted">
                  {s.ref} · {formatPeriod(s.startsOn, s.endsOn)}
                </p>
                <p className="fact-note">{s.note}</p>
                <SourceList sources={s.sources} />
              </div>
            ))}
          </div>
        </details>
      )}
    </KeyFigure>
  );
}

export default function LifelinePage({ slug }: { slug: string }) {
  const base = `/s/${encodeURIComponent(slug)}`;
  const search = useSearch();
  const [, navigate] = useLocation();
  const { setCurrent } = useSituations();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const win = useMemo(() => readWindow(search), [search]);
  const situation = useApi<Situation>(`/situations/${encodeURIComponent(slug)}`);
  const sit = situation.result.state === 'ready' ? situation.result.data : null;
  usePageTitle(sit ? t('lifeline.documentTitle', { name: sit.name }) : t('lifeline.title'));
  const q = query({ from: win.from, to: win.to, asOf: win.asOf });
  const lp = `/situations/${encodeURIComponent(slug)}/lifeline`;
  const data = useLoader<Loaded>(`${slug}${q}`, async (signal) => {
    const [metrics, series] = await Promise.all([
      api.get<LifelineMetrics>(`${lp}/metrics${q}`, signal),
      api.get<LifelineSeries>(`${lp}/series${query({ from: win.from, to: win.to })}`, signal),
    ]);
    const obs = await api.get<{ items: LifelineObservation[] }>(
      `${lp}/observations${query({ from: metrics.window.from, to: metrics.window.to })}`,
      signal,
    );
    return { metrics, series, observations: obs.items };
  });
  const [selection, setSelection] = useState<Selection | null>(null);
  const { session } = useSession();
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new window clears the selection
  useEffect(() => setSelection(null), [q]);

  const loaded = data.result.state === 'ready' ? data.result.data : null;
  const bySource = useMemo(() => {
    const map = new Map<string, LifelineSource[]>();
    if (!loaded) return map;
    const add = (ref: string | null, sources: LifelineSource[]) => {
      if (ref && !map.has(ref)) map.set(ref, sources);
    };
    for (const o of loaded.observations) add(o.ref, o.sources);
    for (const o of loaded.metrics.delivered.used) add(o.ref, o.sources);
    for (const p of loaded.series.periods) add(p.ref, p.sources);
    for (const d of [...loaded.series.closures, ...loaded.series.utilityCuts]) add(d.ref, d.sources);
    for (const u of loaded.metrics.utilities) for (const s of u.stated) add(s.ref, s.sources);
    if (loaded.metrics.needs) add(loaded.metrics.needs.ref, loaded.metrics.needs.sources);
    return map;
  }, [loaded]);

  const apply = (w: Window) => navigate(`${base}/lifeline${query({ from: w.from, to: w.to, asOf: w.asOf })}`);

  if (situation.result.state === 'error' && isNotFound(situation.result.error)) {
    return (
      <div className="page">
        <PageHeading>{t('dashboard.notFoundTitle')}</PageHeading>
        <p>{t('dashboard.notFound')}</p>
      </div>
    );
  }

  const m = loaded?.metrics;
  const s = loaded?.series;
  const unit = m?.delivered.unit ?? s?.unit ?? 't';
  const observationsByRef = new Map((loaded?.observations ?? []).map((o) => [o.ref ?? o.id, o]));
  // Coverage and shortfall rest on the delivered figures used and on the needs model: both sources.
  const ratioSources = m
    ? [
        ...refsSources(
          m.delivered.used.map((u) => u.ref ?? u.id),
          bySource,
        ),
        ...(m.needs?.sources ?? []),
      ].filter((src, i, all) => all.findIndex((o) => o.url === src.url) === i)
    : [];

  return (
    <div className="page lifeline">
      <p className="breadcrumb">
        <Link href={base}>{sit?.name ?? t('incidents.backToOverview')}</Link>
      </p>
      <PageHeading>{t('lifeline.title')}</PageHeading>
      <p className="lead">{t('lifeline.lead')}</p>
      {m && (
        <PeriodForm
          value={{ from: m.window.from, to: m.window.to, asOf: m.asOf }}
          onSubmit={apply}
          resetHref={`${base}/lifeline`}
        />
      )}
      {s && s.periods.length > 0 && (
        <p className="note period-presets">
          {t('lifeline.presets')}{' '}
          {s.periods.map((p, i) => (
            <span key={p.ref}>
              {i > 0 && ' · '}
              <Link href={`${base}/lifeline${query({ from: p.periodStart, to: p.periodEnd })}`}>
                {t('lifeline.presetPeriod', { ref: p.ref, period: formatPeriod(p.periodStart, p.periodEnd) })}
              </Link>
            </span>
          ))}
        </p>
      )}
      {data.result.state === 'loading' && <Loading />}
      {data.result.state === 'error' && <ErrorState error={data.result.error} onRetry={data.retry} />}
      {m && s && (
        <>
          <h2 className="visually-hidden" id="lifeline-figures">
            {t('dashboard.figures')}
          </h2>
          <p className="window-line">
            {t('lifeline.window', { period: formatPeriod(m.window.from, m.window.to), days: m.window.days })}
          </p>
          <dl className="figures lifeline-figures">
            <KeyFigure
              label={t('lifeline.figure.delivered', { commodity: t('lifeline.goods') })}
              value={
                m.needed
                  ? t('lifeline.deliveredOfNeeded', {
                      delivered: `${m.delivered.lowerBound ? t('lifeline.atLeast') : ''}${formatNumber(m.delivered.total)}`,
                      needed: formatNumber(m.needed.total),
                      unit,
                    })
                  : `${formatNumber(m.delivered.total)} ${unit}`
              }
            >
              {m.needed && <span className="figure-note">{m.needed.formula}</span>}
              <span className="figure-note">
                {t('lifeline.deliveredFrom', {
                  refs: m.delivered.used.map((u) => u.ref ?? u.id).join(', ') || '–',
                })}
              </span>
              <SourceList
                sources={refsSources(
                  m.delivered.used.map((u) => u.ref ?? u.id),
                  bySource,
                )}
              />
              {m.needs && (
                <span className="figure-note">
                  {t('lifeline.neededFrom', { label: m.needs.label })}{' '}
                  <SourceList sources={m.needs.sources} />
                </span>
              )}
            </KeyFigure>
            <KeyFigure
              label={t('lifeline.figure.coverage')}
              value={
                m.coverage.percent === null
                  ? t('lifeline.notComputable')
                  : `${formatNumber(m.coverage.percent)}%`
              }
            >
              <span className="figure-note">{m.coverage.formula}</span>
              {!m.coverage.complete && <span className="figure-note">{t('lifeline.incomplete')}</span>}
              {m.statedComparison.map((c) => (
                <span key={c.ref} className="figure-note">
                  {c.ref}: {c.note}
                </span>
              ))}
              <SourceList sources={ratioSources} />
              <a href="#lifeline-table">{t('lifeline.seeTable')}</a>
            </KeyFigure>
            <KeyFigure
              label={t('lifeline.figure.shortfall')}
              value={
                m.shortfall.cumulative === null
                  ? t('lifeline.notComputable')
                  : `${formatNumber(m.shortfall.cumulative)} ${unit}`
              }
            >
              <span className="figure-note">{m.shortfall.formula}</span>
              <SourceList sources={ratioSources} />
              <a href="#lifeline-table">{t('lifeline.seeTable')}</a>
            </KeyFigure>
            <KeyFigure
              label={t('lifeline.figure.closure')}
              value={
                m.closure.daysUpperBound > m.closure.daysConfirmed
                  ? t('lifeline.daysRange', { low: m.closure.daysConfirmed, high: m.closure.daysUpperBound })
                  : tn('figure.days', m.closure.daysConfirmed)
              }
            >
              {m.closure.intervals.length === 0 ? (
                <>
                  <span className="figure-note">{t('lifeline.noClosure')}</span>
                  {s && s.closures.length > 0 && (
                    <>
                      {/* "No closure" rests on the corridor status the sources give for the period. */}
                      <span className="figure-note">
                        {t('lifeline.card.corridorBasis', {
                          list: s.closures
                            .map((c) => `${statusLabel(c.status)} (${c.ref ?? c.id})`)
                            .join(', '),
                        })}
                      </span>
                      <SourceList
                        sources={s.closures
                          .flatMap((c) => c.sources)
                          .filter((src, i, all) => all.findIndex((o) => o.url === src.url) === i)}
                      />
                    </>
                  )}
                </>
              ) : (
                <>
                  {m.closure.intervals.map((i) => (
                    <span key={i.ref} className="figure-note">
                      {i.ref}: {formatPeriod(i.startsOn, i.endsOn ?? i.confirmedUntil)}
                    </span>
                  ))}
                  <SourceList
                    sources={refsSources(
                      m.closure.intervals.map((i) => i.ref),
                      bySource,
                    )}
                  />
                </>
              )}
            </KeyFigure>
            {m.utilities.map((u) => (
              <UtilityFigure key={u.kind} u={u} bySource={bySource} />
            ))}
            <KeyFigure
              label={t('lifeline.figure.lastDelivery', { date: formatDate(m.lastDelivery.asOf) })}
              value={
                m.lastDelivery.daysSince === null
                  ? t('lifeline.notKnown')
                  : `${m.lastDelivery.exact ? '' : t('lifeline.atLeast')}${tn('figure.days', m.lastDelivery.daysSince)}`
              }
            >
              {m.lastDelivery.lastOn && (
                <span className="figure-note">
                  {t('lifeline.lastOn', {
                    date: formatDate(m.lastDelivery.lastOn),
                    ref: m.lastDelivery.ref ?? '',
                  })}
                </span>
              )}
              {m.lastDelivery.caveat && <span className="figure-note">{m.lastDelivery.caveat}</span>}
              {m.lastDelivery.ref && <SourceList sources={bySource.get(m.lastDelivery.ref) ?? []} />}
            </KeyFigure>
          </dl>

          <section aria-labelledby="chart-heading" className="section">
            <h2 id="chart-heading">{t('lifeline.chartHeading', { unit })}</h2>
            <p className="note">{t('lifeline.chart.howToRead')}</p>
            <ul className="legend-list chart-legend" aria-label={t('lifeline.legend')}>
              <li>
                <svg className="symbol" width={28} height={14} aria-hidden="true" focusable="false">
                  <line
                    x1={1}
                    x2={27}
                    y1={7}
                    y2={7}
                    stroke={COLOUR.needed}
                    strokeWidth={2.5}
                    strokeDasharray="8 4"
                  />
                </svg>
                {s.needsLabel
                  ? t('lifeline.legend.neededLabel', { label: s.needsLabel })
                  : t('lifeline.legend.needed')}
              </li>
              <li>
                <svg className="symbol" width={28} height={14} aria-hidden="true" focusable="false">
                  <rect x={1} y={7} width={26} height={7} fill={COLOUR.average} fillOpacity={0.25} />
                  <line x1={1} x2={27} y1={7} y2={7} stroke={COLOUR.average} strokeWidth={3} />
                </svg>
                {t('lifeline.legend.average')}
              </li>
              <li>
                <svg className="symbol" width={14} height={14} aria-hidden="true" focusable="false">
                  <rect x={4} y={1} width={6} height={13} fill={COLOUR.daily} stroke="#1E293B" />
                </svg>
                {t('lifeline.legend.daily')}
              </li>
              <li>
                <svg className="symbol" width={14} height={14} aria-hidden="true" focusable="false">
                  <rect x={0} y={0} width={14} height={14} fill="#a1a1aa" />
                </svg>
                {t('lifeline.legend.closed')}
              </li>
              <li>
                <svg className="symbol" width={14} height={14} aria-hidden="true" focusable="false">
                  <rect x={0} y={0} width={14} height={14} fill="#eef2f7" stroke="#94a3b8" />
                </svg>
                {t('lifeline.legend.restricted')}
              </li>
              {Object.entries(UTILITY_COLOUR).map(([k, c]) => (
                <li key={k}>
                  <svg className="symbol" width={14} height={14} aria-hidden="true" focusable="false">
                    <rect x={0.5} y={3} width={13} height={8} fill={c} stroke="#1E293B" />
                  </svg>
                  {t('lifeline.legend.cut', { utility: utilityLabel(k) })}
                </li>
              ))}
              <li>{t('lifeline.legend.open')}</li>
              <li>
                <span className="contested-mark">{t('lifeline.contestedMark')}</span>{' '}
                {t('lifeline.legend.contested')}
              </li>
            </ul>
            <LifelineChart
              series={s}
              labelledBy="chart-heading"
              selected={selection?.key ?? null}
              onSelect={setSelection}
            />
            <div className="chart-detail" aria-live="polite">
              {selection ? (
                <>
                  <p className="chart-detail-title">{selection.title}</p>
                  {selection.lines.map((l) => (
                    <p key={l}>{l}</p>
                  ))}
                  {selection.sources.length > 0 && (
                    <p>
                      <SourceList sources={selection.sources} />
                    </p>
                  )}
                  {selection.conflict && <ConflictSideBySide conflict={selection.conflict} />}
                </>
              ) : (
                <p className="muted">{t('lifeline.chart.pick')}</p>
              )}
            </div>
            {s.contested.length > 0 && (
              <div className="section">
                <h3>{t('lifeline.contestedHeading')}</h3>
                {s.contested.map((c) => (
                  <ConflictSideBySide key={`${c.periodStart}-${c.used}`} conflict={c} />
                ))}
              </div>
            )}
          </section>

          <section aria-labelledby="lifeline-table" className="section">
            <h2 id="lifeline-table" tabIndex={-1}>
              {t('lifeline.tableHeading')}
            </h2>
            <p>
              <a href={`/api/v1${lp}/observations.csv`} download>
                {t('lifeline.csv')}
              </a>{' '}
              <span className="note">{t('lifeline.csvNote')}</span>
            </p>
            <div className="table-wrap">
              <table className="data-table">
                <caption>
                  {t('lifeline.figuresCaption', { period: formatPeriod(m.window.from, m.window.to) })}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t('lifeline.col.figure')}</th>
                    <th scope="col">{t('lifeline.col.value')}</th>
                    <th scope="col">{t('lifeline.col.how')}</th>
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <th scope="row">{t('lifeline.row.delivered')}</th>
                    <td className="nowrap">
                      {m.delivered.lowerBound ? t('lifeline.atLeast') : ''}
                      {formatNumber(m.delivered.total)} {unit}
                    </td>
                    <td>
                      {t('lifeline.deliveredFrom', {
                        refs: m.delivered.used.map((u) => u.ref ?? u.id).join(', ') || '–',
                      })}
                    </td>
                  </tr>
                  <tr>
                    <th scope="row">{t('lifeline.row.needed')}</th>
                    <td className="nowrap">{m.needed ? `${formatNumber(m.needed.total)} ${unit}` : '–'}</td>
                    <td>{m.needed?.formula ?? ''}</td>
                  </tr>
                  <tr>
                    <th scope="row">{t('lifeline.figure.coverage')}</th>
                    <td className="nowrap">
                      {m.coverage.percent === null ? '–' : `${formatNumber(m.coverage.percent)}%`}
                    </td>
                    <td>{m.coverage.formula}</td>
                  </tr>
                  <tr>
                    <th scope="row">{t('lifeline.figure.shortfall')}</th>
                    <td className="nowrap">
                      {m.shortfall.cumulative === null
                        ? '–'
                        : `${formatNumber(m.shortfall.cumulative)} ${unit}`}
                    </td>
                    <td>{m.shortfall.formula}</td>
                  </tr>
                  <tr>
                    <th scope="row">{t('lifeline.figure.closure')}</th>
                    <td className="nowrap">{tn('figure.days', m.closure.daysConfirmed)}</td>
                    <td>{m.closure.intervals.map((i) => i.ref).join(', ') || t('lifeline.noClosure')}</td>
                  </tr>
                  {m.utilities.map((u) => (
                    <tr key={u.kind}>
                      <th scope="row">
                        {t('lifeline.figure.utility', { utility: utilityLabel(u.kind).toLowerCase() })}
                      </th>
                      <td className="nowrap">
                        {u.daysUpperBound > u.daysConfirmed
                          ? t('lifeline.daysRange', { low: u.daysConfirmed, high: u.daysUpperBound })
                          : tn('figure.days', u.daysConfirmed)}
                      </td>
                      <td>{u.comparison ?? u.intervals.map((i) => i.ref).join(', ')}</td>
                    </tr>
                  ))}
                  <tr>
                    <th scope="row">
                      {t('lifeline.figure.lastDelivery', { date: formatDate(m.lastDelivery.asOf) })}
                    </th>
                    <td className="nowrap">
                      {m.lastDelivery.daysSince === null
                        ? '–'
                        : `${m.lastDelivery.exact ? '' : t('lifeline.atLeast')}${tn('figure.days', m.lastDelivery.daysSince)}`}
                    </td>
                    <td>{m.lastDelivery.caveat ?? m.lastDelivery.ref ?? ''}</td>
                  </tr>
                </tbody>
              </table>
            </div>

            <div className="table-wrap section">
              <table className="data-table">
                <caption>{t('lifeline.observationsCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('lifeline.col.ref')}</th>
                    <th scope="col">{t('lifeline.col.period')}</th>
                    <th scope="col">{t('lifeline.col.quantity')}</th>
                    <th scope="col">{t('lifeline.col.used')}</th>
                    <th scope="col">{t('lifeline.col.sources')}</th>
                  </tr>
                </thead>
                <tbody>
                  {m.delivered.used.map((o) => (
                    <tr key={o.id}>
                      <th scope="row">{o.ref ?? o.id}</th>
                      <td>{formatPeriod(o.periodStart, o.periodEnd)}</td>
                      <td className="nowrap">
                        {o.qualifier ? `${o.qualifier} ` : ''}
                        {formatNumber(o.quantity)} {o.unit}
                      </td>
                      <td>{t('lifeline.used')}</td>
                      <td>
                        <SourceList sources={o.sources} />
                      </td>
                    </tr>
                  ))}
                  {m.delivered.notUsed.map((n) => {
                    const o = observationsByRef.get(n.ref);
                    return (
                      <tr key={n.ref}>
                        <th scope="row">{n.ref}</th>
                        <td>{o ? formatPeriod(o.periodStart, o.periodEnd) : ''}</td>
                        <td className="nowrap">
                          {o
                            ? `${o.qualifier ? `${o.qualifier} ` : ''}${formatNumber(o.quantity)} ${o.unit}`
                            : ''}
                        </td>
                        <td>{t('lifeline.notUsed', { reason: n.reason })}</td>
                        <td>{o && <SourceList sources={o.sources} />}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>

            <div className="table-wrap section">
              <table className="data-table">
                <caption>{t('lifeline.disruptionsCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('lifeline.col.ref')}</th>
                    <th scope="col">{t('lifeline.col.what')}</th>
                    <th scope="col">{t('lifeline.col.period')}</th>
                    <th scope="col">{t('lifeline.col.note')}</th>
                    <th scope="col">{t('lifeline.col.sources')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...s.closures, ...s.utilityCuts].map((d) => (
                    <tr key={d.id}>
                      <th scope="row">{d.ref ?? d.id}</th>
                      <td>
                        {d.kind === 'corridor'
                          ? t('lifeline.corridor', { status: statusLabel(d.status) })
                          : `${utilityLabel(d.kind)}: ${statusLabel(d.status)}`}
                        {d.basis === 'stated-total' && d.statedDays !== null && (
                          <span className="fact-note">{t('lifeline.stated', { days: d.statedDays })}</span>
                        )}
                      </td>
                      <td>
                        {d.endsOn
                          ? formatPeriod(d.startsOn, d.endsOn)
                          : t('lifeline.chart.openEnded', {
                              from: formatDate(d.startsOn),
                              until: formatDate(d.confirmedUntil ?? d.startsOn),
                            })}
                        {d.endsOnAlternative && (
                          <span className="fact-note">
                            {t('lifeline.chart.altEnd', { date: formatDate(d.endsOnAlternative) })}
                          </span>
                        )}
                      </td>
                      <td>{d.note}</td>
                      <td>
                        <SourceList sources={d.sources} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>

            <details className="table-toggle section">
              <summary>{tn('lifeline.showDaily', s.days.length)}</summary>
              <div className="table-wrap">
                <table className="data-table">
                  <caption>{t('lifeline.dailyCaption', { unit })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('table.date')}</th>
                      <th scope="col">{t('lifeline.col.daily')}</th>
                      <th scope="col">{t('lifeline.col.average')}</th>
                      <th scope="col">{t('lifeline.col.needed')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.days.map((d) => (
                      <tr key={d.date}>
                        <th scope="row" className="nowrap">
                          {d.date}
                        </th>
                        <td>{d.delivered === null ? '' : formatNumber(d.delivered)}</td>
                        <td>
                          {d.periodAverage === null
                            ? ''
                            : formatNumber(Math.round(d.periodAverage * 10) / 10)}
                        </td>
                        <td>{d.needed === null ? '' : formatNumber(d.needed)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
            {s.periods.length > 0 && (
              <ul className="note">
                {s.periods.map((p) => (
                  <li key={p.ref}>{periodName(p, unit)}</li>
                ))}
              </ul>
            )}
          </section>

          {m.caveats.length > 0 && (
            <section aria-labelledby="caveats-heading" className="section">
              <h2 id="caveats-heading">{t('lifeline.caveats')}</h2>
              <ul>
                {m.caveats.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
              {m.needs && (
                <p className="note">
                  {t('lifeline.assumptions', { label: m.needs.label })} {m.needs.assumptions}
                </p>
              )}
              {m.alternativeNeeds.length > 0 && (
                <p className="note">
                  {t('lifeline.alternatives')}{' '}
                  {m.alternativeNeeds.map((a) => (
                    <span key={a.id}>
                      {a.label} <SourceList sources={a.sources} />{' '}
                    </span>
                  ))}
                </p>
              )}
            </section>
          )}
        </>
      )}
      {/* Outside the loaded figures, so the form and its answer stay while the figures reload. */}
      {sit && (
        <section className="section">
          {canWriteLifeline(session?.user) ? (
            <ObservationForm slug={slug} onRecorded={data.retry} />
          ) : (
            <p className="note">{t('lifeline.form.signInHint')}</p>
          )}
        </section>
      )}
    </div>
  );
}
