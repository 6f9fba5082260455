// runtime/tensor/cpu/reference.ts
// The reference CPU backend: plain TypeScript loops over TypedArrays, correct for every strided,
// broadcast or offset View and every dtype, with fast paths for contiguous operands. Other backends
// are tested against it; the native backend (native.ts) subclasses it and overrides the heavy
// kernels. Convolution, pooling, softmax and Adam kernels live in nn.ts, GEMM in gemm.ts.

import type { AdamStepOpts, Backend, BinaryOp, Conv2dOpts, Pool2dOpts, ReduceOp, Storage, UnaryOp, View } from "../backend";
import { arrayFor, DTYPES, type DType, type TypedArray } from "../dtype";
import { copyStrided, offsetTable, RowIter } from "./iter";
import { erf, roundHalfEven, SQRT_2_OVER_PI } from "./math";
import { isContiguous, sizeOf, contiguousStrides } from "../shape";
import { ShapeError } from "../errors";
import { gemm } from "./gemm";
import * as nnk from "./nn";

/** Elements of a [N, C, H, W] storage kept in oneDNN's nChw16c order instead of NCHW (#17: the
 * native backend's convolutions, ReLU and 2x2 max pooling pass activations to one another so).
 * `toPlain` puts the storage back into NCHW order, in place. */
export interface BlockedLayout { readonly dims: readonly number[]; toPlain(s: CpuStorage): void }

/** A CPU Storage is a TypedArray of exactly `length` elements. */
export class CpuStorage implements Storage {
  freed = false;
  /** Counted by memory() (see CpuBackend.untrackedBelow). */
  tracked = false;
  /** Set while the elements lie in a blocked layout; dataOf() turns them back first. */
  blocked: BlockedLayout | null = null;
  /** `data` changes only when a blocked storage is turned back (its array swapped for a plain one). */
  constructor(public data: TypedArray, readonly dtype: DType) {}
  get length(): number { return this.data.length; }
}

/** The storage's elements in the order its Views' strides describe (NCHW for a blocked storage,
 * which this turns back first). Every reader goes through here, so only the kernels that know the
 * blocked layout (native.ts) ever see one. */
export function dataOf(buf: Storage): TypedArray {
  const s = buf as CpuStorage;
  if (s.blocked !== null) s.blocked.toPlain(s);
  return s.data;
}

/** True when the View covers a contiguous run of its storage. */
export function viewIsContiguous(v: View): boolean {
  return isContiguous(v.shape, v.strides);
}

/** The View's elements as a contiguous array: a subarray when possible, else a copy. */
export function contiguousData(v: View): TypedArray {
  const data = dataOf(v.buf), n = sizeOf(v.shape);
  if (isContiguous(v.shape, v.strides)) return data.subarray(v.offset, v.offset + n);
  const out = arrayFor(v.buf.dtype, n);
  copyStrided(data, v.shape, v.strides, v.offset, out);
  return out;
}

const MAX_POOLED_BYTES = 256 * 1024 * 1024;

export class CpuBackend implements Backend {
  readonly name = "cpu" as const;
  /** Storages shorter than this (elements) are not counted by memory() (a finalizer costs more
   * than a small op); explicit frees still pool them. 0 counts everything (leak tests). */
  untrackedBelow = 4096;
  /** At most this many storages are counted at once (live, or collected but not yet finalized). */
  static maxCounted = 20000;
  // NOTE: V8 frees an unreachable TypedArray by itself, so the engine registers no finalizer for
  // CPU storages (collectsItself): one holding the array would keep it alive until the callback
  // runs, and callbacks never run during a synchronous training loop. This registry holds only
  // byte counts, to keep memory() right once the collector has taken a counted storage.
  private readonly counted = new FinalizationRegistry<number>((bytes) => { this.liveBuffers--; this.liveBytes -= bytes; });
  private readonly pools: Map<number, TypedArray[]>[] = DTYPES.map(() => new Map());
  private pooledBytes = 0;
  private liveBuffers = 0;
  private liveBytes = 0;
  /** Storages alloc() had to create because the pool had none of that length and dtype (#17:
   * bench:train counts them across steady training steps; after the first step it should be 0). */
  freshAllocations = 0;

