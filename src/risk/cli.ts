// `vigil risk …`: the statistical risk model over a country-year panel CSV (docs/risk-model.md).
// Thin: parse and check options, call src/risk/model/, print and write the results.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Command, Option } from 'commander';
import { runBacktest } from './model/backtest.ts';
import { DEFAULT_BOOST } from './model/boost.ts';
import { MISSING_POLICIES, type MissingPolicy, prepare } from './model/design.ts';
import { DEFAULT_ENET } from './model/enet.ts';
import { PanelError } from './model/errors.ts';
import { countPositives } from './model/folds.ts';
import {
  backtestForecastsCsv,
  backtestSummary,
  forecastRanking,
  lastYear,
  perYear,
  type RankBy,
  rankingCsv,
  trainRowsThrough,
} from './model/outputs.ts';
import { type Panel, panelToCsv, readPanelFile } from './model/panel.ts';
import { defaultWorkers, workerRunner } from './model/parallel.ts';
import { DEFAULT_SYNTHETIC, generatePanel } from './model/synthetic.ts';
import {
  DEFAULT_TRAIN,
  MODEL_KINDS,
  type ModelKind,
  type TrainedModel,
  type TrainOptions,
  trainModels,
} from './model/train.ts';

class UsageError extends Error {}

function int(value: string | undefined, name: string, min = Number.NEGATIVE_INFINITY): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new UsageError(
      `--${name} must be a whole number${Number.isFinite(min) ? ` >= ${min}` : ''} (got '${value}')`,
    );
  }
  return n;
}

function num(value: string, name: string, check: (n: number) => boolean, rule: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) {
    throw new UsageError(`--${name} must be ${rule} (got '${value}')`);
  }
  return n;
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

interface PanelOpts {
  panel: string;
  unit: string;
  time: string;
  outcome: string;
  predictors?: string;
  exclude?: string;
}

interface ModelOpts {
  horizon: string;
  folds: string;
  missing: MissingPolicy;
  models: string;
  alpha: string;
  maxIter: string;
  rounds: string;
  seed: string;
  quiet?: boolean;
}

function addPanelOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--panel <file>', 'the panel CSV (one row per unit and year)')
    .requiredOption('--unit <column>', 'the unit column (e.g. country)')
    .requiredOption('--time <column>', 'the time column (whole years)')
    .requiredOption('--outcome <column>', 'the binary outcome column (0/1; NA or blank when not yet known)')
    .option('--predictors <columns>', 'comma-separated predictor columns (default: every other column)')
    .option('--exclude <columns>', 'comma-separated columns that are not predictors');
}

function addModelOptions(cmd: Command): Command {
  const t = DEFAULT_TRAIN;
  return cmd
    .option(
      '--horizon <years>',
      'years ahead the outcome looks (an outcome at t is known at t + horizon)',
      String(t.horizon),
    )
    .option(
      '--folds <n>',
      'time blocks for cross-validation (forward chaining; n - 1 validation folds)',
      String(t.folds),
    )
    .addOption(
      new Option(
        '--missing <policy>',
        'missing values: impute (carry forward, median, indicators) or exclude rows',
      )
        .choices([...MISSING_POLICIES])
        .default(t.policy),
    )
    .option('--models <list>', `models to fit: ${MODEL_KINDS.join(', ')}`, t.models.join(','))
    .option('--alpha <a>', 'elastic-net mix of L1 (1) and L2 (0)', String(DEFAULT_ENET.alpha))
    .option(
      '--max-iter <n>',
      'elastic-net Newton iterations per penalty before giving up',
      String(DEFAULT_ENET.maxIter),
    )
    .option(
      '--rounds <n>',
      'most boosting rounds (the number used is chosen by cross-validation)',
      String(DEFAULT_BOOST.maxRounds),
    )
    .option('--seed <n>', 'seed (same data, options and seed: same results)', String(t.seed))
    .option('--quiet', 'no progress on stderr (for scripts)');
}

