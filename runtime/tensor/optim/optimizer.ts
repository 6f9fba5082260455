// runtime/tensor/optim/optimizer.ts
// torch.optim.Optimizer: param groups with their own hyper-parameters, per-parameter state, and
// stateDict/loadStateDict in PyTorch's layout ({state: {index: {...}}, paramGroups: [{..., params:
// [indices]}]}). step() runs the subclass's update without recording autograd and frees its
// temporaries at once (tidy), keeping only the state tensors.
// An interrupt can stop a step anywhere (issue 11), so each parameter's update is computed out of
// place first and then written by commit(), which settleState() (../state.ts) finishes when it was
// cut short: every parameter and its state either took this step or did not start it.

import { Tensor } from "../tensor";
import { noGrad } from "../autograd";
import { keep, tidy } from "../memory";
import { fullLike } from "../ops_elementwise";
import type { Parameter } from "../nn/module";
import { registerState } from "../state";
import { opDispatched } from "../hooks";

export type ParamGroup<H> = H & { params: Parameter[]; [k: string]: unknown };
export type ParamState = Record<string, Tensor | number>;
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: Record<string, unknown>[];
}

/** The writes of the parameter update in progress (see Optimizer.commit). */
interface Writes { writes: readonly (readonly [Tensor, Tensor])[]; then?: () => void }
let writing: Writes | null = null;

function write(w: Writes): void {
  for (const [dst, src] of w.writes) dst.copy_(src);
  w.then?.();
}

registerState({
  name: "optimizer step", stage: "finish",
  settle(): void {
    const w = writing;
    writing = null;
    // Copies are idempotent: writing them all again finishes a half-written update.
    if (w) noGrad(() => write(w));
  },
});

/** Base class of the optimisers (torch.optim.Optimizer): param groups with their own hyper-parameters, per-parameter state,
 * zeroGrad/step, and stateDict/loadStateDict in PyTorch's layout. Subclass it and implement the protected update().
 * @example
 * const opt = optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step(); */
export abstract class Optimizer<H extends { lr: number }> {
  /** The groups of parameters, each with its hyper-parameters (lr, ...); schedulers change `lr` here.
   * @example opt.paramGroups[0].lr = 1e-4; */
  readonly paramGroups: ParamGroup<H>[] = [];
  /** The hyper-parameters a group gets when it does not set them.
   * @example optim.Adam(model.parameters()).defaults.lr; // 0.001 */
  readonly defaults: H;
  protected readonly state = new Map<Tensor, ParamState>();

  constructor(params: Iterable<Parameter> | Partial<ParamGroup<Partial<H>>>[], defaults: H) {
    this.defaults = defaults;
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new Error(`${this.constructor.name}: got an empty parameter list`);
    const groups = (list[0] instanceof Tensor ? [{ params: list }] : list) as Partial<ParamGroup<Partial<H>>>[];
    for (const g of groups) this.addParamGroup(g);
  }

