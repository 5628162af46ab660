// Response measures of a situation: key figures, the status changes as a timeline by category, the table of
// changes behind it, and the filterable table of measures (filters kept in the URL). Each figure links to
// the table it counts; each row to the measure's page with its history and sources.
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { API_BASE, query } from '../api/client.ts';
import type { FeedChange, Measure } from '../api/response.ts';
import type { Situation } from '../api/types.ts';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, Loading } from '../components/Status.tsx';
import { formatNumber, t, tn } from '../i18n/index.ts';
import { formatDate } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';
import {
  MEASURE_CATEGORIES,
  MEASURE_STATUSES,
  measureCategoryLabel,
  measureStatusLabel,
} from '../response/labels.ts';
import { MeasureTimeline, StatusSymbol } from '../response/MeasureTimeline.tsx';
import { ResponseNav } from '../response/ResponseNav.tsx';
import { Sources } from '../response/Sources.tsx';

interface Filters {
  category: string;
  status: string;
  actor: string;
  target: string;
  q: string;
}
const KEYS: (keyof Filters)[] = ['category', 'status', 'actor', 'target', 'q'];

function readFilters(search: string): Filters {
  const p = new URLSearchParams(search);
  const f = { category: '', status: '', actor: '', target: '', q: '' };
  for (const k of KEYS) f[k] = p.get(k) ?? '';
  if (f.category && !(MEASURE_CATEGORIES as readonly string[]).includes(f.category)) f.category = '';
  if (f.status && !(MEASURE_STATUSES as readonly string[]).includes(f.status)) f.status = '';
  return f;
}

const RECENT_FROM = '2020-01-01';

function FilterForm({
  filters,
  onSubmit,
  clearHref,
}: {
  filters: Filters;
  onSubmit: (f: Filters) => void;
  clearHref: string;
}) {
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [filters]);
  const id = useId();
  const set = (k: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({ ...draft, actor: draft.actor.trim(), target: draft.target.trim(), q: draft.q.trim() });
  };
  const filtered = KEYS.some((k) => filters[k]);
  return (
    <search>
      <form className="search-form" onSubmit={submit}>
        <div className="field field-wide">
          <label htmlFor={`${id}-q`}>{t('response.filter.q')}</label>
          <input id={`${id}-q`} type="search" value={draft.q} onChange={set('q')} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-category`}>{t('response.filter.category')}</label>
          <select id={`${id}-category`} value={draft.category} onChange={set('category')}>
            <option value="">{t('response.filter.allCategories')}</option>
            {MEASURE_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {measureCategoryLabel(c)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-status`}>{t('response.filter.status')}</label>
          <select id={`${id}-status`} value={draft.status} onChange={set('status')}>
            <option value="">{t('response.filter.allStatuses')}</option>
            {MEASURE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {measureStatusLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-actor`}>{t('response.filter.actor')}</label>
          <input
            id={`${id}-actor`}
            type="text"
            value={draft.actor}
            onChange={set('actor')}
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-target`}>{t('response.filter.target')}</label>
          <input
            id={`${id}-target`}
            type="text"
            value={draft.target}
            onChange={set('target')}
            autoComplete="off"
          />
        </div>
        <div className="field field-actions">
          <button type="submit" className="button">
            {t('response.filter.submit')}
          </button>
          {filtered && <Link href={clearHref}>{t('response.filter.clear')}</Link>}
        </div>
      </form>
    </search>
  );
}

