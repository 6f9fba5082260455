// runtime/tensor/nn/init.ts
// torch.nn.init: in-place initialisers drawing from the engine's seeded generator (so
// torch.manualSeed fixes them), and calculateGain. Fan-in/fan-out follow PyTorch: for a weight of
// shape [out, in, ...kernel], fanIn = in * prod(kernel), fanOut = out * prod(kernel).

import type { Tensor } from "../tensor";
import { noGrad } from "../autograd";

export type Nonlinearity = "linear" | "conv1d" | "conv2d" | "conv3d" | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain).
 * @example nn.init.calculateGain("relu"); // Math.SQRT2 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear": case "conv1d": case "conv2d": case "conv3d": case "sigmoid": return 1;
    case "tanh": return 5 / 3;
    case "relu": return Math.SQRT2;
    case "leaky_relu": { const slope = param ?? 0.01; return Math.sqrt(2 / (1 + slope * slope)); }
    case "selu": return 3 / 4;
  }
  throw new Error(`calculateGain: unsupported nonlinearity "${nonlinearity}"`);
}

/** [fanIn, fanOut] of a weight tensor.
 * Shapes: `t: [out, in, ...kernel]` (at least 2 dims) -> `[in * prod(kernel), out * prod(kernel)]`.
 * @example const [fanIn, fanOut] = nn.init.calculateFanInAndFanOut(fc.weight); */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.shape.length < 2) throw new Error(`init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape [${t.shape.join(", ")}])`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

function fan(t: Tensor, mode: "fanIn" | "fanOut"): number {
  const [i, o] = calculateFanInAndFanOut(t);
  return mode === "fanIn" ? i : o;
}

/** Fill t in place with samples uniform on [a, b), without recording gradients; returns t.
 * Shapes: `t: [*] -> [*]` (the same tensor).
 * @example nn.init.uniform_(fc.weight, -0.1, 0.1); */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor { return noGrad(() => t.uniform_(a, b)); }
/** Fill t in place with normal samples of mean and std, without recording gradients; returns t.
 * Shapes: `t: [*] -> [*]` (the same tensor).
 * @example nn.init.normal_(emb.weight, 0, 0.02); */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor { return noGrad(() => t.normal_(mean, std)); }
/** Fill t in place with value, without recording gradients; returns t.
 * Shapes: `t: [*] -> [*]` (the same tensor).
 * @example nn.init.constant_(fc.bias!, 0.1); */
export function constant_(t: Tensor, value: number): Tensor { return noGrad(() => t.fill_(value)); }
/** Fill t in place with zeros; returns t.
 * Shapes: `t: [*] -> [*]` (the same tensor).
 * @example nn.init.zeros_(fc.bias!); */
export function zeros_(t: Tensor): Tensor { return constant_(t, 0); }
/** Fill t in place with ones; returns t.
 * Shapes: `t: [*] -> [*]` (the same tensor).
 * @example nn.init.ones_(ln.weight!); */
export function ones_(t: Tensor): Tensor { return constant_(t, 1); }

/** Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fanIn + fanOut)).
 * In place; returns t. Shapes: `t: [out, in, ...kernel]` -> the same tensor.
 * @example nn.init.xavierUniform_(fc.weight); */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const [i, o] = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (i + o));
  return uniform_(t, -a, a);
}

/** Glorot normal: N(0, std), std = gain * sqrt(2 / (fanIn + fanOut)).
 * In place; returns t. Shapes: `t: [out, in, ...kernel]` -> the same tensor.
 * @example nn.init.xavierNormal_(fc.weight, nn.init.calculateGain("tanh")); */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const [i, o] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (i + o)));
}

/** Options of kaimingUniform_ / kaimingNormal_: a (0, the negative slope of leaky_relu), mode ("fanIn" keeps forward variance, "fanOut" backward), nonlinearity ("leaky_relu"). */
export interface KaimingOptions { a?: number; mode?: "fanIn" | "fanOut"; nonlinearity?: Nonlinearity }

/** He uniform: U(-b, b), b = gain * sqrt(3 / fan), gain from nonlinearity (default leaky_relu with a = 0).
 * In place; options { a, mode: "fanIn" | "fanOut", nonlinearity }. Shapes: `t: [out, in, ...kernel]` -> the same tensor.
 * @example nn.init.kaimingUniform_(conv.weight, { nonlinearity: "relu" }); */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const gain = calculateGain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0);
  const bound = gain * Math.sqrt(3 / fan(t, opts.mode ?? "fanIn"));
  return uniform_(t, -bound, bound);
}

/** He normal: N(0, std), std = gain / sqrt(fan).
 * In place; options as kaimingUniform_. Shapes: `t: [out, in, ...kernel]` -> the same tensor.
 * @example nn.init.kaimingNormal_(conv.weight, { mode: "fanOut", nonlinearity: "relu" }); */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const gain = calculateGain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0);
  return normal_(t, 0, gain / Math.sqrt(fan(t, opts.mode ?? "fanIn")));
}

/** Truncated normal in [a, b] by rejection of out-of-range draws (torch.nn.init.trunc_normal_).
 * In place; returns t. Shapes: `t: [*] -> [*]` (the same tensor).
 * @example nn.init.truncNormal_(fc.weight, 0, 0.02); */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  return noGrad(() => {
    t.normal_(mean, std);
    for (let i = 0; i < 8; i++) {
      const bad = t.lt(a).logicalOr(t.gt(b));
      if (!bad.any().itemSync()) break;
      t.copy_(t.where(bad.logicalNot(), t.clone().normal_(mean, std)));
    }
    return t.clamp_(a, b);
  });
}

/** The default of nn.Linear / nn.Conv2d (PyTorch's reset_parameters): weight kaiming-uniform with
 * a = sqrt(5), i.e. U(-1/sqrt(fanIn), 1/sqrt(fanIn)); bias U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
 * Shapes: `weight: [out, in, ...kernel]`, `bias: [out]` (or null), both filled in place.
 * @example nn.init.defaultLayerInit_(fc.weight, fc.bias); */
export function defaultLayerInit_(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const [fanIn] = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
