// Time-respecting cross-validation (forward chaining). The training years are cut into `folds`
// consecutive blocks holding roughly equal numbers of positives. Each block after the first is a
// validation block; its model is trained only on rows at least `horizon` years before the block starts
// (time <= start - horizon), exactly as a real forecast for the block's first year would be. So no
// validation score ever uses an outcome that was unknown at the time it forecasts.
import { PanelError } from './errors.ts';

export interface TimeFold {
  /** First and last year of the validation block. */
  from: number;
  to: number;
  train: Int32Array;
  valid: Int32Array;
}

export function countPositives(y: ArrayLike<number>, rows: ArrayLike<number>): number {
  let pos = 0;
  for (let i = 0; i < rows.length; i++) if (y[rows[i] as number] === 1) pos++;
  return pos;
}

/** Builds the folds over `rows` (all with a known outcome). Throws PanelError when it cannot. */
export function timeFolds(
  times: ArrayLike<number>,
  y: ArrayLike<number>,
  rows: ArrayLike<number>,
  folds: number,
  horizon: number,
): TimeFold[] {
  const positives = countPositives(y, rows);
  if (positives < folds) {
    throw new PanelError(
      'folds',
      `the training rows hold ${positives} positive outcome${positives === 1 ? '' : 's'}, fewer than the ${folds} ` +
        'time folds of cross-validation (each fold needs at least one); use fewer --folds or more data',
    );
  }
  const posByYear = new Map<number, number>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    const t = times[r] as number;
    posByYear.set(t, (posByYear.get(t) ?? 0) + (y[r] === 1 ? 1 : 0));
  }
  const years = [...posByYear.keys()].sort((a, b) => a - b);
  // Block b ends at the first year where the cumulative positives reach (b + 1) / folds of the total.
  const starts: number[] = [];
  let cum = 0;
  let block = 0;
  let blockStart: number | null = null;
  for (const t of years) {
    if (blockStart === null) blockStart = t;
    cum += posByYear.get(t) ?? 0;
    if (block < folds - 1 && cum >= ((block + 1) * positives) / folds) {
      starts.push(blockStart);
      blockStart = null;
      block++;
    }
  }
  if (blockStart !== null) starts.push(blockStart);
  const result: TimeFold[] = [];
  for (let b = 1; b < starts.length; b++) {
    const from = starts[b] as number;
    const to = b + 1 < starts.length ? (starts[b + 1] as number) - 1 : Number.POSITIVE_INFINITY;
    const train: number[] = [];
    const valid: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as number;
      const t = times[r] as number;
      if (t <= from - horizon) train.push(r);
      else if (t >= from && t <= to) valid.push(r);
    }
    if (countPositives(y, train) === 0 || countPositives(y, valid) === 0) continue;
    result.push({
      from,
      to: Number.isFinite(to) ? to : (years[years.length - 1] as number),
      train: Int32Array.from(train),
      valid: Int32Array.from(valid),
    });
  }
  if (result.length === 0) {
    throw new PanelError(
      'folds',
      `cannot form time folds: the ${positives} positive outcomes are too concentrated in time for ` +
        `${folds} folds with a ${horizon}-year gap; use fewer --folds`,
    );
  }
  return result;
}
