// gpu/nn_ops.ts
// The Backend's fast paths for networks on WebGPU: conv2d and its gradients (implicit GEMM,
// wgsl/conv.ts), max/avg pooling with backward (wgsl/pool.ts), softmax/log-softmax and the fused
// Adam step. NCHW float32 only, as the contract says. Called through WebGpuBackend's methods.

import type { AdamStepOpts, Conv2dOpts, Pool2dOpts, Storage, View } from "../runtime/tensor/backend";
import { DTypeError } from "../runtime/tensor/errors";
import { linesAlong, windowOutSize } from "../runtime/tensor/shape";
import type { WebGpuBackend } from "./backend";
import type { GpuStorage } from "./buffers";
import { Params } from "./queue";
import { adamKernel } from "./wgsl/adam";
import { CONV_PARAMS, ConvParam, convForwardKernel, convGradInputKernel, convGradWeightKernel } from "./wgsl/conv";
import { TILE_64, Tile, pickTile } from "./wgsl/matmul";
import { avgPoolBackwardKernel, avgPoolKernel, maxPoolBackwardKernel, maxPoolKernel } from "./wgsl/pool";
import { softmaxKernel } from "./wgsl/softmax";

function requireF32(op: string, ...vs: (View | Storage | null)[]): void {
  for (const v of vs) {
    const dtype = v === null ? null : "buf" in v ? v.buf.dtype : v.dtype;
    if (dtype !== null && dtype !== "float32")
      throw new DTypeError(`${op}: webgpu computes this in float32, got ${dtype}`, "cast with .float()");
  }
}

/** An unbatched [C, H, W] View read as [1, C, H, W]. */
function as4d(v: View): View {
  return v.shape.length === 4 ? v : { ...v, shape: [1, ...v.shape], strides: [0, ...v.strides] };
}

interface ConvGeometry { Nb: number; Cin: number; H: number; W: number; Cout: number; OH: number; OW: number; KH: number; KW: number; G: number }

function geometry(x: View, w: View, o: Conv2dOpts): ConvGeometry {
  const [Nb, Cin, H, W] = x.shape;
  const [Cout, , KH, KW] = w.shape;
  return { Nb, Cin, H, W, Cout, KH, KW, G: o.groups,
    OH: windowOutSize(H, KH, o.stride[0], o.padding[0], o.dilation[0], false),
    OW: windowOutSize(W, KW, o.stride[1], o.padding[1], o.dilation[1], false) };
}

function convParams(m: number, n: number, k: number, g: ConvGeometry, o: Conv2dOpts, splits: number,
  x: View | null, w: View | null, go: View | null, bias: View | null): Params {
  const vals: Record<ConvParam, number> = {
    Nb: g.Nb, Cin: g.Cin, H: g.H, W: g.W, Cout: g.Cout, OH: g.OH, OW: g.OW, KH: g.KH, KW: g.KW,
    sh: o.stride[0], sw: o.stride[1], ph: o.padding[0], pw: o.padding[1], dh: o.dilation[0], dw: o.dilation[1],
    Cin_g: g.Cin / g.G, Cout_g: g.Cout / g.G, splits,
    xoff: x?.offset ?? 0, xs0: x?.strides[0] ?? 0, xs1: x?.strides[1] ?? 0, xs2: x?.strides[2] ?? 0, xs3: x?.strides[3] ?? 0,
    woff: w?.offset ?? 0, ws0: w?.strides[0] ?? 0, ws1: w?.strides[1] ?? 0, ws2: w?.strides[2] ?? 0, ws3: w?.strides[3] ?? 0,
    goff: go?.offset ?? 0, gs0: go?.strides[0] ?? 0, gs1: go?.strides[1] ?? 0, gs2: go?.strides[2] ?? 0, gs3: go?.strides[3] ?? 0,
    boff: bias?.offset ?? 0, bs0: bias?.strides[0] ?? 0,
  };
  return new Params().u32(m, n, k, ...CONV_PARAMS.map((name) => vals[name]));
}

const tileKey = (t: Tile) => `${t.BM}x${t.BN}`;

function gemmGroups(m: number, n: number, z: number, t: Tile): [number, number, number] {
  return [Math.ceil(n / t.BN), Math.ceil(m / t.BM), z];
}

