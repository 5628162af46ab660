// The moderation queue: reports sent by the public to a situation, oldest first, for documenters to read and
// decide (merge into an incident, link as evidence, or reject). Each row opens the report.
import { useEffect } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { query } from '../api/client.ts';
import type { Page, Situation } from '../api/types.ts';
import type { PublicReport, ReportStatus } from '../api/vault.ts';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, Loading } from '../components/Status.tsx';
import { formatNumber, t, tn } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { canModerate } from '../lib/permissions.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';

const STATUSES: ReportStatus[] = ['pending', 'merged', 'linked', 'rejected'];

export function reportStatusLabel(status: string): string {
  return t(`reports.status.${status as ReportStatus}`);
}

export default function ReportsPage({ slug }: { slug: string }) {
  const base = `/s/${encodeURIComponent(slug)}`;
  const { setCurrent } = useSituations();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const { session, loaded } = useSession();
  const user = session?.user ?? null;
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const raw = search.get('status') ?? 'pending';
  const status = raw === 'all' || STATUSES.includes(raw as ReportStatus) ? raw : 'pending';
  const situation = useApi<Situation>(`/situations/${encodeURIComponent(slug)}`);
  const sit = situation.result.state === 'ready' ? situation.result.data : null;
  usePageTitle(t('reports.title'));
  const allowed = canModerate(user);
  const list = useApi<Page<PublicReport>>(
    loaded && allowed
      ? `/situations/${encodeURIComponent(slug)}/reports${query({ limit: 500, status: status === 'all' ? null : status })}`
      : null,
  );
  const pending = useApi<Page<PublicReport>>(
    loaded && allowed ? `/situations/${encodeURIComponent(slug)}/reports?status=pending&limit=500` : null,
  );
  const reports = list.result.state === 'ready' ? list.result.data.items : null;

  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={`${base}/evidence`}>{t('reports.back')}</Link>
      </p>
      <PageHeading>{t('reports.title')}</PageHeading>
      <p className="lead">{t('reports.lead', { name: sit?.name ?? slug })}</p>
      {loaded && !allowed && (
        <div className="notice notice-info">
          <p>{user ? t('reports.notAllowed') : <Link href="/login">{t('reports.signIn')}</Link>}</p>
        </div>
      )}
      {allowed && (
        <>
          <h2 className="visually-hidden">{t('dashboard.figures')}</h2>
          <dl className="figures figures-compact">
            <KeyFigure
              label={t('reports.figure.pending')}
              value={pending.result.state === 'ready' ? formatNumber(pending.result.data.items.length) : '…'}
            >
              <a href="#reports-table">{t('reports.figure.source')}</a>
            </KeyFigure>
          </dl>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              const value = new FormData(e.currentTarget).get('status');
              navigate(`${base}/reports${query({ status: value === 'pending' ? null : String(value) })}`);
            }}
          >
            <div className="field">
              <label htmlFor="reports-status">{t('reports.filter')}</label>
              <select id="reports-status" name="status" defaultValue={status} key={status}>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {reportStatusLabel(s)}
                  </option>
                ))}
                <option value="all">{t('reports.status.all')}</option>
              </select>
            </div>
            <button type="submit" className="button button-small">
              {t('reports.show')}
            </button>
          </form>
          {list.result.state === 'loading' && <Loading />}
          {list.result.state === 'error' && <ErrorState error={list.result.error} onRetry={list.retry} />}
          {reports && (
            <section aria-labelledby="reports-table" className="section">
              <h2 id="reports-table" tabIndex={-1}>
                {t('reports.tableHeading')}
              </h2>
              {reports.length === 0 ? (
                <p>{t('reports.none')}</p>
              ) : (
                <div className="table-wrap">
                  <table className="data-table">
                    <caption>{tn('reports.caption', reports.length)}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('reports.col.received')}</th>
                        <th scope="col">{t('reports.col.what')}</th>
                        <th scope="col">{t('reports.col.when')}</th>
                        <th scope="col">{t('reports.col.place')}</th>
                        <th scope="col">{t('reports.col.files')}</th>
                        <th scope="col">{t('reports.col.status')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {reports.map((r) => (
                        <tr key={r.id}>
                          <td className="nowrap">{formatTimestamp(r.receivedAt)}</td>
                          <td className="col-title">
                            <Link href={`/reports/${r.id}`}>{excerpt(r.what)}</Link>
                          </td>
                          <td>{[r.when, r.whenText].filter(Boolean).join(' · ') || '—'}</td>
                          <td>{r.placeName ?? '—'}</td>
                          <td className="num">{formatNumber(r.files.length)}</td>
                          <td>{reportStatusLabel(r.status)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          )}
        </>
      )}
    </div>
  );
}

export function excerpt(text: string, max = 120): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
