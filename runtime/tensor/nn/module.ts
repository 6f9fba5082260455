// runtime/tensor/nn/module.ts
// torch.nn.Module in TypeScript: parameters, buffers and submodules are found by walking the
// module's own fields (a Parameter, a registered buffer, a Module, or an array of Modules), in the
// order the constructor assigned them, so "layers.0.weight" names match PyTorch's. Also state
// dicts with strict checking, train/eval, hooks, and callable constructors (nn.Linear(2, 3)
// without `new`). Layers live in layers.ts / conv.ts / norm.ts; functional math in the engine's F.

import { Tensor } from "../tensor";
import { noGrad } from "../autograd";
import type { DeviceName } from "../backend";
import { formatShape } from "../shape";
import { TensorError } from "../errors";
import { summary as summarize, type ModelSummary, type SummaryOptions } from "./summary";

export type Parameter = ParameterImpl;

/** A mismatch between a state dict and a module: names what is missing, unexpected or mis-sized.
 * @example try { model.loadStateDict(sd); } catch (e) { if (e instanceof nn.StateDictError) console.log(e.message); } */
export class StateDictError extends TensorError {}

// ---- Parameter ----------------------------------------------------------------------------------

/** A Tensor that is a module's learnable weight: requiresGrad is true and Module walks find it.
 * Shares `data`'s storage. Not tracked by tidy(): a parameter built inside tidy() outlives it. */
class ParameterImpl extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new TypeError("Parameter: expected a Tensor");
    super(data._handle, data.shape, data.strides, data.offset, false);
    this.requiresGrad = requiresGrad;
  }
  /** Always true: tells a Parameter from a plain Tensor without instanceof.
   * @example model.parameters()[0].isParameter; // true */
  get isParameter(): true { return true; }
}
Object.defineProperty(ParameterImpl, "name", { value: "Parameter" });

// ---- hooks --------------------------------------------------------------------------------------

export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown[] | void;
export type ForwardHook = (module: Module, inputs: unknown[], output: any) => unknown | void;
export interface RemovableHandle { remove(): void }

interface Internals {
  buffers: Map<string, boolean>;  // name -> persistent
  preHooks: Map<number, ForwardPreHook>;
  hooks: Map<number, ForwardHook>;
  nextHookId: number;
}
const globalPreHooks = new Map<number, ForwardPreHook>();
const globalHooks = new Map<number, ForwardHook>();
let globalHookId = 0;

/** Hooks on every module's forward (torch.nn.modules.module.register_module_forward_hook); used
 * by summary().
 * The hook gets (module, inputs, output); a returned value replaces the output.
 * @example const h = nn.registerModuleForwardHook((m, _in, out) => console.log(m.constructor.name, out.shape)); model.forward(x); h.remove(); */
export function registerModuleForwardHook(hook: ForwardHook): RemovableHandle {
  const id = globalHookId++;
  globalHooks.set(id, hook);
  return { remove: () => void globalHooks.delete(id) };
}
/** Hooks before every module's forward (register_module_forward_pre_hook): gets (module, inputs); a returned array replaces the inputs.
 * @example const h = nn.registerModuleForwardPreHook((m, inputs) => { console.log(m.constructor.name); }); h.remove(); */
export function registerModuleForwardPreHook(hook: ForwardPreHook): RemovableHandle {
  const id = globalHookId++;
  globalPreHooks.set(id, hook);
  return { remove: () => void globalPreHooks.delete(id) };
}

const INTERNALS = Symbol("tsgrad.module");

/** True when forward hooks would run for m (its own or global ones): then its output must exist
 * as such, and a container may not fuse it with the next module. */
export function hasHooks(m: Module): boolean {
  const i = (m as unknown as Record<symbol, Internals>)[INTERNALS];
  return i.preHooks.size > 0 || i.hooks.size > 0 || globalPreHooks.size > 0 || globalHooks.size > 0;
}

// ---- Module -------------------------------------------------------------------------------------

/** Base class of every layer and model (torch.nn.Module). Subclass it, assign layers and Parameters to fields
 * in the constructor and write forward(); parameters, buffers and submodules are found by walking the fields,
 * in assignment order, so names ("layers.0.weight") match PyTorch's. `model.forward(x)` runs the hooks as
 * PyTorch's `model(x)` does.
 * @example
 * class MLP extends nn.Module {
 * fc1 = nn.Linear(2, 32); fc2 = nn.Linear(32, 2);
 * forward(x: Tensor) { return this.fc2.forward(F.relu(this.fc1.forward(x))); }
 * }
 * const model = new MLP(); */
export abstract class Module {
  /** True in training mode (dropout active, batch norm uses batch statistics).
   * @example model.eval(); model.training; // false */
  training = true;