export function conv2d(be: WebGpuBackend, x: View, w: View, bias: View | null, opts: Conv2dOpts, out: Storage): void {
  be.check();
  requireF32("conv2d", x, w, bias, out);
  const temps: GpuStorage[] = [];
  x = as4d(be.unalias(x, [out], temps));
  w = be.unalias(w, [out], temps);
  bias = bias && be.unalias(bias, [out], temps);
  const g = geometry(x, w, opts);
  const M = g.Cout / g.G, N = g.Nb * g.OH * g.OW, K = (g.Cin / g.G) * g.KH * g.KW;
  if (M * N === 0) return;
  const tile = pickTile(M, N);
  const p = be.pipeline(`conv2d|${tileKey(tile)}|${bias ? "bias" : "nobias"}`, () => convForwardKernel(tile, bias !== null));
  const storages = [be.gs(out), be.gs(x.buf), be.gs(w.buf)];
  if (bias) storages.push(be.gs(bias.buf));
  be.queue.dispatch(p, storages, convParams(M, N, K, g, opts, 1, x, w, null, bias), gemmGroups(M, N, g.G, tile));
  be.freeTemps(temps);
}

export function conv2dBackward(be: WebGpuBackend, x: View, w: View, gradOut: View, opts: Conv2dOpts,
  gx: Storage | null, gw: Storage | null, gb: Storage | null): void {
  be.check();
  requireF32("conv2dBackward", x, w, gradOut, gx, gw, gb);
  const temps: GpuStorage[] = [];
  const outs = [gx, gw, gb];
  x = as4d(be.unalias(x, outs, temps));
  w = be.unalias(w, outs, temps);
  gradOut = as4d(be.unalias(gradOut, outs, temps));
  const g = geometry(x, w, opts);
  const Cin_g = g.Cin / g.G, Cout_g = g.Cout / g.G;
  if (gx) {
    const M = Cin_g, N = g.Nb * g.H * g.W, K = Cout_g * g.KH * g.KW;
    const tile = pickTile(M, N);
    const p = be.pipeline(`conv2d_grad_input|${tileKey(tile)}`, () => convGradInputKernel(tile));
    be.queue.dispatch(p, [be.gs(gx), be.gs(gradOut.buf), be.gs(w.buf)], convParams(M, N, K, g, opts, 1, null, w, gradOut, null),
      gemmGroups(M, N, g.G, tile));
  }
  if (gw) {
    const M = Cout_g, N = Cin_g * g.KH * g.KW, K = g.Nb * g.OH * g.OW;
    const tile = TILE_64;
    // Split K (batch x pixels, long) across z when there are too few output tiles to fill the device.
    const tiles = Math.ceil(M / tile.BM) * Math.ceil(N / tile.BN) * g.G;
    const splits = Math.max(1, Math.min(Math.ceil(256 / tiles), Math.floor(K / 1024), Math.floor(65535 / g.G)));
    const dst = splits === 1 ? be.gs(gw) : be.temp(splits * g.Cout * N, "float32");
    const p = be.pipeline(`conv2d_grad_weight|${tileKey(tile)}`, () => convGradWeightKernel(tile));
    be.queue.dispatch(p, [dst, be.gs(gradOut.buf), be.gs(x.buf)], convParams(M, N, K, g, opts, splits, x, null, gradOut, null),
      gemmGroups(M, N, g.G * splits, tile));
    if (splits > 1) {
      const per = g.Cout * N;
      be.reduce("sum", { buf: dst, shape: [splits, per], strides: [per, 1], offset: 0 }, [0], gw);
      be.freeTemps([dst]);
    }
  }
  if (gb) be.reduce("sum", gradOut, [0, 2, 3], gb);
  be.freeTemps(temps);
}

function poolParams(n: number, x: View, OH: number, OW: number, o: Pool2dOpts): Params {
  const [, C, H, W] = x.shape;
  return new Params().u32(n, C, H, W, OH, OW, o.kernel[0], o.kernel[1], o.stride[0], o.stride[1], o.padding[0], o.padding[1],
    o.dilation[0], o.dilation[1], o.countIncludePad ? 1 : 0, x.offset, ...x.strides);
}

function poolOut(x: View, o: Pool2dOpts, dilation: [number, number]): [number, number] {
  return [windowOutSize(x.shape[2], o.kernel[0], o.stride[0], o.padding[0], dilation[0], o.ceilMode),
    windowOutSize(x.shape[3], o.kernel[1], o.stride[1], o.padding[1], dilation[1], o.ceilMode)];
}