  // ---- memory ----
  alloc(length: number, dtype: DType): Storage {
    const pool = this.pools[DTYPES.indexOf(dtype)].get(length);
    let data: TypedArray;
    if (pool && pool.length > 0) {
      data = pool.pop()!;
      this.pooledBytes -= length * data.BYTES_PER_ELEMENT;
    } else {
      data = arrayFor(dtype, length);
      this.freshAllocations++;
    }
    const s = new CpuStorage(data, dtype);
    // The cap bounds the registry's cells: a cell whose array the collector took waits for a
    // cleanup callback, and none runs inside a synchronous loop, so 10,000 steps without tidy()
    // would pile up ~150,000 of them (measured: the JS heap grew 10 -> 14 MB). Past the cap a
    // storage is still pooled and collected, just not counted by memory().
    if (length >= this.untrackedBelow && this.liveBuffers < CpuBackend.maxCounted) {
      const bytes = length * data.BYTES_PER_ELEMENT;
      // Registered first, counted after with plain stores: an interrupt (which ends JavaScript at
      // a call) never leaves a count without the finalizer that takes it back.
      this.counted.register(s, bytes, s);
      s.tracked = true;
      this.liveBuffers++;
      this.liveBytes += bytes;
    }
    return s;
  }

  collectsItself(_buf: Storage): boolean {
    return true;
  }

  free(buf: Storage): void {
    const s = buf as CpuStorage;
    if (s.freed) return;
    const bytes = s.data.length * s.data.BYTES_PER_ELEMENT;
    s.freed = true;
    if (s.tracked) {
      // Unregistered, then uncounted with plain stores (see alloc).
      this.counted.unregister(s);
      this.liveBuffers--;
      this.liveBytes -= bytes;
    }
    if (this.pooledBytes + bytes > MAX_POOLED_BYTES) return;
    const pools = this.pools[DTYPES.indexOf(s.dtype)];
    let pool = pools.get(s.data.length);
    if (!pool) pools.set(s.data.length, (pool = []));
    pool.push(s.data);
    this.pooledBytes += bytes;
  }

  /** Drop pooled memory (tests, or after a large one-off computation). */
  trimPool(): void {
    for (const p of this.pools) p.clear();
    this.pooledBytes = 0;
  }

  write(buf: Storage, data: TypedArray): void {
    const dst = dataOf(buf);
    if (dst.constructor === data.constructor) dst.set(data);
    else if (buf.dtype === "bool") for (let i = 0; i < data.length; i++) dst[i] = data[i] ? 1 : 0;
    else for (let i = 0; i < data.length; i++) dst[i] = data[i];
  }

  read(buf: Storage): Promise<TypedArray> { return Promise.resolve(this.readSync(buf)); }
  readSync(buf: Storage): TypedArray { return dataOf(buf).slice(); }
  fill(out: Storage, value: number): void { dataOf(out).fill(out.dtype === "bool" ? (value ? 1 : 0) : value); }

  copy(x: View, out: Storage): void {
    copyStrided(dataOf(x.buf), x.shape, x.strides, x.offset, dataOf(out), 0, out.dtype);
  }

  assign(dst: View, src: View): void {
    const dd = dataOf(dst.buf);
    let sd = dataOf(src.buf), sStrides = src.strides, sOff = src.offset;
    if (src.buf === dst.buf) { sd = contiguousData(src).slice(); sStrides = contiguousStrides(src.shape); sOff = 0; }
    const it = new RowIter(dst.shape, [dst.strides, sStrides], [dst.offset, sOff]);
    const [s0, s1] = it.innerStrides;
    const toBool = dst.buf.dtype === "bool";
    for (let r = 0; r < it.rows; r++, it.next()) {
      let d = it.offs[0], q = it.offs[1];
      if (toBool) for (let i = 0; i < it.inner; i++, d += s0, q += s1) dd[d] = sd[q] ? 1 : 0;
      else for (let i = 0; i < it.inner; i++, d += s0, q += s1) dd[d] = sd[q];
    }
  }

  memory(): { buffers: number; bytes: number } {
    return { buffers: this.liveBuffers, bytes: this.liveBytes };
  }

  // ---- element-wise ----
  unary(op: UnaryOp, x: View, out: Storage, param = 0, param2 = 0): void {
    const o = dataOf(out);
    let src: TypedArray = o;
    // Gather x into out first (converting dtype), then apply op in place; contiguous x of out's
    // dtype is read directly.
    if (viewIsContiguous(x) && x.buf.dtype === out.dtype) src = dataOf(x.buf).subarray(x.offset, x.offset + o.length);
    else this.copy(x, out);
    unaryLoop(op, src, o, o.length, param, param2);
  }

