// Training both models on a set of rows (penalty / number of rounds chosen by time-respecting
// cross-validation, Platt calibration fitted on the out-of-fold predictions only), and scoring rows with
// each predictor's contribution.
import {
  type BoostOptions,
  binColumn,
  binValue as binValueOf,
  boostExplain,
  DEFAULT_BOOST,
  fitBoost,
  fitCuts,
  type Tree,
} from './boost.ts';
import { applyPlatt, fitPlatt, type Platt } from './calibrate.ts';
import {
  buildMatrix,
  fitLinearDesign,
  type LinearDesign,
  type MissingPolicy,
  type Prepared,
} from './design.ts';
import {
  DEFAULT_ENET,
  type EnetOptions,
  enetLinear,
  fitEnetPath,
  lambdaMax,
  lambdaPath,
  sigmoid,
} from './enet.ts';
import { ConvergenceError } from './errors.ts';
import { countPositives, timeFolds } from './folds.ts';
import type { Panel } from './panel.ts';
import { createRng, deriveSeed } from './rng.ts';

export type ModelKind = 'elastic-net' | 'boosting';
export const MODEL_KINDS: readonly ModelKind[] = ['elastic-net', 'boosting'];

export interface TrainOptions {
  horizon: number;
  folds: number;
  policy: MissingPolicy;
  models: ModelKind[];
  enet: EnetOptions;
  boost: BoostOptions;
  seed: number;
}

export const DEFAULT_TRAIN: TrainOptions = {
  horizon: 2,
  folds: 5,
  policy: 'impute',
  models: ['elastic-net', 'boosting'],
  enet: DEFAULT_ENET,
  boost: DEFAULT_BOOST,
  seed: 1,
};

export interface ElasticNetPart {
  design: LinearDesign;
  alpha: number;
  lambda: number;
  intercept: number;
  beta: number[];
  platt: Platt;
  cv: { lambdas: number[]; logLoss: number[]; folds: number };
}

export interface BoostingPart {
  cuts: number[][];
  base: number;
  trees: Tree[];
  rounds: number;
  platt: Platt;
  cv: { logLoss: number[]; folds: number };
}

export interface TrainedModel {
  format: 'vigil-risk-model/1';
  unitColumn: string;
  timeColumn: string;
  outcomeColumn: string;
  predictors: string[];
  policy: MissingPolicy;
  horizon: number;
  trainedThrough: number;
  rows: number;
  positives: number;
  elasticNet?: ElasticNetPart;
  boosting?: BoostingPart;
}

/** Trains the requested models on `rows` (each with a known outcome). */
export function trainModels(
  panel: Panel,
  prep: Prepared,
  rows: Int32Array,
  opts: TrainOptions,
): TrainedModel {
  const folds = timeFolds(panel.times, panel.y, rows, opts.folds, opts.horizon);
  let through = Number.NEGATIVE_INFINITY;
  for (const r of rows) through = Math.max(through, panel.times[r] as number);
  const model: TrainedModel = {
    format: 'vigil-risk-model/1',
    unitColumn: panel.unitColumn,
    timeColumn: panel.timeColumn,
    outcomeColumn: panel.outcomeColumn,
    predictors: panel.predictors,
    policy: opts.policy,
    horizon: opts.horizon,
    trainedThrough: through,
    rows: rows.length,
    positives: countPositives(panel.y, rows),
  };
  if (opts.models.includes('elastic-net'))
    model.elasticNet = trainElasticNet(panel, prep, rows, folds, opts.enet);
  if (opts.models.includes('boosting')) model.boosting = trainBoosting(panel, prep, rows, folds, opts);
  return model;
}

function outcomes(panel: Panel, rows: ArrayLike<number>): Float64Array {
  const y = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) y[i] = panel.y[rows[i] as number] as number;
  return y;
}

function pooledLogLoss(etas: Float64Array[], ys: Float64Array[]): number {
  let s = 0;
  let n = 0;
  for (let f = 0; f < etas.length; f++) {
    const eta = etas[f] as Float64Array;
    const y = ys[f] as Float64Array;
    for (let i = 0; i < y.length; i++) {
      const p = Math.min(1 - 1e-15, Math.max(1e-15, sigmoid(eta[i] as number)));
      s -= (y[i] as number) * Math.log(p) + (1 - (y[i] as number)) * Math.log(1 - p);
      n++;
    }
  }
  return s / n;
}

