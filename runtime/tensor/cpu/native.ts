// runtime/tensor/cpu/native.ts
// The default "cpu" backend: CpuBackend (reference.ts) with the heavy float32 kernels replaced by the
// N-API addon in native/ (GEMM and convolution through oneDNN, pooling, element-wise, reductions,
// softmax, Adam; OpenMP threads). Storage is CpuBackend's (TypedArrays), handed to C++ zero-copy,
// so tensors move between the two backends without conversion. Everything the addon does not
// cover (other dtypes, rare layouts) falls through to the reference implementation.
// Shapes, strides and scalars go through one shared Float64Array (P) instead of JS objects, so a
// call costs about as much as an empty N-API call. The slot layout of P is written beside each
// C++ kernel in native/src/*.cpp; the op codes and shared slots come from native_abi.ts.

import * as path from "node:path";
import * as fs from "node:fs";
import type { TypedArray } from "../dtype";
import { Scratch, type AdamStepOpts, type Backend, type BinaryOp, type Conv2dOpts, type Pool2dOpts, type ReduceOp, type Storage, type UnaryOp, type View } from "../backend";
import { CpuBackend, CpuStorage, dataOf, type BlockedLayout } from "./reference";
import { collapseDims } from "./iter";
import {
  BINARY_B_IS_SCALAR, BINARY_CODES, BINARY_SCALAR, LAYOUT, MAX_DIMS, OPS_SIGNATURE, P_LEN, PTR_BASE as PTR,
  REDUCE_CODES, UNARY_CODES, UNARY_PARAM, UNARY_PARAM2,
} from "./native_abi";
import { BINARY_NAMES, writesBool } from "../op_registry";
import { contiguousStrides, isContiguous, sizeOf, windowOutSize } from "../shape";

/** The functions native/src/addon.cpp exports. Kernels take their arrays' addresses, shapes and
 * scalars from the parameter block given to init(); arguments are op codes only. */
export interface NativeAddon {
  init(params: Float64Array): void;
  setThreads(n: number): void;
  getThreads(): number;
  version(): string;
  /** The data address of a TypedArray (stable: V8 never moves an ArrayBuffer's backing store). */
  address(a: TypedArray): number;
  /** An empty call: the floor of the per-call cost (bench). */
  noop(): void;
  gemm(): void;
  /** Two batch-1 products (gemm.cpp gemmPair); absent in builds before it. */
  gemmPair?(): void;
  unary(op: number): void;
  binary(op: number): void;
  reduce(op: number): void;
  softmax(log: number): void;
  copy(): void;
  where(): void;
  conv2d(): void;
  conv2dBackward(): void;
  maxPool2d(): void;
  maxPool2dBackward(): void;
  avgPool2d(): void;
  avgPool2dBackward(): void;
  adamStep(): void;
  /** nChw16c <-> NCHW of 4-byte elements (blocked activations, #17); arguments, not P. */
  relayout16(src: TypedArray, dst: TypedArray, n: number, c: number, h: number, w: number, toBlocked: number): void;
  /** The registry's native ops the addon was built with (native_abi.ts OPS_SIGNATURE); absent in
   * builds older than the generated op codes. */
  opsSignature?: string;
}

// Below this many elements a contiguous element-wise op runs in the reference's JS loop: it takes
// ~0.1 us there, less than the ~0.3 us a native call costs with its bookkeeping.
const SMALL = 64;
const RELU_BACKWARD = BINARY_CODES.relu_backward!;
const BOOL_OUT = new Set<BinaryOp>(BINARY_NAMES.filter(writesBool));

/** PAUSEs an idle OpenMP thread spins before it sleeps (GOMP_SPINCOUNT; see loadNativeAddon). */
const SPIN_COUNT = 3000;
const BUILD_HINT = "run ./install.sh (or: apt-get install libdnnl-dev && cd native && npx node-gyp rebuild --nodedir=/usr)";

let loaded: { addon: NativeAddon | null; error: string | null; file: string | null } | null = null;
// One parameter block per process: the addon keeps a single pointer to it, so every
// NativeCpuBackend instance writes into this same array.
const PARAMS = new Float64Array(P_LEN);

/** Where the addon is looked for: $TSGRAD_NATIVE_ADDON, else native/build/Release from the repo root
 * (this file runs from runtime/tensor/cpu/ under tsx and from dist/runtime/tensor/cpu/ when built;
 * a packed tarball carries the addon under dist/native/). */
function candidates(): string[] {
  const env = process.env.TSGRAD_NATIVE_ADDON;
  if (env) return [env];
  const rel = path.join("native", "build", "Release", "tsgrad_native.node");
  return [path.resolve(__dirname, "..", "..", "..", rel), path.resolve(__dirname, "..", "..", "..", "..", rel)];
}

