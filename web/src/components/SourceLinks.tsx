import { t } from '../i18n/index.ts';

export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}

/** A list of source links, named by their site. They open the source; nothing is fetched from it. */
export function SourceLinks({ urls, label }: { urls: string[]; label?: string }) {
  if (urls.length === 0) return <span className="muted">{t('source.none')}</span>;
  return (
    <span className="source-links">
      {label ?? t('source.label')}{' '}
      {urls.map((url, i) => (
        <span key={url}>
          {i > 0 && ', '}
          <a href={url} rel="noopener noreferrer external">
            {hostOf(url)}
          </a>
        </span>
      ))}
    </span>
  );
}
