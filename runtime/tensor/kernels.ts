// runtime/tensor/kernels.ts
// The thin layer between ops and backends, with no autograd: allocate outputs, check devices and
// dtypes, broadcast operands into Views, call the backend. Ops (ops_*.ts, optim/) add gradients on
// top and reach a backend only through here; an optional fast path a backend lacks returns null
// (or false) here, and the op composes core ops instead.

import type { AdamStepOpts, Backend, BinaryOp, Conv2dOpts, DeviceName, Pool2dOpts, ReduceOp, UnaryOp, View } from "./backend";
import { getBackend } from "./backend";
import type { DType, TypedArray } from "./dtype";
import { isFloat, promote } from "./dtype";
import { DeviceError, DTypeError } from "./errors";
import { broadcastShapes, broadcastStrides, contiguousStrides, reducedShape, shapesEqual, sizeOf, type Shape } from "./shape";
import { StorageHandle } from "./memory";
import { BINARY_NAMES, BINARY_OPS, writesBool } from "./op_registry";
import { opDispatched } from "./hooks";
import { ScopedSetting } from "./state";
import * as composed from "./composed";
import { Tensor } from "./tensor";

/** Where creation ops put tensors when no device is named; settleState() (state.ts) ends a
 * withDevice() block an interrupt cut short, and keeps what setDefaultDevice() chose. */
const defaultDevice = new ScopedSetting<DeviceName>("default device", "cpu");
export function setDefaultDevice(device: DeviceName): void { getBackend(device); defaultDevice.set(device); }
export function getDefaultDevice(): DeviceName { return defaultDevice.value; }
/** Run fn with `device` as the default device (PyTorch's `with torch.device(d):`). */
export function withDevice<T>(device: DeviceName, fn: () => T): T { getBackend(device); return defaultDevice.within(device, fn); }

/** A new contiguous tensor with uninitialised storage. */
export function empty(backend: Backend, shape: Shape, dtype: DType): Tensor {
  opDispatched();
  const buf = backend.alloc(sizeOf(shape), dtype);
  return new Tensor(new StorageHandle(backend, buf), shape.slice(), contiguousStrides(shape), 0);
}

export function fromData(data: TypedArray, shape: Shape, dtype: DType, device: DeviceName): Tensor {
  const backend = getBackend(device);
  const t = empty(backend, shape, dtype);
  backend.write(t.buf, data);
  return t;
}

export function full(shape: Shape, value: number, dtype: DType, device: DeviceName): Tensor {
  const backend = getBackend(device);
  const t = empty(backend, shape, dtype);
  backend.fill(t.buf, value);
  return t;
}

export function sameDevice(op: string, a: Tensor, b: Tensor): void {
  if (a.device !== b.device)
    throw new DeviceError(`${op}: operands are on different devices (${a.device}, ${b.device}); move one with .to("${a.device === "cpu" ? b.device : a.device}")`);
}

/** The view of t read as if broadcast to `shape` (stride 0 on broadcast dims). */
export function broadcastView(t: Tensor, shape: Shape): View {
  if (shapesEqual(t.shape, shape)) return t;
  return { buf: t.buf, shape, strides: broadcastStrides(t.shape, t.strides, shape), offset: t.offset };
}

/** dtype of unary math that always yields floats (exp of an int tensor is float32). */
export function floatOf(dtype: DType): DType {
  return isFloat(dtype) ? dtype : "float32";
}

export function unaryK(op: UnaryOp, x: Tensor, outDtype: DType, p?: number, p2?: number, out?: Tensor): Tensor {
  const backend = x._backend();
  const o = out ?? empty(backend, x.shape, outDtype);
  backend.unary(op, x, o.buf, p, p2);
  return o;
}

// The registry's dtype rules as sets: every op asks, so the lookup stays a hashed string test.
const BOOL_OUT = new Set<BinaryOp>(BINARY_NAMES.filter(writesBool));
const FLOAT_OUT = new Set<BinaryOp>(BINARY_NAMES.filter((op) => BINARY_OPS[op].dtype === "float"));
const BOOL_STAYS = new Set<BinaryOp>(BINARY_NAMES.filter((op) => BINARY_OPS[op].boolStays));

/** The result dtype of a binary op on a tensor and a tensor or a JS number (the registry's rule). */
export function binaryDtype(op: BinaryOp, a: DType, b: DType | number): DType {
  if (BOOL_OUT.has(op)) return "bool";
  let d: DType = typeof b === "number" ? (!isFloat(a) && !Number.isInteger(b) ? "float32" : a) : promote(a, b);
  if (d === "bool" && !BOOL_STAYS.has(op)) d = "int32";
  if (!isFloat(d) && FLOAT_OUT.has(op)) d = "float32";
  return d;
}

