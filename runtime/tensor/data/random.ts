// runtime/tensor/data/random.ts
// Shuffling and sampling helpers on the tensor engine's seedable Generator (runtime/tensor/random.ts),
// so torch.manualSeed(...) also fixes DataLoader shuffling and augmentation, as in PyTorch.

import { Generator, defaultGenerator } from "../random";
export { Generator } from "../random";

/** A Generator from a seed, an existing Generator, or the engine's default one. */
export function toGenerator(g?: Generator | number): Generator {
  if (g instanceof Generator) return g;
  return g === undefined ? defaultGenerator : new Generator(g);
}

/** Integer in [0, n). */
export function randint(g: Generator, n: number): number { return Math.floor(g.uniform() * n); }

/** A random permutation of 0..n-1 (Fisher-Yates).
 * Unlike torch.randperm(n, opts), it takes the generator first and returns an Int32Array, not a tensor.
 * @example const order = data.randperm(new data.Generator(0), 10); */
export function randperm(g: Generator, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = randint(g, i + 1);
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}
