// Full-text search across a situation: incidents, evidence titles, text of captured pages, verification notes
// and reports from the public, as typed hits with the matching words marked. What a reader may not see is
// never searched (the server decides); the answer says which kinds were searched.
import { Fragment, useEffect } from 'react';
import { Link, useSearch } from 'wouter';
import type { Situation } from '../api/types.ts';
import type { HitType, SearchHit } from '../api/vault.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, Loading } from '../components/Status.tsx';
import { SearchBox } from '../evidence/SearchBox.tsx';
import { t, tn } from '../i18n/index.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';

function hitHref(hit: SearchHit): string {
  switch (hit.type) {
    case 'incident':
      return `/incidents/${hit.incidentId ?? hit.id}`;
    case 'report':
      return `/reports/${hit.id}`;
    default:
      return hit.itemId ? `/items/${hit.itemId}` : `/items/${hit.id}`;
  }
}

export function typeLabel(type: HitType): string {
  return t(`search.type.${type}`);
}

/** The snippet with the words between « and » marked. */
function Snippet({ text }: { text: string }) {
  const parts = text.split(/«|»/);
  return (
    <>
      {parts.map((part, i) =>
        // biome-ignore lint/suspicious/noArrayIndexKey: parts of one snippet, in order
        i % 2 === 1 ? <mark key={i}>{part}</mark> : <Fragment key={i}>{part}</Fragment>,
      )}
    </>
  );
}

export default function SearchPage({ slug }: { slug: string }) {
  const { setCurrent } = useSituations();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const { session, loaded } = useSession();
  const q = new URLSearchParams(useSearch()).get('q')?.trim() ?? '';
  const situation = useApi<Situation>(`/situations/${encodeURIComponent(slug)}`);
  const sit = situation.result.state === 'ready' ? situation.result.data : null;
  usePageTitle(q ? t('search.documentTitle', { q }) : t('search.title'));
  const results = useApi<{ items: SearchHit[]; types: HitType[] }>(
    loaded && q
      ? `/situations/${encodeURIComponent(slug)}/search?q=${encodeURIComponent(q)}&limit=100#${session?.user?.id ?? 'anon'}`
      : null,
  );
  const data = results.result.state === 'ready' ? results.result.data : null;
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={`/s/${encodeURIComponent(slug)}`}>{sit?.name ?? t('incidents.backToOverview')}</Link>
      </p>
      <PageHeading>{t('search.title')}</PageHeading>
      <p className="lead">{t('search.lead')}</p>
      <SearchBox slug={slug} initial={q} />
      {q && results.result.state === 'loading' && <Loading />}
      {results.result.state === 'error' && (
        <ErrorState error={results.result.error} onRetry={results.retry} />
      )}
      {data && (
        <section aria-labelledby="search-results" className="section">
          <h2 id="search-results" tabIndex={-1}>
            {tn('search.count', data.items.length, { q })}
          </h2>
          <p className="note">
            {t('search.searched', { types: data.types.map((ty) => typeLabel(ty)).join(', ') })}
          </p>
          {data.items.length > 0 && (
            <ol className="search-hits">
              {data.items.map((hit) => (
                <li key={`${hit.type}-${hit.id}`} className="search-hit">
                  <span className="badge badge-phase">{typeLabel(hit.type)}</span>{' '}
                  <Link href={hitHref(hit)}>{hit.title || t('search.untitled')}</Link>
                  <p className="search-snippet">
                    <Snippet text={hit.snippet} />
                  </p>
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </div>
  );
}
