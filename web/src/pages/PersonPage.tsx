// One person or entity of interest (sanctions.screen roles): role, aliases, linked incidents with their
// sources, the latest screening with each match's score, reasons, list and version, and the dossier export.
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { API_BASE, api } from '../api/client.ts';
import type { Person } from '../api/response.ts';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, errorMessage, isNotFound, Loading } from '../components/Status.tsx';
import { formatNumber, t, tn } from '../i18n/index.ts';
import { formatDate, formatTimestamp } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';
import { listLabel, MatchTable } from '../response/Screening.tsx';
import { Sources } from '../response/Sources.tsx';
import NotFoundPage from './NotFoundPage.tsx';

export default function PersonPage({ id }: { id: string }) {
  const { result, retry } = useApi<Person>(`/persons/${encodeURIComponent(id)}`);
  const [screened, setScreened] = useState<Person | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const loadedPerson = result.state === 'ready' ? result.data : null;
  const p = screened ?? loadedPerson;
  const { setCurrent } = useSituations();
  useEffect(() => {
    if (p) setCurrent(p.situationSlug);
  }, [p, setCurrent]);
  usePageTitle(p ? p.name : t('persons.title'));
  if (result.state === 'loading') return <Loading />;
  if (result.state === 'error') {
    if (isNotFound(result.error)) return <NotFoundPage />;
    return <ErrorState error={result.error} onRetry={retry} />;
  }
  const person = p ?? result.data;
  const screen = async () => {
    setBusy(true);
    setError(null);
    try {
      setScreened(await api.post<Person>(`/persons/${encodeURIComponent(person.id)}/screen`, {}));
    } catch (err) {
      setError(err instanceof Error ? errorMessage(err) : String(err));
    } finally {
      setBusy(false);
    }
  };
  const s = person.latestScreening;
  const dossier = `${API_BASE}/persons/${encodeURIComponent(person.id)}/dossier`;
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={`/s/${encodeURIComponent(person.situationSlug)}/response/persons`}>
          {t('persons.title')}
        </Link>
      </p>
      <PageHeading>{person.name}</PageHeading>
      <p className="lead">{person.role}</p>
      <h2 className="visually-hidden">{t('dashboard.figures')}</h2>
      <dl className="figures figures-compact">
        <KeyFigure label={t('person.figure.incidents')} value={formatNumber(person.incidents.length)}>
          <a href="#person-incidents">{t('person.figure.incidentsSource')}</a>
        </KeyFigure>
        <KeyFigure label={t('person.figure.matches')} value={s ? formatNumber(s.matches.length) : '–'}>
          <a href="#screening-heading">{s ? t('person.figure.matchesSource') : t('persons.notScreened')}</a>
        </KeyFigure>
      </dl>
      <dl className="pairs">
        <dt>{t('person.kind')}</dt>
        <dd>{t(person.kind === 'entity' ? 'person.kind.entity' : 'person.kind.individual')}</dd>
        {person.aliases.length > 0 && (
          <>
            <dt>{t('person.aliases')}</dt>
            <dd>{person.aliases.join(', ')}</dd>
          </>
        )}
        {(person.roleSince || person.roleUntil) && (
          <>
            <dt>{t('person.roleDates')}</dt>
            <dd>
              {person.roleSince ? formatDate(person.roleSince) : '…'} –{' '}
              {person.roleUntil ? formatDate(person.roleUntil) : '…'}
            </dd>
          </>
        )}
        {person.nationality && (
          <>
            <dt>{t('person.nationality')}</dt>
            <dd>{person.nationality}</dd>
          </>
        )}
        {person.birthDate && (
          <>
            <dt>{t('person.birthDate')}</dt>
            <dd>{formatDate(person.birthDate)}</dd>
          </>
        )}
        <dt>{t('measure.sources')}</dt>
        <dd>
          <Sources sources={person.sources} label="" />
        </dd>
      </dl>
      {person.notes && <p className="description">{person.notes}</p>}

      <section aria-labelledby="dossier-heading" className="section">
        <h2 id="dossier-heading">{t('person.dossier')}</h2>
        <p className="note">{t('person.dossierNote')}</p>
        <p className="button-row">
          <a className="button" href={`${dossier}?format=md`} download={`dossier-${person.id}.md`}>
            {t('person.dossierMd')}
          </a>
          <a
            className="button button-secondary"
            href={`${dossier}?format=json`}
            download={`dossier-${person.id}.json`}
          >
            {t('person.dossierJson')}
          </a>
        </p>
      </section>

      <section aria-labelledby="screening-heading" className="section">
        <h2 id="screening-heading" tabIndex={-1}>
          {t('person.screening')}
        </h2>
        <p className="note">{t('screen.caveat')}</p>
        <p>
          <button type="button" className="button" onClick={screen} disabled={busy}>
            {busy ? t('screen.screening') : s ? t('person.screenAgain') : t('person.screen')}
          </button>
        </p>
        <div role="status" aria-live="polite">
          {error && <p className="field-error">{error}</p>}
          {s && (
            <p>
              {tn('person.screenedSummary', s.matches.length, {
                at: formatTimestamp(s.screenedAt),
                by: s.screenedBy,
                threshold: s.threshold,
              })}
            </p>
          )}
        </div>
        {s && (
          <>
            <p className="muted">{t('person.listsUsed', { lists: s.lists.map(listLabel).join('; ') })}</p>
            {s.matches.length > 0 && (
              <MatchTable
                matches={s.matches}
                caption={tn('screen.matchesFor', s.matches.length, { name: person.name })}
              />
            )}
          </>
        )}
      </section>

      <section aria-labelledby="person-incidents" className="section">
        <h2 id="person-incidents" tabIndex={-1}>
          {t('person.incidents')}
        </h2>
        {person.incidents.length === 0 ? (
          <p>{t('person.noIncidents')}</p>
        ) : (
          <ul className="plain-list">
            {person.incidents.map((i) => (
              <li key={i.id}>
                <Link href={`/incidents/${i.id}`}>
                  {formatDate(i.start)} — {i.title}
                </Link>
                {i.note && <p>{i.note}</p>}
                <p>
                  <Sources sources={i.sources} />
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