/** Load the addon once; never throws (the error says why and how to fix it). */
export function loadNativeAddon(): { addon: NativeAddon | null; error: string | null; file: string | null } {
  if (loaded) return loaded;
  const files = candidates();
  const file = files.find((f) => fs.existsSync(f));
  if (!file) {
    loaded = { addon: null, file: null, error: `native addon not built (looked for ${files[0]}); ${BUILD_HINT}` };
    return loaded;
  }
  // How OpenMP threads wait between parallel regions. libgomp's default spins for 300,000 PAUSEs
  // (about 9 ms here), which burns the time slices the other thread needs whenever the cores are
  // shared (a loaded machine, the kernel's socket thread, a notebook next to a browser): on 2 busy
  // cores an MLP step took 23 ms with it. Passive waiting (#12) puts a worker to sleep at once, so
  // every region wakes it through the kernel, and a training step has dozens of short regions: on
  // 2 idle cores the MLP step was slower on 2 threads than on 1. SPIN_COUNT spins briefly (about
  // 90 us at this machine's 30 ns a PAUSE), then sleeps (#17; measured on 2 threads, interleaved
  // runs: MLP step 2.1 ms against 3.0 passive, CNN step 59 against 63; with both cores busy 6.2
  // against 5.4 passive and 23 for the default). libgomp reads its settings once, in its
  // constructor, when it loads with the addon; a policy or count the user set wins. The variable
  // is set only around that load and then removed again, so that processes this one starts (a
  // benchmark's PyTorch peer, a user's child process) inherit the environment the user gave, not
  // ours (#12).
  const ours = process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined;
  if (ours) process.env.GOMP_SPINCOUNT = String(SPIN_COUNT);
  try {
    let addon: NativeAddon;
    try { addon = require(file) as NativeAddon; } finally { if (ours) delete process.env.GOMP_SPINCOUNT; }
    checkOpsSignature(addon);
    addon.init(PARAMS);
    const threads = Number(process.env.TSGRAD_NUM_THREADS);
    if (threads > 0) addon.setThreads(threads);
    loaded = { addon, file, error: null };
  } catch (e) {
    const why = (e as Error).message.split("\n")[0];
    loaded = { addon: null, file, error: `native addon ${file} failed to load (${why}); ${BUILD_HINT}` };
  }
  return loaded;
}

/** Op codes are positions in the op registry: an addon built from another registry would run other
 * ops than asked, so it is refused (then the reference backend runs, or TSGRAD_REQUIRE_NATIVE fails). */
export function checkOpsSignature(addon: NativeAddon): void {
  if (addon.opsSignature !== OPS_SIGNATURE) throw new Error("it was built from another op registry (stale build)");
}

/** The default CPU backend: native when the addon loads, else the reference with a one-line warning.
 * TSGRAD_REQUIRE_NATIVE=1 turns the fallback into an error (CI). */
export function createCpuBackend(): Backend {
  const { addon, error } = loadNativeAddon();
  if (addon) return new NativeCpuBackend(addon);
  if (process.env.TSGRAD_REQUIRE_NATIVE === "1") throw new Error(`tsgrad: ${error}`);
  console.warn(`tsgrad: warning: using the slow TypeScript CPU backend: ${error}`);
  return new CpuBackend();
}

const isF32 = (v: View): boolean => v.buf.dtype === "float32";

// conv.cpp's P[16] (#17): x / gy arrive in nChw16c; the output may be left so; it was.
const BLK_X = 1, BLK_GY = 2, BLK_OUT_OK = 4, BLK_OUT = 1;
// gemm.cpp's P[14]: what it applies to C's rows after the product (a Linear layer's bias, ReLU).
const EPI_BIAS = 1, EPI_RELU = 2;
// gemm.cpp gemmPair (kernels.h PAIR_BASE): where its second product's parameters start in P.
const PAIR_BASE = 16;
// TSGRAD_BLOCKED=0 keeps every activation in NCHW (to measure what the blocked layout saves).
const BLOCKED_ON = process.env.TSGRAD_BLOCKED !== "0";
// conv.cpp's P[18]: in, Winograd may run; out, the passes that ran it (forward, data and weight
// gradients).
const WINO_ALLOW = 1;

// Data addresses by array: asked once per TypedArray (an N-API unwrap costs ~150 ns, a WeakMap
// hit ~20 ns). Pooled arrays keep their entry across reuse.
const addresses = new WeakMap<TypedArray, number>();

export class NativeCpuBackend extends CpuBackend {
  readonly native = true;
  /** Whether 3x3 stride-1 convolutions may run oneDNN's Winograd kernels (native/src/conv.cpp):
   * about 1.7x faster, rounding a few ulps away from the direct kernel's; default on, off with
   * TSGRAD_CONV_WINOGRAD=0. */
  convWinograd = process.env.TSGRAD_CONV_WINOGRAD !== "0";
  /** Which passes of the last convolution call ran Winograd: 1 forward, 2 input gradient, 4 weight
   * gradient (bits). */
  lastConvWinograd = 0;
  private readonly P = PARAMS;
  /** Contiguous copies an op made of strided operands, until it frees them (see settle()). */
  private readonly scratch = new Scratch();
  private readonly freeScratch = (buf: Storage): void => this.free(buf);

