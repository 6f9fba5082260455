// runtime/tensor/nn/loss.ts
// Loss modules: options are fixed at construction (as torch.nn.CrossEntropyLoss(label_smoothing=...))
// and forward(input, target) calls the engine's F.

import type { Tensor } from "../tensor";
import { F } from "../functional";
import { Module } from "./module";

export type Reduction = "mean" | "sum" | "none";

abstract class Loss<O extends object> extends Module {
  constructor(
    /** The options given at construction (reduction, weight, ...), passed to the functional form.
     * @example nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).opts.labelSmoothing; // 0.1 */
    readonly opts: O
  ) { super(); }
  /** The loss of input against target with the options given at construction.
   * Shapes: see the class; e.g. CrossEntropyLoss: `input: [N, C]`, `target: [N]` -> `[]`.
   * @example const loss = lossFn.forward(logits, labels); */
  abstract forward(input: Tensor, target: Tensor): Tensor;
  extraRepr(): string {
    return Object.entries(this.opts).filter(([, v]) => v !== undefined && typeof v !== "object").map(([k, v]) => `${k}=${v}`).join(", ");
  }
}

export class CrossEntropyLoss extends Loss<{ weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number }> {
  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number } = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.crossEntropy(input, target, this.opts); }
}

export class NLLLoss extends Loss<{ weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction }> {
  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.nllLoss(input, target, this.opts); }
}

export class MSELoss extends Loss<{ reduction?: Reduction }> {
  constructor(opts: { reduction?: Reduction } = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.mseLoss(input, target, this.opts); }
}

export class L1Loss extends Loss<{ reduction?: Reduction }> {
  constructor(opts: { reduction?: Reduction } = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.l1Loss(input, target, this.opts); }
}

export class SmoothL1Loss extends Loss<{ reduction?: Reduction; beta?: number }> {
  constructor(opts: { reduction?: Reduction; beta?: number } = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.smoothL1Loss(input, target, this.opts); }
}

export class BCELoss extends Loss<{ weight?: Tensor | null; reduction?: Reduction }> {
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.binaryCrossEntropy(input, target, this.opts); }
}

export class BCEWithLogitsLoss extends Loss<{ weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction }> {
  constructor(opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.binaryCrossEntropyWithLogits(input, target, this.opts); }
}

export class KLDivLoss extends Loss<{ reduction?: Reduction | "batchmean"; logTarget?: boolean }> {
  constructor(opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.klDiv(input, target, this.opts); }
}
