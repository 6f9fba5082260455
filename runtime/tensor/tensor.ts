// runtime/tensor/tensor.ts
// Tensor: a strided window (shape, strides, offset) onto a StorageHandle on one device, plus the
// autograd fields. A Tensor is itself a backend View, so ops hand it to kernels without copying.
// Methods here are thin: the ops and their gradients live in ops_*.ts, printing in print.ts.

import type { Backend, DeviceName, Storage, View } from "./backend";
import type { DType, TypedArray } from "./dtype";
import { DTYPES } from "./dtype";
import { AutogradError, DeviceError } from "./errors";
import { inTidy, scoped, StorageHandle, track } from "./memory";
import { contiguousStrides, isContiguous, sizeOf, type Shape } from "./shape";
import { isGradEnabled, noGrad, rootGradient, runBackward, type BackwardOptions, type GradHook, type HookHandle, type Node } from "./autograd";
import * as E from "./ops_elementwise";
import * as R from "./ops_reduce";
import * as V from "./ops_view";
import * as X from "./ops_index";
import * as LA from "./ops_linalg";
import { formatTensor, formatTensorAsync, type NestedArray } from "./print";

export type { NestedArray } from "./print";
export type Scalar = number;
/** What .to() accepts: a device, a dtype, or both. */
export type ToTarget = DeviceName | DType | { device?: DeviceName; dtype?: DType };

export class Tensor implements View {
  readonly buf: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  readonly device: DeviceName;
  /** Whether gradients flow to this tensor. Set on leaves by the user; on results by autograd. */
  requiresGrad = false;
  /** @internal */ _grad: Tensor | null = null;
  /** @internal set on a gradient that backward() stored in .grad (kept from tidy while it is one). */
  _autoGrad = false;
  /** Accumulated gradient of a leaf (or of a non-leaf after retainGrad()). */
  get grad(): Tensor | null { return this._grad; }
  /**
   * Replacing a gradient that backward() made (zeroGrad's `p.grad = null`, a new accumulation)
   * ends its automatic keep(): inside tidy() the enclosing scope disposes it when it closes
   * (unless returned or keep()-ed again); outside, the garbage collector reclaims it.
   */
  set grad(g: Tensor | null) {
    const old = this._grad;
    this._grad = g;
    if (old !== null && old !== g && old._autoGrad) {
      old._autoGrad = false;
      if (!old._disposed && inTidy()) { old._kept = false; track(old); }
    }
  }
  /** The autograd Node that produced this tensor; null for leaves. */
  gradFn: Node | null = null;
  /** @internal */ _hooks: GradHook[] | null = null;
  /** @internal */ _kept = false;
  /** @internal */ _disposed = false;
  /** @internal a view op's result on a tensor with history (in-place writes to it are refused while recording). */
  _diffView = false;

  /**
   * Wrap a strided window of a storage. Prefer the creation functions (torch.tensor, zeros, ...);
   * subclasses (nn.Parameter) pass another tensor's fields to share its storage.
   */
  constructor(readonly _handle: StorageHandle, shape: Shape, strides: readonly number[] = contiguousStrides(shape), offset = 0, tracked = true) {
    this.buf = _handle.buf;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this.dtype = _handle.buf.dtype;
    this.device = _handle.backend.name;
    _handle.refs++;
    if (tracked) track(this);
  }

