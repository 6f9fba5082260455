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
      const writes: [Tensor, Tensor][] = [];
      let then: (() => void) | undefined;
      if (g.momentum !== 0) {
        const s = this.stateOf(p);
        const buf = s.momentumBuffer as Tensor | undefined;
        let next: Tensor;
        if (!buf) {
          next = this.zerosLike(p);
          next.copy_(d);
          then = () => { s.momentumBuffer = next; };
        } else {
          next = buf.mul(g.momentum).add(g.dampening === 0 ? d : d.mul(1 - g.dampening));
          writes.push([buf, next]);
        }
        d = g.nesterov ? d.add(next.mul(g.momentum)) : next;
      }
      writes.push([p, p.sub(d.mul(g.lr))]);
      this.commit(writes, then);
    }
  }
}
