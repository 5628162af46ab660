// The incident list of a situation: full-text search and filters (kept in the URL so a search can be
// shared), a results table, and "Load more" through the API's cursor.
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api, query } from '../api/client.ts';
import type { Incident, Page, Situation } from '../api/types.ts';
import { IncidentTable } from '../components/IncidentTable.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, Loading } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import { categoryLabel, sortCategories } from '../lib/categories.ts';
import { formatDate } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSituations } from '../lib/situations.tsx';
import { useApi, useLoader } from '../lib/useApi.ts';

const PAGE_SIZE = 50;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface Filters {
  q: string;
  category: string;
  from: string;
  to: string;
}

function readFilters(search: string): Filters {
  const p = new URLSearchParams(search);
  const date = (v: string | null) => (v && DATE.test(v) ? v : '');
  return {
    q: p.get('q') ?? '',
    category: p.get('category') ?? '',
    from: date(p.get('from')),
    to: date(p.get('to')),
  };
}

function isFiltered(f: Filters): boolean {
  return Boolean(f.q || f.category || f.from || f.to);
}

function describe(f: Filters): string {
  const parts: string[] = [];
  if (f.q) parts.push(t('incidents.filter.q', { q: f.q }));
  if (f.category) parts.push(t('incidents.filter.category', { category: categoryLabel(f.category) }));
  if (f.from) parts.push(t('incidents.filter.from', { date: formatDate(f.from) }));
  if (f.to) parts.push(t('incidents.filter.to', { date: formatDate(f.to) }));
  return parts.join(', ');
}

function SearchForm({
  filters,
  categories,
  onSubmit,
  clearHref,
}: {
  filters: Filters;
  categories: string[];
  onSubmit: (f: Filters) => void;
  clearHref: string;
}) {
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [filters]);
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(draft);
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [k]: e.target.value });
  const dateError = draft.from && draft.to && draft.from > draft.to ? t('incidents.dateOrder') : null;
  return (
    <search>
      <form className="search-form" onSubmit={submit}>
        <div className="field field-wide">
          <label htmlFor={`${id}-q`}>{t('incidents.searchLabel')}</label>
          <input
            id={`${id}-q`}
            type="search"
            name="q"
            value={draft.q}
            onChange={set('q')}
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-category`}>{t('incidents.category')}</label>
          <select id={`${id}-category`} name="category" value={draft.category} onChange={set('category')}>
            <option value="">{t('incidents.allCategories')}</option>
            {categories.map((c) => (
              <option key={c} value={c}>
                {categoryLabel(c)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>{t('incidents.from')}</label>
          <input id={`${id}-from`} type="date" name="from" value={draft.from} onChange={set('from')} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>{t('incidents.to')}</label>
          <input
            id={`${id}-to`}
            type="date"
            name="to"
            value={draft.to}
            onChange={set('to')}
            aria-invalid={dateError ? true : undefined}
            aria-describedby={dateError ? `${id}-to-error` : undefined}
          />
          {dateError && (
            <p className="field-error" id={`${id}-to-error`}>
              {dateError}
            </p>
          )}
        </div>
        <div className="field field-actions">
          <button type="submit" className="button">
            {t('incidents.submit')}
          </button>
          {isFiltered(filters) && <Link href={clearHref}>{t('incidents.clear')}</Link>}
        </div>
      </form>
    </search>
  );
}

export default function IncidentsPage({ slug }: { slug: string }) {
  const base = `/s/${encodeURIComponent(slug)}`;
  const search = useSearch();
  const [, navigate] = useLocation();
  const { setCurrent } = useSituations();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const filters = useMemo(() => readFilters(search), [search]);
  const situation = useApi<Situation>(`/situations/${encodeURIComponent(slug)}`);
  const sit = situation.result.state === 'ready' ? situation.result.data : null;
  usePageTitle(sit ? t('incidents.documentTitle', { name: sit.name }) : t('incidents.title'));

  const listPath = `/situations/${encodeURIComponent(slug)}/incidents${query({ ...filters, limit: PAGE_SIZE })}`;
  const first = useLoader<Page<Incident>>(listPath, (signal) => api.get<Page<Incident>>(listPath, signal));
  const [more, setMore] = useState<{ items: Incident[]; nextCursor: string | null } | null>(null);
  const [moreState, setMoreState] = useState<{ loading: boolean; error: Error | null }>({
    loading: false,
    error: null,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset the extra pages when the query changes
  useEffect(() => {
    setMore(null);
    setMoreState({ loading: false, error: null });
  }, [listPath]);

  const firstPage = first.result.state === 'ready' ? first.result.data : null;
  const items = firstPage ? [...firstPage.items, ...(more?.items ?? [])] : [];
  const nextCursor = more ? more.nextCursor : (firstPage?.nextCursor ?? null);

  const loadMore = async () => {
    if (!nextCursor) return;
    setMoreState({ loading: true, error: null });
    try {
      const page = await api.get<Page<Incident>>(
        `/situations/${encodeURIComponent(slug)}/incidents${query({ ...filters, limit: PAGE_SIZE, cursor: nextCursor })}`,
      );
      setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
      setMoreState({ loading: false, error: null });
    } catch (err) {
      setMoreState({ loading: false, error: err instanceof Error ? err : new Error(String(err)) });
    }
  };

  const submit = (f: Filters) => navigate(`${base}/incidents${query({ ...f })}`);
  const categories = sortCategories(Object.keys(sit?.stats.categories ?? {}));
  if (filters.category && !categories.includes(filters.category)) categories.push(filters.category);
  const total = firstPage?.total;

  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={base}>{sit?.name ?? t('incidents.backToOverview')}</Link>
      </p>
      <PageHeading>{t('incidents.title')}</PageHeading>
      {situation.result.state === 'error' && (
        <ErrorState error={situation.result.error} onRetry={situation.retry} />
      )}
      <SearchForm
        filters={filters}
        categories={categories}
        onSubmit={submit}
        clearHref={`${base}/incidents`}
      />

      <section aria-labelledby="results-heading" className="section">
        <h2 id="results-heading">{t('incidents.results')}</h2>
        <p className="result-count" role="status" aria-live="polite">
          {first.result.state === 'ready' &&
            (total !== undefined
              ? tn('incidents.countOfTotal', items.length, { total })
              : nextCursor
                ? tn('incidents.countMore', items.length)
                : tn('incidents.count', items.length))}
          {first.result.state === 'ready' &&
            isFiltered(filters) &&
            ` ${t('incidents.matching', { filters: describe(filters) })}`}
        </p>
        {first.result.state === 'loading' && <Loading />}
        {first.result.state === 'error' && <ErrorState error={first.result.error} onRetry={first.retry} />}
        {firstPage && items.length === 0 && <p>{t('incidents.none')}</p>}
        {items.length > 0 && (
          <IncidentTable
            incidents={items}
            columns={['date', 'title', 'category', 'place', 'confidence']}
            caption={t('incidents.tableCaption')}
            captionHidden
          />
        )}
        {moreState.error && <ErrorState error={moreState.error} onRetry={loadMore} />}
        {nextCursor && !moreState.error && (
          <p>
            <button type="button" className="button" onClick={loadMore} disabled={moreState.loading}>
              {moreState.loading ? t('common.loading') : t('incidents.loadMore')}
            </button>
          </p>
        )}
        <p className="note">{t('confidence.explainer')}</p>
      </section>
    </div>
  );
}
