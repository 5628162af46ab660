// The estimators on simulated data: the elastic net recovers known coefficients and zeroes noise, the
// boosted trees find a non-linear signal, Platt scaling repairs a miscalibrated score, non-convergence
// is reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binColumn, DEFAULT_BOOST, fitBoost, fitCuts } from './boost.ts';
import { applyPlatt, fitPlatt } from './calibrate.ts';
import { DEFAULT_ENET, fitEnetPath, lambdaMax, lambdaPath, sigmoid } from './enet.ts';
import { auc, brier } from './metrics.ts';
import { createRng } from './rng.ts';

function simulate(n: number, beta: number[], intercept: number, seed: number) {
  const rng = createRng(seed);
  const X = beta.map(() => new Float64Array(n));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let eta = intercept;
    beta.forEach((b, j) => {
      const v = rng.normal();
      (X[j] as Float64Array)[i] = v;
      eta += b * v;
    });
    y[i] = rng.next() < sigmoid(eta) ? 1 : 0;
  }
  return { X, y };
}

describe('elastic-net logistic regression', () => {
  it('recovers known coefficients at a small penalty and zeroes noise predictors at a moderate one', () => {
    const truth = [1.5, -1, 0.5, 0, 0, 0];
    const { X, y } = simulate(4000, truth, -1, 7);
    const opts = { ...DEFAULT_ENET, alpha: 0.5, nLambda: 40, lambdaMinRatio: 1e-4 };
    const fits = fitEnetPath(X, y, lambdaPath(lambdaMax(X, y, opts.alpha), opts), opts);
    const last = fits[fits.length - 1];
    assert.ok(last?.converged);
    truth.forEach((b, j) => {
      assert.ok(Math.abs((last.beta[j] as number) - b) < 0.15, `beta ${j}: ${last.beta[j]} vs ${b}`);
    });
    assert.ok(Math.abs(last.intercept + 1) < 0.15, `intercept ${last.intercept}`);
    // Somewhere on the path the three true predictors are in and the three noise ones exactly out.
    assert.ok(
      fits.some((f) => [0, 1, 2].every((j) => f.beta[j] !== 0) && [3, 4, 5].every((j) => f.beta[j] === 0)),
    );
    // The path starts with every coefficient at zero.
    assert.ok(Array.from(fits[0]?.beta ?? []).every((b) => Math.abs(b) < 1e-9));
  });

  it('reports non-convergence when allowed too few Newton iterations', () => {
    const { X, y } = simulate(500, [1, -1], -1, 3);
    const opts = { ...DEFAULT_ENET, maxIter: 1 };
    const fits = fitEnetPath(X, y, lambdaPath(lambdaMax(X, y, opts.alpha), opts), opts);
    assert.ok(fits.some((f) => !f.converged));
  });
});

describe('gradient boosting', () => {
  it('finds an interaction and a threshold that a linear score cannot, well above chance', () => {
    const rng = createRng(11);
    const n = 4000;
    const cols = [0, 1, 2, 3].map(() => new Float64Array(n));
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (const c of cols) c[i] = rng.normal();
      const a = cols[0]?.[i] as number;
      const b = cols[1]?.[i] as number;
      const c = cols[2]?.[i] as number;
      if (i % 7 === 0) (cols[3] as Float64Array)[i] = Number.NaN; // some missing values, their own bin
      const eta = -2.5 + (a > 0 && b > 0 ? 2 : 0) + (Math.abs(c) > 1.5 ? 1.5 : 0);
      y[i] = rng.next() < sigmoid(eta) ? 1 : 0;
    }
    const train = Int32Array.from({ length: 3000 }, (_, i) => i);
    const valid = Int32Array.from({ length: 1000 }, (_, i) => 3000 + i);
    const cuts = fitCuts(cols, train, 32);
    const bins = cols.map((c, j) => binColumn(c, cuts[j] as number[]));
    const fit = fitBoost(
      { bins, nBins: cuts.map((c) => c.length + 1), y, train, valid },
      { ...DEFAULT_BOOST, maxRounds: 150 },
      createRng(1),
    );
    const scores = fit.validScores?.[fit.validScores.length - 1] as Float64Array;
    const yv = y.subarray(3000);
    const a = auc(scores, yv);
    assert.ok(a > 0.72, `boosting AUC ${a}`);
    // A linear score of the same predictors is close to chance on |c| (symmetric), and weaker overall.
    const linear = Float64Array.from(valid, (r) => (cols[0]?.[r] as number) + (cols[1]?.[r] as number));
    assert.ok(a > auc(linear, yv), 'boosting beats the linear score');
  });
});

describe('Platt calibration', () => {
  it('lowers the Brier score of an overconfident, shifted score on held-out rows', () => {
    const rng = createRng(5);
    const n = 6000;
    const score = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const z = -4 + rng.normal(); // rare outcome, about 3%
      y[i] = rng.next() < sigmoid(z) ? 1 : 0;
      score[i] = 2.5 * z + 6; // far too confident and far too high
    }
    const half = n / 2;
    const platt = fitPlatt(score.subarray(0, half), y.subarray(0, half));
    const raw = Float64Array.from(score.subarray(half), sigmoid);
    const calibrated = Float64Array.from(score.subarray(half), (s) => sigmoid(applyPlatt(platt, s)));
    const before = brier(raw, y.subarray(half));
    const after = brier(calibrated, y.subarray(half));
    assert.ok(after < before * 0.7, `Brier ${before} → ${after}`);
    assert.ok(Math.abs(platt.a - 0.4) < 0.1, `slope ${platt.a}`);
  });
});
