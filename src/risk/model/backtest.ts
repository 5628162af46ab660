// The honest backtest: for every forecast year t, train only on rows whose outcomes were known at t
// (time <= t - horizon), then score the rows of year t. Nothing later than t - horizon reaches the
// training (outcomes) and nothing later than t reaches the scoring (predictors, carried forward only).
import { type Prepared, prepare } from './design.ts';
import { ConvergenceError, PanelError } from './errors.ts';
import { countPositives } from './folds.ts';
import { allMetrics, type Metrics, ranksByGroup } from './metrics.ts';
import type { Panel } from './panel.ts';
import { type ModelKind, scoreRows, type TrainOptions, trainModels } from './train.ts';

export interface BacktestOptions extends TrainOptions {
  from: number;
  to: number;
  onProgress?: (message: string) => void;
}

export interface YearForecast {
  time: number;
  /** Rows of the panel scored this year. */
  rows: Int32Array;
  risk: Float64Array;
  perModel: Partial<Record<ModelKind, Float64Array>>;
  trainRows: number;
  trainPositives: number;
  folds: number;
  lambda?: number;
  rounds?: number;
}

export interface BacktestResult {
  years: YearForecast[];
  skipped: { time: number; reason: string }[];
  /** All forecasts, in year then rank order. */
  forecasts: {
    unit: string;
    time: number;
    risk: number;
    rank: number;
    outcome: number;
    perModel: Partial<Record<ModelKind, number>>;
  }[];
  metrics: { ensemble: Metrics } & Partial<Record<ModelKind, Metrics>>;
}

/** Rows trained on for a forecast of year t: known outcome, usable, time <= t - horizon. */
export function trainingRows(panel: Panel, prep: Prepared, t: number, horizon: number): Int32Array {
  const out: number[] = [];
  for (let r = 0; r < panel.times.length; r++) {
    if ((panel.times[r] as number) <= t - horizon && !Number.isNaN(panel.y[r] as number) && prep.usable[r])
      out.push(r);
  }
  return Int32Array.from(out);
}

export function yearRows(panel: Panel, prep: Prepared, t: number): Int32Array {
  const out: number[] = [];
  for (let r = 0; r < panel.times.length; r++) if (panel.times[r] === t && prep.usable[r]) out.push(r);
  return Int32Array.from(out);
}

/**
 * The forecast for one year, trained only on what was known then. Throws PanelError when the training
 * rows hold fewer than two positives (no model can be cross-validated).
 */
export function forecastYear(panel: Panel, prep: Prepared, t: number, opts: TrainOptions): YearForecast {
  const train = trainingRows(panel, prep, t, opts.horizon);
  const positives = countPositives(panel.y, train);
  if (positives < 2) {
    throw new PanelError(
      'from',
      `year ${t}: the rows up to ${t - opts.horizon} hold ${positives} positive outcomes; at least 2 are needed`,
    );
  }
  // Early years may hold fewer positives than folds: use as many folds as there are positives.
  const folds = Math.min(opts.folds, positives);
  const model = trainModels(panel, prep, train, { ...opts, folds });
  const rows = yearRows(panel, prep, t);
  const scored = scoreRows(model, prep, rows);
  return {
    time: t,
    rows,
    risk: scored.risk,
    perModel: scored.perModel,
    trainRows: train.length,
    trainPositives: positives,
    folds: model.elasticNet?.cv.folds ?? model.boosting?.cv.folds ?? folds,
    ...(model.elasticNet ? { lambda: model.elasticNet.lambda } : {}),
    ...(model.boosting ? { rounds: model.boosting.rounds } : {}),
  };
}

export type YearOutcome = { ok: true; year: YearForecast } | { ok: false; time: number; reason: string };

/** One year of the backtest; a year without enough positives to train on is skipped, not an error. */
export function backtestYear(panel: Panel, prep: Prepared, t: number, opts: TrainOptions): YearOutcome {
  if (yearRows(panel, prep, t).length === 0)
    return { ok: false, time: t, reason: 'no rows to forecast in this year' };
  try {
    return { ok: true, year: forecastYear(panel, prep, t, opts) };
  } catch (err) {
    if (err instanceof PanelError && err.message.includes(`year ${t}:`)) {
      return { ok: false, time: t, reason: err.message.replace(/^from: /, '') };
    }
    if (err instanceof ConvergenceError) throw new ConvergenceError(`forecast year ${t}: ${err.detail}`);
    throw err;
  }
}

