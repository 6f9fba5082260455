// runtime/tensor/backend.ts
// The contract between the tensor engine and a device: a small core every backend implements,
// plus named fast paths a backend may provide. Shapes, strides, broadcasting and the autograd
// tape stay in TypeScript (runtime/tensor/); a backend only runs kernels on Views it is handed.
// Knows nothing of Tensor, autograd, Jupyter or any particular device.

import type { DType, TypedArray } from "./dtype";
import type { BinaryOp, ReduceOp, UnaryOp } from "./op_registry";
import { registerState } from "./state";
export type { DType, TypedArray } from "./dtype";

export type DeviceName = "cpu" | "webgpu";

// The op names come from the registry (op_registry.ts): one entry per op, every backend's kernel
// table typed over them.
export type { BinaryOp, ReduceOp, UnaryOp } from "./op_registry";

/** A backend's handle to device memory. Not "Buffer": that is Node's. */
export interface Storage {
  readonly length: number; // elements, not bytes
  readonly dtype: DType;
}

/** A strided window onto a Storage. reshape/permute/expand/slice build Views and launch no kernel.
 * Strides are in elements and may be 0 (broadcast) but never negative. */
export interface View {
  readonly buf: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export interface Conv2dOpts {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

export interface Pool2dOpts {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number]; // max pool only; avg pool uses [1, 1]
  ceilMode: boolean;
  countIncludePad: boolean;   // avg pool only (PyTorch default true)
}

export interface AdamStepOpts {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number;
  step: number;        // 1-based, for bias correction
  decoupled: boolean;  // AdamW when true
  amsgrad?: false;
}

/**
 * Every op writes into `out`, a contiguous Storage of the output's dtype allocated by the engine
 * (row-major, offset 0). Inputs are Views and may be strided, broadcast (stride 0) or offset.
 * Ops are synchronous as seen from JS: a CPU backend computes at once, a GPU backend encodes work
 * that runs before any later op or read.
 */
export interface Backend {
  readonly name: DeviceName;

  // ---- memory ----
  alloc(length: number, dtype: DType): Storage;
  /** Return memory to the backend's pool; the Storage must not be used again. */
  free(buf: Storage): void;
  /** Copy host data into `buf` (same dtype, data.length <= buf.length), starting at element 0. */
  write(buf: Storage, data: TypedArray): void;
  /** All of `buf`'s elements as a new host array. WebGPU reads go through mapAsync. */
  read(buf: Storage): Promise<TypedArray>;
  /** Synchronous read where the device allows it (CPU); undefined elsewhere. */
  readSync?(buf: Storage): TypedArray;
  fill(out: Storage, value: number): void;
  /** Strided View -> contiguous `out`; converts dtype when out.dtype differs (float->int truncates). */
  copy(x: View, out: Storage): void;
  /** Optional: write src (already broadcast to dst's shape, same dtype) into the strided window
   * dst of another Storage, in place (x.narrow(...).copy_(y), in-place ops on views). */
  assign?(dst: View, src: View): void;
  /** Wait until queued work is done (GPU); a no-op on CPU. */
  sync?(): Promise<void>;
  memory(): { buffers: number; bytes: number };
  /** Optional: true when the garbage collector reclaims `buf` by itself once it is unreachable
   * (CPU TypedArrays), so the engine registers no finalizer for it: a FinalizationRegistry entry
   * costs about 1-3 us, and its held Storage stays alive until the callback runs (never during a
   * synchronous loop). Explicit dispose() still calls free(). */
  collectsItself?(buf: Storage): boolean;
  /** Optional: give back what an op cut short left checked out (scratch storages, a staging buffer
   * of a read that never started) and submit recorded work. The engine calls it when a unit of work
   * ends however it ended (state.ts settleState(): after every notebook cell); ops in progress
   * elsewhere (an awaited read) must keep working. */
  settle?(): void;

  // ---- element-wise (out has x's shape, or the broadcast shape for binary/where) ----
  unary(op: UnaryOp, x: View, out: Storage, param?: number, param2?: number): void;
  /** a and b are already broadcast to out's shape (stride-0 dims), or b is a scalar. */
  binary(op: BinaryOp, a: View, b: View | number, out: Storage): void;
  where(cond: View, a: View, b: View, out: Storage): void;

  // ---- reductions ----
  /** Reduce over `axes` (sorted, distinct); out holds the kept dims in order (as keepdim=false). */
  reduce(op: ReduceOp, x: View, axes: readonly number[], out: Storage): void;
  /** Inclusive prefix sum along `dim`; out has x's shape. */
  cumsum(x: View, dim: number, out: Storage): void;

  // ---- linear algebra ----
  /** Batched [..., m, k] @ [..., k, n] -> contiguous [..., m, n]; batch dims already broadcast
   * (stride 0 allowed). A transposed operand arrives as a View with swapped strides: pass it to
   * GEMM as a transpose flag, never copy it. */
  matmul(a: View, b: View, out: Storage): void;

