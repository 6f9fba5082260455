// runtime/tensor/shape.ts
// Pure shape arithmetic: sizes, row-major strides, broadcasting, dim normalisation, dim collapsing
// for kernels, conv/pool window sizes and the formatting of shapes in error messages. No backend
// and no Tensor here, so gpu/ may import it.

import { ShapeError } from "./errors";

export type Shape = readonly number[];

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** True when a View with these strides is row-major with no gaps (size-1 dims may have any stride). */
export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i];
  }
  return true;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy/PyTorch broadcasting; throws ShapeError naming `op`, both shapes and the first clash. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  if (shapesEqual(a, b)) return a as number[];
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else throw new ShapeError(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot broadcast (${da} vs ${db} at dimension ${i})`);
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if expanded to `target` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const n = target.length, off = n - shape.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (i < off) out[i] = 0;
    else out[i] = shape[i - off] === 1 && target[i] !== 1 ? 0 : strides[i - off];
  }
  return out;
}

/** A dim in [-rank, rank) as a non-negative index. */
export function normalizeDim(op: string, dim: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r)
    throw new ShapeError(`${op}: dimension ${dim} is out of range for a tensor with ${rank} dimension${rank === 1 ? "" : "s"} (expected -${r} to ${r - 1})`);
  return dim < 0 ? dim + r : dim;
}

/** Normalised, sorted, distinct reduction axes; undefined/empty dims mean every axis. */
export function normalizeDims(op: string, dims: number | readonly number[] | undefined, rank: number): number[] {
  if (dims === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof dims === "number" ? [dims] : dims;
  if (list.length === 0) return Array.from({ length: rank }, (_, i) => i);
  const out = list.map((d) => normalizeDim(op, d, rank));
  out.sort((x, y) => x - y);
  for (let i = 1; i < out.length; i++)
    if (out[i] === out[i - 1]) throw new ShapeError(`${op}: dimension ${out[i]} appears more than once in ${formatShape(list)}`);
  return out;
}

/** The shape after reducing `axes`, with or without the reduced dims kept as size 1. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) { if (keepdim) out.push(1); }
    else out.push(shape[i]);
  }
  return out;
}

/** Resolve one -1 in a requested shape against `size` elements (reshape/view). */
export function inferShape(op: string, from: Shape, requested: readonly number[]): number[] {
  const size = sizeOf(from);
  let infer = -1, known = 1;
  for (let i = 0; i < requested.length; i++) {
    const d = requested[i];
    if (d === -1) {
      if (infer >= 0) throw new ShapeError(`${op}: only one dimension can be -1 in ${formatShape(requested)}`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid size ${d} in ${formatShape(requested)}`);
    } else known *= d;
  }
  const out = requested.slice();
  if (infer >= 0) {
    if (known === 0 || size % known !== 0)
      throw new ShapeError(`${op}: cannot reshape ${formatShape(from)} (${size} elements) into ${formatShape(requested)}`);
    out[infer] = size / known;
  } else if (known !== size) {
    throw new ShapeError(`${op}: cannot reshape ${formatShape(from)} (${size} elements) into ${formatShape(requested)} (${known} elements)`);
  }
  return out;
}

/**
 * Strides for viewing (shape, strides) as `target` without copying, or null when the memory
 * layout does not allow it (PyTorch's computeStride): then reshape copies and view() throws.
 */
export function viewStrides(shape: Shape, strides: readonly number[], target: Shape): number[] | null {
  if (isContiguous(shape, strides)) return contiguousStrides(target);
  const out = new Array<number>(target.length);
  if (sizeOf(shape) === 0) return contiguousStrides(target);
  let viewD = target.length - 1;
  let chunkBase = strides[strides.length - 1];
  let tensorNumel = 1, viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= target[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) { chunkBase = strides[d - 1]; tensorNumel = 1; viewNumel = 1; }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

/** A View's dims after collapse(): one shape, one stride array per operand. */
export interface Layout {
  shape: number[];
  strides: number[][];
}

/** Drop size-1 dims and merge neighbours d, d+1 where stride[d] == stride[d+1] * shape[d+1] for
 * every operand, so kernels walk fewer dims (fewer integer divisions per element). Order, and so
 * the linear index over the shape, is preserved; a scalar collapses to shape []. */
export function collapse(shape: Shape, stridesList: readonly (readonly number[])[]): Layout {
  const outShape: number[] = [];
  const outStrides: number[][] = stridesList.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d];
    if (n === 1) continue;
    const last = outShape.length - 1;
    let merge = last >= 0;
    if (merge) for (let k = 0; k < stridesList.length; k++) {
      if (outStrides[k][last] !== stridesList[k][d] * n) { merge = false; break; }
    }
    if (merge) {
      outShape[last] *= n;
      for (let k = 0; k < stridesList.length; k++) outStrides[k][last] = stridesList[k][d];
    } else {
      outShape.push(n);
      for (let k = 0; k < stridesList.length; k++) outStrides[k].push(stridesList[k][d]);
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** True when a collapsed layout's operand k is read as offset + linear index. */
export function isLinear(l: Layout, k: number): boolean {
  return l.shape.length === 0 || (l.shape.length === 1 && l.strides[k][0] === 1);
}

/** The lines of a [shape, strides] view along `dim`, as scans and softmax walk them: every other
 * dim collapsed, operand 0 with the view's strides and operand 1 with the contiguous output's;
 * `outStride` is the output's stride along `dim`. */
export function linesAlong(shape: Shape, strides: readonly number[], dim: number):
    { layout: Layout; lines: number; outStride: number } {
  const os = contiguousStrides(shape);
  const others = shape.map((_, d) => d).filter((d) => d !== dim);
  const layout = collapse(others.map((d) => shape[d]), [others.map((d) => strides[d]), others.map((d) => os[d])]);
  return { layout, lines: sizeOf(layout.shape), outStride: os[dim] };
}

/** Output size of a conv or pooling window along one dim, as PyTorch computes it (conv: ceil false). */
export function windowOutSize(size: number, kernel: number, stride: number, pad: number, dilation: number, ceil = false): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // The last window must start inside the input or the left padding (PyTorch's pooling_output_shape).
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}