  binary(op: BinaryOp, a: View, b: View | number, out: Storage): void {
    const o = dataOf(out), ad = dataOf(a.buf);
    if (typeof b === "number") {
      if (viewIsContiguous(a)) { binaryScalarRow(op, ad, a.offset, 1, b, o, 0, o.length); return; }
      const it = new RowIter(a.shape, [a.strides, contiguousStrides(a.shape)], [a.offset, 0]);
      for (let r = 0; r < it.rows; r++, it.next()) binaryScalarRow(op, ad, it.offs[0], it.innerStrides[0], b, o, it.offs[1], it.inner);
      return;
    }
    const bd = dataOf(b.buf);
    if (viewIsContiguous(a) && viewIsContiguous(b)) { binaryRow(op, ad, a.offset, 1, bd, b.offset, 1, o, 0, o.length); return; }
    const it = new RowIter(a.shape, [a.strides, b.strides, contiguousStrides(a.shape)], [a.offset, b.offset, 0]);
    const [sa, sb] = it.innerStrides;
    for (let r = 0; r < it.rows; r++, it.next()) binaryRow(op, ad, it.offs[0], sa, bd, it.offs[1], sb, o, it.offs[2], it.inner);
  }

  where(cond: View, a: View, b: View, out: Storage): void {
    const o = dataOf(out), cd = dataOf(cond.buf), ad = dataOf(a.buf), bd = dataOf(b.buf);
    const it = new RowIter(cond.shape, [cond.strides, a.strides, b.strides, contiguousStrides(cond.shape)],
      [cond.offset, a.offset, b.offset, 0]);
    const [sc, sa, sb] = it.innerStrides;
    for (let r = 0; r < it.rows; r++, it.next()) {
      let c = it.offs[0], ai = it.offs[1], bi = it.offs[2], p = it.offs[3];
      for (let i = 0; i < it.inner; i++, c += sc, ai += sa, bi += sb) o[p++] = cd[c] ? ad[ai] : bd[bi];
    }
  }

  // ---- reductions ----
  reduce(op: ReduceOp, x: View, axes: readonly number[], out: Storage): void {
    const xd = dataOf(x.buf), o = dataOf(out);
    const keptShape: number[] = [], keptStrides: number[] = [], redShape: number[] = [], redStrides: number[] = [];
    for (let d = 0; d < x.shape.length; d++) {
      if (axes.includes(d)) { redShape.push(x.shape[d]); redStrides.push(x.strides[d]); }
      else { keptShape.push(x.shape[d]); keptStrides.push(x.strides[d]); }
    }
    const rit = new RowIter(redShape, [redStrides], [0]);
    // One inner run when the reduced dims collapse to a single strided run; else an offset table.
    const single = rit.rows <= 1;
    const rs = rit.innerStrides[0], rn = rit.inner;
    const table = single ? null : offsetTable(redShape, redStrides);
    const kit = new RowIter(keptShape, [keptStrides], [x.offset]);
    let p = 0;
    for (let r = 0; r < kit.rows; r++, kit.next()) {
      const ks = kit.innerStrides[0];
      for (let i = 0; i < kit.inner; i++) {
        const base = kit.offs[0] + i * ks;
        o[p++] = table ? reduceTable(op, xd, base, table) : reduceRun(op, xd, base, rs, rn);
      }
    }
  }

  cumsum(x: View, dim: number, out: Storage): void {
    const xd = dataOf(x.buf), o = dataOf(out);
    const n = x.shape[dim], s = x.strides[dim], os = contiguousStrides(x.shape)[dim];
    const outerShape = x.shape.slice(), outerStrides = x.strides.slice(), oStrides = contiguousStrides(x.shape);
    outerShape[dim] = 1;
    const it = new RowIter(outerShape, [outerStrides, oStrides], [x.offset, 0]);
    const [ss, so] = it.innerStrides;
    for (let r = 0; r < it.rows; r++, it.next()) {
      for (let i = 0; i < it.inner; i++) {
        let acc = 0, xi = it.offs[0] + i * ss, oi = it.offs[1] + i * so;
        for (let k = 0; k < n; k++, xi += s, oi += os) { acc += xd[xi]; o[oi] = acc; }
      }
    }
  }

