import { type FormEvent, useEffect, useId, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { t } from '../i18n/index.ts';
import { canManageOrganisations } from '../lib/permissions.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';

/** The situation the current path belongs to, if the path says so. */
function slugFromPath(path: string): string | null {
  const m = /^\/s\/([^/]+)/.exec(path);
  return m?.[1] ? decodeURIComponent(m[1]) : null;
}

function SituationSwitcher({ selected }: { selected: string | null }) {
  const { list } = useSituations();
  const [path, navigate] = useLocation();
  const id = useId();
  const [value, setValue] = useState(selected ?? '');
  useEffect(() => setValue(selected ?? ''), [selected]);
  if (list.state !== 'ready' || list.data.items.length === 0) return null;
  const items = list.data.items;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!value) return;
    const section =
      /^\/s\/[^/]+\/(incidents|evidence|lifeline|risk|response|coordination|campaigns|alerts)/.exec(
        path,
      )?.[1];
    navigate(`/s/${encodeURIComponent(value)}${section ? `/${section}` : ''}`);
  };
  return (
    <form className="switcher" onSubmit={submit}>
      <label htmlFor={id}>{t('shell.situation')}</label>
      <select id={id} value={value} onChange={(e) => setValue(e.target.value)}>
        {!selected && <option value="">{t('shell.chooseSituation')}</option>}
        {items.map((s) => (
          <option key={s.slug} value={s.slug}>
            {s.name}
          </option>
        ))}
      </select>
      <button type="submit" className="button button-small">
        {t('shell.showSituation')}
      </button>
    </form>
  );
}

/** `page` on a section's own page, `location` on the pages beneath it. */
function sectionCurrent(path: string, href: string): 'page' | 'location' | undefined {
  if (path === href) return 'page';
  return path.startsWith(`${href}/`) ? 'location' : undefined;
}

function NavLink({
  href,
  children,
  current,
}: {
  href: string;
  children: string;
  current?: 'page' | 'location';
}) {
  return (
    <Link href={href} className="nav-link" aria-current={current}>
      {children}
    </Link>
  );
}

function Account() {
  const { session, loaded, signOut } = useSession();
  const [path, navigate] = useLocation();
  const [busy, setBusy] = useState(false);
  if (!loaded) return <div className="account" />;
  const user = session?.user;
  if (!user) {
    return (
      <div className="account">
        <NavLink href="/login" current={path === '/login' ? 'page' : undefined}>
          {t('shell.signIn')}
        </NavLink>
      </div>
    );
  }
  const out = async () => {
    setBusy(true);
    try {
      await signOut();
    } finally {
      setBusy(false);
    }
    if (path === '/account') navigate('/');
  };
  return (
    <div className="account">
      {canManageOrganisations(user) && (
        <NavLink href="/admin/organisations" current={sectionCurrent(path, '/admin/organisations')}>
          {t('organisations.navLink')}
        </NavLink>
      )}
      <Link
        href="/account"
        className="nav-link account-link"
        aria-current={path === '/account' ? 'page' : undefined}
      >
        <span className="visually-hidden">{t('shell.signedInAs')} </span>
        {user.email} <span className="role">({user.role})</span>
      </Link>
      <button type="button" className="link-button" onClick={out} disabled={busy}>
        {t('shell.signOut')}
      </button>
    </div>
  );
}

export function Header() {
  const [path] = useLocation();
  const { list, current } = useSituations();
  const fromPath = slugFromPath(path);
  const onIncidentPage = path.startsWith('/incidents/');
  const onItemPage = path.startsWith('/items/') || path.startsWith('/reports/');
  const onResponsePage = path.startsWith('/measures/') || path.startsWith('/persons/');
  const first = list.state === 'ready' ? (list.data.items[0]?.slug ?? null) : null;
  const selected = fromPath ?? (onIncidentPage || onItemPage || onResponsePage ? current : null);
  const navSlug = selected ?? current ?? first;
  const base = navSlug ? `/s/${encodeURIComponent(navSlug)}` : null;
  return (
    <header className="site-header">
      <div className="header-inner">
        <Link href="/" className="brand">
          {t('app.name')}
        </Link>
        <SituationSwitcher selected={selected} />
        {base && (
          <nav aria-label={t('shell.navLabel')} className="main-nav">
            <ul>
              <li>
                <NavLink href={base} current={path === base ? 'page' : undefined}>
                  {t('nav.overview')}
                </NavLink>
              </li>
              <li>
                <NavLink
                  href={`${base}/incidents`}
                  current={path === `${base}/incidents` ? 'page' : onIncidentPage ? 'location' : undefined}
                >
                  {t('nav.incidents')}
                </NavLink>
              </li>
              <li>
                <NavLink
                  href={`${base}/evidence`}
                  current={
                    path === `${base}/evidence`
                      ? 'page'
                      : onItemPage || path === `${base}/reports` || path === `${base}/search`
                        ? 'location'
                        : undefined
                  }
                >
                  {t('nav.evidence')}
                </NavLink>
              </li>
              <li>
                <NavLink href={`${base}/lifeline`} current={path === `${base}/lifeline` ? 'page' : undefined}>
                  {t('nav.lifeline')}
                </NavLink>
              </li>
              <li>
                <NavLink href={`${base}/risk`} current={path === `${base}/risk` ? 'page' : undefined}>
                  {t('nav.risk')}
                </NavLink>
              </li>
              <li>
                <NavLink
                  href={`${base}/response`}
                  current={
                    path === `${base}/response`
                      ? 'page'
                      : path.startsWith(`${base}/response/`) || onResponsePage
                        ? 'location'
                        : undefined
                  }
                >
                  {t('nav.response')}
                </NavLink>
              </li>
              <li>
                <NavLink href={`${base}/coordination`} current={sectionCurrent(path, `${base}/coordination`)}>
                  {t('nav.coordination')}
                </NavLink>
              </li>
              <li>
                <NavLink href={`${base}/campaigns`} current={sectionCurrent(path, `${base}/campaigns`)}>
                  {t('nav.campaigns')}
                </NavLink>
              </li>
              <li>
                <NavLink href={`${base}/alerts`} current={sectionCurrent(path, `${base}/alerts`)}>
                  {t('nav.alerts')}
                </NavLink>
              </li>
            </ul>
          </nav>
        )}
        <Account />
      </div>
    </header>
  );
}
