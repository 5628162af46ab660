// The response module's own sections: measures, events registry, persons of interest (for roles that may).
import { Link, useLocation } from 'wouter';
import { t } from '../i18n/index.ts';
import { canScreen } from '../lib/permissions.ts';
import { useSession } from '../lib/session.tsx';

export function ResponseNav({ slug }: { slug: string }) {
  const [path] = useLocation();
  const { session } = useSession();
  const base = `/s/${encodeURIComponent(slug)}/response`;
  const entries: [string, string][] = [
    [base, t('response.nav.measures')],
    [`${base}/events`, t('response.nav.events')],
  ];
  if (canScreen(session?.user)) entries.push([`${base}/persons`, t('response.nav.persons')]);
  return (
    <nav aria-label={t('response.nav.label')} className="subnav">
      <ul>
        {entries.map(([href, label]) => (
          <li key={href}>
            <Link href={href} className="subnav-link" aria-current={path === href ? 'page' : undefined}>
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
