// Sanctions screening results: each match with its score, why it matched, and the list and version it
// came from. A name match is not an identification.
import type { ListRef, ScreeningMatch } from '../api/response.ts';
import { locale, t } from '../i18n/index.ts';

/** Scores are not probabilities: shown as the number they are (0 to 1). */
const scoreFormat = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function listLabel(list: ListRef): string {
  const name = t(
    list.source === 'un-consolidated'
      ? 'screen.list.un'
      : list.source === 'ofac-sdn'
        ? 'screen.list.ofac'
        : 'screen.list.other',
    {
      source: list.source,
    },
  );
  return `${name} (${list.version})`;
}

function details(match: ScreeningMatch): string {
  return Object.entries(match.details)
    .filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(
      ([k, v]) =>
        `${k}: ${Array.isArray(v) ? v.join('; ') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
    )
    .join(' · ');
}

export function MatchTable({
  matches,
  caption,
}: {
  matches: (ScreeningMatch & { screenedName?: string })[];
  caption: string;
}) {
  const showScreened = matches.some((m) => m.screenedName);
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {showScreened && <th scope="col">{t('screen.col.screened')}</th>}
            <th scope="col">{t('screen.col.entry')}</th>
            <th scope="col" className="num">
              {t('screen.col.score')}
            </th>
            <th scope="col">{t('screen.col.why')}</th>
            <th scope="col">{t('screen.col.list')}</th>
          </tr>
        </thead>
        <tbody>
          {matches.map((m) => (
            <tr key={`${m.screenedName ?? ''}#${m.list.id}#${m.entryId}`}>
              {showScreened && <td>{m.screenedName}</td>}
              <td>
                <strong>{m.name}</strong>
                {m.matchedName !== m.name && (
                  <>
                    <br />
                    {t('screen.matchedAlias', { name: m.matchedName })}
                  </>
                )}
                <br />
                <span className="muted small">
                  {t('screen.entry', { id: m.entryId, type: m.entryType })}
                  {m.programs.length > 0 && ` · ${m.programs.join(', ')}`}
                </span>
                {details(m) && (
                  <>
                    <br />
                    <span className="muted small">{details(m)}</span>
                  </>
                )}
              </td>
              <td className="num">{scoreFormat.format(m.score)}</td>
              <td>
                <ul className="reasons">
                  {m.reasons.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              </td>
              <td>{listLabel(m.list)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
