// gpu/wgsl/reduce.ts
// Reductions over any set of axes of a strided View, and cumsum. The caller splits the View into
// kept dims (the output, contiguous) and reduced dims, each collapsed. Two shapes of kernel:
// one thread per output for short reductions, one workgroup per output with a tree in
// workgroup memory for long ones. argmax/argmin return the first index of the extreme value,
// counted row-major over the reduced dims (as PyTorch over one dim or the flattened tensor).

import type { DType, ReduceOp } from "../../runtime/tensor/backend";
import type { KernelSource } from "../pipelines";
import { PARAMS, SPECIALS, binding, cast, entry1d, load, store, storageType, valueType } from "./common";

export const REDUCE_WG = 256;
/** Reductions at least this long get a workgroup per output. */
export const TREE_THRESHOLD = 128;

export interface ReduceSpec {
  op: ReduceOp;
  x: DType;
  out: DType;
  keptRank: number;
  reducedRank: number;
  tree: boolean;
}

/** Params: [nk, nr, xoff, kshape[rk], kstride[rk], rshape[rr], rstride[rr]]. */
export function reduceKey(s: ReduceSpec): string {
  return `reduce|${s.op}|${s.x}|${s.out}|k${s.keptRank}|r${s.reducedRank}|${s.tree ? "tree" : "thread"}`;
}

function accType(s: ReduceSpec): "f32" | "i32" {
  const t = s.op === "argmax" || s.op === "argmin" ? valueType(s.x) : valueType(s.out);
  return t === "f32" ? "f32" : "i32";
}

function identity(op: ReduceOp, t: "f32" | "i32"): string {
  const big = t === "f32" ? "inf_()" : "2147483647i";
  const small = t === "f32" ? "-inf_()" : "i32(-2147483647 - 1)";
  switch (op) {
    case "sum": return t === "f32" ? "0.0" : "0i";
    case "prod": return t === "f32" ? "1.0" : "1i";
    case "max": case "argmax": return small;
    case "min": case "argmin": return big;
  }
}

/** Statements: offset of element `j` (reduced linear index) from `base` into `name`. */
function reducedOffset(s: ReduceSpec, j: string, name: string): string {
  const rAt = 3 + 2 * s.keptRank;
  const lines = [`    var ${name} = base;`, `    var rr_ = ${j};`];
  for (let d = s.reducedRank - 1; d >= 0; d--)
    lines.push(`    { let s_ = P[${rAt + d}]; ${name} += (rr_ % s_) * P[${rAt + s.reducedRank + d}]; rr_ = rr_ / s_; }`);
  return lines.join("\n");
}

function keptBase(s: ReduceSpec, k: string): string {
  const lines = ["  var base = P[2];", `  var kr_ = ${k};`];
  for (let d = s.keptRank - 1; d >= 0; d--)
    lines.push(`  { let s_ = P[${3 + d}]; base += (kr_ % s_) * P[${3 + s.keptRank + d}]; kr_ = kr_ / s_; }`);
  return lines.join("\n");
}

function combine(op: ReduceOp, t: "f32" | "i32", acc: string, v: string, accI: string, vI: string): string {
  // f32: NaN wins, as in PyTorch (max/min give NaN, argmax/argmin the first NaN's index); WGSL's
  // max/min and comparisons may assume there is no NaN, so isnan_() tests the bits.
  const f = t === "f32";
  switch (op) {
    case "sum": return `${acc} = ${acc} + ${v};`;
    case "prod": return `${acc} = ${acc} * ${v};`;
    case "max": return f ? `${acc} = select(${acc}, ${v}, ${v} > ${acc} || isnan_(${v}));` : `${acc} = max(${acc}, ${v});`;
    case "min": return f ? `${acc} = select(${acc}, ${v}, ${v} < ${acc} || isnan_(${v}));` : `${acc} = min(${acc}, ${v});`;
    // The earlier index wins ties, so the first extreme value (or first NaN) is returned.
    case "argmax": case "argmin": {
      const cmp = op === "argmax" ? ">" : "<";
      if (!f) return `if (${v} ${cmp} ${acc} || (${v} == ${acc} && ${vI} < ${accI})) { ${acc} = ${v}; ${accI} = ${vI}; }`;
      return `{ let vn_ = isnan_(${v}); let an_ = isnan_(${acc});
      if ((!an_ && (vn_ || ${v} ${cmp} ${acc})) || ((vn_ == an_) && (vn_ || ${v} == ${acc}) && ${vI} < ${accI})) { ${acc} = ${v}; ${accI} = ${vI}; } }`;
    }
  }
}