  /** `addon` must come from loadNativeAddon(), which shares the parameter block with it. */
  constructor(private readonly addon: NativeAddon) {
    super();
  }

  /** OpenMP threads used by every kernel (torch.set_num_threads). */
  setNumThreads(n: number): void { this.addon.setThreads(n); }
  getNumThreads(): number { return this.addon.getThreads(); }
  get nativeVersion(): string { return this.addon.version(); }

  // ---- helpers ----

  // ---- blocked activations (#17) ----
  // Convolutions leave their output in oneDNN's nChw16c layout when it has 16k channels; ReLU,
  // its backward and 2x2 max pooling keep that layout, and convolutions take it as it is, so a
  // conv -> relu -> pool -> conv chain and its backward reorder nothing in between. Everything
  // else reads through dataOf(), which turns the storage back to NCHW in place first (toPlain),
  // so views, reads and the reference kernels see the usual layout.

  /** The layout of a View that covers its whole blocked storage as [N, C, H, W], else null. */
  private blockedOf(v: View): BlockedLayout | null {
    const b = (v.buf as CpuStorage).blocked;
    if (b === null || v.offset !== 0 || v.shape.length !== 4 || !isContiguous(v.shape, v.strides)) return null;
    for (let d = 0; d < 4; d++) if (v.shape[d] !== b.dims[d]) return null;
    return b;
  }
  private readonly toPlain = (s: CpuStorage): void => {
    const [n, c, h, w] = s.blocked!.dims;
    const tmp = this.alloc(s.length, s.dtype) as CpuStorage;
    this.addon.relayout16(s.data, tmp.data, n, c, h, w, 0);
    [s.data, tmp.data] = [tmp.data, s.data];
    s.blocked = null;
    this.free(tmp);
  };
  private markBlocked(buf: Storage, dims: readonly number[]): void {
    (buf as CpuStorage).blocked = { dims, toPlain: this.toPlain };
  }
  /** The address of an output the kernel overwrites whole: whatever layout it had is dropped, not
   * turned back first (a storage reused as an output, as bench:tensor's backend rows do). */
  private outAddr(buf: Storage): number {
    (buf as CpuStorage).blocked = null;
    return this.rawAddr(buf);
  }
  /** The address of a storage's elements as they lie (blocked or not). */
  private rawAddr(buf: Storage): number {
    const d = (buf as CpuStorage).data;
    let a = addresses.get(d);
    if (a === undefined) addresses.set(d, (a = this.addon.address(d)));
    return a;
  }

  /** Byte address of element `offset` of a Storage. */
  private addr(buf: Storage, offset = 0): number {
    const d = dataOf(buf);
    let a = addresses.get(d);
    if (a === undefined) addresses.set(d, (a = this.addon.address(d)));
    return a + offset * d.BYTES_PER_ELEMENT;
  }

  /** Write an element-wise layout (native/src/strided.h) for `shape` and the operands' strides. */
  private layout(shape: readonly number[], views: readonly View[]): boolean {
    const P = this.P, nin = views.length;
    let allContiguous = true;
    for (let i = 0; i < nin; i++) if (!isContiguous(views[i].shape, views[i].strides)) allContiguous = false;
    if (allContiguous) {
      P[LAYOUT.nd] = 1; P[LAYOUT.shape] = sizeOf(shape);
      for (let i = 0; i < nin; i++) P[LAYOUT.strides(i)] = 1;
    } else {
      const c = collapseDims(shape, views.map((v) => v.strides));
      const nd = c.shape.length;
      if (nd > MAX_DIMS) return false;
      P[LAYOUT.nd] = nd;
      for (let d = 0; d < nd; d++) {
        P[LAYOUT.shape + d] = c.shape[d];
        for (let i = 0; i < nin; i++) P[LAYOUT.strides(i) + d] = c.strides[i][d];
      }
    }
    for (let i = 0; i < nin; i++) P[LAYOUT.offset(nin, i)] = views[i].offset;
    return true;
  }

  /** The address of a View's elements laid out contiguously: the storage itself when it is, else
   * a pooled copy the caller gives back with `release`. Copying overwrites P: call this before
   * writing a kernel's parameters. */
  private contiguous(v: View): { addr: number; temp: Storage | null } {
    if (isContiguous(v.shape, v.strides)) return { addr: this.addr(v.buf, v.offset), temp: null };
    const temp = this.scratch.take(this.alloc(sizeOf(v.shape), "float32"));
    this.copy(v, temp);
    return { addr: this.addr(temp), temp };
  }
  private release(...xs: ({ temp: Storage | null } | null)[]): void {
    for (const x of xs) if (x?.temp) this.scratch.give(x.temp, this.freeScratch);
  }
  /** Give scratch copies of an op an interrupt cut short back to the pool. */
  settle(): void { this.scratch.settle(this.freeScratch); }

  // ---- memory ----