  // ---- indexing ----
  /** out[i][j][k] = x[i][index[i][j][k]][k] for dim = 1 (torch.gather); index is int32 and has
   * out's shape (stride 0 where it repeats, which is how index_select/embedding use it). */
  gather(x: View, dim: number, index: View, out: Storage): void;
  /** target[...index[i][j][k]...] += src[i][j][k] along `dim` (torch.scatter_add_); `target` is
   * contiguous with shape `targetShape`. The backward of gather, index_select and embedding. */
  scatterAdd(target: Storage, targetShape: readonly number[], dim: number, index: View, src: View): void;

  // ---- optional fast paths: the engine composes core ops where these are missing ----
  softmax?(x: View, dim: number, out: Storage, log: boolean): void;
  /** relu's backward in one pass: out = g where y > 0, else 0 (y: relu's output, same shape as
   * g, both float32). Returns false when it does not apply; the engine then uses gt + where. */
  reluBackward?(y: View, g: View, out: Storage): boolean;
  /** Fused Adam/AdamW update in place on contiguous float32 storages of one parameter. Whole or
   * not at all when an interrupt ends JavaScript: one native call or one recorded dispatch, with no
   * JavaScript after it (optim/adam.ts counts the step right after it returns). */
  adamStep?(param: Storage, grad: Storage, m: Storage, v: Storage, opts: AdamStepOpts): void;
  // Convolution and pooling, NCHW, float32 (composed.ts builds them from gather, matmul, reduce
  // and scatterAdd where a backend leaves them out).
  conv2d?(x: View, w: View, bias: View | null, opts: Conv2dOpts, out: Storage): void;
  /** conv2d, then ReLU, in one pass (oneDNN's post-op); false when it does not apply (the engine
   * then runs conv2d and relu). */
  conv2dRelu?(x: View, w: View, bias: View | null, opts: Conv2dOpts, out: Storage): boolean;
  /** A Linear layer in one call: out = x @ wT (+ bias) (then ReLU), x [m, k], wT [k, n], bias [n];
   * false when it does not apply (the engine then composes matmul, add and relu). */
  linear?(x: View, wT: View, bias: View | null, relu: boolean, out: Storage): boolean;
  /** Two independent 2-d float32 products in one call, out = a @ b and out2 = c @ d (a Linear's
   * backward: g @ W and g^T @ x), which a backend may run side by side; false when it does not
   * apply (the engine then runs two matmuls). */
  matmulPair?(a: View, b: View, out: Storage, c: View, d: View, out2: Storage): boolean;
  /** Gradients of conv2d; gx/gw/gb are written when non-null. */
  conv2dBackward?(x: View, w: View, gradOut: View, opts: Conv2dOpts,
    gx: Storage | null, gw: Storage | null, gb: Storage | null): void;
  /** indices: int32, flat index into each (n, c) input plane (as PyTorch's return_indices). */
  maxPool2d?(x: View, opts: Pool2dOpts, out: Storage, indices: Storage): void;
  maxPool2dBackward?(gradOut: View, indices: View, inputShape: readonly number[], gx: Storage): void;
  avgPool2d?(x: View, opts: Pool2dOpts, out: Storage): void;
  avgPool2dBackward?(gradOut: View, inputShape: readonly number[], opts: Pool2dOpts, gx: Storage): void;
}

/**
 * Scratch storages a backend's op checks out of its pool and gives back before it returns. An
 * interrupt can end JavaScript between the two, so the backend's settle() gives back what is
 * still out. Only for ops' own temporaries: tensors' storages are the engine's (memory.ts).
 */
export class Scratch<S extends Storage = Storage> {
  private readonly out = new Set<S>();
  /** Record `buf` as checked out; returns it. */
  take(buf: S): S { this.out.add(buf); return buf; }
  /** Give `buf` back to `free` (the backend's pool). */
  give(buf: S, free: (buf: S) => void): void { this.out.delete(buf); free(buf); }
  /** Give back everything still out. */
  settle(free: (buf: S) => void): void {
    for (const buf of this.out) free(buf);
    this.out.clear();
  }
  get size(): number { return this.out.size; }
}

const registry = new Map<DeviceName, () => Backend>();
const instances = new Map<DeviceName, Backend>();

// The backends in use hold the state of ops in progress (see Backend.settle).
registerState({
  name: "backends", stage: "release",
  settle(): void {
    for (const b of instances.values()) b.settle?.();
  },
});

/** Backends register a factory; it runs on first use, so an unavailable device costs nothing. */
export function registerBackend(name: DeviceName, factory: () => Backend): void {
  registry.set(name, factory);
  instances.delete(name);
}

export function getBackend(name: DeviceName): Backend {
  let b = instances.get(name);
  if (!b) {
    const factory = registry.get(name);
    if (!factory) throw new Error(`no backend registered for device "${name}"`);
    b = factory();
    instances.set(name, b);
  }
  return b;
}

/** Whether a factory is registered for the device (nothing is started). */
export function hasBackend(name: DeviceName): boolean {
  return registry.has(name);
}

/** Replace a live backend instance (tests: run the suite on the reference CPU backend). */
export function setBackendInstance(name: DeviceName, backend: Backend): void {
  instances.set(name, backend);
}
