// runtime/tensor/composed.ts
// Convolution and pooling composed from a backend's core primitives (fill, copy, gather,
// scatterAdd, matmul, reduce, binary), for a backend that leaves those fast paths out: a new
// backend is correct first and fast second (DESIGN §4). Windows are gathered through an int32
// index table built on the host (im2col): every position a window reads outside the input points at
// one extra element after the input's, which holds the padding value. kernels.ts calls these only
// where Backend.conv2d and the rest are missing; the signatures are the fast paths'.

import type { Backend, Conv2dOpts, Pool2dOpts, Storage, View } from "./backend";
import { contiguousStrides, sizeOf, windowOutSize } from "./shape";

const flat = (buf: Storage, n: number, offset = 0): View => ({ buf, shape: [n], strides: [1], offset });
const plain = (buf: Storage, shape: readonly number[]): View => ({ buf, shape, strides: contiguousStrides(shape), offset: 0 });

/** x's elements in a new storage of n + 1 elements, the last one `pad`. */
function padded(be: Backend, x: View, pad: number): Storage {
  const n = sizeOf(x.shape);
  const s = be.alloc(n + 1, "float32");
  be.fill(s, pad);
  be.copy(x, s);
  return s;
}

function indexStorage(be: Backend, idx: Int32Array): Storage {
  const s = be.alloc(idx.length, "int32");
  be.write(s, idx);
  return s;
}

interface Windows { P: number; KK: number; OH: number; OW: number }

/**
 * The flat input index of every window element, [planes, OH * OW, KH * KW] over planes of [H, W]
 * (n = the input's size for a position outside the input); with `plane`, the index within the
 * plane instead (-1 outside), as max pooling's indices are.
 */
function windowTable(planes: number, H: number, W: number, OH: number, OW: number, kernel: readonly number[],
  stride: readonly number[], padding: readonly number[], dilation: readonly number[], plane = false): Int32Array {
  const [KH, KW] = kernel, KK = KH * KW, n = planes * H * W;
  const t = new Int32Array(planes * OH * OW * KK);
  let q = 0;
  for (let p = 0; p < planes; p++)
    for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++)
      for (let i = 0; i < KH; i++) {
        const ih = oh * stride[0] - padding[0] + i * dilation[0];
        for (let j = 0; j < KW; j++, q++) {
          const iw = ow * stride[1] - padding[1] + j * dilation[1];
          const inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
          t[q] = plane ? (inside ? ih * W + iw : -1) : inside ? (p * H + ih) * W + iw : n;
        }
      }
  return t;
}

// ---- convolution: im2col columns [N, G, P, K] (P = OH * OW, K = C/G * KH * KW), then GEMM ----

function convColumns(be: Backend, x: View, w: View, o: Conv2dOpts): { cols: Storage; idx: Storage; OH: number; OW: number; G: number; K: number } {
  const [N, C, H, W] = x.shape, [, Cg, KH, KW] = w.shape, G = o.groups;
  const OH = windowOutSize(H, KH, o.stride[0], o.padding[0], o.dilation[0]);
  const OW = windowOutSize(W, KW, o.stride[1], o.padding[1], o.dilation[1]);
  const P = OH * OW, K = Cg * KH * KW;
  // One window per (n, g, output position) over the group's Cg channels.
  const table = new Int32Array(N * G * P * K), n = N * C * H * W;
  let q = 0;
  for (let b = 0; b < N; b++) for (let g = 0; g < G; g++)
    for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++)
      for (let c = 0; c < Cg; c++) for (let i = 0; i < KH; i++) {
        const ih = oh * o.stride[0] - o.padding[0] + i * o.dilation[0];
        for (let j = 0; j < KW; j++, q++) {
          const iw = ow * o.stride[1] - o.padding[1] + j * o.dilation[1];
          table[q] = ih >= 0 && ih < H && iw >= 0 && iw < W ? ((b * C + g * Cg + c) * H + ih) * W + iw : n;
        }
      }
  const idx = indexStorage(be, table);
  const xs = padded(be, x, 0);
  const cols = be.alloc(table.length, "float32");
  be.gather(flat(xs, n + 1), 0, flat(idx, table.length), cols);
  be.free(xs);
  return { cols, idx, OH, OW, G, K };
}

/** A contiguous w [O, C/G, KH, KW] as [N (broadcast), G, O/G, K]. */
function weightView(w: View, N: number, G: number, K: number): View {
  const Og = w.shape[0] / G;
  return { buf: w.buf, shape: [N, G, Og, K], strides: [0, Og * K, K, 1], offset: w.offset };
}

