// runtime/tensor/index.ts
// The tensor library's public entry: `torch` (creation, math, random, grad modes, memory, autograd),
// `Tensor`, `F` (functional ops; nn modules build on it) and the error classes. Registers the
// reference CPU backend as "cpu" unless a faster one (the native backend) was registered first;
// runtime/index.ts registers the others.

import { hasBackend, registerBackend } from "./backend";
import { createCpuBackend } from "./cpu";
import * as creation from "./creation";
import * as E from "./ops_elementwise";
import * as R from "./ops_reduce";
import * as V from "./ops_view";
import * as X from "./ops_index";
import * as LA from "./ops_linalg";
import { F } from "./functional";
import { AutogradFunction, enableGrad, isGradEnabled, noGrad, runBackward, rootGradient, setGradEnabled, type BackwardOptions } from "./autograd";
import { dispose, keep, scopedOp, tidy } from "./memory";
import { manualSeed, Generator, defaultGenerator } from "./random";
import { getDefaultDevice, setDefaultDevice, withDevice } from "./kernels";
import { gradcheck } from "./gradcheck";
import { Tensor, installTensorOps } from "./tensor";
import { formatTensor, formatTensorAsync } from "./print";
import { getBackend, type DeviceName } from "./backend";
import { AutogradError } from "./errors";

// The native backend (cpu/native.ts) when its addon loads, else the reference with a one-line warning.
if (!hasBackend("cpu")) registerBackend("cpu", createCpuBackend);

// Tensor's methods call the ops through this (tensor_ops.ts): Tensor itself imports none of them.
installTensorOps({ E, R, V, X, LA, P: { formatTensor, formatTensorAsync } });

/** torch.autograd.grad: gradients of outputs w.r.t. inputs, returned instead of accumulated. */
function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: BackwardOptions & { gradOutputs?: Tensor | (Tensor | undefined)[]; allowUnused?: boolean } = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const gos = opts.gradOutputs === undefined ? [] : Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs];
  for (const t of ins) if (!t.requiresGrad) throw new AutogradError("autograd.grad: an input does not require grad");
  const roots = outs.map((o, i) => rootGradient(o, gos[i], "autograd.grad"));
  const res = runBackward(outs, roots, opts, ins)!;
  if (!opts.allowUnused && res.some((r) => r === null))
    throw new AutogradError("autograd.grad: one of the inputs was not used to compute the outputs", "pass { allowUnused: true } to get null for it");
  return res;
}

export const autograd = {
  /** Gradients of outputs with respect to inputs, returned instead of accumulated into .grad
   * (torch.autograd.grad). Options: gradOutputs, retainGraph, createGraph (for higher-order
   * gradients), allowUnused (null for an unused input instead of an error).
   * Shapes: `outputs: [*]` (one element each, else pass gradOutputs of their shapes), `inputs` -> one gradient per input, of its shape.
   * @example const [dx] = torch.autograd.grad(x.square().sum(), x); // 2 * x */
  grad,
  /** Backpropagate from several tensors at once, accumulating into the leaves' .grad (torch.autograd.backward).
   * Shapes: `ts[i]: [*]` (one element, else pass grads[i] of its shape); each leaf's .grad has the leaf's shape.
   * @example torch.autograd.backward([loss1, loss2]); */
  backward: (ts: Tensor[], grads?: Tensor[], opts: BackwardOptions = {}) => runBackward(ts, ts.map((t, i) => rootGradient(t, grads?.[i])), opts),
  /** Base class of a custom differentiable op (torch.autograd.Function): implement forward and
   * backward with Tensor ops, save what backward needs with saveForBackward, call `MyOp.apply(x)`.
   * Unlike PyTorch, forward and backward are instance methods and `this.saved` replaces ctx.
   * @example
   * class Square extends torch.autograd.Function {
   *   forward(x: Tensor) { this.saveForBackward(x); return x.mul(x); }
   *   backward(g: Tensor) { const [x] = this.saved; return [g.mul(x).mul(2)]; }
   * }
   * const y = Square.apply(x); */
  Function: AutogradFunction,
  /** Compare autograd's Jacobians with central finite differences (torch.autograd.gradcheck); returns true or throws.
   * Shapes: `inputs: [*]` float64 cpu tensors with requiresGrad -> `fn` outputs of any shape.
   * @example torch.autograd.gradcheck((a) => a.tanh(), [torch.randn(4, { dtype: "float64", requiresGrad: true })]); */
  gradcheck,
};

