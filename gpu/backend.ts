// gpu/backend.ts
// WebGpuBackend: the Backend contract (runtime/tensor/backend.ts) on a WebGPU device. Memory,
// element-wise ops, reductions, matmul and indexing live here; conv, pooling, softmax and Adam in
// nn_ops.ts. Each op collapses its View's dims, picks a cached pipeline for
// (op, dtypes, rank, contiguity) and records one dispatch; nothing runs until a read or sync()
// (queue.ts). float32, int32 and bool (as u32) are supported; float64 is a DTypeError.
/// <reference types="@webgpu/types" />

import {
  Scratch, type AdamStepOpts, type Backend, type BinaryOp, type Conv2dOpts, type DType, type Pool2dOpts, type ReduceOp,
  type Storage, type TypedArray, type UnaryOp, type View,
} from "../runtime/tensor/backend";
import { DTypeError, DeviceError } from "../runtime/tensor/errors";
import { collapse, contiguousStrides, isLinear, linesAlong, sizeOf } from "../runtime/tensor/shape";
import { BufferPool, ELEMENT_BYTES, GpuStorage } from "./buffers";
import type { GpuContext } from "./device";
import * as nn from "./nn_ops";
import { KernelSource, Pipeline, PipelineCache } from "./pipelines";
import { CommandQueue, Params } from "./queue";
import { storageType } from "./wgsl/common";
import { ElementwiseSpec, Operand, elementwiseKernel, elementwiseKey, fillKernel } from "./wgsl/elementwise";
import { INDEX_WG, gatherKernel, scatterAddKernel } from "./wgsl/index";
import { matmulKernel, matmulKey, pickTile } from "./wgsl/matmul";
import { REDUCE_WG, TREE_THRESHOLD, cumsumKernel, reduceKernel, reduceKey } from "./wgsl/reduce";

let generations = 0;

export class WebGpuBackend implements Backend {
  readonly name = "webgpu" as const;
  readonly pool: BufferPool;
  readonly queue: CommandQueue;
  readonly pipelines: PipelineCache;
  readonly generation = ++generations;
  private readonly deviceAtCreation: GPUDevice;
  private readonly scratch = new Scratch<GpuStorage>();
  private readonly freeStorage = (s: GpuStorage): void => this.free(s);

  constructor(readonly ctx: GpuContext) {
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.pool = new BufferPool(ctx.device, usage);
    this.queue = new CommandQueue(ctx.device, this.pool);
    this.pipelines = new PipelineCache(ctx.device);
    this.deviceAtCreation = ctx.device;
  }

  // ---- plumbing shared with nn_ops.ts ----

  /** Throws the device-lost error, or the first validation error the driver reported. */
  check(): void {
    if (this.ctx.lost) throw this.ctx.lost;
    if (this.ctx.device !== this.deviceAtCreation) {
      throw new DeviceError("webgpu: this backend's device was replaced by reacquire(); its tensors are gone",
        "recreate tensors after torch.webgpu.reacquire()");
    }
    const e = this.ctx.pendingError;
    if (e) { this.ctx.pendingError = null; throw e; }
  }

  gs(s: Storage, what = "tensor"): GpuStorage {
    if (!(s instanceof GpuStorage)) throw new DeviceError(`webgpu: ${what} is not webgpu memory (got ${(s as object)?.constructor?.name})`);
    if (s.freed) throw new DeviceError(`webgpu: ${what} was used after free()`);
    if (s.generation !== this.generation) throw new DeviceError("webgpu: tensor belongs to a previous device; recreate it");
    return s;
  }

  pipeline(key: string, build: () => KernelSource): Pipeline {
    return this.pipelines.get(key, build);
  }

  run(p: Pipeline, storages: GpuStorage[], params: Params, threads: number): void {
    this.queue.dispatch(p, storages, params, this.queue.grid(threads, p.source.workgroupSize));
  }

