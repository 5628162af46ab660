import { Link } from 'wouter';
import type { Incident } from '../api/types.ts';
import { t } from '../i18n/index.ts';
import { formatRange } from '../lib/dates.ts';
import { CategoryTag } from './Category.tsx';

export type Column = 'date' | 'title' | 'category' | 'place' | 'location' | 'confidence';

export function confidenceLabel(c: string): string {
  if (c === 'high') return t('confidence.high');
  if (c === 'medium') return t('confidence.medium');
  if (c === 'low') return t('confidence.low');
  return c;
}

export function locationLabel(i: Incident): string {
  if (!i.point) return t('location.none');
  if (i.pointSource === 'source') return t('location.source');
  if (i.pointSource === 'gazetteer') return t('location.gazetteer');
  if (i.pointSource === 'manual') return t('location.manual');
  return t('location.unknown');
}

const HEADERS: Record<Column, () => string> = {
  date: () => t('table.date'),
  title: () => t('table.title'),
  category: () => t('table.category'),
  place: () => t('table.place'),
  location: () => t('table.location'),
  confidence: () => t('table.confidence'),
};

/** The table behind a map, timeline or search: one row per incident, each title a link to its page. */
export function IncidentTable({
  incidents,
  columns,
  caption,
  captionHidden = false,
}: {
  incidents: Incident[];
  columns: Column[];
  caption: string;
  captionHidden?: boolean;
}) {
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption className={captionHidden ? 'visually-hidden' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col" className={`col-${c}`}>
                {HEADERS[c]()}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {incidents.map((i) => (
            <tr key={i.id}>
              {columns.map((c) => (
                <Cell key={c} column={c} incident={i} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Cell({ column, incident: i }: { column: Column; incident: Incident }) {
  switch (column) {
    case 'date':
      return (
        <td className="col-date nowrap">{formatRange(i.start, i.startPrecision, i.end, i.endPrecision)}</td>
      );
    case 'title':
      return (
        <td className="col-title">
          <Link href={`/incidents/${encodeURIComponent(i.id)}`}>{i.title}</Link>
        </td>
      );
    case 'category':
      return (
        <td className="col-category">
          <CategoryTag category={i.category} />
        </td>
      );
    case 'place':
      return (
        <td className="col-place">{i.placeName ?? <span className="muted">{t('place.unknown')}</span>}</td>
      );
    case 'location':
      return <td className="col-location">{locationLabel(i)}</td>;
    case 'confidence':
      return <td className="col-confidence">{confidenceLabel(i.confidence)}</td>;
  }
}
