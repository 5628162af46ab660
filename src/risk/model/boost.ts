// Gradient-boosted decision trees for a binary outcome (log-loss), histogram based: each predictor is cut
// into at most `maxBins` quantile bins fitted on the training rows, with bin 0 for missing values (each
// split learns which side missing values go to, so trees need no imputation). Second-order (Newton)
// leaf values with an L2 penalty, shrinkage, row subsampling, depth-limited trees, histogram subtraction.
import type { Rng } from './rng.ts';

export interface BoostOptions {
  maxDepth: number;
  learningRate: number;
  maxRounds: number;
  subsample: number;
  /** L2 penalty on leaf values. */
  l2: number;
  /** Fewest (subsampled) rows in a leaf. */
  minLeaf: number;
  /** Smallest hessian sum in a leaf. */
  minHessian: number;
  maxBins: number;
}

export const DEFAULT_BOOST: BoostOptions = {
  maxDepth: 2,
  learningRate: 0.05,
  maxRounds: 200,
  subsample: 0.5,
  l2: 2,
  minLeaf: 20,
  minHessian: 0.5,
  maxBins: 32,
};

/** A tree in flat arrays; feature -1 marks a leaf. Nodes go left when bin <= threshold (bin 0 = missing). */
export interface Tree {
  feature: number[];
  threshold: number[];
  missingLeft: boolean[];
  left: number[];
  right: number[];
  /** Value of every node (internal ones too, for contributions), already multiplied by the learning rate. */
  value: number[];
}

export interface BoostModel {
  /** Upper bin edges per predictor: bin(v) = 1 + number of edges < v; 0 when missing. */
  cuts: number[][];
  base: number;
  trees: Tree[];
}

/** Quantile bin edges for each column over the training rows. */
export function fitCuts(columns: Float64Array[], rows: ArrayLike<number>, maxBins: number): number[][] {
  return columns.map((col) => {
    const buffer = new Float64Array(rows.length);
    let m = 0;
    for (let i = 0; i < rows.length; i++) {
      const v = col[rows[i] as number] as number;
      if (!Number.isNaN(v)) buffer[m++] = v;
    }
    const values = buffer.subarray(0, m).sort();
    const distinct: number[] = [];
    for (const v of values)
      if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
    if (distinct.length <= 1) return [];
    if (distinct.length <= maxBins) {
      const cuts: number[] = [];
      for (let i = 0; i + 1 < distinct.length; i++)
        cuts.push(((distinct[i] as number) + (distinct[i + 1] as number)) / 2);
      return cuts;
    }
    const cuts: number[] = [];
    for (let k = 1; k < maxBins; k++) {
      const v = values[Math.floor((k * values.length) / maxBins)] as number;
      // v itself closes bin k (values <= v go below); skip duplicates and the maximum.
      if (
        (cuts.length === 0 || v > (cuts[cuts.length - 1] as number)) &&
        v < (distinct[distinct.length - 1] as number)
      )
        cuts.push(v);
    }
    return cuts;
  });
}

export function binColumn(col: Float64Array, cuts: number[]): Uint8Array {
  const out = new Uint8Array(col.length);
  for (let i = 0; i < col.length; i++) out[i] = binValue(col[i] as number, cuts);
  return out;
}

