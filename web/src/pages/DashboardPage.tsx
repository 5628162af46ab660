// A situation's overview: key figures, the map, the timeline, the tables behind them, the latest incidents.
import { lazy, Suspense, useCallback, useEffect, useMemo } from 'react';
import { Link, useLocation } from 'wouter';
import type { Incident, Layer, Situation } from '../api/types.ts';
import { CategoryLegend, CategoryTag } from '../components/Category.tsx';
import { IncidentTable } from '../components/IncidentTable.tsx';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { PopulationSource, populationValue } from '../components/Population.tsx';
import { SourceLinks } from '../components/SourceLinks.tsx';
import { ErrorState, isNotFound, Loading } from '../components/Status.tsx';
import { Timeline } from '../components/Timeline.tsx';
import { formatNumber, t, tn } from '../i18n/index.ts';
import { daysInclusive, formatDate, formatPeriod, formatRange } from '../lib/dates.ts';
import { fetchAllIncidents } from '../lib/incidents.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSituations } from '../lib/situations.tsx';
import { useApi, useLoader } from '../lib/useApi.ts';

const MapView = lazy(() => import('../map/MapView.tsx'));
const LATEST = 5;

function countCategories(incidents: Incident[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of incidents) out[i.category] = (out[i.category] ?? 0) + 1;
  return out;
}

function Figures({ situation: s, base }: { situation: Situation; base: string }) {
  const { stats } = s;
  return (
    <dl className="figures">
      <KeyFigure label={t('figure.published')} value={formatNumber(stats.published)}>
        <Link href={`${base}/incidents`}>{t('figure.publishedSource')}</Link>
      </KeyFigure>
      <KeyFigure label={t('figure.period')} value={formatPeriod(s.startsOn, s.endsOn)} text>
        {s.endsOn && (
          <span className="figure-note">{tn('figure.days', daysInclusive(s.startsOn, s.endsOn))}</span>
        )}
        {stats.firstDate && stats.lastDate && (
          <span className="figure-note">
            {t('figure.recorded', { from: formatDate(stats.firstDate), to: formatDate(stats.lastDate) })}
          </span>
        )}
        <a href="#timeline-heading">{t('figure.periodSource')}</a>
      </KeyFigure>
      <KeyFigure label={t('figure.population')} value={populationValue(s.population)}>
        {s.population && <PopulationSource population={s.population} />}
      </KeyFigure>
      <KeyFigure label={t('figure.mapped')} value={formatNumber(stats.withPoint)}>
        <a href="#map-heading">{t('figure.mappedSource')}</a>
      </KeyFigure>
    </dl>
  );
}

function LayerNotes({ layers }: { layers: Layer[] }) {
  if (layers.length === 0) return null;
  return (
    <ul className="layer-notes">
      {layers.map((l) => (
        <li key={l.id}>
          <strong>
            {l.schematic && !/schematic/i.test(l.name) ? t('map.schematicLabel', { name: l.name }) : l.name}
          </strong>
          {l.note && <>: {l.note}</>} <SourceLinks urls={l.sources} />
        </li>
      ))}
    </ul>
  );
}

function MapLegendExtra({ layers, area }: { layers: Layer[]; area: boolean }) {
  const places = layers.some((l) => l.kind === 'places');
  const route = layers.some((l) => l.kind === 'route');
  return (
    <>
      {area && (
        <li>
          <svg
            className="symbol"
            width={14}
            height={14}
            viewBox="0 0 14 14"
            aria-hidden="true"
            focusable="false"
          >
            <rect
              x={1}
              y={1}
              width={12}
              height={12}
              fill="#94A3B8"
              fillOpacity={0.3}
              stroke="#64748B"
              strokeDasharray="1 2"
            />
          </svg>
          <span>{t('legend.area')}</span>
        </li>
      )}
      {places && (
        <li>
          <svg
            className="symbol"
            width={14}
            height={14}
            viewBox="-7 -7 14 14"
            aria-hidden="true"
            focusable="false"
          >
            <circle r={4} fill="#FFFFFF" stroke="#1E293B" strokeWidth={2} />
          </svg>
          <span>{t('legend.place')}</span>
        </li>
      )}
      {route && (
        <li>
          <svg
            className="symbol"
            width={28}
            height={14}
            viewBox="0 -7 28 14"
            aria-hidden="true"
            focusable="false"
          >
            <line x1={1} x2={27} y1={0} y2={0} stroke="#1E293B" strokeWidth={3} strokeDasharray="6 4" />
          </svg>
          <span>{t('legend.route')}</span>
        </li>
      )}
      <li>
        <span className="map-cluster legend-cluster" aria-hidden="true">
          3
        </span>
        <span>{t('legend.cluster')}</span>
      </li>
    </>
  );
}

