// runtime/tensor/nn/conv.ts
// Conv2d and the 2-D pooling modules (NCHW). Options follow PyTorch's keyword arguments:
// nn.Conv2d(3, 64, { kernelSize: 3, padding: 1 }) or nn.Conv2d(3, 64, 3, { padding: 1 }).

import type { Tensor } from "../tensor";
import { F } from "../functional";
import { conv2dRelu, conv2dReluMaxPool2d } from "../ops_nn";
import { zeros } from "../creation";
import { Module, Parameter } from "./module";
import { defaultLayerInit_ } from "./init";
import type { FactoryOptions } from "./layers";

/** A Conv2d's options as F.conv2d and the fused ops take them. */
const convOptions = (c: Conv2d) => ({ stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });

/** One number for both spatial dims, or [height, width]. */
export type Pair = number | [number, number];
const pair = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);
const fmt = (v: Pair | string) => (typeof v === "number" || typeof v === "string" ? String(v) : `(${v.join(", ")})`);

/** Options of nn.Conv2d: kernelSize (or as the third argument), stride (1), padding (0; a number, [h, w], "same" or "valid"), dilation (1), groups (1), bias (true), device, dtype. */
export interface Conv2dOptions extends FactoryOptions {
  kernelSize?: Pair; stride?: Pair; padding?: Pair | "same" | "valid"; dilation?: Pair; groups?: number; bias?: boolean;
}

export class Conv2d extends Module {
  /** The learnable filters, `[outChannels, inChannels / groups, kH, kW]`.
   * @example conv.weight.shape; // [32, 1, 3, 3] */
  weight: Parameter;
  /** The learnable bias `[outChannels]`, or null when made with { bias: false }.
   * @example conv.bias?.shape; // [32] */
  bias: Parameter | null;
  /** The kernel's [height, width].
   * @example nn.Conv2d(1, 8, 3).kernelSize; // [3, 3] */
  readonly kernelSize: [number, number];
  /** Step of the kernel over the input, one number or [h, w] (default 1).
   * @example nn.Conv2d(3, 8, 3, { stride: 2 }).stride; // 2 */
  readonly stride: Pair;
  /** Zero padding on each side, a number, [h, w], "same" or "valid" (default 0).
   * @example nn.Conv2d(3, 8, 3, { padding: "same" }).padding; // "same" */
  readonly padding: Pair | "same" | "valid";
  /** Spacing between kernel taps (default 1).
   * @example nn.Conv2d(3, 8, 3, { dilation: 2 }).dilation; // 2 */
  readonly dilation: Pair;
  /** Number of channel groups convolved separately (default 1; inChannels for depthwise).
   * @example nn.Conv2d(32, 32, 3, { groups: 32 }).groups; // 32 */
  readonly groups: number;

