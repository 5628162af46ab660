// A situation's campaigns: each ask with its petition count, linking to its action centre (and, for
// organisers, to its campaign page and a form to start a new one).
import { useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { Situation } from '../api/types.ts';
import { type Campaign, campaignPath, canOrganise } from '../campaigns/api.ts';
import { CampaignForm } from '../campaigns/CampaignForm.tsx';
import '../campaigns/campaigns.css';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, Loading } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';

export default function CampaignsPage({ slug }: { slug: string }) {
  const { setCurrent } = useSituations();
  const { session } = useSession();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  usePageTitle(t('campaigns.title'));
  const situation = useApi<Situation>(`/situations/${encodeURIComponent(slug)}`);
  const list = useApi<{ items: Campaign[] }>(`/situations/${encodeURIComponent(slug)}/campaigns`);
  const organiser = canOrganise(session?.user?.role);
  const [starting, setStarting] = useState(false);
  const [, navigate] = useLocation();
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={`/s/${encodeURIComponent(slug)}`}>
          {situation.result.state === 'ready' ? situation.result.data.name : t('incidents.backToOverview')}
        </Link>
      </p>
      <PageHeading>{t('campaigns.title')}</PageHeading>
      <p className="lead">{t('campaigns.intro')}</p>
      {organiser &&
        (starting ? (
          <section className="section">
            <CampaignForm
              situation={slug}
              onSaved={(saved) => navigate(campaignPath(slug, saved.slug))}
              onCancel={() => setStarting(false)}
            />
          </section>
        ) : (
          <p>
            <button type="button" className="button" onClick={() => setStarting(true)}>
              {t('campaigns.form.start')}
            </button>
          </p>
        ))}
      {list.result.state === 'loading' && <Loading />}
      {list.result.state === 'error' && <ErrorState error={list.result.error} onRetry={list.retry} />}
      {list.result.state === 'ready' &&
        (list.result.data.items.length === 0 ? (
          <p>{organiser ? t('campaigns.noneOrganiser') : t('campaigns.none')}</p>
        ) : (
          <ul className="cards">
            {list.result.data.items.map((c) => (
              <li key={c.slug} className="card">
                <h2 className="card-title">
                  <Link href={campaignPath(slug, c.slug)}>{c.title}</Link>
                </h2>
                <p className="card-description">{c.ask}</p>
                <p className="card-dates">
                  {c.status !== 'active' && (
                    <span className="badge badge-draft">{t(`campaigns.statusLabel.${c.status}`)}</span>
                  )}{' '}
                  {c.petitionText !== null && tn('campaigns.petition.count', c.signatureCount)}
                </p>
                {organiser && (
                  <p>
                    <Link href={`${campaignPath(slug, c.slug)}/organise`}>
                      {t('campaigns.organise.linkFor', { title: c.title })}
                    </Link>
                  </p>
                )}
              </li>
            ))}
          </ul>
        ))}
    </div>
  );
}
