// One model run of the web app (a backtest and/or a forecast over an uploaded panel), as a plain function
// that job-worker.mjs runs in a worker thread, off the server's request thread. Same models, options and
// outputs as `vigil risk backtest` and `vigil risk forecast`.
import { runBacktest } from './backtest.ts';
import { DEFAULT_BOOST } from './boost.ts';
import { type MissingPolicy, prepare } from './design.ts';
import { DEFAULT_ENET } from './enet.ts';
import { PanelError } from './errors.ts';
import {
  backtestCurves,
  backtestForecastsCsv,
  backtestSummary,
  forecastRanking,
  lastYear,
  type MetricsSummary,
  perYear,
  type RankedUnit,
  rankingCsv,
  trainRowsThrough,
} from './outputs.ts';
import { parsePanel } from './panel.ts';
import { workerRunner } from './parallel.ts';
import { DEFAULT_TRAIN, type ModelKind, type TrainOptions, trainModels } from './train.ts';

export interface ModelJobOptions {
  unit: string;
  time: string;
  outcome: string;
  /** Columns that are not predictors (ids, names, other outcomes). */
  exclude: string[];
  horizon: number;
  folds: number;
  missing: MissingPolicy;
  models: ModelKind[];
  rounds: number;
  seed: number;
  /** Backtest these forecast years; null: no backtest. */
  backtest: { from: number; to: number } | null;
  /** Forecast this year (null: the panel's last year); the whole key null: no forecast. */
  forecast: { at: number | null } | null;
}

export interface JobProgress {
  phase: 'reading' | 'backtest' | 'forecast' | 'done';
  done: number;
  total: number;
  message: string;
}

/** How many contributions per unit the stored ranking keeps (the CSV keeps all). */
export const KEPT_CONTRIBUTIONS = 8;

export interface ModelJobResult {
  rows: number;
  predictors: number;
  positives: number;
  backtest: {
    metrics: MetricsSummary;
    perYear: ReturnType<typeof perYear>;
    roc: [number, number][];
    recallAtK: number[];
  } | null;
  forecast: {
    at: number;
    trainedThrough: number;
    trainRows: number;
    trainPositives: number;
    units: number;
    ranking: RankedUnit[];
  } | null;
  forecastsCsv: string | null;
  rankingCsv: string | null;
}

export function trainOptionsOf(o: ModelJobOptions): TrainOptions {
  return {
    ...DEFAULT_TRAIN,
    horizon: o.horizon,
    folds: o.folds,
    policy: o.missing,
    models: o.models,
    enet: DEFAULT_ENET,
    boost: { ...DEFAULT_BOOST, maxRounds: o.rounds },
    seed: o.seed,
  };
}

export async function runModelJob(
  csv: string,
  o: ModelJobOptions,
  workers: number,
  onProgress: (p: JobProgress) => void,
): Promise<ModelJobResult> {
  if (!o.backtest && !o.forecast) throw new PanelError('backtest', 'ask for a backtest, a forecast or both');
  const years = o.backtest ? o.backtest.to - o.backtest.from + 1 : 0;
  const total = 1 + years + (o.forecast ? 1 : 0);
  let done = 0;
  const step = (phase: JobProgress['phase'], message: string, advance = 1) => {
    done += advance;
    onProgress({ phase, done, total, message });
  };
  onProgress({ phase: 'reading', done: 0, total, message: 'reading the panel' });
  const panel = parsePanel(
    csv,
    { unit: o.unit, time: o.time, outcome: o.outcome, exclude: o.exclude },
    'the panel',
  );
  let positives = 0;
  for (const v of panel.y) if (v === 1) positives++;
  step(
    'reading',
    `read ${panel.y.length} rows, ${panel.predictors.length} predictors, ${positives} positive outcomes`,
  );
  const opts = trainOptionsOf(o);
  const result: ModelJobResult = {
    rows: panel.y.length,
    predictors: panel.predictors.length,
    positives,
    backtest: null,
    forecast: null,
    forecastsCsv: null,
    rankingCsv: null,
  };
  if (o.backtest) {
    const { from, to } = o.backtest;
    const bt = await runBacktest(
      panel,
      {
        ...opts,
        from,
        to,
        onProgress: (m) => step('backtest', m),
      },
      workerRunner(Math.max(1, Math.min(workers, years))),
    );
    result.backtest = {
      metrics: backtestSummary(bt, opts.models, 'ensemble'),
      perYear: perYear(bt),
      ...backtestCurves(bt, 'ensemble'),
    };
    result.forecastsCsv = backtestForecastsCsv(bt, opts.models, 'ensemble');
  }
  if (o.forecast) {
    const at = o.forecast.at ?? lastYear(panel);
    // As `vigil risk train`: only rows whose whole outcome window was known by the forecast year.
    const through = Math.min(lastYear(panel), at) - o.horizon;
    const prep = prepare(panel, opts.policy);
    const rows = trainRowsThrough(panel, prep, through);
    onProgress({
      phase: 'forecast',
      done,
      total,
      message: `training on ${rows.length} rows up to ${through}`,
    });
    const model = trainModels(panel, prep, rows, opts);
    const ranking = forecastRanking(model, panel, at, prep);
    result.rankingCsv = rankingCsv(model, ranking, at);
    result.forecast = {
      at,
      trainedThrough: model.trainedThrough,
      trainRows: model.rows,
      trainPositives: model.positives,
      units: ranking.length,
      ranking: ranking.map((u) => ({ ...u, contributions: u.contributions.slice(0, KEPT_CONTRIBUTIONS) })),
    };
    step('forecast', `ranked ${ranking.length} units of ${at}`);
  }
  onProgress({ phase: 'done', done: total, total, message: 'done' });
  return result;
}