  // ---- linear algebra ----
  matmul(a: View, b: View, out: Storage): void {
    const r = a.shape.length;
    const m = a.shape[r - 2], k = a.shape[r - 1], n = b.shape[r - 1];
    const ad = dataOf(a.buf), bd = dataOf(b.buf), o = dataOf(out);
    const batchShape = a.shape.slice(0, r - 2);
    const batches = sizeOf(batchShape);
    const ta = offsetTable(batchShape, a.strides.slice(0, r - 2), a.offset);
    const tb = offsetTable(batchShape, b.strides.slice(0, r - 2), b.offset);
    for (let bi = 0; bi < batches; bi++) {
      gemm(ad, ta[bi], a.strides[r - 2], a.strides[r - 1], bd, tb[bi], b.strides[r - 2], b.strides[r - 1], o, bi * m * n, m, k, n);
    }
  }

  // ---- indexing ----
  gather(x: View, dim: number, index: View, out: Storage): void {
    const xd = dataOf(x.buf), id = dataOf(index.buf), o = dataOf(out);
    const size = x.shape[dim], sdim = x.strides[dim];
    const xStrides = x.strides.slice();
    xStrides[dim] = 0;
    const it = new RowIter(index.shape, [index.strides, xStrides, contiguousStrides(index.shape)], [index.offset, x.offset, 0]);
    const [si, sx] = it.innerStrides;
    for (let r = 0; r < it.rows; r++, it.next()) {
      let ii = it.offs[0], xi = it.offs[1], p = it.offs[2];
      for (let i = 0; i < it.inner; i++, ii += si, xi += sx) {
        let j = id[ii];
        if (j < 0) j += size;
        if (!(j >= 0 && j < size)) throw new ShapeError(`gather: index ${id[ii]} is out of range for dimension ${dim} with size ${size}`);
        o[p++] = xd[xi + j * sdim];
      }
    }
  }

  scatterAdd(target: Storage, targetShape: readonly number[], dim: number, index: View, src: View): void {
    const td = dataOf(target), id = dataOf(index.buf), sd = dataOf(src.buf);
    const tStrides = contiguousStrides(targetShape), size = targetShape[dim], tdim = tStrides[dim];
    tStrides[dim] = 0;
    const it = new RowIter(index.shape, [index.strides, src.strides, tStrides], [index.offset, src.offset, 0]);
    const [si, ss, st] = it.innerStrides;
    for (let r = 0; r < it.rows; r++, it.next()) {
      let ii = it.offs[0], s = it.offs[1], t = it.offs[2];
      for (let i = 0; i < it.inner; i++, ii += si, s += ss, t += st) {
        let j = id[ii];
        if (j < 0) j += size;
        if (!(j >= 0 && j < size)) throw new ShapeError(`scatterAdd: index ${id[ii]} is out of range for dimension ${dim} with size ${size}`);
        td[t + j * tdim] += sd[s];
      }
    }
  }

  // ---- convolution and pooling (nn.ts) ----
  conv2d(x: View, w: View, bias: View | null, opts: Conv2dOpts, out: Storage): void {
    nnk.conv2d(contiguousData(x), x.shape, contiguousData(w), w.shape, bias ? contiguousData(bias) : null, opts, dataOf(out));
  }
  conv2dBackward(x: View, w: View, gradOut: View, opts: Conv2dOpts, gx: Storage | null, gw: Storage | null, gb: Storage | null): void {
    nnk.conv2dBackward(contiguousData(x), x.shape, contiguousData(w), w.shape, contiguousData(gradOut), opts,
      gx && dataOf(gx), gw && dataOf(gw), gb && dataOf(gb));
  }
  maxPool2d(x: View, opts: Pool2dOpts, out: Storage, indices: Storage): void {
    nnk.maxPool2d(contiguousData(x), x.shape, opts, dataOf(out), dataOf(indices) as Int32Array);
  }
  maxPool2dBackward(gradOut: View, indices: View, inputShape: readonly number[], gx: Storage): void {
    nnk.maxPool2dBackward(contiguousData(gradOut), gradOut.shape, contiguousData(indices) as Int32Array, inputShape, dataOf(gx));
  }
  avgPool2d(x: View, opts: Pool2dOpts, out: Storage): void {
    nnk.avgPool2d(contiguousData(x), x.shape, opts, dataOf(out));
  }
  avgPool2dBackward(gradOut: View, inputShape: readonly number[], opts: Pool2dOpts, gx: Storage): void {
    nnk.avgPool2dBackward(contiguousData(gradOut), gradOut.shape, inputShape, opts, dataOf(gx));
  }

