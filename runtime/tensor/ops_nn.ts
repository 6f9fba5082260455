// runtime/tensor/ops_nn.ts
// Neural-network ops: conv2d (backend kernels for forward and both gradients), max/avg/adaptive
// pooling, batch norm (training and eval; updates running stats in place), layer norm, dropout,
// normalize. Norms are composed from differentiable ops, so their gradients come from autograd.

import type { Conv2dOpts, Pool2dOpts } from "./backend";
import { isFloat } from "./dtype";
import { noGrad, record, type BackwardFn, type Node } from "./autograd";
import { DTypeError, ShapeError } from "./errors";
import { avgPool2dBackwardK, avgPool2dK, conv2dBackwardK, conv2dK, conv2dReluK, empty, maxPool2dBackwardK, maxPool2dK, sameDevice } from "./kernels";
import { formatShape, windowOutSize } from "./shape";
import type { Tensor } from "./tensor";
import * as V from "./ops_view";
import { reluGrad } from "./ops_elementwise";
import { rand } from "./creation";

type Pair = number | readonly [number, number];
const pair = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);

/** Options of F.conv2d (PyTorch's keyword arguments): stride (1), padding (0; a number, [h, w], "valid" or "same"), dilation (1), groups (1). */
export interface Conv2dOptions { stride?: Pair; padding?: Pair | "valid" | "same"; dilation?: Pair; groups?: number }

export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  return conv2dMaybeRelu(x, weight, bias ?? null, opts, false);
}

/** relu(conv2d(x, weight, bias)) in one pass where the backend fuses them (#17: nn.Sequential
 * runs a Conv2d followed by a ReLU through this); the same values and gradients as the two ops. */
export function conv2dRelu(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  return conv2dMaybeRelu(x, weight, bias ?? null, opts, true);
}

function conv2dMaybeRelu(x: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv2dOptions, relu: boolean): Tensor {
  if (x.ndim === 3) return conv2dMaybeRelu(x.unsqueeze(0), weight, bias, opts, relu).squeeze(0);
  const { co, shape } = convSetup(x, weight, bias, opts);
  const out = empty(x._backend(), shape, x.dtype);
  if (relu) conv2dReluK(x, weight, bias, co, out);
  else conv2dK(x, weight, bias, co, out);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const node = record(relu ? "conv2d_relu" : "conv2d", inputs, out, relu ? conv2dReluBackward : conv2dBackward, co);
  if (node) { if (relu) node.save(x, weight, out); else node.save(x, weight); }
  return out;
}

