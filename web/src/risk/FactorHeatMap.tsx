// The factor levels of every assessment as a heat map: one row per risk factor, one column per assessment date,
// each cell coloured on a sequential scale and labelled with its level in words. The table behind it (levels
// and, for the latest assessment, the counts per status) is its accessible alternative.
import type { AssessmentWithFactors } from '../api/risk.ts';
import { formatNumber, t } from '../i18n/index.ts';
import { formatDate } from '../lib/dates.ts';
import { LEVEL_ORDER, levelClass, levelLabel } from './levels.ts';

export function FactorHeatMap({ assessments }: { assessments: AssessmentWithFactors[] }) {
  const sorted = [...assessments].sort((a, b) => a.assessedOn.localeCompare(b.assessedOn));
  const latest = sorted[sorted.length - 1];
  if (!latest) return null;
  const factors = latest.factors;
  const levelOf = (a: AssessmentWithFactors, factor: number) =>
    a.factors.find((f) => f.factor === factor)?.level ?? 'unknown';
  const columns = `minmax(10rem, 18rem) repeat(${sorted.length}, minmax(6.5rem, 1fr))`;
  return (
    <>
      <ul className="heat-legend" aria-label={t('risk.legend')}>
        {LEVEL_ORDER.map((l) => (
          <li key={l} className="heat-legend-item">
            <span className={`${levelClass(l)} heat-swatch`} aria-hidden="true" />
            {levelLabel(l)}
          </li>
        ))}
      </ul>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
      <section className="heat-scroll" aria-label={t('risk.heatmapScroll')} tabIndex={0}>
        <div
          className="heatmap"
          role="img"
          aria-label={t('risk.heatmapAlt', { factors: factors.length, count: sorted.length })}
          style={{ gridTemplateColumns: columns }}
        >
          <div className="heat-corner">{t('risk.col.factor')}</div>
          {sorted.map((a) => (
            <div key={a.id} className="heat-date">
              {formatDate(a.assessedOn)}
            </div>
          ))}
          {factors.map((f) => (
            <div key={f.factor} className="heat-row">
              <div className="heat-factor">
                <span className="heat-num">{f.factor}</span> {f.title}
              </div>
              {sorted.map((a) => {
                const level = levelOf(a, f.factor);
                return (
                  <div key={a.id} className={`${levelClass(level)} heat-cell`}>
                    {levelLabel(level)}
                  </div>
                );
              })}
            </div>
          ))}
        </div>
      </section>
      <details className="table-toggle">
        <summary>{t('risk.heatmapTable')}</summary>
        <div className="table-wrap">
          <table className="data-table" id="heatmap-table">
            <caption>{t('risk.heatmapCaption', { date: formatDate(latest.assessedOn) })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('risk.col.factor')}</th>
                {sorted.map((a) => (
                  <th scope="col" key={a.id}>
                    {formatDate(a.assessedOn)}
                  </th>
                ))}
                <th scope="col">{t('risk.col.counts')}</th>
              </tr>
            </thead>
            <tbody>
              {factors.map((f) => (
                <tr key={f.factor}>
                  <th scope="row">
                    {f.factor}. {f.title}
                  </th>
                  {sorted.map((a) => (
                    <td key={a.id}>{levelLabel(levelOf(a, f.factor))}</td>
                  ))}
                  <td className="small">
                    {t('risk.counts', {
                      strong: formatNumber(f.stronglyPresent),
                      present: formatNumber(f.present),
                      absent: formatNumber(f.absent),
                      unknown: formatNumber(f.unknown),
                      total: formatNumber(f.indicators),
                    })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