  constructor() {
    const internals: Internals = { buffers: new Map(), preHooks: new Map(), hooks: new Map(), nextHookId: 0 };
    Object.defineProperty(this, INTERNALS, { value: internals, enumerable: false });
    // Calling forward() runs the hooks, as PyTorch's __call__ does, so that model.forward(x) (the
    // form DESIGN.md's cells use), model.call(x) and a parent's child.forward(x) all behave alike.
    // The subclass's forward is already on the prototype chain here; wrap it as an own property.
    const inner = (this as any).forward as (...xs: unknown[]) => unknown;
    const self = this;
    Object.defineProperty(this, "forward", {
      enumerable: false, configurable: true, writable: true,
      value: function forward(...xs: unknown[]) { return runWithHooks(self, inner, xs); },
    });
  }

  /** The computation of this module; calling it runs the module's forward hooks (as PyTorch's `model(x)`).
   * Shapes: each layer documents its own, e.g. nn.Linear: `[*, in] -> [*, out]`.
   * @example const logits = model.forward(x); */
  abstract forward(...xs: any[]): any;

  /** Same as forward(x): runs forward pre-hooks, forward, then forward hooks.
   * @example const y = model.call(x); */
  call(...xs: any[]): any { return (this as any).forward(...xs); }

  private get internals(): Internals { return (this as any)[INTERNALS]; }

  // ---- registration ----

