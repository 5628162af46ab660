// The action centre a supporter sees for one campaign: the ask, their own officials (a state and district
// chooser: no address geocoder works offline), a letter and a call script for each, and the petition with
// its public count.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api, query } from '../api/client.ts';
import { type ActionText, type Campaign, campaignPath, canOrganise, type Target } from '../campaigns/api.ts';
import { CallPanel } from '../campaigns/CallPanel.tsx';
import { US_STATES } from '../campaigns/states.ts';
import { WritePanel } from '../campaigns/WritePanel.tsx';
import '../campaigns/campaigns.css';
import { Field } from '../components/Form.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';

function Petition({
  campaign,
  count,
  onSigned,
}: {
  campaign: Campaign;
  count: number;
  onSigned: () => void;
}) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [givenName, setGivenName] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
      setErrors({ email: t('campaigns.petition.emailInvalid') });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await api.post(`/campaigns/${encodeURIComponent(campaign.slug)}/signatures`, {
        email: email.trim(),
        ...(givenName.trim() ? { givenName: givenName.trim() } : {}),
      });
      setDone(true);
      onSigned();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors({ ...fields, form: err instanceof Error ? errorMessage(err) : String(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('campaigns.petition.title')}</h2>
      <blockquote className="campaign-script">
        <p>{campaign.petitionText}</p>
      </blockquote>
      <p className="campaign-count" aria-live="polite">
        {tn('campaigns.petition.count', count)}
      </p>
      {done ? (
        <p className="notice notice-ok" role="status">
          {t('campaigns.petition.checkInbox', { email: email.trim() })}
        </p>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <Field
            id={`${id}-email`}
            label={t('campaigns.petition.email')}
            hint={t('campaigns.petition.emailHint')}
            error={errors.email}
          >
            {(p) => (
              <input
                {...p}
                type="email"
                autoComplete="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            )}
          </Field>
          <Field id={`${id}-given`} label={t('campaigns.petition.givenName')} error={errors.givenName}>
            {(p) => (
              <input
                {...p}
                type="text"
                autoComplete="given-name"
                value={givenName}
                onChange={(e) => setGivenName(e.target.value)}
              />
            )}
          </Field>
          {errors.form && (
            <p className="field-error" role="alert">
              {errors.form}
            </p>
          )}
          <button type="submit" className="button" disabled={busy}>
            {t('campaigns.petition.sign')}
          </button>
        </form>
      )}
    </section>
  );
}

function TargetCard({
  campaign,
  target,
  place,
  channels,
}: {
  campaign: string;
  target: Target;
  place: string;
  /** The campaign's channels: letters without a template and calls without a script are off. */
  channels: { letters: boolean; calls: boolean };
}) {
  const [mode, setMode] = useState<'write' | 'call' | null>(null);
  const [action, setAction] = useState<ActionText | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const o = target.official;
  const open = async (next: 'write' | 'call') => {
    setMode(mode === next ? null : next);
    if (action) return;
    try {
      setAction(
        await api.get<ActionText>(
          `/campaigns/${encodeURIComponent(campaign)}/targets/${encodeURIComponent(o.id)}/action${query({ region: place })}`,
        ),
      );
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    }
  };
  const place_ = [
    o.state,
    o.district === null ? null : o.district === 0 ? t('campaigns.atLarge') : String(o.district),
  ]
    .filter(Boolean)
    .join('-');
  return (
    <li className="card campaign-target">
      <h3 className="card-title">{o.name}</h3>
      <p className="card-dates">{[o.title, o.party, place_].filter(Boolean).join(' · ')}</p>
      <p>
        <span className={`badge campaign-position campaign-position-${target.position}`}>
          {t(`campaigns.position.${target.position}`)}
        </span>{' '}
        <span className="muted">{target.why.map((w) => w).join(', ')}</span>
      </p>
      <p className="button-row">
        {channels.letters && (
          <button
            type="button"
            className="button button-small"
            aria-expanded={mode === 'write'}
            onClick={() => open('write')}
          >
            {t('campaigns.action.write', { name: o.name })}
          </button>
        )}
        {channels.calls && (
          <button
            type="button"
            className="button button-small button-secondary"
            aria-expanded={mode === 'call'}
            onClick={() => open('call')}
          >
            {t('campaigns.action.call', { name: o.name })}
          </button>
        )}
      </p>
      {error && <ErrorState error={error} />}
      {mode && !action && !error && <Loading />}
      {mode === 'write' && action && <WritePanel campaign={campaign} action={action} place={place} />}
      {mode === 'call' && action && <CallPanel campaign={campaign} action={action} />}
    </li>
  );
}

export default function CampaignActionPage({
  slug,
  campaign: campaignSlug,
}: {
  slug: string;
  campaign: string;
}) {
  const id = useId();
  const { setCurrent } = useSituations();
  const { session } = useSession();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const loaded = useApi<Campaign>(`/campaigns/${encodeURIComponent(campaignSlug)}`);
  const campaign = loaded.result.state === 'ready' ? loaded.result.data : null;
  usePageTitle(campaign?.title ?? t('campaigns.title'));
  const [count, setCount] = useState<number | null>(null);
  const [state, setState] = useState('');
  const [district, setDistrict] = useState('');
  const [place, setPlace] = useState<{ state: string; district: string }>({ state: '', district: '' });
  const [districtError, setDistrictError] = useState<string | undefined>();
  const targets = useApi<{ items: Target[] }>(
    campaign ? `/campaigns/${encodeURIComponent(campaignSlug)}/targets${query(place)}` : null,
  );
  const hasDelegation = campaign?.targetRules.some((r) => 'delegation' in r) ?? false;
  const find = (e: FormEvent) => {
    e.preventDefault();
    if (district && !/^\d{1,3}$/.test(district)) {
      setDistrictError(t('campaigns.find.districtInvalid'));
      return;
    }
    setDistrictError(undefined);
    setPlace({ state, district: state ? district : '' });
  };
  const refreshCount = () =>
    api
      .get<{ signatureCount: number }>(`/campaigns/${encodeURIComponent(campaignSlug)}/signature-count`)
      .then(
        (c) => setCount(c.signatureCount),
        () => undefined,
      );

  if (loaded.result.state === 'loading') return <Loading />;
  if (loaded.result.state === 'error')
    return <ErrorState error={loaded.result.error} onRetry={loaded.retry} />;
  const c = loaded.result.data;
  const items = targets.result.state === 'ready' ? targets.result.data.items : [];
  const channels = {
    letters: c.letterTemplate.trim() !== '',
    calls: Object.values(c.callScripts ?? {}).some((text) => text?.trim()),
  };
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={`/s/${encodeURIComponent(slug)}/campaigns`}>{t('campaigns.title')}</Link>
      </p>
      <PageHeading>{c.title}</PageHeading>
      <p className="lead">
        <strong>{t('campaigns.ask')}</strong> {c.ask}
      </p>
      {c.status !== 'active' && <p className="notice notice-warning">{t(`campaigns.status.${c.status}`)}</p>}
      {canOrganise(session?.user?.role) && (
        <p>
          <Link href={`${campaignPath(slug, c.slug)}/organise`}>{t('campaigns.organise.link')}</Link>
        </p>
      )}
      <section className="section" aria-labelledby={`${id}-officials`}>
        <h2 id={`${id}-officials`}>{t('campaigns.officials.title')}</h2>
        <form className="form form-row campaign-find" onSubmit={find}>
          <div className="field">
            <label htmlFor={`${id}-state`}>{t('campaigns.find.state')}</label>
            <select id={`${id}-state`} value={state} onChange={(e) => setState(e.target.value)}>
              <option value="">{t('campaigns.find.anyState')}</option>
              {US_STATES.map(([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ))}
            </select>
          </div>
          <Field
            id={`${id}-district`}
            label={t('campaigns.find.district')}
            hint={t('campaigns.find.districtHint')}
            error={districtError}
          >
            {(p) => (
              <input
                {...p}
                type="text"
                inputMode="numeric"
                size={4}
                value={district}
                onChange={(e) => setDistrict(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="button">
            {t('campaigns.find.submit')}
          </button>
        </form>
        {hasDelegation && !place.state && <p className="muted">{t('campaigns.find.delegationHint')}</p>}
        {targets.result.state === 'loading' && <Loading />}
        {targets.result.state === 'error' && (
          <ErrorState error={targets.result.error} onRetry={targets.retry} />
        )}
        {targets.result.state === 'ready' && (
          <>
            <p className="result-count" role="status">
              {tn('campaigns.officials.count', items.length)}
            </p>
            <ul className="cards campaign-targets">
              {items.map((target) => (
                <TargetCard
                  key={target.official.id}
                  campaign={c.slug}
                  target={target}
                  place={place.state}
                  channels={channels}
                />
              ))}
            </ul>
          </>
        )}
      </section>
      {c.petitionText !== null && (
        <Petition campaign={c} count={count ?? c.signatureCount} onSigned={refreshCount} />
      )}
    </div>
  );
}
