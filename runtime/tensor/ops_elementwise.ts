// runtime/tensor/ops_elementwise.ts
// Element-wise ops with their gradients: unary math and activations, broadcasting binary ops,
// where, comparisons, dtype casts, and the in-place forms (which bump the storage version).

import type { BinaryOp, UnaryOp } from "./backend";
import { BINARY_OPS, UNARY_OPS, type BinarySaved } from "./op_registry";
import type { DType, TypedArray } from "./dtype";
import { isFloat } from "./dtype";
import { isGradEnabled, noGrad, record, type BackwardFn, type Node } from "./autograd";
import { AutogradError, DTypeError, ShapeError } from "./errors";
import { assignK, binaryDtype, binaryK, castK, fillK, floatOf, fromData, full, reluBackwardK, sameDevice, unaryK, whereK } from "./kernels";
import { broadcastShapes, formatShape, shapesEqual, type Shape } from "./shape";
import { defaultGenerator } from "./random";
import { scoped } from "./memory";
import { Tensor } from "./tensor";

export function unary(op: UnaryOp, x: Tensor, p?: number, p2?: number): Tensor {
  const spec = UNARY_OPS[op];
  if (spec.dtype === "bool") return unaryK(op, x, "bool");
  const dt = spec.dtype === "keep" && x.dtype !== "bool" ? x.dtype : floatOf(x.dtype);
  const out = unaryK(op, x.dtype === dt ? x : castK(x, dt), dt, p, p2);
  if (!isFloat(dt)) return out;
  const node = record(op, [x], out, unaryBackward, [op, p, p2]);
  if (node) node.save(x, out);
  return out;
}

const unaryBackward: BackwardFn = (g, [x, y], node) => {
  const [op, p, p2] = node.ctx as [UnaryOp, number, number];
  const grad = UNARY_OPS[op].grad;
  if (grad === "zero") return [g.mul(0)];
  if (grad === null) throw new Error(`no gradient for ${op}`);
  if (op === "relu") { const fused = reluGradFused(g, y); if (fused) return [fused]; }
  return [grad(g, x, y, p, p2) as Tensor];
};

/** relu's gradient through the backend's fused fast path (Backend.reluBackward), or null when
 * it has none or it does not apply (the registry's formula then runs). Only taken when no graph is
 * being recorded (a plain backward), since its result has no history. */
function reluGradFused(g: Tensor, y: Tensor): Tensor | null {
  if (isGradEnabled() || g.dtype !== "float32" || y.dtype !== "float32" || !shapesEqual(g.shape, y.shape)) return null;
  return reluBackwardK(g, y);
}

/** relu's gradient from its output y: g where y > 0, else 0 (ops that end in a fused ReLU). */
export function reluGrad(g: Tensor, y: Tensor): Tensor {
  return reluGradFused(g, y) ?? g.where(y.gt(0), 0);
}

export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if ((min === undefined || min === null) && (max === undefined || max === null))
    throw new ShapeError("clamp: at least one of min and max must be given");
  return unary("clamp", x, min ?? -Infinity, max ?? Infinity);
}

// ---- binary ----

export function add(a: Tensor, b: Tensor | number, alpha = 1): Tensor {
  if (alpha !== 1) b = typeof b === "number" ? b * alpha : mul(b, alpha);
  return binary("add", "add", a, b);
}
export function sub(a: Tensor, b: Tensor | number, alpha = 1): Tensor {
  if (alpha !== 1) b = typeof b === "number" ? b * alpha : mul(b, alpha);
  return binary("sub", "sub", a, b);
}
export function mul(a: Tensor, b: Tensor | number): Tensor { return binary("mul", "mul", a, b); }
export function div(a: Tensor, b: Tensor | number): Tensor { return binary("div", "div", a, b); }
export function maximum(a: Tensor, b: Tensor): Tensor { return binary("maximum", "maximum", a, b); }
export function minimum(a: Tensor, b: Tensor): Tensor { return binary("minimum", "minimum", a, b); }

export function pow(a: Tensor, b: Tensor | number): Tensor {
  if (typeof b === "number") return unary("pow_scalar", a, b);
  return binary("pow", "pow", a, b);
}