function trainElasticNet(
  panel: Panel,
  prep: Prepared,
  rows: Int32Array,
  folds: ReturnType<typeof timeFolds>,
  opts: EnetOptions,
): ElasticNetPart {
  const design = fitLinearDesign(prep, panel.predictors, rows);
  const X = buildMatrix(design, prep, rows);
  const y = outcomes(panel, rows);
  const lambdas = lambdaPath(lambdaMax(X, y, opts.alpha), opts);
  // Validation log-odds per fold and lambda.
  const foldEtas: Float64Array[][] = [];
  const foldYs: Float64Array[] = [];
  const usable = lambdas.map(() => true);
  for (const fold of folds) {
    const d = fitLinearDesign(prep, panel.predictors, fold.train);
    const fits = fitEnetPath(buildMatrix(d, prep, fold.train), outcomes(panel, fold.train), lambdas, opts);
    const Xv = buildMatrix(d, prep, fold.valid);
    foldEtas.push(fits.map((f) => enetLinear(f, Xv)));
    foldYs.push(outcomes(panel, fold.valid));
    fits.forEach((f, k) => {
      if (!f.converged) usable[k] = false;
    });
  }
  const failed = usable.filter((u) => !u).length;
  if (failed > 0) {
    throw new ConvergenceError(
      `the elastic net did not converge at ${failed} of ${lambdas.length} penalties in cross-validation ` +
        `(${opts.maxIter} Newton iterations each)`,
    );
  }
  const loss = lambdas.map((_, k) =>
    pooledLogLoss(
      foldEtas.map((e) => e[k] as Float64Array),
      foldYs,
    ),
  );
  let best = 0;
  for (let k = 1; k < loss.length; k++) if ((loss[k] as number) < (loss[best] as number)) best = k;
  const oofEta = concat(foldEtas.map((e) => e[best] as Float64Array));
  const oofY = concat(foldYs);
  const platt = fitPlatt(oofEta, oofY);
  const path = fitEnetPath(X, y, lambdas.slice(0, best + 1), opts);
  const fit = path[path.length - 1];
  if (!fit?.converged) {
    throw new ConvergenceError(
      `the elastic net did not converge at lambda ${lambdas[best]?.toPrecision(3)} within ${opts.maxIter} iterations`,
    );
  }
  return {
    design,
    alpha: opts.alpha,
    lambda: fit.lambda,
    intercept: fit.intercept,
    beta: Array.from(fit.beta),
    platt,
    cv: { lambdas, logLoss: loss, folds: folds.length },
  };
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function binAll(prep: Prepared, cuts: number[][]): { bins: Uint8Array[]; nBins: number[] } {
  return {
    bins: prep.filled.map((col, j) => binColumn(col, cuts[j] as number[])),
    nBins: cuts.map((c) => c.length + 1),
  };
}

function trainBoosting(
  panel: Panel,
  prep: Prepared,
  rows: Int32Array,
  folds: ReturnType<typeof timeFolds>,
  opts: TrainOptions,
): BoostingPart {
  const b = opts.boost;
  const rounds = b.maxRounds;
  const lossSum = new Float64Array(rounds);
  let nValid = 0;
  const foldScores: Float64Array[][] = [];
  const foldYs: Float64Array[] = [];
  folds.forEach((fold, k) => {
    const cuts = fitCuts(prep.filled, fold.train, b.maxBins);
    const { bins, nBins } = binAll(prep, cuts);
    const result = fitBoost(
      { bins, nBins, y: panel.y, train: fold.train, valid: fold.valid },
      b,
      createRng(deriveSeed(opts.seed, 1000 + k)),
    );
    const scores = result.validScores ?? [];
    const yv = outcomes(panel, fold.valid);
    scores.forEach((s, r) => {
      lossSum[r] = (lossSum[r] as number) + pooledLogLoss([s], [yv]) * yv.length;
    });
    nValid += yv.length;
    foldScores.push(scores);
    foldYs.push(yv);
  });
  let best = 0;
  for (let r = 1; r < rounds; r++) if ((lossSum[r] as number) < (lossSum[best] as number)) best = r;
  const chosen = best + 1;
  const platt = fitPlatt(concat(foldScores.map((s) => s[best] as Float64Array)), concat(foldYs));
  const cuts = fitCuts(prep.filled, rows, b.maxBins);
  const { bins, nBins } = binAll(prep, cuts);
  const fit = fitBoost(
    { bins, nBins, y: panel.y, train: rows },
    b,
    createRng(deriveSeed(opts.seed, 999)),
    chosen,
  );
  return {
    cuts,
    base: fit.base,
    trees: fit.trees,
    rounds: chosen,
    platt,
    cv: { logLoss: Array.from(lossSum, (s) => s / nValid), folds: folds.length },
  };
}

export interface Scored {
  /** Calibrated risk of the ensemble (or of the only model). */
  risk: Float64Array;
  perModel: Partial<Record<ModelKind, Float64Array>>;
  /** Per row: each predictor's contribution to the calibrated log-odds, and the unattributed baseline. */
  contributions?: { baseline: Float64Array; byPredictor: Float64Array[] };
}

/**
 * Scores rows. The ensemble averages the models' calibrated log-odds, so contributions (on that
 * log-odds scale) add up exactly: baseline + sum of contributions = logit(risk).
 */
export function scoreRows(model: TrainedModel, prep: Prepared, rows: Int32Array, explain = false): Scored {
  const n = rows.length;
  const p = model.predictors.length;
  const parts: { kind: ModelKind; logit: Float64Array }[] = [];
  const baseline = new Float64Array(n);
  const byPredictor = explain ? Array.from({ length: n }, () => new Float64Array(p)) : [];
  const en = model.elasticNet;
  if (en) {
    const X = buildMatrix(en.design, prep, rows);
    const eta = enetLinear({ intercept: en.intercept, beta: en.beta }, X);
    const logit = eta.map((e) => applyPlatt(en.platt, e));
    parts.push({ kind: 'elastic-net', logit });
    if (explain) {
      for (let i = 0; i < n; i++) {
        baseline[i] = (baseline[i] as number) + en.platt.a * en.intercept + en.platt.b;
        const c = byPredictor[i] as Float64Array;
        en.design.columns.forEach((col, k) => {
          c[col.predictor] =
            (c[col.predictor] as number) +
            en.platt.a * (en.beta[k] as number) * ((X[k] as Float64Array)[i] as number);
        });
      }
    }
  }
  const gb = model.boosting;
  if (gb) {
    const binned = prep.filled.map((col, j) => {
      const cuts = gb.cuts[j] as number[];
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = col[rows[i] as number] as number;
        out[i] = binValueOf(v, cuts);
      }
      return out;
    });
    const logit = new Float64Array(n);
    const rowBins = new Uint8Array(p);
    const contrib = new Float64Array(p);
    let bias = gb.base;
    for (const t of gb.trees) bias += t.value[0] as number;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) rowBins[j] = (binned[j] as Uint8Array)[i] as number;
      contrib.fill(0);
      const raw = boostExplain(gb, rowBins, explain ? contrib : undefined);
      logit[i] = applyPlatt(gb.platt, raw);
      if (explain) {
        baseline[i] = (baseline[i] as number) + gb.platt.a * bias + gb.platt.b;
        const c = byPredictor[i] as Float64Array;
        for (let j = 0; j < p; j++) c[j] = (c[j] as number) + gb.platt.a * (contrib[j] as number);
      }
    }
    parts.push({ kind: 'boosting', logit });
  }
  const m = parts.length;
  const risk = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const part of parts) s += part.logit[i] as number;
    risk[i] = sigmoid(s / m);
  }
  const perModel: Partial<Record<ModelKind, Float64Array>> = {};
  for (const part of parts) perModel[part.kind] = part.logit.map(sigmoid);
  if (!explain) return { risk, perModel };
  for (let i = 0; i < n; i++) {
    baseline[i] = (baseline[i] as number) / m;
    const c = byPredictor[i] as Float64Array;
    for (let j = 0; j < p; j++) c[j] = (c[j] as number) / m;
  }
  return { risk, perModel, contributions: { baseline, byPredictor } };
}
