// Missing values and the design matrix. Policy (docs/risk-model.md):
//   impute (default): a unit's last observed value is carried forward from EARLIER years only (never
//     backward, so nothing from the future), what is still missing gets the median of the training rows,
//     and every predictor that was missing in at least 2% of the training rows gets a 0/1 missing-indicator column
//     (`name__missing`, 1 where the original value was missing this year). Medians, means and scales are
//     fitted on the training rows only.
//   exclude: rows with any missing predictor are neither trained on nor forecast.
import type { Panel } from './panel.ts';

export type MissingPolicy = 'impute' | 'exclude';
export const MISSING_POLICIES: readonly MissingPolicy[] = ['impute', 'exclude'];

/** The predictor columns as the models see them, after the missing-value policy. */
export interface Prepared {
  policy: MissingPolicy;
  /** Values after carrying forward (impute) or as read (exclude); NaN where still missing. */
  filled: Float64Array[];
  /** 1 where the original value was missing. */
  missing: Uint8Array[];
  /** Rows the policy allows (exclude: complete rows only). */
  usable: Uint8Array;
}

export function prepare(panel: Panel, policy: MissingPolicy): Prepared {
  const n = panel.times.length;
  const missing = panel.x.map((col) => {
    const m = new Uint8Array(n);
    for (let r = 0; r < n; r++) if (Number.isNaN(col[r] as number)) m[r] = 1;
    return m;
  });
  const usable = new Uint8Array(n).fill(1);
  if (policy === 'exclude') {
    for (const m of missing) for (let r = 0; r < n; r++) if (m[r]) usable[r] = 0;
    return { policy, filled: panel.x, missing, usable };
  }
  // Rows in unit, time order; carry the last observed value of the same unit forward.
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) =>
      ((panel.units[a] as string) < (panel.units[b] as string)
        ? -1
        : (panel.units[a] as string) > (panel.units[b] as string)
          ? 1
          : 0) || (panel.times[a] as number) - (panel.times[b] as number),
  );
  const filled = panel.x.map((col) => {
    const out = new Float64Array(col);
    let lastUnit = '';
    let last = Number.NaN;
    for (const r of order) {
      const unit = panel.units[r] as string;
      if (unit !== lastUnit) {
        lastUnit = unit;
        last = Number.NaN;
      }
      const v = col[r] as number;
      if (Number.isNaN(v)) out[r] = last;
      else last = v;
    }
    return out;
  });
  return { policy, filled, missing, usable };
}

/**
 * A missing-indicator column is added when the predictor was missing in at least this share of the
 * training rows (and at least MIN_MISSING_ROWS rows): rarer gaps are filled (carried forward, else the
 * median) without an indicator, which would only add noise.
 */
export const MIN_MISSING_SHARE = 0.02;
export const MIN_MISSING_ROWS = 10;

export interface DesignColumn {
  name: string;
  /** Index of the panel predictor this column comes from. */
  predictor: number;
  kind: 'value' | 'missing';
  /** Median of the training rows, for values still missing after carrying forward. */
  fill: number;
  mean: number;
  scale: number;
}

export interface LinearDesign {
  columns: DesignColumn[];
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  return values.length % 2 ? (values[m] as number) : ((values[m - 1] as number) + (values[m] as number)) / 2;
}

/** Fits fills, means and scales on the training rows. Constant and never-observed columns are left out. */
export function fitLinearDesign(
  prep: Prepared,
  predictors: string[],
  train: ArrayLike<number>,
): LinearDesign {
  const columns: DesignColumn[] = [];
  const n = train.length;
  for (let j = 0; j < predictors.length; j++) {
    const col = prep.filled[j] as Float64Array;
    const miss = prep.missing[j] as Uint8Array;
    const observed: number[] = [];
    let missCount = 0;
    for (let i = 0; i < n; i++) {
      const r = train[i] as number;
      const v = col[r] as number;
      if (!Number.isNaN(v)) observed.push(v);
      if (miss[r]) missCount++;
    }
    if (observed.length === 0) continue;
    const fill = median(observed);
    let s = 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = col[train[i] as number] as number;
      const x = Number.isNaN(v) ? fill : v;
      s += x;
      ss += x * x;
    }
    const mean = s / n;
    const sd = Math.sqrt(Math.max(0, ss / n - mean * mean));
    const name = predictors[j] as string;
    if (sd > 1e-12 * Math.max(1, Math.abs(mean))) {
      columns.push({ name, predictor: j, kind: 'value', fill, mean, scale: sd });
    }
    if (missCount >= Math.max(MIN_MISSING_ROWS, MIN_MISSING_SHARE * n) && missCount < n) {
      const q = missCount / n;
      columns.push({
        name: `${name}__missing`,
        predictor: j,
        kind: 'missing',
        fill: 0,
        mean: q,
        scale: Math.sqrt(q * (1 - q)),
      });
    }
  }
  return { columns };
}

/** Standardised design columns for the given rows (column-major, one Float64Array per column). */
export function buildMatrix(design: LinearDesign, prep: Prepared, rows: ArrayLike<number>): Float64Array[] {
  const n = rows.length;
  return design.columns.map((c) => {
    const out = new Float64Array(n);
    if (c.kind === 'value') {
      const col = prep.filled[c.predictor] as Float64Array;
      for (let i = 0; i < n; i++) {
        const v = col[rows[i] as number] as number;
        out[i] = ((Number.isNaN(v) ? c.fill : v) - c.mean) / c.scale;
      }
    } else {
      const miss = prep.missing[c.predictor] as Uint8Array;
      for (let i = 0; i < n; i++) out[i] = ((miss[rows[i] as number] as number) - c.mean) / c.scale;
    }
    return out;
  });
}
