// Elastic-net logistic regression by cyclical coordinate descent inside iteratively reweighted least
// squares (the glmnet algorithm: Friedman, Hastie & Tibshirani 2010), on standardised columns, along a
// decreasing lambda path with warm starts and an active set. Minimises
//   -(1/n) log-likelihood + lambda * (alpha * |beta|_1 + (1 - alpha) / 2 * |beta|_2^2)
// (the intercept is not penalised).

export interface EnetOptions {
  /** Mix of L1 (1) and L2 (0). */
  alpha: number;
  nLambda: number;
  lambdaMinRatio: number;
  /** Reweighting (Newton) iterations per lambda before giving up. */
  maxIter: number;
  tol: number;
}

export const DEFAULT_ENET: EnetOptions = {
  alpha: 0.5,
  nLambda: 25,
  lambdaMinRatio: 0.01,
  maxIter: 50,
  tol: 1e-7,
};

export interface EnetFit {
  lambda: number;
  intercept: number;
  beta: Float64Array;
  converged: boolean;
  iterations: number;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function logit(p: number): number {
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  return Math.log(q / (1 - q));
}

/** The smallest lambda at which every coefficient is zero. */
export function lambdaMax(X: Float64Array[], y: Float64Array, alpha: number): number {
  const n = y.length;
  let ybar = 0;
  for (let i = 0; i < n; i++) ybar += y[i] as number;
  ybar /= n;
  let max = 0;
  for (const col of X) {
    let g = 0;
    for (let i = 0; i < n; i++) g += (col[i] as number) * ((y[i] as number) - ybar);
    max = Math.max(max, Math.abs(g) / n);
  }
  return max / Math.max(alpha, 1e-3);
}

export function lambdaPath(max: number, opts: EnetOptions): number[] {
  const out: number[] = [];
  const k = Math.max(2, opts.nLambda);
  for (let i = 0; i < k; i++) out.push(max * opts.lambdaMinRatio ** (i / (k - 1)));
  return out;
}

/**
 * Fits the whole path (decreasing lambdas) with warm starts. Only the predictors passing the sequential
 * strong rule (Tibshirani et al. 2012) are updated; the others are checked against the optimality (KKT)
 * conditions afterwards and brought in if they violate them. Returns one fit per lambda; once the model
 * saturates (deviance explained above 99.9%) the remaining lambdas repeat the last fit, as glmnet does.
 */
export function fitEnetPath(
  X: Float64Array[],
  y: Float64Array,
  lambdas: readonly number[],
  opts: EnetOptions,
): EnetFit[] {
  const n = y.length;
  const p = X.length;
  const { alpha, maxIter, tol } = opts;
  let ybar = 0;
  for (let i = 0; i < n; i++) ybar += y[i] as number;
  ybar /= n;
  const b0Start = logitSafe(ybar);
  const nullDev = deviance(y, new Float64Array(n).fill(b0Start));
  const st: State = {
    n,
    X,
    y,
    beta: new Float64Array(p),
    b0: b0Start,
    eta: new Float64Array(n).fill(b0Start),
    w: new Float64Array(n),
    r: new Float64Array(n),
    xwx: new Float64Array(p),
    sumW: 0,
  };
  const grad = new Float64Array(p);
  gradient(st, grad);
  const inSet = new Uint8Array(p);
  const fits: EnetFit[] = [];
  let saturated = false;
  let prevLambda = lambdas[0] ?? 0;
  for (const lambda of lambdas) {
    if (saturated) {
      const last = fits[fits.length - 1] as EnetFit;
      fits.push({ ...last, lambda, beta: new Float64Array(last.beta) });
      continue;
    }
    const l1 = lambda * alpha;
    const l2 = lambda * (1 - alpha);
    // Strong set: the active predictors and those whose gradient is close to the threshold.
    const cut = alpha * (2 * lambda - prevLambda);
    for (let j = 0; j < p; j++) inSet[j] = st.beta[j] !== 0 || Math.abs(grad[j] as number) >= cut ? 1 : 0;
    prevLambda = lambda;
    let converged = false;
    let iterations = 0;
    for (;;) {
      const set: number[] = [];
      for (let j = 0; j < p; j++) if (inSet[j]) set.push(j);
      const result = irls(st, set, l1, l2, maxIter - iterations, tol);
      iterations += result.iterations;
      converged = result.converged;
      gradient(st, grad);
      let violations = 0;
      for (let j = 0; j < p; j++) {
        if (!inSet[j] && Math.abs(grad[j] as number) > l1 * (1 + 1e-9)) {
          inSet[j] = 1;
          violations++;
        }
      }
      if (violations === 0 || !converged) break;
    }
    fits.push({ lambda, intercept: st.b0, beta: new Float64Array(st.beta), converged, iterations });
    const dev = deviance(y, st.eta);
    if (nullDev > 0 && 1 - dev / nullDev > 0.999) saturated = true;
  }
  return fits;
}

interface State {
  n: number;
  X: Float64Array[];
  y: Float64Array;
  beta: Float64Array;
  b0: number;
  eta: Float64Array;
  w: Float64Array;
  r: Float64Array;
  xwx: Float64Array;
  sumW: number;
}

/** (1/n) X'(y - mu) at the current fit. */
function gradient(st: State, out: Float64Array): void {
  const { n, X, y, eta } = st;
  const resid = st.r;
  for (let i = 0; i < n; i++) resid[i] = (y[i] as number) - sigmoid(eta[i] as number);
  for (let j = 0; j < X.length; j++) {
    const col = X[j] as Float64Array;
    let g = 0;
    for (let i = 0; i < n; i++) g += (col[i] as number) * (resid[i] as number);
    out[j] = g / n;
  }
}

/** Newton (reweighting) iterations with coordinate descent over the predictors in `set`. */
function irls(
  st: State,
  set: number[],
  l1: number,
  l2: number,
  maxIter: number,
  tol: number,
): { converged: boolean; iterations: number } {
  const { n, X, y, beta, eta, w, r, xwx } = st;
  const active: number[] = [];
  for (let iter = 1; iter <= maxIter; iter++) {
    let sumW = 0;
    for (let i = 0; i < n; i++) {
      const mu = sigmoid(eta[i] as number);
      const wi = Math.max(mu * (1 - mu), 1e-5);
      w[i] = wi / n;
      r[i] = ((y[i] as number) - mu) / wi;
      sumW += wi / n;
    }
    st.sumW = sumW;
    for (const j of set) {
      const col = X[j] as Float64Array;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const x = col[i] as number;
        s += (w[i] as number) * x * x;
      }
      xwx[j] = s;
    }
    let maxChangeOuter = 0;
    for (let sweeps = 0; sweeps < 1000; ) {
      let maxChange = updateIntercept(st);
      for (const j of set) maxChange = Math.max(maxChange, updateCoordinate(st, j, l1, l2));
      sweeps++;
      maxChangeOuter = Math.max(maxChangeOuter, maxChange);
      if (maxChange < tol) break;
      active.length = 0;
      for (const j of set) if (beta[j] !== 0) active.push(j);
      while (sweeps < 1000) {
        let m = updateIntercept(st);
        for (const j of active) m = Math.max(m, updateCoordinate(st, j, l1, l2));
        sweeps++;
        if (m < tol) break;
      }
    }
    eta.fill(st.b0);
    for (let j = 0; j < X.length; j++) {
      const b = beta[j] as number;
      if (b === 0) continue;
      const col = X[j] as Float64Array;
      for (let i = 0; i < n; i++) eta[i] = (eta[i] as number) + b * (col[i] as number);
    }
    if (maxChangeOuter < tol) return { converged: true, iterations: iter };
  }
  return { converged: false, iterations: maxIter };
}

