// The signed-in user's dead letters for this situation: deliveries that failed too often, with what they
// were for and why they failed, and a button to send one again (from zero attempts, same idempotency key).
import { useState } from 'react';
import { api } from '../api/client.ts';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { useApi } from '../lib/useApi.ts';
import type { DeadLetter } from './api.ts';
import { channelLabel } from './labels.ts';

export function DeadLetters({ slug }: { slug: string }) {
  const list = useApi<{ items: DeadLetter[] }>('/alert-deliveries/dead');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const mine =
    list.result.state === 'ready' ? list.result.data.items.filter((d) => d.situationSlug === slug) : [];
  const sendAgain = async (letter: DeadLetter) => {
    setError(null);
    setStatus(null);
    try {
      await api.post(`/alert-deliveries/${letter.id}/retry`, {});
      setStatus(t('alerts.dead.queued', { title: letter.alertTitle }));
      list.retry();
    } catch (e) {
      setError(errorMessage(e instanceof Error ? e : new Error(String(e))));
    }
  };
  return (
    <section aria-labelledby="alerts-dead-heading" className="section">
      <h3 id="alerts-dead-heading">{t('alerts.dead.heading')}</h3>
      <p className="muted">{t('alerts.dead.lead')}</p>
      <p className="notice notice-ok" role="status" hidden={status === null}>
        {status}
      </p>
      {error && (
        <p className="notice notice-warning" role="alert">
          {error}
        </p>
      )}
      {list.result.state === 'loading' && <Loading />}
      {list.result.state === 'error' && <ErrorState error={list.result.error} onRetry={list.retry} />}
      {list.result.state === 'ready' &&
        (mine.length === 0 ? (
          <p>{t('alerts.dead.none')}</p>
        ) : (
          <div className="table-wrap">
            <table className="data-table">
              <caption>{tn('alerts.dead.caption', mine.length)}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('alerts.dead.alert')}</th>
                  <th scope="col">{t('alerts.subs.target')}</th>
                  <th scope="col">{t('alerts.dead.failure')}</th>
                  <th scope="col">{t('alerts.rules.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {mine.map((d) => (
                  <tr key={d.id}>
                    <td>
                      {d.alertTitle}
                      <p className="small muted">
                        {t(d.event === 'opened' ? 'alerts.dead.opened' : 'alerts.dead.resolved')} ·{' '}
                        {formatTimestamp(d.createdAt)}
                      </p>
                    </td>
                    <td className="break">
                      {channelLabel(d.channel)}
                      {d.target ? `: ${d.target}` : ''}
                    </td>
                    <td className="break">
                      {tn('alerts.dead.attempts', d.attempts)}
                      {d.lastError ? <p className="small muted">{d.lastError}</p> : null}
                    </td>
                    <td className="nowrap">
                      {d.subscriptionEnabled ? (
                        <button
                          type="button"
                          className="link-button"
                          aria-label={t('alerts.dead.sendAgainLabel', { title: d.alertTitle })}
                          onClick={() => void sendAgain(d)}
                        >
                          {t('alerts.dead.sendAgain')}
                        </button>
                      ) : (
                        <span className="muted">{t('alerts.dead.paused')}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