/** torch.backends.cpu: settings of the CPU backend, as PyTorch's torch.backends.* flags. */
const cpuBackendSettings = {
  /** Whether 3x3, stride-1 convolutions with 16k channels in and out (and a batch of several) run
   * Winograd kernels on the native CPU backend: about 1.7x faster, rounding a few ulps away from
   * PyTorch's direct kernel. True by default (false when the process started with
   * TSGRAD_CONV_WINOGRAD=0); set false for the direct kernel everywhere. No effect on the
   * TypeScript fallback backend or on webgpu.
   * @example torch.backends.cpu.convWinograd = false; // every convolution rounds as PyTorch's does */
  get convWinograd(): boolean {
    const b = getBackend("cpu") as { convWinograd?: boolean };
    return b.convWinograd === true;
  },
  set convWinograd(on: boolean) {
    const b = getBackend("cpu") as { convWinograd?: boolean };
    if (typeof b.convWinograd === "boolean") b.convWinograd = Boolean(on);
  },
};

/** Free cached memory of a backend's pool and report what is live. */
function memory(device: DeviceName = getDefaultDevice()): { buffers: number; bytes: number } {
  return getBackend(device).memory();
}

/** The tensor library's functions, as torch.* in PyTorch (creation, math, random, grad modes, memory,
 * devices, autograd); the webgpu device is added in runtime/index.ts. */