export function conv2d(be: Backend, x: View, w: View, bias: View | null, o: Conv2dOpts, out: Storage): void {
  x = contiguousOf(be, x); w = contiguousOf(be, w);
  const N = x.shape[0], O = w.shape[0];
  const { cols, idx, OH, OW, G, K } = convColumns(be, x, w, o);
  const P = OH * OW;
  // out [N, G, Og, P] (= NCHW) = w [G, Og, K] @ cols^T [N, G, K, P]
  be.matmul(weightView(w, N, G, K), { buf: cols, shape: [N, G, K, P], strides: [G * P * K, P * K, 1, K], offset: 0 }, out);
  if (bias) {
    const o4: View = plain(out, [N, O, P]);
    be.binary("add", o4, { buf: bias.buf, shape: [N, O, P], strides: [0, bias.strides[0], 0], offset: bias.offset }, out);
  }
  be.free(cols); be.free(idx);
  releaseContiguous(be, x); releaseContiguous(be, w);
}

export function conv2dBackward(be: Backend, x: View, w: View, gradOut: View, o: Conv2dOpts,
  gx: Storage | null, gw: Storage | null, gb: Storage | null): void {
  x = contiguousOf(be, x); w = contiguousOf(be, w);
  const g = contiguousOf(be, gradOut);
  const [N, C, H, W] = x.shape, O = w.shape[0];
  const { cols, idx, OH, OW, G, K } = convColumns(be, x, w, o);
  const P = OH * OW, Og = O / G, M = N * G * P * K;
  // g [N, O, P] seen as [N, G, Og, P]
  const g4: View = { buf: g.buf, shape: [N, G, Og, P], strides: [O * P, Og * P, P, 1], offset: g.offset };
  if (gb) be.reduce("sum", { buf: g.buf, shape: [N, O, P], strides: [O * P, P, 1], offset: g.offset }, [0, 2], gb);
  if (gw) {
    // gw [G, Og, K] = sum over n of g [n, G, Og, P] @ cols [n, G, P, K]
    const t = be.alloc(N * G * Og * K, "float32");
    be.matmul(g4, plain(cols, [N, G, P, K]), t);
    be.reduce("sum", plain(t, [N, G * Og * K]), [0], gw);
    be.free(t);
  }
  if (gx) {
    // columns' gradient [N, G, P, K] = g^T [N, G, P, Og] @ w [G, Og, K], added back into the input
    const gc = be.alloc(M, "float32");
    be.matmul({ buf: g.buf, shape: [N, G, P, Og], strides: [O * P, Og * P, 1, P], offset: g.offset }, weightView(w, N, G, K), gc);
    const n = N * C * H * W, acc = be.alloc(n + 1, "float32");
    be.fill(acc, 0);
    be.scatterAdd(acc, [n + 1], 0, flat(idx, M), flat(gc, M));
    be.copy(flat(acc, n), gx);
    be.free(acc); be.free(gc);
  }
  be.free(cols); be.free(idx);
  releaseContiguous(be, x); releaseContiguous(be, w); releaseContiguous(be, g);
}

// ---- pooling: windows [planes * OH * OW, KH * KW], then reduce ----

function poolWindows(x: View, o: Pool2dOpts, dilation: readonly number[]): Windows & { H: number; W: number } {
  const [N, C, H, W] = x.shape;
  const OH = windowOutSize(H, o.kernel[0], o.stride[0], o.padding[0], dilation[0], o.ceilMode);
  const OW = windowOutSize(W, o.kernel[1], o.stride[1], o.padding[1], dilation[1], o.ceilMode);
  return { P: N * C, H, W, OH, OW, KK: o.kernel[0] * o.kernel[1] };
}

/** The window values of x (the padding value outside the input), [R, KK] contiguous. */
function gatherWindows(be: Backend, x: View, o: Pool2dOpts, dilation: readonly number[], pad: number): { vals: Storage; R: number; KK: number } {
  const { P, H, W, OH, OW, KK } = poolWindows(x, o, dilation);
  const table = windowTable(P, H, W, OH, OW, o.kernel, o.stride, o.padding, dilation);
  const idx = indexStorage(be, table), xs = padded(be, x, pad);
  const vals = be.alloc(table.length, "float32");
  be.gather(flat(xs, P * H * W + 1), 0, flat(idx, table.length), vals);
  be.free(xs); be.free(idx);
  return { vals, R: P * OH * OW, KK };
}

export function maxPool2d(be: Backend, x: View, o: Pool2dOpts, out: Storage, indices: Storage): void {
  const { P, H, W, OH, OW } = poolWindows(x, o, o.dilation);
  const { vals, R, KK } = gatherWindows(be, x, o, o.dilation, -Infinity);
  be.reduce("max", plain(vals, [R, KK]), [1], out);
  // The winner's index within its window, then the plane index that window position reads.
  const k = be.alloc(R, "int32");
  be.reduce("argmax", plain(vals, [R, KK]), [1], k);
  const planeIdx = indexStorage(be, windowTable(P, H, W, OH, OW, o.kernel, o.stride, o.padding, o.dilation, true));
  be.gather(plain(planeIdx, [R, KK]), 1, plain(k, [R, 1]), indices);
  be.free(planeIdx); be.free(k); be.free(vals);
}