  copy(x: View, out: Storage): void {
    if (!isF32(x) || out.dtype !== "float32") return super.copy(x, out);
    const n = sizeOf(x.shape);
    if (isContiguous(x.shape, x.strides)) {
      const src = dataOf(x.buf);
      dataOf(out).set(x.offset === 0 && src.length === n ? src : src.subarray(x.offset, x.offset + n));
      return;
    }
    if (!this.layout(x.shape, [x])) return super.copy(x, out);
    this.P[PTR] = this.addr(x.buf);
    this.P[PTR + 1] = this.addr(out);
    this.addon.copy();
  }

  // ---- element-wise ----

  unary(op: UnaryOp, x: View, out: Storage, param = 0, param2 = 0): void {
    const code = UNARY_CODES[op];
    const xb = this.blockedOf(x);
    if (xb && code !== undefined && out.dtype === "float32" && out.length === x.buf.length && this.layout(x.shape, [x])) {
      // Element by element, so the blocked order carries over to the output.
      const P = this.P;
      P[UNARY_PARAM] = param; P[UNARY_PARAM2] = param2;
      P[PTR] = this.rawAddr(x.buf); P[PTR + 1] = out === x.buf ? P[PTR] : this.outAddr(out);
      this.addon.unary(code);
      this.markBlocked(out, xb.dims);
      return;
    }
    if (code === undefined || !isF32(x) || out.dtype !== "float32" || out.length < SMALL || !this.layout(x.shape, [x])) {
      return super.unary(op, x, out, param, param2);
    }
    const P = this.P;
    P[UNARY_PARAM] = param; P[UNARY_PARAM2] = param2;
    P[PTR] = this.addr(x.buf); P[PTR + 1] = this.addr(out);
    this.addon.unary(code);
  }

  binary(op: BinaryOp, a: View, b: View | number, out: Storage): void {
    // Small tensors first: the reference's loop is cheaper than a native call there, and the op
    // needs no lookup to know it.
    if (out.length < SMALL) return super.binary(op, a, b, out);
    const code = BINARY_CODES[op];
    if (code === undefined || !isF32(a) || out.dtype !== (BOOL_OUT.has(op) ? "bool" : "float32") || (typeof b !== "number" && !isF32(b))) {
      return super.binary(op, a, b, out);
    }
    const P = this.P;
    if (typeof b === "number") {
      if (!this.layout(a.shape, [a, a])) return super.binary(op, a, b, out);
      P[BINARY_B_IS_SCALAR] = 1; P[BINARY_SCALAR] = b;
      P[PTR + 1] = 0;
    } else {
      if (!this.layout(a.shape, [a, b])) return super.binary(op, a, b, out);
      P[BINARY_B_IS_SCALAR] = 0;
      P[PTR + 1] = this.addr(b.buf);
    }
    P[PTR] = this.addr(a.buf); P[PTR + 2] = this.addr(out);
    this.addon.binary(code);
  }

  /** relu's backward in one pass: out = g where y > 0, else 0 (y: relu's output, same shape as g).
   * An optional fast path runtime/tensor/ops_elementwise.ts uses when a backend has it, instead of
   * gt + where; false when it does not apply (the caller then takes the generic route). */
  reluBackward(y: View, g: View, out: Storage): boolean {
    const yb = this.blockedOf(y), gb = this.blockedOf(g);
    if (yb && gb && isF32(y) && isF32(g) && out.dtype === "float32" && out.length === y.buf.length && this.layout(y.shape, [g, y])) {
      const P = this.P;
      P[BINARY_B_IS_SCALAR] = 0;
      P[PTR] = this.rawAddr(g.buf); P[PTR + 1] = this.rawAddr(y.buf);
      P[PTR + 2] = out === g.buf || out === y.buf ? this.rawAddr(out) : this.outAddr(out);
      this.addon.binary(RELU_BACKWARD);
      this.markBlocked(out, yb.dims);
      return true;
    }
    if (!isF32(y) || !isF32(g) || out.dtype !== "float32" || out.length < SMALL || !this.layout(y.shape, [g, y])) return false;
    const P = this.P;
    P[BINARY_B_IS_SCALAR] = 0;
    P[PTR] = this.addr(g.buf); P[PTR + 1] = this.addr(y.buf); P[PTR + 2] = this.addr(out);
    this.addon.binary(RELU_BACKWARD);
    return true;
  }

  where(cond: View, a: View, b: View, out: Storage): void {
    if (cond.buf.dtype !== "bool" || !isF32(a) || !isF32(b) || out.dtype !== "float32" || out.length < SMALL ||
        !this.layout(cond.shape, [cond, a, b])) {
      return super.where(cond, a, b, out);
    }
    const P = this.P;
    P[PTR] = this.addr(cond.buf); P[PTR + 1] = this.addr(a.buf); P[PTR + 2] = this.addr(b.buf); P[PTR + 3] = this.addr(out);
    this.addon.where();
  }

  // ---- reductions ----

