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

export interface BatchNormOptions extends FactoryOptions {
  eps?: number;
  /** Weight of the new batch in the running averages; null = cumulative average (as PyTorch). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean!: Tensor | null;
  runningVar!: Tensor | null;
  numBatchesTracked!: Tensor | null;
  readonly eps: number; readonly momentum: number | null; readonly affine: boolean; readonly trackRunningStats: boolean;
  protected abstract readonly validDims: number[];

  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
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

  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    this.runningMean!.zero_(); this.runningVar!.fill_(1); this.numBatchesTracked!.zero_();
  }

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
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: number[];
  constructor(normalizedShape: number | number[], readonly opts: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } & FactoryOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape.slice();
    const f = { device: opts.device, dtype: opts.dtype };
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? Parameter(ones(this.normalizedShape, f)) : null;
    this.bias = affine && opts.bias !== false ? Parameter(zeros(this.normalizedShape, f)) : null;
  }
  forward(x: Tensor): Tensor { return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.opts.eps ?? 1e-5); }
  extraRepr(): string { return `[${this.normalizedShape.join(", ")}], eps=${this.opts.eps ?? 1e-5}, elementwiseAffine=${this.weight !== null}`; }
}
