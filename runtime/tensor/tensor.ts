// runtime/tensor/tensor.ts
// Tensor: a strided window (shape, strides, offset) onto a StorageHandle on one device, plus the
// autograd fields. A Tensor is itself a backend View, so ops hand it to kernels without copying.
// Methods here are thin: the ops and their gradients live in ops_*.ts, printing in print.ts, which
// index.ts installs (installTensorOps) so that Tensor imports none of them (tensor_ops.ts).

import type { Backend, DeviceName, Storage, View } from "./backend";
import type { DType, TypedArray } from "./dtype";
import { DTYPES } from "./dtype";
import { AutogradError, DeviceError } from "./errors";
import { inTidy, scoped, StorageHandle, track } from "./memory";
import { contiguousStrides, isContiguous, sizeOf, type Shape } from "./shape";
import { isGradEnabled, noGrad, rootGradient, runBackward, type BackwardOptions, type GradHook, type HookHandle, type Node } from "./autograd";
import type { ElementwiseOps, IndexOps, LinalgOps, NestedArray, ReduceOps, TensorOps, VarOptions, ViewOps } from "./tensor_ops";

export type { NestedArray, VarOptions } from "./tensor_ops";

// The ops modules, installed by index.ts before any tensor exists (tensor_ops.ts says why).
let E: ElementwiseOps<Tensor>, R: ReduceOps<Tensor>, V: ViewOps<Tensor>, X: IndexOps<Tensor>, LA: LinalgOps<Tensor>;
let formatTensor: (t: Tensor) => string, formatTensorAsync: (t: Tensor) => Promise<string>;

/** Give Tensor's methods their implementations (runtime/tensor/index.ts, once). */
export function installTensorOps(ops: TensorOps<Tensor>): void {
  ({ E, R, V, X, LA } = ops);
  ({ formatTensor, formatTensorAsync } = ops.P);
}
export type Scalar = number;
/** What .to() accepts: a device, a dtype, or both. */
export type ToTarget = DeviceName | DType | { device?: DeviceName; dtype?: DType };

/** An n-dimensional array on one device (cpu or webgpu), with the autograd fields (torch.Tensor).
 * Create one with torch.tensor, zeros, randn, ...; `new Tensor` is for subclasses. Views (reshape,
 * transpose, slice, ...) share storage and launch no kernel; every op records its gradient while
 * `requiresGrad` is set. Reading values is async: `await x.toArray()`, as a webgpu read must wait.
 * Shapes: a method of `x: [*]` returns a tensor of the shape its doc gives, `[*]` meaning "any shape, the same".
 * @example const x = torch.tensor([[1, 2], [3, 4]]); const y = x.matmul(x).sum(); await y.item(); // 54 */
