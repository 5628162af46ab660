// Subscription settings: the signed-in user's subscriptions to this situation's alerts (in-app, e-mail each
// alert or a daily digest, signed webhook), with a form to add one; a webhook's signing key is shown once.
// The public Atom feed needs no subscription.
import { type FormEvent, useState } from 'react';
import { API_BASE, ApiError, api } from '../api/client.ts';
import { Field } from '../components/Form.tsx';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import { useApi } from '../lib/useApi.ts';
import { apiDelete, SEVERITIES, type Severity, type Subscription } from './api.ts';
import { DeadLetters } from './DeadLetters.tsx';
import { channelLabel, severityLabel } from './labels.ts';

type Channel = Subscription['channel'];
const CHANNELS: Channel[] = ['in_app', 'email', 'webhook'];

function NewSubscription({ slug, onCreated }: { slug: string; onCreated: (s: Subscription) => void }) {
  const [channel, setChannel] = useState<Channel>('in_app');
  const [target, setTarget] = useState('');
  const [minSeverity, setMinSeverity] = useState<Severity>('warning');
  const [digest, setDigest] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const created = await api.post<Subscription>('/alert-subscriptions', {
        situationSlug: slug,
        channel,
        minSeverity,
        ...(channel === 'in_app' ? {} : { target: target.trim() }),
        ...(channel === 'email' ? { digest } : {}),
      });
      setTarget('');
      onCreated(created);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && err.problem?.errors?.length) {
        setErrors(err.fieldErrors());
        setFormError(t('alerts.subs.invalid'));
      } else setFormError(errorMessage(err instanceof Error ? err : new Error(String(err))));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form alerts-sub-form" onSubmit={submit} noValidate>
      <h3>{t('alerts.subs.newHeading')}</h3>
      {formError && (
        <p className="notice notice-warning" role="alert">
          {formError}
        </p>
      )}
      <fieldset className="fieldset">
        <legend>{t('alerts.subs.channel')}</legend>
        {CHANNELS.map((c) => (
          <div className="radio-row" key={c}>
            <input
              type="radio"
              id={`alerts-sub-channel-${c}`}
              name="channel"
              value={c}
              checked={channel === c}
              onChange={() => setChannel(c)}
            />
            <label htmlFor={`alerts-sub-channel-${c}`}>{channelLabel(c)}</label>
          </div>
        ))}
      </fieldset>
      {channel !== 'in_app' && (
        <Field
          id="alerts-sub-target"
          label={channel === 'email' ? t('alerts.subs.email') : t('alerts.subs.url')}
          hint={channel === 'webhook' ? t('alerts.subs.urlHint') : undefined}
          error={errors.target}
        >
          {(p) => (
            <input
              {...p}
              type={channel === 'email' ? 'email' : 'url'}
              required
              value={target}
              onChange={(e) => setTarget(e.target.value)}
            />
          )}
        </Field>
      )}
      <Field id="alerts-sub-severity" label={t('alerts.subs.minSeverity')} error={errors.minSeverity}>
        {(p) => (
          <select {...p} value={minSeverity} onChange={(e) => setMinSeverity(e.target.value as Severity)}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {severityLabel(s)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {channel === 'email' && (
        <div className="field field-inline">
          <input
            id="alerts-sub-digest"
            type="checkbox"
            checked={digest}
            onChange={(e) => setDigest(e.target.checked)}
          />
          <label htmlFor="alerts-sub-digest">{t('alerts.subs.digest')}</label>
        </div>
      )}
      <button type="submit" className="button" disabled={busy}>
        {t('alerts.subs.create')}
      </button>
    </form>
  );
}

export function Subscriptions({ slug }: { slug: string }) {
  const list = useApi<{ items: Subscription[] }>('/alert-subscriptions');
  const [created, setCreated] = useState<Subscription | null>(null);
  const [error, setError] = useState<string | null>(null);
  const mine =
    list.result.state === 'ready' ? list.result.data.items.filter((s) => s.situationSlug === slug) : [];
  const change = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      list.retry();
    } catch (e) {
      setError(errorMessage(e instanceof Error ? e : new Error(String(e))));
    }
  };
  const feed = `${API_BASE}/situations/${encodeURIComponent(slug)}/alerts.atom`;
  return (
    <section aria-labelledby="alerts-subs-heading" className="section">
      <h2 id="alerts-subs-heading">{t('alerts.subs.heading')}</h2>
      <p className="lead">{t('alerts.subs.lead')}</p>
      <p>
        <a className="feed-link" href={feed}>
          {t('alerts.subs.feed')}
        </a>{' '}
        <span className="muted">{t('alerts.subs.feedHint')}</span>
      </p>
      {created?.secret && (
        <div className="notice notice-ok" role="status">
          <p>{t('alerts.subs.secretOnce')}</p>
          <p>
            <code className="hash" data-testid="webhook-secret">
              {created.secret}
            </code>
          </p>
        </div>
      )}
      {created && !created.secret && (
        <p className="notice notice-ok" role="status">
          {t('alerts.subs.created')}
        </p>
      )}
      {error && (
        <p className="notice notice-warning" role="alert">
          {error}
        </p>
      )}
      {list.result.state === 'loading' && <Loading />}
      {list.result.state === 'error' && <ErrorState error={list.result.error} onRetry={list.retry} />}
      {list.result.state === 'ready' &&
        (mine.length === 0 ? (
          <p>{t('alerts.subs.none')}</p>
        ) : (
          <div className="table-wrap">
            <table className="data-table">
              <caption>{tn('alerts.subs.caption', mine.length)}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('alerts.subs.channel')}</th>
                  <th scope="col">{t('alerts.subs.target')}</th>
                  <th scope="col">{t('alerts.subs.minSeverity')}</th>
                  <th scope="col">{t('alerts.subs.how')}</th>
                  <th scope="col">{t('alerts.rules.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {mine.map((s) => (
                  <tr key={s.id}>
                    <td>{channelLabel(s.channel)}</td>
                    <td className="break">{s.target ?? t('alerts.subs.inAppTarget')}</td>
                    <td>{severityLabel(s.minSeverity)}</td>
                    <td>
                      {s.enabled
                        ? s.digest
                          ? t('alerts.subs.daily')
                          : t('alerts.subs.each')
                        : t('alerts.subs.paused')}
                    </td>
                    <td className="nowrap">
                      <button
                        type="button"
                        className="link-button"
                        onClick={() =>
                          change(() => api.patch(`/alert-subscriptions/${s.id}`, { enabled: !s.enabled }))
                        }
                      >
                        {s.enabled ? t('alerts.subs.pause') : t('alerts.subs.resume')}
                      </button>
                      {s.channel === 'email' && (
                        <>
                          {' '}
                          <button
                            type="button"
                            className="link-button"
                            onClick={() =>
                              change(() => api.patch(`/alert-subscriptions/${s.id}`, { digest: !s.digest }))
                            }
                          >
                            {s.digest ? t('alerts.subs.toEach') : t('alerts.subs.toDaily')}
                          </button>
                        </>
                      )}{' '}
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => change(() => apiDelete(`/alert-subscriptions/${s.id}`))}
                      >
                        {t('alerts.subs.delete')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <DeadLetters slug={slug} />
      <NewSubscription
        slug={slug}
        onCreated={(s) => {
          setCreated(s);
          list.retry();
        }}
      />
    </section>
  );
}
