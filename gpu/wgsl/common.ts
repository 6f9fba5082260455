// gpu/wgsl/common.ts
// Pieces every WGSL generator shares: how each dtype is stored and computed on (bool is a u32 in
// storage: WGSL has no 8-bit storage), the parameter block, the linear thread id over a 2-D grid,
// and the unrolled loop that turns a linear index into strided offsets. Pure string building.

import type { DType } from "../../runtime/tensor/backend";
import { DTypeError } from "../../runtime/tensor/errors";

export type Scalar = "f32" | "i32" | "u32" | "bool";

/** The WGSL element type a storage of `dtype` holds. */
export function storageType(dtype: DType): "f32" | "i32" | "u32" {
  switch (dtype) {
    case "float32": return "f32";
    case "int32": return "i32";
    case "bool": return "u32";
    case "float64":
      throw new DTypeError("webgpu: float64 is not supported on this device (WGSL has no 64-bit floats)",
        'use .to("cpu") for float64 work such as gradient checks, or cast with .float()');
  }
}

/** The WGSL type a value of `dtype` is computed in. */
export function valueType(dtype: DType): "f32" | "i32" | "bool" {
  storageType(dtype);
  return dtype === "float32" ? "f32" : dtype === "int32" ? "i32" : "bool";
}

/** Read element `idx` of array `arr` (a storage of `dtype`) as its value type. */
export function load(dtype: DType, arr: string, idx: string): string {
  return dtype === "bool" ? `(${arr}[${idx}] != 0u)` : `${arr}[${idx}]`;
}

/** Convert expression `e` of value type `from` to value type `to`. */
export function cast(e: string, from: Scalar, to: Scalar): string {
  if (from === to) return e;
  if (to === "bool") return from === "bool" ? e : `(${e} != ${from === "f32" ? "0.0" : from === "i32" ? "0i" : "0u"})`;
  return `${to}(${e})`;
}

/** Expression that stores value `e` (of value type `from`) into a storage of `dtype`. */
export function store(dtype: DType, e: string, from: Scalar): string {
  if (dtype === "bool") return `u32(${cast(e, from, "bool")})`;
  return cast(e, from, storageType(dtype));
}

export function binding(i: number, access: "read" | "rw", name: string, elem: string): string {
  return `@group(0) @binding(${i}) var<storage, ${access === "rw" ? "read_write" : "read"}> ${name}: array<${elem}>;`;
}

export const PARAMS = "@group(0) @binding(0) var<storage, read> P: array<u32>;";

/** Entry point with a 1-D workgroup; `gid` is the linear thread id over a 2-D grid (queue.grid). */
export function entry1d(workgroupSize: number, body: string): string {
  return `@compute @workgroup_size(${workgroupSize})
fn main(@builtin(global_invocation_id) gid3_: vec3<u32>, @builtin(num_workgroups) nwg_: vec3<u32>) {
  let gid = gid3_.x + gid3_.y * nwg_.x * ${workgroupSize}u;
${body}
}`;
}

/** f32 parameter at word `i`. */
export function pf(i: number | string): string {
  return `bitcast<f32>(P[${i}])`;
}

/**
 * Statements that decompose linear index `idx` over a shape of `rank` dims (P[shapeAt + d]) and
 * accumulate offsets: for each operand, `name = P[offAt] + sum(coord_d * P[strideAt + d])`.
 */
export function stridedOffsets(idx: string, rank: number, shapeAt: number,
  operands: { name: string; offAt: number; strideAt: number }[]): string {
  const lines = operands.map((o) => `  var ${o.name} = P[${o.offAt}];`);
  if (rank > 0) lines.push(`  var r_ = ${idx};`);
  for (let d = rank - 1; d >= 0; d--) {
    lines.push(`  { let s_ = P[${shapeAt + d}]; let c_ = r_ % s_; r_ = r_ / s_;`);
    for (const o of operands) lines.push(`    ${o.name} += c_ * P[${o.strideAt + d}];`);
    lines.push("  }");
  }
  return lines.join("\n");
}

/** isnan_(x) from the bits: WGSL lets a compiler assume floats are never NaN, so `x != x` and
 * max/min/clamp may drop NaN (lavapipe does); an integer test on the bits cannot be folded away. */
export const ISNAN = `
fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }`;

/** inf_() and nan_(): WGSL rejects infinite constants, so the bits come from a private variable,
 * which the compiler cannot fold. Includes isnan_(). */
export const SPECIALS = `${ISNAN}
var<private> INF_BITS_: u32 = 0x7f800000u;
fn inf_() -> f32 { return bitcast<f32>(INF_BITS_); }
fn nan_() -> f32 { return bitcast<f32>(INF_BITS_ | 0x400000u); }
fn isinf_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }`;

/** Helpers some kernels call; WGSL lacks erf, expm1 and log1p, and pow is undefined for x < 0. */
export const MATH_FNS = `${SPECIALS}
fn erf_(x: f32) -> f32 {
  // Abramowitz & Stegun 7.1.26, |error| < 1.5e-7.
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return select(-y, y, x >= 0.0);
}
fn expm1_(x: f32) -> f32 {
  // Kahan's trick: exact where exp(x) rounds to 1, accurate to a few ulp elsewhere.
  let u = exp(x);
  if (u == 1.0) { return x; }
  let um1 = u - 1.0;
  if (um1 == -1.0) { return -1.0; }
  if (abs(x) > 0.5) { return um1; }
  return um1 * x / log(u);
}
fn log1p_(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (abs(x) > 0.5) { return log(u); }
  return log(u) * x / (u - 1.0);
}
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (isnan_(a) || isnan_(b)) { return nan_(); }
  if (b == 1.0) { return a; }
  if (b == 2.0) { return a * a; }
  if (a == 0.0) { return select(0.0, inf_(), b < 0.0); }
  if (isinf_(a) && a < 0.0) {
    // IEEE pow(-inf, b): +-0 for b < 0, +-inf for b > 0; negative only for odd integer b.
    let r = select(0.0, inf_(), b > 0.0);
    return select(r, -r, floor(b) == b && (abs(b) % 2.0) == 1.0);
  }
  if (a < 0.0) {
    if (floor(b) != b) { return nan_(); }
    let r = exp2(b * log2(-a));
    return select(r, -r, (abs(b) % 2.0) == 1.0);
  }
  return exp2(b * log2(a));
}
fn tanh_(x: f32) -> f32 {
  // Clamped: some drivers compute tanh through exp and overflow to NaN past |x| ~ 44.
  if (isnan_(x)) { return x; }
  return tanh(clamp(x, -15.0, 15.0));
}
fn atan2_(y: f32, x: f32) -> f32 {
  // WGSL leaves atan2 undefined at 0/0 and at infinities; C's atan2 (and PyTorch's) there:
  // magnitude from the cases below, sign from y (-0 included).
  if (isnan_(y) || isnan_(x)) { return nan_(); }
  let neg_x = (bitcast<u32>(x) & 0x80000000u) != 0u;
  var r: f32;
  if (isinf_(y)) { r = select(1.5707963267948966, select(0.7853981633974483, 2.356194490192345, neg_x), isinf_(x)); }
  else if (y == 0.0 || isinf_(x)) { r = select(0.0, 3.141592653589793, neg_x); }
  else { return atan2(y, x); }
  return bitcast<f32>(bitcast<u32>(r) | (bitcast<u32>(y) & 0x80000000u));
}
fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
`;