  reduce(op: ReduceOp, x: View, axes: readonly number[], out: Storage): void {
    const code = REDUCE_CODES[op];
    if (code === undefined || !isF32(x) || sizeOf(x.shape) === 0) return super.reduce(op, x, axes, out);
    // Merge the dims into alternating kept/reduced groups; size-1 dims belong to neither.
    const sizes: number[] = [], reduced: boolean[] = [];
    for (let d = 0; d < x.shape.length; d++) {
      const n = x.shape[d], r = axes.includes(d);
      if (n === 1) continue;
      const last = sizes.length - 1;
      if (last >= 0 && reduced[last] === r) sizes[last] *= n;
      else { sizes.push(n); reduced.push(r); }
    }
    let A = 1, C = 1, B = 1, mode = 0;
    const pattern = reduced.map((r) => (r ? "R" : "K")).join("");
    switch (pattern) {
      case "R": C = sizes[0]; break;
      case "KR": A = sizes[0]; C = sizes[1]; break;
      case "RK": C = sizes[0]; B = sizes[1]; break;
      case "KRK": [A, C, B] = sizes; break;
      case "RKR": [A, C, B] = sizes; mode = 1; break;
      default: return super.reduce(op, x, axes, out);
    }
    if ((op === "argmax" || op === "argmin") && (mode !== 0 || B !== 1)) return super.reduce(op, x, axes, out);
    const src = this.contiguous(x);
    const P = this.P;
    P[0] = A; P[1] = C; P[2] = B; P[3] = mode; P[4] = 0;
    P[PTR] = src.addr; P[PTR + 1] = this.addr(out);
    this.addon.reduce(code);
    this.release(src);
  }

  softmax(x: View, dim: number, out: Storage, log: boolean): void {
    const r = x.shape.length;
    if (!isF32(x) || dim !== r - 1 || !isContiguous(x.shape, x.strides) || x.shape[r - 1] === 0) {
      return super.softmax(x, dim, out, log);
    }
    const P = this.P, K = x.shape[r - 1];
    P[0] = sizeOf(x.shape) / K; P[1] = K; P[2] = 0;
    P[PTR] = this.addr(x.buf, x.offset); P[PTR + 1] = this.addr(out);
    this.addon.softmax(log ? 1 : 0);
  }

  // ---- linear algebra ----

  /** GEMM with bias (and ReLU) applied to the output rows in the same call (gemm.cpp epilogue). */
  linear(x: View, wT: View, bias: View | null, relu: boolean, out: Storage): boolean {
    if (!isF32(x) || !isF32(wT) || x.shape.length !== 2 || (bias && (!isF32(bias) || !isContiguous(bias.shape, bias.strides)))) return false;
    if (x.shape[0] * wT.shape[1] === 0 || !this.productParams(x, wT, 0)) return false;
    const biasAddr = bias ? this.addr(bias.buf, bias.offset) : 0;
    const P = this.P;
    P[0] = 1; P[11] = 0; P[12] = 0; P[13] = 0;
    P[14] = (bias ? EPI_BIAS : 0) | (relu ? EPI_RELU : 0);
    P[PTR] = this.addr(x.buf); P[PTR + 1] = this.addr(wT.buf); P[PTR + 2] = this.addr(out); P[PTR + 3] = biasAddr;
    this.addon.gemm();
    return true;
  }

  /** a @ b and c @ d in one call (gemm.cpp gemmPair: side by side on two threads when they are
   * small enough); false for anything but 2-d float32 operands GEMM takes as they lie. */
  matmulPair(a: View, b: View, out: Storage, c: View, d: View, out2: Storage): boolean {
    if (!this.addon.gemmPair || !isF32(a) || !isF32(b) || !isF32(c) || !isF32(d) || a.shape.length !== 2 || c.shape.length !== 2) return false;
    const first = this.productParams(a, b, 0), second = first && this.productParams(c, d, PAIR_BASE);
    if (!second) return false;
    const P = this.P;
    P[PTR] = this.addr(a.buf); P[PTR + 1] = this.addr(b.buf); P[PTR + 2] = this.addr(out);
    P[PTR + 4] = this.addr(c.buf); P[PTR + 5] = this.addr(d.buf); P[PTR + 6] = this.addr(out2);
    this.addon.gemmPair();
    return true;
  }

  /** gemm.cpp's P[base + 1..10] for the 2-d product a @ b into a contiguous output (linear's, and
   * matmulPair's two); false when an operand's layout is not one GEMM takes as it lies. */
  private productParams(a: View, b: View, base: number): boolean {
    const [m, k] = a.shape, n = b.shape[1];
    const opA = gemmOperand(m, k, a.strides[0], a.strides[1]), opB = gemmOperand(k, n, b.strides[0], b.strides[1]);
    if (!opA || !opB) return false;
    const P = this.P;
    P[base + 1] = m; P[base + 2] = n; P[base + 3] = k;
    P[base + 4] = opA.trans ? 1 : 0; P[base + 5] = opB.trans ? 1 : 0; P[base + 6] = opA.ld; P[base + 7] = opB.ld;
    P[base + 8] = a.offset; P[base + 9] = b.offset; P[base + 10] = 0;
    return true;
  }

