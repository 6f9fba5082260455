// runtime/tensor/data/dataset.ts
// torch.utils.data's Dataset, TensorDataset, Subset and random_split, plus ArrayDataset: images
// or points held as typed arrays (MNIST, CIFAR10, moons) that build a whole batch in one copy.
// A data set may offer getBatch(indices), which DataLoader uses instead of getItem + collate.

import type { Tensor } from "../tensor";
import type { DeviceName } from "../backend";
import { Generator, toGenerator, randperm } from "./random";
import { fromArray, indexSelect0 } from "./tensors";
import type { Transform } from "./transforms";

export abstract class Dataset<T = unknown> {
  abstract get length(): number;
  /** The i-th sample (may return a Promise: such data sets need `for await` over the loader). */
  abstract getItem(i: number): T | Promise<T>;
  /** A whole batch at once; optional fast path used by DataLoader with the default collate. */
  getBatch?(indices: Int32Array): T;
  /** The i-th sample, negative i from the end (like Python's dataset[i]). */
  at(i: number): T | Promise<T> {
    const n = this.length;
    const j = i < 0 ? n + i : i;
    if (j < 0 || j >= n) throw new RangeError(`${this.constructor.name}: index ${i} out of range for ${n} samples`);
    return this.getItem(j);
  }
}

/** Samples are the i-th rows of each tensor (torch.utils.data.TensorDataset). */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new Error("TensorDataset: give at least one tensor");
    const n = tensors[0].shape[0];
    for (const t of tensors) if (t.shape[0] !== n)
      throw new Error(`TensorDataset: size mismatch between tensors (${tensors.map((u) => u.shape[0]).join(" vs ")} rows)`);
    this.tensors = tensors;
  }
  get length(): number { return this.tensors[0].shape[0]; }
  getItem(i: number): Tensor[] { return this.tensors.map((t) => t.select(0, i)); }
  getBatch(indices: Int32Array): Tensor[] { return this.tensors.map((t) => indexSelect0(t, indices)); }
}

/** A view of `dataset` restricted to `indices`. */
export class Subset<T> extends Dataset<T> {
  constructor(readonly dataset: Dataset<T>, readonly indices: Int32Array) {
    super();
    const inner = dataset.getBatch;
    if (inner) this.getBatch = (idx: Int32Array) => inner.call(dataset, idx.map((i) => indices[i]));
  }
  get length(): number { return this.indices.length; }
  getItem(i: number): T | Promise<T> { return this.dataset.getItem(this.indices[i]); }
}

/** Split into non-overlapping subsets of the given sizes, or fractions summing to 1. */
export function randomSplit<T>(dataset: Dataset<T>, lengths: number[], generator?: Generator | number): Subset<T>[] {
  const n = dataset.length;
  let sizes = lengths;
  const sum = lengths.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) < 1e-6 && lengths.every((l) => l >= 0 && l <= 1) && n > 1) {
    // Fractions: floor each, then hand out the remainder one by one (as torch.utils.data.random_split).
    sizes = lengths.map((f) => Math.floor(n * f));
    for (let i = 0; sizes.reduce((a, b) => a + b, 0) < n; i = (i + 1) % sizes.length) sizes[i]++;
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== n) throw new Error(`randomSplit: lengths sum to ${total}, the data set has ${n} samples`);
  const perm = randperm(toGenerator(generator), n);
  let at = 0;
  return sizes.map((s) => { const sub = new Subset(dataset, perm.slice(at, at + s)); at += s; return sub; });
}

/** Features (float32, one row of `sampleShape` per sample) and int32 labels in typed arrays. */
export class ArrayDataset extends Dataset<[Tensor, Tensor]> {
  readonly sampleSize: number;
  constructor(readonly data: Float32Array, readonly targets: Int32Array, readonly sampleShape: number[],
    readonly transform?: Transform, readonly device?: DeviceName) {
    super();
    this.sampleSize = sampleShape.reduce((a, b) => a * b, 1);
    if (data.length !== targets.length * this.sampleSize)
      throw new Error(`ArrayDataset: ${data.length} values for ${targets.length} samples of [${sampleShape.join(", ")}]`);
  }
  get length(): number { return this.targets.length; }

  private sample(i: number): { data: Float32Array; shape: number[] } {
    const s = { data: this.data.subarray(i * this.sampleSize, (i + 1) * this.sampleSize), shape: this.sampleShape };
    return this.transform ? this.transform.array({ data: s.data.slice(), shape: s.shape }) : s;
  }

  getItem(i: number): [Tensor, Tensor] {
    const s = this.sample(i);
    return [fromArray(s.data.slice(), s.shape, "float32", this.device), fromArray(Int32Array.of(this.targets[i]), [], "int32", this.device)];
  }

  getBatch(indices: Int32Array): [Tensor, Tensor] {
    const b = indices.length;
    let shape = this.sampleShape, x: Float32Array | null = null;
    const y = new Int32Array(b);
    for (let k = 0; k < b; k++) {
      const s = this.sample(indices[k]);
      if (!x) { shape = s.shape; x = new Float32Array(b * s.data.length); }
      x.set(s.data, k * s.data.length);
      y[k] = this.targets[indices[k]];
    }
    return [fromArray(x ?? new Float32Array(0), [b, ...shape], "float32", this.device), fromArray(y, [b], "int32", this.device)];
  }

  /** All samples as two tensors [N, ...sampleShape] and [N] (no transform): for full-batch work. */
  tensors(): [Tensor, Tensor] { return [this.x, this.y]; }
  get x(): Tensor { return fromArray(this.data, [this.length, ...this.sampleShape], "float32", this.device); }
  get y(): Tensor { return fromArray(this.targets, [this.length], "int32", this.device); }
}
