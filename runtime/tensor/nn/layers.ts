// runtime/tensor/nn/layers.ts
// Containers (Sequential, ModuleList, ModuleDict), Identity, Linear, Flatten, Unflatten, Dropout,
// Embedding and the activation modules. Each forward is one call into the engine's F; these
// classes hold parameters, defaults and the PyTorch-style repr.

import { Tensor } from "../tensor";
import { F } from "../functional";
import { zeros } from "../creation";
import { noGrad } from "../autograd";
import { hasHooks, Module, Parameter } from "./module";
import { Conv2d, convRelu, convReluMaxPool, MaxPool2d } from "./conv";
import { scopedOp } from "../memory";
import * as LA from "../ops_linalg";

// relu(linear(x)) as one op; scoped as F.linear is, so a composed fallback frees its intermediates.
const linearRelu = scopedOp(LA.linearRelu);
import { defaultLayerInit_, normal_ } from "./init";
import type { DeviceName } from "../backend";
import type { DType } from "../dtype";

/** Where a layer's parameters are made: device (default the default device) and dtype (default float32). */
export interface FactoryOptions { device?: DeviceName; dtype?: DType }

// ---- containers ----

/** Runs its modules in order; children are named "0", "1", ... (torch.nn.Sequential). */
export class Sequential extends Module {
  [index: number]: Module;
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => { this.addModule(String(i), m); });
  }
  /** Number of modules held.
   * @example nn.Sequential(nn.Linear(2, 2), nn.ReLU()).length; // 2 */
  get length(): number { return this.children().length; }
  /** The module at position i (negative counts from the end).
   * @example const last = model.at(-1); */
  at(i: number): Module { const c = this.children(); return c[i < 0 ? c.length + i : i]; }
  /** Add a module at the end; returns this.
   * @example model.append(nn.Softmax(1)); */
  append(m: Module): this { this.addModule(String(this.length), m); return this; }
  /** Run each module in order on x.
   * Shapes: the first module's input -> the last module's output.
   * @example const y = model.forward(x); */
  forward(x: any): any {
    const ms = this.children();
    for (let i = 0; i < ms.length; i++) {
      // Conv2d, ReLU (and MaxPool2d), and Linear, ReLU run as one fused op (#17): the same values
      // and gradients, passes over the activation fewer. Only these classes themselves, and only without hooks,
      // since a hook or a subclass could read or change an output in between.
      const run = fusedRun(ms, i);
      if (run === "conv-relu-pool") x = convReluMaxPool(ms[i] as Conv2d, ms[i + 2] as MaxPool2d, x);
      else if (run === "conv-relu") x = convRelu(ms[i] as Conv2d, x);
      else if (run === "linear-relu") x = linearRelu(x, (ms[i] as Linear).weight, (ms[i] as Linear).bias);
      else x = ms[i].forward(x);
      i += run === null ? 0 : run === "conv-relu-pool" ? 2 : 1;
    }
    return x;
  }
  [Symbol.iterator](): Iterator<Module> { return this.children()[Symbol.iterator](); }
}

/** Which fused op the modules from ms[i] on run as, or null: exact classes, no hooks. */
function fusedRun(ms: Module[], i: number): "conv-relu-pool" | "conv-relu" | "linear-relu" | null {
  const is = (m: Module | undefined, cls: { prototype: object }) => m !== undefined && Object.getPrototypeOf(m) === cls.prototype && !hasHooks(m);
  if (!is(ms[i + 1], ReLU)) return null;
  if (is(ms[i], Linear)) return "linear-relu";
  if (!is(ms[i], Conv2d)) return null;
  return is(ms[i + 2], MaxPool2d) ? "conv-relu-pool" : "conv-relu";
}

/** A list of submodules registered under "0", "1", ... (torch.nn.ModuleList); no forward of its own. */
export class ModuleList extends Module {
  [index: number]: Module;
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  /** Number of modules held.
   * @example blocks.length; */
  get length(): number { return this.children().length; }
  /** The module at position i (negative counts from the end).
   * @example blocks.at(0); */
  at(i: number): Module { const c = this.children(); return c[i < 0 ? c.length + i : i]; }
  /** Add a module at the end; returns this.
   * @example blocks.append(nn.Linear(64, 64)); */
  append(m: Module): this { this.addModule(String(this.length), m); return this; }
  /** Add several modules at the end; returns this.
   * @example blocks.extend([nn.ReLU(), nn.Linear(64, 10)]); */
  extend(ms: Iterable<Module>): this { for (const m of ms) this.append(m); return this; }
  /** Throws: a ModuleList has no forward; iterate over it and call each module.
   * @example for (const m of blocks) h = m.forward(h); */
  forward(): never { throw new Error("ModuleList has no forward(); iterate over it and call each module"); }
  [Symbol.iterator](): Iterator<Module> { return this.children()[Symbol.iterator](); }
}

