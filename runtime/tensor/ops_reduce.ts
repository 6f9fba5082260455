// runtime/tensor/ops_reduce.ts
// Reductions with their gradients: sum, mean, prod, amax/amin, max/min with indices, argmax,
// var/std, logsumexp, softmax/logSoftmax (the backend's fast path when it has one), cumsum, norm,
// all/any, topk and sort.

import type { ReduceOp } from "./backend";
import { isFloat, type DType } from "./dtype";
import { noGrad, record, type BackwardFn } from "./autograd";
import { DeviceError, ShapeError } from "./errors";
import { castK, cumsumK, empty, fromData, reduceK, softmaxK } from "./kernels";
import { normalizeDim, normalizeDims, reducedShape, sizeOf } from "./shape";
import type { Tensor } from "./tensor";
import type { VarOptions } from "./tensor_ops";
export type { VarOptions } from "./tensor_ops";
import * as E from "./ops_elementwise";
import * as X from "./ops_index";

type Dims = number | readonly number[] | undefined;

function sumDtype(d: DType): DType { return isFloat(d) ? d : "int32"; }

/** Bring a reduced gradient back to the input's shape (unsqueeze the reduced dims, expand). */
export function expandBack(g: Tensor, shape: readonly number[], axes: readonly number[], keepdim: boolean): Tensor {
  const kept = keepdim ? g : g.reshape(reducedShape(shape, axes, true));
  return kept.expand(shape);
}

export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const axes = normalizeDims("sum", dim, x.ndim);
  const out = reduceK("sum", x, axes, keepdim, sumDtype(x.dtype));
  record("sum", [x], out, sumBackward, [axes, keepdim]);
  return out;
}

const sumBackward: BackwardFn = (g, _s, node) => {
  const [axes, keepdim] = node.ctx as [number[], boolean];
  return [expandBack(g, node.shapes[0], axes, keepdim)];
};

export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const axes = normalizeDims("mean", dim, x.ndim);
  let count = 1;
  for (const a of axes) count *= x.shape[a];
  const xf = isFloat(x.dtype) ? x : E.cast(x, "float32");
  return sum(xf, axes, keepdim).div(count);
}

export function prod(x: Tensor, dim?: number, keepdim = false): Tensor {
  const axes = normalizeDims("prod", dim, x.ndim);
  const out = reduceK("prod", x, axes, keepdim, sumDtype(x.dtype));
  const node = record("prod", [x], out, prodBackward, [axes, keepdim]);
  if (node) node.save(x, out);
  return out;
}

// d prod / d x_i = prod / x_i where the slice has no zero; with one zero, only that element gets
// the product of the others; with two or more, every gradient is 0 (as PyTorch).
const prodBackward: BackwardFn = (g, [x, y], node) => {
  const [axes, keepdim] = node.ctx as [number[], boolean];
  const isZero = x.eq(0);
  const zeros = expandBack(isZero.sum(axes, true), x.shape, axes, true);
  const others = expandBack(reduceK("prod", E.where(isZero, 1, x), axes, true, x.dtype), x.shape, axes, true);
  const gy = expandBack(g, x.shape, axes, keepdim);
  const noZero = expandBack(g.mul(y), x.shape, axes, keepdim).div(E.where(isZero, 1, x));
  return [E.where(zeros.eq(0), noZero, E.where(zeros.eq(1).logicalAnd(isZero), gy.mul(others), 0))];
};

export function amax(x: Tensor, dim: Dims, keepdim: boolean, name: string): Tensor { return extreme(x, "max", dim, keepdim, name); }
export function amin(x: Tensor, dim: Dims, keepdim: boolean, name: string): Tensor { return extreme(x, "min", dim, keepdim, name); }

function extreme(x: Tensor, op: "max" | "min", dim: Dims, keepdim: boolean, name: string): Tensor {
  const axes = normalizeDims(name, dim, x.ndim);
  if (x.numel() === 0) throw new ShapeError(`${name}: cannot reduce an empty tensor of shape [${x.shape.join(", ")}]`);
  const out = reduceK(op, x, axes, keepdim, x.dtype);
  const node = record(name, [x], out, extremeBackward, [axes, keepdim]);
  if (node) node.save(x, out);
  return out;
}

