// runtime/tensor/nn/utils.ts
// torch.nn.utils: gradient clipping by total norm or by value, an L1 penalty for regularisation,
// and parameters <-> one flat vector.

import { Tensor } from "../tensor";
import { noGrad } from "../autograd";
import { cat } from "../ops_view";
import { full } from "../creation";

function gradsOf(params: Iterable<Tensor> | Tensor): Tensor[] {
  const list = params instanceof Tensor ? [params] : Array.from(params);
  return list.map((p) => p.grad).filter((g): g is Tensor => g !== null);
}

/** Scale all gradients so that their joint normType-norm is at most maxNorm; returns the total
 * norm before clipping (a 0-d tensor, as torch.nn.utils.clip_grad_norm_).
 * Call it between backward() and step(); it reads no value back (webgpu stays asynchronous) unless errorIfNonfinite.
 * Shapes: parameters of any shapes -> `[]` (the total norm).
 * @example loss.backward(); nn.utils.clipGradNorm_(model.parameters(), 1.0); opt.step(); */
export function clipGradNorm_(params: Iterable<Tensor> | Tensor, maxNorm: number,
  normType = 2, opts: { errorIfNonfinite?: boolean } = {}): Tensor {
  const grads = gradsOf(params);
  return noGrad(() => {
    if (grads.length === 0) return full([], 0);
    let total: Tensor;
    if (normType === Infinity) {
      total = grads.map((g) => g.abs().amax()).reduce((a, b) => a.maximum(b));
    } else {
      const parts = grads.map((g) => g.abs().pow(normType).sum());
      total = parts.reduce((a, b) => a.add(b)).pow(1 / normType);
    }
    if (opts.errorIfNonfinite) {
      const t = total.itemSync();
      if (!Number.isFinite(t)) throw new Error(`clipGradNorm_: the total norm of order ${normType} for gradients is non-finite (${t})`);
    }
    // As PyTorch: multiply by min(1, maxNorm / (total + 1e-6)) as a tensor, so no value is read
    // back from the device (WebGPU stays asynchronous).
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
    for (const g of grads) g.mul_(coef.to(g.dtype));
    return total;
  });
}

/** Clamp every gradient element into [-clipValue, clipValue].
 * Shapes: parameters of any shapes; their .grad is changed in place.
 * @example nn.utils.clipGradValue_(model.parameters(), 0.5); */
export function clipGradValue_(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  noGrad(() => { for (const g of gradsOf(params)) g.clamp_(-clipValue, clipValue); });
}

/** sum |p| over the parameters (differentiable): loss = loss.add(nn.utils.l1Penalty(params, 1e-4)).
 * Shapes: parameters of any shapes -> `[]`.
 * @example const loss = F.mseLoss(pred, y).add(nn.utils.l1Penalty(model.parameters(), 1e-4)); */
export function l1Penalty(params: Iterable<Tensor>, weight = 1): Tensor {
  const list = Array.from(params);
  if (list.length === 0) return full([], 0);
  const s = list.map((p) => p.abs().sum()).reduce((a, b) => a.add(b));
  return weight === 1 ? s : s.mul(weight);
}

/** sum p^2 over the parameters (differentiable), for an explicit L2 term.
 * Shapes: parameters of any shapes -> `[]`.
 * @example const loss = F.mseLoss(pred, y).add(nn.utils.l2Penalty(model.parameters(), 1e-4)); */
export function l2Penalty(params: Iterable<Tensor>, weight = 1): Tensor {
  const list = Array.from(params);
  if (list.length === 0) return full([], 0);
  const s = list.map((p) => p.square().sum()).reduce((a, b) => a.add(b));
  return weight === 1 ? s : s.mul(weight);
}

/** All parameters flattened into one vector.
 * Shapes: parameters `[*]` each -> `[total numel]`.
 * @example const flat = nn.utils.parametersToVector(model.parameters()); */
export function parametersToVector(params: Iterable<Tensor>): Tensor {
  return cat(Array.from(params).map((p) => p.reshape([-1])), 0);
}

/** Copy a flat vector back into the parameters (inverse of parametersToVector).
 * Shapes: `vec: [total numel]` -> each parameter filled in place.
 * @example nn.utils.vectorToParameters(flat, model.parameters()); */
export function vectorToParameters(vec: Tensor, params: Iterable<Tensor>): void {
  noGrad(() => {
    let at = 0;
    for (const p of params) {
      const n = p.numel();
      p.copy_(vec.narrow(0, at, n).reshape(p.shape as number[]));
      at += n;
    }
  });
}
