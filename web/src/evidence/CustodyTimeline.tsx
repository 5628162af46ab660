// The custody timeline of an item: every entry of the installation's hash-chained log that concerns it,
// oldest first, with who did what and when, and the entry's hash and the previous entry's hash.
import { api } from '../api/client.ts';
import type { CustodyEntry } from '../api/types.ts';
import { ErrorState, Loading } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { useLoader } from '../lib/useApi.ts';
import { actionLabel, conclusionLabel, methodLabel, phaseLabel, shortHash } from './labels.ts';

function str(v: unknown): string | null {
  return typeof v === 'string' && v ? v : null;
}

/** One line saying what the entry's details mean, where the action has details worth reading. */
function detailText(e: CustodyEntry): string | null {
  const d = e.details;
  switch (e.action) {
    case 'create': {
      const sha = str(d.sha256);
      return sha ? t('custody.detail.create', { sha256: sha, mime: str(d.mime) ?? '?' }) : null;
    }
    case 'duplicate':
      return t('custody.detail.duplicate', { name: str(d.claimedName) ?? t('evidence.unknownType') });
    case 'phase':
      return t('custody.detail.phase', {
        from: phaseLabel(str(d.from) ?? '?'),
        to: phaseLabel(str(d.to) ?? '?'),
      });
    case 'note':
      return t('custody.detail.note', {
        method: methodLabel(str(d.method) ?? '?'),
        conclusion: conclusionLabel(str(d.conclusion) ?? '?'),
      });
    case 'link':
      return str(d.incidentId) ? t('custody.detail.link', { id: str(d.incidentId)! }) : null;
    case 'download':
    case 'export':
      return str(d.sha256) ? t('custody.detail.sha256', { sha256: str(d.sha256)! }) : null;
    default:
      return null;
  }
}

export function CustodyTimeline({ itemId, version }: { itemId: string; version: number }) {
  const path = `/items/${encodeURIComponent(itemId)}/custody`;
  const { result, retry } = useLoader<{ items: CustodyEntry[] }>(`${path}#${version}`, (signal) =>
    api.get(path, signal),
  );
  if (result.state === 'loading') return <Loading />;
  if (result.state === 'error') return <ErrorState error={result.error} onRetry={retry} />;
  const entries = result.data.items;
  if (entries.length === 0) return <p>{t('custody.none')}</p>;
  return (
    <>
      <p className="note">
        {tn('custody.count', entries.length)} {t('custody.explain')}
      </p>
      <ol className="custody" aria-label={t('custody.listLabel')}>
        {entries.map((e) => {
          const detail = detailText(e);
          return (
            <li key={e.id} className={`custody-entry custody-${e.action}`}>
              <p className="custody-head">
                <strong>{actionLabel(e.action)}</strong>
                <span>{formatTimestamp(e.at)}</span>
                <span>{t('custody.by', { who: e.actorLabel })}</span>
                <span className="muted">{t('custody.entry', { id: e.id })}</span>
              </p>
              {detail && <p className="custody-detail">{detail}</p>}
              <details className="custody-hashes">
                <summary>
                  {t('custody.hash')} <span className="hash">{shortHash(e.hash)}</span>
                </summary>
                <dl>
                  <div>
                    <dt>{t('custody.hash')}</dt>
                    <dd className="hash">{e.hash}</dd>
                  </div>
                  <div>
                    <dt>{t('custody.prevHash')}</dt>
                    <dd className="hash">{e.prevHash}</dd>
                  </div>
                </dl>
              </details>
            </li>
          );
        })}
      </ol>
    </>
  );
}
