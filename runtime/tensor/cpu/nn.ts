// runtime/tensor/cpu/nn.ts
// Reference CPU kernels for convolution (im2col + GEMM), pooling, softmax and the fused Adam step,
// on contiguous NCHW arrays. reference.ts hands them contiguous data; the native backend replaces them.

import type { AdamStepOpts, Conv2dOpts, Pool2dOpts } from "../backend";
import type { TypedArray } from "../dtype";
import { gemm } from "./gemm";
import { windowOutSize } from "../shape";

interface ConvGeom { N: number; C: number; H: number; W: number; O: number; Cg: number; Og: number; KH: number; KW: number; OH: number; OW: number; G: number }

function geometry(xs: readonly number[], ws: readonly number[], o: Conv2dOpts): ConvGeom {
  const [N, C, H, W] = xs, [O, Cg, KH, KW] = ws, G = o.groups;
  return { N, C, H, W, O, Cg, Og: O / G, KH, KW, G,
    OH: windowOutSize(H, KH, o.stride[0], o.padding[0], o.dilation[0]),
    OW: windowOutSize(W, KW, o.stride[1], o.padding[1], o.dilation[1]) };
}

function im2col(x: TypedArray, xOff: number, g: ConvGeom, o: Conv2dOpts, col: TypedArray): void {
  const { H, W, Cg, KH, KW, OH, OW } = g, L = OH * OW;
  const [sh, sw] = o.stride, [ph, pw] = o.padding, [dh, dw] = o.dilation;
  for (let c = 0; c < Cg; c++) for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
    const row = ((c * KH + kh) * KW + kw) * L, plane = xOff + c * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const ih = oh * sh - ph + kh * dh, r = row + oh * OW;
      if (ih < 0 || ih >= H) { for (let ow = 0; ow < OW; ow++) col[r + ow] = 0; continue; }
      for (let ow = 0; ow < OW; ow++) {
        const iw = ow * sw - pw + kw * dw;
        col[r + ow] = iw >= 0 && iw < W ? x[plane + ih * W + iw] : 0;
      }
    }
  }
}

function col2im(col: TypedArray, g: ConvGeom, o: Conv2dOpts, gx: TypedArray, xOff: number): void {
  const { H, W, Cg, KH, KW, OH, OW } = g, L = OH * OW;
  const [sh, sw] = o.stride, [ph, pw] = o.padding, [dh, dw] = o.dilation;
  for (let c = 0; c < Cg; c++) for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
    const row = ((c * KH + kh) * KW + kw) * L, plane = xOff + c * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const ih = oh * sh - ph + kh * dh;
      if (ih < 0 || ih >= H) continue;
      for (let ow = 0; ow < OW; ow++) {
        const iw = ow * sw - pw + kw * dw;
        if (iw >= 0 && iw < W) gx[plane + ih * W + iw] += col[row + oh * OW + ow];
      }
    }
  }
}

export function conv2d(x: TypedArray, xs: readonly number[], w: TypedArray, ws: readonly number[], bias: TypedArray | null,
  opts: Conv2dOpts, out: TypedArray): void {
  const g = geometry(xs, ws, opts), L = g.OH * g.OW, K = g.Cg * g.KH * g.KW;
  const col = new (x.constructor as Float32ArrayConstructor)(K * L);
  for (let n = 0; n < g.N; n++) for (let gr = 0; gr < g.G; gr++) {
    im2col(x, (n * g.C + gr * g.Cg) * g.H * g.W, g, opts, col);
    const oOff = (n * g.O + gr * g.Og) * L;
    gemm(w, gr * g.Og * K, K, 1, col, 0, L, 1, out, oOff, g.Og, K, L);
    if (bias) for (let oc = 0; oc < g.Og; oc++) {
      const bv = bias[gr * g.Og + oc], base = oOff + oc * L;
      for (let i = 0; i < L; i++) out[base + i] += bv;
    }
  }
}

