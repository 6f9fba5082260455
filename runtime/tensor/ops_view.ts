// runtime/tensor/ops_view.ts
// Shape ops. reshape/view/transpose/permute/expand/narrow/slice/squeeze/unsqueeze/flatten build
// new strided windows on the same storage and launch no kernel; their gradients reshape, permute,
// sum or pad the incoming gradient back. Also: clone/contiguous, device moves, cat/stack/split,
// and converting flat data to nested arrays.

import type { DeviceName } from "./backend";
import { promote, type DType, type TypedArray } from "./dtype";
import { record, type BackwardFn } from "./autograd";
import { DeviceError, ShapeError } from "./errors";
import { castK, fromData, full, sameDevice } from "./kernels";
import { broadcastStrides, formatShape, inferShape, normalizeDim, shapesEqual, viewStrides, type Shape } from "./shape";
import type { Tensor } from "./tensor";
import type { NestedArray } from "./print";
import * as E from "./ops_elementwise";
import * as X from "./ops_index";

export const dimIndex = normalizeDim;

/** Accept shapes as varargs (2, 3) or one array ([2, 3]). */
export function shapeArg(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return (args[0] as number[]).slice();
  return args as number[];
}

const reshapeBackward: BackwardFn = (g, _s, node) => [g.reshape(node.shapes[0])];

export function view(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape("view", x.shape, shape);
  const strides = viewStrides(x.shape, x.strides, target);
  if (!strides) throw new ShapeError(`view: shape ${formatShape(target)} is not compatible with the memory layout of a tensor of shape ${formatShape(x.shape)} and strides ${formatShape(x.strides)}`,
    "use reshape() (which copies when needed) or call contiguous() first");
  const out = x._view(target, strides, x.offset);
  record("view", [x], out, reshapeBackward);
  return out;
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape("reshape", x.shape, shape);
  if (shapesEqual(target, x.shape)) return view(x, target);
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides) {
    const out = x._view(target, strides, x.offset);
    record("reshape", [x], out, reshapeBackward);
    return out;
  }
  return view(clone(x), target);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim("transpose", dim0, x.ndim), b = normalizeDim("transpose", dim1, x.ndim);
  if (x.ndim === 0) return view(x, []);
  const shape = x.shape.slice(), strides = x.strides.slice();
  [shape[a], shape[b]] = [shape[b], shape[a]];
  [strides[a], strides[b]] = [strides[b], strides[a]];
  const out = x._view(shape, strides, x.offset);
  record("transpose", [x], out, transposeBackward, [a, b]);
  return out;
}

const transposeBackward: BackwardFn = (g, _s, node) => {
  const [a, b] = node.ctx as [number, number];
  return [g.transpose(a, b)];
};

export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new ShapeError(`t: expects a tensor with at most 2 dimensions, got shape ${formatShape(x.shape)}`, "use transpose(dim0, dim1) or mT");
  return x.ndim < 2 ? view(x, x.shape) : transpose(x, 0, 1);
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) throw new ShapeError(`permute: got ${dims.length} dims ${formatShape(dims)} for a tensor of shape ${formatShape(x.shape)}`);
  const perm = dims.map((d) => normalizeDim("permute", d, x.ndim));
  if (new Set(perm).size !== perm.length) throw new ShapeError(`permute: dims ${formatShape(dims)} repeat a dimension`);
  const out = x._view(perm.map((d) => x.shape[d]), perm.map((d) => x.strides[d]), x.offset);
  const inverse = new Array<number>(perm.length);
  perm.forEach((d, i) => { inverse[d] = i; });
  record("permute", [x], out, permuteBackward, inverse);
  return out;
}

const permuteBackward: BackwardFn = (g, _s, node) => [g.permute(node.ctx as number[])];

