// One incident: what, when (with the precision the sources give), where (and where the point comes from),
// how sure, the sources, a small map, and who changed what.
import { lazy, Suspense, useEffect, useMemo } from 'react';
import { Link } from 'wouter';
import type { IncidentDetail, Layer, Revision } from '../api/types.ts';
import { CategoryTag } from '../components/Category.tsx';
import { confidenceLabel, locationLabel } from '../components/IncidentTable.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { hostOf } from '../components/SourceLinks.tsx';
import { ErrorState, isNotFound, Loading } from '../components/Status.tsx';
import { t, tMaybe } from '../i18n/index.ts';
import { formatDate, formatRange, formatTimestamp } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';

const MapView = lazy(() => import('../map/MapView.tsx'));
const IncidentEvidence = lazy(() => import('../evidence/IncidentEvidence.tsx'));

function precisionNote(precision: string | null): string | null {
  return precision === 'month' ? t('incident.monthPrecision') : null;
}

function confidenceMeaning(c: string): string {
  return tMaybe(`confidence.${c}.meaning`, '');
}

function statusLabel(s: string): string {
  return tMaybe(`status.${s}`, s);
}

function fieldLabel(f: string): string {
  return tMaybe(`field.${f}`, f);
}

function short(value: unknown): string {
  if (value === null || value === undefined || value === '') return t('revision.empty');
  if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 77)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return t('revision.structured');
}