export function conv2dBackward(x: TypedArray, xs: readonly number[], w: TypedArray, ws: readonly number[], gy: TypedArray,
  opts: Conv2dOpts, gx: TypedArray | null, gw: TypedArray | null, gb: TypedArray | null): void {
  const g = geometry(xs, ws, opts), L = g.OH * g.OW, K = g.Cg * g.KH * g.KW;
  const Ctor = x.constructor as Float32ArrayConstructor;
  const col = new Ctor(K * L), tmp = gw ? new Ctor(g.Og * K) : null;
  if (gx) gx.fill(0);
  if (gw) gw.fill(0);
  for (let n = 0; n < g.N; n++) for (let gr = 0; gr < g.G; gr++) {
    const xOff = (n * g.C + gr * g.Cg) * g.H * g.W, yOff = (n * g.O + gr * g.Og) * L;
    if (gw && tmp) {
      im2col(x, xOff, g, opts, col);
      // gw_g += gy_g [Og, L] @ col^T [L, K]
      gemm(gy, yOff, L, 1, col, 0, 1, L, tmp, 0, g.Og, L, K);
      const base = gr * g.Og * K;
      for (let i = 0; i < tmp.length; i++) gw[base + i] += tmp[i];
    }
    if (gx) {
      // col = W_g^T [K, Og] @ gy_g [Og, L], then scatter back into the input plane
      gemm(w, gr * g.Og * K, 1, K, gy, yOff, L, 1, col, 0, K, g.Og, L);
      col2im(col, g, opts, gx, xOff);
    }
  }
  if (gb) {
    gb.fill(0);
    for (let n = 0; n < g.N; n++) for (let oc = 0; oc < g.O; oc++) {
      let acc = 0;
      const base = (n * g.O + oc) * L;
      for (let i = 0; i < L; i++) acc += gy[base + i];
      gb[oc] += acc;
    }
  }
}

function poolGeom(xs: readonly number[], o: Pool2dOpts) {
  const [N, C, H, W] = xs;
  return { P: N * C, H, W,
    OH: windowOutSize(H, o.kernel[0], o.stride[0], o.padding[0], o.dilation[0], o.ceilMode),
    OW: windowOutSize(W, o.kernel[1], o.stride[1], o.padding[1], o.dilation[1], o.ceilMode) };
}

export function maxPool2d(x: TypedArray, xs: readonly number[], o: Pool2dOpts, out: TypedArray, idx: Int32Array): void {
  const { P, H, W, OH, OW } = poolGeom(xs, o);
  const [kh, kw] = o.kernel, [sh, sw] = o.stride, [ph, pw] = o.padding, [dh, dw] = o.dilation;
  let q = 0;
  for (let p = 0; p < P; p++) {
    const plane = p * H * W;
    for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++, q++) {
      let best = -Infinity, bi = -1;
      for (let i = 0; i < kh; i++) {
        const ih = oh * sh - ph + i * dh;
        if (ih < 0 || ih >= H) continue;
        for (let j = 0; j < kw; j++) {
          const iw = ow * sw - pw + j * dw;
          if (iw < 0 || iw >= W) continue;
          const v = x[plane + ih * W + iw];
          if (v > best || v !== v || bi < 0) { best = v; bi = ih * W + iw; if (v !== v) break; }
        }
      }
      out[q] = best;
      idx[q] = bi;
    }
  }
}

export function maxPool2dBackward(gy: TypedArray, ys: readonly number[], idx: Int32Array, xs: readonly number[], gx: TypedArray): void {
  const plane = xs[2] * xs[3], L = ys[2] * ys[3], P = ys[0] * ys[1];
  gx.fill(0);
  for (let p = 0; p < P; p++) for (let i = 0; i < L; i++) gx[p * plane + idx[p * L + i]] += gy[p * L + i];
}

