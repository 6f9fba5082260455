// runtime/tensor/optim/sgd.ts
// torch.optim.SGD: momentum, dampening, Nesterov, L2 weight decay, maximize.

import type { Tensor } from "../tensor";
import type { Parameter } from "../nn/module";
import { Optimizer, type ParamGroup } from "./optimizer";

/** Hyper-parameters of optim.SGD (defaults): lr (1e-3), momentum (0), dampening (0), weightDecay (0), nesterov (false), maximize (false). */
export interface SGDOptions { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean }

export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Iterable<Parameter> | Partial<ParamGroup<Partial<SGDOptions>>>[], opts: Partial<SGDOptions> = {}) {
    const d: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...opts };
    if (d.nesterov && (d.momentum <= 0 || d.dampening !== 0)) throw new Error("SGD: Nesterov momentum requires a momentum and zero dampening");
    super(params, d);
  }

  protected update(): void {
    for (const g of this.paramGroups) for (const p of g.params) {
      if (!p.grad) continue;
      let d: Tensor = g.maximize ? p.grad.neg() : p.grad;
      if (g.weightDecay !== 0) d = d.add(p.mul(g.weightDecay));
      if (g.momentum !== 0) {
        const s = this.stateOf(p);
        let buf = s.momentumBuffer as Tensor | undefined;
        if (!buf) { buf = this.zerosLike(p); buf.copy_(d); s.momentumBuffer = buf; }
        else buf.mul_(g.momentum).add_(g.dampening === 0 ? d : d.mul(1 - g.dampening));
        d = g.nesterov ? d.add(buf.mul(g.momentum)) : buf;
      }
      p.sub_(d.mul(g.lr));
    }
  }
}
