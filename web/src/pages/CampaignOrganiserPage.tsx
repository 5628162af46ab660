// The organiser's campaign page: the targets with their recorded positions (and a form to record a new one
// with its source), the actions taken (signatures, letters by route, calls by outcome), and the replies
// officials gave over time, as supporters reported them two weeks after their letters.
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api } from '../api/client.ts';
import {
  type CallSummary,
  type Campaign,
  campaignPath,
  canOrganise,
  type LetterSummary,
  POSITIONS,
  type Position,
  type Target,
} from '../campaigns/api.ts';
import '../campaigns/campaigns.css';
import { CampaignForm } from '../campaigns/CampaignForm.tsx';
import { Field } from '../components/Form.tsx';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import { formatNumber, t } from '../i18n/index.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';

/** Letters and answers per week: bars, with the same figures in a table for screen readers. */
function RepliesOverTime({ summary }: { summary: LetterSummary }) {
  const id = useId();
  const weeks = summary.overTime;
  if (weeks.length === 0) return <p>{t('campaigns.organise.noLetters')}</p>;
  const max = Math.max(1, ...weeks.map((w) => Math.max(w.letters, w.replied + w.notReplied)));
  const band = 56;
  const height = 140;
  const bar = (n: number) => (n / max) * (height - 30);
  return (
    <figure>
      <svg
        className="campaign-bars"
        width={Math.max(240, weeks.length * band + 20)}
        height={height}
        role="img"
        aria-labelledby={`${id}-caption`}
      >
        <title>{t('campaigns.organise.chartCaption')}</title>
        {weeks.map((w, i) => {
          const x = 10 + i * band;
          const answered = w.replied + w.notReplied;
          return (
            <g key={w.week}>
              <rect
                className="letters"
                x={x}
                y={height - 20 - bar(w.letters)}
                width={20}
                height={bar(w.letters)}
              />
              <rect
                className="replied"
                x={x + 22}
                y={height - 20 - bar(answered)}
                width={20}
                height={bar(w.replied)}
              />
              <rect
                className="not-replied"
                x={x + 22}
                y={height - 20 - bar(w.notReplied)}
                width={20}
                height={bar(w.notReplied)}
              />
              <text x={x} y={height - 6}>
                {w.week.slice(5)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption id={`${id}-caption`}>{t('campaigns.organise.chartCaption')}</figcaption>
      <div className="table-wrap">
        <table className="data-table">
          <caption className="visually-hidden">{t('campaigns.organise.repliesTable')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('campaigns.organise.week')}</th>
              <th scope="col" className="num">
                {t('campaigns.organise.lettersSent')}
              </th>
              <th scope="col" className="num">
                {t('campaigns.organise.replied')}
              </th>
              <th scope="col" className="num">
                {t('campaigns.organise.notReplied')}
              </th>
            </tr>
          </thead>
          <tbody>
            {weeks.map((w) => (
              <tr key={w.week}>
                <th scope="row">{w.week}</th>
                <td className="num">{formatNumber(w.letters)}</td>
                <td className="num">{formatNumber(w.replied)}</td>
                <td className="num">{formatNumber(w.notReplied)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

function PositionForm({
  campaign,
  targets,
  onSaved,
}: {
  campaign: string;
  targets: Target[];
  onSaved: () => void;
}) {
  const id = useId();
  const [official, setOfficial] = useState('');
  const [position, setPosition] = useState<Position>('supports');
  const [sourceUrl, setSourceUrl] = useState('');
  const [sourceText, setSourceText] = useState('');
  const [statedOn, setStatedOn] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!official) local.official = t('campaigns.organise.officialRequired');
    if (!sourceUrl.trim() && !sourceText.trim()) local.sourceUrl = t('campaigns.organise.sourceRequired');
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      await api.post(`/officials/${encodeURIComponent(official)}/positions`, {
        campaign,
        position,
        ...(sourceUrl.trim() ? { sourceUrl: sourceUrl.trim() } : {}),
        ...(sourceText.trim() ? { sourceText: sourceText.trim() } : {}),
        ...(statedOn ? { statedOn } : {}),
      });
      setSaved(targets.find((x) => x.official.id === official)?.official.name ?? official);
      setSourceUrl('');
      setSourceText('');
      onSaved();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors({ ...fields, form: err instanceof Error ? errorMessage(err) : String(err) });
    }
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('campaigns.organise.recordPosition')}</h3>
      <Field id={`${id}-official`} label={t('campaigns.organise.official')} error={errors.official}>
        {(p) => (
          <select {...p} value={official} onChange={(e) => setOfficial(e.target.value)}>
            <option value="">{t('campaigns.organise.chooseOfficial')}</option>
            {targets.map((x) => (
              <option key={x.official.id} value={x.official.id}>
                {x.official.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id={`${id}-position`} label={t('campaigns.organise.position')}>
        {(p) => (
          <select {...p} value={position} onChange={(e) => setPosition(e.target.value as Position)}>
            {POSITIONS.map((x) => (
              <option key={x} value={x}>
                {t(`campaigns.position.${x}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id={`${id}-url`} label={t('campaigns.organise.sourceUrl')} error={errors.sourceUrl}>
        {(p) => <input {...p} type="url" value={sourceUrl} onChange={(e) => setSourceUrl(e.target.value)} />}
      </Field>
      <Field
        id={`${id}-text`}
        label={t('campaigns.organise.sourceText')}
        hint={t('campaigns.organise.sourceTextHint')}
      >
        {(p) => (
          <input {...p} type="text" value={sourceText} onChange={(e) => setSourceText(e.target.value)} />
        )}
      </Field>
      <Field id={`${id}-date`} label={t('campaigns.organise.statedOn')}>
        {(p) => <input {...p} type="date" value={statedOn} onChange={(e) => setStatedOn(e.target.value)} />}
      </Field>
      {errors.form && (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      )}
      {saved && (
        <p className="notice notice-ok" role="status">
          {t('campaigns.organise.positionSaved', { name: saved })}
        </p>
      )}
      <button type="submit" className="button">
        {t('campaigns.organise.savePosition')}
      </button>
    </form>
  );
}

export default function CampaignOrganiserPage({
  slug,
  campaign: campaignSlug,
}: {
  slug: string;
  campaign: string;
}) {
  const id = useId();
  const { setCurrent } = useSituations();
  const { session, loaded: sessionLoaded } = useSession();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const base = `/campaigns/${encodeURIComponent(campaignSlug)}`;
  const campaign = useApi<Campaign>(base);
  const targets = useApi<{ items: Target[] }>(`${base}/targets`);
  const calls = useApi<{ items: CallSummary[] }>(`${base}/calls`);
  const letters = useApi<LetterSummary>(`${base}/letters/summary`);
  const c = campaign.result.state === 'ready' ? campaign.result.data : null;
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  // The last targets loaded stay on screen (and the position form mounted) while a new position reloads them.
  const shown = useRef<Target[] | null>(null);
  if (targets.result.state === 'ready') shown.current = targets.result.data.items;
  const hasTargets = shown.current !== null;
  const targetItems: Target[] = shown.current ?? [];
  usePageTitle(c ? t('campaigns.organise.titleFor', { title: c.title }) : t('campaigns.organise.title'));
  if (campaign.result.state === 'loading' || !sessionLoaded) return <Loading />;
  if (campaign.result.state === 'error')
    return <ErrorState error={campaign.result.error} onRetry={campaign.retry} />;
  const data = campaign.result.data;
  const callItems = calls.result.state === 'ready' ? calls.result.data.items : [];
  const summary = letters.result.state === 'ready' ? letters.result.data : null;
  const callsBy = new Map(callItems.map((x) => [x.officialId, x]));
  const lettersBy = new Map((summary?.byOfficial ?? []).map((x) => [x.officialId, x]));
  const totalCalls = callItems.reduce((n, x) => n + x.calls, 0);
  // Officials supporters reached through a delegation rule (their own senators and representative) are no
  // target without a place: they are listed after the targets, with what was done.
  const reachedOthers = (listed: Target[]) => {
    const known = new Set(listed.map((x) => x.official.id));
    const others = new Map<string, { officialId: string; name: string }>();
    for (const x of [...callItems, ...(summary?.byOfficial ?? [])])
      if (!known.has(x.officialId)) others.set(x.officialId, { officialId: x.officialId, name: x.name });
    return [...others.values()].sort((a, b) => a.name.localeCompare(b.name));
  };
  const outcomes: Record<string, number> = {};
  for (const x of callItems)
    for (const [k, v] of Object.entries(x.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={campaignPath(slug, data.slug)}>{data.title}</Link>
      </p>
      <PageHeading>{t('campaigns.organise.titleFor', { title: data.title })}</PageHeading>
      <p className="lead">
        <strong>{t('campaigns.ask')}</strong> {data.ask}
      </p>
      {data.status !== 'active' && (
        <p className="notice notice-warning">{t(`campaigns.status.${data.status}`)}</p>
      )}
      {canOrganise(session?.user?.role) &&
        (editing ? (
          <section className="section">
            <CampaignForm
              situation={slug}
              campaign={data}
              onSaved={() => {
                setEditing(false);
                setSaved(true);
                campaign.retry();
                targets.retry();
              }}
              onCancel={() => setEditing(false)}
            />
          </section>
        ) : (
          <>
            {saved && (
              <p className="notice notice-ok" role="status">
                {t('campaigns.form.saved')}
              </p>
            )}
            <p>
              <button
                type="button"
                className="button button-secondary"
                onClick={() => {
                  setSaved(false);
                  setEditing(true);
                }}
              >
                {t('campaigns.form.edit')}
              </button>
            </p>
          </>
        ))}
      <section className="section" aria-labelledby={`${id}-actions`}>
        <h2 id={`${id}-actions`}>{t('campaigns.organise.actions')}</h2>
        {(calls.result.state === 'loading' || letters.result.state === 'loading') && <Loading />}
        {calls.result.state === 'error' && <ErrorState error={calls.result.error} onRetry={calls.retry} />}
        {summary && calls.result.state === 'ready' && (
          <dl className="figures">
            <KeyFigure label={t('campaigns.organise.signatures')} value={formatNumber(data.signatureCount)} />
            <KeyFigure label={t('campaigns.organise.letters')} value={formatNumber(summary?.letters ?? 0)}>
              {Object.entries(summary?.byRoute ?? {})
                .map(
                  ([route, n]) =>
                    `${t(`campaigns.routeShort.${route}` as 'campaigns.routeShort.email')}: ${formatNumber(n)}`,
                )
                .join(' · ')}
            </KeyFigure>
            <KeyFigure
              label={t('campaigns.organise.unchanged')}
              value={formatNumber(summary?.unchanged ?? 0)}
            />
            <KeyFigure label={t('campaigns.organise.calls')} value={formatNumber(totalCalls)}>
              {Object.entries(outcomes)
                .map(
                  ([o, n]) =>
                    `${t(`campaigns.call.outcome.${o}` as 'campaigns.call.outcome.reached')}: ${formatNumber(n)}`,
                )
                .join(' · ')}
            </KeyFigure>
            <KeyFigure label={t('campaigns.organise.replies')} value={formatNumber(summary?.replied ?? 0)}>
              {t('campaigns.organise.repliesOf', {
                answered: summary?.answered ?? 0,
                due: summary?.questionsDue ?? 0,
              })}
            </KeyFigure>
          </dl>
        )}
      </section>
      <section className="section" aria-labelledby={`${id}-replies`}>
        <h2 id={`${id}-replies`}>{t('campaigns.organise.repliesOverTime')}</h2>
        {letters.result.state === 'error' && (
          <ErrorState error={letters.result.error} onRetry={letters.retry} />
        )}
        {summary && <RepliesOverTime summary={summary} />}
      </section>
      <section className="section" aria-labelledby={`${id}-targets`}>
        <h2 id={`${id}-targets`}>{t('campaigns.organise.targets')}</h2>
        {targets.result.state === 'loading' && <Loading />}
        {targets.result.state === 'error' && (
          <ErrorState error={targets.result.error} onRetry={targets.retry} />
        )}
        {targets.result.state === 'ready' && (
          <div className="table-wrap">
            <table className="data-table">
              <caption>{t('campaigns.organise.targetsCaption', { count: targetItems.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('campaigns.organise.official')}</th>
                  <th scope="col">{t('campaigns.organise.why')}</th>
                  <th scope="col">{t('campaigns.organise.position')}</th>
                  <th scope="col">{t('campaigns.organise.route')}</th>
                  <th scope="col" className="num">
                    {t('campaigns.organise.calls')}
                  </th>
                  <th scope="col" className="num">
                    {t('campaigns.organise.letters')}
                  </th>
                  <th scope="col" className="num">
                    {t('campaigns.organise.replied')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {targetItems.map((x) => (
                  <tr key={x.official.id}>
                    <th scope="row">
                      {x.official.name}
                      <span className="muted small"> {x.official.title}</span>
                    </th>
                    <td>{x.why.join(', ')}</td>
                    <td>
                      <span className={`badge campaign-position campaign-position-${x.position}`}>
                        {t(`campaigns.position.${x.position}`)}
                      </span>
                    </td>
                    <td>{t(`campaigns.routeShort.${x.delivery.kind}`)}</td>
                    <td className="num">{formatNumber(callsBy.get(x.official.id)?.calls ?? 0)}</td>
                    <td className="num">{formatNumber(lettersBy.get(x.official.id)?.letters ?? 0)}</td>
                    <td className="num">{formatNumber(lettersBy.get(x.official.id)?.replied ?? 0)}</td>
                  </tr>
                ))}
                {reachedOthers(targetItems).map((x) => (
                  <tr key={x.officialId}>
                    <th scope="row">{x.name}</th>
                    <td>{t('campaigns.organise.viaDelegation')}</td>
                    <td>—</td>
                    <td>—</td>
                    <td className="num">{formatNumber(callsBy.get(x.officialId)?.calls ?? 0)}</td>
                    <td className="num">{formatNumber(lettersBy.get(x.officialId)?.letters ?? 0)}</td>
                    <td className="num">{formatNumber(lettersBy.get(x.officialId)?.replied ?? 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {canOrganise(session?.user?.role) && hasTargets && (
          <PositionForm campaign={data.slug} targets={targetItems} onSaved={targets.retry} />
        )}
      </section>
    </div>
  );
}
