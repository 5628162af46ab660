// One report from the public, for moderation: the witness's account as stored (place already coarsened), the
// sealed statement's hash, the files with their publishable copies, and the decision: merge into a new or an
// existing incident, link as evidence of an incident, or reject with a reason. A report is decided once.
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api } from '../api/client.ts';
import type { EvidenceItem, Incident } from '../api/types.ts';
import type { PublicReport } from '../api/vault.ts';
import { Field } from '../components/Form.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import { formatBytes } from '../evidence/labels.ts';
import { t } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { fetchAllIncidents } from '../lib/incidents.ts';
import { usePageTitle } from '../lib/page.ts';
import { canModerate } from '../lib/permissions.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';
import { useApi, useLoader } from '../lib/useApi.ts';
import { excerpt, reportStatusLabel } from './ReportsPage.tsx';

type Action = 'merge-new' | 'merge' | 'link' | 'reject';
const ACTIONS: Action[] = ['merge-new', 'merge', 'link', 'reject'];

function Statement({ itemId }: { itemId: string }) {
  const item = useApi<EvidenceItem>(`/items/${itemId}`);
  if (item.result.state !== 'ready') return <span className="muted">…</span>;
  const sha = item.result.data.sealed?.sha256;
  return (
    <>
      <code className="hash">{sha ?? '—'}</code>{' '}
      <Link href={`/items/${itemId}`} className="small">
        {t('review.openStatement')}
      </Link>
    </>
  );
}