export function maxPool2dBackward(be: Backend, gradOut: View, indices: View, inputShape: readonly number[], gx: Storage): void {
  const [N, C, H, W] = inputShape, P = N * C, R = sizeOf(gradOut.shape), per = R / Math.max(P, 1);
  // Flat input index = plane * H * W + index within the plane.
  const base = new Int32Array(P);
  for (let p = 0; p < P; p++) base[p] = p * H * W;
  const bs = indexStorage(be, base), flatIdx = be.alloc(R, "int32");
  be.binary("add", { buf: indices.buf, shape: [P, per], strides: [per, 1], offset: indices.offset }, { buf: bs, shape: [P, per], strides: [1, 0], offset: 0 }, flatIdx);
  const g = contiguousOf(be, gradOut);
  be.fill(gx, 0);
  be.scatterAdd(gx, [P * H * W], 0, flat(flatIdx, R), { buf: g.buf, shape: [R], strides: [1], offset: g.offset });
  be.free(bs); be.free(flatIdx);
  releaseContiguous(be, g);
}

/** Each output's divisor, as cpu/nn.ts (PyTorch's avg_pool2d): the window clipped to the padded
 * input, or to the input when countIncludePad is false. */
function avgDivisors(P: number, H: number, W: number, OH: number, OW: number, o: Pool2dOpts): Float32Array {
  const d = new Float32Array(P * OH * OW);
  let q = 0;
  for (let p = 0; p < P; p++)
    for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++, q++) {
      let h0 = oh * o.stride[0] - o.padding[0], w0 = ow * o.stride[1] - o.padding[1];
      let h1 = Math.min(h0 + o.kernel[0], H + o.padding[0]), w1 = Math.min(w0 + o.kernel[1], W + o.padding[1]);
      const all = (h1 - h0) * (w1 - w0);
      h0 = Math.max(h0, 0); w0 = Math.max(w0, 0); h1 = Math.min(h1, H); w1 = Math.min(w1, W);
      d[q] = o.countIncludePad ? all : (h1 - h0) * (w1 - w0);
    }
  return d;
}

function divisorStorage(be: Backend, d: Float32Array): Storage {
  const s = be.alloc(d.length, "float32");
  be.write(s, d);
  return s;
}

export function avgPool2d(be: Backend, x: View, o: Pool2dOpts, out: Storage): void {
  const ones = [1, 1];
  const { P, H, W, OH, OW } = poolWindows(x, o, ones);
  const { vals, R, KK } = gatherWindows(be, x, o, ones, 0);
  be.reduce("sum", plain(vals, [R, KK]), [1], out);
  const div = divisorStorage(be, avgDivisors(P, H, W, OH, OW, o));
  be.binary("div", flat(out, R), flat(div, R), out);
  be.free(div); be.free(vals);
}

export function avgPool2dBackward(be: Backend, gradOut: View, inputShape: readonly number[], o: Pool2dOpts, gx: Storage): void {
  const [N, C, H, W] = inputShape, P = N * C, ones = [1, 1];
  const OH = gradOut.shape[2], OW = gradOut.shape[3], R = P * OH * OW, KK = o.kernel[0] * o.kernel[1];
  const div = divisorStorage(be, avgDivisors(P, H, W, OH, OW, o));
  const g = contiguousOf(be, gradOut);
  const share = be.alloc(R, "float32");
  be.binary("div", { buf: g.buf, shape: [R], strides: [1], offset: g.offset }, flat(div, R), share);
  // Every window element receives its output's share.
  const spread = be.alloc(R * KK, "float32");
  be.copy({ buf: share, shape: [R, KK], strides: [1, 0], offset: 0 }, spread);
  const idx = indexStorage(be, windowTable(P, H, W, OH, OW, o.kernel, o.stride, o.padding, ones));
  const n = P * H * W, acc = be.alloc(n + 1, "float32");
  be.fill(acc, 0);
  be.scatterAdd(acc, [n + 1], 0, flat(idx, R * KK), flat(spread, R * KK));
  be.copy(flat(acc, n), gx);
  be.free(acc); be.free(idx); be.free(spread); be.free(share); be.free(div);
  releaseContiguous(be, g);
}

// ---- contiguous operands ----

const copies = new WeakSet<View>();

/** v itself when it is contiguous, else a contiguous copy (given back by releaseContiguous). */
function contiguousOf(be: Backend, v: View): View {
  const cs = contiguousStrides(v.shape);
  if (v.shape.every((d, i) => d === 1 || v.strides[i] === cs[i])) return v;
  const s = be.alloc(sizeOf(v.shape), v.buf.dtype);
  be.copy(v, s);
  const c = plain(s, v.shape);
  copies.add(c);
  return c;
}

function releaseContiguous(be: Backend, v: View): void {
  if (copies.has(v)) { copies.delete(v); be.free(v.buf); }
}
