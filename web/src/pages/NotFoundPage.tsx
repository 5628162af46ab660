import { Link } from 'wouter';
import { PageHeading } from '../components/PageHeading.tsx';
import { t } from '../i18n/index.ts';
import { usePageTitle } from '../lib/page.ts';

export default function NotFoundPage() {
  usePageTitle(t('notFound.title'));
  return (
    <div className="page">
      <PageHeading>{t('notFound.title')}</PageHeading>
      <p>{t('notFound.text')}</p>
      <p>
        <Link href="/">{t('notFound.home')}</Link>
      </p>
    </div>
  );
}