function readPanel(o: PanelOpts): Panel {
  return readPanelFile(o.panel, {
    unit: o.unit,
    time: o.time,
    outcome: o.outcome,
    predictors: list(o.predictors),
    exclude: list(o.exclude),
  });
}

function trainOptions(o: ModelOpts): TrainOptions {
  const models = list(o.models) ?? [];
  for (const m of models) {
    if (!(MODEL_KINDS as readonly string[]).includes(m)) {
      throw new UsageError(`--models: unknown model '${m}' (known: ${MODEL_KINDS.join(', ')})`);
    }
  }
  if (models.length === 0) throw new UsageError('--models must name at least one model');
  return {
    horizon: int(o.horizon, 'horizon', 1),
    folds: int(o.folds, 'folds', 2),
    policy: o.missing,
    models: models as ModelKind[],
    enet: {
      ...DEFAULT_ENET,
      alpha: num(o.alpha, 'alpha', (n) => n > 0 && n <= 1, 'in (0, 1]'),
      maxIter: int(o.maxIter, 'max-iter', 1),
    },
    boost: { ...DEFAULT_BOOST, maxRounds: int(o.rounds, 'rounds', 1) },
    seed: int(o.seed, 'seed'),
  };
}

function usage(cmd: Command, work: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await work();
    } catch (err) {
      if (err instanceof UsageError) cmd.error(`error: ${err.message}`, { exitCode: 2, code: 'vigil.usage' });
      throw err;
    }
  };
}

