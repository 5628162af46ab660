// The table behind the evidence gallery: one row per item. Readers of sealed material also see the
// original's SHA-256 in full (to copy and compare), its size, sniffed type and the type-mismatch flag.
import { Link } from 'wouter';
import type { EvidenceItem } from '../api/types.ts';
import { t, tn } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { MismatchFlag } from './ItemGallery.tsx';
import { formatBytes, phaseLabel } from './labels.ts';

export function ItemTable({
  items,
  caption,
  incidentTitles,
}: {
  items: EvidenceItem[];
  caption: string;
  incidentTitles?: Map<string, string>;
}) {
  const sealed = items.some((i) => i.sealed);
  return (
    <div className="table-wrap">
      <table className="data-table evidence-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('evidence.col.title')}</th>
            <th scope="col">{t('evidence.col.phase')}</th>
            <th scope="col">{t('evidence.col.added')}</th>
            {incidentTitles && <th scope="col">{t('evidence.col.incidents')}</th>}
            {sealed && (
              <>
                <th scope="col">{t('evidence.col.type')}</th>
                <th scope="col">{t('evidence.col.size')}</th>
                <th scope="col">{t('evidence.sha256')}</th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id}>
              <td>
                <Link href={`/items/${encodeURIComponent(i.id)}`}>{i.title}</Link>
              </td>
              <td>{phaseLabel(i.phase)}</td>
              <td className="nowrap">{formatTimestamp(i.createdAt)}</td>
              {incidentTitles && (
                <td>
                  {i.incidentIds.length === 0 ? (
                    <span className="muted">{t('evidence.noIncident')}</span>
                  ) : (
                    i.incidentIds.map((id, n) => (
                      <span key={id}>
                        {n > 0 && '; '}
                        <Link href={`/incidents/${encodeURIComponent(id)}`}>
                          {incidentTitles.get(id) ?? t('evidence.incidentLink')}
                        </Link>
                      </span>
                    ))
                  )}
                </td>
              )}
              {sealed && (
                <>
                  <td>
                    {i.sealed?.mime ?? ''} <MismatchFlag item={i} />
                  </td>
                  <td className="nowrap">
                    {i.sealed ? (
                      <span title={tn('evidence.bytes', i.sealed.size)}>{formatBytes(i.sealed.size)}</span>
                    ) : null}
                  </td>
                  <td className="hash">{i.sealed?.sha256 ?? ''}</td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
