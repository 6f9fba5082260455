// gpu/wgsl/softmax.ts
// softmax / log-softmax along one dim, one workgroup per line: max, then sum of exp(x - max),
// then the outputs, each pass a strided loop plus a tree in workgroup memory. Subtracting the
// max keeps exp from overflowing, as PyTorch does.

import type { KernelSource } from "../pipelines";
import { PARAMS, SPECIALS, binding } from "./common";

export const SOFTMAX_WG = 128;

/** Params: [lines, L, xoff, xstrideL, ostrideL, r, shape[r], xstride[r], ostride[r]] over the other dims. */
export function softmaxKernel(log: boolean): KernelSource {
  const W = SOFTMAX_WG;
  // The other dims are walked with a runtime loop (rank in P[5]): one pipeline per variant, since
  // barrier-heavy shaders are slow to compile on lavapipe (~1 s each).
  const dec = [
    "  var xb = P[2];", "  var ob = 0u;", "  var r_ = line;", "  let R = P[5];",
    "  for (var d = R; d > 0u; d--) {",
    "    let s_ = P[5u + d]; let c_ = r_ % s_; r_ = r_ / s_;",
    "    xb += c_ * P[5u + R + d]; ob += c_ * P[5u + 2u * R + d];",
    "  }",
  ];
  const tree = (op: string) => `  red[lid] = acc;
  workgroupBarrier();
  for (var h = ${W / 2}u; h > 0u; h = h / 2u) {
    if (lid < h) { red[lid] = ${op}; }
    workgroupBarrier();
  }`;
  const out = log ? "x - mx - log(total)" : "exp(x - mx) / total";
  const code = `${PARAMS}
${SPECIALS}
${binding(1, "rw", "OUT", "f32")}
${binding(2, "read", "X", "f32")}
var<workgroup> red: array<f32, ${W}>;
@compute @workgroup_size(${W})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let line = wg.x + wg.y * nw.x;
  if (line >= P[0]) { return; }
  let L = P[1]; let xs = P[3]; let os = P[4];
${dec.join("\n")}
  var acc = -inf_();
  for (var j = lid; j < L; j += ${W}u) { acc = max(acc, X[xb + j * xs]); }
${tree("max(red[lid], red[lid + h])")}
  // An all -inf line gives NaN in PyTorch's formula; the CPU backend uses max 0 there: match it.
  let mx = select(red[0], 0.0, red[0] == -inf_());
  workgroupBarrier();
  acc = 0.0;
  for (var j = lid; j < L; j += ${W}u) { acc += exp(X[xb + j * xs] - mx); }
${tree("red[lid] + red[lid + h]")}
  let total = red[0];
  for (var j = lid; j < L; j += ${W}u) {
    let x = X[xb + j * xs];
    OUT[ob + j * os] = ${out};
  }
}`;
  return { code, bindings: ["rw", "read"], workgroupSize: W };
}
