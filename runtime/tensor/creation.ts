// runtime/tensor/creation.ts
// Creating tensors: from nested arrays or typed arrays, constant fills, ranges, identity, and
// random tensors from the seedable generator (random.ts). Shapes may be given as an array or as
// separate numbers: zeros([2, 3]) and zeros(2, 3) are the same.

import type { DeviceName } from "./backend";
import { arrayFor, type DType, type TypedArray } from "./dtype";
import { DTypeError, ShapeError } from "./errors";
import { fromData, full as fullK, getDefaultDevice } from "./kernels";
import { formatShape, sizeOf } from "./shape";
import { defaultGenerator, type Generator } from "./random";
import type { Tensor, NestedArray } from "./tensor";

/** Options of the creation functions: dtype (default float32, or as the data says), device (default torch.getDefaultDevice()), requiresGrad (default false). */
export interface CreateOptions { dtype?: DType; device?: DeviceName; requiresGrad?: boolean }
/** Options of the random creation functions: those of CreateOptions plus the generator to draw from (default the engine's, see torch.manualSeed). */
export interface RandomOptions extends CreateOptions { generator?: Generator }
/** zeros([2, 3], opts) or zeros(2, 3) or zeros(2, 3, opts). */
export type ShapeArgsOf<O> = [readonly number[], O?] | number[] | [...number[], O];
export type ShapeArgs = ShapeArgsOf<CreateOptions>;

export type TensorLike = NestedArray | TypedArray | readonly number[] | readonly boolean[];

function parseShapeArgs<O extends object>(args: readonly unknown[]): [number[], O] {
  let opts = {} as O;
  let list = args;
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === "object" && !Array.isArray(last)) { opts = last as O; list = args.slice(0, -1); }
  const shape = list.length === 1 && Array.isArray(list[0]) ? (list[0] as number[]).slice() : (list as number[]).slice();
  for (const d of shape) if (!Number.isInteger(d) || d < 0) throw new ShapeError(`invalid shape ${formatShape(shape)}: sizes must be non-negative integers`);
  return [shape, opts];
}

function finish(t: Tensor, opts: CreateOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function deviceOf(opts: CreateOptions): DeviceName { return opts.device ?? getDefaultDevice(); }

/** torch.tensor: nested arrays of numbers/booleans, a TypedArray (1-D), or a number (0-D). */
export function tensor(data: TensorLike | Tensor, opts: CreateOptions = {}): Tensor {
  if (typeof data === "object" && data !== null && "_handle" in (data as object)) {
    const t = data as Tensor;
    return finish(t.detach().to({ dtype: opts.dtype ?? t.dtype, device: opts.device ?? t.device }).clone(), opts);
  }
  if (ArrayBuffer.isView(data)) {
    const ta = data as TypedArray;
    const dtype = opts.dtype ?? (ta instanceof Float64Array ? "float64" : ta instanceof Int32Array ? "int32" : ta instanceof Uint8Array ? "bool" : "float32");
    const arr = arrayFor(dtype, ta.length);
    for (let i = 0; i < ta.length; i++) arr[i] = dtype === "bool" ? (ta[i] ? 1 : 0) : ta[i];
    return finish(fromData(arr, [ta.length], dtype, deviceOf(opts)), opts);
  }
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) { shape.push(probe.length); probe = probe[0]; }
  const isBool = typeof probe === "boolean";
  if (probe !== undefined && typeof probe !== "number" && !isBool) throw new DTypeError(`tensor: cannot make a tensor from ${typeof probe} values`);
  const dtype = opts.dtype ?? (isBool ? "bool" : "float32");
  const arr = arrayFor(dtype, sizeOf(shape));
  let p = 0;
  const walk = (v: unknown, dim: number, path: number[]) => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw new ShapeError(`tensor: ragged nested array: element [${path.join("][")}] has more dimensions than element [0]`);
      if (typeof v !== "number" && typeof v !== "boolean") throw new DTypeError(`tensor: element [${path.join("][")}] is ${typeof v}, not a number`);
      arr[p++] = dtype === "bool" ? (v ? 1 : 0) : Number(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim])
      throw new ShapeError(`tensor: ragged nested array: expected ${shape[dim]} elements at [${path.join("][")}], got ${Array.isArray(v) ? v.length : "a scalar"}`);
    for (let i = 0; i < v.length; i++) walk(v[i], dim + 1, [...path, i]);
  };
  walk(data, 0, []);
  return finish(fromData(arr, shape, dtype, deviceOf(opts)), opts);
}

export function full(shape: readonly number[] | number, value: number, opts: CreateOptions = {}): Tensor {
  const s = typeof shape === "number" ? [shape] : shape.slice();
  const dtype = opts.dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  return finish(fullK(s, value, dtype, deviceOf(opts)), opts);
}

