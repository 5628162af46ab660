// Platt scaling: p = sigmoid(a * s + b) on a model's log-odds s, fitted by Newton's method on held-out
// (out-of-fold) predictions only, with Platt's smoothed targets ((N+ + 1) / (N+ + 2) and 1 / (N- + 2))
// so that a handful of rare positives cannot push the calibrated risks to 0 or 1.
import { sigmoid } from './enet.ts';

export interface Platt {
  a: number;
  b: number;
}

export const IDENTITY_PLATT: Platt = { a: 1, b: 0 };

export function fitPlatt(scores: ArrayLike<number>, y: ArrayLike<number>): Platt {
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) pos++;
    else if (y[i] === 0) neg++;
  }
  if (pos === 0 || neg === 0) return IDENTITY_PLATT;
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  let a = 1;
  let b = 0;
  let prev = objective(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let g1 = 0;
    let g2 = 0;
    let h11 = 1e-9;
    let h12 = 0;
    let h22 = 1e-9;
    for (let i = 0; i < y.length; i++) {
      const yi = y[i] as number;
      if (Number.isNaN(yi)) continue;
      const s = scores[i] as number;
      const t = yi === 1 ? hi : lo;
      const p = sigmoid(a * s + b);
      const d = p - t;
      const w = p * (1 - p);
      g1 += d * s;
      g2 += d;
      h11 += w * s * s;
      h12 += w * s;
      h22 += w;
    }
    const det = h11 * h22 - h12 * h12;
    if (!(det > 0)) break;
    let da = (h22 * g1 - h12 * g2) / det;
    let db = (h11 * g2 - h12 * g1) / det;
    // Backtracking line search keeps every step a descent step.
    let step = 1;
    let next = objective(a - da, b - db);
    while (next > prev && step > 1e-6) {
      step /= 2;
      next = objective(a - da * step, b - db * step);
    }
    da *= step;
    db *= step;
    a -= da;
    b -= db;
    const done = Math.abs(prev - next) < 1e-12 * Math.max(1, Math.abs(prev));
    prev = next;
    if (done) break;
  }
  return { a, b };

  function objective(aa: number, bb: number): number {
    let f = 0;
    for (let i = 0; i < y.length; i++) {
      const yi = y[i] as number;
      if (Number.isNaN(yi)) continue;
      const t = yi === 1 ? hi : lo;
      const z = aa * (scores[i] as number) + bb;
      // log(1 + e^z) - t z, computed stably
      f += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t * z;
    }
    return f;
  }
}

export function applyPlatt(platt: Platt, score: number): number {
  return platt.a * score + platt.b;
}