  /** A read-only input must not be the buffer an op writes: give it a contiguous copy then. */
  unalias(v: View, outs: (Storage | null)[], temps: GpuStorage[]): View {
    if (!outs.includes(v.buf)) return v;
    const t = this.temp(sizeOf(v.shape), v.buf.dtype);
    temps.push(t);
    this.copy(v, t);
    return { buf: t, shape: v.shape, strides: contiguousStrides(v.shape), offset: 0 };
  }

  /** A scratch storage for one op; the op gives it back with freeTemps(), settle() if it was cut short. */
  temp(length: number, dtype: DType): GpuStorage {
    return this.scratch.take(this.alloc(length, dtype) as GpuStorage);
  }

  freeTemps(temps: readonly GpuStorage[]): void {
    for (const t of temps) this.scratch.give(t, this.freeStorage);
  }

  /** After an interrupt or an error: give back scratch storages and staging buffers an op left
   * checked out, and submit the work recorded so far (each recorded op is whole, and the engine
   * counts it as done: a fused Adam step of one parameter, say). Reads in flight go on. */
  settle(): void {
    this.scratch.settle(this.freeStorage);
    if (!this.ctx.lost) this.queue.settle();
  }

  // ---- memory ----

  alloc(length: number, dtype: DType): Storage {
    this.check();
    storageType(dtype);
    const bytes = Math.max(1, length) * ELEMENT_BYTES;
    const max = this.ctx.device.limits.maxStorageBufferBindingSize;
    if (bytes > max) {
      throw new DeviceError(`webgpu: a tensor of ${length} elements (${(bytes / 2 ** 20).toFixed(0)} MiB) exceeds this adapter's ` +
        `largest storage binding (${(max / 2 ** 20).toFixed(0)} MiB)`, 'split it, or keep it on device "cpu"');
    }
    const { buffer, capacity } = this.pool.acquire(bytes);
    return new GpuStorage(length, dtype, buffer, capacity, this.generation);
  }

  free(buf: Storage): void {
    const s = buf as GpuStorage;
    if (!(s instanceof GpuStorage) || s.freed || s.generation !== this.generation) return;
    s.freed = true;
    this.pool.release(s.buffer, s.capacity);
  }