  matmul(a: View, b: View, out: Storage): void {
    if (!isF32(a) || !isF32(b)) return super.matmul(a, b, out);
    const r = a.shape.length;
    const m = a.shape[r - 2], k = a.shape[r - 1], n = b.shape[r - 1];
    if (m * n === 0) return;
    // Each operand goes to GEMM as it lies: row-major (N) or transposed (T) with its leading
    // dimension. Only a layout BLAS cannot express (e.g. a broadcast row) is copied.
    let opA = gemmOperand(m, k, a.strides[r - 2], a.strides[r - 1]);
    let opB = gemmOperand(k, n, b.strides[r - 2], b.strides[r - 1]);
    let ta: Storage | null = null, tb: Storage | null = null, av = a, bv = b;
    if (!opA) { ta = this.scratch.take(this.alloc(sizeOf(a.shape), "float32")); this.copy(a, ta); av = plain(ta, a.shape); opA = { trans: false, ld: k }; }
    if (!opB) { tb = this.scratch.take(this.alloc(sizeOf(b.shape), "float32")); this.copy(b, tb); bv = plain(tb, b.shape); opB = { trans: false, ld: n }; }
    const P = this.P;
    P[1] = m; P[2] = n; P[3] = k;
    P[4] = opA.trans ? 1 : 0; P[5] = opB.trans ? 1 : 0; P[6] = opA.ld; P[7] = opB.ld; P[14] = 0;
    P[PTR] = this.addr(av.buf); P[PTR + 1] = this.addr(bv.buf); P[PTR + 2] = this.addr(out);
    if (r === 2) {
      P[0] = 1; P[8] = av.offset; P[9] = bv.offset; P[10] = 0; P[11] = 0; P[12] = 0; P[13] = 0;
      this.addon.gemm();
    } else {
      // Batch dims collapse to one strided dim in the common cases; otherwise loop over the rest.
      const batchShape = a.shape.slice(0, r - 2);
      const outBatch = contiguousStrides(batchShape).map((s) => s * m * n);
      const c = collapseDims(batchShape, [av.strides.slice(0, r - 2), bv.strides.slice(0, r - 2), outBatch]);
      const nd = c.shape.length, inner = c.shape[nd - 1];
      P[0] = inner; P[11] = c.strides[0][nd - 1]; P[12] = c.strides[1][nd - 1]; P[13] = c.strides[2][nd - 1];
      const outer = sizeOf(c.shape) / inner;
      for (let i = 0; i < outer; i++) {
        let rem = i, oa = av.offset, ob = bv.offset, oc = 0;
        for (let d = nd - 2; d >= 0; d--) {
          const idx = rem % c.shape[d];
          rem = (rem - idx) / c.shape[d];
          oa += idx * c.strides[0][d]; ob += idx * c.strides[1][d]; oc += idx * c.strides[2][d];
        }
        P[8] = oa; P[9] = ob; P[10] = oc;
        this.addon.gemm();
      }
    }
    if (ta) this.scratch.give(ta, this.freeScratch);
    if (tb) this.scratch.give(tb, this.freeScratch);
  }

  // ---- convolution and pooling ----

  conv2d(x: View, w: View, bias: View | null, opts: Conv2dOpts, out: Storage): void {
    if (!isF32(x) || !isF32(w) || opts.groups !== 1 || sizeOf(x.shape) === 0) return super.conv2d(x, w, bias, opts, out);
    this.convForward(x, w, bias, opts, out, false);
  }

  /** conv2d with ReLU as oneDNN's post-op: one pass over the output instead of two. */
  conv2dRelu(x: View, w: View, bias: View | null, opts: Conv2dOpts, out: Storage): boolean {
    if (!isF32(x) || !isF32(w) || opts.groups !== 1 || sizeOf(x.shape) === 0) return false;
    this.convForward(x, w, bias, opts, out, true);
    return true;
  }

  private convForward(x: View, w: View, bias: View | null, opts: Conv2dOpts, out: Storage, relu: boolean): void {
    const xb = this.blockedOf(x);
    const xs = xb ? { addr: this.rawAddr(x.buf), temp: null } : this.contiguous(x);
    const ws = this.contiguous(w), bs = bias ? this.contiguous(bias) : null;
    this.convParams(x.shape, w.shape, opts, bias !== null);
    const P = this.P;
    P[16] = (xb ? BLK_X : 0) | (BLOCKED_ON ? BLK_OUT_OK : 0);
    P[17] = relu ? 1 : 0;
    P[PTR] = xs.addr; P[PTR + 1] = ws.addr; P[PTR + 2] = bs ? bs.addr : 0; P[PTR + 3] = this.outAddr(out);
    this.addon.conv2d();
    this.lastConvWinograd = P[18];
    if (P[16] === BLK_OUT) this.markBlocked(out, [P[0], P[4], P[7], P[8]]);
    this.release(xs, ws, bs);
  }