export function reduceKernel(s: ReduceSpec): KernelSource {
  const t = accType(s);
  const arg = s.op === "argmax" || s.op === "argmin";
  const read = (idx: string) => cast(load(s.x, "X", idx), valueType(s.x), t);
  const result = arg ? "i32(acc_i)" : "acc";
  const outStore = store(s.out, result, arg ? "i32" : t);
  const decls = [PARAMS, SPECIALS, binding(1, "rw", "OUT", storageType(s.out)), binding(2, "read", "X", storageType(s.x))];
  if (!s.tree) {
    const body = [
      "  if (gid >= P[0]) { return; }",
      keptBase(s, "gid"),
      `  var acc: ${t} = ${identity(s.op, t)};`,
      "  var acc_i = 0u;",
      "  for (var j = 0u; j < P[1]; j++) {",
      reducedOffset(s, "j", "xi"),
      `    let v = ${read("xi")};`,
      `    ${combine(s.op, t, "acc", "v", "acc_i", "j")}`,
      "  }",
      `  OUT[gid] = ${outStore};`,
    ];
    return { code: [...decls, entry1d(REDUCE_WG, body.join("\n"))].join("\n"), bindings: ["rw", "read"], workgroupSize: REDUCE_WG };
  }
  const W = REDUCE_WG;
  const code = `${decls.join("\n")}
var<workgroup> sv: array<${t}, ${W}>;
var<workgroup> si: array<u32, ${W}>;
@compute @workgroup_size(${W})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let k = wg.x + wg.y * nw.x;
  if (k >= P[0]) { return; }
${keptBase(s, "k")}
  var acc: ${t} = ${identity(s.op, t)};
  var acc_i = 0xffffffffu;
  for (var j = lid; j < P[1]; j += ${W}u) {
${reducedOffset(s, "j", "xi")}
    let v = ${read("xi")};
    ${combine(s.op, t, "acc", "v", "acc_i", "j")}
  }
  sv[lid] = acc;
  si[lid] = acc_i;
  workgroupBarrier();
  for (var half = ${W / 2}u; half > 0u; half = half / 2u) {
    if (lid < half) {
      var a = sv[lid];
      var a_i = si[lid];
      let b = sv[lid + half];
      let b_i = si[lid + half];
      ${combine(s.op, t, "a", "b", "a_i", "b_i")}
      sv[lid] = a;
      si[lid] = a_i;
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let acc = sv[0];
    let acc_i = si[0];
    OUT[k] = ${outStore};
  }
}`;
  return { code, bindings: ["rw", "read"], workgroupSize: W };
}

/** Inclusive prefix sum along one dim, one thread per line.
 * Params: [lines, len, xoff, xstride_dim, ostride_dim, oshape[r], xstride[r], ostride[r]]. */
export function cumsumKernel(x: DType, out: DType, rank: number): KernelSource {
  const t = valueType(out) === "f32" ? "f32" : "i32";
  const lines: string[] = ["  if (gid >= P[0]) { return; }", "  var xi = P[2];", "  var oi = 0u;", "  var r_ = gid;"];
  for (let d = rank - 1; d >= 0; d--)
    lines.push(`  { let s_ = P[${5 + d}]; let c_ = r_ % s_; r_ = r_ / s_; xi += c_ * P[${5 + rank + d}]; oi += c_ * P[${5 + 2 * rank + d}]; }`);
  lines.push(
    `  var acc: ${t} = ${t === "f32" ? "0.0" : "0i"};`,
    "  for (var j = 0u; j < P[1]; j++) {",
    `    acc = acc + ${cast(load(x, "X", "xi + j * P[3]"), valueType(x), t)};`,
    `    OUT[oi + j * P[4]] = ${store(out, "acc", t)};`,
    "  }");
  const code = [PARAMS, binding(1, "rw", "OUT", storageType(out)), binding(2, "read", "X", storageType(x)),
    entry1d(64, lines.join("\n"))].join("\n");
  return { code, bindings: ["rw", "read"], workgroupSize: 64 };
}