export function binaryK(op: BinaryOp, name: string, a: Tensor, b: Tensor | number, out?: Tensor): Tensor {
  const backend = a._backend();
  if (typeof b === "number") {
    const dt = out ? out.dtype : binaryDtype(op, a.dtype, b);
    const o = out ?? empty(backend, a.shape, dt);
    const ac = dt !== a.dtype && !BOOL_OUT.has(op) ? castK(a, dt) : a;
    backend.binary(op, ac, b, o.buf);
    if (ac !== a) ac.dispose();
    return o;
  }
  sameDevice(name, a, b);
  const shape = out ? broadcastShapes(name, broadcastShapes(name, a.shape, b.shape), out.shape) : broadcastShapes(name, a.shape, b.shape);
  const dt = out ? out.dtype : binaryDtype(op, a.dtype, b.dtype);
  // Kernels compute in one dtype: bring both operands to the computation dtype first.
  const cdt = BOOL_OUT.has(op) ? (a.dtype === b.dtype ? a.dtype : binaryDtype("add", a.dtype, b.dtype)) : dt;
  const ac = a.dtype === cdt ? a : castK(a, cdt), bc = b.dtype === cdt ? b : castK(b, cdt);
  const o = out ?? empty(backend, shape, dt);
  backend.binary(op, broadcastView(ac, shape), broadcastView(bc, shape), o.buf);
  if (ac !== a) ac.dispose();
  if (bc !== b) bc.dispose();
  return o;
}

export function castK(x: Tensor, dtype: DType): Tensor {
  const backend = x._backend();
  const o = empty(backend, x.shape, dtype);
  backend.copy(x, o.buf);
  return o;
}

export function whereK(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  sameDevice("where", cond, a);
  sameDevice("where", a, b);
  if (cond.dtype !== "bool") throw new DTypeError(`where: condition must be bool, got ${cond.dtype}`, "compare first, e.g. x.gt(0)");
  const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, a.shape), b.shape);
  const dt = binaryDtype("add", a.dtype, b.dtype);
  const ac = a.dtype === dt ? a : castK(a, dt), bc = b.dtype === dt ? b : castK(b, dt);
  const backend = a._backend();
  const o = empty(backend, shape, dt);
  backend.where(broadcastView(cond, shape), broadcastView(ac, shape), broadcastView(bc, shape), o.buf);
  if (ac !== a) ac.dispose();
  if (bc !== b) bc.dispose();
  return o;
}

export function reduceK(op: ReduceOp, x: Tensor, axes: readonly number[], keepdim: boolean, outDtype: DType): Tensor {
  const backend = x._backend();
  const o = empty(backend, reducedShape(x.shape, axes, false), outDtype);
  backend.reduce(op, x, axes, o.buf);
  if (!keepdim) return o;
  const v = o._viewAs(reducedShape(x.shape, axes, true));
  o.dispose();
  return v;
}

/** Write src (broadcast to dst's shape) into the strided window dst, in place. */
export function assignK(dst: Tensor, src: Tensor): void {
  sameDevice("copy_", dst, src);
  const backend = dst._backend();
  const s = src.dtype === dst.dtype ? src : castK(src, dst.dtype);
  if (dst._isWholeStorage()) {
    backend.copy(broadcastView(s, dst.shape), dst.buf);
  } else if (backend.assign) {
    backend.assign(dst, broadcastView(s, dst.shape));
  } else {
    throw new DeviceError(`copy_: writing into a non-contiguous view is not supported on ${dst.device}`, "write into a contiguous tensor, or use the out-of-place op");
  }
  if (s !== src) s.dispose();
  dst._handle.version++;
}

/** relu's backward through the backend's fused fast path (out = g where y > 0, else 0), or null
 * when the backend has none or it declines (the op then composes gt + where). */
export function reluBackwardK(g: Tensor, y: Tensor): Tensor | null {
  const backend = y._backend();
  if (!backend.reluBackward || g._backend() !== backend) return null;
  const o = empty(backend, y.shape, "float32");
  if (backend.reluBackward(y, g, o.buf)) return o;
  o.dispose();
  return null;
}

/** Softmax or log-softmax along `dim` through the backend's fast path, or null without one. */
export function softmaxK(x: Tensor, dim: number, log: boolean): Tensor | null {
  const backend = x._backend();
  if (!backend.softmax) return null;
  const out = empty(backend, x.shape, x.dtype);
  backend.softmax(x, dim, out.buf, log);
  return out;
}

/** Whether t's backend has the fused Adam/AdamW step (Backend.adamStep). */
export function hasAdamStepK(t: Tensor): boolean {
  return t._backend().adamStep !== undefined;
}

/** The fused Adam/AdamW step in place (call only where hasAdamStepK is true): one backend call,
 * and nothing after it but the return, as Backend.adamStep promises its caller. */