function avgWindows(o: Pool2dOpts, H: number, W: number, OH: number, OW: number, visit: (oh: number, ow: number, h0: number, h1: number, w0: number, w1: number, div: number) => void): void {
  const [kh, kw] = o.kernel, [sh, sw] = o.stride, [ph, pw] = o.padding;
  for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    let h0 = oh * sh - ph, w0 = ow * sw - pw;
    let h1 = Math.min(h0 + kh, H + ph), w1 = Math.min(w0 + kw, W + pw);
    const padded = (h1 - h0) * (w1 - w0);
    h0 = Math.max(h0, 0); w0 = Math.max(w0, 0); h1 = Math.min(h1, H); w1 = Math.min(w1, W);
    visit(oh, ow, h0, h1, w0, w1, o.countIncludePad ? padded : (h1 - h0) * (w1 - w0));
  }
}

export function avgPool2d(x: TypedArray, xs: readonly number[], o: Pool2dOpts, out: TypedArray): void {
  const { P, H, W, OH, OW } = poolGeom(xs, o);
  for (let p = 0; p < P; p++) {
    const plane = p * H * W, ob = p * OH * OW;
    avgWindows(o, H, W, OH, OW, (oh, ow, h0, h1, w0, w1, div) => {
      let acc = 0;
      for (let i = h0; i < h1; i++) for (let j = w0; j < w1; j++) acc += x[plane + i * W + j];
      out[ob + oh * OW + ow] = acc / div;
    });
  }
}

export function avgPool2dBackward(gy: TypedArray, ys: readonly number[], xs: readonly number[], o: Pool2dOpts, gx: TypedArray): void {
  const P = xs[0] * xs[1], H = xs[2], W = xs[3], OH = ys[2], OW = ys[3];
  gx.fill(0);
  for (let p = 0; p < P; p++) {
    const plane = p * H * W, ob = p * OH * OW;
    avgWindows(o, H, W, OH, OW, (oh, ow, h0, h1, w0, w1, div) => {
      const g = gy[ob + oh * OW + ow] / div;
      for (let i = h0; i < h1; i++) for (let j = w0; j < w1; j++) gx[plane + i * W + j] += g;
    });
  }
}

/** Softmax (or log-softmax) over the middle axis of a contiguous [outer, n, inner] array. */
export function softmax(x: TypedArray, outer: number, n: number, inner: number, out: TypedArray, log: boolean): void {
  for (let a = 0; a < outer; a++) for (let b = 0; b < inner; b++) {
    const base = a * n * inner + b;
    let m = -Infinity;
    for (let k = 0; k < n; k++) { const v = x[base + k * inner]; if (v > m) m = v; }
    if (m === -Infinity) m = 0;
    let s = 0;
    for (let k = 0; k < n; k++) s += Math.exp(x[base + k * inner] - m);
    if (log) {
      const ls = Math.log(s) + m;
      for (let k = 0; k < n; k++) out[base + k * inner] = x[base + k * inner] - ls;
    } else {
      const inv = 1 / s;
      for (let k = 0; k < n; k++) out[base + k * inner] = Math.exp(x[base + k * inner] - m) * inv;
    }
  }
}

export function adamStep(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, o: AdamStepOpts): void {
  const { lr, beta1, beta2, eps, weightDecay, step, decoupled } = o;
  const bc1 = 1 - Math.pow(beta1, step), bc2 = Math.sqrt(1 - Math.pow(beta2, step));
  const stepSize = lr / bc1, decay = decoupled ? 1 - lr * weightDecay : 1, l2 = decoupled ? 0 : weightDecay;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] + l2 * p[i];
    const mi = (m[i] = beta1 * m[i] + (1 - beta1) * gi);
    const vi = (v[i] = beta2 * v[i] + (1 - beta2) * gi * gi);
    p[i] = p[i] * decay - stepSize * mi / (Math.sqrt(vi) / bc2 + eps);
  }
}