export const torch = {
  /** A tensor from nested arrays of numbers or booleans, a TypedArray (1-d) or a number (0-d); float32 unless `opts.dtype` says otherwise (bool for booleans; a Float64Array or Int32Array keeps its type).
   * Shapes: `[[a, b], [c, d]]` -> `[2, 2]`; a number -> `[]`; a tensor -> a detached copy of its shape.
   * @example const x = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true }); */
  tensor: creation.tensor,
  /** A tensor of `shape` filled with `value` (float32 by default).
   * Shapes: `shape` -> `shape`.
   * @example const b = torch.full([2, 3], 0.5); */
  full: creation.full,
  /** A tensor of zeros; the shape as an array or as numbers, options last.
   * Shapes: `(2, 3)` or `([2, 3])` -> `[2, 3]`.
   * @example const h = torch.zeros(batch, 64, { device: "webgpu" }); */
  zeros: creation.zeros,
  /** A tensor of ones; the shape as an array or as numbers, options last.
   * Shapes: `(2, 3)` or `([2, 3])` -> `[2, 3]`.
   * @example const mask = torch.ones([4, 4], { dtype: "bool" }); */
  ones: creation.ones,
  /** torch.empty; uninitialised memory is never handed out, so this is zeros().
   * Shapes: `(2, 3)` -> `[2, 3]`.
   * @example const buf = torch.empty(10); */
  empty: creation.empty,
  /** The n x m identity matrix (m = n by default).
   * Shapes: `(n)` -> `[n, n]`; `(n, m)` -> `[n, m]`.
   * @example const I = torch.eye(3); */
  eye: creation.eye,
  /** Values from start (0) up to, not including, end, by step (1); int32 when all are integers, else float32.
   * Shapes: `arange(end)` -> `[ceil((end - start) / step)]`.
   * @example const idx = torch.arange(10); const xs = torch.arange(0, 1, 0.1); */
  arange: creation.arange,
  /** `steps` evenly spaced float32 values from start to end, both included.
   * Shapes: `(start, end, steps)` -> `[steps]`.
   * @example const xs = torch.linspace(-3, 3, 100); */
  linspace: creation.linspace,
  /** Samples uniform on [0, 1), from `opts.generator` or the default generator (see manualSeed).
   * Shapes: `(2, 3)` -> `[2, 3]`.
   * @example const u = torch.rand(2, 3); */
  rand: creation.rand,
  /** Samples from the standard normal distribution, from `opts.generator` or the default generator (see manualSeed).
   * Shapes: `(2, 3)` or `([2, 3])` -> `[2, 3]`.
   * @example const w = torch.randn(784, 128, { requiresGrad: true }); */
  randn: creation.randn,
  /** Integers uniform in [low, high), int32 unless `opts.dtype` says otherwise. Unlike PyTorch, `low` is not optional.
   * Shapes: `(low, high, shape)` -> `shape`.
   * @example const labels = torch.randint(0, 10, [32]); */
  randint: creation.randint,
  /** A random permutation of 0..n-1 (int32).
   * Shapes: `(n)` -> `[n]`.
   * @example const order = torch.randperm(1000); */
  randperm: creation.randperm,
  /** Zeros with the shape (and, unless `opts` says otherwise, dtype and device) of t.
   * Shapes: `t: [*]` -> `[*]`.
   * @example const g = torch.zerosLike(w); */
  zerosLike: creation.zerosLike,
  /** Ones with the shape (and, unless `opts` says otherwise, dtype and device) of t.
   * Shapes: `t: [*]` -> `[*]`.
   * @example const m = torch.onesLike(x); */
  onesLike: creation.onesLike,
  /** `value` everywhere, with the shape (and, unless `opts` says otherwise, dtype and device) of t.
   * Shapes: `t: [*]` -> `[*]`.
   * @example const inf = torch.fullLike(x, -Infinity); */
  fullLike: creation.fullLike,
  /** Uniform samples on [0, 1) with the shape, dtype and device of t.
   * Shapes: `t: [*]` -> `[*]`.
   * @example const keep = torch.randLike(x).gt(0.5); */
  randLike: creation.randLike,
  /** Standard normal samples with the shape, dtype and device of t.
   * Shapes: `t: [*]` -> `[*]`.
   * @example const noise = torch.randnLike(x).mul(0.1); */
  randnLike: creation.randnLike,
  /** The Tensor class, for `instanceof` and types (create tensors with torch.tensor, zeros, ...).
   * Shapes: see Tensor.
   * @example x instanceof torch.Tensor; */
  Tensor,
  /** A seedable random generator (xoshiro128**) to pass as `opts.generator` to rand, randn, randint, randperm and DataLoader.
   * @example const g = new torch.Generator(42); const x = torch.randn(3, { generator: g }); */
  Generator,
  /** The generator random ops use when given none; manualSeed() seeds it.
   * @example torch.defaultGenerator.manualSeed(0); */
  defaultGenerator,
  /** Seed the default generator, so rand/randn/randint/dropout/init repeat (torch.manual_seed); returns it. One seed gives the same numbers on every device.
   * @example torch.manualSeed(42); */
  manualSeed,
  /** Run fn without recording the autograd graph and return its result (torch.no_grad, as a function since JS has no `with`).
   * @example const preds = torch.noGrad(() => model.forward(xTest).argmax(1)); */
  noGrad,
  /** Run fn with recording on, even inside noGrad() (torch.enable_grad).
   * @example torch.noGrad(() => torch.enableGrad(() => x.mul(2))); */
  enableGrad,
  /** Switch recording on or off until switched again (torch.set_grad_enabled); a cell's end restores it.
   * @example torch.setGradEnabled(false); */
  setGradEnabled,
  /** Whether ops record the autograd graph now (torch.is_grad_enabled).
   * @example torch.noGrad(() => torch.isGradEnabled()); // false */
  isGradEnabled,
  /** Run fn and dispose every tensor it created except those it returns and those passed to keep(); .grad set by backward() is kept. Not in PyTorch: JS has no deterministic GC (tfjs's tf.tidy).
   * @example const loss = torch.tidy(() => F.mseLoss(model.forward(x), y)); */
  tidy,
  /** Exclude t from every enclosing tidy() (optimizer state, caches); returns t.
   * Shapes: `t: [*]` -> the same tensor.
   * @example torch.tidy(() => { cache = torch.keep(x.exp()); }); */
  keep,
  /** Dispose every tensor found in value (a Tensor, or arrays, plain objects and Maps of them).
   * @example torch.dispose([a, b, { c }]); */
  dispose,
  /** Live buffers and bytes of a device (the default device by default), to look for leaks.
   * @example torch.memory(); // { buffers: 12, bytes: 40960 } */
  memory,
  /** Backend settings, as PyTorch's torch.backends: `cpu.convWinograd`.
   * @example torch.backends.cpu.convWinograd = false; */
  backends: {
    /** Settings of the CPU backend: `convWinograd`.
     * @example if (torch.backends.cpu.convWinograd) console.log("3x3 convolutions run Winograd"); */
    cpu: cpuBackendSettings,
  },
  /** The device creation functions use when `opts.device` is not given; throws if no such backend is available.
   * @example torch.setDefaultDevice("webgpu"); */
  setDefaultDevice,
  /** The device creation functions use when `opts.device` is not given ("cpu" at start).
   * @example torch.getDefaultDevice(); // "cpu" */
  getDefaultDevice,
  /** Run fn with `device` as the default device, restoring the previous one after, however fn ends (PyTorch's `with torch.device(d):`).
   * @example torch.withDevice("webgpu", () => torch.randn(2, 3)); */
  withDevice,
  /** torch.autograd: grad, backward, Function (custom ops) and gradcheck.
   * @example const [dx] = torch.autograd.grad(y.sum(), x); */
  autograd,
  /** Compare autograd's Jacobians with central finite differences; returns true or throws an AutogradError naming the first mismatch. Use float64 cpu inputs.
   * Shapes: `fn(...inputs)` -> outputs of any shape; `inputs: [*]` float64 with requiresGrad.
   * @example torch.gradcheck((a) => a.sigmoid(), [torch.randn(3, { dtype: "float64", requiresGrad: true })]); */
  gradcheck,
  /** a + alpha * b, broadcasting (torch.add).
   * Shapes: `a`, `b` broadcastable -> the broadcast shape.
   * @example const y = torch.add(x, 1); */
  add: E.add,
  /** a - alpha * b, broadcasting (torch.sub).
   * Shapes: `a`, `b` broadcastable -> the broadcast shape.
   * @example const d = torch.sub(a, b); */
  sub: E.sub,
  /** Element-wise product, broadcasting (torch.mul).
   * Shapes: `a`, `b` broadcastable -> the broadcast shape.
   * @example const y = torch.mul(x, w); */
  mul: E.mul,
  /** Element-wise true division, broadcasting (torch.div).
   * Shapes: `a`, `b` broadcastable -> the broadcast shape.
   * @example const y = torch.div(x, 255); */
  div: E.div,
  /** Element-wise a ** b, broadcasting (torch.pow).
   * Shapes: `a`, `b` broadcastable -> the broadcast shape.
   * @example const y = torch.pow(x, 2); */
  pow: E.pow,
  /** Element-wise larger of two tensors, broadcasting (torch.maximum).
   * Shapes: `a`, `b` broadcastable -> the broadcast shape.
   * @example const y = torch.maximum(a, b); */
  maximum: E.maximum,
  /** Element-wise smaller of two tensors, broadcasting (torch.minimum).
   * Shapes: `a`, `b` broadcastable -> the broadcast shape.
   * @example const y = torch.minimum(a, b); */
  minimum: E.minimum,
  /** a where cond is true, else b (torch.where(cond, a, b)); numbers are allowed for a and b.
   * Shapes: `cond`, `a`, `b` broadcastable -> the broadcast shape.
   * @example const y = torch.where(x.gt(0), x, 0); */
  where: E.where,
  /** Element-wise limit to [min, max]; null or undefined leaves a side open (torch.clamp).
   * Shapes: `x: [*]` -> `[*]`.
   * @example const y = torch.clamp(x, 0, 1); */
  clamp: E.clamp,
  /** Element-wise -x.
   * Shapes: `[*] -> [*]`.
   * @example const y = torch.neg(x); */
  neg: (x: Tensor) => x.neg(),
  /** Element-wise e^x.
   * Shapes: `[*] -> [*]`.
   * @example const y = torch.exp(x); */
  exp: (x: Tensor) => x.exp(),
  /** Element-wise natural logarithm.
   * Shapes: `[*] -> [*]`.
   * @example const y = torch.log(p); */
  log: (x: Tensor) => x.log(),
  /** Element-wise square root.
   * Shapes: `[*] -> [*]`.
   * @example const y = torch.sqrt(v); */
  sqrt: (x: Tensor) => x.sqrt(),
  /** Element-wise absolute value.
   * Shapes: `[*] -> [*]`.
   * @example const y = torch.abs(x); */
  abs: (x: Tensor) => x.abs(),
  /** Element-wise logistic sigmoid.
   * Shapes: `[*] -> [*]`.
   * @example const p = torch.sigmoid(logits); */
  sigmoid: (x: Tensor) => x.sigmoid(),
  /** Element-wise hyperbolic tangent.
   * Shapes: `[*] -> [*]`.
   * @example const h = torch.tanh(x); */
  tanh: (x: Tensor) => x.tanh(),
  /** Element-wise max(x, 0).
   * Shapes: `[*] -> [*]`.
   * @example const h = torch.relu(x); */
  relu: (x: Tensor) => x.relu(),
  /** Element-wise sine (radians).
   * Shapes: `[*] -> [*]`.
   * @example const y = torch.sin(torch.linspace(0, Math.PI, 50)); */
  sin: (x: Tensor) => x.sin(),
  /** Element-wise cosine (radians).
   * Shapes: `[*] -> [*]`.
   * @example const y = torch.cos(x); */
  cos: (x: Tensor) => x.cos(),
  /** Element-wise x * x.
   * Shapes: `[*] -> [*]`.
   * @example const y = torch.square(x); */
  square: (x: Tensor) => x.square(),
  /** Element-wise Gauss error function.
   * Shapes: `[*] -> [*]`.
   * @example const y = torch.erf(x); */
  erf: (x: Tensor) => x.erf(),
  /** Sum of all elements, or over dim(s) (torch.sum).
   * Shapes: `[*]` -> `[]`; over dim 1 of `[N, D]` -> `[N]` (`[N, 1]` with keepdim).
   * @example const s = torch.sum(x, 1, true); */
  sum: R.sum,
  /** Mean of all elements, or over dim(s) (torch.mean).
   * Shapes: `[*]` -> `[]`; over dim 0 of `[N, D]` -> `[D]`.
   * @example const mu = torch.mean(x, 0); */
  mean: scopedOp(R.mean),
  /** Largest value overall or over dim(s) (torch.amax).
   * Shapes: `[*]` -> `[]`; over dim 1 of `[N, D]` -> `[N]`.
   * @example const m = torch.amax(x, -1); */
  amax: (x: Tensor, dim?: number | number[], keepdim = false) => R.amax(x, dim, keepdim, "amax"),
  /** Smallest value overall or over dim(s) (torch.amin).
   * Shapes: `[*]` -> `[]`; over dim 1 of `[N, D]` -> `[N]`.
   * @example const m = torch.amin(x, -1); */
  amin: (x: Tensor, dim?: number | number[], keepdim = false) => R.amin(x, dim, keepdim, "amin"),
  /** Index of the largest value (int32), in the flattened tensor or along dim (torch.argmax).
   * Shapes: `[*]` -> `[]`; along dim 1 of `[N, C]` -> `[N]`.
   * @example const preds = torch.argmax(logits, 1); */
  argmax: (x: Tensor, dim?: number, keepdim = false) => x.argmax(dim, keepdim),
  /** Index of the smallest value (int32), in the flattened tensor or along dim (torch.argmin).
   * Shapes: `[*]` -> `[]`; along dim 1 of `[N, C]` -> `[N]`.
   * @example const i = torch.argmin(d, 1); */
  argmin: (x: Tensor, dim?: number, keepdim = false) => x.argmin(dim, keepdim),
  /** log(sum(exp(x))) over dim(s), computed stably (torch.logsumexp). Unlike PyTorch, keepdim must be passed.
   * Shapes: over dim 1 of `[N, C]` -> `[N]` (`[N, 1]` with keepdim).
   * @example const lse = torch.logsumexp(logits, 1, false); */
  logsumexp: scopedOp(R.logsumexp),
  /** Softmax along dim (torch.softmax).
   * Shapes: `[*] -> [*]`.
   * @example const p = torch.softmax(logits, -1); */
  softmax: (x: Tensor, dim: number) => x.softmax(dim),
  /** log(softmax(x)) along dim, computed stably (torch.log_softmax).
   * Shapes: `[*] -> [*]`.
   * @example const logp = torch.logSoftmax(logits, -1); */
  logSoftmax: (x: Tensor, dim: number) => x.logSoftmax(dim),
  /** Running sums along dim (torch.cumsum).
   * Shapes: `[*] -> [*]`.
   * @example const c = torch.cumsum(x, 0); */
  cumsum: R.cumsum,
  /** The k largest (or smallest) values along dim and their int32 indices, sorted (torch.topk).
   * Shapes: `[..., d]` -> values and indices `[..., k]` (dim -1).
   * @example const { values, indices } = torch.topk(probs, 5); */
  topk: (x: Tensor, k: number, dim = -1, largest = true) => x.topk(k, dim, largest),
  /** Sorted values along dim and the int32 indices they came from (torch.sort).
   * Shapes: `[*]` -> values and indices `[*]`.
   * @example const { values } = torch.sort(x, 0, true); */
  sort: (x: Tensor, dim = -1, descending = false) => x.sort(dim, descending),
  /** Matrix product with broadcasting of batch dims; 1-d operands are vectors (torch.matmul).
   * Shapes: `[m, k] @ [k, n]` -> `[m, n]`; `[..., m, k] @ [..., k, n]` -> `[broadcast(...), m, n]`; `[n] @ [n]` -> `[]`.
   * @example const y = torch.matmul(x, w); // [N, in] @ [in, out] -> [N, out] */
  matmul: scopedOp(LA.matmul),
  /** Matrix product; unlike torch.mm it accepts any ndim (it is matmul).
   * Shapes: `[m, k] @ [k, n]` -> `[m, n]`.
   * @example const c = torch.mm(a, b); */
  mm: scopedOp(LA.matmul),
  /** Batched matrix product; unlike torch.bmm it accepts any ndim (it is matmul).
   * Shapes: `[B, m, k] @ [B, k, n]` -> `[B, m, n]`.
   * @example const s = torch.bmm(q, k.mT); */
  bmm: scopedOp(LA.matmul),
  /** Join tensors along an existing dim (torch.cat).
   * Shapes: `[a, D]`, `[b, D]` -> `[a + b, D]` for dim 0.
   * @example const xy = torch.cat([x, y], 0); */
  cat: V.cat,
  /** Alias of cat (torch.concat).
   * Shapes: `[a, D]`, `[b, D]` -> `[a + b, D]` for dim 0.
   * @example const xy = torch.concat([x, y], 1); */
  concat: V.cat,
  /** Join same-shape tensors along a new dim (torch.stack).
   * Shapes: k tensors `[*]` -> `[k, *]` for dim 0.
   * @example const batch = torch.stack([a, b, c]); */
  stack: scopedOp(V.stack),
  /** A tensor with a new shape, a view when possible (torch.reshape); one size may be -1.
   * Shapes: `[*]` -> `shape` (same numel).
   * @example const y = torch.reshape(x, [2, -1]); */
  reshape: V.reshape,
  /** Merge dims s..e into one (torch.flatten).
   * Shapes: `[N, C, H, W]` -> `[N * C * H * W]`; with s = 1 -> `[N, C * H * W]`.
   * @example const f = torch.flatten(x, 1); */
  flatten: (x: Tensor, s = 0, e = -1) => x.flatten(s, e),
  /** Swap two dims, a view (torch.transpose).
   * Shapes: `[..., a, ..., b, ...]` -> `[..., b, ..., a, ...]`.
   * @example const y = torch.transpose(x, 0, 1); */
  transpose: V.transpose,
  /** Reorder dims, a view (torch.permute); dims as an array.
   * Shapes: `[d0, d1, d2]` -> `[d_dims[0], d_dims[1], d_dims[2]]`.
   * @example const y = torch.permute(x, [0, 2, 1]); */
  permute: V.permute,
  /** Remove size-1 dims: all, or those of dim (torch.squeeze).
   * Shapes: `[2, 1, 3]` -> `[2, 3]`.
   * @example const y = torch.squeeze(x, 1); */
  squeeze: V.squeeze,
  /** Insert a size-1 dim at dim (torch.unsqueeze).
   * Shapes: `[a, b]` -> `[a, 1, b]` for dim 1.
   * @example const y = torch.unsqueeze(x, 0); */
  unsqueeze: V.unsqueeze,
  /** Elements start..start+length-1 along dim, a view (torch.narrow).
   * Shapes: `[..., d, ...]` -> `[..., length, ...]`.
   * @example const y = torch.narrow(x, 0, 2, 3); */
  narrow: V.narrow,
  /** Views of consecutive pieces along dim, each splitSize long or of the given sizes (torch.split).
   * Shapes: `[..., d, ...]` -> pieces `[..., s_i, ...]`, sum of s_i = d.
   * @example const [a, b] = torch.split(x, [3, 7], 0); */
  split: V.split,
  /** Split into `chunks` views of size ceil(d / chunks) along dim (torch.chunk).
   * Shapes: `[..., d, ...]` -> pieces `[..., ceil(d / chunks), ...]`.
   * @example const [q, k, v] = torch.chunk(qkv, 3, -1); */
  chunk: V.chunk,
  /** The entries at a 1-d int32 index along dim (torch.index_select).
   * Shapes: `x: [..., d, ...]`, `index: [k]` -> `[..., k, ...]`.
   * @example const rows = torch.indexSelect(x, 0, torch.tensor([0, 2], { dtype: "int32" })); */
  indexSelect: X.indexSelect,
  /** Values at int32 `index` along dim: out[i][j] = x[i][index[i][j]] for dim 1 (torch.gather).
   * Shapes: `x: [*]`, `index` of the same ndim -> `index.shape`.
   * @example const picked = torch.gather(logp, 1, y.unsqueeze(1)); */
  gather: X.gather,
  /** x plus src added at int32 `index` along dim, out of place (torch.scatter_add); differentiable in x and src.
   * Shapes: `x: [*]`, `index` and `src` of the same shape -> `[*]`.
   * @example const counts = torch.scatterAdd(torch.zeros(10), 0, labels, torch.onesLike(labels, { dtype: "float32" })); */
  scatterAdd: X.scatterAdd,
  /** Element-wise a == b, as a bool tensor (torch.eq).
   * Shapes: `a`, `b` broadcastable -> the broadcast shape (bool).
   * @example const correct = torch.eq(preds, labels); */
  eq: E.compare.bind(null, "eq"),
  /** Element-wise a != b, as a bool tensor (torch.ne).
   * Shapes: `a`, `b` broadcastable -> the broadcast shape (bool).
   * @example const wrong = torch.ne(preds, labels); */
  ne: E.compare.bind(null, "ne"),
  /** Element-wise a < b, as a bool tensor (torch.lt).
   * Shapes: `a`, `b` broadcastable -> the broadcast shape (bool).
   * @example const m = torch.lt(x, 0); */
  lt: E.compare.bind(null, "lt"),
  /** Element-wise a <= b, as a bool tensor (torch.le).
   * Shapes: `a`, `b` broadcastable -> the broadcast shape (bool).
   * @example const m = torch.le(x, 0); */
  le: E.compare.bind(null, "le"),
  /** Element-wise a > b, as a bool tensor (torch.gt).
   * Shapes: `a`, `b` broadcastable -> the broadcast shape (bool).
   * @example const m = torch.gt(x, 0); */
  gt: E.compare.bind(null, "gt"),
  /** Element-wise a >= b, as a bool tensor (torch.ge).
   * Shapes: `a`, `b` broadcastable -> the broadcast shape (bool).
   * @example const m = torch.ge(x, 0); */
  ge: E.compare.bind(null, "ge"),
  /** Element-wise NOT of truthiness, as a bool tensor (torch.logical_not).
   * Shapes: `[*] -> [*]` (bool).
   * @example const unmasked = torch.logicalNot(mask); */
  logicalNot: E.logicalNot,
};

export { Tensor, F, AutogradFunction, gradcheck, tidy, keep, dispose, noGrad, enableGrad, manualSeed, setDefaultDevice };
export { ShapeError, DTypeError, DeviceError, AutogradError, TensorError } from "./errors";
export { CpuBackend } from "./cpu";
export type { DType } from "./dtype";
export type { DeviceName } from "./backend";
export type { NestedArray } from "./print";
export type { CreateOptions } from "./creation";
