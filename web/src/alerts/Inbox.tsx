// The alert inbox: a situation's alerts, newest first, filtered by status and severity; each opens to its
// message, dates and evidence with sources; analysts acknowledge or resolve it with a note.
import { type FormEvent, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api, query } from '../api/client.ts';
import { Field } from '../components/Form.tsx';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import { formatDate, formatTimestamp } from '../lib/dates.ts';
import { useApi } from '../lib/useApi.ts';
import { type Alert, type AlertStatus, evidenceHref, SEVERITIES, type Severity, STATUSES } from './api.ts';
import { evidenceKindLabel, kindLabel, severityLabel, statusLabel } from './labels.ts';

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`badge alerts-severity alerts-severity-${severity}`}>{severityLabel(severity)}</span>
  );
}

export function EvidenceList({ alert }: { alert: Pick<Alert, 'evidence' | 'situationSlug'> }) {
  if (alert.evidence.length === 0) return <p className="muted">{t('alerts.evidence.none')}</p>;
  return (
    <ul className="plain-list alerts-evidence">
      {alert.evidence.map((e) => {
        const href = evidenceHref(e, alert.situationSlug);
        const label = t('alerts.evidence.item', { kind: evidenceKindLabel(e.kind), ref: e.ref });
        return (
          <li key={`${e.kind}:${e.ref}`}>
            {href ? <Link href={href}>{label}</Link> : label}
            {e.sources.length > 0 && (
              <>
                {' — '}
                {t('alerts.evidence.sources')}{' '}
                {e.sources.map((s, i) => (
                  <span key={s.url}>
                    {i > 0 && ', '}
                    <a href={s.url} rel="noreferrer noopener" target="_blank">
                      {s.outlet ?? new URL(s.url).hostname}
                    </a>
                  </span>
                ))}
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function AlertActions({ alert, onChanged }: { alert: Alert; onChanged: () => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async (action: 'acknowledge' | 'resolve') => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/alerts/${alert.id}/${action}`, note.trim() ? { note: note.trim() } : {});
      setNote('');
      onChanged();
    } catch (e) {
      setError(errorMessage(e instanceof Error ? e : new Error(String(e))));
    } finally {
      setBusy(false);
    }
  };
  if (alert.status === 'resolved') return null;
  return (
    <form className="alerts-actions" onSubmit={(e: FormEvent) => e.preventDefault()}>
      <Field id={`alert-note-${alert.id}`} label={t('alerts.inbox.note')} hint={t('alerts.inbox.noteHint')}>
        {(props) => (
          <textarea
            {...props}
            rows={2}
            maxLength={2000}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
        )}
      </Field>
      <div className="button-row">
        {alert.status === 'open' && (
          <button
            type="button"
            className="button button-small"
            disabled={busy}
            onClick={() => act('acknowledge')}
          >
            {t('alerts.inbox.acknowledge')}
          </button>
        )}
        <button
          type="button"
          className="button button-small button-secondary"
          disabled={busy}
          onClick={() => act('resolve')}
        >
          {t('alerts.inbox.resolve')}
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function AlertCard({
  alert,
  canManage,
  onChanged,
}: {
  alert: Alert;
  canManage: boolean;
  onChanged: () => void;
}) {
  return (
    <article
      className={`card alerts-card alerts-card-${alert.severity}`}
      aria-labelledby={`alert-${alert.id}`}
    >
      <h3 id={`alert-${alert.id}`} className="card-title">
        <SeverityBadge severity={alert.severity} /> {alert.title}
      </h3>
      <p className="alerts-status">
        <span className={`badge alerts-status-${alert.status}`}>{statusLabel(alert.status)}</span>{' '}
        {t('alerts.inbox.rule', { rule: alert.ruleName, kind: kindLabel(alert.kind) })}
      </p>
      <p>{alert.message}</p>
      <dl className="pairs alerts-dates">
        <dt>{t('alerts.inbox.since')}</dt>
        <dd>{formatDate(alert.startsOn)}</dd>
        <dt>{t('alerts.inbox.raised')}</dt>
        <dd>{formatDate(alert.firedOn)}</dd>
        <dt>{t('alerts.inbox.lastHeld')}</dt>
        <dd>{formatDate(alert.lastHeldOn)}</dd>
        {alert.endedOn && (
          <>
            <dt>{t('alerts.inbox.ended')}</dt>
            <dd>{formatDate(alert.endedOn)}</dd>
          </>
        )}
        {alert.acknowledgedAt && (
          <>
            <dt>{t('alerts.inbox.acknowledgedBy')}</dt>
            <dd>
              {alert.acknowledgedBy} · {formatTimestamp(alert.acknowledgedAt)}
              {alert.acknowledgement ? ` — ${alert.acknowledgement}` : ''}
            </dd>
          </>
        )}
        {alert.resolvedAt && (
          <>
            <dt>{t('alerts.inbox.resolvedBy')}</dt>
            <dd>
              {alert.resolvedBy} · {formatTimestamp(alert.resolvedAt)}
              {alert.resolution ? ` — ${alert.resolution}` : ''}
            </dd>
          </>
        )}
      </dl>
      <h4 className="alerts-subheading">{t('alerts.evidence.heading')}</h4>
      <EvidenceList alert={alert} />
      {canManage && <AlertActions alert={alert} onChanged={onChanged} />}
    </article>
  );
}

export function Inbox({
  slug,
  canManage,
  signedIn,
}: {
  slug: string;
  canManage: boolean;
  signedIn: boolean;
}) {
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const rawStatus = search.get('status') ?? '';
  const rawSeverity = search.get('severity') ?? '';
  const status = STATUSES.includes(rawStatus as AlertStatus) ? rawStatus : '';
  const severity = SEVERITIES.includes(rawSeverity as Severity) ? rawSeverity : '';
  const list = useApi<{ items: Alert[] }>(
    `/situations/${encodeURIComponent(slug)}/alerts${query({ status, severity, limit: 200 })}`,
  );
  const base = `/s/${encodeURIComponent(slug)}/alerts`;
  const filter = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    navigate(
      `${base}${query({ status: String(data.get('status') ?? ''), severity: String(data.get('severity') ?? '') })}`,
    );
  };
  return (
    <section aria-labelledby="alerts-inbox-heading" className="section">
      <h2 id="alerts-inbox-heading">{t('alerts.inbox.heading')}</h2>
      {!signedIn && <p className="muted">{t('alerts.inbox.publicOnly')}</p>}
      <form className="inline-form" onSubmit={filter}>
        <div className="field">
          <label htmlFor="alerts-filter-status">{t('alerts.inbox.filterStatus')}</label>
          <select id="alerts-filter-status" name="status" defaultValue={status} key={`s-${status}`}>
            <option value="">{t('alerts.inbox.any')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="alerts-filter-severity">{t('alerts.inbox.filterSeverity')}</label>
          <select id="alerts-filter-severity" name="severity" defaultValue={severity} key={`v-${severity}`}>
            <option value="">{t('alerts.inbox.any')}</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {severityLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button-small">
          {t('alerts.inbox.show')}
        </button>
      </form>
      {list.result.state === 'loading' && <Loading />}
      {list.result.state === 'error' && <ErrorState error={list.result.error} onRetry={list.retry} />}
      {list.result.state === 'ready' && (
        <>
          <p className="result-count" role="status">
            {tn('alerts.inbox.count', list.result.data.items.length)}
          </p>
          {list.result.data.items.length === 0 ? (
            <p>{t('alerts.inbox.none')}</p>
          ) : (
            <div className="alerts-list">
              {list.result.data.items.map((a) => (
                <AlertCard key={a.id} alert={a} canManage={canManage} onChanged={list.retry} />
              ))}
            </div>
          )}
        </>
      )}
    </section>
  );
}