function updateIntercept(st: State): number {
  const { n, w, r } = st;
  let s = 0;
  for (let i = 0; i < n; i++) s += (w[i] as number) * (r[i] as number);
  const d = s / st.sumW;
  if (d === 0) return 0;
  st.b0 += d;
  for (let i = 0; i < n; i++) r[i] = (r[i] as number) - d;
  return st.sumW * d * d;
}

function updateCoordinate(st: State, j: number, l1: number, l2: number): number {
  const { n, w, r, beta } = st;
  const col = st.X[j] as Float64Array;
  const old = beta[j] as number;
  const a = st.xwx[j] as number;
  let g = 0;
  for (let i = 0; i < n; i++) g += (w[i] as number) * (col[i] as number) * (r[i] as number);
  const next = softThreshold(g + a * old, l1) / (a + l2);
  if (next === old) return 0;
  const d = next - old;
  beta[j] = next;
  for (let i = 0; i < n; i++) r[i] = (r[i] as number) - d * (col[i] as number);
  return a * d * d;
}

function softThreshold(z: number, g: number): number {
  if (z > g) return z - g;
  if (z < -g) return z + g;
  return 0;
}

function logitSafe(p: number): number {
  return logit(Math.min(1 - 1e-6, Math.max(1e-6, p)));
}

export function deviance(y: Float64Array, eta: Float64Array): number {
  let d = 0;
  for (let i = 0; i < y.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, sigmoid(eta[i] as number)));
    d -= 2 * ((y[i] as number) * Math.log(p) + (1 - (y[i] as number)) * Math.log(1 - p));
  }
  return d;
}

/** Linear predictor (log-odds) of a fit for standardised columns. */
export function enetLinear(
  fit: { intercept: number; beta: ArrayLike<number> },
  X: Float64Array[],
): Float64Array {
  const n = X[0]?.length ?? 0;
  const eta = new Float64Array(n).fill(fit.intercept);
  for (let j = 0; j < X.length; j++) {
    const b = fit.beta[j] as number;
    if (b === 0) continue;
    const col = X[j] as Float64Array;
    for (let i = 0; i < n; i++) eta[i] = (eta[i] as number) + b * (col[i] as number);
  }
  return eta;
}