function Revisions({ revisions }: { revisions: Revision[] }) {
  if (revisions.length === 0) return <p>{t('revision.none')}</p>;
  const sorted = [...revisions].sort((a, b) => b.revision - a.revision);
  return (
    <ol className="revisions" aria-label={t('revision.caption')}>
      {sorted.map((r) => {
        const fields = Object.entries(r.changes);
        return (
          <li key={r.revision} className="revision">
            <p className="revision-meta">
              <strong>{t('revision.title', { number: r.revision })}</strong>
              <span>{formatTimestamp(r.changedAt)}</span>
              <span>{t('revision.by', { who: r.changedBy ?? t('revision.unknownAuthor') })}</span>
            </p>
            {fields.length === 0 ? (
              <p className="muted">{t('revision.noFields')}</p>
            ) : (
              <p className="changes">
                <span className="change-label">{t('revision.changes')}: </span>
                {fields.map(([field, c], n) => (
                  <span key={field} className="change">
                    {n > 0 && ', '}
                    <span className="change-field">{fieldLabel(field)}</span>
                    {r.revision > 1 && ` (${t('revision.fromTo', { from: short(c.from), to: short(c.to) })})`}
                  </span>
                ))}
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}

export default function IncidentPage({ id }: { id: string }) {
  const { result, retry } = useApi<IncidentDetail>(`/incidents/${encodeURIComponent(id)}`);
  const { setCurrent } = useSituations();
  const incident = result.state === 'ready' ? result.data : null;
  usePageTitle(incident?.title ?? null);
  const mapIncidents = useMemo(() => (incident ? [incident] : []), [incident]);
  // The situation's places give the small map its bearings.
  const layers = useApi<{ items: Layer[] }>(
    incident?.point ? `/situations/${encodeURIComponent(incident.situationSlug)}/layers` : null,
  );
  const layerItems = useMemo(
    () => (layers.result.state === 'ready' ? layers.result.data.items : undefined),
    [layers.result],
  );
  useEffect(() => {
    if (incident) setCurrent(incident.situationSlug);
  }, [incident, setCurrent]);

  if (result.state === 'loading') return <Loading />;
  if (result.state === 'error') {
    if (isNotFound(result.error)) {
      return (
        <div className="page">
          <PageHeading>{t('incident.notFoundTitle')}</PageHeading>
          <p>{t('incident.notFound')}</p>
          <p>
            <Link href="/">{t('notFound.home')}</Link>
          </p>
        </div>
      );
    }
    return (
      <div className="page">
        <PageHeading>{t('incident.errorTitle')}</PageHeading>
        <ErrorState error={result.error} onRetry={retry} />
      </div>
    );
  }
  const i = result.data;
  const base = `/s/${encodeURIComponent(i.situationSlug)}`;
  const startNote = precisionNote(i.startPrecision);
  const meaning = confidenceMeaning(i.confidence);
  return (
    <article className="page incident">
      <p className="breadcrumb">
        <Link href={`${base}/incidents`}>{t('incident.back')}</Link>
      </p>
      <PageHeading>{i.title}</PageHeading>
      {i.status !== 'published' && <p className="badge badge-draft">{statusLabel(i.status)}</p>}
      <div className="incident-layout">
        <div>
          <dl className="facts">
            <div>
              <dt>{i.end ? t('incident.dates') : t('incident.date')}</dt>
              <dd>
                {formatRange(i.start, i.startPrecision, i.end, i.endPrecision)}
                {startNote && <span className="fact-note">{startNote}</span>}
              </dd>
            </div>
            <div>
              <dt>{t('incident.category')}</dt>
              <dd>
                <CategoryTag category={i.category} />
              </dd>
            </div>
            <div>
              <dt>{t('incident.place')}</dt>
              <dd>
                {i.placeName ?? t('place.unknown')}
                <span className="fact-note">
                  {locationLabel(i)}
                  {i.point && ` (${i.point.lat.toFixed(4)}, ${i.point.lon.toFixed(4)})`}
                </span>
                {i.pointNote && <span className="fact-note">{i.pointNote}</span>}
              </dd>
            </div>
            <div>
              <dt>{t('incident.confidence')}</dt>
              <dd>
                {confidenceLabel(i.confidence)}
                {meaning && <span className="fact-note">{meaning}</span>}
              </dd>
            </div>
            <div>
              <dt>{t('incident.status')}</dt>
              <dd>{statusLabel(i.status)}</dd>
            </div>
          </dl>
          <section aria-labelledby="description-heading" className="section">
            <h2 id="description-heading">{t('incident.description')}</h2>
            <p className="description">{i.description || t('incident.noDescription')}</p>
          </section>
          <section aria-labelledby="sources-heading" className="section">
            <h2 id="sources-heading">{t('incident.sources')}</h2>
            {i.sources.length === 0 ? (
              <p>{t('incident.noSources')}</p>
            ) : (
              <ol className="sources">
                {i.sources.map((s) => (
                  <li key={s.url}>
                    <a href={s.url} rel="noopener noreferrer external">
                      {s.outlet ?? hostOf(s.url)}
                    </a>
                    <span className="source-url">{s.url}</span>
                    {s.accessedOn && (
                      <span className="fact-note">
                        {t('incident.accessed', { date: formatDate(s.accessedOn) })}
                      </span>
                    )}
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
        {i.point && layers.result.state !== 'loading' && (
          <section aria-labelledby="location-heading" className="section incident-map">
            <h2 id="location-heading">{t('incident.location')}</h2>
            <Suspense fallback={<div className="map map-small map-placeholder">{t('common.loading')}</div>}>
              <MapView
                incidents={mapIncidents}
                layers={layerItems}
                cluster={false}
                focus="incidents"
                singleZoom={9}
                className="map-small"
                label={t('incident.mapLabel', { place: i.placeName ?? t('place.unknown') })}
              />
            </Suspense>
            <p className="note">{locationLabel(i)}</p>
          </section>
        )}
      </div>
      <Suspense fallback={<Loading />}>
        <IncidentEvidence slug={i.situationSlug} incidentId={i.id} />
      </Suspense>
      <section aria-labelledby="history-heading" className="section">
        <h2 id="history-heading">{t('incident.history')}</h2>
        <Revisions revisions={i.revisions} />
      </section>
    </article>
  );
}
