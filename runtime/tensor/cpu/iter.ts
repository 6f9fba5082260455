// runtime/tensor/cpu/iter.ts
// Strided iteration for CPU kernels: merge dimensions that are contiguous for every operand,
// then walk "rows" (the innermost merged dimension) with a counter, so that kernels run one tight
// loop per row and never a closure per element. Shared by reference.ts and the native backend's
// TypeScript side (native.ts) for the cases it leaves to TypeScript.

import type { DType, TypedArray } from "../dtype";
import { type Layout, collapse } from "../shape";

/** collapse() (shape.ts), but with at least one dim: a scalar becomes shape [1]. */
export function collapseDims(shape: readonly number[], stridesList: readonly (readonly number[])[]): Layout {
  const c = collapse(shape, stridesList);
  if (c.shape.length === 0) {
    c.shape.push(1);
    for (const st of c.strides) st.push(0);
  }
  return c;
}

/**
 * Walks the rows of an N-d iteration space for several strided operands at once.
 * `offs[k]` is operand k's offset of the current row; `inner`/`innerStrides[k]` describe a row.
 *   const it = new RowIter(shape, [xs, os], [xOff, 0]);
 *   for (let r = 0; r < it.rows; r++, it.next()) { for (let i = 0; i < it.inner; i++) ... }
 */
export class RowIter {
  readonly inner: number;
  readonly rows: number;
  readonly innerStrides: number[];
  readonly offs: number[];
  private readonly outerShape: number[];
  private readonly outerStrides: number[][];
  private readonly counter: number[];

  constructor(shape: readonly number[], stridesList: readonly (readonly number[])[], offsets: readonly number[]) {
    const c = collapseDims(shape, stridesList);
    const r = c.shape.length;
    let size = 1;
    for (const d of shape) size *= d;
    this.inner = size === 0 ? 0 : c.shape[r - 1];
    this.rows = size === 0 ? 0 : size / this.inner;
    this.innerStrides = c.strides.map((s) => s[r - 1]);
    this.outerShape = c.shape.slice(0, r - 1);
    this.outerStrides = c.strides.map((s) => s.slice(0, r - 1));
    this.counter = new Array(r - 1).fill(0);
    this.offs = offsets.slice();
  }

  next(): void {
    const shape = this.outerShape, counter = this.counter, offs = this.offs, strides = this.outerStrides;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++counter[d] < shape[d]) {
        for (let k = 0; k < offs.length; k++) offs[k] += strides[k][d];
        return;
      }
      counter[d] = 0;
      for (let k = 0; k < offs.length; k++) offs[k] -= strides[k][d] * (shape[d] - 1);
    }
  }
}

/** Element offsets of every position of (shape, strides) in row-major order. */
export function offsetTable(shape: readonly number[], strides: readonly number[], base = 0): Int32Array {
  let size = 1;
  for (const d of shape) size *= d;
  const out = new Int32Array(size);
  const it = new RowIter(shape, [strides], [base]);
  let p = 0;
  for (let r = 0; r < it.rows; r++, it.next()) {
    const s = it.innerStrides[0];
    let o = it.offs[0];
    for (let i = 0; i < it.inner; i++, o += s) out[p++] = o;
  }
  return out;
}

/** Copy a strided window of `src` into contiguous `dst` (from dst[dstOffset]), converting dtype. */
export function copyStrided(src: TypedArray, shape: readonly number[], strides: readonly number[], offset: number,
  dst: TypedArray, dstOffset = 0, dstDtype?: DType): void {
  const toBool = dstDtype === "bool" && !(src instanceof Uint8Array);
  const it = new RowIter(shape, [strides], [offset]);
  let p = dstOffset;
  for (let r = 0; r < it.rows; r++, it.next()) {
    const s = it.innerStrides[0], n = it.inner, o = it.offs[0];
    if (toBool) {
      for (let i = 0; i < n; i++) dst[p + i] = src[o + i * s] !== 0 ? 1 : 0;
    } else if (s === 1 && src.constructor === dst.constructor) {
      dst.set(src.subarray(o, o + n), p);
    } else {
      for (let i = 0; i < n; i++) dst[p + i] = src[o + i * s];
    }
    p += n;
  }
}
