// runtime/tensor/ops_loss.ts
// Loss functions as PyTorch defines them (reduction "mean" | "sum" | "none"), composed from
// differentiable ops: crossEntropy (class indices or probabilities, labelSmoothing, ignoreIndex,
// weight), nllLoss, mseLoss, l1Loss, smoothL1Loss, binaryCrossEntropy(+WithLogits), klDiv.

import { isFloat } from "./dtype";
import { ShapeError } from "./errors";
import { formatShape, shapesEqual } from "./shape";
import type { Tensor } from "./tensor";
import * as E from "./ops_elementwise";
import * as X from "./ops_index";
import { arange } from "./creation";

/** How a loss reduces the per-element losses: "mean" (default), "sum" or "none" (no reduction). */
export type Reduction = "mean" | "sum" | "none";

function reduce(loss: Tensor, reduction: Reduction = "mean"): Tensor {
  return reduction === "mean" ? loss.mean() : reduction === "sum" ? loss.sum() : loss;
}

/** Options of F.nllLoss: weight (per class `[C]`), ignoreIndex (-100: targets to skip), reduction ("mean"). */
export interface NllOptions { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction }
/** Options of F.crossEntropy: those of F.nllLoss plus labelSmoothing (0). */
export interface CrossEntropyOptions extends NllOptions { labelSmoothing?: number }

function classDim(input: Tensor): number { return input.ndim === 1 ? 0 : 1; }

/** Per-class weights [C] shaped to broadcast along the input's class dim. */
function alongClassDim(weight: Tensor, input: Tensor, cd: number): Tensor {
  return weight.reshape(input.shape.map((_, i) => (i === cd ? input.shape[cd] : 1)));
}

/** Per-sample -w[y] * logp[y] and the weights w[y] (0 where ignored). */
function pickNll(op: string, logp: Tensor, target: Tensor, opts: NllOptions): { loss: Tensor; w: Tensor } {
  const cd = classDim(logp), C = logp.shape[cd];
  const expected = logp.shape.filter((_, i) => i !== cd);
  if (!shapesEqual(target.shape, expected))
    throw new ShapeError(`${op}: target of shape ${formatShape(target.shape)} does not match input ${formatShape(logp.shape)} (expected ${formatShape(expected)})`);
  const t = X.asIndex(op, target);
  const ignore = opts.ignoreIndex ?? -100;
  const valid = t.ne(ignore);
  const safe = t.where(valid, 0);
  const picked = X.gather(logp, cd, safe.unsqueeze(cd)).squeeze(cd);
  let w = valid.to(logp.dtype);
  if (opts.weight) {
    if (opts.weight.ndim !== 1 || opts.weight.shape[0] !== C) throw new ShapeError(`${op}: weight of shape ${formatShape(opts.weight.shape)} does not match ${C} classes`);
    w = w.mul(X.indexSelect(opts.weight, 0, safe.reshape([-1])).reshape(safe.shape));
  }
  return { loss: picked.mul(w).neg(), w };
}

function reduceWeighted(loss: Tensor, w: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return loss;
  if (reduction === "sum") return loss.sum();
  return loss.sum().div(w.sum());
}

export function nllLoss(logp: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  const { loss, w } = pickNll("nllLoss", logp, target, opts);
  return reduceWeighted(loss, w, opts.reduction ?? "mean");
}

