import { Link } from 'wouter';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { PopulationSource, populationValue } from '../components/Population.tsx';
import { ErrorState, Loading } from '../components/Status.tsx';
import { formatNumber, t, tn } from '../i18n/index.ts';
import { formatPeriod } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSituations } from '../lib/situations.tsx';

export default function SituationsPage() {
  const { list, retry } = useSituations();
  usePageTitle(t('situations.title'));
  return (
    <div className="page">
      <PageHeading>{t('situations.title')}</PageHeading>
      <p className="lead">{t('situations.intro')}</p>
      {list.state === 'loading' && <Loading />}
      {list.state === 'error' && <ErrorState error={list.error} onRetry={retry} />}
      {list.state === 'ready' && list.data.items.length === 0 && <p>{t('situations.none')}</p>}
      {list.state === 'ready' && list.data.items.length > 0 && (
        <ul className="cards">
          {list.data.items.map((s) => (
            <li key={s.slug} className="card">
              <h2 className="card-title">
                <Link href={`/s/${encodeURIComponent(s.slug)}`}>{s.name}</Link>
              </h2>
              <p className="card-dates">{formatPeriod(s.startsOn, s.endsOn)}</p>
              {s.description && <p className="card-description">{s.description}</p>}
              <dl className="figures figures-compact">
                <KeyFigure label={t('figure.population')} value={populationValue(s.population)}>
                  {s.population && <PopulationSource population={s.population} />}
                </KeyFigure>
                <KeyFigure label={t('figure.published')} value={formatNumber(s.stats.published)}>
                  <Link href={`/s/${encodeURIComponent(s.slug)}/incidents`}>
                    {tn('situations.listIncidents', s.stats.published)}
                  </Link>
                </KeyFigure>
              </dl>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
