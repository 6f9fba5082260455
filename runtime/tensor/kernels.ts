// runtime/tensor/kernels.ts
// The thin layer between ops and backends, with no autograd: allocate outputs, check devices and
// dtypes, broadcast operands into Views, call the backend. Ops (ops_*.ts) add gradients on top.

import type { Backend, BinaryOp, DeviceName, ReduceOp, UnaryOp, View } from "./backend";
import { getBackend } from "./backend";
import type { DType, TypedArray } from "./dtype";
import { isFloat, promote } from "./dtype";
import { DeviceError, DTypeError } from "./errors";
import { broadcastShapes, broadcastStrides, contiguousStrides, reducedShape, shapesEqual, sizeOf, type Shape } from "./shape";
import { StorageHandle } from "./memory";
import { BINARY_OPS, writesBool } from "./op_registry";
import { opDispatched } from "./hooks";
import { ScopedSetting } from "./state";
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

/** The result dtype of a binary op on a tensor and a tensor or a JS number (the registry's rule). */
export function binaryDtype(op: BinaryOp, a: DType, b: DType | number): DType {
  const spec = BINARY_OPS[op];
  if (spec.dtype === "bool" || spec.dtype === "logical") return "bool";
  let d: DType = typeof b === "number" ? (!isFloat(a) && !Number.isInteger(b) ? "float32" : a) : promote(a, b);
  if (d === "bool" && !spec.boolStays) d = "int32";
  if (spec.dtype === "float" && !isFloat(d)) d = "float32";
  return d;
}

export function binaryK(op: BinaryOp, name: string, a: Tensor, b: Tensor | number, out?: Tensor): Tensor {
  const backend = a._backend();
  if (typeof b === "number") {
    const dt = out ? out.dtype : binaryDtype(op, a.dtype, b);
    const o = out ?? empty(backend, a.shape, dt);
    const ac = dt !== a.dtype && !writesBool(op) ? castK(a, dt) : a;
    backend.binary(op, ac, b, o.buf);
    if (ac !== a) ac.dispose();
    return o;
  }
  sameDevice(name, a, b);
  const shape = out ? broadcastShapes(name, broadcastShapes(name, a.shape, b.shape), out.shape) : broadcastShapes(name, a.shape, b.shape);
  const dt = out ? out.dtype : binaryDtype(op, a.dtype, b.dtype);
  // Kernels compute in one dtype: bring both operands to the computation dtype first.
  const cdt = writesBool(op) ? (a.dtype === b.dtype ? a.dtype : binaryDtype("add", a.dtype, b.dtype)) : dt;
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