export function expand(x: Tensor, sizes: readonly number[]): Tensor {
  if (sizes.length < x.ndim) throw new ShapeError(`expand: cannot expand shape ${formatShape(x.shape)} to ${formatShape(sizes)} (fewer dimensions)`);
  const lead = sizes.length - x.ndim;
  const target = sizes.map((s, i) => (s === -1 && i >= lead ? x.shape[i - lead] : s));
  if (target.some((s) => !Number.isInteger(s) || s < 0))
    throw new ShapeError(`expand: invalid size in ${formatShape(sizes)} (-1 keeps an existing dimension; new leading dimensions need a size)`);
  for (let i = 0; i < x.ndim; i++) {
    const have = x.shape[i], want = target[i + lead];
    if (have !== want && have !== 1)
      throw new ShapeError(`expand: cannot expand shape ${formatShape(x.shape)} to ${formatShape(sizes)} (${have} vs ${want} at dimension ${i + lead})`,
        "only size-1 dimensions can be expanded");
  }
  if (shapesEqual(target, x.shape)) return view(x, target);
  const out = x._view(target, broadcastStrides(x.shape, x.strides, target), x.offset);
  record("expand", [x], out, expandBackward);
  return out;
}

const expandBackward: BackwardFn = (g, _s, node) => [E.sumTo(g, node.shapes[0])];

export function slice(x: Tensor, dim: number, start = 0, end = Infinity, step = 1): Tensor {
  const d = normalizeDim("slice", dim, x.ndim), n = x.shape[d];
  if (!Number.isInteger(step) || step < 1) throw new ShapeError(`slice: step must be a positive integer, got ${step}`);
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = clampIdx(start), e = Math.max(clampIdx(end), s);
  const len = Math.ceil((e - s) / step);
  const shape = x.shape.slice(), strides = x.strides.slice();
  shape[d] = len;
  strides[d] *= step;
  const out = x._view(shape, strides, x.offset + s * x.strides[d]);
  record("slice", [x], out, sliceBackward, [d, s, step]);
  return out;
}

const sliceBackward: BackwardFn = (g, _s, node) => {
  const [d, start, step] = node.ctx as [number, number, number];
  const z = full(node.shapes[0], 0, g.dtype, g.device);
  X.writeSlice(z, d, start, step, g);
  return [z];
};

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim("narrow", dim, x.ndim), n = x.shape[d];
  const s = start < 0 ? start + n : start;
  if (s < 0 || length < 0 || s + length > n)
    throw new ShapeError(`narrow: start ${start} and length ${length} do not fit in dimension ${d} of size ${n}`);
  return slice(x, d, s, s + length, 1);
}

export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim("select", dim, x.ndim), n = x.shape[d];
  const i = index < 0 ? index + n : index;
  if (i < 0 || i >= n) throw new ShapeError(`select: index ${index} is out of range for dimension ${d} of size ${n}`);
  return squeeze(slice(x, d, i, i + 1), d);
}

export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims = dim === undefined ? x.shape.map((_, i) => i) : (typeof dim === "number" ? [dim] : dim).map((d) => normalizeDim("squeeze", d, x.ndim));
  const keep = x.shape.map((s, i) => !(s === 1 && dims.includes(i)));
  return view(x, x.shape.filter((_, i) => keep[i]));
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim("unsqueeze", dim, x.ndim + 1);
  const shape = x.shape.slice();
  shape.splice(d, 0, 1);
  return view(x, shape);
}