  /** A tensor that is part of the state (saved in stateDict) but not a parameter: running stats.
   * Pass persistent = false to leave it out of stateDict(). Moves with to().
   * Shapes: `tensor: [*]`, stored as given.
   * @example this.registerBuffer("runningMean", torch.zeros(64)); */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    this.internals.buffers.set(name, persistent);
    (this as any)[name] = tensor;
  }
  /** Add a parameter under `name` (the same as assigning a Parameter to the field).
   * @example this.registerParameter("scale", nn.Parameter(torch.ones(1))); */
  registerParameter(name: string, param: Parameter | null): void { (this as any)[name] = param; }
  /** Add a submodule under `name` (the same as assigning it to the field); the name must be a plain identifier.
   * @example this.registerModule("head", nn.Linear(64, 10)); */
  registerModule(name: string, module: Module | null): void {
    const cur = (this as any)[name];
    if (name.includes(".") || name === "" || (cur !== undefined && cur !== null && !(cur instanceof Module)))
      throw new Error(`${this.constructor.name}.registerModule: "${name}" is not a usable name (empty, dotted, or an existing attribute)`);
    (this as any)[name] = module;
  }
  /** Alias of registerModule (torch.nn.Module.add_module).
   * @example this.addModule("block0", nn.Conv2d(3, 16, 3)); */
  addModule(name: string, module: Module | null): void { this.registerModule(name, module); }

  // ---- traversal ----

  /** Direct submodules with their field names ("0", "encoder", "layers.2" for an array field).
   * @example for (const [name, child] of model.namedChildren()) console.log(name, child.toString()); */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const key of Object.keys(this)) {
      const v = (this as any)[key];
      if (v instanceof Module) out.push([key, v]);
      else if (Array.isArray(v) && v.length > 0 && v[0] instanceof Module)
        v.forEach((m, i) => { if (m instanceof Module) out.push([`${key}.${i}`, m]); });
    }
    return out;
  }
  /** Direct submodules, in field order.
   * @example model.children().length; */
  children(): Module[] { return this.namedChildren().map(([, m]) => m); }

  /** This module and every descendant, depth first, each once.
   * @example for (const [name, m] of model.namedModules()) if (m instanceof nn.Linear) console.log(name); */
  namedModules(prefix = "", memo = new Set<Module>()): [string, Module][] {
    if (memo.has(this)) return [];
    memo.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren())
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name, memo));
    return out;
  }
  /** This module and every descendant, depth first.
   * @example model.modules().filter((m) => m instanceof nn.Dropout).length; */
  modules(): Module[] { return this.namedModules().map(([, m]) => m); }

  /** Parameters held directly by this module (not its children), by field name. */
  private ownParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const key of Object.keys(this)) {
      const v = (this as any)[key];
      if (v instanceof ParameterImpl) out.push([key, v]);
    }
    return out;
  }

  /** Every parameter with its dotted name ("layers.0.weight"); shared parameters once; recurse = false for this module's own.
   * @example for (const [name, p] of model.namedParameters()) console.log(name, p.shape); */
  namedParameters(prefix = "", recurse = true): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) for (const [n, p] of m.ownParameters()) {
      if (seen.has(p)) continue;  // shared (tied) weights appear once, as in PyTorch
      seen.add(p);
      out.push([mp ? `${mp}.${n}` : n, p]);
    }
    return out;
  }
  /** Every parameter of this module and its descendants (shared ones once), to give to an optimiser.
   * @example const opt = optim.Adam(model.parameters(), { lr: 1e-3 }); */
  parameters(recurse = true): Parameter[] { return this.namedParameters("", recurse).map(([, p]) => p); }

  /** Every registered buffer (running statistics, ...) with its dotted name.
   * Shapes: each buffer keeps its shape (`runningMean: [C]`, ...).
   * @example model.namedBuffers().map(([n]) => n); // ["bn.runningMean", "bn.runningVar", ...] */
  namedBuffers(prefix = "", recurse = true): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) for (const name of m.internals.buffers.keys()) {
      const t = (m as any)[name];
      if (t instanceof Tensor) out.push([mp ? `${mp}.${name}` : name, t]);
    }
    return out;
  }
  /** Every registered buffer of this module and its descendants.
   * Shapes: each buffer keeps its shape.
   * @example model.buffers().length; */
  buffers(recurse = true): Tensor[] { return this.namedBuffers("", recurse).map(([, b]) => b); }

  /** Call fn on every submodule (children first) and then on this module; returns this.
   * @example model.apply((m) => { if (m instanceof nn.Linear) nn.init.xavierUniform_(m.weight); }); */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and gradients ----

  /** Set training mode on this module and every descendant (dropout on, batch norm on batch statistics); returns this.
   * @example model.train(); */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  /** Set evaluation mode (train(false)): dropout off, batch norm on running statistics; returns this.
   * @example model.eval(); const preds = torch.noGrad(() => model.forward(xTest)); */
  eval(): this { return this.train(false); }

  /** Drop every parameter's gradient (PyTorch's default set_to_none=True).
   * @example model.zeroGrad(); */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (setToNone) p.grad = null;
      else noGrad(() => { p.grad!.zero_(); });
    }
  }

  /** Turn gradient tracking of every parameter on or off (freezing layers).
   * @example model.features.requiresGrad_(false); */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  // ---- devices ----

  /** Move parameters and buffers to `device`. Parameters are replaced by Parameters on the new
   * device, so build the optimiser after calling to(), as PyTorch advises.
   * Unlike PyTorch, it takes a device only (no dtype).
   * @example const model = new MLP().to("webgpu"); const opt = optim.SGD(model.parameters(), { lr: 0.1 }); */
  to(device: DeviceName | (string & {})): this {
    if (device !== "cpu" && device !== "webgpu")
      throw new TypeError(`${this.constructor.name}.to: unknown device "${device}"; use "cpu" or "webgpu"`);
    const dev = device as DeviceName;
    for (const m of this.modules()) {
      for (const key of Object.keys(m)) {
        const v = (m as any)[key];
        if (v instanceof ParameterImpl) {
          if (v.device !== dev) (m as any)[key] = Parameter(v.detach().to(dev), v.requiresGrad);
        } else if (v instanceof Tensor && m.internals.buffers.has(key) && v.device !== dev) {
          (m as any)[key] = v.to(dev);
        }
      }
    }
    return this;
  }

  // ---- state ----

  /** Parameters and persistent buffers by dotted name; the tensors share this module's storage.
   * Shapes: each entry has its parameter's or buffer's shape.
   * @example await save(model.stateDict(), "model.safetensors"); */
  stateDict(opts: { keepVars?: boolean } = {}): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [mp, m] of this.namedModules()) {
      for (const key of Object.keys(m)) {
        const v = (m as any)[key];
        const name = mp ? `${mp}.${key}` : key;
        if (v instanceof ParameterImpl) { if (!(name in out)) out[name] = opts.keepVars ? v : v.detach(); }
        else if (v instanceof Tensor && m.internals.buffers.get(key)) out[name] = v.detach();
      }
    }
    return out;
  }

  /** Copy values from `sd` into this module's parameters and buffers. strict (default) requires
   * the same names; shapes must always match. Throws StateDictError listing every problem.
   * Returns the missing and unexpected names.
   * Shapes: each entry must have the shape of the parameter or buffer it fills.
   * @example model.loadStateDict(load("model.safetensors")); */
  loadStateDict(sd: Record<string, Tensor>, opts: { strict?: boolean } = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    const strict = opts.strict ?? true;
    const own = this.stateDict({ keepVars: true });
    const missingKeys = Object.keys(own).filter((k) => !(k in sd));
    const unexpectedKeys = Object.keys(sd).filter((k) => !(k in own));
    const sizeErrors: string[] = [];
    for (const [k, t] of Object.entries(own)) {
      const src = sd[k];
      if (!src) continue;
      if (!(src instanceof Tensor)) sizeErrors.push(`"${k}" is not a Tensor in checkpoint`);
      else if (formatShape(src.shape) !== formatShape(t.shape))
        sizeErrors.push(`size mismatch for "${k}": ${formatShape(src.shape)} in checkpoint, ${formatShape(t.shape)} in model`);
    }
    const problems: string[] = [];
    if (strict && missingKeys.length) problems.push(`missing ${missingKeys.map((k) => `"${k}"`).join(", ")}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}`);
    problems.push(...sizeErrors);
    if (problems.length)
      throw new StateDictError(`loadStateDict(${this.constructor.name}): ${problems.join("; ")}`,
        missingKeys.length || unexpectedKeys.length ? "pass { strict: false } to load only the names both sides share" : undefined);
    noGrad(() => {
      for (const [k, t] of Object.entries(own)) {
        const src = sd[k];
        if (src) t.copy_(src.dtype === t.dtype && src.device === t.device ? src : src.to(t.device).to(t.dtype));
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- hooks ----

  /** Call hook(module, inputs) before this module's forward; a returned array replaces the inputs.
   * @example const h = model.registerForwardPreHook((m, inputs) => { console.log(inputs.length); }); h.remove(); */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const id = this.internals.nextHookId++;
    this.internals.preHooks.set(id, hook);
    return { remove: () => void this.internals.preHooks.delete(id) };
  }
  /** Call hook(module, inputs, output) after this module's forward; a returned value replaces the output.
   * @example const h = layer.registerForwardHook((m, _in, out) => { acts.push(out.detach()); }); h.remove(); */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const id = this.internals.nextHookId++;
    this.internals.hooks.set(id, hook);
    return { remove: () => void this.internals.hooks.delete(id) };
  }

  // ---- printing ----

  /** torchinfo-style table of layers, output shapes and parameter counts for an input of
   * `inputShape` (batch dim included): model.summary([1, 3, 28, 28]).
   * @example model.summary([1, 1, 28, 28]); */
  summary(inputShape: number[], opts?: SummaryOptions): ModelSummary { return summarize(this, inputShape, opts); }

  /** Constructor arguments shown by toString(), e.g. "in_features=784, out_features=10".
   * @example nn.Linear(784, 10).extraRepr(); // "inFeatures=784, outFeatures=10, bias=true" */
  extraRepr(): string { return ""; }

  /** The PyTorch-style printout: class, extraRepr() and the children, indented.
   * @example console.log(model.toString()); */
  toString(): string {
    const kids = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (kids.length === 0) return `${head})`;
    const lines = kids.map(([n, m]) => `  (${n}): ${m.toString().split("\n").join("\n  ")}`);
    return `${head}\n${lines.join("\n")}\n)`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.toString(); }
}

function runWithHooks(m: Module, inner: (...xs: unknown[]) => unknown, xs: unknown[]): unknown {
  const { preHooks, hooks } = (m as any)[INTERNALS] as Internals;
  if (preHooks.size === 0 && hooks.size === 0 && globalPreHooks.size === 0 && globalHooks.size === 0)
    return inner.apply(m, xs);
  for (const h of [...globalPreHooks.values(), ...preHooks.values()]) {
    const r = h(m, xs);
    if (r !== undefined) xs = Array.isArray(r) ? r : [r];
  }
  let out = inner.apply(m, xs);
  for (const h of [...globalHooks.values(), ...hooks.values()]) {
    const r = h(m, xs, out);
    if (r !== undefined) out = r;
  }
  return out;
}

// ---- callable constructors ----------------------------------------------------------------------

/** A class that can also be called without `new` (nn.Linear(784, 256)), as DESIGN.md's cells do. */
export type Callable<C extends abstract new (...args: any) => any> =
  C & ((...args: ConstructorParameters<C>) => InstanceType<C>);

/** Wrap a class so it can be called with or without `new`, as the nn, optim and data classes are; instanceof and extends keep working.
 * @example const Block = nn.callable(MyBlock); const b = Block(64); */
export function callable<C extends new (...args: any) => any>(cls: C): Callable<C> {
  return new Proxy(cls, {
    apply: (target, _this, args) => new target(...args),
  }) as Callable<C>;
}

/** A Tensor that is a module's learnable weight (torch.nn.Parameter): requiresGrad is true and Module finds it in its fields.
 * Shares the given tensor's storage; not tracked by tidy(), so one made inside tidy() outlives it. Callable with or without `new`.
 * Shapes: `data: [*]` -> a Parameter `[*]`.
 * @example this.scale = nn.Parameter(torch.ones(1)); */
export const Parameter = callable(ParameterImpl);
