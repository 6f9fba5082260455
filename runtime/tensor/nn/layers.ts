// runtime/tensor/nn/layers.ts
// Containers (Sequential, ModuleList, ModuleDict), Identity, Linear, Flatten, Unflatten, Dropout,
// Embedding and the activation modules. Each forward is one call into the engine's F; these
// classes hold parameters, defaults and the PyTorch-style repr.

import { Tensor } from "../tensor";
import { F } from "../functional";
import { zeros } from "../creation";
import { noGrad } from "../autograd";
import { Module, Parameter } from "./module";
import { defaultLayerInit_, normal_ } from "./init";
import type { DeviceName } from "../backend";
import type { DType } from "../dtype";

export interface FactoryOptions { device?: DeviceName; dtype?: DType }

// ---- containers ----

/** Runs its modules in order; children are named "0", "1", ... (torch.nn.Sequential). */
export class Sequential extends Module {
  [index: number]: Module;
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => { this.addModule(String(i), m); });
  }
  get length(): number { return this.children().length; }
  at(i: number): Module { const c = this.children(); return c[i < 0 ? c.length + i : i]; }
  append(m: Module): this { this.addModule(String(this.length), m); return this; }
  forward(x: any): any {
    for (const m of this.children()) x = m.forward(x);
    return x;
  }
  [Symbol.iterator](): Iterator<Module> { return this.children()[Symbol.iterator](); }
}

/** A list of submodules registered under "0", "1", ... (torch.nn.ModuleList); no forward of its own. */
export class ModuleList extends Module {
  [index: number]: Module;
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  get length(): number { return this.children().length; }
  at(i: number): Module { const c = this.children(); return c[i < 0 ? c.length + i : i]; }
  append(m: Module): this { this.addModule(String(this.length), m); return this; }
  extend(ms: Iterable<Module>): this { for (const m of ms) this.append(m); return this; }
  forward(): never { throw new Error("ModuleList has no forward(); iterate over it and call each module"); }
  [Symbol.iterator](): Iterator<Module> { return this.children()[Symbol.iterator](); }
}

/** Submodules by name (torch.nn.ModuleDict). */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.addModule(k, m);
  }
  get(key: string): Module | undefined { return this.namedChildren().find(([k]) => k === key)?.[1]; }
  keys(): string[] { return this.namedChildren().map(([k]) => k); }
  forward(): never { throw new Error("ModuleDict has no forward(); pick a module by key"); }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor { return x; }
}

// ---- linear ----

/** y = x W^T + b, W: [outFeatures, inFeatures]; PyTorch's default init (kaiming uniform a=sqrt(5)). */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: { bias?: boolean } & FactoryOptions = {}) {
    super();
    const o = { device: opts.device, dtype: opts.dtype };
    this.weight = Parameter(zeros([outFeatures, inFeatures], o));
    this.bias = opts.bias === false ? null : Parameter(zeros([outFeatures], o));
    this.resetParameters();
  }
  resetParameters(): void { defaultLayerInit_(this.weight, this.bias); }
  forward(x: Tensor): Tensor { return F.linear(x, this.weight, this.bias); }
  extraRepr(): string { return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`; }
}

/** Flattens dims startDim..endDim (default 1..-1: keeps the batch dim). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) { super(); }
  forward(x: Tensor): Tensor { return x.flatten(this.startDim, this.endDim); }
  extraRepr(): string { return `startDim=${this.startDim}, endDim=${this.endDim}`; }
}

export class Unflatten extends Module {
  constructor(readonly dim: number, readonly sizes: number[]) { super(); }
  forward(x: Tensor): Tensor { return x.unflatten(this.dim, this.sizes); }
  extraRepr(): string { return `dim=${this.dim}, sizes=[${this.sizes.join(", ")}]`; }
}

/** Zeroes elements with probability p in training mode (scaling the rest by 1/(1-p)); identity in eval. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (p < 0 || p > 1) throw new Error(`Dropout: probability has to be between 0 and 1, but got ${p}`);
  }
  forward(x: Tensor): Tensor { return F.dropout(x, this.p, this.training); }
  extraRepr(): string { return `p=${this.p}`; }
}

/** A lookup table of numEmbeddings vectors of size embeddingDim, initialised N(0, 1). */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: { paddingIdx?: number } & FactoryOptions = {}) {
    super();
    this.weight = Parameter(zeros([numEmbeddings, embeddingDim], { device: opts.device, dtype: opts.dtype }));
    normal_(this.weight);
    this.paddingIdx = opts.paddingIdx === undefined ? null : opts.paddingIdx < 0 ? numEmbeddings + opts.paddingIdx : opts.paddingIdx;
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).fill_(0));
  }
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
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return x.leakyRelu(this.negativeSlope); }
  extraRepr(): string { return `negativeSlope=${this.negativeSlope}`; }
}
export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return x.elu(this.alpha); }
  extraRepr(): string { return `alpha=${this.alpha}`; }
}
export class GELU extends Module {
  constructor(readonly approximate: "none" | "tanh" = "none") { super(); }
  forward(x: Tensor): Tensor { return x.gelu(this.approximate); }
  extraRepr(): string { return `approximate='${this.approximate}'`; }
}
export class Softmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return x.softmax(this.dim); }
  extraRepr(): string { return `dim=${this.dim}`; }
}
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return x.logSoftmax(this.dim); }
  extraRepr(): string { return `dim=${this.dim}`; }
}