export function binValue(v: number, cuts: number[]): number {
  if (Number.isNaN(v)) return 0;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cuts[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

export interface BoostFitInput {
  /** Binned predictors over the whole panel (bins from fitCuts on the training rows). */
  bins: Uint8Array[];
  nBins: number[];
  y: ArrayLike<number>;
  train: Int32Array;
  /** Optional rows to score after every round (for choosing the number of rounds). */
  valid?: Int32Array;
}

export interface BoostFitResult {
  base: number;
  trees: Tree[];
  /** Log-odds of the validation rows after each round (rounds × valid), when valid rows were given. */
  validScores?: Float64Array[];
}

export function fitBoost(
  input: BoostFitInput,
  opts: BoostOptions,
  rng: Rng,
  rounds = opts.maxRounds,
): BoostFitResult {
  const { bins, nBins, y, train } = input;
  const n = train.length;
  const p = bins.length;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[train[i] as number] as number;
  const mean = Math.min(1 - 1e-6, Math.max(1e-6, pos / n));
  const base = Math.log(mean / (1 - mean));
  // Local copies of the training rows' bins, row-indexed 0..n-1, for cache-friendly histograms.
  const local = bins.map((b) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = b[train[i] as number] as number;
    return out;
  });
  const yl = new Float64Array(n);
  for (let i = 0; i < n; i++) yl[i] = y[train[i] as number] as number;
  const F = new Float64Array(n).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const sampleSize = Math.max(1, Math.min(n, Math.round(n * opts.subsample)));
  const width = Math.max(...nBins, 1) + 1;
  const trees: Tree[] = [];
  const valid = input.valid;
  const validBins = valid
    ? bins.map((b) => {
        const out = new Uint8Array(valid.length);
        for (let i = 0; i < valid.length; i++) out[i] = b[valid[i] as number] as number;
        return out;
      })
    : null;
  const FV = valid ? new Float64Array(valid.length).fill(base) : null;
  const validScores: Float64Array[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < n; i++) {
      const mu = 1 / (1 + Math.exp(-(F[i] as number)));
      g[i] = mu - (yl[i] as number);
      h[i] = Math.max(mu * (1 - mu), 1e-12);
    }
    // Subsample without replacement (partial Fisher–Yates); sorted for sequential memory access.
    for (let i = 0; i < sampleSize; i++) {
      const j = i + rng.int(n - i);
      const t = perm[i] as number;
      perm[i] = perm[j] as number;
      perm[j] = t;
    }
    const sample = perm.slice(0, sampleSize).sort();
    const tree = growTree(local, nBins, width, p, g, h, sample, opts);
    trees.push(tree);
    for (let i = 0; i < n; i++) F[i] = (F[i] as number) + leafValue(tree, local, i);
    if (validBins && FV) {
      for (let i = 0; i < FV.length; i++) FV[i] = (FV[i] as number) + leafValue(tree, validBins, i);
      validScores.push(new Float64Array(FV));
    }
  }
  return valid ? { base, trees, validScores } : { base, trees };
}

function leafValue(tree: Tree, bins: Uint8Array[], i: number): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node] as number;
    if (f < 0) return tree.value[node] as number;
    const b = (bins[f] as Uint8Array)[i] as number;
    const goLeft = b === 0 ? tree.missingLeft[node] : b <= (tree.threshold[node] as number);
    node = (goLeft ? tree.left[node] : tree.right[node]) as number;
  }
}

/** Per predictor and bin, interleaved: gradient sum, hessian sum, row count. */
type Hist = Float64Array;

function buildHist(
  local: Uint8Array[],
  width: number,
  g: Float64Array,
  h: Float64Array,
  rows: Int32Array,
): Hist {
  const p = local.length;
  const hist = new Float64Array(p * width * 3);
  for (let f = 0; f < p; f++) {
    const col = local[f] as Uint8Array;
    const off = f * width;
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k] as number;
      const b = (off + (col[i] as number)) * 3;
      hist[b] = (hist[b] as number) + (g[i] as number);
      hist[b + 1] = (hist[b + 1] as number) + (h[i] as number);
      hist[b + 2] = (hist[b + 2] as number) + 1;
    }
  }
  return hist;
}

function subtract(parent: Hist, child: Hist): Hist {
  const out = new Float64Array(parent);
  for (let k = 0; k < out.length; k++) out[k] = (out[k] as number) - (child[k] as number);
  return out;
}