  constructor(
    /** Channels of the input (C_in).
     * @example nn.Conv2d(3, 16, 3).inChannels; // 3 */
    readonly inChannels: number,
    /** Channels of the output, one per filter (C_out).
     * @example nn.Conv2d(3, 16, 3).outChannels; // 16 */
    readonly outChannels: number,
    kernelSize: Pair | Conv2dOptions,
    opts: Conv2dOptions = {}
  ) {
    super();
    const o = typeof kernelSize === "object" && !Array.isArray(kernelSize) ? { ...kernelSize, ...opts } : { ...opts, kernelSize: kernelSize as Pair };
    if (o.kernelSize === undefined) throw new Error("Conv2d: give kernelSize (nn.Conv2d(3, 64, 3) or nn.Conv2d(3, 64, { kernelSize: 3 }))");
    this.kernelSize = pair(o.kernelSize);
    this.stride = o.stride ?? 1; this.padding = o.padding ?? 0; this.dilation = o.dilation ?? 1; this.groups = o.groups ?? 1;
    if (inChannels % this.groups || outChannels % this.groups)
      throw new Error(`Conv2d: inChannels ${inChannels} and outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    const f = { device: o.device, dtype: o.dtype };
    this.weight = Parameter(zeros([outChannels, inChannels / this.groups, ...this.kernelSize], f));
    this.bias = o.bias === false ? null : Parameter(zeros([outChannels], f));
    this.resetParameters();
  }
  /** Re-initialise weight and bias as PyTorch's nn.Conv2d does (kaiming uniform, a = sqrt(5)).
   * @example conv.resetParameters(); */
  resetParameters(): void { defaultLayerInit_(this.weight, this.bias); }
  /** Convolve x with the layer's filters.
   * Shapes: `[N, inChannels, H, W]` (or `[inChannels, H, W]`) -> `[N, outChannels, H_out, W_out]`.
   * @example const y = conv.forward(x); */
  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, convOptions(this));
  }
  extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}`;
    if (this.padding !== 0) s += `, padding=${fmt(this.padding)}`;
    if (this.dilation !== 1) s += `, dilation=${fmt(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ", bias=false";
    return s;
  }
}

/** Options of nn.MaxPool2d / nn.AvgPool2d: kernelSize (or as the first argument), stride (= kernelSize), padding (0), dilation (1), ceilMode (false), countIncludePad (true). */
export interface PoolOptions { kernelSize?: Pair; stride?: Pair | null; padding?: Pair; dilation?: Pair; ceilMode?: boolean; countIncludePad?: boolean }

function poolOpts(kernelSize: Pair | PoolOptions, opts: PoolOptions): PoolOptions & { kernelSize: Pair } {
  const o = typeof kernelSize === "object" && !Array.isArray(kernelSize) ? { ...kernelSize, ...opts } : { ...opts, kernelSize: kernelSize as Pair };
  if (o.kernelSize === undefined) throw new Error("pooling: give kernelSize");
  return o as PoolOptions & { kernelSize: Pair };
}

/** nn.MaxPool2d(2) or nn.MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 }); stride defaults to kernelSize. */
export class MaxPool2d extends Module {
  /** The pooling options: kernelSize, and stride, padding, ... as given (stride defaults to kernelSize).
   * @example nn.MaxPool2d(2).opts.kernelSize; // 2 */
  readonly opts: PoolOptions & { kernelSize: Pair };
  constructor(kernelSize: Pair | PoolOptions, opts: PoolOptions = {}) { super(); this.opts = poolOpts(kernelSize, opts); }
  /** Max over each window. Shapes: `[N, C, H, W]` -> `[N, C, H_out, W_out]`.
   * @example nn.MaxPool2d(2).forward(torch.zeros(1, 3, 8, 8)).shape; // [1, 3, 4, 4] */
  forward(x: Tensor): Tensor { return F.maxPool2d(x, this.opts); }
  extraRepr(): string {
    const o = this.opts;
    return `kernelSize=${fmt(o.kernelSize)}, stride=${fmt(o.stride ?? o.kernelSize)}, padding=${fmt(o.padding ?? 0)}, dilation=${fmt(o.dilation ?? 1)}, ceilMode=${o.ceilMode ?? false}`;
  }
}

export class AvgPool2d extends Module {
  /** The pooling options: kernelSize, and stride, padding, ... as given (stride defaults to kernelSize).
   * @example nn.MaxPool2d(2).opts.kernelSize; // 2 */
  readonly opts: PoolOptions & { kernelSize: Pair };
  constructor(kernelSize: Pair | PoolOptions, opts: PoolOptions = {}) { super(); this.opts = poolOpts(kernelSize, opts); }
  /** Mean over each window. Shapes: `[N, C, H, W]` -> `[N, C, H_out, W_out]`.
   * @example nn.AvgPool2d(2).forward(torch.zeros(1, 3, 8, 8)).shape; // [1, 3, 4, 4] */
  forward(x: Tensor): Tensor { return F.avgPool2d(x, this.opts); }
  extraRepr(): string {
    const o = this.opts;
    return `kernelSize=${fmt(o.kernelSize)}, stride=${fmt(o.stride ?? o.kernelSize)}, padding=${fmt(o.padding ?? 0)}`;
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(
    /** The output's [height, width], or one number for both.
     * @example nn.AdaptiveAvgPool2d(1).outputSize; // 1 */
    readonly outputSize: Pair
  ) { super(); }
  /** Mean over adaptive windows. Shapes: `[N, C, H, W]` -> `[N, C, outH, outW]`.
   * @example nn.AdaptiveAvgPool2d([2, 2]).forward(torch.zeros(1, 3, 7, 7)).shape; // [1, 3, 2, 2] */
  forward(x: Tensor): Tensor { return F.adaptiveAvgPool2d(x, this.outputSize); }
  extraRepr(): string { return `outputSize=${fmt(this.outputSize)}`; }
}

// Fused runs of layers for nn.Sequential (#17), with no hooks: relu(conv(x)) and
// maxPool(relu(conv(x))) as single ops (runtime/tensor/ops_nn.ts), the same values and gradients.
export function convRelu(conv: Conv2d, x: Tensor): Tensor {
  return conv2dRelu(x, conv.weight, conv.bias, convOptions(conv));
}
export function convReluMaxPool(conv: Conv2d, pool: MaxPool2d, x: Tensor): Tensor {
  return conv2dReluMaxPool2d(x, conv.weight, conv.bias, convOptions(conv), pool.opts);
}