/** conv2d's checks (errors name conv2d and both shapes) and its backend options and output shape. */
function convSetup(x: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv2dOptions): { co: Conv2dOpts; shape: number[] } {
  sameDevice("conv2d", x, weight);
  if (x.ndim !== 4 || weight.ndim !== 4) throw new ShapeError(`conv2d: expects input [N, C, H, W] and weight [O, C/groups, kH, kW], got ${formatShape(x.shape)} and ${formatShape(weight.shape)}`);
  if (!isFloat(x.dtype) || x.dtype !== weight.dtype) throw new DTypeError(`conv2d: expects input and weight of one floating-point dtype, got ${x.dtype} and ${weight.dtype}`);
  const groups = opts.groups ?? 1;
  const [O, Cg, KH, KW] = weight.shape, C = x.shape[1];
  if (Cg * groups !== C) throw new ShapeError(`conv2d: input has ${C} channels but weight ${formatShape(weight.shape)} with groups=${groups} expects ${Cg * groups}`);
  if (O % groups !== 0) throw new ShapeError(`conv2d: ${O} output channels are not divisible by groups=${groups}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new ShapeError(`conv2d: bias of shape ${formatShape(bias.shape)} does not match ${O} output channels`);
  const stride = pair(opts.stride ?? 1), dilation = pair(opts.dilation ?? 1);
  let padding: [number, number];
  if (opts.padding === "valid" || opts.padding === undefined) padding = [0, 0];
  else if (opts.padding === "same") {
    if ((dilation[0] * (KH - 1)) % 2 || (dilation[1] * (KW - 1)) % 2 || stride[0] !== 1 || stride[1] !== 1)
      throw new ShapeError(`conv2d: padding "same" needs stride 1 and an odd effective kernel, got kernel [${KH}, ${KW}]`);
    padding = [dilation[0] * (KH - 1) / 2, dilation[1] * (KW - 1) / 2];
  } else padding = pair(opts.padding);
  const co: Conv2dOpts = { stride, padding, dilation, groups };
  const OH = windowOutSize(x.shape[2], KH, stride[0], padding[0], dilation[0]), OW = windowOutSize(x.shape[3], KW, stride[1], padding[1], dilation[1]);
  if (OH <= 0 || OW <= 0) throw new ShapeError(`conv2d: input ${formatShape(x.shape)} is smaller than the kernel [${KH}, ${KW}] (with padding ${padding.join(", ")}, dilation ${dilation.join(", ")})`);
  return { co, shape: [x.shape[0], O, OH, OW] };
}

const conv2dBackward: BackwardFn = (g, [x, w], node) => convGrads(g, x, w, node.ctx as Conv2dOpts, node);

// relu's gradient first (through the output, as relu's own backward: 0 where out <= 0), then conv's.
const conv2dReluBackward: BackwardFn = (g, saved, node) =>
  convGrads(reluGrad(g, saved[2]), saved[0], saved[1], node.ctx as Conv2dOpts, node);

/** The gradients a conv2d node's inputs need (x, weight, bias when it has one). */
function convGrads(g: Tensor, x: Tensor, w: Tensor, co: Conv2dOpts, node: Node): (Tensor | null)[] {
  const b = x._backend();
  const gx = node.needs(0) ? empty(b, x.shape, x.dtype) : null;
  const gw = node.needs(1) ? empty(b, w.shape, w.dtype) : null;
  const gb = node.next.length > 2 && node.needs(2) ? empty(b, [w.shape[0]], w.dtype) : null;
  conv2dBackwardK(x, w, g, co, gx, gw, gb);
  return [gx, gw, gb];
}

/** maxPool2d(relu(conv2d(x, weight, bias)), pool) as one op (#17: nn.Sequential runs a Conv2d, a
 * ReLU and a MaxPool2d so). Forward: the fused conv + ReLU, then the pooling; the activation in
 * between is not kept. Backward: relu's mask is applied to the pooled gradient, at each window's
 * maximum (the pooled value > 0: the test relu's backward makes at that position; every other
 * position of the window gets no gradient from the pool anyway), so the mask costs a pass over
 * the pooled tensor instead of the full activation; the same values as the three ops apart. */
export function conv2dReluMaxPool2d(x: Tensor, weight: Tensor, bias: Tensor | null, convOpts: Conv2dOptions, pool: PoolOptions | Pair): Tensor {
  if (x.ndim !== 4) return maxPool2d(conv2dRelu(x, weight, bias, convOpts), pool);
  const { co, shape } = convSetup(x, weight, bias, convOpts);
  const b = x._backend();
  const h = empty(b, shape, x.dtype);
  conv2dReluK(x, weight, bias, co, h);
  const p = poolOpts("maxPool2d", h, pool);
  const pooled = poolShape(h, p);
  const values = empty(b, pooled, x.dtype), indices = empty(b, pooled, "int32");
  maxPool2dK(h, p, values, indices);
  h.dispose();
  const node = record("conv2d_relu_maxpool2d", bias ? [x, weight, bias] : [x, weight], values, convReluPoolBackward, { co, shape });
  if (node) node.save(x, weight, values, indices);
  else indices.dispose();
  return values;
}

const convReluPoolBackward: BackwardFn = (g, [x, w, values, indices], node) => {
  const { co, shape } = node.ctx as { co: Conv2dOpts; shape: number[] };
  const gh = empty(g._backend(), shape, g.dtype);
  maxPool2dBackwardK(reluGrad(g, values), indices, gh);
  return convGrads(gh, x, w, co, node);
};

/** Options of F.maxPool2d / F.avgPool2d: kernelSize, stride (= kernelSize), padding (0), dilation (1, max only), ceilMode (false), countIncludePad (true, avg only). */
export interface PoolOptions { kernelSize: Pair; stride?: Pair | null; padding?: Pair; dilation?: Pair; ceilMode?: boolean; countIncludePad?: boolean }

function poolOpts(op: string, x: Tensor, o: PoolOptions | Pair): Pool2dOpts {
  const opts: PoolOptions = typeof o === "number" || Array.isArray(o) ? { kernelSize: o as Pair } : (o as PoolOptions);
  const kernel = pair(opts.kernelSize);
  const p: Pool2dOpts = { kernel, stride: pair(opts.stride ?? kernel), padding: pair(opts.padding ?? 0), dilation: pair(opts.dilation ?? 1),
    ceilMode: opts.ceilMode ?? false, countIncludePad: opts.countIncludePad ?? true };
  if (x.ndim !== 4) throw new ShapeError(`${op}: expects input [N, C, H, W], got ${formatShape(x.shape)}`);
  if (p.padding[0] * 2 > kernel[0] || p.padding[1] * 2 > kernel[1])
    throw new ShapeError(`${op}: padding [${p.padding.join(", ")}] should be at most half of kernel size [${kernel.join(", ")}]`);
  return p;
}

function poolShape(x: Tensor, p: Pool2dOpts): number[] {
  return [x.shape[0], x.shape[1],
    windowOutSize(x.shape[2], p.kernel[0], p.stride[0], p.padding[0], p.dilation[0], p.ceilMode),
    windowOutSize(x.shape[3], p.kernel[1], p.stride[1], p.padding[1], p.dilation[1], p.ceilMode)];
}

export function maxPool2dWithIndices(x: Tensor, opts: PoolOptions | Pair): { values: Tensor; indices: Tensor } {
  if (x.ndim === 3) { const r = maxPool2dWithIndices(x.unsqueeze(0), opts); return { values: r.values.squeeze(0), indices: r.indices.squeeze(0) }; }
  const p = poolOpts("maxPool2d", x, opts);
  const shape = poolShape(x, p), b = x._backend();
  const values = empty(b, shape, x.dtype), indices = empty(b, shape, "int32");
  maxPool2dK(x, p, values, indices);
  const node = record("maxPool2d", [x], values, maxPoolBackward);
  if (node) node.save(indices);
  return { values, indices };
}

export function maxPool2d(x: Tensor, opts: PoolOptions | Pair): Tensor {
  return maxPool2dWithIndices(x, opts).values;
}

const maxPoolBackward: BackwardFn = (g, [indices], node) => {
  const b = g._backend(), shape = node.shapes[0];
  const gx = empty(b, shape, g.dtype);
  maxPool2dBackwardK(g, indices, gx);
  return [gx];
};

export function avgPool2d(x: Tensor, opts: PoolOptions | Pair): Tensor {
  if (x.ndim === 3) return avgPool2d(x.unsqueeze(0), opts).squeeze(0);
  const p = poolOpts("avgPool2d", x, opts);
  p.dilation = [1, 1];
  const b = x._backend(), out = empty(b, poolShape(x, p), x.dtype);
  avgPool2dK(x, p, out);
  record("avgPool2d", [x], out, avgPoolBackward, p);
  return out;
}

const avgPoolBackward: BackwardFn = (g, _s, node) => {
  const b = g._backend(), shape = node.shapes[0];
  const gx = empty(b, shape, g.dtype);
  avgPool2dBackwardK(g, node.ctx as Pool2dOpts, gx);
  return [gx];
};

/** Average over adaptive windows: start = floor(i*H/OH), end = ceil((i+1)*H/OH), as PyTorch. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  const [OH, OW] = pair(outputSize);
  const H = x.shape[x.ndim - 2], W = x.shape[x.ndim - 1];
  if (H % OH === 0 && W % OW === 0) return avgPool2d(x, { kernelSize: [H / OH, W / OW] });
  const rows: Tensor[] = [];
  for (let i = 0; i < OH; i++) {
    const h0 = Math.floor((i * H) / OH), h1 = Math.ceil(((i + 1) * H) / OH);
    const cols: Tensor[] = [];
    for (let j = 0; j < OW; j++) {
      const w0 = Math.floor((j * W) / OW), w1 = Math.ceil(((j + 1) * W) / OW);
      cols.push(x.narrow(-2, h0, h1 - h0).narrow(-1, w0, w1 - w0).mean([-2, -1]));
    }
    rows.push(V.stack(cols, -1));
  }
  return V.stack(rows, -2);
}

/** Options of F.batchNorm: weight and bias `[C]` (affine), training (false), momentum (0.1), eps (1e-5). */
export interface BatchNormOptions { weight?: Tensor | null; bias?: Tensor | null; training?: boolean; momentum?: number; eps?: number }

/**
 * Batch norm over dim 1 (input [N, C, ...]). In training, normalises with the batch statistics and
 * updates runningMean/runningVar in place (unbiased variance, as PyTorch); in eval, uses them.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  const { weight, bias } = opts, training = opts.training ?? false, momentum = opts.momentum ?? 0.1, eps = opts.eps ?? 1e-5;
  if (x.ndim < 2) throw new ShapeError(`batchNorm: expects input [N, C, ...], got ${formatShape(x.shape)}`);
  const C = x.shape[1];
  const statShape = x.shape.map((_, i) => (i === 1 ? C : 1));
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  let y: Tensor;
  if (training || !runningMean || !runningVar) {
    const n = x.numel() / C;
    if (training && n <= 1) throw new ShapeError(`batchNorm: expected more than 1 value per channel when training, got input ${formatShape(x.shape)}`);
    const mean = x.mean(axes, true);
    const centered = x.sub(mean);
    const variance = centered.square().mean(axes, true);
    y = centered.mul(variance.add(eps).rsqrt());
    if (training && runningMean && runningVar) noGrad(() => {
      runningMean.mul_(1 - momentum).add_(mean.reshape([C]).mul(momentum));
      runningVar.mul_(1 - momentum).add_(variance.reshape([C]).mul(momentum * n / Math.max(n - 1, 1)));
    });
  } else {
    y = x.sub(runningMean.reshape(statShape)).mul(runningVar.reshape(statShape).add(eps).rsqrt());
  }
  if (weight) y = y.mul(weight.reshape(statShape));
  if (bias) y = y.add(bias.reshape(statShape));
  return y;
}

/** Layer norm over the last normalizedShape.length dims. */
export function layerNorm(x: Tensor, normalizedShape: readonly number[] | number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const ns = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
  const k = ns.length;
  if (ns.some((s, i) => x.shape[x.ndim - k + i] !== s))
    throw new ShapeError(`layerNorm: normalizedShape ${formatShape(ns)} does not match the last dims of input ${formatShape(x.shape)}`);
  const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const mean = x.mean(axes, true);
  const centered = x.sub(mean);
  let y = centered.mul(centered.square().mean(axes, true).add(eps).rsqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

/** Zero elements with probability p and scale the rest by 1/(1-p) while training. */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (p < 0 || p > 1) throw new ShapeError(`dropout: probability must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const mask = noGrad(() => rand(x.shape, { device: x.device, dtype: isFloat(x.dtype) ? x.dtype : "float32" }).ge(p));
  return x.where(mask, 0).div(1 - p);
}

/** x / max(||x||_p along dim, eps). */
export function normalize(x: Tensor, opts: { p?: number; dim?: number; eps?: number } = {}): Tensor {
  return x.div(x.norm(opts.p ?? 2, opts.dim ?? 1, true).clamp(opts.eps ?? 1e-12));
}