export function flatten(x: Tensor, startDim: number, endDim: number): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim("flatten", startDim, x.ndim), e = normalizeDim("flatten", endDim, x.ndim);
  if (s > e) throw new ShapeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const shape = [...x.shape.slice(0, s), x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim("unflatten", dim, x.ndim);
  const inner = inferShape("unflatten", [x.shape[d]], sizes);
  return reshape(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

export function split(x: Tensor, splitSize: number | readonly number[], dim: number): Tensor[] {
  const d = normalizeDim("split", dim, x.ndim), n = x.shape[d];
  const sizes: number[] = [];
  if (typeof splitSize === "number") for (let s = 0; s < n; s += splitSize) sizes.push(Math.min(splitSize, n - s));
  else {
    if (splitSize.reduce((a, b) => a + b, 0) !== n) throw new ShapeError(`split: sizes ${formatShape(splitSize)} do not add up to ${n} (dimension ${d})`);
    sizes.push(...splitSize);
  }
  let start = 0;
  return sizes.map((len) => { const out = narrow(x, d, start, len); start += len; return out; });
}

export function chunk(x: Tensor, chunks: number, dim: number): Tensor[] {
  const d = normalizeDim("chunk", dim, x.ndim);
  return split(x, Math.ceil(x.shape[d] / chunks), d);
}

export function unbind(x: Tensor, dim: number): Tensor[] {
  const d = normalizeDim("unbind", dim, x.ndim);
  return Array.from({ length: x.shape[d] }, (_, i) => select(x, d, i));
}

/** A contiguous copy with no autograd (readback, reshape of strided views). */
export function contiguousCopy(x: Tensor): Tensor {
  return castK(x, x.dtype);
}

export function clone(x: Tensor): Tensor {
  const out = castK(x, x.dtype);
  record("clone", [x], out, identityBackward);
  return out;
}

const identityBackward: BackwardFn = (g) => [g];

/** Copy to another device (synchronous: the source must allow synchronous reads). */
export function toDevice(x: Tensor, device: DeviceName): Tensor {
  if (!x._backend().readSync) throw new DeviceError(`to: reading ${x.device} memory is asynchronous; use await t.toAsync("${device}")`,
    `or create the tensor on ${device} in the first place`);
  return moved(x, x.contiguous().dataSync(), device);
}

export async function toDeviceAsync(x: Tensor, device: DeviceName): Promise<Tensor> {
  return x.device === device ? x : moved(x, await x.data(), device);
}

function moved(x: Tensor, data: TypedArray, device: DeviceName): Tensor {
  const out = fromData(data, x.shape, x.dtype, device);
  record("to", [x], out, toDeviceBackward, x.device);
  return out;
}

const toDeviceBackward: BackwardFn = (g, _s, node) => [g.to(node.ctx as DeviceName)];

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError("cat: expects a non-empty list of tensors");
  const first = tensors[0];
  const d = normalizeDim("cat", dim, first.ndim);
  let dtype: DType = first.dtype, total = 0;
  for (const [i, t] of tensors.entries()) {
    sameDevice("cat", first, t);
    if (t.ndim !== first.ndim || t.shape.some((s, k) => k !== d && s !== first.shape[k]))
      throw new ShapeError(`cat: tensor ${i} has shape ${formatShape(t.shape)}, which does not match ${formatShape(first.shape)} outside dimension ${d}`);
    dtype = promote(dtype, t.dtype);
    total += t.shape[d];
  }
  const shape = first.shape.slice();
  shape[d] = total;
  const out = full(shape, 0, dtype, first.device);
  let start = 0;
  const starts: number[] = [];
  for (const t of tensors) {
    starts.push(start);
    X.writeSlice(out, d, start, 1, t.dtype === dtype ? t : castK(t, dtype));
    start += t.shape[d];
  }
  record("cat", tensors, out, catBackward, [d, starts]);
  return out;
}

const catBackward: BackwardFn = (g, _s, node) => {
  const [d, starts] = node.ctx as [number, number[]];
  return node.shapes.map((s, i) => (node.needs(i) ? narrow(g, d, starts[i], s[d]) : null));
};

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError("stack: expects a non-empty list of tensors");
  const d = normalizeDim("stack", dim, tensors[0].ndim + 1);
  for (const [i, t] of tensors.entries())
    if (!shapesEqual(t.shape, tensors[0].shape)) throw new ShapeError(`stack: tensor ${i} has shape ${formatShape(t.shape)}, expected ${formatShape(tensors[0].shape)} like tensor 0`);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** Flat row-major data to nested arrays (booleans for bool tensors). */
export function nest(data: TypedArray, shape: Shape, dtype: DType): NestedArray {
  const conv = dtype === "bool" ? (v: number) => v !== 0 : (v: number) => v;
  if (shape.length === 0) return conv(data[0]) as NestedArray;
  const build = (dim: number, off: number): NestedArray => {
    const n = shape[dim], out: NestedArray[] = new Array(n);
    if (dim === shape.length - 1) { for (let i = 0; i < n; i++) out[i] = conv(data[off + i]) as NestedArray; return out as NestedArray; }
    let step = 1;
    for (let k = dim + 1; k < shape.length; k++) step *= shape[k];
    for (let i = 0; i < n; i++) out[i] = build(dim + 1, off + i * step);
    return out as NestedArray;
  };
  return build(0, 0);
}

