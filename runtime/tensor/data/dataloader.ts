// runtime/tensor/data/dataloader.ts
// torch.utils.data.DataLoader: batches of a Dataset, optionally shuffled by a seeded Generator.
// `for (const [x, y] of loader)` builds each batch when asked. `for await` prefetches: while the
// loop body runs (and awaits, e.g. loss.item() or a GPU readback), the next batch is being built
// in a macrotask, so loading overlaps compute on WebGPU and async (file-backed) data sets.

import { Tensor } from "../tensor";
import type { DeviceName } from "../backend";
import { Dataset } from "./dataset";
import { Generator, toGenerator, randperm } from "./random";
import { stack0, fromArray } from "./tensors";

/** The batch type the default collate makes from samples of type T. */
export type Collated<T> = T extends Tensor ? Tensor
  : T extends number | boolean ? Tensor
  : T extends readonly unknown[] ? { -readonly [K in keyof T]: Collated<T[K]> }
  : T extends object ? { [K in keyof T]: Collated<T[K]> }
  : T;

/** Options of data.DataLoader: batchSize (1), shuffle (false), generator, dropLast (false), collateFn, device, prefetch (1). */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Draw a fresh permutation each epoch (default false). */
  shuffle?: boolean;
  /** Generator (or seed) for shuffling; default: the engine's generator, so torch.manualSeed fixes it. */
  generator?: Generator | number;
  /** Leave out a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Turns a list of samples into a batch; default stacks tensors and numbers position by position. */
  collateFn?: (samples: T[]) => B;
  /** Move every batch tensor to this device. */
  device?: DeviceName;
  /** Batches built ahead by the async iterator (default 1; 0 turns prefetching off). */
  prefetch?: number;
}

/** Batches of a Dataset, optionally shuffled (torch.utils.data.DataLoader). `for (const [x, y] of loader)` builds each batch
 * when asked; `for await` builds the next batch while the loop body runs. Options: batchSize (1), shuffle (false), generator,
 * dropLast (false), collateFn, device, prefetch (1).
 * Shapes: samples `[*]` -> batches `[B, *]` with the default collate.
 * @example const loader = data.DataLoader(data.MNIST(), { batchSize: 64, shuffle: true }); for await (const [x, y] of loader) { opt.zeroGrad(); F.crossEntropy(model.forward(x), y).backward(); opt.step(); } */
export class DataLoader<T = any, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  /** Samples per batch (default 1).
   * @example loader.batchSize; // 64 */
  readonly batchSize: number;
  /** Whether each epoch draws a fresh permutation (default false).
   * @example loader.shuffle; */
  readonly shuffle: boolean;
  /** Whether a last, smaller batch is left out (default false).
   * @example loader.dropLast; */
  readonly dropLast: boolean;
  /** The generator shuffling uses (from the generator option, a seed, or the engine's default).
   * @example data.DataLoader(ds, { shuffle: true, generator: 0 }).generator; */
  readonly generator: Generator;
  private readonly opts: DataLoaderOptions<T, B>;

  constructor(
    /** The data set batches are drawn from.
     * @example loader.dataset.length; */
    readonly dataset: Dataset<T>,
    opts: DataLoaderOptions<T, B> = {}
  ) {
    this.batchSize = opts.batchSize ?? 1;
    if (!(this.batchSize >= 1)) throw new Error(`DataLoader: batchSize must be >= 1, got ${opts.batchSize}`);
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.generator = toGenerator(opts.generator);
    this.opts = opts;
  }

  /** Number of batches per epoch (len(loader)).
   * @example const stepsPerEpoch = loader.length; */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample indices of each batch of one epoch (draws a fresh permutation when shuffling).
   * @example loader.batchIndices()[0]; // indices of the first batch */
  batchIndices(): Int32Array[] {
    const n = this.dataset.length;
    const order = this.shuffle ? randperm(this.generator, n) : Int32Array.from({ length: n }, (_, i) => i);
    const out: Int32Array[] = [];
    for (let i = 0; i < this.length; i++) out.push(order.subarray(i * this.batchSize, Math.min(n, (i + 1) * this.batchSize)));
    return out;
  }

  private finish(batch: any): B {
    const device = this.opts.device;
    return device ? mapTensors(batch, (t) => (t.device === device ? t : t.to(device))) : batch;
  }

  private buildSync(idx: Int32Array): B {
    const ds = this.dataset;
    if (!this.opts.collateFn && ds.getBatch) return this.finish(ds.getBatch(idx));
    const samples = Array.from(idx, (i) => ds.getItem(i));
    if (samples.some((s) => s instanceof Promise))
      throw new Error(`DataLoader: ${ds.constructor.name}.getItem returns Promises; iterate with \`for await (const batch of loader)\``);
    return this.finish((this.opts.collateFn ?? defaultCollate)(samples as T[]));
  }

  private async buildAsync(idx: Int32Array): Promise<B> {
    const ds = this.dataset;
    if (!this.opts.collateFn && ds.getBatch) return this.finish(ds.getBatch(idx));
    const samples = await Promise.all(Array.from(idx, (i) => ds.getItem(i)));
    return this.finish((this.opts.collateFn ?? defaultCollate)(samples as T[]));
  }

  *[Symbol.iterator](): Iterator<B> {
    for (const idx of this.batchIndices()) yield this.buildSync(idx);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    const batches = this.batchIndices();
    const ahead = Math.max(0, this.opts.prefetch ?? 1);
    const queue: Promise<B>[] = [];
    // Build in a macrotask (setImmediate), so the batch is made while the consumer is suspended in
    // an await of its own, not before we hand it the current one.
    const schedule = (k: number) => queue.push(new Promise<B>((resolve, reject) =>
      setImmediate(() => this.buildAsync(batches[k]).then(resolve, reject))));
    let next = 0;
    for (let k = 0; k < batches.length; k++) {
      while (next < batches.length && next <= k + ahead) schedule(next++);
      yield await queue.shift()!;
    }
  }
}

/** Stack samples position by position: tensors -> stacked along a new dim 0, numbers -> a 1-D
 * tensor (int32 when all are integers, else float32), arrays/objects recursively.
 * Shapes: B samples `[*]` -> `[B, *]`; B numbers -> `[B]`.
 * @example const [xb, yb] = data.defaultCollate([ds.getItem(0), ds.getItem(1)]); */
export function defaultCollate(samples: any[]): any {
  const first = samples[0];
  if (first instanceof Tensor) return stack0(samples as Tensor[]);
  if (typeof first === "number" || typeof first === "boolean") {
    const nums = samples.map(Number);
    return nums.every(Number.isInteger)
      ? fromArray(Int32Array.from(nums), [nums.length], "int32")
      : fromArray(Float32Array.from(nums), [nums.length], "float32");
  }
  if (Array.isArray(first)) return first.map((_, j) => defaultCollate(samples.map((s) => s[j])));
  if (first && typeof first === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(first)) out[k] = defaultCollate(samples.map((s) => s[k]));
    return out;
  }
  return samples;
}

function mapTensors(x: any, f: (t: Tensor) => Tensor): any {
  if (x instanceof Tensor) return f(x);
  if (Array.isArray(x)) return x.map((v) => mapTensors(v, f));
  if (x && typeof x === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x)) out[k] = mapTensors(x[k], f);
    return out;
  }
  return x;
}