/** Any registry binary op by name, with its gradient (the contract tests iterate the registry). */
export function binaryOp(op: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
  return binary(op, op, a, b);
}

function binary(op: BinaryOp, name: string, a: Tensor, b: Tensor | number): Tensor {
  const out = binaryK(op, name, a, b);
  if (!isFloat(out.dtype)) return out;
  if (typeof b === "number") {
    record(name, [a], out, scalarBackward, [op, b]);
    return out;
  }
  const node = record(name, [a, b], out, binaryBackward, op);
  if (node) saveForBackward(node, op, a, b, out);
  return out;
}

/** Save what the registry says op's gradient reads (kept out of binary(), which every op runs). */
function saveForBackward(node: Node, op: BinaryOp, a: Tensor, b: Tensor, y: Tensor): void {
  const saves = BINARY_OPS[op].saves;
  if (!saves) return;
  const pick = (k: keyof BinarySaved): Tensor => (k === "a" ? a : k === "b" ? b : y);
  if (saves.length === 1) node.save(pick(saves[0]));
  else if (saves.length === 2) node.save(pick(saves[0]), pick(saves[1]));
  else node.save(pick(saves[0]), pick(saves[1]), pick(saves[2]));
}

const scalarBackward: BackwardFn = (g, _saved, node) => {
  const [op, s] = node.ctx as [BinaryOp, number];
  const grad = BINARY_OPS[op].scalarGrad;
  if (!grad) throw new Error(`no gradient for ${op} with a scalar`);
  return [grad(g, s) as Tensor];
};

/** Sum a broadcast gradient back down to `shape`. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length, axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const s = axes.length ? g.sum(axes) : g;
  return s.reshape(shape);
}

const binaryBackward: BackwardFn = (g, saved, node) => {
  const op = node.ctx as BinaryOp, [sa, sb] = node.shapes;
  const spec = BINARY_OPS[op];
  if (!spec.grad) throw new Error(`no gradient for ${op}`);
  const s = { a: undefined, b: undefined, y: undefined } as unknown as BinarySaved;
  spec.saves?.forEach((k, i) => { s[k] = saved[i]; });
  const need0 = node.needs(0), need1 = node.needs(1);
  const [ga, gb] = spec.grad(g, s, [need0, need1]) as [Tensor | null, Tensor | null];
  return [need0 && ga ? sumTo(ga, sa) : null, need1 && gb ? sumTo(gb, sb) : null];
};

// ---- where, comparisons, casts ----

function scalarLike(v: number, like: Tensor): Tensor {
  return full([], v, Number.isInteger(v) || isFloat(like.dtype) ? like.dtype : "float32", like.device);
}

/** torch.where(condition, a, b): a where condition is true, else b. */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  if (!(cond instanceof Tensor)) throw new DTypeError(`where: condition must be a bool tensor, got ${typeof cond}`, "torch.where(cond, a, b) or a.where(cond, b)");
  if (typeof a === "number" && typeof b === "number") a = full([], a, "float32", cond.device);
  const at = typeof a === "number" ? scalarLike(a, b as Tensor) : a;
  const bt = typeof b === "number" ? scalarLike(b, at) : b;
  const out = whereK(cond, at, bt);
  if (!isFloat(out.dtype)) return out;
  const node = record("where", [at, bt], out, whereBackward);
  if (node) node.save(cond);
  return out;
}

const whereBackward: BackwardFn = (g, [cond], node) => {
  const [sa, sb] = node.shapes;
  return [node.needs(0) ? sumTo(where(cond, g, 0), sa) : null, node.needs(1) ? sumTo(where(cond, 0, g), sb) : null];
};

export function compare(op: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
  return binaryK(op, op, a, b);
}

export function logicalNot(x: Tensor): Tensor {
  return unary("logical_not", x);
}

/** Convert dtype; differentiable between float dtypes. */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = castK(x, dtype);
  if (isFloat(dtype) && isFloat(x.dtype)) record("to", [x], out, castBackward, x.dtype);
  return out;
}

const castBackward: BackwardFn = (g, _s, node) => [g.to(node.ctx as DType)];

export function fullLike(x: Tensor, value: number, dtype: DType = x.dtype): Tensor {
  return full(x.shape, value, dtype, x.device);
}