  // ---- fast paths ----
  softmax(x: View, dim: number, out: Storage, log: boolean): void {
    const shape = x.shape, n = shape[dim];
    const inner = sizeOf(shape.slice(dim + 1)), outer = sizeOf(shape.slice(0, dim));
    nnk.softmax(contiguousData(x), outer, n, inner, dataOf(out), log);
  }

  adamStep(param: Storage, grad: Storage, m: Storage, v: Storage, opts: AdamStepOpts): void {
    nnk.adamStep(dataOf(param), dataOf(grad), dataOf(m), dataOf(v), opts);
  }
}

// ---- element-wise kernels: one per registry op (op_registry.ts); tsc names a missing one ----

type UnaryLoop = (x: TypedArray, o: TypedArray, n: number, p: number, p2: number) => void;

const UNARY_LOOPS: Record<UnaryOp, UnaryLoop> = {
  neg: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = -x[i]; },
  abs: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.abs(x[i]); },
  sign: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.sign(x[i]); },
  exp: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.exp(x[i]); },
  expm1: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.expm1(x[i]); },
  log: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.log(x[i]); },
  log1p: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.log1p(x[i]); },
  sqrt: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.sqrt(x[i]); },
  rsqrt: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = 1 / Math.sqrt(x[i]); },
  square: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = x[i] * x[i]; },
  reciprocal: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = 1 / x[i]; },
  sin: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.sin(x[i]); },
  cos: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.cos(x[i]); },
  tanh: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.tanh(x[i]); },
  sigmoid: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = 1 / (1 + Math.exp(-x[i])); },
  relu: (x, o, n) => { for (let i = 0; i < n; i++) { const v = x[i]; o[i] = v < 0 ? 0 : v; } },  // NaN stays NaN (PyTorch)
  gelu: (x, o, n) => { for (let i = 0; i < n; i++) { const v = x[i]; o[i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2)); } },
  gelu_tanh: (x, o, n) => { for (let i = 0; i < n; i++) { const v = x[i]; o[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))); } },
  silu: (x, o, n) => { for (let i = 0; i < n; i++) { const v = x[i]; o[i] = v / (1 + Math.exp(-v)); } },
  softplus: (x, o, n) => { for (let i = 0; i < n; i++) { const v = x[i]; o[i] = v > 20 ? v : Math.log1p(Math.exp(v)); } },
  erf: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = erf(x[i]); },
  floor: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.floor(x[i]); },
  ceil: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.ceil(x[i]); },
  round: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = roundHalfEven(x[i]); },
  logical_not: (x, o, n) => { for (let i = 0; i < n; i++) o[i] = x[i] ? 0 : 1; },
  leaky_relu: (x, o, n, p) => { for (let i = 0; i < n; i++) { const v = x[i]; o[i] = v > 0 ? v : v * p; } },
  elu: (x, o, n, p) => { for (let i = 0; i < n; i++) { const v = x[i]; o[i] = v > 0 ? v : p * Math.expm1(v); } },
  clamp: (x, o, n, p, p2) => { for (let i = 0; i < n; i++) { const v = x[i]; o[i] = v < p ? p : v > p2 ? p2 : v; } },
  pow_scalar: (x, o, n, p) => {
    if (p === 2) for (let i = 0; i < n; i++) o[i] = x[i] * x[i];
    else for (let i = 0; i < n; i++) o[i] = Math.pow(x[i], p);
  },
};

export function unaryLoop(op: UnaryOp, x: TypedArray, o: TypedArray, n: number, p = 0, p2 = 0): void {
  const loop = UNARY_LOOPS[op];
  if (!loop) throw new Error(`cpu: unknown unary op ${op as string}`);
  loop(x, o, n, p, p2);
}

/** o[oi..oi+n) = a[ai + k*sa] op b[bi + k*sb]. */
type BinaryLoop = (a: TypedArray, ai: number, sa: number, b: TypedArray, bi: number, sb: number, o: TypedArray, oi: number, end: number) => void;