// Gradient split evenly between tied extremes (as PyTorch's amax/amin).
const extremeBackward: BackwardFn = (g, [x, y], node) => {
  const [axes, keepdim] = node.ctx as [number[], boolean];
  const mask = x.eq(expandBack(y, x.shape, axes, keepdim)).to(g.dtype);
  const count = mask.sum(axes, true);
  return [expandBack(g, x.shape, axes, keepdim).mul(mask).div(count)];
};

export function argExtreme(x: Tensor, op: "argmax" | "argmin", dim: number | undefined, keepdim: boolean): Tensor {
  if (dim === undefined) {
    const out = reduceK(op, x.reshape([-1]), [0], false, "int32");
    return keepdim ? out.reshape(x.shape.map(() => 1)) : out;
  }
  const d = normalizeDim(op, dim, x.ndim);
  return reduceK(op, x.ndim === 0 ? x.reshape([1]) : x, [d], keepdim && x.ndim > 0, "int32");
}

/** max/min along one dim: values (differentiable) and the int32 index of the first extreme. */
export function maxWithIndices(x: Tensor, dim: number, keepdim: boolean, which: "max" | "min"): { values: Tensor; indices: Tensor } {
  const d = normalizeDim(which, dim, x.ndim);
  const indices = reduceK(which === "max" ? "argmax" : "argmin", x, [d], true, "int32");
  const values = noGrad(() => X.gather(x, d, indices));
  const node = record(which, [x], values, indexBackward, d);
  if (node) node.save(indices);
  return keepdim ? { values, indices } : { values: values.squeeze(d), indices: indices.squeeze(d) };
}

/** Gradient of picking elements of x at `indices` along a dim: scatter-add back. */
const indexBackward: BackwardFn = (g, [indices], node) => [X.scatterAddNew(node.shapes[0], node.ctx as number, indices, g)];

/** Options of var()/std(): correction (1 = unbiased, 0 = population), unbiased (the older spelling of correction 1/0), keepdim (false). */

export function variance(x: Tensor, dim: Dims, opts: VarOptions): Tensor {
  const axes = normalizeDims("var", dim, x.ndim);
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  let n = 1;
  for (const a of axes) n *= x.shape[a];
  const xf = isFloat(x.dtype) ? x : E.cast(x, "float32");
  const d = xf.sub(mean(xf, axes, true));
  return sum(d.square(), axes, opts.keepdim ?? false).div(Math.max(n - correction, 0));
}

export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim: boolean): Tensor {
  const axes = normalizeDims("logsumexp", dim, x.ndim);
  const m = noGrad(() => {
    const a = reduceK("max", x, axes, true, x.dtype);
    return E.where(a.abs().eq(Infinity), 0, a);
  });
  const s = sum(x.sub(m).exp(), axes, true).log().add(m);
  return keepdim ? s : s.reshape(reducedShape(x.shape, axes, false));
}

export function softmax(x: Tensor, dim: number, log: boolean): Tensor {
  const d = normalizeDim(log ? "logSoftmax" : "softmax", dim, x.ndim);
  const xf = isFloat(x.dtype) ? x : castK(x, "float32");
  const out = (xf.ndim > 0 ? softmaxK(xf, d, log) : null) ?? noGrad(() => {
      const m = reduceK("max", xf, [d], true, xf.dtype);
      const z = xf.sub(m);
      return log ? z.sub(sum(z.exp(), d, true).log()) : z.exp().div(sum(z.exp(), d, true));
    });
  const node = record(log ? "logSoftmax" : "softmax", [x], out, softmaxBackward, [d, log]);
  if (node) node.save(out);
  return out;
}

const softmaxBackward: BackwardFn = (g, [y], node) => {
  const [d, log] = node.ctx as [number, boolean];
  if (log) return [g.sub(y.exp().mul(sum(g, d, true)))];
  return [y.mul(g.sub(sum(g.mul(y), d, true)))];
};

