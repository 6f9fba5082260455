// runtime/tensor/optim/rmsprop.ts
// torch.optim.RMSprop (Hinton's lecture 6e; centered variant of Graves 2013) and torch.optim.Adagrad.

import type { Tensor } from "../tensor";
import type { Parameter } from "../nn/module";
import { Optimizer, type ParamGroup } from "./optimizer";

/** Hyper-parameters of optim.RMSprop (defaults): lr (1e-2), alpha (0.99), eps (1e-8), weightDecay (0), momentum (0), centered (false), maximize (false). */
export interface RMSpropOptions { lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean; maximize: boolean }

export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Iterable<Parameter> | Partial<ParamGroup<Partial<RMSpropOptions>>>[], opts: Partial<RMSpropOptions> = {}) {
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...opts });
  }

  protected update(): void {
    for (const g of this.paramGroups) for (const p of g.params) {
      if (!p.grad) continue;
      let d: Tensor = g.maximize ? p.grad.neg() : p.grad;
      if (g.weightDecay !== 0) d = d.add(p.mul(g.weightDecay));
      const s = this.stateOf(p);
      if (s.step === undefined) {
        s.step = 0;
        s.squareAvg = this.zerosLike(p);
        if (g.momentum > 0) s.momentumBuffer = this.zerosLike(p);
        if (g.centered) s.gradAvg = this.zerosLike(p);
      }
      s.step = (s.step as number) + 1;
      const sq = s.squareAvg as Tensor;
      sq.mul_(g.alpha).add_(d.mul(d).mul(1 - g.alpha));
      let avg: Tensor;
      if (g.centered) {
        const ga = s.gradAvg as Tensor;
        ga.mul_(g.alpha).add_(d.mul(1 - g.alpha));
        avg = sq.sub(ga.mul(ga)).sqrt().add(g.eps);
      } else avg = sq.sqrt().add(g.eps);
      if (g.momentum > 0) {
        const buf = s.momentumBuffer as Tensor;
        buf.mul_(g.momentum).add_(d.div(avg));
        p.sub_(buf.mul(g.lr));
      } else p.sub_(d.div(avg).mul(g.lr));
    }
  }
}

/** Hyper-parameters of optim.Adagrad (defaults): lr (1e-2), lrDecay (0), weightDecay (0), initialAccumulatorValue (0), eps (1e-10), maximize (false). */
export interface AdagradOptions { lr: number; lrDecay: number; weightDecay: number; initialAccumulatorValue: number; eps: number; maximize: boolean }

export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Iterable<Parameter> | Partial<ParamGroup<Partial<AdagradOptions>>>[], opts: Partial<AdagradOptions> = {}) {
    super(params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...opts });
    // torch creates the accumulator at construction, so stateDict() has it before the first step.
    for (const g of this.paramGroups) for (const p of g.params) {
      const s = this.stateOf(p);
      s.step = 0;
      s.sum = this.zerosLike(p, g.initialAccumulatorValue);
    }
  }

  protected update(): void {
    for (const g of this.paramGroups) for (const p of g.params) {
      if (!p.grad) continue;
      let d: Tensor = g.maximize ? p.grad.neg() : p.grad;
      const s = this.stateOf(p);
      if (s.sum === undefined) { s.step = 0; s.sum = this.zerosLike(p, g.initialAccumulatorValue); }
      const step = (s.step as number) + 1;
      s.step = step;
      if (g.weightDecay !== 0) d = d.add(p.mul(g.weightDecay));
      const clr = g.lr / (1 + (step - 1) * g.lrDecay);
      const sum = s.sum as Tensor;
      sum.add_(d.mul(d));
      p.sub_(d.div(sum.sqrt().add(g.eps)).mul(clr));
    }
  }
}
