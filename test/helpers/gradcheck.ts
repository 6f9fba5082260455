// test/helpers/gradcheck.ts
// Numerical gradient checks for tests: the library's gradcheck (central differences) on fresh
// float64 CPU inputs, plus closeness assertions with PyTorch's reference tolerance.

import assert from "node:assert/strict";
import { torch, gradcheck, type Tensor } from "../../runtime/tensor/index";
import type { NestedArray } from "../../runtime/tensor/print";

export { gradcheck };

/** Random float64 leaf requiring grad, values in [lo, hi). */
export function randLeaf(shape: number[], lo = -1, hi = 1): Tensor {
  return torch.rand(shape, { dtype: "float64" }).mul(hi - lo).add(lo).detach().requiresGrad_();
}

/** Flatten nested arrays of numbers/booleans. */
export function flat(x: NestedArray | ArrayLike<number>): number[] {
  if (typeof x === "number") return [x];
  if (typeof x === "boolean") return [x ? 1 : 0];
  if (Array.isArray(x)) return (x as NestedArray[]).flatMap((v) => flat(v));
  return Array.from(x as ArrayLike<number>);
}

/** |got - want| <= atol + rtol * |want| elementwise, with the first offending index in the message. */
export function assertClose(got: NestedArray | ArrayLike<number>, want: NestedArray | ArrayLike<number>, atol = 1e-4, rtol = 1e-4, what = "values"): void {
  const g = flat(got), w = flat(want);
  assert.equal(g.length, w.length, `${what}: ${g.length} elements, expected ${w.length}`);
  for (let i = 0; i < g.length; i++) {
    const ok = (Number.isNaN(w[i]) && Number.isNaN(g[i])) || g[i] === w[i] || Math.abs(g[i] - w[i]) <= atol + rtol * Math.abs(w[i]);
    if (!ok) assert.fail(`${what}: element ${i} is ${g[i]}, expected ${w[i]} (|diff| ${Math.abs(g[i] - w[i]).toExponential(2)})`);
  }
}