export default function DashboardPage({ slug }: { slug: string }) {
  const base = `/s/${encodeURIComponent(slug)}`;
  const [, navigate] = useLocation();
  const { setCurrent } = useSituations();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const situation = useApi<Situation>(`/situations/${encodeURIComponent(slug)}`);
  const layers = useApi<{ items: Layer[] }>(`/situations/${encodeURIComponent(slug)}/layers`);
  const incidents = useLoader<Incident[]>(slug, (signal) => fetchAllIncidents(slug, signal));
  const s = situation.result.state === 'ready' ? situation.result.data : null;
  usePageTitle(s?.name ?? null);
  const openIncident = useCallback(
    (id: string) => navigate(`/incidents/${encodeURIComponent(id)}`),
    [navigate],
  );

  const list = incidents.result.state === 'ready' ? incidents.result.data : null;
  const layerItems = useMemo(
    () => (layers.result.state === 'ready' ? layers.result.data.items : []),
    [layers.result],
  );
  const counts = useMemo(() => (list ? countCategories(list) : {}), [list]);
  const unmapped = list ? list.filter((i) => !i.point).length : 0;
  const latest = useMemo(
    () =>
      list
        ? [...list]
            .sort((a, b) => b.start.localeCompare(a.start) || a.title.localeCompare(b.title))
            .slice(0, LATEST)
        : [],
    [list],
  );

  if (situation.result.state === 'loading') return <Loading />;
  if (situation.result.state === 'error') {
    if (isNotFound(situation.result.error)) {
      return (
        <div className="page">
          <PageHeading>{t('dashboard.notFoundTitle')}</PageHeading>
          <p>{t('dashboard.notFound')}</p>
          <p>
            <Link href="/">{t('notFound.home')}</Link>
          </p>
        </div>
      );
    }
    return (
      <div className="page">
        <PageHeading>{t('dashboard.errorTitle')}</PageHeading>
        <ErrorState error={situation.result.error} onRetry={situation.retry} />
      </div>
    );
  }
  const sit = situation.result.data;
  const layersReady = layers.result.state !== 'loading';

  return (
    <div className="page">
      <PageHeading>{sit.name}</PageHeading>
      {sit.description && <p className="lead">{sit.description}</p>}
      <section aria-labelledby="figures-heading" className="section">
        <h2 id="figures-heading" className="visually-hidden">
          {t('dashboard.figures')}
        </h2>
        <Figures situation={sit} base={base} />
      </section>

      {incidents.result.state === 'loading' && <Loading label={t('dashboard.loadingIncidents')} />}
      {incidents.result.state === 'error' && (
        <ErrorState error={incidents.result.error} onRetry={incidents.retry} />
      )}
      {layers.result.state === 'error' && (
        <ErrorState error={layers.result.error} onRetry={layers.retry} title={t('dashboard.layersError')} />
      )}

      {list && (
        <>
          <section aria-labelledby="map-heading" className="section">
            <h2 id="map-heading">{t('dashboard.map')}</h2>
            <div className="map-layout">
              <div className="map-main">
                {layersReady ? (
                  <Suspense fallback={<div className="map map-placeholder">{t('common.loading')}</div>}>
                    <MapView
                      incidents={list}
                      layers={layerItems}
                      area={sit.area}
                      label={t('map.label', { name: sit.name })}
                      onOpenIncident={openIncident}
                    />
                  </Suspense>
                ) : (
                  <div className="map map-placeholder">{t('common.loading')}</div>
                )}
                <p className="note">
                  {tn('map.unmapped', unmapped)} {t('map.tableHint')}
                </p>
                <LayerNotes layers={layerItems} />
              </div>
              <CategoryLegend
                counts={counts}
                extra={<MapLegendExtra layers={layerItems} area={Boolean(sit.area)} />}
              />
            </div>
          </section>

          <section aria-labelledby="timeline-heading" className="section">
            <h2 id="timeline-heading">{t('dashboard.timeline')}</h2>
            <p className="note">{t('timeline.howToRead')}</p>
            <Timeline
              incidents={list}
              periodStart={sit.startsOn}
              periodEnd={sit.endsOn}
              contextFrom={sit.contextFrom}
              labelledBy="timeline-heading"
              onOpen={openIncident}
            />
            <details className="table-toggle" id="incident-table">
              <summary>{tn('dashboard.showTable', list.length)}</summary>
              <IncidentTable
                incidents={list}
                columns={['date', 'title', 'category', 'place', 'location']}
                caption={t('dashboard.tableCaption', { name: sit.name })}
              />
            </details>
          </section>

          <section aria-labelledby="latest-heading" className="section">
            <h2 id="latest-heading">{t('dashboard.latest')}</h2>
            {latest.length === 0 ? (
              <p>{t('dashboard.noIncidents')}</p>
            ) : (
              <ol className="latest">
                {latest.map((i) => (
                  <li key={i.id}>
                    <span className="latest-date">
                      {formatRange(i.start, i.startPrecision, i.end, i.endPrecision)}
                    </span>
                    <Link href={`/incidents/${encodeURIComponent(i.id)}`} className="latest-title">
                      {i.title}
                    </Link>
                    <CategoryTag category={i.category} />
                  </li>
                ))}
              </ol>
            )}
            <p>
              <Link href={`${base}/incidents`}>{t('dashboard.allIncidents')}</Link>
            </p>
          </section>
        </>
      )}
    </div>
  );
}
