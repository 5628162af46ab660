// Calling one official: the script chosen by their recorded position (and committee), the numbers to
// call, then the outcome the supporter reports (nothing about the caller is kept).
import { type FormEvent, useId, useState } from 'react';
import { api } from '../api/client.ts';
import { errorMessage } from '../components/Status.tsx';
import { t } from '../i18n/index.ts';
import { type ActionText, CALL_OUTCOMES, type CallOutcome, POSITIONS, type Position } from './api.ts';

export function CallPanel({ campaign, action }: { campaign: string; action: ActionText }) {
  const id = useId();
  const official = action.official;
  const [outcome, setOutcome] = useState<CallOutcome | ''>('');
  const [stated, setStated] = useState<Position | ''>('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const phones = [
    ...(official.phone ? [{ label: t('campaigns.call.mainOffice'), phone: official.phone }] : []),
    ...official.offices
      .filter((o) => o.phone && o.phone !== official.phone)
      .map((o) => ({ label: [o.city, o.region].filter(Boolean).join(', ') || o.address, phone: o.phone! })),
  ].slice(0, 6);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!outcome) {
      setError(t('campaigns.call.outcomeRequired'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.post(`/campaigns/${encodeURIComponent(campaign)}/calls`, {
        official: official.id,
        outcome,
        ...(stated ? { statedPosition: stated } : {}),
      });
      setDone(true);
    } catch (err) {
      setError(err instanceof Error ? errorMessage(err) : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="campaign-panel" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('campaigns.call.title', { name: official.name })}</h3>
      <p className="muted">{t(`campaigns.call.because.${action.position}`)}</p>
      {phones.length > 0 ? (
        <ul className="plain-list">
          {phones.map((p) => (
            <li key={`${p.label}-${p.phone}`}>
              {p.label}: <a href={`tel:${p.phone.replace(/[^\d+]/g, '')}`}>{p.phone}</a>
            </li>
          ))}
        </ul>
      ) : (
        <p>{t('campaigns.call.noPhone')}</p>
      )}
      <h4>{t('campaigns.call.script')}</h4>
      <blockquote className="campaign-script">
        {action.script.split(/\n{2,}/).map((para) => (
          <p key={para}>{para}</p>
        ))}
      </blockquote>
      {done ? (
        <p className="notice notice-ok" role="status">
          {t('campaigns.call.thanks')}
        </p>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <fieldset className="fieldset">
            <legend>{t('campaigns.call.outcome')}</legend>
            {CALL_OUTCOMES.map((o) => (
              <label key={o} className="radio-row">
                <input
                  type="radio"
                  name={`${id}-outcome`}
                  value={o}
                  checked={outcome === o}
                  onChange={() => setOutcome(o)}
                />{' '}
                {t(`campaigns.call.outcome.${o}`)}
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor={`${id}-stated`}>{t('campaigns.call.stated')}</label>
            <select
              id={`${id}-stated`}
              value={stated}
              onChange={(e) => setStated(e.target.value as Position | '')}
            >
              <option value="">{t('campaigns.call.statedNone')}</option>
              {POSITIONS.map((p) => (
                <option key={p} value={p}>
                  {t(`campaigns.position.${p}`)}
                </option>
              ))}
            </select>
          </div>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="button" disabled={busy}>
            {t('campaigns.call.record')}
          </button>
        </form>
      )}
    </section>
  );
}
