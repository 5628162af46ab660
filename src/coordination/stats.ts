// Poisson tail probabilities, in log space so that very small p-values keep their magnitude.

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (LANCZOS[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Natural log of P(X >= k) for X ~ Poisson(lambda): the regularised lower incomplete gamma P(k, lambda).
 * Series when lambda < k + 1 (the interesting, small-p case), continued fraction otherwise.
 */
export function logPoissonTail(k: number, lambda: number): number {
  if (k <= 0) return 0;
  if (lambda <= 0) return Number.NEGATIVE_INFINITY;
  const logPrefix = k * Math.log(lambda) - lambda - logGamma(k);
  if (lambda < k + 1) {
    // P(k, x) = x^k e^-x / Gamma(k+1) * sum_n x^n / ((k+1)...(k+n))
    let term = 1 / k;
    let sum = term;
    for (let n = 1; n < 1000; n++) {
      term *= lambda / (k + n);
      sum += term;
      if (term < sum * 1e-15) break;
    }
    return Math.min(0, logPrefix + Math.log(sum));
  }
  // Q(k, x) by Lentz's continued fraction; P = 1 - Q.
  let b = lambda + 1 - k;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - k);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  const q = Math.exp(logPrefix) * h;
  return Math.log(Math.max(1e-300, 1 - q));
}

/** -log10 of the Poisson upper tail: the score used for edges (0 = unremarkable). */
export function surprise(observed: number, expected: number): number {
  return -logPoissonTail(observed, expected) / Math.LN10;
}
