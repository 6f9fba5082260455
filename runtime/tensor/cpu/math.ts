// runtime/tensor/cpu/math.ts
// Scalar math the CPU kernels need and JS lacks: erf (to double precision, so float64 gradient
// checks of gelu/erf agree with finite differences) and round-half-to-even (torch.round).

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** erf to ~1e-15: a positive-term series below |x| = 3, Lentz's continued fraction for erfc above. */
export function erf(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax > 6) return x > 0 ? 1 : -1;
  let r: number;
  if (ax < 3) {
    // erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1*3*...*(2n+1))
    const x2 = ax * ax;
    let term = ax, sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  } else {
    r = 1 - erfcLarge(ax);
  }
  return x < 0 ? -r : r;
}

/** erfc(x) for x >= 3: e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))). */
function erfcLarge(x: number): number {
  const tiny = 1e-300;
  let f = x, c = x, d = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2;
    d = x + a * d; if (d === 0) d = tiny; d = 1 / d;
    c = x + a / c; if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (1.7724538509055159 * f);
}

export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

export const SQRT_2_OVER_PI = 0.7978845608028654;