  // ---- basic properties ----
  get ndim(): number { return this.shape.length; }
  dim(): number { return this.shape.length; }
  numel(): number { return sizeOf(this.shape); }
  /** The size of one dim, or the whole shape (torch.Tensor.size). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number { return dim === undefined ? this.shape.slice() : this.shape[V.dimIndex("size", dim, this.shape.length)]; }
  get isLeaf(): boolean { return this.gradFn === null; }
  get isDisposed(): boolean { return this._disposed; }
  /** In-place modification counter of the storage (shared with views). */
  get version(): number { return this._handle.version; }
  isContiguous(): boolean { return isContiguous(this.shape, this.strides); }
  /** @internal */ _backend(): Backend {
    if (this._disposed || this._handle.freed) throw new Error(`tensor of shape [${this.shape.join(", ")}] was disposed`);
    return this._handle.backend;
  }
  /** @internal true when this view is the whole storage, row-major from element 0. */
  _isWholeStorage(): boolean { return this.offset === 0 && this.buf.length === this.numel() && this.isContiguous(); }
  /** @internal a view of the same storage with new shape/strides/offset (no autograd). */
  _view(shape: Shape, strides: readonly number[], offset: number): Tensor {
    this._backend();
    const v = new Tensor(this._handle, shape, strides, offset);
    v._diffView = this.requiresGrad && isGradEnabled();
    return v;
  }
  /** @internal a contiguous reshape of a contiguous tensor (no autograd). */
  _viewAs(shape: Shape): Tensor { this._backend(); return new Tensor(this._handle, shape, contiguousStrides(shape), this.offset); }
  /** @internal an untracked alias with the same history, which autograd keeps for backward. */
  _alias(): Tensor {
    this._backend();
    const a = new Tensor(this._handle, this.shape, this.strides, this.offset, false);
    a.requiresGrad = this.requiresGrad;
    a.gradFn = this.gradFn;
    return a;
  }
  /** @internal */ _onesLikeNoGrad(): Tensor { return E.fullLike(this, 1); }

  // ---- memory ----
  /** Free this tensor's reference to its storage now; the memory returns to the pool once no view uses it. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._handle.release();
  }

  // ---- reading values ----
  /** The single value of a one-element tensor. */
  async item(): Promise<number> { return E.itemOf(this, await this.data()); }
  /** Values as nested arrays (numbers, or booleans for bool tensors). */
  async toArray(): Promise<NestedArray> { return V.nest(await this.data(), this.shape, this.dtype); }
  /** alias of toArray() (torch.Tensor.tolist). */
  tolist(): Promise<NestedArray> { return this.toArray(); }
  /** Values as a flat row-major TypedArray (a copy). */
  async data(): Promise<TypedArray> {
    const c = this._contiguousStorage();
    try { return (await this._handle.backend.read(c.buf)).subarray(0, c.numel()); }
    finally { if (c !== this) c.dispose(); }
  }
  itemSync(): number { return E.itemOf(this, this.dataSync()); }
  toArraySync(): NestedArray { return V.nest(this.dataSync(), this.shape, this.dtype); }
  dataSync(): TypedArray {
    const b = this._backend();
    if (!b.readSync) throw new DeviceError(`dataSync: ${this.device} memory can only be read asynchronously`, "use await t.data() / await t.toArray() / await t.item()");
    const c = this._contiguousStorage();
    try { return b.readSync(c.buf).subarray(0, c.numel()); }
    finally { if (c !== this) c.dispose(); }
  }
  private _contiguousStorage(): Tensor {
    return this._isWholeStorage() ? this : noGrad(() => V.contiguousCopy(this));
  }

  // ---- autograd ----
  /** Compute gradients of this tensor w.r.t. the leaves and accumulate them into their .grad. */
  backward(grad?: Tensor, opts: BackwardOptions = {}): void {
    runBackward([this], [rootGradient(this, grad)], opts);
  }
  /** A tensor sharing storage with no history. */
  detach(): Tensor { this._backend(); return new Tensor(this._handle, this.shape, this.strides, this.offset); }
  /** Cut this tensor from its history in place. */
  detach_(): this { this.gradFn = null; this.requiresGrad = false; return this; }
  requiresGrad_(requiresGrad = true): this {
    if (!requiresGrad && this.gradFn) throw new AutogradError("requiresGrad_(false) on a non-leaf tensor", "use detach() to get a tensor without history");
    if (requiresGrad && !this.gradFn && !(this.dtype === "float32" || this.dtype === "float64"))
      throw new AutogradError(`requiresGrad_: only floating-point tensors can require gradients, got ${this.dtype}`);
    this.requiresGrad = requiresGrad;
    return this;
  }
  /** Call fn with this tensor's gradient during backward; a returned tensor replaces the gradient. */
  registerHook(fn: GradHook): HookHandle {
    if (!this.requiresGrad) throw new AutogradError("registerHook on a tensor that does not require grad");
    const list = this.gradFn ? (this.gradFn.hooks ??= []) : (this._hooks ??= []);
    list.push(fn);
    return { remove: () => { const i = list.indexOf(fn); if (i >= 0) list.splice(i, 1); } };
  }
  /** Keep the gradient of this non-leaf tensor in .grad after backward. */
  retainGrad(): this {
    if (!this.requiresGrad) throw new AutogradError("retainGrad on a tensor that does not require grad");
    if (this.gradFn) this.gradFn.retained = this;
    return this;
  }