export function itemOf(t: Tensor, data: TypedArray): number {
  if (data.length !== 1) throw new ShapeError(`item: only a one-element tensor converts to a number; this one has shape ${formatShape(t.shape)}`, "reduce first (t.sum(), t.mean()) or read all values with toArray()");
  return data[0];
}

// ---- in place ----

function checkInPlace(x: Tensor, name: string): boolean {
  if (!isGradEnabled()) return false;
  if (x.requiresGrad && x.gradFn === null)
    throw new AutogradError(`${name}: a leaf tensor that requires grad is being used in an in-place operation`,
      "wrap the update in torch.noGrad(() => ...), or use the out-of-place op");
  // NOTE: PyTorch rebases the base tensor's history after writing through a view; we do not, so
  // refuse rather than return wrong gradients.
  if (x._diffView)
    throw new AutogradError(`${name}: in-place operation on a view of a tensor that requires grad`,
      "build the result out of place (torch.cat, torch.where, F.pad) or clone() the view first");
  return true;
}

/**
 * Run an in-place op: when grad is recorded, compute out of place, write the result into x and
 * give x the result's history; otherwise write straight into x's storage where the layout allows.
 */
export function inplace<T extends Tensor>(x: T, compute: () => Tensor, fast?: BinaryOp, other?: Tensor | number, alpha = 1): T {
  if (other instanceof Tensor && !shapesEqual(broadcastShapes(`${fast ?? "op"}_`, x.shape, other.shape), x.shape))
    throw new ShapeError(`${fast ?? "op"}_: the result of shape ${formatShape(broadcastShapes(fast ?? "op", x.shape, other.shape))} does not fit in place into a tensor of shape ${formatShape(x.shape)}`);
  const recording = checkInPlace(x, `${fast ?? "in-place op"}_`);
  if (recording && (x.requiresGrad || (other instanceof Tensor && other.requiresGrad))) {
    const r = scoped(compute);
    noGrad(() => assignK(x, r));
    x.gradFn = r.gradFn;
    x.requiresGrad = r.requiresGrad;
    r.dispose();
    return x;
  }
  if (fast && other !== undefined && alpha === 1 && x._isWholeStorage() && binaryDtype(fast, x.dtype, other instanceof Tensor ? other.dtype : other) === x.dtype
    && (!(other instanceof Tensor) || other.dtype === x.dtype)) {
    if (other instanceof Tensor) sameDevice(`${fast}_`, x, other);
    binaryK(fast, `${fast}_`, x, other, x);
    x._handle.version++;
    return x;
  }
  const r = noGrad(() => scoped(compute));
  assignK(x, r);
  r.dispose();
  return x;
}

export function fillInPlace<T extends Tensor>(x: T, value: number): T {
  if (checkInPlace(x, "fill_") && x.gradFn) { x.gradFn = null; x.requiresGrad = false; }
  if (x._isWholeStorage()) { fillK(x, value); x._handle.version++; }
  else { const v = full([], value, x.dtype, x.device); assignK(x, v); v.dispose(); }
  return x;
}

export function copyInPlace<T extends Tensor>(x: T, src: Tensor): T {
  broadcastShapes("copy_", src.shape, x.shape);
  if (checkInPlace(x, "copy_") && (x.requiresGrad || src.requiresGrad))
    return inplace(x, () => src.to({ dtype: x.dtype, device: x.device }).expand(x.shape).mul(1));
  const s = src.device === x.device ? src : src.to(x.device);
  assignK(x, s);
  return x;
}

export function randomInPlace<T extends Tensor>(x: T, kind: "uniform" | "normal", a: number, b: number): T {
  if (!isFloat(x.dtype)) throw new DTypeError(`${kind}_: needs a floating-point tensor, got ${x.dtype}`);
  if (checkInPlace(x, `${kind}_`) && x.gradFn) { x.gradFn = null; x.requiresGrad = false; }
  const host = x.dtype === "float64" ? new Float64Array(x.numel()) : new Float32Array(x.numel());
  if (kind === "uniform") defaultGenerator.fillUniform(host, a, b);
  else defaultGenerator.fillNormal(host, a, b);
  const src = fromData(host, x.shape, x.dtype, x.device);
  assignK(x, src);
  src.dispose();
  return x;
}