export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const cd = classDim(input), C = input.shape[cd];
  const logp = input.logSoftmax(cd);
  const eps = opts.labelSmoothing ?? 0, reduction = opts.reduction ?? "mean";
  if (shapesEqual(target.shape, input.shape) && isFloat(target.dtype)) {
    // Class probabilities.
    let probs = target;
    if (eps > 0) probs = probs.mul(1 - eps).add(eps / C);
    let prod = logp.mul(probs);
    if (opts.weight) prod = prod.mul(alongClassDim(opts.weight, input, cd));
    const loss = prod.sum(cd).neg();
    return reduction === "mean" ? loss.sum().div(input.numel() / C) : reduce(loss, reduction);
  }
  const { loss, w } = pickNll("crossEntropy", logp, target, opts);
  if (eps <= 0) return reduceWeighted(loss, w, reduction);
  // Label smoothing (PyTorch): (1 - eps) * nll + eps / C * sum_c(-w_c * logp_c), ignored samples zeroed.
  let lw = logp;
  if (opts.weight) lw = lw.mul(alongClassDim(opts.weight, input, cd));
  const valid = X.asIndex("crossEntropy", target).ne(opts.ignoreIndex ?? -100);
  const smooth = lw.sum(cd).neg().where(valid, 0);
  if (reduction === "none") return loss.mul(1 - eps).add(smooth.mul(eps / C));
  if (reduction === "sum") return loss.sum().mul(1 - eps).add(smooth.sum().mul(eps / C));
  const denom = w.sum();
  return loss.sum().div(denom).mul(1 - eps).add(smooth.sum().div(denom).mul(eps / C));
}

function checkSame(op: string, a: Tensor, b: Tensor): void {
  if (!shapesEqual(a.shape, b.shape)) throw new ShapeError(`${op}: input ${formatShape(a.shape)} and target ${formatShape(b.shape)} have different shapes`, "reshape one so that they match (e.g. target.reshape(input.shape))");
}

export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkSame("mseLoss", input, target);
  return reduce(input.sub(target).square(), opts.reduction);
}

export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkSame("l1Loss", input, target);
  return reduce(input.sub(target).abs(), opts.reduction);
}

export function smoothL1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; beta?: number } = {}): Tensor {
  checkSame("smoothL1Loss", input, target);
  const beta = opts.beta ?? 1;
  const d = input.sub(target), ad = d.abs();
  const loss = beta === 0 ? ad : E.where(ad.lt(beta), d.square().mul(0.5 / beta), ad.sub(0.5 * beta));
  return reduce(loss, opts.reduction);
}

/** Logs clamped at -100, as PyTorch, so p = 0 or 1 gives a finite loss. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  checkSame("binaryCrossEntropy", input, target);
  const logp = input.log().clamp(-100), log1mp = input.neg().add(1).log().clamp(-100);
  let loss = target.mul(logp).add(target.neg().add(1).mul(log1mp)).neg();
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, opts.reduction);
}

/** Stable form: max(x, 0) - x*y + log(1 + exp(-|x|)), with posWeight on the positive term. */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  checkSame("binaryCrossEntropyWithLogits", input, target);
  const softplusNeg = input.abs().neg().exp().log1p().add(input.neg().clamp(0)); // log(1 + exp(-x))
  let loss: Tensor;
  if (opts.posWeight) {
    const lw = opts.posWeight.sub(1).mul(target).add(1);
    loss = target.neg().add(1).mul(input).add(lw.mul(softplusNeg));
  } else {
    loss = target.neg().add(1).mul(input).add(softplusNeg);
  }
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, opts.reduction);
}

/** KL(target || exp(input)) with input as log-probabilities; reduction "batchmean" divides by the batch size. */
export function klDiv(input: Tensor, target: Tensor, opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}): Tensor {
  let loss: Tensor;
  if (opts.logTarget) loss = target.exp().mul(target.sub(input));
  else {
    const pos = target.gt(0);
    const logt = E.where(pos, target, 1).log();
    loss = target.mul(logt).sub(target.mul(input));
  }
  const r = opts.reduction ?? "mean";
  if (r === "batchmean") return loss.sum().div(input.ndim > 0 ? input.shape[0] : 1);
  return reduce(loss, r);
}

/** One-hot int32 encoding with a trailing class dim. */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  const idx = X.asIndex("oneHot", indices);
  const n = numClasses >= 0 ? numClasses : Math.max(...Array.from(idx.dataSync())) + 1;
  return idx.unsqueeze(-1).eq(arange(n, { device: idx.device })).to("int32");
}