const BINARY_LOOPS: Record<BinaryOp, BinaryLoop> = {
  add: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] + b[bi]; },
  sub: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] - b[bi]; },
  mul: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] * b[bi]; },
  div: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] / b[bi]; },
  pow: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = Math.pow(a[ai], b[bi]); },
  maximum: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) { const x = a[ai], y = b[bi]; o[oi] = x > y || x !== x ? x : y; } },
  minimum: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) { const x = a[ai], y = b[bi]; o[oi] = x < y || x !== x ? x : y; } },
  atan2: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = Math.atan2(a[ai], b[bi]); },
  eq: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] === b[bi] ? 1 : 0; },
  ne: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] !== b[bi] ? 1 : 0; },
  lt: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] < b[bi] ? 1 : 0; },
  le: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] <= b[bi] ? 1 : 0; },
  gt: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] > b[bi] ? 1 : 0; },
  ge: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] >= b[bi] ? 1 : 0; },
  logical_and: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] && b[bi] ? 1 : 0; },
  logical_or: (a, ai, sa, b, bi, sb, o, oi, end) => { for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] || b[bi] ? 1 : 0; },
};

export function binaryRow(op: BinaryOp, a: TypedArray, ai: number, sa: number, b: TypedArray, bi: number, sb: number,
  o: TypedArray, oi: number, n: number): void {
  const loop = BINARY_LOOPS[op];
  if (!loop) throw new Error(`cpu: unknown binary op ${op as string}`);
  loop(a, ai, sa, b, bi, sb, o, oi, oi + n);
}

export function binaryScalarRow(op: BinaryOp, a: TypedArray, ai: number, sa: number, s: number, o: TypedArray, oi: number, n: number): void {
  const end = oi + n;
  switch (op) {
    case "add": for (; oi < end; oi++, ai += sa) o[oi] = a[ai] + s; break;
    case "sub": for (; oi < end; oi++, ai += sa) o[oi] = a[ai] - s; break;
    case "mul": for (; oi < end; oi++, ai += sa) o[oi] = a[ai] * s; break;
    case "div": for (; oi < end; oi++, ai += sa) o[oi] = a[ai] / s; break;
    default: {
      const one = new Float64Array([s]);
      binaryRow(op, a, ai, sa, one, 0, 0, o, oi, n);
    }
  }
}

function reduceRun(op: ReduceOp, x: TypedArray, base: number, s: number, n: number): number {
  let i = base;
  switch (op) {
    case "sum": { let acc = 0; for (let k = 0; k < n; k++, i += s) acc += x[i]; return acc; }
    case "prod": { let acc = 1; for (let k = 0; k < n; k++, i += s) acc *= x[i]; return acc; }
    case "max": { let m = -Infinity; for (let k = 0; k < n; k++, i += s) { const v = x[i]; if (v > m || v !== v) { m = v; if (v !== v) break; } } return m; }
    case "min": { let m = Infinity; for (let k = 0; k < n; k++, i += s) { const v = x[i]; if (v < m || v !== v) { m = v; if (v !== v) break; } } return m; }
    case "argmax": { let m = -Infinity, best = 0; for (let k = 0; k < n; k++, i += s) { const v = x[i]; if (v > m || (v !== v && m === m)) { m = v; best = k; if (v !== v) break; } } return best; }
    case "argmin": { let m = Infinity, best = 0; for (let k = 0; k < n; k++, i += s) { const v = x[i]; if (v < m || (v !== v && m === m)) { m = v; best = k; if (v !== v) break; } } return best; }
  }
}

function reduceTable(op: ReduceOp, x: TypedArray, base: number, t: Int32Array): number {
  const n = t.length;
  switch (op) {
    case "sum": { let acc = 0; for (let k = 0; k < n; k++) acc += x[base + t[k]]; return acc; }
    case "prod": { let acc = 1; for (let k = 0; k < n; k++) acc *= x[base + t[k]]; return acc; }
    case "max": { let m = -Infinity; for (let k = 0; k < n; k++) { const v = x[base + t[k]]; if (v > m || v !== v) { m = v; if (v !== v) break; } } return m; }
    case "min": { let m = Infinity; for (let k = 0; k < n; k++) { const v = x[base + t[k]]; if (v < m || v !== v) { m = v; if (v !== v) break; } } return m; }
    case "argmax": { let m = -Infinity, best = 0; for (let k = 0; k < n; k++) { const v = x[base + t[k]]; if (v > m || (v !== v && m === m)) { m = v; best = k; if (v !== v) break; } } return best; }
    case "argmin": { let m = Infinity, best = 0; for (let k = 0; k < n; k++) { const v = x[base + t[k]]; if (v < m || (v !== v && m === m)) { m = v; best = k; if (v !== v) break; } } return best; }
  }
}
