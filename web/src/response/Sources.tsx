import type { SourceRef } from '../api/response.ts';
import { hostOf } from '../components/SourceLinks.tsx';
import { t } from '../i18n/index.ts';

/** Source links named by their outlet (or site). They open the source; nothing is fetched from it. */
export function Sources({ sources, label }: { sources: SourceRef[]; label?: string }) {
  if (sources.length === 0) return <span className="muted">{t('source.none')}</span>;
  return (
    <span className="source-links">
      {label ?? t('source.label')}{' '}
      {sources.map((s, i) => (
        <span key={s.url}>
          {i > 0 && ', '}
          <a href={s.url} rel="noopener noreferrer external">
            {s.outlet ?? hostOf(s.url)}
          </a>
        </span>
      ))}
    </span>
  );
}
