// One response measure: where it stands (the vocabulary status beside the source's own wording), its dated
// status history, its sources and the incidents it is linked to.
import { useEffect } from 'react';
import { Link } from 'wouter';
import { API_BASE, api } from '../api/client.ts';
import type { MeasureWithHistory } from '../api/response.ts';
import type { Incident } from '../api/types.ts';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, isNotFound, Loading } from '../components/Status.tsx';
import { t } from '../i18n/index.ts';
import { formatDate, formatTimestamp } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSituations } from '../lib/situations.tsx';
import { useApi, useLoader } from '../lib/useApi.ts';
import { measureCategoryLabel, measureStatusLabel } from '../response/labels.ts';
import { StatusSymbol } from '../response/MeasureTimeline.tsx';
import { Sources } from '../response/Sources.tsx';
import NotFoundPage from './NotFoundPage.tsx';

export default function MeasurePage({ id }: { id: string }) {
  const { result, retry } = useApi<MeasureWithHistory>(`/measures/${encodeURIComponent(id)}`);
  const m = result.state === 'ready' ? result.data : null;
  const { setCurrent } = useSituations();
  useEffect(() => {
    if (m) setCurrent(m.situationSlug);
  }, [m, setCurrent]);
  usePageTitle(m ? m.title : t('measure.title'));
  const incidentIds = m?.incidents.map((i) => i.id) ?? [];
  const incidents = useLoader<(Incident | null)[]>(m ? `${m.id}#${incidentIds.join(',')}` : null, (signal) =>
    Promise.all(
      incidentIds.map((iid) =>
        api.get<Incident>(`/incidents/${encodeURIComponent(iid)}`, signal).catch(() => null),
      ),
    ),
  );
  if (result.state === 'loading') return <Loading />;
  if (result.state === 'error') {
    if (isNotFound(result.error)) return <NotFoundPage />;
    return <ErrorState error={result.error} onRetry={retry} />;
  }
  const measure = result.data;
  const base = `/s/${encodeURIComponent(measure.situationSlug)}`;
  const loadedIncidents = incidents.result.state === 'ready' ? incidents.result.data : null;
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={`${base}/response`}>{t('response.title')}</Link>
      </p>
      <PageHeading>{measure.title}</PageHeading>
      <h2 className="visually-hidden">{t('dashboard.figures')}</h2>
      <dl className="figures figures-compact">
        <KeyFigure
          text
          label={t('measure.status')}
          value={
            <span className="status-cell">
              <StatusSymbol category={measure.category} status={measure.status} />
              {measureStatusLabel(measure.status)}
            </span>
          }
        >
          <a href="#history-heading">{t('measure.historySource')}</a>
        </KeyFigure>
        <KeyFigure
          text
          label={t('measure.date')}
          value={measure.date ? formatDate(measure.date, measure.datePrecision) : t('response.undated')}
        >
          <Sources sources={measure.sources} />
        </KeyFigure>
        <KeyFigure text label={t('measure.category')} value={measureCategoryLabel(measure.category)}>
          <span className="figure-note">{t('measure.kind', { kind: measure.kind })}</span>
        </KeyFigure>
      </dl>
      <dl className="pairs">
        <dt>{t('measure.actor')}</dt>
        <dd>{measure.actor}</dd>
        <dt>{t('measure.target')}</dt>
        <dd>{measure.target}</dd>
        <dt>{t('measure.wording')}</dt>
        <dd>
          <q>{measure.statusText}</q>
        </dd>
        {measure.externalRef && (
          <>
            <dt>{t('measure.ref')}</dt>
            <dd>{measure.externalRef}</dd>
          </>
        )}
      </dl>
      {measure.description && <p className="description">{measure.description}</p>}

      <section aria-labelledby="history-heading" className="section">
        <h2 id="history-heading" tabIndex={-1}>
          {t('measure.history')}
        </h2>
        <ol className="revisions status-history">
          {measure.history.map((h) => (
            <li key={h.id} className="revision">
              <p className="revision-meta">
                <strong className="status-cell">
                  <StatusSymbol category={measure.category} status={h.status} />
                  {measureStatusLabel(h.status)}
                </strong>
                <span>{h.date ? formatDate(h.date, h.datePrecision) : t('measure.dateUnknown')}</span>
              </p>
              {h.statusText && (
                <p>
                  {t('measure.sourceWords')} <q>{h.statusText}</q>
                </p>
              )}
              {h.note && <p>{t('measure.note', { note: h.note })}</p>}
              <p>
                <Sources sources={h.sources} />
              </p>
              <p className="muted small">
                {t('measure.recorded', { by: h.recordedBy, at: formatTimestamp(h.recordedAt) })}
              </p>
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="sources-heading" className="section">
        <h2 id="sources-heading">{t('measure.sources')}</h2>
        <ul>
          {measure.sources.map((s) => (
            <li key={s.url}>
              <a href={s.url} rel="noopener noreferrer external">
                {s.outlet ?? s.url}
              </a>{' '}
              <span className="muted break">{s.url}</span>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="incidents-heading" className="section">
        <h2 id="incidents-heading">{t('measure.incidents')}</h2>
        {measure.incidents.length === 0 ? (
          <p>{t('measure.noIncidents')}</p>
        ) : (
          <ul>
            {measure.incidents.map((link, i) => {
              const inc = loadedIncidents?.[i];
              return (
                <li key={link.id}>
                  <Link href={`/incidents/${link.id}`}>
                    {inc
                      ? `${formatDate(inc.start, inc.startPrecision)} — ${inc.title}`
                      : t('measure.incident')}
                  </Link>{' '}
                  <span className="muted">{t('measure.basis', { basis: link.basis })}</span>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      {measure.items.length > 0 && (
        <section aria-labelledby="items-heading" className="section">
          <h2 id="items-heading">{t('measure.items')}</h2>
          <ul>
            {measure.items.map((link, i) => (
              <li key={link.id}>
                <Link href={`/items/${link.id}`}>{t('measure.item', { n: i + 1 })}</Link>{' '}
                <span className="muted">{t('measure.basis', { basis: link.basis })}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <p className="note section">
        <a href={`${API_BASE}/situations/${encodeURIComponent(measure.situationSlug)}/measures/feed.atom`}>
          {t('response.feed')}
        </a>
      </p>
    </div>
  );
}