export function cumsum(x: Tensor, dim: number): Tensor {
  const d = normalizeDim("cumsum", dim, x.ndim);
  const xs = x.ndim === 0 ? x.reshape([1]) : x;
  const out = empty(x._backend(), x.shape, sumDtype(x.dtype));
  const src = xs.dtype === out.dtype ? xs : castK(xs, out.dtype);
  cumsumK(src, d, out);
  record("cumsum", [x], out, cumsumBackward, d);
  return out;
}

// Reverse cumulative sum: sum_{j >= i} g_j = total - cumsum(g)_i + g_i.
const cumsumBackward: BackwardFn = (g, _s, node) => {
  const d = node.ctx as number;
  return [sum(g, d, true).sub(cumsum(g, d)).add(g)];
};

export function norm(x: Tensor, p: number, dim: Dims, keepdim: boolean): Tensor {
  const axes = normalizeDims("norm", dim, x.ndim);
  if (p === 2) return sum(x.square(), axes, keepdim).sqrt();
  if (p === 1) return sum(x.abs(), axes, keepdim);
  if (p === Infinity) return amax(x.abs(), axes, keepdim, "norm");
  return sum(x.abs().pow(p), axes, keepdim).pow(1 / p);
}

export function all(x: Tensor): Tensor { return reduceBool(x, "min"); }
export function any(x: Tensor): Tensor { return reduceBool(x, "max"); }

function reduceBool(x: Tensor, op: ReduceOp): Tensor {
  const b = x.dtype === "bool" ? x : x.ne(0);
  if (b.numel() === 0) return fromData(new Uint8Array([op === "min" ? 1 : 0]), [], "bool", x.device);
  return reduceK(op, b, normalizeDims("all", undefined, b.ndim), false, "bool");
}

/** Sort along dim on the host (CPU tensors, or any backend with synchronous reads). */
export function sort(x: Tensor, dim: number, descending: boolean): { values: Tensor; indices: Tensor } {
  return sortTop(x, dim, descending, undefined, "sort");
}

export function topk(x: Tensor, k: number, dim: number, largest: boolean, _sorted: boolean): { values: Tensor; indices: Tensor } {
  return sortTop(x, dim, largest, k, "topk");
}

function sortTop(x: Tensor, dim: number, descending: boolean, k: number | undefined, name: string): { values: Tensor; indices: Tensor } {
  const d = normalizeDim(name, dim, x.ndim);
  const xs = x.ndim === 0 ? x.reshape([1]) : x;
  const n = xs.shape[d];
  const kk = k ?? n;
  if (kk < 0 || kk > n) throw new ShapeError(`${name}: k = ${kk} is out of range for dimension ${d} of size ${n}`);
  if (!xs._backend().readSync) throw new DeviceError(`${name}: runs on the host and needs synchronous reads, which ${x.device} lacks`, `move the tensor with .to("cpu") first`);
  // Move dim last, sort each row on the host, move it back.
  const moved = xs.transpose(d, -1).contiguous();
  const data = moved.dataSync();
  const rows = sizeOf(moved.shape) / Math.max(n, 1);
  const idx = new Int32Array(rows * kk);
  const order = new Array<number>(n);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let i = 0; i < n; i++) order[i] = i;
    // NaN sorts as the largest value (as PyTorch); ties keep their original order.
    const key = (i: number) => { const v = data[base + i]; return v !== v ? Infinity : v; };
    order.sort((a, b) => {
      const va = key(a), vb = key(b);
      const c = va === vb ? (data[base + a] !== data[base + a] ? 1 : 0) - (data[base + b] !== data[base + b] ? 1 : 0) : va < vb ? -1 : 1;
      return (descending ? -c : c) || a - b;
    });
    for (let i = 0; i < kk; i++) idx[r * kk + i] = order[i];
  }
  const outShape = moved.shape.slice();
  outShape[outShape.length - 1] = kk;
  const indicesMoved = fromData(idx, outShape, "int32", x.device);
  const indices = indicesMoved.transpose(d, -1).contiguous();
  const values = noGrad(() => X.gather(xs, d, indices));
  const node = record(name, [xs], values, indexBackward, d);
  if (node) node.save(indices);
  if (x.ndim === 0) return { values: values.reshape([]), indices: indices.reshape([]) };
  return { values, indices };
}
