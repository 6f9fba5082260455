// runtime/tensor/data/dataset.ts
// torch.utils.data's Dataset, TensorDataset, Subset and random_split, plus ArrayDataset: images
// or points held as typed arrays (MNIST, CIFAR10, moons) that build a whole batch in one copy.
// A data set may offer getBatch(indices), which DataLoader uses instead of getItem + collate.

import type { Tensor } from "../tensor";
import type { DeviceName } from "../backend";
import { Generator, toGenerator, randperm } from "./random";
import { fromArray, indexSelect0 } from "./tensors";
import type { Transform } from "./transforms";

/** Base class of data sets (torch.utils.data.Dataset): implement `length` and getItem(i); getBatch(indices) is an optional fast path.
 * @example
 * class Squares extends data.Dataset<[Tensor, Tensor]> {
 * get length() { return 100; }
 * getItem(i: number): [Tensor, Tensor] { return [torch.tensor([i]), torch.tensor([i * i])]; }
 * } */
export abstract class Dataset<T = unknown> {
  /** Number of samples (len(dataset)).
   * @example ds.length; // 8000 */
  abstract get length(): number;
  /** The i-th sample (may return a Promise: such data sets need `for await` over the loader).
   * @example const [x, y] = ds.getItem(0) as [Tensor, Tensor]; */
  abstract getItem(i: number): T | Promise<T>;
  /** A whole batch at once; optional fast path used by DataLoader with the default collate.
   * @example const [xb, yb] = ds.getBatch!(Int32Array.of(0, 1, 2)); */
  getBatch?(indices: Int32Array): T;
  /** The i-th sample, negative i from the end (like Python's dataset[i]).
   * @example const last = ds.at(-1); */
  at(i: number): T | Promise<T> {
    const n = this.length;
    const j = i < 0 ? n + i : i;
    if (j < 0 || j >= n) throw new RangeError(`${this.constructor.name}: index ${i} out of range for ${n} samples`);
    return this.getItem(j);
  }
}

/** Samples are the i-th rows of each tensor (torch.utils.data.TensorDataset). */
export class TensorDataset extends Dataset<Tensor[]> {
  /** The tensors given at construction; samples are their rows.
   * @example ds.tensors[0].shape; // [N, 2] */
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new Error("TensorDataset: give at least one tensor");
    const n = tensors[0].shape[0];
    for (const t of tensors) if (t.shape[0] !== n)
      throw new Error(`TensorDataset: size mismatch between tensors (${tensors.map((u) => u.shape[0]).join(" vs ")} rows)`);
    this.tensors = tensors;
  }
  /** Number of samples: the first dim of the tensors.
   * @example data.TensorDataset(x, y).length; // x.shape[0] */
  get length(): number { return this.tensors[0].shape[0]; }
  /** Shapes: tensors `[N, *]` -> a list of rows `[*]`.
   * @example const [xi, yi] = ds.getItem(0); */
  getItem(i: number): Tensor[] { return this.tensors.map((t) => t.select(0, i)); }
  /** Shapes: tensors `[N, *]`, `indices` of length B -> a list of `[B, *]`.
   * @example const [xb, yb] = ds.getBatch(Int32Array.of(0, 5, 9)); */
  getBatch(indices: Int32Array): Tensor[] { return this.tensors.map((t) => indexSelect0(t, indices)); }
}

/** A view of `dataset` restricted to `indices`. */
export class Subset<T> extends Dataset<T> {
  constructor(
    /** The underlying data set.
     * @example subset.dataset.length; */
    readonly dataset: Dataset<T>,
    /** The indices of the underlying data set this subset holds, in order.
     * @example subset.indices.length === subset.length; // true */
    readonly indices: Int32Array
  ) {
    super();
    const inner = dataset.getBatch;
    if (inner) this.getBatch = (idx: Int32Array) => inner.call(dataset, idx.map((i) => indices[i]));
  }
  /** Number of samples: the number of indices.
   * @example const [train, test] = data.randomSplit(ds, [0.8, 0.2]); train.length; */
  get length(): number { return this.indices.length; }
  /** The sample at `indices[i]` of the underlying data set.
   * @example const s = subset.getItem(0); */
  getItem(i: number): T | Promise<T> { return this.dataset.getItem(this.indices[i]); }
}

