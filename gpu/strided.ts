// gpu/strided.ts
// View arithmetic the kernels need before they are generated: merge dims that are contiguous in
// every operand (fewer dims, fewer integer divisions per element), drop size-1 dims, and split a
// View into kept and reduced dims. Pure; no device.

export interface Layout {
  shape: number[];
  /** One stride array per operand, each of shape.length. */
  strides: number[][];
}

/** Drop size-1 dims and merge neighbours d, d+1 where stride[d] == stride[d+1] * shape[d+1] for
 * every operand. Order (and so the linear index over the shape) is preserved. */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): Layout {
  const s: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = s.length - 1;
    if (last >= 0 && strides.every((x, k) => st[k][last] === x[d] * shape[d])) {
      s[last] *= shape[d];
      strides.forEach((x, k) => { st[k][last] = x[d]; });
    } else {
      s.push(shape[d]);
      strides.forEach((x, k) => st[k].push(x[d]));
    }
  }
  return { shape: s, strides: st };
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) { out[i] = s; s *= shape[i]; }
  return out;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The lines of a [shape, strides] view along `dim`, as scans and softmax walk them: every other
 * dim collapsed, operand 0 with the view's strides and operand 1 with the contiguous output's;
 * `outStride` is the output's stride along `dim`. */
export function linesAlong(shape: readonly number[], strides: readonly number[], dim: number):
    { layout: Layout; lines: number; outStride: number } {
  const os = contiguousStrides(shape);
  const others = shape.map((_, d) => d).filter((d) => d !== dim);
  const layout = collapse(others.map((d) => shape[d]), [others.map((d) => strides[d]), others.map((d) => os[d])]);
  return { layout, lines: numel(layout.shape), outStride: os[dim] };
}

/** True when a collapsed layout's operand k is read as offset + linear index. */
export function isLinear(l: Layout, k: number): boolean {
  return l.shape.length === 0 || (l.shape.length === 1 && l.strides[k][0] === 1);
}

/** Output size of a pooling/conv window along one dim, as PyTorch computes it. */
export function windowOut(size: number, kernel: number, stride: number, pad: number, dilation: number, ceil: boolean): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // The last window must start inside the input or the left padding (PyTorch's pooling_output_shape).
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}