  /** Add a group of parameters with hyper-parameters overriding the defaults (fine-tuning).
   * @example opt.addParamGroup({ params: head.parameters(), lr: 1e-2 }); */
  addParamGroup(group: Partial<ParamGroup<Partial<H>>>): void {
    const params = Array.from((group.params ?? []) as Iterable<Parameter>);
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`${this.constructor.name}: params must be Tensors`);
      if (!p.isLeaf) throw new Error(`${this.constructor.name}: can't optimize a non-leaf Tensor`);
      if (seen.has(p)) throw new Error(`${this.constructor.name}: some parameters appear in more than one parameter group`);
    }
    const g = { ...this.defaults, ...group, params } as ParamGroup<H>;
    if (Array.isArray((this.defaults as any).betas)) (g as any).betas = [...(g as any).betas];
    this.paramGroups.push(g);
  }

  /** Drop every gradient (PyTorch's default set_to_none=True) or zero it in place.
   * @example opt.zeroGrad(); */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) for (const p of g.params) {
      if (!p.grad) continue;
      if (setToNone) p.grad = null;
      else noGrad(() => { p.grad!.zero_(); });
    }
  }

  /** One update of every parameter that has a gradient. With a closure, re-evaluates the loss
   * first (for optimisers that need it) and returns it.
   * Runs without recording autograd; temporaries are freed at once.
   * Shapes: parameters and their gradients keep their shapes; the closure's loss is returned as is.
   * @example opt.zeroGrad(); loss.backward(); opt.step(); */
  step(closure?: () => Tensor): Tensor | undefined {
    opDispatched();   // an interruption point, like every op: a loop of fused steps allocates nothing
    const loss = closure ? closure() : undefined;
    noGrad(() => tidy(() => { this.update(); }));
    return loss;
  }

  protected abstract update(): void;

  /**
   * Write one parameter's update: each [target, value] pair copies a value computed beforehand
   * (changing nothing) into the parameter or one of its state tensors; `then` sets plain state
   * such as the step count. Once started, the writes complete even when an interrupt stops them
   * halfway (settleState() redoes them), so the values must stay alive until commit returns.
   */
  protected commit(writes: readonly (readonly [Tensor, Tensor])[], then?: () => void): void {
    const w: Writes = { writes, then };
    writing = w;
    write(w);
    writing = null;
  }

  /** The state of p, created on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) { s = {}; this.state.set(p, s); }
    return s;
  }

  /** A zero tensor like p that survives tidy() (optimiser state). */
  protected zerosLike(p: Tensor, value = 0): Tensor { return keep(fullLike(p, value)); }

  /** Hyper-parameters and per-parameter state (momentum buffers, ...) in PyTorch's layout: parameters by index.
   * @example const s = opt.stateDict(); s.paramGroups[0].lr; // later: opt.loadStateDict(s) */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let i = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== "params") out[k] = Array.isArray(v) ? [...v] : v;
      out.params = g.params.map((p) => { if (!index.has(p)) index.set(p, i++); return index.get(p)!; });
      return out;
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const k = index.get(p);
      if (k !== undefined) state[k] = { ...s };
    }
    return { state, paramGroups };
  }

  /** Restore hyper-parameters and state saved by stateDict() (of an optimiser over parameters of
   * the same shapes, in the same order). State tensors are copied to each parameter's device.
   * @example const s = opt.stateDict(); opt.loadStateDict(s); */
  loadStateDict(sd: OptimizerStateDict): void {
    if (!sd || !Array.isArray(sd.paramGroups) || sd.paramGroups.length !== this.paramGroups.length)
      throw new Error(`${this.constructor.name}.loadStateDict: the state dict has ${sd?.paramGroups?.length} param groups, this optimiser ${this.paramGroups.length}`);
    const byIndex = new Map<number, Tensor>();
    sd.paramGroups.forEach((saved, gi) => {
      const g = this.paramGroups[gi];
      const ids = saved.params as number[];
      if (!Array.isArray(ids) || ids.length !== g.params.length)
        throw new Error(`${this.constructor.name}.loadStateDict: param group ${gi} has ${ids?.length} parameters in the state dict, ${g.params.length} here`);
      ids.forEach((id, j) => byIndex.set(id, g.params[j]));
      for (const [k, v] of Object.entries(saved)) if (k !== "params") (g as any)[k] = Array.isArray(v) ? [...v] : v;
    });
    this.state.clear();
    for (const [key, s] of Object.entries(sd.state ?? {})) {
      const p = byIndex.get(Number(key));
      if (!p) continue;
      const restored: ParamState = {};
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor) {
          if (v.numel() !== 1 || p.numel() === 1) {
            if (v.shape.join() !== p.shape.join())
              throw new Error(`${this.constructor.name}.loadStateDict: state "${k}" of parameter ${key} has shape [${v.shape.join(", ")}], the parameter [${p.shape.join(", ")}]`);
            restored[k] = keep(noGrad(() => v.to({ device: p.device, dtype: p.dtype }).clone()));
          } else restored[k] = v.itemSync();
        } else restored[k] = v;
      }
      this.state.set(p, restored);
    }
  }
}