  write(buf: Storage, data: TypedArray): void {
    this.check();
    const s = this.gs(buf);
    if (data instanceof Float64Array) throw new DTypeError("webgpu: write: float64 data cannot be stored (WGSL has no 64-bit floats)");
    if (data.length > s.length) throw new DeviceError(`webgpu: write: ${data.length} values do not fit a storage of ${s.length}`);
    if (data.length === 0) return;
    const words = s.dtype === "bool" ? Uint32Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0))
      : s.dtype === "float32" && !(data instanceof Float32Array) ? Float32Array.from(data)
      : s.dtype === "int32" && !(data instanceof Int32Array) ? Int32Array.from(data)
      : data;
    this.queue.write(s, words, data.length * ELEMENT_BYTES);
  }

  async read(buf: Storage): Promise<TypedArray> {
    this.check();
    const s = this.gs(buf);
    const bytes = await this.queue.read(s, Math.max(1, s.length) * ELEMENT_BYTES);
    this.check();
    switch (s.dtype) {
      case "float32": return new Float32Array(bytes, 0, s.length);
      case "int32": return new Int32Array(bytes, 0, s.length);
      default: return Uint8Array.from(new Uint32Array(bytes, 0, s.length), (v) => (v ? 1 : 0));
    }
  }

  async sync(): Promise<void> {
    this.check();
    await this.queue.sync();
    this.check();
  }

  memory(): { buffers: number; bytes: number } {
    return { buffers: this.pool.liveBuffers, bytes: this.pool.liveBytes };
  }

  fill(out: Storage, value: number): void {
    this.check();
    const o = this.gs(out);
    const params = new Params().u32(o.length);
    if (o.dtype === "float32") params.f32(value);
    else if (o.dtype === "int32") params.i32(Math.trunc(value));
    else params.u32(value ? 1 : 0);
    this.run(this.pipeline("fill", fillKernel), [o], params, o.length);
  }

  copy(x: View, out: Storage): void {
    this.elementwise({ kind: "copy", out: out.dtype, inputs: [op(x)], rank: 0 }, [x], out);
  }

  assign(dst: View, src: View): void {
    this.check();
    const temps: GpuStorage[] = [];
    src = this.unalias(src, [dst.buf], temps);
    const o = this.gs(dst.buf, "destination");
    const n = sizeOf(dst.shape);
    if (n === 0) return;
    const l = collapse(dst.shape, [dst.strides, src.strides]);
    const spec: ElementwiseSpec = { kind: "assign", out: dst.buf.dtype, rank: l.shape.length, outContiguous: isLinear(l, 0),
      inputs: [{ dtype: src.buf.dtype, contiguous: isLinear(l, 1), alias: false }] };
    const params = new Params().u32(n, ...l.shape, src.offset, ...l.strides[1], dst.offset, ...l.strides[0]);
    this.run(this.pipeline(elementwiseKey(spec), () => elementwiseKernel(spec)), [o, this.gs(src.buf)], params, n);
    this.freeTemps(temps);
  }

  // ---- element-wise ----

  /** Collapse dims, encode [n, shape, (offset, strides) per input, scalars], dispatch. */
  private elementwise(spec: ElementwiseSpec, views: View[], out: Storage, scalars?: (p: Params) => void): void {
    this.check();
    const o = this.gs(out, "output");
    const shape = views[0].shape;
    const n = sizeOf(shape);
    if (n === 0) return;
    const l = collapse(shape, [contiguousStrides(shape), ...views.map((v) => v.strides)]);
    const rank = l.shape.length;
    const inputs = views.map((v, k): Operand => ({ dtype: v.buf.dtype, contiguous: isLinear(l, k + 1), alias: v.buf === out }));
    const full = { ...spec, rank, inputs } as ElementwiseSpec;
    const params = new Params().u32(n, ...l.shape);
    views.forEach((v, k) => params.u32(v.offset, ...l.strides[k + 1]));
    scalars?.(params);
    const storages = [o, ...views.filter((v) => v.buf !== out).map((v) => this.gs(v.buf))];
    this.run(this.pipeline(elementwiseKey(full), () => elementwiseKernel(full)), storages, params, n);
  }

  unary(opName: UnaryOp, x: View, out: Storage, param = 0, param2 = 0): void {
    this.elementwise({ kind: "unary", op: opName, out: out.dtype, inputs: [op(x)], rank: 0 }, [x], out,
      (p) => p.f32(param).f32(param2));
  }

  binary(opName: BinaryOp, a: View, b: View | number, out: Storage): void {
    if (typeof b !== "number") {
      this.elementwise({ kind: "binary", op: opName, out: out.dtype, inputs: [op(a), op(b)], rank: 0 }, [a, b], out);
      return;
    }
    const scalar = a.buf.dtype === "float32" || out.dtype === "float32" || !Number.isInteger(b) ? "f32" : "i32";
    this.elementwise({ kind: "binary", op: opName, out: out.dtype, inputs: [op(a)], rank: 0, scalar }, [a], out,
      (p) => (scalar === "f32" ? p.f32(b) : p.i32(b)));
  }

  where(cond: View, a: View, b: View, out: Storage): void {
    this.elementwise({ kind: "where", out: out.dtype, inputs: [op(cond), op(a), op(b)], rank: 0 }, [cond, a, b], out);
  }

  // ---- reductions ----

  reduce(opName: ReduceOp, x: View, axes: readonly number[], out: Storage): void {
    this.check();
    const temps: GpuStorage[] = [];
    x = this.unalias(x, [out], temps);
    const o = this.gs(out, "output");
    const keep = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
    const k = collapse(keep.map((d) => x.shape[d]), [keep.map((d) => x.strides[d])]);
    const r = collapse(axes.map((d) => x.shape[d]), [axes.map((d) => x.strides[d])]);
    const nk = sizeOf(k.shape);
    const nr = sizeOf(r.shape);
    if (nk === 0) return;
    const spec = { op: opName, x: x.buf.dtype, out: out.dtype, keptRank: k.shape.length, reducedRank: r.shape.length, tree: nr >= TREE_THRESHOLD };
    const params = new Params().u32(nk, nr, x.offset, ...k.shape, ...k.strides[0], ...r.shape, ...r.strides[0]);
    const p = this.pipeline(reduceKey(spec), () => reduceKernel(spec));
    const groups = spec.tree ? this.queue.grid(nk, 1) : this.queue.grid(nk, REDUCE_WG);
    this.queue.dispatch(p, [o, this.gs(x.buf)], params, groups);
    this.freeTemps(temps);
  }

  cumsum(x: View, dim: number, out: Storage): void {
    this.check();
    const temps: GpuStorage[] = [];
    x = this.unalias(x, [out], temps);
    const o = this.gs(out, "output");
    const { layout: l, lines, outStride } = linesAlong(x.shape, x.strides, dim);
    if (lines === 0 || x.shape[dim] === 0) return;
    const rank = l.shape.length;
    const params = new Params().u32(lines, x.shape[dim], x.offset, x.strides[dim], outStride, ...l.shape, ...l.strides[0], ...l.strides[1]);
    const p = this.pipeline(`cumsum|${x.buf.dtype}|${out.dtype}|r${rank}`, () => cumsumKernel(x.buf.dtype, out.dtype, rank));
    this.run(p, [o, this.gs(x.buf)], params, lines);
    this.freeTemps(temps);
  }

  // ---- linear algebra ----

  matmul(a: View, b: View, out: Storage): void {
    this.check();
    const temps: GpuStorage[] = [];
    a = this.unalias(a, [out], temps);
    b = this.unalias(b, [out], temps);
    const o = this.gs(out, "output");
    const ra = a.shape.length, rb = b.shape.length;
    const m = a.shape[ra - 2], k = a.shape[ra - 1], n = b.shape[rb - 1];
    const br = Math.max(ra, rb) - 2;
    const batchShape: number[] = [], aBs: number[] = [], bBs: number[] = [];
    for (let d = 0; d < br; d++) {
      const da = d - (br - (ra - 2)), db = d - (br - (rb - 2));
      const sa = da >= 0 ? a.shape[da] : 1, sb = db >= 0 ? b.shape[db] : 1;
      batchShape.push(Math.max(sa, sb));
      aBs.push(da >= 0 && sa !== 1 ? a.strides[da] : 0);
      bBs.push(db >= 0 && sb !== 1 ? b.strides[db] : 0);
    }
    const l = collapse(batchShape, [aBs, bBs]);
    const batch = sizeOf(l.shape);
    if (batch === 0 || m === 0 || n === 0) return;
    if (k === 0) { this.fill(o, 0); return; }
    const tile = pickTile(m, n);
    const rank = l.shape.length;
    const key = matmulKey(a.buf.dtype, b.buf.dtype, out.dtype, tile);
    const p = this.pipeline(key, () => matmulKernel(a.buf.dtype, b.buf.dtype, out.dtype, tile));
    const params = new Params().u32(m, n, k, a.offset, a.strides[ra - 2], a.strides[ra - 1], b.offset, b.strides[rb - 2], b.strides[rb - 1],
      rank, ...l.shape, ...l.strides[0], ...l.strides[1]);
    if (batch > 65535) throw new DeviceError(`webgpu: matmul: a batch of ${batch} exceeds 65535 matrices per call`);
    this.queue.dispatch(p, [o, this.gs(a.buf), this.gs(b.buf)], params, [Math.ceil(n / tile.BN), Math.ceil(m / tile.BM), batch]);
    this.freeTemps(temps);
  }

  // ---- indexing ----

  gather(x: View, dim: number, index: View, out: Storage): void {
    this.check();
    const temps: GpuStorage[] = [];
    x = this.unalias(x, [out], temps);
    index = this.unalias(index, [out], temps);
    if (index.buf.dtype !== "int32") throw new DTypeError(`gather: index must be int32, got ${index.buf.dtype}`);
    const o = this.gs(out, "output");
    const n = sizeOf(index.shape);
    if (n === 0) return;
    const rank = index.shape.length;
    const xs = x.strides.map((s, d) => (d === dim ? 0 : s));
    const params = new Params().u32(n, ...index.shape, x.offset, ...xs, index.offset, ...index.strides, x.strides[dim], x.shape[dim]);
    const p = this.pipeline(`gather|${out.dtype}|r${rank}`, () => gatherKernel(out.dtype, rank));
    this.queue.dispatch(p, [o, this.gs(x.buf), this.gs(index.buf)], params, this.queue.grid(n, INDEX_WG));
    this.freeTemps(temps);
  }

  scatterAdd(target: Storage, targetShape: readonly number[], dim: number, index: View, src: View): void {
    this.check();
    const temps: GpuStorage[] = [];
    index = this.unalias(index, [target], temps);
    src = this.unalias(src, [target], temps);
    if (index.buf.dtype !== "int32") throw new DTypeError(`scatterAdd: index must be int32, got ${index.buf.dtype}`);
    if (target.dtype !== "float32" && target.dtype !== "int32")
      throw new DTypeError(`scatterAdd: webgpu adds into float32 or int32 only, got ${target.dtype}`);
    const t = this.gs(target, "target");
    const n = sizeOf(index.shape);
    if (n === 0) return;
    const rank = index.shape.length;
    const ts = contiguousStrides(targetShape);
    const tsz = ts.map((s, d) => (d === dim ? 0 : s));
    let s = src;
    if (src.buf.dtype !== target.dtype) {
      const c = this.temp(sizeOf(src.shape), target.dtype);
      temps.push(c);
      this.copy(src, c);
      s = { buf: c, shape: src.shape, strides: contiguousStrides(src.shape), offset: 0 };
    }
    const params = new Params().u32(n, ...index.shape, 0, ...tsz, index.offset, ...index.strides, s.offset, ...s.strides,
      ts[dim], targetShape[dim]);
    const p = this.pipeline(`scatter_add|${target.dtype}|r${rank}`, () => scatterAddKernel(target.dtype, rank));
    this.queue.dispatch(p, [t, this.gs(index.buf), this.gs(s.buf)], params, this.queue.grid(n, INDEX_WG));
    this.freeTemps(temps);
  }

  // ---- conv, pooling, softmax, Adam (nn_ops.ts) ----

  conv2d(x: View, w: View, bias: View | null, opts: Conv2dOpts, out: Storage): void {
    nn.conv2d(this, x, w, bias, opts, out);
  }
  conv2dBackward(x: View, w: View, gradOut: View, opts: Conv2dOpts, gx: Storage | null, gw: Storage | null, gb: Storage | null): void {
    nn.conv2dBackward(this, x, w, gradOut, opts, gx, gw, gb);
  }
  maxPool2d(x: View, opts: Pool2dOpts, out: Storage, indices: Storage): void {
    nn.maxPool2d(this, x, opts, out, indices);
  }
  maxPool2dBackward(gradOut: View, indices: View, inputShape: readonly number[], gx: Storage): void {
    nn.maxPool2dBackward(this, gradOut, indices, inputShape, gx);
  }
  avgPool2d(x: View, opts: Pool2dOpts, out: Storage): void {
    nn.avgPool2d(this, x, opts, out);
  }
  avgPool2dBackward(gradOut: View, inputShape: readonly number[], opts: Pool2dOpts, gx: Storage): void {
    nn.avgPool2dBackward(this, gradOut, inputShape, opts, gx);
  }
  softmax(x: View, dim: number, out: Storage, log: boolean): void {
    nn.softmax(this, x, dim, out, log);
  }
  adamStep(param: Storage, grad: Storage, m: Storage, v: Storage, opts: AdamStepOpts): void {
    nn.adamStep(this, param, grad, m, v, opts);
  }
}

/** Operand placeholder; elementwise() fills contiguity and aliasing after collapsing. */
function op(v: View): Operand {
  return { dtype: v.buf.dtype, contiguous: false, alias: false };
}