export function registerRiskCommands(program: Command): void {
  const risk = program
    .command('risk')
    .description('statistical atrocity-risk model over a country-year panel (see docs/risk-model.md)');

  const gen = risk
    .command('generate-panel')
    .description('write a synthetic country-year panel with the shape of real ones (for tests and trials)')
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--units <n>', 'number of units (countries)', String(DEFAULT_SYNTHETIC.units))
    .option('--from <year>', 'first year', String(DEFAULT_SYNTHETIC.from))
    .option('--to <year>', 'last year', String(DEFAULT_SYNTHETIC.to))
    .option('--onset-rate <p>', 'target yearly onset rate per unit', String(DEFAULT_SYNTHETIC.onsetRate))
    .option('--seed <n>', 'seed', String(DEFAULT_SYNTHETIC.seed))
    .addHelpText(
      'after',
      '\nColumns: country, year, mk_onset_2y (onset in the next 2 years; NA where unknown) and 40 predictors.\n' +
        'Example: vigil risk generate-panel --out panel.csv',
    );
  gen.action(
    usage(gen, async () => {
      const o = gen.opts<{
        out: string;
        units: string;
        from: string;
        to: string;
        onsetRate: string;
        seed: string;
      }>();
      const from = int(o.from, 'from');
      const to = int(o.to, 'to', from + 2);
      const panel = generatePanel({
        units: int(o.units, 'units', 2),
        from,
        to,
        onsetRate: num(o.onsetRate, 'onset-rate', (n) => n > 0 && n < 0.5, 'in (0, 0.5)'),
        seed: int(o.seed, 'seed'),
      });
      mkdirSync(dirname(o.out), { recursive: true });
      writeFileSync(o.out, panelToCsv(panel));
      const pos = countPositives(
        panel.y,
        Int32Array.from({ length: panel.y.length }, (_, i) => i),
      );
      console.log(
        `wrote ${o.out}: ${panel.y.length} rows, ${panel.predictors.length} predictors, ${pos} positive outcomes ` +
          `(--unit ${panel.unitColumn} --time ${panel.timeColumn} --outcome ${panel.outcomeColumn})`,
      );
    }),
  );

  const train = addModelOptions(
    addPanelOptions(
      risk
        .command('train')
        .description(
          'train the models on every row with a known outcome (penalty and rounds chosen by time-respecting ' +
            'cross-validation, calibrated on held-out folds) and save them as JSON',
        ),
    ),
  )
    .requiredOption('--out <file>', 'model file to write (JSON)')
    .option(
      '--through <year>',
      'train only on rows up to this year (default: the last year minus --horizon)',
    );
  train.action(
    usage(train, async () => {
      const o = train.opts<PanelOpts & ModelOpts & { out: string; through?: string }>();
      const opts = trainOptions(o);
      const panel = readPanel(o);
      // Default: the last year whose whole outcome window lies inside the panel (a later row's outcome
      // is only known when it is positive, and training on those alone would bias the model).
      const through = o.through === undefined ? lastYear(panel) - opts.horizon : int(o.through, 'through');
      const prep = prepare(panel, opts.policy);
      const rows = trainRowsThrough(panel, prep, through);
      const log = o.quiet ? () => {} : (m: string) => console.error(m);
      log(`training on ${rows.length} rows…`);
      const model = trainModels(panel, prep, rows, opts);
      mkdirSync(dirname(o.out), { recursive: true });
      writeFileSync(o.out, `${JSON.stringify(model)}\n`);
      console.log(JSON.stringify(modelSummary(model, o.out), null, 2));
    }),
  );

  const forecast = risk
    .command('forecast')
    .description(
      "rank the units of one year by the model's calibrated risk, with each predictor's contribution",
    )
    .requiredOption('--model <file>', 'model file written by `vigil risk train`')
    .requiredOption('--panel <file>', 'panel CSV with the predictor columns the model was trained on')
    .option('--at <year>', 'year to forecast (default: the latest year in the panel)')
    .option('--top <n>', 'units to print', '30')
    .option('--contributors <n>', 'largest contributions to print per unit', '3')
    .option('--out <file>', 'also write every unit with its contributions as CSV')
    .option('--json', 'print JSON instead of a table');
  forecast.action(
    usage(forecast, async () => {
      const o = forecast.opts<{
        model: string;
        panel: string;
        at?: string;
        top: string;
        contributors: string;
        out?: string;
        json?: boolean;
      }>();
      const model = readModel(o.model);
      const panel = readPanelFile(o.panel, {
        unit: model.unitColumn,
        time: model.timeColumn,
        outcome: model.outcomeColumn,
        predictors: model.predictors,
      });
      const at = o.at === undefined ? lastYear(panel) : int(o.at, 'at');
      const ranking = forecastRanking(model, panel, at);
      const top = int(o.top, 'top', 1);
      const k = int(o.contributors, 'contributors', 0);
      const entries = ranking.map((u) => ({
        unit: u.unit,
        rank: u.rank,
        risk: u.risk,
        named: u.contributions,
      }));
      if (o.out) {
        mkdirSync(dirname(o.out), { recursive: true });
        writeFileSync(o.out, rankingCsv(model, ranking, at));
      }
      const shown = entries.slice(0, top);
      if (o.json) {
        console.log(
          JSON.stringify(
            {
              time: at,
              trainedThrough: model.trainedThrough,
              units: shown.map((e) => ({
                unit: e.unit,
                rank: e.rank,
                risk: e.risk,
                contributions: e.named.slice(0, Math.max(k, 1) === k ? k : model.predictors.length),
              })),
            },
            null,
            2,
          ),
        );
        return;
      }
      console.log(
        `Forecast for ${at} (model trained through ${model.trainedThrough}; risk = chance of the outcome):`,
      );
      for (const e of shown) {
        const why = e.named
          .slice(0, k)
          .map((c) => `${c.predictor} ${c.contribution >= 0 ? '+' : ''}${c.contribution.toFixed(2)}`)
          .join(', ');
        console.log(
          `${String(e.rank).padStart(4)}  ${e.unit.padEnd(16)} ${(e.risk * 100).toFixed(2).padStart(6)}%  ${why}`,
        );
      }
      console.log(
        'Contributions are on the log-odds scale (positive raises the risk); see docs/risk-model.md.',
      );
    }),
  );

  const backtest = addModelOptions(
    addPanelOptions(
      risk
        .command('backtest')
        .description(
          'for every year t from --from to --to, train only on rows whose outcomes were known at t ' +
            '(time <= t - horizon) and forecast year t; write forecasts.csv and print the metrics as JSON',
        ),
    ),
  )
    .requiredOption('--from <year>', 'first forecast year')
    .requiredOption('--to <year>', 'last forecast year')
    .requiredOption('--out <dir>', 'folder for forecasts.csv and metrics.json')
    .addOption(
      new Option('--rank-by <model>', 'which risk forecasts.csv ranks by')
        .choices(['ensemble', ...MODEL_KINDS])
        .default('ensemble'),
    )
    .option('--workers <n>', 'worker threads (years run in parallel)', String(defaultWorkers()))
    .addHelpText(
      'after',
      '\nExample:\n  vigil risk backtest --panel panel.csv --unit country --time year --outcome mk_onset_2y \\\n' +
        '    --horizon 2 --from 1994 --to 2024 --out results/',
    );
  backtest.action(
    usage(backtest, async () => {
      const o = backtest.opts<
        PanelOpts & ModelOpts & { from: string; to: string; out: string; rankBy: string; workers: string }
      >();
      const opts = trainOptions(o);
      const from = int(o.from, 'from');
      const to = int(o.to, 'to');
      if (to < from) throw new UsageError(`--to (${to}) must not be before --from (${from})`);
      const workers = int(o.workers, 'workers', 1);
      if (o.rankBy !== 'ensemble' && !opts.models.includes(o.rankBy as ModelKind)) {
        throw new UsageError(`--rank-by ${o.rankBy}: that model is not in --models`);
      }
      const panel = readPanel(o);
      const started = Date.now();
      const cpu = process.cpuUsage();
      const result = await runBacktest(
        panel,
        { ...opts, from, to, onProgress: o.quiet ? undefined : (m) => console.error(m) },
        workerRunner(Math.min(workers, to - from + 1)),
      );
      const kinds = opts.models;
      const key = o.rankBy as RankBy;
      mkdirSync(o.out, { recursive: true });
      writeFileSync(join(o.out, 'forecasts.csv'), backtestForecastsCsv(result, kinds, key));
      const summary = {
        ...backtestSummary(result, kinds, key),
        seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
        // CPU time of the whole process, every worker thread included.
        cpuSeconds: Number(((u) => (u.user + u.system) / 1e6)(process.cpuUsage(cpu)).toFixed(1)),
      };
      writeFileSync(
        join(o.out, 'metrics.json'),
        `${JSON.stringify({ ...summary, options: { ...opts, from, to, panel: o.panel }, perYear: perYear(result) }, null, 2)}\n`,
      );
      console.log(JSON.stringify(summary, null, 2));
    }),
  );
}

function readModel(path: string): TrainedModel {
  let model: TrainedModel;
  try {
    model = JSON.parse(readFileSync(path, 'utf8')) as TrainedModel;
  } catch (err) {
    throw new PanelError('model', `cannot read the model file ${path}: ${(err as Error).message}`);
  }
  if (model.format !== 'vigil-risk-model/1') {
    throw new PanelError('model', `${path} is not a Vigil risk model (written by \`vigil risk train\`)`);
  }
  return model;
}

function modelSummary(model: TrainedModel, out: string): Record<string, unknown> {
  const en = model.elasticNet;
  const gb = model.boosting;
  return {
    model: out,
    rows: model.rows,
    positives: model.positives,
    trainedThrough: model.trainedThrough,
    ...(en
      ? {
          elasticNet: {
            lambda: en.lambda,
            alpha: en.alpha,
            nonZero: en.beta.filter((b) => b !== 0).length,
            columns: en.design.columns.length,
            cvFolds: en.cv.folds,
            calibration: en.platt,
          },
        }
      : {}),
    ...(gb ? { boosting: { rounds: gb.rounds, cvFolds: gb.cv.folds, calibration: gb.platt } } : {}),
  };
}
