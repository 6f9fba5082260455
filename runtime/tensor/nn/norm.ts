// runtime/tensor/nn/norm.ts
// BatchNorm1d/2d (learnable affine, running statistics as buffers, momentum, eval mode) and
// LayerNorm. The math (and the in-place running-stat update) is the engine's F.batchNorm.

import type { Tensor } from "../tensor";
import { F } from "../functional";
import { zeros, ones, full } from "../creation";
import { Module, Parameter } from "./module";
import type { FactoryOptions } from "./layers";
import { ShapeError } from "../errors";
import { formatShape } from "../shape";

/** Options of nn.BatchNorm1d / nn.BatchNorm2d: eps (1e-5), momentum (0.1), affine (true), trackRunningStats (true), device, dtype. */
export interface BatchNormOptions extends FactoryOptions {
  eps?: number;
  /** Weight of the new batch in the running averages; null = cumulative average (as PyTorch). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNorm extends Module {
  /** The learnable scale (gamma) `[numFeatures]`, starting at 1; null when affine is false.
   * @example bn.weight?.shape; // [64] */
  weight: Parameter | null;
  /** The learnable shift (beta) `[numFeatures]`, starting at 0; null when affine is false.
   * @example bn.bias?.shape; // [64] */
  bias: Parameter | null;
  /** Running mean of each feature `[numFeatures]` (a buffer, in stateDict); null without trackRunningStats.
   * @example await bn.runningMean!.toArray(); */
  runningMean!: Tensor | null;
  /** Running unbiased variance of each feature `[numFeatures]` (a buffer); null without trackRunningStats.
   * @example await bn.runningVar!.toArray(); */
  runningVar!: Tensor | null;
  /** Number of training batches seen, a 0-d int32 buffer; null without trackRunningStats.
   * @example await bn.numBatchesTracked!.item(); */
  numBatchesTracked!: Tensor | null;
  /** Added to the variance for stability (default 1e-5).
   * @example nn.BatchNorm2d(16).eps; // 1e-5 */
  readonly eps: number;
  /** Weight of each new batch in the running statistics (default 0.1); null for a cumulative average.
   * @example nn.BatchNorm1d(16, { momentum: null }).momentum; // null */
  readonly momentum: number | null;
  /** Whether the layer has the learnable weight and bias (default true).
   * @example nn.BatchNorm1d(16, { affine: false }).weight; // null */
  readonly affine: boolean;
  /** Whether running statistics are kept and used in eval mode (default true).
   * @example nn.BatchNorm1d(16, { trackRunningStats: false }).runningMean; // null */
  readonly trackRunningStats: boolean;
  protected abstract readonly validDims: number[];

  constructor(
    /** Number of features or channels (C of the input).
     * @example nn.BatchNorm2d(32).numFeatures; // 32 */
    readonly numFeatures: number,
    opts: BatchNormOptions = {}
  ) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const f = { device: opts.device, dtype: opts.dtype };
    this.weight = this.affine ? Parameter(ones([numFeatures], f)) : null;
    this.bias = this.affine ? Parameter(zeros([numFeatures], f)) : null;
    if (this.trackRunningStats) {
      this.registerBuffer("runningMean", zeros([numFeatures], f));
      this.registerBuffer("runningVar", ones([numFeatures], f));
      this.registerBuffer("numBatchesTracked", full([], 0, { dtype: "int32", device: opts.device }));
    } else {
      this.runningMean = null; this.runningVar = null; this.numBatchesTracked = null;
    }
  }

  /** Reset the running statistics to mean 0, variance 1 and the batch count to 0.
   * @example bn.resetRunningStats(); */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    this.runningMean!.zero_(); this.runningVar!.fill_(1); this.numBatchesTracked!.zero_();
  }

  /** Normalise each feature: with the batch statistics in training (updating the running ones), with the running ones in eval.
   * Shapes: `[N, C]` or `[N, C, L]` (BatchNorm1d), `[N, C, H, W]` (BatchNorm2d) -> the same shape.
   * @example const h = bn.forward(x); */
  forward(x: Tensor): Tensor {
    if (!this.validDims.includes(x.ndim))
      throw new ShapeError(`${this.constructor.name}: expected ${this.validDims.join("D or ")}D input, got ${formatShape(x.shape)}`);
    if (x.shape[1] !== this.numFeatures)
      throw new ShapeError(`${this.constructor.name}(${this.numFeatures}): input ${formatShape(x.shape)} has ${x.shape[1]} channels`);
    let momentum = this.momentum ?? 0;
    if (this.training && this.trackRunningStats) {
      this.numBatchesTracked!.add_(1);
      if (this.momentum === null) momentum = 1 / this.numBatchesTracked!.itemSync();
    }
    const useBatchStats = this.training || !this.trackRunningStats;
    return F.batchNorm(x, useBatchStats && !this.training ? null : this.runningMean, useBatchStats && !this.training ? null : this.runningVar, {
      weight: this.weight, bias: this.bias, training: useBatchStats, momentum, eps: this.eps,
    });
  }
  extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Batch norm over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNorm { protected readonly validDims = [2, 3]; }
/** Batch norm over [N, C, H, W] per channel. */
export class BatchNorm2d extends BatchNorm { protected readonly validDims = [4]; }

export class LayerNorm extends Module {
  /** The learnable scale `normalizedShape`, starting at 1; null without elementwiseAffine.
   * @example ln.weight?.shape; // [512] */
  weight: Parameter | null;
  /** The learnable shift `normalizedShape`, starting at 0; null without elementwiseAffine or with { bias: false }.
   * @example ln.bias?.shape; // [512] */
  bias: Parameter | null;
  /** The trailing dims normalised over.
   * @example nn.LayerNorm(512).normalizedShape; // [512] */
  readonly normalizedShape: number[];
  constructor(
    normalizedShape: number | number[],
    /** The options given at construction: eps, elementwiseAffine, bias, device, dtype.
     * @example nn.LayerNorm(64, { eps: 1e-6 }).opts.eps; // 1e-6 */
    readonly opts: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } & FactoryOptions = {}
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape.slice();
    const f = { device: opts.device, dtype: opts.dtype };
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? Parameter(ones(this.normalizedShape, f)) : null;
    this.bias = affine && opts.bias !== false ? Parameter(zeros(this.normalizedShape, f)) : null;
  }
  /** Normalise over the last dims. Shapes: `[*, ...normalizedShape]` -> the same shape.
   * @example const h = ln.forward(x); */
  forward(x: Tensor): Tensor { return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.opts.eps ?? 1e-5); }
  extraRepr(): string { return `[${this.normalizedShape.join(", ")}], eps=${this.opts.eps ?? 1e-5}, elementwiseAffine=${this.weight !== null}`; }
}