  // ---- devices and dtypes ----
  /** Move to a device and/or convert dtype; returns this when nothing changes. Differentiable. */
  to(target: ToTarget): Tensor {
    const t = typeof target === "string" ? ((DTYPES as readonly string[]).includes(target) ? { dtype: target as DType } : { device: target as DeviceName }) : target;
    let out: Tensor = this;
    if (t.dtype && t.dtype !== out.dtype) out = E.cast(out, t.dtype);
    if (t.device && t.device !== out.device) out = V.toDevice(out, t.device);
    return out;
  }
  /** Move to a device, waiting for asynchronous reads (webgpu -> cpu). */
  async toAsync(device: DeviceName): Promise<Tensor> { return V.toDeviceAsync(this, device); }
  cpu(): Tensor { return this.to("cpu"); }
  float(): Tensor { return this.to("float32"); }
  double(): Tensor { return this.to("float64"); }
  int(): Tensor { return this.to("int32"); }
  bool(): Tensor { return this.to("bool"); }
  clone(): Tensor { return V.clone(this); }
  contiguous(): Tensor { return this.isContiguous() ? this : V.clone(this); }

  // ---- views (no kernel) ----
  view(...shape: (number | readonly number[])[]): Tensor { return V.view(this, V.shapeArg(shape)); }
  reshape(...shape: (number | readonly number[])[]): Tensor { return V.reshape(this, V.shapeArg(shape)); }
  viewAs(other: Tensor): Tensor { return V.view(this, other.shape); }
  reshapeAs(other: Tensor): Tensor { return V.reshape(this, other.shape); }
  transpose(dim0: number, dim1: number): Tensor { return V.transpose(this, dim0, dim1); }
  /** Transpose of a tensor with at most 2 dims. */
  t(): Tensor { return V.t(this); }
  /** Transpose of the last two dims. */
  get mT(): Tensor { return V.transpose(this, -2, -1); }
  get T(): Tensor { return V.permute(this, this.shape.map((_, i) => this.shape.length - 1 - i)); }
  permute(...dims: (number | readonly number[])[]): Tensor { return V.permute(this, V.shapeArg(dims)); }
  expand(...sizes: (number | readonly number[])[]): Tensor { return V.expand(this, V.shapeArg(sizes)); }
  expandAs(other: Tensor): Tensor { return V.expand(this, other.shape); }
  narrow(dim: number, start: number, length: number): Tensor { return V.narrow(this, dim, start, length); }
  /** Python's x[start:end:step] along dim (negative start/end count from the end). */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor { return V.slice(this, dim, start, end, step); }
  /** x[..., index, ...] along dim, removing that dim. */
  select(dim: number, index: number): Tensor { return scoped(() => V.select(this, dim, index)); }
  /** x[i] (first dim). */
  index(i: number): Tensor { return scoped(() => V.select(this, 0, i)); }
  squeeze(dim?: number | readonly number[]): Tensor { return V.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return V.unsqueeze(this, dim); }
  flatten(startDim = 0, endDim = -1): Tensor { return V.flatten(this, startDim, endDim); }
  unflatten(dim: number, sizes: readonly number[]): Tensor { return V.unflatten(this, dim, sizes); }
  split(splitSize: number | readonly number[], dim = 0): Tensor[] { return V.split(this, splitSize, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return V.chunk(this, chunks, dim); }
  unbind(dim = 0): Tensor[] { return V.unbind(this, dim); }

  // ---- element-wise math ----
  neg(): Tensor { return E.unary("neg", this); }
  abs(): Tensor { return E.unary("abs", this); }
  sign(): Tensor { return E.unary("sign", this); }
  exp(): Tensor { return E.unary("exp", this); }
  expm1(): Tensor { return E.unary("expm1", this); }
  log(): Tensor { return E.unary("log", this); }
  log1p(): Tensor { return E.unary("log1p", this); }
  log2(): Tensor { return scoped(() => E.unary("log", this).div(Math.LN2)); }
  sqrt(): Tensor { return E.unary("sqrt", this); }
  rsqrt(): Tensor { return E.unary("rsqrt", this); }
  square(): Tensor { return E.unary("square", this); }
  reciprocal(): Tensor { return E.unary("reciprocal", this); }
  sin(): Tensor { return E.unary("sin", this); }
  cos(): Tensor { return E.unary("cos", this); }
  tanh(): Tensor { return E.unary("tanh", this); }
  sigmoid(): Tensor { return E.unary("sigmoid", this); }
  relu(): Tensor { return E.unary("relu", this); }
  /** approximate: "none" (erf, default) or "tanh". */
  gelu(approximate: "none" | "tanh" = "none"): Tensor { return E.unary(approximate === "tanh" ? "gelu_tanh" : "gelu", this); }
  silu(): Tensor { return E.unary("silu", this); }
  softplus(): Tensor { return E.unary("softplus", this); }
  erf(): Tensor { return E.unary("erf", this); }
  floor(): Tensor { return E.unary("floor", this); }
  ceil(): Tensor { return E.unary("ceil", this); }
  round(): Tensor { return E.unary("round", this); }
  leakyRelu(negativeSlope = 0.01): Tensor { return E.unary("leaky_relu", this, negativeSlope); }
  elu(alpha = 1): Tensor { return E.unary("elu", this, alpha); }
  clamp(min?: number | null, max?: number | null): Tensor { return E.clamp(this, min, max); }
  clip(min?: number | null, max?: number | null): Tensor { return E.clamp(this, min, max); }

  add(other: Tensor | number, alpha = 1): Tensor { return E.add(this, other, alpha); }
  sub(other: Tensor | number, alpha = 1): Tensor { return E.sub(this, other, alpha); }
  mul(other: Tensor | number): Tensor { return E.mul(this, other); }
  div(other: Tensor | number): Tensor { return E.div(this, other); }
  pow(exponent: Tensor | number): Tensor { return E.pow(this, exponent); }
  maximum(other: Tensor): Tensor { return E.maximum(this, other); }
  minimum(other: Tensor): Tensor { return E.minimum(this, other); }
  /** torch.where(condition, this, other). */
  where(condition: Tensor, other: Tensor | number): Tensor { return E.where(condition, this, other); }
  maskedFill(mask: Tensor, value: number): Tensor { return E.where(mask, value, this); }
  lerp(end: Tensor, weight: number): Tensor { return scoped(() => this.add(end.sub(this).mul(weight))); }

  eq(other: Tensor | number): Tensor { return E.compare("eq", this, other); }
  ne(other: Tensor | number): Tensor { return E.compare("ne", this, other); }
  lt(other: Tensor | number): Tensor { return E.compare("lt", this, other); }
  le(other: Tensor | number): Tensor { return E.compare("le", this, other); }
  gt(other: Tensor | number): Tensor { return E.compare("gt", this, other); }
  ge(other: Tensor | number): Tensor { return E.compare("ge", this, other); }
  logicalAnd(other: Tensor): Tensor { return E.compare("logical_and", this, other); }
  logicalOr(other: Tensor): Tensor { return E.compare("logical_or", this, other); }
  logicalNot(): Tensor { return E.logicalNot(this); }
  isnan(): Tensor { return E.compare("ne", this, this); }

  // ---- in place (trailing _, as PyTorch); each bumps the storage version ----
  add_(other: Tensor | number, alpha = 1): this { return E.inplace(this, () => this.add(other, alpha), "add", other, alpha); }
  sub_(other: Tensor | number, alpha = 1): this { return E.inplace(this, () => this.sub(other, alpha), "sub", other, alpha); }
  mul_(other: Tensor | number): this { return E.inplace(this, () => this.mul(other), "mul", other); }
  div_(other: Tensor | number): this { return E.inplace(this, () => this.div(other), "div", other); }
  pow_(exponent: Tensor | number): this { return E.inplace(this, () => this.pow(exponent)); }
  neg_(): this { return E.inplace(this, () => this.neg()); }
  exp_(): this { return E.inplace(this, () => this.exp()); }
  sqrt_(): this { return E.inplace(this, () => this.sqrt()); }
  relu_(): this { return E.inplace(this, () => this.relu()); }
  sigmoid_(): this { return E.inplace(this, () => this.sigmoid()); }
  clamp_(min?: number | null, max?: number | null): this { return E.inplace(this, () => this.clamp(min, max)); }
  lerp_(end: Tensor, weight: number): this { return E.inplace(this, () => this.lerp(end, weight)); }
  /** this += value * t1 * t2 */
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this { return E.inplace(this, () => this.add(t1.mul(t2).mul(value))); }
  /** this += value * t1 / t2 */
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this { return E.inplace(this, () => this.add(t1.div(t2).mul(value))); }
  maskedFill_(mask: Tensor, value: number): this { return E.inplace(this, () => this.maskedFill(mask, value)); }
  zero_(): this { return E.fillInPlace(this, 0); }
  fill_(value: number): this { return E.fillInPlace(this, value); }
  /** Copy src (broadcast to this shape, converted to this dtype) into this tensor. */
  copy_(src: Tensor): this { return E.copyInPlace(this, src); }
  uniform_(low = 0, high = 1): this { return E.randomInPlace(this, "uniform", low, high); }
  normal_(mean = 0, std = 1): this { return E.randomInPlace(this, "normal", mean, std); }

  // ---- reductions ----
  sum(dim?: number | readonly number[], keepdim = false): Tensor { return R.sum(this, dim, keepdim); }
  mean(dim?: number | readonly number[], keepdim = false): Tensor { return scoped(() => R.mean(this, dim, keepdim)); }
  prod(dim?: number, keepdim = false): Tensor { return R.prod(this, dim, keepdim); }
  amax(dim?: number | readonly number[], keepdim = false): Tensor { return R.amax(this, dim, keepdim, "amax"); }
  amin(dim?: number | readonly number[], keepdim = false): Tensor { return R.amin(this, dim, keepdim, "amin"); }
  /** max over all elements, or { values, indices } along dim. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } { return dim === undefined ? R.amax(this, undefined, false, "max") : R.maxWithIndices(this, dim, keepdim, "max"); }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } { return dim === undefined ? R.amin(this, undefined, false, "min") : R.maxWithIndices(this, dim, keepdim, "min"); }
  argmax(dim?: number, keepdim = false): Tensor { return R.argExtreme(this, "argmax", dim, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return R.argExtreme(this, "argmin", dim, keepdim); }
  /** Variance; correction 1 = unbiased (default), 0 = population. */
  var(dim?: number | readonly number[], opts: R.VarOptions = {}): Tensor { return scoped(() => R.variance(this, dim, opts)); }
  std(dim?: number | readonly number[], opts: R.VarOptions = {}): Tensor { return scoped(() => R.variance(this, dim, opts).sqrt()); }
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor { return scoped(() => R.logsumexp(this, dim, keepdim)); }
  softmax(dim: number): Tensor { return R.softmax(this, dim, false); }
  logSoftmax(dim: number): Tensor { return R.softmax(this, dim, true); }
  cumsum(dim: number): Tensor { return R.cumsum(this, dim); }
  /** p-norm over all elements or dims (p = 2 by default). */
  norm(p: number = 2, dim?: number | readonly number[], keepdim = false): Tensor { return scoped(() => R.norm(this, p, dim, keepdim)); }
  all(): Tensor { return R.all(this); }
  any(): Tensor { return R.any(this); }
  topk(k: number, dim = -1, largest = true, sorted = true): { values: Tensor; indices: Tensor } { return R.topk(this, k, dim, largest, sorted); }
  sort(dim = -1, descending = false): { values: Tensor; indices: Tensor } { return R.sort(this, dim, descending); }

  // ---- linear algebra and indexing ----
  matmul(other: Tensor): Tensor { return scoped(() => LA.matmul(this, other)); }
  mm(other: Tensor): Tensor { return LA.matmul(this, other); }
  bmm(other: Tensor): Tensor { return LA.matmul(this, other); }
  dot(other: Tensor): Tensor { return LA.matmul(this, other); }
  indexSelect(dim: number, index: Tensor): Tensor { return X.indexSelect(this, dim, index); }
  gather(dim: number, index: Tensor): Tensor { return X.gather(this, dim, index); }

  // ---- display ----
  toString(): string { return formatTensor(this); }
  /** toString() that also reads values from devices without synchronous reads (webgpu). */
  toStringAsync(): Promise<string> { return formatTensorAsync(this); }
  [Symbol.for("nodejs.util.inspect.custom")](): string { return formatTensor(this); }
  [Symbol.for("Jupyter.display")](): { "text/plain": string } { return { "text/plain": formatTensor(this) }; }
}