export function zeros(...args: ShapeArgs): Tensor { const [s, o] = parseShapeArgs<CreateOptions>(args); return full(s, 0, o); }
export function ones(...args: ShapeArgs): Tensor { const [s, o] = parseShapeArgs<CreateOptions>(args); return full(s, 1, o); }
/** Uninitialised memory is never handed out: empty() is zeros(). */
export function empty(...args: ShapeArgs): Tensor { return zeros(...args); }

export function eye(n: number, m: number | CreateOptions = n, opts: CreateOptions = {}): Tensor {
  if (typeof m === "object") { opts = m; m = n; }
  const dtype = opts.dtype ?? "float32";
  const arr = arrayFor(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) arr[i * m + i] = 1;
  return finish(fromData(arr, [n, m], dtype, deviceOf(opts)), opts);
}

/** arange(end), arange(start, end), arange(start, end, step); int32 when all are integers. */
export function arange(start: number, end?: number | CreateOptions, step: number | CreateOptions = 1, opts: CreateOptions = {}): Tensor {
  if (typeof end === "object") { opts = end; end = undefined; }
  if (typeof step === "object") { opts = step; step = 1; }
  if (end === undefined) { end = start; start = 0; }
  if (step === 0) throw new ShapeError("arange: step must be non-zero");
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = opts.dtype ?? ([start, end, step].every(Number.isInteger) ? "int32" : "float32");
  const arr = arrayFor(dtype, n);
  for (let i = 0; i < n; i++) arr[i] = start + i * step;
  return finish(fromData(arr, [n], dtype, deviceOf(opts)), opts);
}

export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  const dtype = opts.dtype ?? "float32";
  const arr = arrayFor(dtype, steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends (as PyTorch) so the last value is exactly `end`.
  for (let i = 0; i < steps; i++) arr[i] = i < steps / 2 ? start + i * step : end - (steps - 1 - i) * step;
  return finish(fromData(arr, [steps], dtype, deviceOf(opts)), opts);
}

function randomTensor(shape: number[], opts: RandomOptions, fill: (g: Generator, a: Float32Array | Float64Array) => void): Tensor {
  const dtype = opts.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`random tensors are floating point; got dtype ${dtype}`, "use randint for integers");
  const arr = dtype === "float64" ? new Float64Array(sizeOf(shape)) : new Float32Array(sizeOf(shape));
  fill(opts.generator ?? defaultGenerator, arr);
  return finish(fromData(arr, shape, dtype, deviceOf(opts)), opts);
}

/** Uniform on [0, 1). */
export function rand(...args: ShapeArgsOf<RandomOptions>): Tensor {
  const [s, o] = parseShapeArgs<RandomOptions>(args);
  return randomTensor(s, o, (g, a) => g.fillUniform(a));
}

/** Standard normal. */
export function randn(...args: ShapeArgsOf<RandomOptions>): Tensor {
  const [s, o] = parseShapeArgs<RandomOptions>(args);
  return randomTensor(s, o, (g, a) => g.fillNormal(a));
}

/** Integers uniform in [low, high) (int32 unless opts.dtype says otherwise). */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  const dtype = opts.dtype ?? "int32";
  const arr = arrayFor(dtype, sizeOf(shape));
  (opts.generator ?? defaultGenerator).fillInt(arr as Int32Array, low, high);
  return finish(fromData(arr, shape.slice(), dtype, deviceOf(opts)), opts);
}

/** Random permutation of 0..n-1 (int32). */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator, arr = new Int32Array(n);
  for (let i = 0; i < n; i++) arr[i] = i;
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(g.uniform() * (i + 1)); const tmp = arr[i]; arr[i] = arr[j]; arr[j] = tmp; }
  return finish(fromData(arr, [n], opts.dtype ?? "int32", deviceOf(opts)), opts);
}

function likeOpts(t: Tensor, opts: CreateOptions): CreateOptions {
  return { dtype: opts.dtype ?? t.dtype, device: opts.device ?? t.device, requiresGrad: opts.requiresGrad };
}
export function zerosLike(t: Tensor, opts: CreateOptions = {}): Tensor { return full(t.shape, 0, likeOpts(t, opts)); }
export function onesLike(t: Tensor, opts: CreateOptions = {}): Tensor { return full(t.shape, 1, likeOpts(t, opts)); }
export function fullLike(t: Tensor, value: number, opts: CreateOptions = {}): Tensor { return full(t.shape, value, likeOpts(t, opts)); }
export function randLike(t: Tensor, opts: RandomOptions = {}): Tensor { return rand(t.shape, { ...likeOpts(t, opts), generator: opts.generator }); }
export function randnLike(t: Tensor, opts: RandomOptions = {}): Tensor { return randn(t.shape, { ...likeOpts(t, opts), generator: opts.generator }); }
