// runtime/tensor/data/synthetic.ts
// Toy 2-D classification sets as typed arrays (sklearn's make_moons; the classic spirals).

import { Generator, randperm } from "./random";

export interface PointArrays { x: Float32Array; y: Int32Array; n: number; features: number }

/** Two interleaving half circles (sklearn.datasets.make_moons): n points, labels 0/1. */
export function twoMoonsArrays(n: number, opts: { noise?: number; seed?: number } = {}): PointArrays {
  const g = new Generator(opts.seed ?? 0);
  const noise = opts.noise ?? 0;
  const nOut = Math.floor(n / 2), nIn = n - nOut;
  const x = new Float32Array(n * 2), y = new Int32Array(n);
  for (let i = 0; i < nOut; i++) {
    const t = nOut > 1 ? (Math.PI * i) / (nOut - 1) : 0;
    x[2 * i] = Math.cos(t); x[2 * i + 1] = Math.sin(t); y[i] = 0;
  }
  for (let i = 0; i < nIn; i++) {
    const t = nIn > 1 ? (Math.PI * i) / (nIn - 1) : 0;
    const k = nOut + i;
    x[2 * k] = 1 - Math.cos(t); x[2 * k + 1] = 0.5 - Math.sin(t); y[k] = 1;
  }
  if (noise > 0) for (let i = 0; i < 2 * n; i++) x[i] += noise * g.normal();
  return shuffled({ x, y, n, features: 2 }, g);
}

/** `classes` interleaved spiral arms (cs231n's spiral data): n points per class. */
export function spiralsArrays(n: number, opts: { classes?: number; noise?: number; turns?: number; seed?: number } = {}): PointArrays {
  const g = new Generator(opts.seed ?? 0);
  const k = opts.classes ?? 2, noise = opts.noise ?? 0.2, turns = opts.turns ?? 1;
  const total = n * k;
  const x = new Float32Array(total * 2), y = new Int32Array(total);
  for (let c = 0; c < k; c++) for (let i = 0; i < n; i++) {
    const idx = c * n + i;
    const r = n > 1 ? i / (n - 1) : 0;
    const t = (c * 2 * Math.PI) / k + r * turns * 2 * Math.PI + noise * g.normal();
    x[2 * idx] = r * Math.sin(t); x[2 * idx + 1] = r * Math.cos(t); y[idx] = c;
  }
  return shuffled({ x, y, n: total, features: 2 }, g);
}

function shuffled(p: PointArrays, g: Generator): PointArrays {
  const perm = randperm(g, p.n);
  const x = new Float32Array(p.x.length), y = new Int32Array(p.n);
  for (let i = 0; i < p.n; i++) {
    const j = perm[i];
    x[2 * i] = p.x[2 * j]; x[2 * i + 1] = p.x[2 * j + 1]; y[i] = p.y[j];
  }
  return { ...p, x, y };
}