/** Split into non-overlapping subsets of the given sizes, or fractions summing to 1.
 * A seed or Generator makes the split repeatable; the default uses the engine's generator (torch.manualSeed).
 * @example const [train, val] = data.randomSplit(ds, [0.9, 0.1], 42); */
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

/** Features (float32, one row of `sampleShape` per sample) and int32 labels in typed arrays.
 * The base of MNIST, CIFAR10, twoMoons and spirals: getBatch builds a whole batch in one copy.
 * Shapes: samples `[x: sampleShape, y: []]`; batches `[x: [B, ...sampleShape], y: [B]]`.
 * @example const ds = new data.ArrayDataset(new Float32Array([0, 1, 2, 3]), Int32Array.of(0, 1), [2]); */
export class ArrayDataset extends Dataset<[Tensor, Tensor]> {
  /** Number of values in one sample (the product of sampleShape).
   * @example data.MNIST().sampleSize; // 784 */
  readonly sampleSize: number;
  constructor(
    /** All samples' values, row-major: sample i is data[i * sampleSize .. (i + 1) * sampleSize).
     * @example ds.data.length === ds.length * ds.sampleSize; // true */
    readonly data: Float32Array,
    /** The int32 label of each sample.
     * @example ds.targets[0]; */
    readonly targets: Int32Array,
    /** The shape of one sample's x, e.g. [1, 28, 28] for MNIST.
     * @example data.MNIST().sampleShape; // [1, 28, 28] */
    readonly sampleShape: number[],
    /** Applied to each sample by getItem and getBatch (not by x/tensors()), e.g. a data.transforms pipeline.
     * @example data.MNIST({ transform: data.transforms.normalize(0.1307, 0.3081) }).transform?.name; */
    readonly transform?: Transform,
    /** The device samples and batches are made on (default: the default device).
     * @example data.twoMoons(100, { device: "webgpu" }).device; // "webgpu" */
    readonly device?: DeviceName) {
    super();
    this.sampleSize = sampleShape.reduce((a, b) => a * b, 1);
    if (data.length !== targets.length * this.sampleSize)
      throw new Error(`ArrayDataset: ${data.length} values for ${targets.length} samples of [${sampleShape.join(", ")}]`);
  }
  /** Number of samples.
   * @example data.twoMoons(200).length; // 200 */
  get length(): number { return this.targets.length; }

  private sample(i: number): { data: Float32Array; shape: number[] } {
    const s = { data: this.data.subarray(i * this.sampleSize, (i + 1) * this.sampleSize), shape: this.sampleShape };
    return this.transform ? this.transform.array({ data: s.data.slice(), shape: s.shape }) : s;
  }

  /** One sample [x, y], after the transform if any.
   * Shapes: -> `x: sampleShape` (float32), `y: []` (int32).
   * @example const [x, y] = data.MNIST().getItem(0); // x: [1, 28, 28], y: [] */
  getItem(i: number): [Tensor, Tensor] {
    const s = this.sample(i);
    return [fromArray(s.data.slice(), s.shape, "float32", this.device), fromArray(Int32Array.of(this.targets[i]), [], "int32", this.device)];
  }

  /** A batch [x, y] built in one copy (what DataLoader uses).
   * Shapes: `indices` of length B -> `x: [B, ...sampleShape]`, `y: [B]` (int32).
   * @example const [xb, yb] = ds.getBatch(Int32Array.of(0, 1, 2, 3)); */
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

  /** All samples as two tensors [N, ...sampleShape] and [N] (no transform): for full-batch work.
   * Shapes: -> `x: [N, ...sampleShape]`, `y: [N]`.
   * @example const [X, Y] = data.twoMoons(200).tensors(); */
  tensors(): [Tensor, Tensor] { return [this.x, this.y]; }
  /** All samples as one float32 tensor (no transform).
   * @example const X = data.twoMoons(200).x; // [200, 2] */
  get x(): Tensor { return fromArray(this.data, [this.length, ...this.sampleShape], "float32", this.device); }
  /** All labels as one int32 tensor.
   * @example const Y = data.twoMoons(200).y; // [200] */
  get y(): Tensor { return fromArray(this.targets, [this.length], "int32", this.device); }
}
