// runtime/tensor/optim/adam.ts
// torch.optim.Adam and AdamW (Kingma & Ba; Loshchilov & Hutter). A float32 parameter with a
// contiguous gradient goes through the backend's fused adamStep (one pass over p, g, m, v) when the
// backend has one; everything else (amsgrad, maximize, strided or float64 tensors) runs as tensor ops.

import { adamStepK, hasAdamStepK } from "../kernels";
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
          // Plain stores after the calls, step last: an interrupt leaves all of the state or none.
          const m0 = this.zerosLike(p), v0 = this.zerosLike(p), max0 = g.amsgrad ? this.zerosLike(p) : undefined;
          s.expAvg = m0; s.expAvgSq = v0;
          if (max0) s.maxExpAvgSq = max0;
          s.step = 0;
        }
        const step = (s.step as number) + 1;
        const m = s.expAvg as Tensor, v = s.expAvgSq as Tensor;
        if (hasAdamStepK(p) && g.fused !== false && !g.amsgrad && !g.maximize && p.dtype === "float32" && grad.dtype === "float32"
          && p._isWholeStorage() && grad._isWholeStorage() && m._isWholeStorage() && v._isWholeStorage() && grad.device === p.device) {
          const opts = { lr: g.lr, beta1: b1, beta2: b2, eps: g.eps, weightDecay: g.weightDecay, step, decoupled };
          // One native call or one recorded dispatch (Backend.adamStep), and only plain stores after
          // it: an interrupt lands before the update or after these lines, never between.
          adamStepK(p, grad, m, v, opts);
          s.step = step;
          p._handle.version++;  // an in-place change, as p.sub_ would record
          continue;
        }
        let d: Tensor = g.maximize ? grad.neg() : grad;
        let decayed: Tensor = p;
        if (g.weightDecay !== 0) {
          if (decoupled) decayed = p.mul(1 - g.lr * g.weightDecay);
          else d = d.add(p.mul(g.weightDecay));
        }
        const mNew = m.mul(b1).add(d.mul(1 - b1));
        const vNew = v.mul(b2).add(d.mul(d).mul(1 - b2));
        const writes: [Tensor, Tensor][] = [[m, mNew], [v, vNew]];
        const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
        let vHat = vNew;
        if (g.amsgrad) {
          const vmax = s.maxExpAvgSq as Tensor;
          vHat = vmax.maximum(vNew);
          writes.push([vmax, vHat]);
        }
        const denom = vHat.sqrt().div(Math.sqrt(bc2)).add(g.eps);
        writes.push([p, decayed.sub(mNew.div(denom).mul(g.lr / bc1))]);
        this.commit(writes, () => { s.step = step; });
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