export class Tensor implements View {
  /** @internal engine bookkeeping: the backend buffer behind this view. */
  readonly buf: Storage;
  /** The size of each dimension, outermost first (torch.Tensor.shape, as an array).
   * @example torch.zeros(2, 3).shape; // [2, 3] */
  readonly shape: readonly number[];
  /** @internal engine bookkeeping: elements to skip per step along each dim (see isContiguous()). */
  readonly strides: readonly number[];
  /** @internal engine bookkeeping: index of element [0, ..., 0] in `buf`. */
  readonly offset: number;
  /** The element type: "float32" (default), "int32", "bool" or "float64" (cpu only).
   * @example torch.arange(3).dtype; // "int32" */
  readonly dtype: DType;
  /** The device whose memory holds the values: "cpu" or "webgpu".
   * @example x.to("webgpu").device; // "webgpu" */
  readonly device: DeviceName;
  /** Whether gradients flow to this tensor. Set on leaves by the user; on results by autograd.
   * @example const w = torch.randn(3, { requiresGrad: true }); w.requiresGrad; // true */
  requiresGrad = false;
  /** @internal */ _grad: Tensor | null = null;
  /** @internal set on a gradient that backward() stored in .grad (kept from tidy while it is one). */
  _autoGrad = false;
  /** Accumulated gradient of a leaf (or of a non-leaf after retainGrad()).
   * @example w.sum().backward(); w.grad; // ones, same shape as w */
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
  /** The autograd Node that produced this tensor; null for leaves.
   * @example torch.ones(2, { requiresGrad: true }).mul(2).gradFn !== null; // true */
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
  /** Number of dimensions (torch.Tensor.ndim).
   * @example torch.zeros(2, 3).ndim; // 2 */
  get ndim(): number { return this.shape.length; }
  /** Number of dimensions, as a method (torch.Tensor.dim()).
   * @example torch.zeros(2, 3).dim(); // 2 */
  dim(): number { return this.shape.length; }
  /** Number of elements: the product of the shape (1 for a 0-d tensor).
   * @example torch.zeros(2, 3).numel(); // 6 */
  numel(): number { return sizeOf(this.shape); }
  /** The size of one dim, or the whole shape (torch.Tensor.size).
   * @example x.size(); // [2, 3]; x.size(-1); // 3 */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number { return dim === undefined ? this.shape.slice() : this.shape[V.dimIndex("size", dim, this.shape.length)]; }
  /** Whether no op made this tensor (gradFn is null): leaves receive .grad in backward().
   * @example torch.randn(3, { requiresGrad: true }).isLeaf; // true */
  get isLeaf(): boolean { return this.gradFn === null; }
  /** Whether dispose() was called on this tensor (using it again throws).
   * @example x.dispose(); x.isDisposed; // true */
  get isDisposed(): boolean { return this._disposed; }
  /** In-place modification counter of the storage (shared with views).
   * @example const v = x.version; x.add_(1); x.version; // v + 1 */
  get version(): number { return this._handle.version; }
  /** Whether the elements lie row-major with no gaps (false for most transposes and expands).
   * @example torch.zeros(2, 3).t().isContiguous(); // false */
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
  /** Free this tensor's reference to its storage now; the memory returns to the pool once no view uses it.
   * Not in PyTorch (JS has no deterministic GC); inside tidy() this happens for you.
   * @example const t = torch.randn(1000, 1000); t.dispose(); */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._handle.release();
  }

  // ---- reading values ----
  /** The single value of a one-element tensor.
   * Shapes: `[]` or any shape with one element -> a number.
   * @example await x.sum().item(); */
  async item(): Promise<number> { return E.itemOf(this, await this.data()); }
  /** Values as nested arrays (numbers, or booleans for bool tensors).
   * Shapes: `[d0, d1, ...]` -> arrays nested `ndim` deep (a number for a 0-d tensor).
   * @example await torch.tensor([[1, 2], [3, 4]]).toArray(); // [[1, 2], [3, 4]] */
  async toArray(): Promise<NestedArray> { return V.nest(await this.data(), this.shape, this.dtype); }
  /** alias of toArray() (torch.Tensor.tolist).
   * Shapes: as toArray().
   * @example await x.tolist(); */
  tolist(): Promise<NestedArray> { return this.toArray(); }
  /** Values as a flat row-major TypedArray (a copy).
   * Shapes: `[*]` -> a TypedArray of numel() elements (Float32Array, Int32Array, Uint8Array or Float64Array).
   * @example const values = await x.data(); */
  async data(): Promise<TypedArray> {
    const c = this._contiguousStorage();
    try { return (await this._handle.backend.read(c.buf)).subarray(0, c.numel()); }
    finally { if (c !== this) c.dispose(); }
  }
  /** item() without await, for cpu tensors (webgpu memory can only be read asynchronously; it throws there).
   * Shapes: `[]` or one element -> a number.
   * @example const v = x.sum().itemSync(); */
  itemSync(): number { return E.itemOf(this, this.dataSync()); }
  /** toArray() without await, for cpu tensors (throws on webgpu).
   * Shapes: as toArray().
   * @example const rows = x.toArraySync(); */
  toArraySync(): NestedArray { return V.nest(this.dataSync(), this.shape, this.dtype); }
  /** data() without await, for cpu tensors (throws a DeviceError on webgpu).
   * Shapes: `[*]` -> a TypedArray of numel() elements.
   * @example const values = x.dataSync(); */
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
  /** Compute gradients of this tensor w.r.t. the leaves and accumulate them into their .grad.
   * Shapes: `[]` or one element (else pass `grad`, of this tensor's shape); each leaf's .grad has the leaf's shape.
   * @example const loss = model.forward(x).sum(); loss.backward(); */
  backward(grad?: Tensor, opts: BackwardOptions = {}): void {
    runBackward([this], [rootGradient(this, grad)], opts);
  }
  /** A tensor sharing storage with no history.
   * Shapes: `[*] -> [*]`.
   * @example const target = y.detach(); */
  detach(): Tensor { this._backend(); return new Tensor(this._handle, this.shape, this.strides, this.offset); }
  /** Cut this tensor from its history in place.
   * Shapes: `[*] -> [*]` (this tensor).
   * @example h.detach_(); */
  detach_(): this { this.gradFn = null; this.requiresGrad = false; return this; }
  /** Set requiresGrad on a leaf, in place; only floating-point tensors can require gradients.
   * Shapes: `[*] -> [*]` (this tensor).
   * @example const w = torch.randn(3, 2).requiresGrad_(); */
  requiresGrad_(requiresGrad = true): this {
    if (!requiresGrad && this.gradFn) throw new AutogradError("requiresGrad_(false) on a non-leaf tensor", "use detach() to get a tensor without history");
    if (requiresGrad && !this.gradFn && !(this.dtype === "float32" || this.dtype === "float64"))
      throw new AutogradError(`requiresGrad_: only floating-point tensors can require gradients, got ${this.dtype}`);
    this.requiresGrad = requiresGrad;
    return this;
  }
  /** Call fn with this tensor's gradient during backward; a returned tensor replaces the gradient.
   * Shapes: the hook gets and returns a gradient of this tensor's shape.
   * @example const h = x.registerHook((g) => g.clamp(-1, 1)); h.remove(); */
  registerHook(fn: GradHook): HookHandle {
    if (!this.requiresGrad) throw new AutogradError("registerHook on a tensor that does not require grad");
    const list = this.gradFn ? (this.gradFn.hooks ??= []) : (this._hooks ??= []);
    list.push(fn);
    return { remove: () => { const i = list.indexOf(fn); if (i >= 0) list.splice(i, 1); } };
  }
  /** Keep the gradient of this non-leaf tensor in .grad after backward.
   * Shapes: `[*] -> [*]` (this tensor).
   * @example const h = x.matmul(w).retainGrad(); h.sum().backward(); h.grad; */
  retainGrad(): this {
    if (!this.requiresGrad) throw new AutogradError("retainGrad on a tensor that does not require grad");
    if (this.gradFn) this.gradFn.retained = this;
    return this;
  }

  // ---- devices and dtypes ----
  /** Move to a device and/or convert dtype; returns this when nothing changes. Differentiable.
   * Shapes: `[*] -> [*]`.
   * @example const g = x.to("webgpu"); const d = x.to({ dtype: "float64" }); */
  to(target: ToTarget): Tensor {
    const t = typeof target === "string" ? ((DTYPES as readonly string[]).includes(target) ? { dtype: target as DType } : { device: target as DeviceName }) : target;
    let out: Tensor = this;
    if (t.dtype && t.dtype !== out.dtype) out = E.cast(out, t.dtype);
    if (t.device && t.device !== out.device) out = V.toDevice(out, t.device);
    return out;
  }
  /** Move to a device, waiting for asynchronous reads (webgpu -> cpu).
   * Shapes: `[*] -> [*]`.
   * @example const c = await g.toAsync("cpu"); */
  async toAsync(device: DeviceName): Promise<Tensor> { return V.toDeviceAsync(this, device); }
  /** A copy on the cpu (this tensor when already there); from webgpu prefer `await x.toAsync("cpu")`.
   * Shapes: `[*] -> [*]`.
   * @example const c = x.cpu(); */
  cpu(): Tensor { return this.to("cpu"); }
  /** Convert to float32 (this tensor when it already is). Shapes: `[*] -> [*]`.
   * @example const f = labels.float(); */
  float(): Tensor { return this.to("float32"); }
  /** Convert to float64 (cpu only; for gradcheck). Shapes: `[*] -> [*]`.
   * @example const d = x.double(); */
  double(): Tensor { return this.to("float64"); }
  /** Convert to int32, truncating toward zero. Shapes: `[*] -> [*]`.
   * @example const i = torch.tensor([1.7, -1.7]).int(); // [1, -1] */
  int(): Tensor { return this.to("int32"); }
  /** Convert to bool (nonzero is true). Shapes: `[*] -> [*]`.
   * @example const mask = x.bool(); */
  bool(): Tensor { return this.to("bool"); }
  /** A copy with its own storage; differentiable (torch.Tensor.clone). Shapes: `[*] -> [*]`.
   * @example const y = x.clone(); */
  clone(): Tensor { return V.clone(this); }
  /** This tensor if contiguous, else a row-major copy. Shapes: `[*] -> [*]`.
   * @example const c = x.t().contiguous(); */
  contiguous(): Tensor { return this.isContiguous() ? this : V.clone(this); }

  // ---- views (no kernel) ----
  /** A view with a new shape and the same elements; one size may be -1 (inferred). Like PyTorch, the tensor must be viewable without a copy, else it throws: use reshape.
   * Shapes: `[*]` -> `shape` (same numel).
   * @example const y = torch.arange(6).view(2, 3); // or .view([2, 3]) or .view(-1, 3) */
  view(...shape: (number | readonly number[])[]): Tensor { return V.view(this, V.shapeArg(shape)); }
  /** A tensor with a new shape and the same elements: a view when possible, else a copy; one size may be -1.
   * Shapes: `[*]` -> `shape` (same numel).
   * @example const flat = x.reshape(x.shape[0], -1); */
  reshape(...shape: (number | readonly number[])[]): Tensor { return V.reshape(this, V.shapeArg(shape)); }
  /** view(other.shape). Shapes: `[*]` -> `other.shape` (same numel).
   * @example const y = x.viewAs(z); */
  viewAs(other: Tensor): Tensor { return V.view(this, other.shape); }
  /** reshape(other.shape). Shapes: `[*]` -> `other.shape` (same numel).
   * @example const y = x.reshapeAs(z); */
  reshapeAs(other: Tensor): Tensor { return V.reshape(this, other.shape); }
  /** Swap two dims (a view). Shapes: `[..., a, ..., b, ...]` -> `[..., b, ..., a, ...]`.
   * @example torch.zeros(2, 3, 4).transpose(0, 2).shape; // [4, 3, 2] */
  transpose(dim0: number, dim1: number): Tensor { return V.transpose(this, dim0, dim1); }
  /** Transpose of a tensor with at most 2 dims.
   * Shapes: `[n]` -> `[n]`; `[m, n]` -> `[n, m]`.
   * @example const wT = w.t(); */
  t(): Tensor { return V.t(this); }
  /** Transpose of the last two dims.
   * Shapes: `[..., m, n]` -> `[..., n, m]`.
   * @example const kT = k.mT; */
  get mT(): Tensor { return V.transpose(this, -2, -1); }
  /** All dims reversed (a view). Unlike PyTorch, which deprecates .T for ndim != 2, any ndim is accepted.
   * Shapes: `[d0, ..., dk]` -> `[dk, ..., d0]`.
   * @example torch.zeros(2, 3).T.shape; // [3, 2] */
  get T(): Tensor { return V.permute(this, this.shape.map((_, i) => this.shape.length - 1 - i)); }
  /** Reorder the dims (a view). Shapes: `[d0, d1, ...]` -> `[d_dims[0], d_dims[1], ...]`.
   * @example const nhwc = x.permute(0, 2, 3, 1); // [N, C, H, W] -> [N, H, W, C] */
  permute(...dims: (number | readonly number[])[]): Tensor { return V.permute(this, V.shapeArg(dims)); }
  /** Broadcast size-1 dims to larger sizes without copying (-1 keeps a size); new leading dims may be added.
   * Shapes: `[1, n]` -> `[m, n]` for expand(m, n).
   * @example torch.zeros(1, 3).expand(4, -1).shape; // [4, 3] */
  expand(...sizes: (number | readonly number[])[]): Tensor { return V.expand(this, V.shapeArg(sizes)); }
  /** expand(other.shape). Shapes: broadcastable `[*]` -> `other.shape`.
   * @example const b = bias.expandAs(x); */
  expandAs(other: Tensor): Tensor { return V.expand(this, other.shape); }
  /** The elements start..start+length-1 along dim (a view). Shapes: `[..., d, ...]` -> `[..., length, ...]`.
   * @example x.narrow(1, 0, 2); // first two columns */
  narrow(dim: number, start: number, length: number): Tensor { return V.narrow(this, dim, start, length); }
  /** Python's x[start:end:step] along dim (negative start/end count from the end).
   * Not a PyTorch method; it stands in for indexing with `:`, which JavaScript has no syntax for.
   * Shapes: `[..., d, ...]` -> `[..., ceil((end - start) / step), ...]`.
   * @example x.slice(0, 1, -1); // x[1:-1] */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor { return V.slice(this, dim, start, end, step); }
  /** x[..., index, ...] along dim, removing that dim.
   * Shapes: `[..., d, ...]` -> `[..., ...]` (one dim fewer).
   * @example x.select(1, 0); // x[:, 0] */
  select(dim: number, index: number): Tensor { return scoped(() => V.select(this, dim, index)); }
  /** x[i] (first dim).
   * Shapes: `[d0, d1, ...]` -> `[d1, ...]`.
   * @example const first = batch.index(0); */
  index(i: number): Tensor { return scoped(() => V.select(this, 0, i)); }
  /** Remove size-1 dims: all of them, or those of dim (other dims are left alone, as in PyTorch).
   * Shapes: `[2, 1, 3, 1]` -> `[2, 3]` (squeeze()), `[2, 3, 1]` (squeeze(1)).
   * @example const v = x.squeeze(-1); */
  squeeze(dim?: number | readonly number[]): Tensor { return V.squeeze(this, dim); }
  /** Insert a size-1 dim at position dim (negative counts from the end). Shapes: `[a, b]` -> `[a, 1, b]` for unsqueeze(1).
   * @example const row = v.unsqueeze(0); // [n] -> [1, n] */
  unsqueeze(dim: number): Tensor { return V.unsqueeze(this, dim); }
  /** Merge dims startDim..endDim into one (a view when possible). Shapes: `[N, C, H, W]` -> `[N, C*H*W]` for flatten(1).
   * @example const feats = x.flatten(1); */
  flatten(startDim = 0, endDim = -1): Tensor { return V.flatten(this, startDim, endDim); }
  /** Split one dim into several; one size may be -1. Shapes: `[N, C*H*W]` -> `[N, C, H, W]` for unflatten(1, [C, H, W]).
   * @example const img = x.unflatten(1, [1, 28, 28]); */
  unflatten(dim: number, sizes: readonly number[]): Tensor { return V.unflatten(this, dim, sizes); }
  /** Views of consecutive pieces along dim: each splitSize long (the last may be shorter), or the given sizes.
   * Shapes: `[..., d, ...]` -> pieces `[..., s_i, ...]` with the s_i summing to d.
   * @example const [train, test] = x.split([800, 200]); */
  split(splitSize: number | readonly number[], dim = 0): Tensor[] { return V.split(this, splitSize, dim); }
  /** Split into `chunks` views of size ceil(d / chunks) along dim (fewer pieces when d is small).
   * Shapes: `[..., d, ...]` -> pieces `[..., ceil(d / chunks), ...]`.
   * @example const [q, k, v] = qkv.chunk(3, -1); */
  chunk(chunks: number, dim = 0): Tensor[] { return V.chunk(this, chunks, dim); }
  /** The slices along dim, each without that dim. Shapes: `[..., d, ...]` -> d tensors `[..., ...]`.
   * @example const rows = x.unbind(0); */
  unbind(dim = 0): Tensor[] { return V.unbind(this, dim); }

  // ---- element-wise math ----
  /** Element-wise negation, -x. Shapes: `[*] -> [*]`.
   * @example const y = x.neg(); */
  neg(): Tensor { return E.unary("neg", this); }
  /** Element-wise absolute value. Shapes: `[*] -> [*]`.
   * @example const y = x.abs(); */
  abs(): Tensor { return E.unary("abs", this); }
  /** Element-wise sign: -1, 0 or 1. Shapes: `[*] -> [*]`.
   * @example const s = x.sign(); */
  sign(): Tensor { return E.unary("sign", this); }
  /** Element-wise e^x. Shapes: `[*] -> [*]`.
   * @example const y = x.exp(); */
  exp(): Tensor { return E.unary("exp", this); }
  /** Element-wise e^x - 1, accurate near 0. Shapes: `[*] -> [*]`.
   * @example const y = x.expm1(); */
  expm1(): Tensor { return E.unary("expm1", this); }
  /** Element-wise natural logarithm (NaN below 0, -Infinity at 0). Shapes: `[*] -> [*]`.
   * @example const y = x.log(); */
  log(): Tensor { return E.unary("log", this); }
  /** Element-wise log(1 + x), accurate near 0. Shapes: `[*] -> [*]`.
   * @example const y = x.log1p(); */
  log1p(): Tensor { return E.unary("log1p", this); }
  /** Element-wise base-2 logarithm. Shapes: `[*] -> [*]`.
   * @example const bits = p.log2().neg(); */
  log2(): Tensor { return scoped(() => E.unary("log", this).div(Math.LN2)); }
  /** Element-wise square root. Shapes: `[*] -> [*]`.
   * @example const y = x.sqrt(); */
  sqrt(): Tensor { return E.unary("sqrt", this); }
  /** Element-wise 1 / sqrt(x). Shapes: `[*] -> [*]`.
   * @example const y = v.add(1e-5).rsqrt(); */
  rsqrt(): Tensor { return E.unary("rsqrt", this); }
  /** Element-wise x * x. Shapes: `[*] -> [*]`.
   * @example const y = x.square(); */
  square(): Tensor { return E.unary("square", this); }
  /** Element-wise 1 / x. Shapes: `[*] -> [*]`.
   * @example const y = x.reciprocal(); */
  reciprocal(): Tensor { return E.unary("reciprocal", this); }
  /** Element-wise sine (radians). Shapes: `[*] -> [*]`.
   * @example const y = x.sin(); */
  sin(): Tensor { return E.unary("sin", this); }
  /** Element-wise cosine (radians). Shapes: `[*] -> [*]`.
   * @example const y = x.cos(); */
  cos(): Tensor { return E.unary("cos", this); }
  /** Element-wise hyperbolic tangent. Shapes: `[*] -> [*]`.
   * @example const y = x.tanh(); */
  tanh(): Tensor { return E.unary("tanh", this); }
  /** Element-wise logistic sigmoid, 1 / (1 + e^-x). Shapes: `[*] -> [*]`.
   * @example const p = logits.sigmoid(); */
  sigmoid(): Tensor { return E.unary("sigmoid", this); }
  /** Element-wise max(x, 0). Shapes: `[*] -> [*]`.
   * @example const y = x.relu(); */
  relu(): Tensor { return E.unary("relu", this); }
  /** Element-wise GELU, x * Phi(x); approximate: "none" (erf, default) or "tanh". Shapes: `[*] -> [*]`.
   * @example const y = x.gelu("tanh"); */
  gelu(approximate: "none" | "tanh" = "none"): Tensor { return E.unary(approximate === "tanh" ? "gelu_tanh" : "gelu", this); }
  /** Element-wise SiLU (swish), x * sigmoid(x). Shapes: `[*] -> [*]`.
   * @example const y = x.silu(); */
  silu(): Tensor { return E.unary("silu", this); }
  /** Element-wise log(1 + e^x) (beta = 1, threshold = 20 as PyTorch's defaults). Shapes: `[*] -> [*]`.
   * @example const y = x.softplus(); */
  softplus(): Tensor { return E.unary("softplus", this); }
  /** Element-wise Gauss error function. Shapes: `[*] -> [*]`.
   * @example const y = x.erf(); */
  erf(): Tensor { return E.unary("erf", this); }
  /** Element-wise round toward -Infinity. Shapes: `[*] -> [*]`.
   * @example const y = x.floor(); */
  floor(): Tensor { return E.unary("floor", this); }
  /** Element-wise round toward +Infinity. Shapes: `[*] -> [*]`.
   * @example const y = x.ceil(); */
  ceil(): Tensor { return E.unary("ceil", this); }
  /** Element-wise round to the nearest integer, halves to even (as torch.round: 0.5 -> 0, 1.5 -> 2). Shapes: `[*] -> [*]`.
   * @example const y = x.round(); */
  round(): Tensor { return E.unary("round", this); }
  /** Element-wise x if x > 0, else negativeSlope * x. Shapes: `[*] -> [*]`.
   * @example const y = x.leakyRelu(0.2); */
  leakyRelu(negativeSlope = 0.01): Tensor { return E.unary("leaky_relu", this, negativeSlope); }
  /** Element-wise x if x > 0, else alpha * (e^x - 1). Shapes: `[*] -> [*]`.
   * @example const y = x.elu(); */
  elu(alpha = 1): Tensor { return E.unary("elu", this, alpha); }
  /** Element-wise limit to [min, max]; null or undefined leaves a side open. Shapes: `[*] -> [*]`.
   * @example const p = x.clamp(1e-7, 1 - 1e-7); */
  clamp(min?: number | null, max?: number | null): Tensor { return E.clamp(this, min, max); }
  /** Alias of clamp(). Shapes: `[*] -> [*]`.
   * @example const y = x.clip(0, 1); */
  clip(min?: number | null, max?: number | null): Tensor { return E.clamp(this, min, max); }

  /** this + alpha * other, broadcasting. Shapes: `[*]`, broadcastable `other` -> the broadcast shape.
   * @example const y = x.add(b); // [N, D] + [D] -> [N, D] */
  add(other: Tensor | number, alpha = 1): Tensor { return E.add(this, other, alpha); }
  /** this - alpha * other, broadcasting. Shapes: `[*]`, broadcastable `other` -> the broadcast shape.
   * @example const centred = x.sub(x.mean(0)); */
  sub(other: Tensor | number, alpha = 1): Tensor { return E.sub(this, other, alpha); }
  /** Element-wise product, broadcasting. Shapes: `[*]`, broadcastable `other` -> the broadcast shape.
   * @example const y = x.mul(2); */
  mul(other: Tensor | number): Tensor { return E.mul(this, other); }
  /** Element-wise true division, broadcasting (int tensors give float32, as in PyTorch). Shapes: `[*]`, broadcastable `other` -> the broadcast shape.
   * @example const p = counts.div(counts.sum()); */
  div(other: Tensor | number): Tensor { return E.div(this, other); }
  /** Element-wise this ** exponent, broadcasting. Shapes: `[*]`, broadcastable `exponent` -> the broadcast shape.
   * @example const y = x.pow(2); */
  pow(exponent: Tensor | number): Tensor { return E.pow(this, exponent); }
  /** Element-wise larger of two tensors, broadcasting. Shapes: `[*]`, broadcastable `other` -> the broadcast shape.
   * @example const y = a.maximum(b); */
  maximum(other: Tensor): Tensor { return E.maximum(this, other); }
  /** Element-wise smaller of two tensors, broadcasting. Shapes: `[*]`, broadcastable `other` -> the broadcast shape.
   * @example const y = a.minimum(b); */
  minimum(other: Tensor): Tensor { return E.minimum(this, other); }
  /** torch.where(condition, this, other): where condition is true take this, else other. Shapes: `condition`, this, `other` broadcast together -> the broadcast shape.
   * @example const y = x.where(x.gt(0), 0); // relu */
  where(condition: Tensor, other: Tensor | number): Tensor { return E.where(condition, this, other); }
  /** value where mask is true, else this. Shapes: `[*]`, broadcastable bool `mask` -> `[*]`.
   * @example const scores = att.maskedFill(causal.logicalNot(), -Infinity); */
  maskedFill(mask: Tensor, value: number): Tensor { return E.where(mask, value, this); }
  /** Linear interpolation, this + weight * (end - this). Shapes: `[*]`, broadcastable `end` -> the broadcast shape.
   * @example const ema = avg.lerp(x, 0.1); */
  lerp(end: Tensor, weight: number): Tensor { return scoped(() => this.add(end.sub(this).mul(weight))); }

  /** Element-wise ==, as a bool tensor. Shapes: `[*]`, broadcastable `other` -> the broadcast shape (bool).
   * @example const acc = preds.eq(labels).float().mean(); */
  eq(other: Tensor | number): Tensor { return E.compare("eq", this, other); }
  /** Element-wise !=, as a bool tensor. Shapes: `[*]`, broadcastable `other` -> the broadcast shape (bool).
   * @example const wrong = preds.ne(labels); */
  ne(other: Tensor | number): Tensor { return E.compare("ne", this, other); }
  /** Element-wise <, as a bool tensor. Shapes: `[*]`, broadcastable `other` -> the broadcast shape (bool).
   * @example const neg = x.lt(0); */
  lt(other: Tensor | number): Tensor { return E.compare("lt", this, other); }
  /** Element-wise <=, as a bool tensor. Shapes: `[*]`, broadcastable `other` -> the broadcast shape (bool).
   * @example const m = x.le(1); */
  le(other: Tensor | number): Tensor { return E.compare("le", this, other); }
  /** Element-wise >, as a bool tensor. Shapes: `[*]`, broadcastable `other` -> the broadcast shape (bool).
   * @example const pos = x.gt(0); */
  gt(other: Tensor | number): Tensor { return E.compare("gt", this, other); }
  /** Element-wise >=, as a bool tensor. Shapes: `[*]`, broadcastable `other` -> the broadcast shape (bool).
   * @example const m = x.ge(0.5); */
  ge(other: Tensor | number): Tensor { return E.compare("ge", this, other); }
  /** Element-wise AND of truthiness, as a bool tensor. Shapes: `[*]`, broadcastable `other` -> the broadcast shape (bool).
   * @example const both = a.gt(0).logicalAnd(b.gt(0)); */
  logicalAnd(other: Tensor): Tensor { return E.compare("logical_and", this, other); }
  /** Element-wise OR of truthiness, as a bool tensor. Shapes: `[*]`, broadcastable `other` -> the broadcast shape (bool).
   * @example const either = a.gt(0).logicalOr(b.gt(0)); */
  logicalOr(other: Tensor): Tensor { return E.compare("logical_or", this, other); }
  /** Element-wise NOT of truthiness, as a bool tensor. Shapes: `[*] -> [*]` (bool).
   * @example const keep = mask.logicalNot(); */
  logicalNot(): Tensor { return E.logicalNot(this); }
  /** Element-wise "is NaN", as a bool tensor. Shapes: `[*] -> [*]` (bool).
   * @example const bad = await loss.isnan().any().item(); */
  isnan(): Tensor { return E.compare("ne", this, this); }

  // ---- in place (trailing _, as PyTorch); each bumps the storage version ----
  /** In place: this += alpha * other; returns this. Shapes: `[*]`, `other` broadcastable to `[*]` -> `[*]`.
   * @example p.add_(p.grad!, -0.1); */
  add_(other: Tensor | number, alpha = 1): this { return E.inplace(this, () => this.add(other, alpha), "add", other, alpha); }
  /** In place: this -= alpha * other. Shapes: `[*]`, `other` broadcastable to `[*]` -> `[*]`.
   * @example p.sub_(p.grad!, 0.1); */
  sub_(other: Tensor | number, alpha = 1): this { return E.inplace(this, () => this.sub(other, alpha), "sub", other, alpha); }
  /** In place: this *= other. Shapes: `[*]`, `other` broadcastable to `[*]` -> `[*]`.
   * @example w.mul_(0.99); */
  mul_(other: Tensor | number): this { return E.inplace(this, () => this.mul(other), "mul", other); }
  /** In place: this /= other. Shapes: `[*]`, `other` broadcastable to `[*]` -> `[*]`.
   * @example x.div_(255); */
  div_(other: Tensor | number): this { return E.inplace(this, () => this.div(other), "div", other); }
  /** In place: this = this ** exponent. Shapes: `[*]`, `exponent` broadcastable to `[*]` -> `[*]`.
   * @example x.pow_(2); */
  pow_(exponent: Tensor | number): this { return E.inplace(this, () => this.pow(exponent)); }
  /** In place: this = -this. Shapes: `[*] -> [*]`.
   * @example x.neg_(); */
  neg_(): this { return E.inplace(this, () => this.neg()); }
  /** In place: this = e^this. Shapes: `[*] -> [*]`.
   * @example x.exp_(); */
  exp_(): this { return E.inplace(this, () => this.exp()); }
  /** In place: this = sqrt(this). Shapes: `[*] -> [*]`.
   * @example v.sqrt_(); */
  sqrt_(): this { return E.inplace(this, () => this.sqrt()); }
  /** In place: this = max(this, 0). Shapes: `[*] -> [*]`.
   * @example h.relu_(); */
  relu_(): this { return E.inplace(this, () => this.relu()); }
  /** In place: this = sigmoid(this). Shapes: `[*] -> [*]`.
   * @example h.sigmoid_(); */
  sigmoid_(): this { return E.inplace(this, () => this.sigmoid()); }
  /** In place: limit to [min, max]. Shapes: `[*] -> [*]`.
   * @example p.clamp_(-1, 1); */
  clamp_(min?: number | null, max?: number | null): this { return E.inplace(this, () => this.clamp(min, max)); }
  /** In place: this += weight * (end - this). Shapes: `[*]`, `end` broadcastable to `[*]` -> `[*]`.
   * @example avg.lerp_(p, 0.01); */
  lerp_(end: Tensor, weight: number): this { return E.inplace(this, () => this.lerp(end, weight)); }
  /** In place: this += value * t1 * t2; returns this. Shapes: `[*]`, `t1`, `t2` broadcastable to `[*]` -> `[*]`.
   * @example v.mul_(0.999).addcmul_(g, g, 0.001); */
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this { return E.inplace(this, () => this.add(t1.mul(t2).mul(value))); }
  /** In place: this += value * t1 / t2; returns this. Shapes: `[*]`, `t1`, `t2` broadcastable to `[*]` -> `[*]`.
   * @example p.addcdiv_(m, v.sqrt().add(1e-8), -lr); */
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this { return E.inplace(this, () => this.add(t1.div(t2).mul(value))); }
  /** In place: value where mask is true. Shapes: `[*]`, bool `mask` broadcastable to `[*]` -> `[*]`.
   * @example x.maskedFill_(x.isnan(), 0); */
  maskedFill_(mask: Tensor, value: number): this { return E.inplace(this, () => this.maskedFill(mask, value)); }
  /** In place: fill with 0. Shapes: `[*] -> [*]`.
   * @example p.grad!.zero_(); */
  zero_(): this { return E.fillInPlace(this, 0); }
  /** In place: fill with value. Shapes: `[*] -> [*]`.
   * @example b.fill_(0.1); */
  fill_(value: number): this { return E.fillInPlace(this, value); }
  /** Copy src (broadcast to this shape, converted to this dtype) into this tensor.
   * Shapes: `[*]`, `src` broadcastable to `[*]` -> `[*]`.
   * @example target.copy_(source); */
  copy_(src: Tensor): this { return E.copyInPlace(this, src); }
  /** In place: fill with samples uniform on [low, high) from the default generator. Shapes: `[*] -> [*]`.
   * @example w.uniform_(-0.1, 0.1); */
  uniform_(low = 0, high = 1): this { return E.randomInPlace(this, "uniform", low, high); }
  /** In place: fill with normal samples from the default generator. Shapes: `[*] -> [*]`.
   * @example w.normal_(0, 0.02); */
  normal_(mean = 0, std = 1): this { return E.randomInPlace(this, "normal", mean, std); }

  // ---- reductions ----
  /** Sum of all elements, or over dim(s) (int and bool tensors sum to int32). Shapes: `[*]` -> `[]`; over dim 1 of `[N, D, K]` -> `[N, K]` (`[N, 1, K]` with keepdim).
   * @example const total = x.sum(); const perRow = x.sum(1); */
  sum(dim?: number | readonly number[], keepdim = false): Tensor { return R.sum(this, dim, keepdim); }
  /** Mean of all elements, or over dim(s). Shapes: `[*]` -> `[]`; over dim 1 of `[N, D]` -> `[N]` (`[N, 1]` with keepdim).
   * @example const loss = x.sub(y).square().mean(); */
  mean(dim?: number | readonly number[], keepdim = false): Tensor { return scoped(() => R.mean(this, dim, keepdim)); }
  /** Product of all elements, or along one dim. Shapes: `[*]` -> `[]`; along dim 1 of `[N, D]` -> `[N]`.
   * @example const p = x.prod(-1); */
  prod(dim?: number, keepdim = false): Tensor { return R.prod(this, dim, keepdim); }
  /** Largest value overall or over dim(s), values only. Shapes: `[*]` -> `[]`; over dim 1 of `[N, D]` -> `[N]`.
   * @example const m = x.amax(-1, true); */
  amax(dim?: number | readonly number[], keepdim = false): Tensor { return R.amax(this, dim, keepdim, "amax"); }
  /** Smallest value overall or over dim(s), values only. Shapes: `[*]` -> `[]`; over dim 1 of `[N, D]` -> `[N]`.
   * @example const m = x.amin(0); */
  amin(dim?: number | readonly number[], keepdim = false): Tensor { return R.amin(this, dim, keepdim, "amin"); }
  /** max over all elements, or { values, indices } along dim.
   * Shapes: `[*]` -> `[]`; along dim 1 of `[N, D]` -> values and int32 indices `[N]` (`[N, 1]` with keepdim).
   * @example const { values, indices } = logits.max(1); */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } { return dim === undefined ? R.amax(this, undefined, false, "max") : R.maxWithIndices(this, dim, keepdim, "max"); }
  /** Smallest element, or { values, indices } along dim (as torch.min).
   * Shapes: `[*]` -> `[]`; along dim 1 of `[N, D]` -> values and int32 indices `[N]` (`[N, 1]` with keepdim).
   * @example const lo = x.min(); const { values, indices } = x.min(0); */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } { return dim === undefined ? R.amin(this, undefined, false, "min") : R.maxWithIndices(this, dim, keepdim, "min"); }
  /** Index of the largest value (int32): in the flattened tensor, or along dim. Shapes: `[*]` -> `[]`; along dim 1 of `[N, C]` -> `[N]`.
   * @example const preds = logits.argmax(1); */
  argmax(dim?: number, keepdim = false): Tensor { return R.argExtreme(this, "argmax", dim, keepdim); }
  /** Index of the smallest value (int32): in the flattened tensor, or along dim. Shapes: `[*]` -> `[]`; along dim 1 of `[N, C]` -> `[N]`.
   * @example const nearest = dists.argmin(1); */
  argmin(dim?: number, keepdim = false): Tensor { return R.argExtreme(this, "argmin", dim, keepdim); }
  /** Variance; correction 1 = unbiased (default), 0 = population.
   * Options: { correction, unbiased, keepdim }. Shapes: `[*]` -> `[]`; over dim 0 of `[N, D]` -> `[D]`.
   * @example const v = x.var(0, { correction: 0 }); */
  var(dim?: number | readonly number[], opts: VarOptions = {}): Tensor { return scoped(() => R.variance(this, dim, opts)); }
  /** Standard deviation, sqrt(var()); correction 1 (unbiased) by default. Shapes: `[*]` -> `[]`; over dim 0 of `[N, D]` -> `[D]`.
   * @example const s = x.std(0); */
  std(dim?: number | readonly number[], opts: VarOptions = {}): Tensor { return scoped(() => R.variance(this, dim, opts).sqrt()); }
  /** log(sum(exp(x))) over dim(s), computed stably. Shapes: over dim 1 of `[N, C]` -> `[N]` (`[N, 1]` with keepdim).
   * @example const lse = logits.logsumexp(-1); */
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor { return scoped(() => R.logsumexp(this, dim, keepdim)); }
  /** exp(x) / sum(exp(x)) along dim, computed stably. Shapes: `[*] -> [*]`.
   * @example const probs = logits.softmax(-1); */
  softmax(dim: number): Tensor { return R.softmax(this, dim, false); }
  /** log(softmax(x)) along dim, computed stably. Shapes: `[*] -> [*]`.
   * @example const logp = logits.logSoftmax(-1); */
  logSoftmax(dim: number): Tensor { return R.softmax(this, dim, true); }
  /** Running sums along dim. Shapes: `[*] -> [*]`.
   * @example torch.tensor([1, 2, 3]).cumsum(0); // [1, 3, 6] */
  cumsum(dim: number): Tensor { return R.cumsum(this, dim); }
  /** p-norm over all elements or dims (p = 2 by default).
   * Shapes: `[*]` -> `[]`; over dim 1 of `[N, D]` -> `[N]`.
   * @example const gradNorm = g.norm(); const rowNorms = x.norm(2, 1); */
  norm(p: number = 2, dim?: number | readonly number[], keepdim = false): Tensor { return scoped(() => R.norm(this, p, dim, keepdim)); }
  /** Whether every element is nonzero, as a 0-d bool tensor (true when empty). Shapes: `[*]` -> `[]` (bool).
   * @example const allPositive = x.gt(0).all(); // tensor(true) when every element is > 0 */
  all(): Tensor { return R.all(this); }
  /** Whether some element is nonzero, as a 0-d bool tensor. Shapes: `[*]` -> `[]` (bool).
   * @example await x.isnan().any().item(); */
  any(): Tensor { return R.any(this); }
  /** The k largest (or smallest) values along dim and their int32 indices, always sorted (`sorted` is accepted for PyTorch's signature and ignored).
   * Shapes: `[..., d]` -> values and indices `[..., k]` (for dim -1).
   * @example const { indices } = logits.topk(5); */
  topk(k: number, dim = -1, largest = true, sorted = true): { values: Tensor; indices: Tensor } { return R.topk(this, k, dim, largest, sorted); }
  /** Sorted values along dim and the int32 indices they came from. Shapes: `[*]` -> values and indices `[*]`.
   * @example const { values, indices } = x.sort(0, true); */
  sort(dim = -1, descending = false): { values: Tensor; indices: Tensor } { return R.sort(this, dim, descending); }

  // ---- linear algebra and indexing ----
  /** Matrix product with broadcasting of batch dims (torch.matmul); 1-d operands are vectors.
   * Shapes: `[n] @ [n]` -> `[]`; `[m, k] @ [k, n]` -> `[m, n]`; `[..., m, k] @ [..., k, n]` -> `[broadcast(...), m, n]`; `[m, k] @ [k]` -> `[m]`.
   * @example const y = x.matmul(w.t()); // [N, in] @ [in, out] -> [N, out] */
  matmul(other: Tensor): Tensor { return scoped(() => LA.matmul(this, other)); }
  /** Matrix product; unlike torch.mm it does not insist on 2-d operands (it is matmul). Shapes: `[m, k] @ [k, n]` -> `[m, n]`.
   * @example const c = a.mm(b); */
  mm(other: Tensor): Tensor { return LA.matmul(this, other); }
  /** Batched matrix product; unlike torch.bmm it does not insist on 3-d operands (it is matmul). Shapes: `[B, m, k] @ [B, k, n]` -> `[B, m, n]`.
   * @example const scores = q.bmm(k.mT); */
  bmm(other: Tensor): Tensor { return LA.matmul(this, other); }
  /** Dot product of two vectors; unlike torch.dot it does not insist on 1-d operands (it is matmul). Shapes: `[n] . [n]` -> `[]`.
   * @example const d = u.dot(v); */
  dot(other: Tensor): Tensor { return LA.matmul(this, other); }
  /** The entries at int32 `index` along dim (torch.index_select). Shapes: `[..., d, ...]`, `index: [k]` -> `[..., k, ...]`.
   * @example const batch = x.indexSelect(0, torch.tensor([0, 5, 7], { dtype: "int32" })); */
  indexSelect(dim: number, index: Tensor): Tensor { return X.indexSelect(this, dim, index); }
  /** out[i][j] = this[i][index[i][j]] for dim 1 (torch.gather). Shapes: `[*]`, `index` of the same ndim -> `index.shape`.
   * @example const picked = logp.gather(1, y.unsqueeze(1)); // [N, C], [N, 1] -> [N, 1] */
  gather(dim: number, index: Tensor): Tensor { return X.gather(this, dim, index); }

  // ---- display ----
  /** The printed form, PyTorch style: `tensor([[1., 2.], [3., 4.]])` with dtype/device/grad notes; values of webgpu tensors need toStringAsync().
   * @example console.log(x.toString()); */
  toString(): string { return formatTensor(this); }
  /** toString() that also reads values from devices without synchronous reads (webgpu).
   * @example console.log(await g.toStringAsync()); */
  toStringAsync(): Promise<string> { return formatTensorAsync(this); }
  [Symbol.for("nodejs.util.inspect.custom")](): string { return formatTensor(this); }
  [Symbol.for("Jupyter.display")](): { "text/plain": string } { return { "text/plain": formatTensor(this) }; }
}
