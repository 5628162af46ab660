// The backtest's ROC curve and recall at k as accessible SVG: a named image with a short text alternative,
// and the numbers behind it in a table (in a disclosure) for screen readers and for checking.
import { useId } from 'react';
import { formatNumber, t } from '../i18n/index.ts';

const W = 360;
const H = 260;
const PAD = { left: 46, right: 22, top: 12, bottom: 40 };
const IW = W - PAD.left - PAD.right;
const IH = H - PAD.top - PAD.bottom;

const x = (v: number) => PAD.left + v * IW;
const y = (v: number) => PAD.top + (1 - v) * IH;
const pct = (v: number) => `${Math.round(v * 100)}%`;

function Axes({ xLabel, yLabel, xTicks }: { xLabel: string; yLabel: string; xTicks: [number, string][] }) {
  return (
    <g className="chart-axes" fill="#333" fontSize={11}>
      <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(0)} stroke="#4d4d4d" />
      <line x1={x(0)} y1={y(0)} x2={x(0)} y2={y(1)} stroke="#4d4d4d" />
      {[0, 0.25, 0.5, 0.75, 1].map((v) => (
        <g key={`y${v}`}>
          <line className="chart-grid" stroke="#d9d9d9" x1={x(0)} y1={y(v)} x2={x(1)} y2={y(v)} />
          <text x={x(0) - 6} y={y(v) + 4} textAnchor="end">
            {pct(v)}
          </text>
        </g>
      ))}
      {xTicks.map(([v, label]) => (
        <text key={`x${v}`} x={x(v)} y={y(0) + 16} textAnchor="middle">
          {label}
        </text>
      ))}
      <text x={x(0.5)} y={H - 4} textAnchor="middle">
        {xLabel}
      </text>
      <text transform={`translate(12 ${y(0.5)}) rotate(-90)`} textAnchor="middle">
        {yLabel}
      </text>
    </g>
  );
}

/** The ROC curve: true positive rate against false positive rate, with the chance diagonal. */
export function RocChart({ roc, auc }: { roc: [number, number][]; auc: number | null }) {
  const id = useId();
  const path = roc
    .map(([fx, ty], i) => `${i === 0 ? 'M' : 'L'}${x(fx).toFixed(1)},${y(ty).toFixed(1)}`)
    .join(' ');
  // The table shows the curve at a few false positive rates, read off the (step) curve.
  const at = (f: number) => roc.reduce((best, [fx, ty]) => (fx <= f ? Math.max(best, ty) : best), 0);
  const rows = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 1];
  return (
    <figure className="chart" style={{ margin: 0, flex: '1 1 320px', maxWidth: 480 }}>
      <figcaption id={`${id}-cap`}>{t('riskModel.roc.title')}</figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-cap ${id}-desc`}
        className="chart-svg"
      >
        <title>{t('riskModel.roc.title')}</title>
        <desc id={`${id}-desc`}>
          {t('riskModel.roc.alt', { auc: auc === null ? '—' : auc.toFixed(2), points: roc.length })}
        </desc>
        <Axes
          xLabel={t('riskModel.roc.x')}
          yLabel={t('riskModel.roc.y')}
          xTicks={[0, 0.25, 0.5, 0.75, 1].map((v) => [v, pct(v)])}
        />
        <line
          className="chart-chance"
          stroke="#737373"
          strokeDasharray="4 4"
          x1={x(0)}
          y1={y(0)}
          x2={x(1)}
          y2={y(1)}
        />
        <path className="chart-line" d={path} fill="none" stroke="#08519c" strokeWidth={2.5} />
      </svg>
      <details>
        <summary>{t('riskModel.roc.table')}</summary>
        <table className="data-table">
          <caption>{t('riskModel.roc.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('riskModel.roc.x')}</th>
              <th scope="col">{t('riskModel.roc.y')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={f}>
                <td className="num">{pct(f)}</td>
                <td className="num">{pct(at(f))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** Recall at k: the share of positive rows that were ranked in the top k of their year, k = 1 … n. */
export function RecallChart({ recall }: { recall: number[] }) {
  const id = useId();
  const n = recall.length;
  const kx = (k: number) => (n <= 1 ? 0 : (k - 1) / (n - 1));
  const path = recall
    .map((r, i) => `${i === 0 ? 'M' : 'L'}${x(kx(i + 1)).toFixed(1)},${y(r).toFixed(1)}`)
    .join(' ');
  const marks = [1, 5, 10, 20, 30, 40, 50].filter((k) => k <= n);
  return (
    <figure className="chart" style={{ margin: 0, flex: '1 1 320px', maxWidth: 480 }}>
      <figcaption id={`${id}-cap`}>{t('riskModel.recall.title')}</figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-cap ${id}-desc`}
        className="chart-svg"
      >
        <title>{t('riskModel.recall.title')}</title>
        <desc id={`${id}-desc`}>
          {t('riskModel.recall.alt', {
            k: Math.min(30, n),
            recall: pct(recall[Math.min(30, n) - 1] ?? 0),
          })}
        </desc>
        <Axes
          xLabel={t('riskModel.recall.x')}
          yLabel={t('riskModel.recall.y')}
          xTicks={marks.map((k) => [kx(k), formatNumber(k)])}
        />
        <path className="chart-line" d={path} fill="none" stroke="#08519c" strokeWidth={2.5} />
      </svg>
      <details>
        <summary>{t('riskModel.recall.table')}</summary>
        <table className="data-table">
          <caption>{t('riskModel.recall.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('riskModel.recall.x')}</th>
              <th scope="col">{t('riskModel.recall.y')}</th>
            </tr>
          </thead>
          <tbody>
            {marks.map((k) => (
              <tr key={k}>
                <td className="num">{formatNumber(k)}</td>
                <td className="num">{pct(recall[k - 1] ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
