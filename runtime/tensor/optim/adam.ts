// runtime/tensor/optim/adam.ts
// torch.optim.Adam and AdamW (Kingma & Ba; Loshchilov & Hutter). A float32 parameter with a
// contiguous gradient goes through the backend's fused adamStep (one pass over p, g, m, v) when the
// backend has one; everything else (amsgrad, maximize, strided or float64 tensors) runs as tensor ops.

import type { Tensor } from "../tensor";
import type { Parameter } from "../nn/module";
import { Optimizer, type ParamGroup } from "./optimizer";

/** Hyper-parameters of optim.Adam / AdamW (defaults): lr (1e-3), betas ([0.9, 0.999]), eps (1e-8), weightDecay (0; AdamW 1e-2), amsgrad (false), maximize (false). */
export interface AdamOptions {
  lr: number; betas: [number, number]; eps: number; weightDecay: number; amsgrad: boolean; maximize: boolean;
  /** Use the backend's fused adamStep where possible (default); false forces tensor ops. */
  fused?: boolean;
}

export class Adam extends Optimizer<AdamOptions> {
  /** AdamW applies weight decay to the weights directly instead of adding it to the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(params: Iterable<Parameter> | Partial<ParamGroup<Partial<AdamOptions>>>[], opts: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...opts });
  }

  protected update(): void {
    const decoupled = this.decoupled;
    for (const g of this.paramGroups) {
      const [b1, b2] = g.betas;
      for (const p of g.params) {
        const grad = p.grad;
        if (!grad) continue;
        const s = this.stateOf(p);
        if (s.step === undefined) {
          s.step = 0;
          s.expAvg = this.zerosLike(p);
          s.expAvgSq = this.zerosLike(p);
          if (g.amsgrad) s.maxExpAvgSq = this.zerosLike(p);
        }
        const step = (s.step as number) + 1;
        s.step = step;
        const m = s.expAvg as Tensor, v = s.expAvgSq as Tensor;
        const backend = p._backend();
        if (backend.adamStep && g.fused !== false && !g.amsgrad && !g.maximize && p.dtype === "float32" && grad.dtype === "float32"
          && p._isWholeStorage() && grad._isWholeStorage() && m._isWholeStorage() && v._isWholeStorage() && grad.device === p.device) {
          backend.adamStep(p.buf, grad.buf, m.buf, v.buf,
            { lr: g.lr, beta1: b1, beta2: b2, eps: g.eps, weightDecay: g.weightDecay, step, decoupled });
          p._handle.version++;  // an in-place change, as p.sub_ would record
          continue;
        }
        let d: Tensor = g.maximize ? grad.neg() : grad;
        if (g.weightDecay !== 0) {
          if (decoupled) p.mul_(1 - g.lr * g.weightDecay);
          else d = d.add(p.mul(g.weightDecay));
        }
        m.mul_(b1).add_(d.mul(1 - b1));
        v.mul_(b2).add_(d.mul(d).mul(1 - b2));
        const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
        let vHat = v;
        if (g.amsgrad) {
          const vmax = s.maxExpAvgSq as Tensor;
          vmax.copy_(vmax.maximum(v));
          vHat = vmax;
        }
        const denom = vHat.sqrt().div(Math.sqrt(bc2)).add(g.eps);
        p.sub_(m.div(denom).mul(g.lr / bc1));
      }
    }
  }
}

export class AdamW extends Adam {
  protected readonly decoupled: boolean = true;
  constructor(params: Iterable<Parameter> | Partial<ParamGroup<Partial<AdamOptions>>>[], opts: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 1e-2, ...opts });
  }
}
