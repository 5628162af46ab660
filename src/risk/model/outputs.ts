// What a backtest and a forecast produce, in the forms the command and the web page share: forecasts.csv,
// the metrics summary, the ROC curve and recall at k of a backtest, and a forecast's ranking with each
// predictor's contribution. Pure functions over the model's results.
import type { BacktestResult } from './backtest.ts';
import { type Prepared, prepare } from './design.ts';
import { PanelError } from './errors.ts';
import { ranksByGroup } from './metrics.ts';
import { csvField, type Panel } from './panel.ts';
import { MODEL_KINDS, type ModelKind, scoreRows, type TrainedModel } from './train.ts';

export function fmt(v: number, digits = 6): string {
  return Number.isNaN(v) ? 'NA' : String(Number(v.toPrecision(digits)));
}

export function round4(v: number): number | null {
  return Number.isFinite(v) ? Number(v.toFixed(4)) : null;
}

export type RankBy = ModelKind | 'ensemble';

/** forecasts.csv of a backtest (unit, time, risk, rank, outcome, each model's risk), ranked by `rankBy`. */
export function backtestForecastsCsv(result: BacktestResult, models: ModelKind[], rankBy: RankBy): string {
  const risks = result.forecasts.map((f) =>
    rankBy === 'ensemble' ? f.risk : (f.perModel[rankBy] as number),
  );
  const ranks = ranksByGroup(
    risks,
    result.forecasts.map((f) => f.time),
    result.forecasts.map((f) => f.unit),
  );
  const header = [
    'unit',
    'time',
    'risk',
    'rank',
    'outcome',
    ...models.map((k) => `risk_${k.replace('-', '_')}`),
  ];
  const lines = [header.join(',')];
  const order = result.forecasts
    .map((_, i) => i)
    .sort(
      (a, b) =>
        (result.forecasts[a]?.time as number) - (result.forecasts[b]?.time as number) ||
        (ranks[a] as number) - (ranks[b] as number),
    );
  for (const i of order) {
    const f = result.forecasts[i] as BacktestResult['forecasts'][number];
    lines.push(
      [
        csvField(f.unit),
        String(f.time),
        fmt(risks[i] as number),
        String(ranks[i]),
        fmt(f.outcome),
        ...models.map((k) => fmt(f.perModel[k] as number)),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface MetricsSummary {
  model: RankBy;
  auc: number | null;
  recallTop10: number | null;
  recallTop20: number | null;
  recallTop30: number | null;
  precisionTop30: number | null;
  brier: number | null;
  logLoss: number | null;
  rows: number;
  positives: number;
  years: number;
  skippedYears: { time: number; reason: string }[];
  byModel: Record<string, Record<string, number | null>>;
}

/** The metrics `vigil risk backtest` prints (and the web page shows), for the ranking model `rankBy`. */
export function backtestSummary(result: BacktestResult, models: ModelKind[], rankBy: RankBy): MetricsSummary {
  const m =
    rankBy === 'ensemble' ? result.metrics.ensemble : (result.metrics[rankBy] ?? result.metrics.ensemble);
  return {
    model: rankBy,
    auc: round4(m.auc),
    recallTop10: round4(m.recallTop10),
    recallTop20: round4(m.recallTop20),
    recallTop30: round4(m.recallTop30),
    precisionTop30: round4(m.precisionTop30),
    brier: round4(m.brier),
    logLoss: round4(m.logLoss),
    rows: m.rows,
    positives: m.positives,
    years: result.years.length,
    skippedYears: result.skipped,
    byModel: Object.fromEntries(
      (['ensemble', ...models] as const).map((k) => {
        const mm = result.metrics[k] ?? result.metrics.ensemble;
        return [
          k,
          {
            auc: round4(mm.auc),
            recallTop10: round4(mm.recallTop10),
            recallTop20: round4(mm.recallTop20),
            recallTop30: round4(mm.recallTop30),
            precisionTop30: round4(mm.precisionTop30),
            brier: round4(mm.brier),
          },
        ];
      }),
    ),
  };
}

export function perYear(result: BacktestResult) {
  return result.years.map((y) => ({
    time: y.time,
    trainRows: y.trainRows,
    trainPositives: y.trainPositives,
    folds: y.folds,
    lambda: y.lambda ?? null,
    rounds: y.rounds ?? null,
  }));
}

/**
 * The ROC curve of the backtest's pooled forecasts (rows with a known outcome): [false positive rate, true
 * positive rate] at every distinct risk, from (0, 0) to (1, 1), thinned to at most `maxPoints` points.
 */
export function rocCurve(
  risk: ArrayLike<number>,
  outcome: ArrayLike<number>,
  maxPoints = 200,
): [number, number][] {
  const idx: number[] = [];
  for (let i = 0; i < outcome.length; i++) if (!Number.isNaN(outcome[i] as number)) idx.push(i);
  idx.sort((a, b) => (risk[b] as number) - (risk[a] as number));
  let pos = 0;
  for (const i of idx) if (outcome[i] === 1) pos++;
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return [];
  const points: [number, number][] = [[0, 0]];
  let tp = 0;
  let fp = 0;
  let k = 0;
  while (k < idx.length) {
    const s = risk[idx[k] as number] as number;
    // Rows with the same risk move the curve together (a diagonal step), as the AUC counts ties as one half.
    while (k < idx.length && risk[idx[k] as number] === s) {
      if (outcome[idx[k] as number] === 1) tp++;
      else fp++;
      k++;
    }
    points.push([fp / neg, tp / pos]);
  }
  if (points.length <= maxPoints) return points.map(([x, y]) => [round6(x), round6(y)]);
  // Keep every point where the curve rises (so no positive is hidden) and thin the flat runs evenly.
  const keep = new Set<number>([0, points.length - 1]);
  for (let i = 1; i < points.length; i++)
    if ((points[i] as number[])[1] !== (points[i - 1] as number[])[1]) {
      keep.add(i - 1);
      keep.add(i);
    }
  const step = Math.max(1, Math.ceil(points.length / maxPoints));
  for (let i = 0; i < points.length; i += step) keep.add(i);
  return [...keep]
    .sort((a, b) => a - b)
    .map((i) => {
      const [x, y] = points[i] as [number, number];
      return [round6(x), round6(y)];
    });
}

function round6(v: number): number {
  return Number(v.toFixed(6));
}

/** Share of all positive rows ranked within the top k of their year, for k = 1 … maxK. */
export function recallAtK(ranks: ArrayLike<number>, outcome: ArrayLike<number>, maxK: number): number[] {
  let pos = 0;
  const atRank = new Array<number>(maxK + 1).fill(0);
  for (let i = 0; i < outcome.length; i++) {
    if (outcome[i] !== 1) continue;
    pos++;
    const r = ranks[i] as number;
    if (r <= maxK) atRank[r] = (atRank[r] as number) + 1;
  }
  const out: number[] = [];
  let cum = 0;
  for (let k = 1; k <= maxK; k++) {
    cum += atRank[k] as number;
    out.push(pos === 0 ? 0 : round6(cum / pos));
  }
  return out;
}

/** ROC and recall at k of a backtest, by the ensemble's (or one model's) risk. */
export function backtestCurves(result: BacktestResult, rankBy: RankBy, maxK = 50) {
  const risk = result.forecasts.map((f) => (rankBy === 'ensemble' ? f.risk : (f.perModel[rankBy] as number)));
  const outcome = result.forecasts.map((f) => f.outcome);
  const ranks = ranksByGroup(
    risk,
    result.forecasts.map((f) => f.time),
    result.forecasts.map((f) => f.unit),
  );
  return { roc: rocCurve(risk, outcome), recallAtK: recallAtK(ranks, outcome, maxK) };
}

export interface RankedUnit {
  unit: string;
  rank: number;
  risk: number;
  perModel: Partial<Record<ModelKind, number>>;
  /** The unattributed part of the log-odds (an average unit). */
  baseline: number;
  /** Every predictor's contribution to the log-odds of the risk, largest in size first. */
  contributions: { predictor: string; contribution: number }[];
}

/** The last year whose rows the panel holds. */
export function lastYear(panel: Panel): number {
  let at = Number.NEGATIVE_INFINITY;
  for (const t of panel.times) at = Math.max(at, t);
  return at;
}

/** Rows `vigil risk train` trains on: known outcome, usable, time <= through. */
export function trainRowsThrough(panel: Panel, prep: Prepared, through: number): Int32Array {
  const rows: number[] = [];
  for (let r = 0; r < panel.y.length; r++) {
    if (!Number.isNaN(panel.y[r] as number) && prep.usable[r] && (panel.times[r] as number) <= through)
      rows.push(r);
  }
  if (rows.length === 0) throw new PanelError('panel', 'no rows with a known outcome to train on');
  return Int32Array.from(rows);
}

/** Ranks the units of year `at` by the model's risk, each with every predictor's contribution. */
export function forecastRanking(
  model: TrainedModel,
  panel: Panel,
  at: number,
  prep: Prepared = prepare(panel, model.policy),
): RankedUnit[] {
  const rows: number[] = [];
  for (let r = 0; r < panel.times.length; r++) if (panel.times[r] === at && prep.usable[r]) rows.push(r);
  if (rows.length === 0) throw new PanelError('at', `the panel has no usable rows in ${at}`);
  const scored = scoreRows(model, prep, Int32Array.from(rows), true);
  const units = rows.map((r) => panel.units[r] as string);
  const ranks = ranksByGroup(scored.risk, new Int32Array(rows.length).fill(at), units);
  const contrib = scored.contributions as NonNullable<typeof scored.contributions>;
  return rows
    .map((_, i) => {
      const c = contrib.byPredictor[i] as Float64Array;
      const perModel: Partial<Record<ModelKind, number>> = {};
      for (const m of MODEL_KINDS) {
        const p = scored.perModel[m];
        if (p) perModel[m] = p[i] as number;
      }
      return {
        unit: units[i] as string,
        rank: ranks[i] as number,
        risk: scored.risk[i] as number,
        perModel,
        baseline: contrib.baseline[i] as number,
        contributions: model.predictors
          .map((name, j) => ({ predictor: name, contribution: c[j] as number }))
          .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)),
      };
    })
    .sort((a, b) => a.rank - b.rank);
}

/** The ranking as CSV: unit, time, risk, rank, each model's risk, baseline, one column per contribution. */
export function rankingCsv(model: TrainedModel, ranking: RankedUnit[], at: number): string {
  const kinds = MODEL_KINDS.filter((m) => ranking.some((u) => u.perModel[m] !== undefined));
  const header = [
    'unit',
    'time',
    'risk',
    'rank',
    ...kinds.map((m) => `risk_${m.replace('-', '_')}`),
    'baseline',
    ...model.predictors.map((p) => `contrib_${p}`),
  ];
  const lines = [header.map(csvField).join(',')];
  for (const u of ranking) {
    const byName = new Map(u.contributions.map((c) => [c.predictor, c.contribution]));
    lines.push(
      [
        csvField(u.unit),
        String(at),
        fmt(u.risk),
        String(u.rank),
        ...kinds.map((m) => fmt(u.perModel[m] as number)),
        fmt(u.baseline),
        ...model.predictors.map((p) => fmt(byName.get(p) as number, 4)),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
