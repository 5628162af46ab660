// TypeBox schemas of the model in the product: uploaded panels, run options and runs with their results.
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Uuid } from '../../lib/schema.ts';

const Column = Type.String({ minLength: 1, maxLength: 200 });
const Year = Type.Integer({ minimum: 1000, maximum: 3000 });

export const PanelInfo = Type.Object({
  id: Type.String(),
  fileName: Type.String(),
  bytes: Type.Integer(),
  sha256: Type.String(),
  columns: Type.Array(Type.String()),
  rows: Type.Integer(),
  createdBy: Type.String(),
  createdAt: Type.String(),
});
export type PanelInfo = Static<typeof PanelInfo>;

export const RunCreate = Type.Object(
  {
    panelId: Uuid,
    unit: Column,
    time: Column,
    outcome: Column,
    exclude: Type.Optional(Type.Array(Column, { maxItems: 1000, uniqueItems: true })),
    horizon: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 2 })),
    folds: Type.Optional(Type.Integer({ minimum: 2, maximum: 10, default: 5 })),
    missing: Type.Optional(
      Type.Union([Type.Literal('impute'), Type.Literal('exclude')], { default: 'impute' }),
    ),
    models: Type.Optional(
      Type.Array(Type.Union([Type.Literal('elastic-net'), Type.Literal('boosting')]), {
        minItems: 1,
        maxItems: 2,
        uniqueItems: true,
      }),
    ),
    rounds: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, default: 1 })),
    backtest: Type.Optional(Nullable(Type.Object({ from: Year, to: Year }, { additionalProperties: false }))),
    forecast: Type.Optional(
      Nullable(
        Type.Object(
          { at: Type.Optional(Nullable(Year)) },
          { additionalProperties: false, description: 'at: the year to forecast (default: the last one)' },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type RunCreate = Static<typeof RunCreate>;

const Metrics = Type.Object({
  auc: Nullable(Type.Number()),
  recallTop10: Nullable(Type.Number()),
  recallTop20: Nullable(Type.Number()),
  recallTop30: Nullable(Type.Number()),
  precisionTop30: Nullable(Type.Number()),
  brier: Nullable(Type.Number()),
});

export const RunResult = Type.Object({
  rows: Type.Integer(),
  predictors: Type.Integer(),
  positives: Type.Integer(),
  backtest: Nullable(
    Type.Object({
      metrics: Type.Composite([
        Metrics,
        Type.Object({
          model: Type.String(),
          logLoss: Nullable(Type.Number()),
          rows: Type.Integer(),
          positives: Type.Integer(),
          years: Type.Integer(),
          skippedYears: Type.Array(Type.Object({ time: Type.Integer(), reason: Type.String() })),
          byModel: Type.Record(Type.String(), Metrics),
        }),
      ]),
      perYear: Type.Array(
        Type.Object({
          time: Type.Integer(),
          trainRows: Type.Integer(),
          trainPositives: Type.Integer(),
          folds: Type.Integer(),
          lambda: Nullable(Type.Number()),
          rounds: Nullable(Type.Integer()),
        }),
      ),
      roc: Type.Array(Type.Tuple([Type.Number(), Type.Number()]), {
        description: '[false positive rate, true positive rate] from (0, 0) to (1, 1)',
      }),
      recallAtK: Type.Array(Type.Number(), {
        description: 'recallAtK[k - 1]: share of positive rows ranked in the top k of their year',
      }),
    }),
  ),
  forecast: Nullable(
    Type.Object({
      at: Type.Integer(),
      trainedThrough: Type.Integer(),
      trainRows: Type.Integer(),
      trainPositives: Type.Integer(),
      units: Type.Integer(),
      ranking: Type.Array(
        Type.Object({
          unit: Type.String(),
          rank: Type.Integer(),
          risk: Type.Number(),
          perModel: Type.Object({
            'elastic-net': Type.Optional(Type.Number()),
            boosting: Type.Optional(Type.Number()),
          }),
          baseline: Type.Number(),
          contributions: Type.Array(Type.Object({ predictor: Type.String(), contribution: Type.Number() }), {
            description: 'the largest contributions (log-odds), largest in size first; ranking.csv has all',
          }),
        }),
      ),
    }),
  ),
});

export const RunStatus = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
]);

export const RunHead = Type.Object({
  id: Type.String(),
  panel: Type.Object({ id: Type.String(), fileName: Type.String() }),
  status: RunStatus,
  options: Type.Object({
    unit: Type.String(),
    time: Type.String(),
    outcome: Type.String(),
    exclude: Type.Array(Type.String()),
    horizon: Type.Integer(),
    folds: Type.Integer(),
    missing: Type.String(),
    models: Type.Array(Type.String()),
    rounds: Type.Integer(),
    seed: Type.Integer(),
    backtest: Nullable(Type.Object({ from: Type.Integer(), to: Type.Integer() })),
    forecast: Nullable(Type.Object({ at: Nullable(Type.Integer()) })),
  }),
  progress: Type.Object({
    phase: Type.Optional(Type.String()),
    done: Type.Optional(Type.Integer()),
    total: Type.Optional(Type.Integer()),
    message: Type.Optional(Type.String()),
  }),
  error: Nullable(Type.String()),
  errorField: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
});
export type RunHead = Static<typeof RunHead>;

export const Run = Type.Composite([RunHead, Type.Object({ result: Nullable(RunResult) })]);
export type Run = Static<typeof Run>;
