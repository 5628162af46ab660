// Forecast metrics: AUC (pooled over every scored row), recall in the top k of each year's ranking,
// precision in the top k, Brier score and log-loss. Rows with an unknown outcome (NaN) are not scored.

/** Area under the ROC curve (Mann–Whitney, ties count one half). NaN without both classes. */
export function auc(scores: ArrayLike<number>, outcomes: ArrayLike<number>): number {
  const idx: number[] = [];
  for (let i = 0; i < outcomes.length; i++) if (!Number.isNaN(outcomes[i] as number)) idx.push(i);
  idx.sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let pos = 0;
  let rankSum = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    const s = scores[idx[i] as number] as number;
    while (j + 1 < idx.length && scores[idx[j + 1] as number] === s) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (outcomes[idx[k] as number] === 1) {
        pos++;
        rankSum += avgRank;
      }
    }
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function brier(probs: ArrayLike<number>, outcomes: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < outcomes.length; i++) {
    const y = outcomes[i] as number;
    if (Number.isNaN(y)) continue;
    const d = (probs[i] as number) - y;
    s += d * d;
    n++;
  }
  return n ? s / n : Number.NaN;
}

export function logLoss(probs: ArrayLike<number>, outcomes: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < outcomes.length; i++) {
    const y = outcomes[i] as number;
    if (Number.isNaN(y)) continue;
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probs[i] as number));
    s -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
    n++;
  }
  return n ? s / n : Number.NaN;
}

/**
 * Ranks within each group (forecast year): 1 = highest risk; ties broken by the tie-break key (unit)
 * so that ranks are deterministic.
 */
export function ranksByGroup(
  scores: ArrayLike<number>,
  groups: ArrayLike<number>,
  tieBreak: readonly string[],
): Int32Array {
  const byGroup = new Map<number, number[]>();
  for (let i = 0; i < scores.length; i++) {
    const g = groups[i] as number;
    const list = byGroup.get(g);
    if (list) list.push(i);
    else byGroup.set(g, [i]);
  }
  const ranks = new Int32Array(scores.length);
  for (const list of byGroup.values()) {
    list.sort(
      (a, b) =>
        (scores[b] as number) - (scores[a] as number) ||
        ((tieBreak[a] as string) < (tieBreak[b] as string) ? -1 : 1),
    );
    list.forEach((row, r) => {
      ranks[row] = r + 1;
    });
  }
  return ranks;
}

/** Share of all positives (over every year) that were ranked in the top k of their year. */
export function recallAtK(ranks: ArrayLike<number>, outcomes: ArrayLike<number>, k: number): number {
  let pos = 0;
  let hit = 0;
  for (let i = 0; i < outcomes.length; i++) {
    if (outcomes[i] !== 1) continue;
    pos++;
    if ((ranks[i] as number) <= k) hit++;
  }
  return pos ? hit / pos : Number.NaN;
}

/** Share of the top-k slots (over every year, rows with a known outcome) that held a positive. */
export function precisionAtK(ranks: ArrayLike<number>, outcomes: ArrayLike<number>, k: number): number {
  let slots = 0;
  let hit = 0;
  for (let i = 0; i < outcomes.length; i++) {
    const y = outcomes[i] as number;
    if (Number.isNaN(y) || (ranks[i] as number) > k) continue;
    slots++;
    if (y === 1) hit++;
  }
  return slots ? hit / slots : Number.NaN;
}

export interface Metrics {
  rows: number;
  positives: number;
  auc: number;
  recallTop10: number;
  recallTop20: number;
  recallTop30: number;
  precisionTop30: number;
  brier: number;
  logLoss: number;
}

export function allMetrics(
  probs: ArrayLike<number>,
  outcomes: ArrayLike<number>,
  ranks: ArrayLike<number>,
): Metrics {
  let rows = 0;
  let positives = 0;
  for (let i = 0; i < outcomes.length; i++) {
    const y = outcomes[i] as number;
    if (Number.isNaN(y)) continue;
    rows++;
    if (y === 1) positives++;
  }
  return {
    rows,
    positives,
    auc: auc(probs, outcomes),
    recallTop10: recallAtK(ranks, outcomes, 10),
    recallTop20: recallAtK(ranks, outcomes, 20),
    recallTop30: recallAtK(ranks, outcomes, 30),
    precisionTop30: precisionAtK(ranks, outcomes, 30),
    brier: brier(probs, outcomes),
    logLoss: logLoss(probs, outcomes),
  };
}