/** Submodules by name (torch.nn.ModuleDict). */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.addModule(k, m);
  }
  /** The module under key, or undefined.
   * @example const head = heads.get("cls")!; */
  get(key: string): Module | undefined { return this.namedChildren().find(([k]) => k === key)?.[1]; }
  /** The names of the modules held, in insertion order.
   * @example heads.keys(); // ["cls", "box"] */
  keys(): string[] { return this.namedChildren().map(([k]) => k); }
  /** Throws: a ModuleDict has no forward; pick a module by key.
   * @example heads.get("cls")!.forward(h); */
  forward(): never { throw new Error("ModuleDict has no forward(); pick a module by key"); }
}

export class Identity extends Module {
  /** Return x unchanged. Shapes: `[*] -> [*]`.
   * @example nn.Identity().forward(x) === x; // true */
  forward(x: Tensor): Tensor { return x; }
}

// ---- linear ----

/** y = x W^T + b, W: [outFeatures, inFeatures]; PyTorch's default init (kaiming uniform a=sqrt(5)). */
export class Linear extends Module {
  /** The learnable weight, `[outFeatures, inFeatures]`.
   * @example fc.weight.shape; // [10, 784] */
  weight: Parameter;
  /** The learnable bias `[outFeatures]`, or null when made with { bias: false }.
   * @example fc.bias?.shape; // [10] */
  bias: Parameter | null;
  constructor(
    /** Size of each input sample (the last input dim).
     * @example nn.Linear(784, 10).inFeatures; // 784 */
    readonly inFeatures: number,
    /** Size of each output sample.
     * @example nn.Linear(784, 10).outFeatures; // 10 */
    readonly outFeatures: number,
    opts: { bias?: boolean } & FactoryOptions = {}
  ) {
    super();
    const o = { device: opts.device, dtype: opts.dtype };
    this.weight = Parameter(zeros([outFeatures, inFeatures], o));
    this.bias = opts.bias === false ? null : Parameter(zeros([outFeatures], o));
    this.resetParameters();
  }
  /** Re-initialise weight and bias as PyTorch's nn.Linear does (kaiming uniform, a = sqrt(5)).
   * @example fc.resetParameters(); */
  resetParameters(): void { defaultLayerInit_(this.weight, this.bias); }
  /** x W^T + b. Shapes: `[*, inFeatures]` -> `[*, outFeatures]`.
   * @example const y = fc.forward(x); */
  forward(x: Tensor): Tensor { return F.linear(x, this.weight, this.bias); }
  extraRepr(): string { return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`; }
}

/** Flattens dims startDim..endDim (default 1..-1: keeps the batch dim). */
export class Flatten extends Module {
  constructor(
    /** First dim to flatten (default 1, after the batch dim).
     * @example nn.Flatten().startDim; // 1 */
    readonly startDim = 1,
    /** Last dim to flatten (default -1).
     * @example nn.Flatten().endDim; // -1 */
    readonly endDim = -1
  ) { super(); }
  /** Flatten dims startDim..endDim. Shapes: `[N, C, H, W]` -> `[N, C * H * W]` with the defaults.
   * @example nn.Flatten().forward(torch.zeros(2, 3, 4)).shape; // [2, 12] */
  forward(x: Tensor): Tensor { return x.flatten(this.startDim, this.endDim); }
  extraRepr(): string { return `startDim=${this.startDim}, endDim=${this.endDim}`; }
}

export class Unflatten extends Module {
  constructor(
    /** The dim that is split.
     * @example nn.Unflatten(1, [1, 28, 28]).dim; // 1 */
    readonly dim: number,
    /** The sizes it is split into.
     * @example nn.Unflatten(1, [1, 28, 28]).sizes; // [1, 28, 28] */
    readonly sizes: number[]
  ) { super(); }
  /** Split dim into sizes. Shapes: `[N, C * H * W]` -> `[N, C, H, W]` for nn.Unflatten(1, [C, H, W]).
   * @example nn.Unflatten(1, [2, 3]).forward(torch.zeros(4, 6)).shape; // [4, 2, 3] */
  forward(x: Tensor): Tensor { return x.unflatten(this.dim, this.sizes); }
  extraRepr(): string { return `dim=${this.dim}, sizes=[${this.sizes.join(", ")}]`; }
}

/** Zeroes elements with probability p in training mode (scaling the rest by 1/(1-p)); identity in eval. */
export class Dropout extends Module {
  constructor(
    /** Probability of zeroing an element in training mode (default 0.5).
     * @example nn.Dropout(0.1).p; // 0.1 */
    readonly p = 0.5
  ) {
    super();
    if (p < 0 || p > 1) throw new Error(`Dropout: probability has to be between 0 and 1, but got ${p}`);
  }
  /** Drop elements in training mode, identity in eval mode. Shapes: `[*] -> [*]`.
   * @example const h = drop.forward(x); */
  forward(x: Tensor): Tensor { return F.dropout(x, this.p, this.training); }
  extraRepr(): string { return `p=${this.p}`; }
}

/** A lookup table of numEmbeddings vectors of size embeddingDim, initialised N(0, 1). */
export class Embedding extends Module {
  /** The embedding table, `[numEmbeddings, embeddingDim]`.
   * @example emb.weight.shape; // [1000, 64] */
  weight: Parameter;
  /** The row that stays zero and gets no gradient (made non-negative), or null.
   * @example nn.Embedding(10, 4, { paddingIdx: 0 }).paddingIdx; // 0 */
  readonly paddingIdx: number | null;
  constructor(
    /** Number of rows of the table (the vocabulary size).
     * @example nn.Embedding(1000, 64).numEmbeddings; // 1000 */
    readonly numEmbeddings: number,
    /** Size of each embedding vector.
     * @example nn.Embedding(1000, 64).embeddingDim; // 64 */
    readonly embeddingDim: number,
    opts: { paddingIdx?: number } & FactoryOptions = {}
  ) {
    super();
    this.weight = Parameter(zeros([numEmbeddings, embeddingDim], { device: opts.device, dtype: opts.dtype }));
    normal_(this.weight);
    this.paddingIdx = opts.paddingIdx === undefined ? null : opts.paddingIdx < 0 ? numEmbeddings + opts.paddingIdx : opts.paddingIdx;
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).fill_(0));
  }
  /** Look up each index's row. Shapes: `indices: [*]` (int32) -> `[*, embeddingDim]`.
   * @example const e = emb.forward(torch.tensor([[1, 2, 3]], { dtype: "int32" })); // [1, 3, embeddingDim] */
  forward(indices: Tensor): Tensor {
    const out = F.embedding(indices, this.weight);
    // paddingIdx: those positions give zeros and send no gradient to their row (as PyTorch).
    return this.paddingIdx === null ? out : out.where(indices.ne(this.paddingIdx).unsqueeze(-1), 0);
  }
  extraRepr(): string { return `${this.numEmbeddings}, ${this.embeddingDim}`; }
}

// ---- activations ----

export class ReLU extends Module { forward(x: Tensor): Tensor { return x.relu(); } }
export class Sigmoid extends Module { forward(x: Tensor): Tensor { return x.sigmoid(); } }
export class Tanh extends Module { forward(x: Tensor): Tensor { return x.tanh(); } }
export class SiLU extends Module { forward(x: Tensor): Tensor { return x.silu(); } }
export class Softplus extends Module { forward(x: Tensor): Tensor { return x.softplus(); } }
export class LeakyReLU extends Module {
  constructor(
    /** Slope for negative inputs (default 0.01).
     * @example nn.LeakyReLU(0.2).negativeSlope; // 0.2 */
    readonly negativeSlope = 0.01
  ) { super(); }
  forward(x: Tensor): Tensor { return x.leakyRelu(this.negativeSlope); }
  extraRepr(): string { return `negativeSlope=${this.negativeSlope}`; }
}
export class ELU extends Module {
  constructor(
    /** Scale of the negative part, alpha * (e^x - 1) (default 1).
     * @example nn.ELU().alpha; // 1 */
    readonly alpha = 1
  ) { super(); }
  forward(x: Tensor): Tensor { return x.elu(this.alpha); }
  extraRepr(): string { return `alpha=${this.alpha}`; }
}
export class GELU extends Module {
  constructor(
    /** "none" (erf, default) or "tanh" (the tanh approximation).
     * @example nn.GELU("tanh").approximate; // "tanh" */
    readonly approximate: "none" | "tanh" = "none"
  ) { super(); }
  forward(x: Tensor): Tensor { return x.gelu(this.approximate); }
  extraRepr(): string { return `approximate='${this.approximate}'`; }
}
export class Softmax extends Module {
  constructor(
    /** The dim softmax runs along (default -1).
     * @example nn.Softmax(1).dim; // 1 */
    readonly dim = -1
  ) { super(); }
  forward(x: Tensor): Tensor { return x.softmax(this.dim); }
  extraRepr(): string { return `dim=${this.dim}`; }
}
export class LogSoftmax extends Module {
  constructor(
    /** The dim log-softmax runs along (default -1).
     * @example nn.LogSoftmax(1).dim; // 1 */
    readonly dim = -1
  ) { super(); }
  forward(x: Tensor): Tensor { return x.logSoftmax(this.dim); }
  extraRepr(): string { return `dim=${this.dim}`; }
}