function Decision({ report, onDecided }: { report: PublicReport; onDecided: (r: PublicReport) => void }) {
  const id = useId();
  const [action, setAction] = useState<Action>('merge-new');
  const [incidentId, setIncidentId] = useState('');
  const [reason, setReason] = useState('');
  const [title, setTitle] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const incidents = useLoader<Incident[]>(report.situationSlug, (signal) =>
    fetchAllIncidents(report.situationSlug, signal),
  );
  const choices = useMemo(
    () =>
      incidents.result.state === 'ready'
        ? [...incidents.result.data].sort((a, b) => b.start.localeCompare(a.start))
        : [],
    [incidents.result],
  );
  const needsIncident = action === 'merge' || action === 'link';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (needsIncident && !incidentId) local.incidentId = t('review.chooseIncident');
    if (action === 'reject' && !reason.trim()) local.reason = t('review.reasonNeeded');
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    const body: Record<string, unknown> =
      action === 'merge-new'
        ? { action: 'merge', ...(title.trim() ? { incident: { title: title.trim() } } : {}) }
        : action === 'reject'
          ? { action: 'reject', reason: reason.trim() }
          : { action, incidentId };
    setBusy(true);
    try {
      onDecided(await api.post<PublicReport>(`/reports/${report.id}/decision`, body));
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors({ ...fields, form: err instanceof Error ? errorMessage(err) : String(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form upload-form" onSubmit={submit} noValidate>
      <fieldset className="fieldset">
        <legend>{t('review.action')}</legend>
        {ACTIONS.map((a) => (
          <div className="field-inline field" key={a}>
            <input
              type="radio"
              id={`${id}-${a}`}
              name={`${id}-action`}
              value={a}
              checked={action === a}
              onChange={() => setAction(a)}
            />
            <label htmlFor={`${id}-${a}`}>{t(`review.action.${a}`)}</label>
          </div>
        ))}
      </fieldset>
      {action === 'merge-new' && (
        <Field id={`${id}-title`} label={t('review.newTitle')} hint={t('review.newTitleHint')}>
          {(p) => <input {...p} type="text" value={title} onChange={(e) => setTitle(e.target.value)} />}
        </Field>
      )}
      {needsIncident && (
        <Field id={`${id}-incident`} label={t('review.incident')} error={errors.incidentId}>
          {(p) => (
            <select {...p} value={incidentId} onChange={(e) => setIncidentId(e.target.value)}>
              <option value="">{t('review.chooseIncident')}</option>
              {choices.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.start} — {i.title}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {action === 'reject' && (
        <Field
          id={`${id}-reason`}
          label={t('review.reason')}
          hint={t('review.reasonHint')}
          error={errors.reason}
        >
          {(p) => <textarea {...p} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
      )}
      {errors.form && (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" className="button" disabled={busy}>
        {busy ? t('review.deciding') : t('review.decide')}
      </button>
    </form>
  );
}

export default function ReportReviewPage({ id }: { id: string }) {
  const { session, loaded } = useSession();
  const user = session?.user ?? null;
  const { setCurrent } = useSituations();
  const loadedReport = useApi<PublicReport>(loaded && canModerate(user) ? `/reports/${id}` : null);
  const [decided, setDecided] = useState<PublicReport | null>(null);
  const report = decided ?? (loadedReport.result.state === 'ready' ? loadedReport.result.data : null);
  useEffect(() => {
    if (report) setCurrent(report.situationSlug);
  }, [report, setCurrent]);
  usePageTitle(report ? t('review.documentTitle', { what: excerpt(report.what, 60) }) : t('review.title'));
  if (loaded && !canModerate(user)) {
    return (
      <div className="page">
        <PageHeading>{t('review.title')}</PageHeading>
        <div className="notice notice-info">
          <p>{user ? t('reports.notAllowed') : <Link href="/login">{t('reports.signIn')}</Link>}</p>
        </div>
      </div>
    );
  }
  if (!report) {
    return (
      <div className="page">
        {loadedReport.result.state === 'error' ? (
          <ErrorState error={loadedReport.result.error} onRetry={loadedReport.retry} />
        ) : (
          <Loading />
        )}
      </div>
    );
  }
  const base = `/s/${encodeURIComponent(report.situationSlug)}`;
  return (
    <article className="page">
      <p className="breadcrumb">
        <Link href={`${base}/reports`}>{t('review.back')}</Link>
      </p>
      <PageHeading>{t('review.title')}</PageHeading>
      <p className="evidence-card-meta">
        <span className="badge badge-phase">{reportStatusLabel(report.status)}</span>
      </p>
      <blockquote className="report-what">
        {report.what.split('\n').map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of one text, in order
          <p key={i} className="report-line">
            {line}
          </p>
        ))}
      </blockquote>
      <dl className="facts">
        <div>
          <dt>{t('reports.col.received')}</dt>
          <dd>{formatTimestamp(report.receivedAt)}</dd>
        </div>
        <div>
          <dt>{t('reports.col.when')}</dt>
          <dd>{[report.when, report.whenText].filter(Boolean).join(' · ') || '—'}</dd>
        </div>
        <div>
          <dt>{t('reports.col.place')}</dt>
          <dd>
            {report.placeName ?? '—'}
            {report.point && (
              <span className="fact-note">
                {t('review.point', {
                  lat: report.point.lat,
                  lon: report.point.lon,
                  precision: t(`report.precision.${report.locationPrecision}` as 'report.precision.none'),
                })}
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('review.statement')}</dt>
          <dd>{report.statementItemId ? <Statement itemId={report.statementItemId} /> : '—'}</dd>
        </div>
      </dl>

      <section aria-labelledby="review-files" className="section">
        <h2 id="review-files">{t('review.files')}</h2>
        {report.files.length === 0 ? (
          <p>{t('review.noFiles')}</p>
        ) : (
          <ul className="review-files">
            {report.files.map((f) => (
              <li key={f.itemId} className="review-file">
                {f.publishable && f.mime.startsWith('image/') ? (
                  <img
                    src={`/api/v1/items/${f.itemId}/publishable`}
                    alt={t('evidence.publishableAlt', { title: f.title })}
                    loading="lazy"
                    className="review-file-img"
                  />
                ) : (
                  <p className="note">{t('review.noCopy')}</p>
                )}
                <p className="review-file-text">
                  <Link href={`/items/${f.itemId}`}>{f.title}</Link>
                  <br />
                  <span className="small muted">
                    {f.mime} · {formatBytes(f.size)}
                  </span>
                  <br />
                  <code className="hash small">{f.sha256}</code>
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="review-decision" className="section upload-box">
        <h2 id="review-decision">{t('review.decision')}</h2>
        {report.decision ? (
          <div className="notice notice-ok" role="status">
            <p>
              {t('review.decided', {
                status: reportStatusLabel(report.status),
                by: report.decision.by,
                at: formatTimestamp(report.decision.at),
              })}
            </p>
            {report.decision.reason && <p>{t('review.decidedReason', { reason: report.decision.reason })}</p>}
            {report.decision.incidentId && (
              <p>
                <Link href={`/incidents/${report.decision.incidentId}`}>{t('review.openIncident')}</Link>
              </p>
            )}
          </div>
        ) : (
          <Decision report={report} onDecided={setDecided} />
        )}
      </section>
    </article>
  );
}
