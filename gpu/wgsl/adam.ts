// gpu/wgsl/adam.ts
// One fused pass of Adam/AdamW over a parameter: weight decay, both moments, bias correction and
// the update, in place. Multi-pass elementwise Adam is a large share of a training step
// (DESIGN.md §5), so this is one read and one write of each of param, m and v.

import type { KernelSource } from "../pipelines";
import { PARAMS, binding, entry1d, pf } from "./common";

export const ADAM_WG = 256;

/** Params: [n, lr, beta1, beta2, eps, weightDecay, stepSize (lr / bc1), sqrt(bc2), decoupled]. */
export function adamKernel(): KernelSource {
  const body = `  if (gid >= P[0]) { return; }
  let lr = ${pf(1)}; let b1 = ${pf(2)}; let b2 = ${pf(3)}; let eps = ${pf(4)}; let wd = ${pf(5)};
  var p = PARAM[gid];
  var g = GRAD[gid];
  if (P[8] != 0u) { p = p * (1.0 - lr * wd); } else { g = g + wd * p; }
  let m = b1 * M1[gid] + (1.0 - b1) * g;
  let v = b2 * V2[gid] + (1.0 - b2) * g * g;
  M1[gid] = m;
  V2[gid] = v;
  PARAM[gid] = p - ${pf(6)} * m / (sqrt(v) / ${pf(7)} + eps);`;
  const code = [PARAMS, binding(1, "rw", "PARAM", "f32"), binding(2, "read", "GRAD", "f32"), binding(3, "rw", "M1", "f32"),
    binding(4, "rw", "V2", "f32"), entry1d(ADAM_WG, body)].join("\n");
  return { code, bindings: ["rw", "read", "rw", "rw"], workgroupSize: ADAM_WG };
}