/** Runs the years of a backtest, in worker threads when `workers` > 1 (see parallel.ts). */
export type YearRunner = (
  panel: Panel,
  years: number[],
  opts: TrainOptions,
  onDone: (o: YearOutcome) => void,
) => Promise<void>;

export const inProcess: YearRunner = async (panel, years, opts, onDone) => {
  const prep = prepare(panel, opts.policy);
  for (const t of years) onDone(backtestYear(panel, prep, t, opts));
};

export async function runBacktest(
  panel: Panel,
  opts: BacktestOptions,
  runner: YearRunner = inProcess,
): Promise<BacktestResult> {
  if (!Number.isInteger(opts.from) || !Number.isInteger(opts.to) || opts.from > opts.to) {
    throw new PanelError(
      'from',
      `--from ${opts.from} and --to ${opts.to} must be whole years with from <= to`,
    );
  }
  const total = countPositives(
    panel.y,
    Int32Array.from({ length: panel.y.length }, (_, i) => i),
  );
  if (total < opts.folds) {
    throw new PanelError(
      'folds',
      `the outcome column '${panel.outcomeColumn}' holds ${total} positive outcome${total === 1 ? '' : 's'}, ` +
        `fewer than the ${opts.folds} time folds of cross-validation; use fewer --folds or more data`,
    );
  }
  const wanted: number[] = [];
  for (let t = opts.from; t <= opts.to; t++) wanted.push(t);
  const outcomes = new Map<number, YearOutcome>();
  const { onProgress, ...trainOpts } = opts;
  await runner(panel, wanted, trainOpts, (o) => {
    const t = o.ok ? o.year.time : o.time;
    outcomes.set(t, o);
    if (!o.ok) onProgress?.(`year ${t}: skipped (${o.reason})`);
    else {
      const y = o.year;
      onProgress?.(
        `year ${t} (${outcomes.size}/${wanted.length} done): trained on ${y.trainRows} rows (${y.trainPositives} positives, ` +
          `${y.folds} CV folds${y.lambda !== undefined ? `, lambda ${y.lambda.toPrecision(3)}` : ''}` +
          `${y.rounds !== undefined ? `, ${y.rounds} rounds` : ''}), scored ${y.rows.length} rows`,
      );
    }
  });
  const years: YearForecast[] = [];
  const skipped: BacktestResult['skipped'] = [];
  for (const t of wanted) {
    const o = outcomes.get(t);
    if (!o) throw new Error(`year ${t} was not run`);
    if (o.ok) years.push(o.year);
    else skipped.push({ time: t, reason: o.reason });
  }
  if (years.length === 0) {
    throw new PanelError(
      'from',
      `no year between ${opts.from} and ${opts.to} could be forecast: ${skipped.map((s) => `${s.time}: ${s.reason}`).join('; ')}`,
    );
  }
  const allRows = concatRows(years.map((y) => y.rows));
  const risk = concatF(years.map((y) => y.risk));
  const time = Int32Array.from(allRows, (r) => panel.times[r] as number);
  const outcome = Float64Array.from(allRows, (r) => panel.y[r] as number);
  const units = Array.from(allRows, (r) => panel.units[r] as string);
  const ranks = ranksByGroup(risk, time, units);
  const metrics: BacktestResult['metrics'] = { ensemble: allMetrics(risk, outcome, ranks) };
  const perModel: Partial<Record<ModelKind, Float64Array>> = {};
  for (const kind of opts.models) {
    const r = concatF(years.map((y) => y.perModel[kind] as Float64Array));
    perModel[kind] = r;
    metrics[kind] = allMetrics(r, outcome, ranksByGroup(r, time, units));
  }
  const forecasts: BacktestResult['forecasts'] = [];
  for (let i = 0; i < allRows.length; i++) {
    const pm: Partial<Record<ModelKind, number>> = {};
    for (const kind of opts.models) pm[kind] = (perModel[kind] as Float64Array)[i] as number;
    forecasts.push({
      unit: units[i] as string,
      time: time[i] as number,
      risk: risk[i] as number,
      rank: ranks[i] as number,
      outcome: outcome[i] as number,
      perModel: pm,
    });
  }
  forecasts.sort((a, b) => a.time - b.time || a.rank - b.rank);
  return { years, skipped, forecasts, metrics };
}

function concatRows(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function concatF(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