export function maxPool2d(be: WebGpuBackend, x: View, opts: Pool2dOpts, out: Storage, indices: Storage): void {
  be.check();
  requireF32("maxPool2d", x, out);
  const temps: GpuStorage[] = [];
  x = as4d(be.unalias(x, [out, indices], temps));
  const [OH, OW] = poolOut(x, opts, opts.dilation);
  const n = x.shape[0] * x.shape[1] * OH * OW;
  be.run(be.pipeline("max_pool2d", maxPoolKernel), [be.gs(out), be.gs(indices), be.gs(x.buf)], poolParams(n, x, OH, OW, opts), n);
  be.freeTemps(temps);
}

export function maxPool2dBackward(be: WebGpuBackend, gradOut: View, indices: View, inputShape: readonly number[], gx: Storage): void {
  be.check();
  requireF32("maxPool2dBackward", gradOut, gx);
  const temps: GpuStorage[] = [];
  gradOut = as4d(be.unalias(gradOut, [gx], temps));
  indices = as4d(be.unalias(indices, [gx], temps));
  const [N, C, OH, OW] = gradOut.shape;
  const plane = inputShape[inputShape.length - 2] * inputShape[inputShape.length - 1];
  be.fill(gx, 0);
  const n = N * C * OH * OW;
  const params = new Params().u32(n, C, OH, OW, plane, gradOut.offset, ...gradOut.strides, indices.offset, ...indices.strides);
  be.run(be.pipeline("max_pool2d_backward", maxPoolBackwardKernel), [be.gs(gx), be.gs(gradOut.buf), be.gs(indices.buf)], params, n);
  be.freeTemps(temps);
}

export function avgPool2d(be: WebGpuBackend, x: View, opts: Pool2dOpts, out: Storage): void {
  be.check();
  requireF32("avgPool2d", x, out);
  const temps: GpuStorage[] = [];
  x = as4d(be.unalias(x, [out], temps));
  const [OH, OW] = poolOut(x, opts, [1, 1]);
  const n = x.shape[0] * x.shape[1] * OH * OW;
  be.run(be.pipeline("avg_pool2d", avgPoolKernel), [be.gs(out), be.gs(x.buf)], poolParams(n, x, OH, OW, { ...opts, dilation: [1, 1] }), n);
  be.freeTemps(temps);
}

export function avgPool2dBackward(be: WebGpuBackend, gradOut: View, inputShape: readonly number[], opts: Pool2dOpts, gx: Storage): void {
  be.check();
  requireF32("avgPool2dBackward", gradOut, gx);
  const temps: GpuStorage[] = [];
  gradOut = as4d(be.unalias(gradOut, [gx], temps));
  const [N, C, H, W] = inputShape.length === 4 ? inputShape : [1, ...inputShape];
  const [, , OH, OW] = gradOut.shape;
  const n = N * C * H * W;
  const shaped: View = { ...gradOut, shape: [N, C, H, W] };
  be.run(be.pipeline("avg_pool2d_backward", avgPoolBackwardKernel), [be.gs(gx), be.gs(gradOut.buf)],
    poolParams(n, shaped, OH, OW, { ...opts, dilation: [1, 1] }), n);
  be.freeTemps(temps);
}

export function softmax(be: WebGpuBackend, x: View, dim: number, out: Storage, log: boolean): void {
  be.check();
  requireF32(log ? "logSoftmax" : "softmax", x, out);
  const temps: GpuStorage[] = [];
  x = be.unalias(x, [out], temps);
  const { layout: l, lines, outStride } = linesAlong(x.shape, x.strides, dim);
  if (lines === 0 || x.shape[dim] === 0) return;
  const rank = l.shape.length;
  const params = new Params().u32(lines, x.shape[dim], x.offset, x.strides[dim], outStride, rank, ...l.shape, ...l.strides[0], ...l.strides[1]);
  const p = be.pipeline(`softmax|${log ? "log" : "exp"}`, () => softmaxKernel(log));
  be.queue.dispatch(p, [be.gs(out), be.gs(x.buf)], params, be.queue.grid(lines, 1));
  be.freeTemps(temps);
}

export function adamStep(be: WebGpuBackend, param: Storage, grad: Storage, m: Storage, v: Storage, o: AdamStepOpts): void {
  be.check();
  requireF32("adamStep", param, grad, m, v);
  const bc1 = 1 - o.beta1 ** o.step;
  const bc2 = 1 - o.beta2 ** o.step;
  const params = new Params().u32(param.length).f32(o.lr).f32(o.beta1).f32(o.beta2).f32(o.eps).f32(o.weightDecay)
    .f32(o.lr / bc1).f32(Math.sqrt(bc2)).u32(o.decoupled ? 1 : 0);
  be.run(be.pipeline("adam_step", adamKernel), [be.gs(param), be.gs(grad), be.gs(m), be.gs(v)], params, param.length);
}