export function adamStepK(p: Tensor, grad: Tensor, m: Tensor, v: Tensor, opts: AdamStepOpts): void {
  p._backend().adamStep!(p.buf, grad.buf, m.buf, v.buf, opts);
}

export function cumsumK(x: Tensor, dim: number, out: Tensor): void {
  out._backend().cumsum(x, dim, out.buf);
}

/** Batched matmul of Views already broadcast to [..., m, k] and [..., k, n] into out. */
export function matmulK(a: View, b: View, out: Tensor): void {
  out._backend().matmul(a, b, out.buf);
}

export function gatherK(x: Tensor, dim: number, index: View, out: Tensor): void {
  out._backend().gather(x, dim, index, out.buf);
}

/** target[...index...] += src along dim; target is a whole contiguous tensor. */
export function scatterAddK(target: Tensor, dim: number, index: View, src: View): void {
  target._backend().scatterAdd(target.buf, target.shape, dim, index, src);
}

/** Write src into a strided window of dst's storage, or false when the backend cannot. */
export function assignViewK(dst: Tensor, window: View, src: View): boolean {
  const backend = dst._backend();
  if (!backend.assign) return false;
  backend.assign(window, src);
  return true;
}

export function fillK(x: Tensor, value: number): void {
  x._backend().fill(x.buf, value);
}

// Convolution and pooling: the backend's fast path, else composed from its core (composed.ts).

export function conv2dK(x: Tensor, w: Tensor, bias: Tensor | null, opts: Conv2dOpts, out: Tensor): void {
  const b = out._backend();
  if (b.conv2d) b.conv2d(x, w, bias, opts, out.buf);
  else composed.conv2d(b, x, w, bias, opts, out.buf);
}

/** Whether the backend has a one-call Linear (Backend.linear). */
export function hasLinearK(b: Backend): boolean { return b.linear !== undefined; }

/** x @ wT (+ bias) (then ReLU) in one backend call; false when the backend cannot (the caller
 * then composes matmul, add and relu). */
export function linearK(x: Tensor, wT: Tensor, bias: Tensor | null, relu: boolean, out: Tensor): boolean {
  const b = out._backend();
  return b.linear !== undefined && b.linear(x, wT, bias, relu, out.buf);
}

/** out = a @ b and out2 = c @ d (2-d, float32) in one backend call where the backend has
 * Backend.matmulPair; false when it cannot (the caller then runs two matmuls). */
export function matmulPairK(a: Tensor, b: Tensor, out: Tensor, c: Tensor, d: Tensor, out2: Tensor): boolean {
  const be = out._backend();
  return be.matmulPair !== undefined && be.matmulPair(a, b, out.buf, c, d, out2.buf);
}

/** conv2d then ReLU: fused where the backend has it, else the two kernels, ReLU in place. */
export function conv2dReluK(x: Tensor, w: Tensor, bias: Tensor | null, opts: Conv2dOpts, out: Tensor): void {
  const b = out._backend();
  if (b.conv2dRelu && b.conv2dRelu(x, w, bias, opts, out.buf)) return;
  conv2dK(x, w, bias, opts, out);
  b.unary("relu", out, out.buf);
}

export function conv2dBackwardK(x: Tensor, w: Tensor, g: Tensor, opts: Conv2dOpts, gx: Tensor | null, gw: Tensor | null, gb: Tensor | null): void {
  const b = x._backend();
  if (b.conv2dBackward) b.conv2dBackward(x, w, g, opts, gx && gx.buf, gw && gw.buf, gb && gb.buf);
  else composed.conv2dBackward(b, x, w, g, opts, gx && gx.buf, gw && gw.buf, gb && gb.buf);
}

export function maxPool2dK(x: Tensor, opts: Pool2dOpts, values: Tensor, indices: Tensor): void {
  const b = x._backend();
  if (b.maxPool2d) b.maxPool2d(x, opts, values.buf, indices.buf);
  else composed.maxPool2d(b, x, opts, values.buf, indices.buf);
}

export function maxPool2dBackwardK(g: Tensor, indices: Tensor, gx: Tensor): void {
  const b = g._backend();
  if (b.maxPool2dBackward) b.maxPool2dBackward(g, indices, gx.shape, gx.buf);
  else composed.maxPool2dBackward(b, g, indices, gx.shape, gx.buf);
}

export function avgPool2dK(x: Tensor, opts: Pool2dOpts, out: Tensor): void {
  const b = x._backend();
  if (b.avgPool2d) b.avgPool2d(x, opts, out.buf);
  else composed.avgPool2d(b, x, opts, out.buf);
}

export function avgPool2dBackwardK(g: Tensor, opts: Pool2dOpts, gx: Tensor): void {
  const b = g._backend();
  if (b.avgPool2dBackward) b.avgPool2dBackward(g, gx.shape, opts, gx.buf);
  else composed.avgPool2dBackward(b, g, gx.shape, opts, gx.buf);
}