function growTree(
  local: Uint8Array[],
  nBins: number[],
  width: number,
  p: number,
  g: Float64Array,
  h: Float64Array,
  sample: Int32Array,
  opts: BoostOptions,
): Tree {
  const tree: Tree = { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [] };
  const { l2, learningRate, minLeaf, minHessian, maxDepth } = opts;
  const score = (G: number, H: number): number => (G * G) / (H + l2);
  const addNode = (G: number, H: number): number => {
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.missingLeft.push(false);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push((-G / (H + l2)) * learningRate);
    return tree.feature.length - 1;
  };
  const grow = (node: number, rows: Int32Array, hist: Hist, G: number, H: number, depth: number): void => {
    if (depth >= maxDepth || rows.length < 2 * minLeaf) return;
    const parentScore = score(G, H);
    let bestGain = 1e-12;
    let bestF = -1;
    let bestT = 0;
    let bestMissLeft = false;
    const total = rows.length;
    for (let f = 0; f < p; f++) {
      const nb = nBins[f] as number;
      if (nb < 2) continue;
      const off = f * width * 3;
      const g0 = hist[off] as number;
      const h0 = hist[off + 1] as number;
      const c0 = hist[off + 2] as number;
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let t = 1; t < nb; t++) {
        const o = off + 3 * t;
        gl += hist[o] as number;
        hl += hist[o + 1] as number;
        cl += hist[o + 2] as number;
        // Missing values to the right.
        if (cl >= minLeaf && total - cl >= minLeaf && hl >= minHessian && H - hl >= minHessian) {
          const gr = G - gl;
          const gain = (gl * gl) / (hl + l2) + (gr * gr) / (H - hl + l2) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            bestF = f;
            bestT = t;
            bestMissLeft = false;
          }
        }
        if (c0 > 0) {
          // Missing values to the left.
          const GL = gl + g0;
          const HL = hl + h0;
          const CL = cl + c0;
          if (CL >= minLeaf && total - CL >= minLeaf && HL >= minHessian && H - HL >= minHessian) {
            const gr = G - GL;
            const gain = (GL * GL) / (HL + l2) + (gr * gr) / (H - HL + l2) - parentScore;
            if (gain > bestGain) {
              bestGain = gain;
              bestF = f;
              bestT = t;
              bestMissLeft = true;
            }
          }
        }
      }
    }
    if (bestF < 0) return;
    const col = local[bestF] as Uint8Array;
    const leftRows: number[] = [];
    const rightRows: number[] = [];
    let GL = 0;
    let HL = 0;
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k] as number;
      const b = col[i] as number;
      if (b === 0 ? bestMissLeft : b <= bestT) {
        leftRows.push(i);
        GL += g[i] as number;
        HL += h[i] as number;
      } else rightRows.push(i);
    }
    const L = Int32Array.from(leftRows);
    const R = Int32Array.from(rightRows);
    const ln = addNode(GL, HL);
    const rn = addNode(G - GL, H - HL);
    tree.feature[node] = bestF;
    tree.threshold[node] = bestT;
    tree.missingLeft[node] = bestMissLeft;
    tree.left[node] = ln;
    tree.right[node] = rn;
    if (depth + 1 >= maxDepth) return;
    const smallLeft = L.length <= R.length;
    const small = buildHist(local, width, g, h, smallLeft ? L : R);
    const big = subtract(hist, small);
    grow(ln, L, smallLeft ? small : big, GL, HL, depth + 1);
    grow(rn, R, smallLeft ? big : small, G - GL, H - HL, depth + 1);
  };
  let G = 0;
  let H = 0;
  for (let k = 0; k < sample.length; k++) {
    G += g[sample[k] as number] as number;
    H += h[sample[k] as number] as number;
  }
  const root = addNode(G, H);
  grow(root, sample, buildHist(local, width, g, h, sample), G, H, 0);
  return tree;
}

/**
 * Log-odds of one row (given its binned predictors), and Saabas contributions: along each tree's path,
 * the change in node value is credited to the predictor split on. base + bias + sum(contrib) = log-odds.
 */
export function boostExplain(model: BoostModel, rowBins: ArrayLike<number>, contrib?: Float64Array): number {
  let total = model.base;
  for (const tree of model.trees) {
    let node = 0;
    for (;;) {
      const f = tree.feature[node] as number;
      if (f < 0) break;
      const b = rowBins[f] as number;
      const goLeft = b === 0 ? tree.missingLeft[node] : b <= (tree.threshold[node] as number);
      const next = (goLeft ? tree.left[node] : tree.right[node]) as number;
      if (contrib)
        contrib[f] = (contrib[f] as number) + (tree.value[next] as number) - (tree.value[node] as number);
      node = next;
    }
    total += tree.value[node] as number;
  }
  return total;
}