  conv2dBackward(x: View, w: View, gradOut: View, opts: Conv2dOpts, gx: Storage | null, gw: Storage | null, gb: Storage | null): void {
    if (!isF32(x) || !isF32(w) || opts.groups !== 1 || sizeOf(x.shape) === 0) {
      return super.conv2dBackward(x, w, gradOut, opts, gx, gw, gb);
    }
    if (!gx && !gw && !gb) return;
    const xb = this.blockedOf(x), yb = this.blockedOf(gradOut);
    const xs = xb ? { addr: this.rawAddr(x.buf), temp: null } : this.contiguous(x);
    const ws = this.contiguous(w);
    const gs = yb ? { addr: this.rawAddr(gradOut.buf), temp: null } : this.contiguous(gradOut);
    this.convParams(x.shape, w.shape, opts, gb !== null);
    const P = this.P;
    P[16] = (xb ? BLK_X : 0) | (yb ? BLK_GY : 0) | (BLOCKED_ON ? BLK_OUT_OK : 0);
    P[PTR] = xs.addr; P[PTR + 1] = ws.addr; P[PTR + 2] = gs.addr;
    P[PTR + 3] = gx ? this.outAddr(gx) : 0; P[PTR + 4] = gw ? this.addr(gw) : 0; P[PTR + 5] = gb ? this.addr(gb) : 0;
    this.addon.conv2dBackward();
    this.lastConvWinograd = P[18];
    if (gx && P[16] === BLK_OUT) this.markBlocked(gx, x.shape);
    this.release(xs, ws, gs);
  }

  private convParams(xs: readonly number[], wsh: readonly number[], o: Conv2dOpts, hasBias: boolean): void {
    const P = this.P, [N, C, H, W] = xs, [O, , KH, KW] = wsh;
    P[0] = N; P[1] = C; P[2] = H; P[3] = W; P[4] = O; P[5] = KH; P[6] = KW;
    P[7] = windowOutSize(H, KH, o.stride[0], o.padding[0], o.dilation[0]);
    P[8] = windowOutSize(W, KW, o.stride[1], o.padding[1], o.dilation[1]);
    P[9] = o.stride[0]; P[10] = o.stride[1]; P[11] = o.padding[0]; P[12] = o.padding[1];
    P[13] = o.dilation[0]; P[14] = o.dilation[1]; P[15] = hasBias ? 1 : 0; P[16] = 0;
    P[18] = this.convWinograd ? WINO_ALLOW : 0;
  }

  private poolParams(xs: readonly number[], o: Pool2dOpts, maxPool: boolean): void {
    const P = this.P, [N, C, H, W] = xs;
    const dh = maxPool ? o.dilation[0] : 1, dw = maxPool ? o.dilation[1] : 1;
    P[0] = N; P[1] = C; P[2] = H; P[3] = W;
    P[4] = windowOutSize(H, o.kernel[0], o.stride[0], o.padding[0], dh, o.ceilMode);
    P[5] = windowOutSize(W, o.kernel[1], o.stride[1], o.padding[1], dw, o.ceilMode);
    P[6] = o.kernel[0]; P[7] = o.kernel[1]; P[8] = o.stride[0]; P[9] = o.stride[1];
    P[10] = o.padding[0]; P[11] = o.padding[1]; P[12] = dh; P[13] = dw; P[14] = o.countIncludePad ? 1 : 0;
    P[15] = 0;
  }

  maxPool2d(x: View, opts: Pool2dOpts, out: Storage, indices: Storage): void {
    if (!isF32(x) || x.shape.length !== 4) return super.maxPool2d(x, opts, out, indices);
    const xb = this.blockedOf(x);
    if (xb) {
      this.poolParams(x.shape, opts, true);
      const P = this.P, o = opts;
      const whole2x2 = o.kernel[0] === 2 && o.kernel[1] === 2 && o.stride[0] === 2 && o.stride[1] === 2 && o.padding[0] === 0 &&
        o.padding[1] === 0 && P[12] === 1 && P[13] === 1 && 2 * P[4] <= P[2] && 2 * P[5] <= P[3];
      if (whole2x2) {
        // Values and indices in the input's blocked layout (pool.cpp maxPool2dBlocked).
        P[15] = 1;
        P[PTR] = this.rawAddr(x.buf); P[PTR + 1] = this.outAddr(out); P[PTR + 2] = this.outAddr(indices);
        this.addon.maxPool2d();
        const dims = [P[0], P[1], P[4], P[5]];
        this.markBlocked(out, dims);
        this.markBlocked(indices, dims);
        return;
      }
    }
    const xs = this.contiguous(x);
    this.poolParams(x.shape, opts, true);
    const P = this.P;
    P[PTR] = xs.addr; P[PTR + 1] = this.addr(out); P[PTR + 2] = this.addr(indices);
    this.addon.maxPool2d();
    this.release(xs);
  }

