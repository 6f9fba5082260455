// runtime/tensor/ops_linalg.ts
// matmul in all its broadcasting forms (1-D, batched, broadcast batch dims) and linear. Transposed
// operands reach the backend as Views with swapped strides: GEMM takes them as flags, no copy.

import { isFloat, promote } from "./dtype";
import { isGradEnabled, record, type BackwardFn } from "./autograd";
import { DTypeError, ShapeError } from "./errors";
import { broadcastShapes, formatShape } from "./shape";
import { broadcastView, castK, empty, hasLinearK, linearK, matmulK, matmulPairK, sameDevice } from "./kernels";
import type { Tensor } from "./tensor";
import * as E from "./ops_elementwise";

export function matmul(a: Tensor, b: Tensor): Tensor {
  sameDevice("matmul", a, b);
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: both arguments need at least 1 dimension, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`, "use mul() for scalars");
  if (!isFloat(a.dtype) || !isFloat(b.dtype)) throw new DTypeError(`matmul: expects floating-point tensors, got ${a.dtype} and ${b.dtype}`, "convert with .float()");
  const ka = a.shape[a.ndim - 1], kb = b.shape[b.ndim === 1 ? 0 : b.ndim - 2];
  if (ka !== kb) throw new ShapeError(`matmul: cannot multiply ${formatShape(a.shape)} by ${formatShape(b.shape)} (inner dimensions ${ka} != ${kb})`);
  if (a.ndim === 1 && b.ndim === 1) return mm(a.unsqueeze(0), b.unsqueeze(1)).reshape([]);
  if (a.ndim === 1) return mm(a.unsqueeze(0), b).squeeze(-2);
  if (b.ndim === 1) return mm(a, b.unsqueeze(1)).squeeze(-1);
  return mm(a, b);
}

/** Both operands have >= 2 dims and matching inner dimensions. */
function mm(a: Tensor, b: Tensor): Tensor {
  const dt = promote(a.dtype, b.dtype);
  const ac = a.dtype === dt ? a : castK(a, dt), bc = b.dtype === dt ? b : castK(b, dt);
  const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const m = a.shape[a.ndim - 2], k = a.shape[a.ndim - 1], n = b.shape[b.ndim - 1];
  const outShape = [...batch, m, n];
  const out = empty(a._backend(), outShape, dt);
  matmulK(broadcastView(ac, [...batch, m, k]), broadcastView(bc, [...batch, k, n]), out);
  if (ac !== a) ac.dispose();
  if (bc !== b) bc.dispose();
  const node = record("matmul", [a, b], out, matmulBackward);
  if (node) node.save(a, b);
  return out;
}

// An operand stored transposed (x = w.t(), as linear() passes its weight) gets its gradient
// computed transposed too, (g^T a)^T instead of a^T g: the same GEMM with the operands swapped,
// whose result, seen through the transposes back to the leaf, is contiguous. The leaf then takes
// it over as .grad instead of copying a strided [out, in] gradient.
const storedTransposed = (x: Tensor, g: Tensor): boolean =>
  x.ndim === g.ndim && x.ndim >= 2 && !x.isContiguous() && x.mT.isContiguous()
  && x.shape.slice(0, -2).every((d, i) => d === g.shape[i]);

const matmulBackward: BackwardFn = (g, [a, b], node) => [
  node.needs(0) ? (storedTransposed(a, g) ? mm(b, g.mT).mT : E.sumTo(mm(g, b.mT), a.shape)).to(a.dtype) : null,
  node.needs(1) ? (storedTransposed(b, g) ? mm(g.mT, a).mT : E.sumTo(mm(a.mT, g), b.shape)).to(b.dtype) : null,
];

/** x @ weight^T + bias, weight [out, in] as nn.Linear stores it. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return linearMaybeRelu(x, weight, bias ?? null, false);
}

/** relu(linear(x, weight, bias)) (#17: nn.Sequential runs a Linear followed by a ReLU so). */
export function linearRelu(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return linearMaybeRelu(x, weight, bias ?? null, true);
}

// One backend call where it has Backend.linear (the native CPU backend: GEMM, then bias and ReLU
// on the output rows while they are in cache) for a 2-d float32 input; else matmul, add and relu,
// which also check the shapes and name them in their errors.
function linearMaybeRelu(x: Tensor, weight: Tensor, bias: Tensor | null, relu: boolean): Tensor {
  const be = x._backend();
  if (hasLinearK(be) && x.ndim === 2 && weight.ndim === 2 && x.shape[1] === weight.shape[1] && x.dtype === "float32" &&
      weight.dtype === "float32" && x.device === weight.device &&
      (!bias || (bias.ndim === 1 && bias.shape[0] === weight.shape[0] && bias.dtype === "float32" && bias.device === x.device))) {
    const out = empty(be, [x.shape[0], weight.shape[0]], x.dtype);
    if (linearK(x, weight.mT, bias, relu, out)) {
      const node = record(relu ? "linear_relu" : "linear", bias ? [x, weight, bias] : [x, weight], out, linearBackward, relu);
      if (node) { if (relu) node.save(x, weight, out); else node.save(x, weight); }
      return out;
    }
    out.dispose();
  }
  const y0 = matmul(x, weight.t());
  const y = bias ? y0.add(bias) : y0;
  return relu ? y.relu() : y;
}

// g (through relu's mask when fused) to x (g @ W), weight (g^T @ x: [out, in], contiguous) and bias
// (g summed over the batch). The two products go to the backend in one call where it has
// matmulPair and no graph of the backward is recorded (#17: the native backend runs them side by
// side on two threads).
const linearBackward: BackwardFn = (g, saved, node) => {
  const [x, w] = saved;
  const gp = node.ctx ? E.reluGrad(g, saved[2]) : g;
  const gb = node.next.length > 2 && node.needs(2) ? gp.sum(0) : null;
  if (node.needs(0) && node.needs(1)) {
    const pair = gradientPair(gp, x, w);
    if (pair) return [pair[0], pair[1], gb];
  }
  return [node.needs(0) ? matmul(gp, w) : null, node.needs(1) ? matmul(gp.mT, x) : null, gb];
};

/** [g @ w, g^T @ x] through Backend.matmulPair, or null where it does not apply. */
function gradientPair(g: Tensor, x: Tensor, w: Tensor): [Tensor, Tensor] | null {
  if (g.ndim !== 2 || g.dtype !== "float32" || (isGradEnabled() && (g.requiresGrad || x.requiresGrad || w.requiresGrad))) return null;
  const be = g._backend();
  if (!be.matmulPair) return null;
  const gx = empty(be, [g.shape[0], w.shape[1]], "float32"), gw = empty(be, [g.shape[1], x.shape[1]], "float32");
  if (matmulPairK(g, w, gx, g.mT, x, gw)) return [gx, gw];
  gx.dispose(); gw.dispose();
  return null;
}