export function MeasureTable({ measures, caption }: { measures: Measure[]; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('response.col.date')}</th>
            <th scope="col" className="col-title">
              {t('response.col.measure')}
            </th>
            <th scope="col">{t('response.col.category')}</th>
            <th scope="col">{t('response.col.status')}</th>
            <th scope="col">{t('response.col.actor')}</th>
            <th scope="col">{t('response.col.target')}</th>
            <th scope="col">{t('response.col.sources')}</th>
          </tr>
        </thead>
        <tbody>
          {measures.map((m) => (
            <tr key={m.id}>
              <td className="nowrap">
                {m.date ? formatDate(m.date, m.datePrecision) : t('response.undated')}
              </td>
              <td>
                <Link href={`/measures/${m.id}`}>{m.title}</Link>
              </td>
              <td>{measureCategoryLabel(m.category)}</td>
              <td>
                <span className="status-cell">
                  <StatusSymbol category={m.category} status={m.status} />
                  <span>
                    <strong>{measureStatusLabel(m.status)}</strong>
                    <br />
                    <span className="muted">“{m.statusText}”</span>
                  </span>
                </span>
              </td>
              <td>{m.actor}</td>
              <td>{m.target}</td>
              <td>
                <Sources sources={m.sources} label="" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ChangesTable({ changes, caption }: { changes: FeedChange[]; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('response.col.date')}</th>
            <th scope="col" className="col-title">
              {t('response.col.measure')}
            </th>
            <th scope="col">{t('response.col.category')}</th>
            <th scope="col">{t('response.col.status')}</th>
            <th scope="col">{t('response.col.wording')}</th>
            <th scope="col">{t('response.col.sources')}</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => (
            <tr key={c.id}>
              <td className="nowrap">
                {c.date ? formatDate(c.date, c.datePrecision) : t('response.undated')}
              </td>
              <td>
                <Link href={`/measures/${c.measureId}`}>{c.measureTitle}</Link>
              </td>
              <td>{measureCategoryLabel(c.category)}</td>
              <td>{measureStatusLabel(c.status)}</td>
              <td>{c.statusText ?? ''}</td>
              <td>
                <Sources sources={c.sources} label="" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default function ResponsePage({ slug }: { slug: string }) {
  const base = `/s/${encodeURIComponent(slug)}`;
  const search = useSearch();
  const [, navigate] = useLocation();
  const { setCurrent } = useSituations();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const filters = useMemo(() => readFilters(search), [search]);
  const enc = encodeURIComponent(slug);
  const situation = useApi<Situation>(`/situations/${enc}`);
  const sit = situation.result.state === 'ready' ? situation.result.data : null;
  usePageTitle(sit ? t('response.documentTitle', { name: sit.name }) : t('response.title'));
  const all = useApi<{ items: Measure[] }>(`/situations/${enc}/measures`);
  const changes = useApi<{ items: FeedChange[] }>(`/situations/${enc}/measures/changes?limit=1000`);
  const filtered = KEYS.some((k) => filters[k]);
  const list = useApi<{ items: Measure[] }>(`/situations/${enc}/measures${query({ ...filters })}`);
  const [period, setPeriod] = useState<'recent' | 'all'>('recent');
  const periodId = useId();

  const measures = all.result.state === 'ready' ? all.result.data.items : null;
  const changeList = useMemo(() => {
    if (changes.result.state !== 'ready') return null;
    return [...changes.result.data.items].sort(
      (a, b) => (a.date ?? '9999').localeCompare(b.date ?? '9999') || a.seq - b.seq,
    );
  }, [changes.result]);
  const rows = list.result.state === 'ready' ? list.result.data.items : null;
  const from = period === 'recent' ? RECENT_FROM : null;
  const notDrawn = changeList ? changeList.filter((c) => !c.date || (from && c.date < from)).length : 0;
  const categoriesPresent = MEASURE_CATEGORIES.filter((c) => measures?.some((m) => m.category === c));

  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={base}>{sit?.name ?? t('incidents.backToOverview')}</Link>
      </p>
      <PageHeading>{t('response.title')}</PageHeading>
      <p className="lead">{t('response.lead')}</p>
      <ResponseNav slug={slug} />
      {situation.result.state === 'error' && (
        <ErrorState error={situation.result.error} onRetry={situation.retry} />
      )}
      {all.result.state === 'loading' && <Loading />}
      {all.result.state === 'error' && <ErrorState error={all.result.error} onRetry={all.retry} />}
      {measures && (
        <>
          <h2 className="visually-hidden">{t('dashboard.figures')}</h2>
          <dl className="figures">
            <KeyFigure label={t('response.figure.measures')} value={formatNumber(measures.length)}>
              <a href="#measures-table">{t('response.figure.tableSource')}</a>
            </KeyFigure>
            <KeyFigure label={t('response.figure.changes')} value={formatNumber(changeList?.length ?? 0)}>
              <a href="#changes-table">{t('response.figure.changesSource')}</a>
            </KeyFigure>
            <KeyFigure
              label={t('response.figure.inForce')}
              value={formatNumber(measures.filter((m) => m.status === 'in_force').length)}
            >
              <Link href={`${base}/response?status=in_force#measures-table`}>
                {t('response.figure.tableSource')}
              </Link>
            </KeyFigure>
            <KeyFigure
              label={t('response.figure.pending')}
              value={formatNumber(measures.filter((m) => m.status === 'pending').length)}
            >
              <Link href={`${base}/response?status=pending#measures-table`}>
                {t('response.figure.tableSource')}
              </Link>
            </KeyFigure>
            <KeyFigure
              label={t('response.figure.sanctions')}
              value={formatNumber(measures.filter((m) => m.category === 'sanction').length)}
            >
              {measures.some((m) => m.category === 'sanction') ? (
                <Link href={`${base}/response?category=sanction#measures-table`}>
                  {t('response.figure.tableSource')}
                </Link>
              ) : (
                <span className="figure-note">{t('response.figure.sanctionsNote')}</span>
              )}
            </KeyFigure>
          </dl>
        </>
      )}

      <section aria-labelledby="timeline-heading" className="section">
        <h2 id="timeline-heading">{t('response.timeline.heading')}</h2>
        <div className="field field-inline">
          <label htmlFor={periodId}>{t('response.timeline.period')}</label>
          <select
            id={periodId}
            value={period}
            onChange={(e) => setPeriod(e.target.value as 'recent' | 'all')}
          >
            <option value="recent">{t('response.timeline.recent')}</option>
            <option value="all">{t('response.timeline.all')}</option>
          </select>
        </div>
        {changes.result.state === 'error' && (
          <ErrorState error={changes.result.error} onRetry={changes.retry} />
        )}
        {changeList && (
          <>
            <MeasureTimeline changes={changeList} categories={categoriesPresent} from={from} />
            {notDrawn > 0 && <p className="note">{tn('response.timeline.notDrawn', notDrawn)}</p>}
            <details className="table-toggle">
              <summary id="changes-table">{tn('response.timeline.showTable', changeList.length)}</summary>
              <ChangesTable
                changes={changeList}
                caption={t('response.changesCaption', { name: sit?.name ?? slug })}
              />
            </details>
            <p className="note feed-link">
              <a href={`${API_BASE}/situations/${enc}/measures/feed.atom`} type="application/atom+xml">
                {t('response.feed')}
              </a>
            </p>
          </>
        )}
      </section>

      <section aria-labelledby="measures-table" className="section">
        <h2 id="measures-table" tabIndex={-1}>
          {t('response.tableHeading')}
        </h2>
        <FilterForm
          filters={filters}
          onSubmit={(f) => navigate(`${base}/response${query({ ...f })}`)}
          clearHref={`${base}/response`}
        />
        <p className="result-count" role="status" aria-live="polite">
          {rows && tn(filtered ? 'response.countFiltered' : 'response.count', rows.length)}
        </p>
        {list.result.state === 'loading' && <Loading />}
        {list.result.state === 'error' && <ErrorState error={list.result.error} onRetry={list.retry} />}
        {rows && rows.length > 0 && (
          <MeasureTable measures={rows} caption={t('response.tableCaption', { name: sit?.name ?? slug })} />
        )}
      </section>
    </div>
  );
}