  maxPool2dBackward(gradOut: View, indices: View, inputShape: readonly number[], gx: Storage): void {
    if (!isF32(gradOut) || inputShape.length !== 4 || !isContiguous(indices.shape, indices.strides)) {
      return super.maxPool2dBackward(gradOut, indices, inputShape, gx);
    }
    const ib = this.blockedOf(indices);
    if (ib) {
      // Blocked indices: the gradient goes blocked too (a small NCHW one, as from a Linear after
      // Flatten, is blocked into a scratch copy), and so does the input's gradient.
      let gAddr: number, temp: Storage | null = null, plainCopy: Storage | null = null;
      if (this.blockedOf(gradOut)) gAddr = this.rawAddr(gradOut.buf);
      else {
        const n = sizeOf(gradOut.shape);
        if (!isContiguous(gradOut.shape, gradOut.strides)) { plainCopy = this.scratch.take(this.alloc(n, "float32")); this.copy(gradOut, plainCopy); }
        const g = plainCopy ? dataOf(plainCopy) : dataOf(gradOut.buf).subarray(gradOut.offset, gradOut.offset + n);
        temp = this.scratch.take(this.alloc(n, "float32"));
        this.addon.relayout16(g, dataOf(temp), ib.dims[0], ib.dims[1], ib.dims[2], ib.dims[3], 1);
        gAddr = this.addr(temp);
      }
      const P = this.P, [N, C, H, W] = inputShape;
      P[0] = N; P[1] = C; P[2] = H; P[3] = W; P[4] = ib.dims[2]; P[5] = ib.dims[3]; P[15] = 1;
      P[PTR] = gAddr; P[PTR + 1] = this.rawAddr(indices.buf); P[PTR + 2] = this.outAddr(gx);
      this.addon.maxPool2dBackward();
      this.markBlocked(gx, inputShape);
      if (temp) this.scratch.give(temp, this.freeScratch);
      if (plainCopy) this.scratch.give(plainCopy, this.freeScratch);
      return;
    }
    const gs = this.contiguous(gradOut);
    const P = this.P, [N, C, H, W] = inputShape;
    P[0] = N; P[1] = C; P[2] = H; P[3] = W; P[4] = gradOut.shape[2]; P[5] = gradOut.shape[3]; P[15] = 0;
    P[PTR] = gs.addr; P[PTR + 1] = this.addr(indices.buf, indices.offset); P[PTR + 2] = this.addr(gx);
    this.addon.maxPool2dBackward();
    this.release(gs);
  }

  avgPool2d(x: View, opts: Pool2dOpts, out: Storage): void {
    if (!isF32(x) || x.shape.length !== 4) return super.avgPool2d(x, opts, out);
    const xs = this.contiguous(x);
    this.poolParams(x.shape, opts, false);
    this.P[PTR] = xs.addr; this.P[PTR + 1] = this.addr(out);
    this.addon.avgPool2d();
    this.release(xs);
  }

  avgPool2dBackward(gradOut: View, inputShape: readonly number[], opts: Pool2dOpts, gx: Storage): void {
    if (!isF32(gradOut) || inputShape.length !== 4) return super.avgPool2dBackward(gradOut, inputShape, opts, gx);
    const gs = this.contiguous(gradOut);
    this.poolParams(inputShape, opts, false);
    this.P[PTR] = gs.addr; this.P[PTR + 1] = this.addr(gx);
    this.addon.avgPool2dBackward();
    this.release(gs);
  }

  // ---- optimiser ----

  adamStep(param: Storage, grad: Storage, m: Storage, v: Storage, opts: AdamStepOpts): void {
    if (param.dtype !== "float32" || grad.dtype !== "float32" || m.dtype !== "float32" || v.dtype !== "float32") {
      return super.adamStep(param, grad, m, v, opts);
    }
    const P = this.P;
    P[0] = param.length; P[1] = opts.lr; P[2] = opts.beta1; P[3] = opts.beta2; P[4] = opts.eps;
    P[5] = opts.weightDecay; P[6] = opts.step; P[7] = opts.decoupled ? 1 : 0;
    P[PTR] = this.addr(param); P[PTR + 1] = this.addr(grad); P[PTR + 2] = this.addr(m); P[PTR + 3] = this.addr(v);
    this.addon.adamStep();
  }
}

function plain(buf: Storage, shape: readonly number[]): View {
  return { buf, shape, strides: contiguousStrides(shape), offset: 0 };
}

/** How a [rows, cols] operand with strides (sr, sc) reaches row-major GEMM, or null when it can't. */
function gemmOperand(rows: number, cols: number, sr: number, sc: number): { trans: boolean; ld: number } | null {
  if ((cols === 1 || sc === 1) && (rows === 1 || sr >= cols)) return { trans: false, ld: rows === 1 ? Math.max(cols, 1) : sr };
  if ((rows === 1 || sr === 1) && (cols === 1 || sc >= rows)) return { trans: true, ld: cols === 1 ? Math.max(rows, 1) : sc };
  return null;
}


