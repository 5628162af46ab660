// Alerts of a situation: the inbox (with the signed-in user's unread notifications counted on the heading),
// the rule editor with its preview, subscription settings, and the replay on a timeline. One page, four
// sections at /s/:slug/alerts[/rules|/subscriptions|/replay].
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import type { Situation } from '../api/types.ts';
import '../alerts/alerts.css';
import type { Notification } from '../alerts/api.ts';
import { Inbox, SeverityBadge } from '../alerts/Inbox.tsx';
import { ReplayView } from '../alerts/Replay.tsx';
import { RuleEditor } from '../alerts/RuleEditor.tsx';
import { Subscriptions } from '../alerts/Subscriptions.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, errorMessage } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';

const SECTIONS = ['inbox', 'rules', 'subscriptions', 'replay'] as const;
type Section = (typeof SECTIONS)[number];

/** alert.manage: analysts and admins (the server decides; this only chooses which controls to show). */
const canManageAlerts = (role: string | undefined) => role === 'analyst' || role === 'admin';

function Notifications({
  slug,
  notifications,
  onRead,
}: {
  slug: string;
  notifications: { items: Notification[]; unread: number };
  onRead: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const markAll = async () => {
    setError(null);
    try {
      await api.post('/alert-notifications/read', { all: true, situation: slug });
      onRead();
    } catch (e) {
      setError(errorMessage(e instanceof Error ? e : new Error(String(e))));
    }
  };
  const unread = notifications.items.filter((n) => !n.readAt);
  return (
    <section aria-labelledby="alerts-notifications-heading" className="section alerts-notifications">
      <h2 id="alerts-notifications-heading">{t('alerts.notifications.heading')}</h2>
      {unread.length === 0 ? (
        <p>{t('alerts.notifications.none')}</p>
      ) : (
        <>
          <ul className="plain-list">
            {unread.map((n) => (
              <li key={n.id}>
                <SeverityBadge severity={n.alert.severity} />{' '}
                {n.event === 'opened' ? t('alerts.notifications.opened') : t('alerts.notifications.resolved')}{' '}
                <a href={`#alert-${n.alert.id}`}>{n.alert.title}</a>{' '}
                <span className="muted">{formatTimestamp(n.createdAt)}</span>
              </li>
            ))}
          </ul>
          <button type="button" className="button button-small" onClick={markAll}>
            {t('alerts.notifications.markAll')}
          </button>
        </>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

export default function AlertsPage({ slug, section: raw }: { slug: string; section?: string | undefined }) {
  const section: Section | null =
    raw === undefined ? 'inbox' : SECTIONS.includes(raw as Section) ? (raw as Section) : null;
  const { setCurrent } = useSituations();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const { session, loaded } = useSession();
  const user = session?.user ?? null;
  const canManage = canManageAlerts(user?.role);
  const situation = useApi<Situation>(`/situations/${encodeURIComponent(slug)}`);
  const name = situation.result.state === 'ready' ? situation.result.data.name : slug;
  const notifications = useApi<{ items: Notification[]; unread: number }>(
    loaded && user ? `/alert-notifications?situation=${encodeURIComponent(slug)}&limit=50` : null,
  );
  const unread = notifications.result.state === 'ready' ? notifications.result.data.unread : 0;
  const sectionTitle = section ? t(`alerts.section.${section}`) : t('error.notFound');
  usePageTitle(`${t('alerts.title')} · ${sectionTitle}`);
  const base = `/s/${encodeURIComponent(slug)}/alerts`;
  const href = (s: Section) => (s === 'inbox' ? base : `${base}/${s}`);

  if (situation.result.state === 'error') {
    return (
      <div className="page">
        <PageHeading>{t('alerts.title')}</PageHeading>
        <ErrorState error={situation.result.error} onRetry={situation.retry} />
      </div>
    );
  }
  return (
    <div className="page">
      <PageHeading>
        {t('alerts.title')}
        {user && unread > 0 && (
          <>
            {' '}
            <span className="badge alerts-unread">{tn('alerts.unread', unread)}</span>
          </>
        )}
      </PageHeading>
      <p className="lead">{t('alerts.lead', { name })}</p>
      <nav className="subnav" aria-label={t('alerts.subnav')}>
        <ul>
          {SECTIONS.filter((s) => s !== 'rules' || canManage)
            .filter((s) => s !== 'subscriptions' || user)
            .map((s) => (
              <li key={s}>
                <Link
                  href={href(s)}
                  className="subnav-link"
                  aria-current={s === section ? 'page' : undefined}
                >
                  {t(`alerts.section.${s}`)}
                </Link>
              </li>
            ))}
        </ul>
      </nav>
      {section === null && <p>{t('error.notFound')}</p>}
      {section === 'inbox' && (
        <>
          {user && notifications.result.state === 'ready' && (
            <Notifications
              slug={slug}
              notifications={notifications.result.data}
              onRead={notifications.retry}
            />
          )}
          <Inbox slug={slug} canManage={canManage} signedIn={Boolean(user)} />
        </>
      )}
      {section === 'rules' &&
        (canManage ? (
          <RuleEditor slug={slug} />
        ) : (
          loaded && (
            <p className="notice notice-info">
              {user ? t('alerts.rules.notAllowed') : <Link href="/login">{t('alerts.signIn')}</Link>}
            </p>
          )
        ))}
      {section === 'subscriptions' &&
        (user ? (
          <Subscriptions slug={slug} />
        ) : (
          loaded && (
            <p className="notice notice-info">
              <Link href="/login">{t('alerts.signIn')}</Link>
            </p>
          )
        ))}
      {section === 'replay' && <ReplayView slug={slug} canManage={canManage} />}
    </div>
  );
}
