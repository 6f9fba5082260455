// gpu/wgsl/elementwise.ts
// WGSL for one-thread-per-output kernels over strided, broadcast views: unary and binary math,
// comparisons, where, dtype-converting copies and fill. The caller collapses dims first (fewer
// dims, fewer divisions) and says per input whether it is contiguous (then its index is
// offset + gid) and whether it is the output's own buffer (then it is read through OUT, since one
// buffer cannot be bound both read-only and writable in a dispatch).

import type { BinaryOp, DType, UnaryOp } from "../../runtime/tensor/backend";
import { BINARY_OPS } from "../../runtime/tensor/op_registry";
import type { KernelSource } from "../pipelines";
import { ISNAN, MATH_FNS, PARAMS, binding, cast, entry1d, load, pf, store, storageType, stridedOffsets, valueType } from "./common";

export const WORKGROUP = 256;

export interface Operand {
  dtype: DType;
  contiguous: boolean;
  /** Same buffer as the output: read through OUT. */
  alias: boolean;
}

export type ElementwiseSpec =
  | { kind: "unary"; op: UnaryOp; out: DType; inputs: [Operand]; rank: number }
  | { kind: "binary"; op: BinaryOp; out: DType; inputs: [Operand] | [Operand, Operand]; rank: number; scalar?: "f32" | "i32" }
  | { kind: "where"; out: DType; inputs: [Operand, Operand, Operand]; rank: number }
  | { kind: "copy"; out: DType; inputs: [Operand]; rank: number }
  /** Strided output: the destination's (offset, strides) follow the input's in the params. */
  | { kind: "assign"; out: DType; inputs: [Operand]; rank: number; outContiguous: boolean };

/** Parameter layout: [n, shape[rank], (offset, strides[rank]) per input, scalars...]. */
export function paramLayout(rank: number, inputs: number): { shapeAt: number; inputAt: (j: number) => number; scalarAt: number } {
  const base = 1 + rank;
  return { shapeAt: 1, inputAt: (j) => base + j * (rank + 1), scalarAt: base + inputs * (rank + 1) };
}

export function elementwiseKey(s: ElementwiseSpec): string {
  const op = s.kind === "unary" || s.kind === "binary" ? s.op : "";
  const ins = s.inputs.map((o) => `${o.dtype}${o.contiguous ? "c" : "s"}${o.alias ? "a" : ""}`).join(",");
  const extra = s.kind === "binary" ? s.scalar ?? "" : s.kind === "assign" ? (s.outContiguous ? "oc" : "os") : "";
  return `ew|${s.kind}|${op}|${s.out}|${ins}|r${s.rank}|${extra}`;
}

/** Unary ops that stay in i32 on int32 tensors; the rest compute in f32. */
const INT_UNARY = new Set<UnaryOp>(["neg", "abs", "sign", "square", "relu"]);

/** WGSL expression of each unary op on value `x` computed in type `t`; p1/p2 are its parameters.
 * NaN checks (isnan_, on the bits) where PyTorch keeps NaN: WGSL's max/min/clamp/sign may drop it. */
type UnaryExpr = (x: string, t: "f32" | "i32", p1: string, p2: string) => string;
const UNARY_WGSL: Record<UnaryOp, UnaryExpr> = {
  neg: (x) => `(-${x})`,
  abs: (x) => `abs(${x})`,
  sign: (x, t) => t === "f32" ? `select(sign(${x}), ${x}, isnan_(${x}))` : `sign(${x})`,
  square: (x) => `(${x} * ${x})`,
  relu: (x, t) => t === "f32" ? `select(max(${x}, 0.0), ${x}, isnan_(${x}))` : `max(${x}, 0i)`,
  exp: (x) => `exp(${x})`,
  expm1: (x) => `expm1_(${x})`,
  log: (x) => `log(${x})`,
  log1p: (x) => `log1p_(${x})`,
  sqrt: (x) => `sqrt(${x})`,
  rsqrt: (x) => `inverseSqrt(${x})`,
  reciprocal: (x) => `(1.0 / ${x})`,
  sin: (x) => `sin(${x})`,
  cos: (x) => `cos(${x})`,
  tanh: (x) => `tanh_(${x})`,
  sigmoid: (x) => `sigmoid_(${x})`,
  gelu: (x) => `(0.5 * ${x} * (1.0 + erf_(${x} * 0.7071067811865476)))`,
  gelu_tanh: (x) => `(0.5 * ${x} * (1.0 + tanh_(0.7978845608028654 * (${x} + 0.044715 * ${x} * ${x} * ${x}))))`,
  silu: (x) => `(${x} * sigmoid_(${x}))`,
  softplus: (x) => `select(log1p_(exp(${x})), ${x}, ${x} > 20.0)`,
  erf: (x) => `erf_(${x})`,
  floor: (x) => `floor(${x})`,
  ceil: (x) => `ceil(${x})`,
  round: (x) => `round(${x})`,
  leaky_relu: (x, _t, p1) => `select(${x} * ${p1}, ${x}, ${x} > 0.0)`,
  elu: (x, _t, p1) => `select(${p1} * expm1_(${x}), ${x}, ${x} > 0.0)`,
  clamp: (x, _t, p1, p2) => `select(min(max(${x}, ${p1}), ${p2}), ${x}, isnan_(${x}))`,
  pow_scalar: (x, _t, p1) => `pow_(${x}, ${p1})`,
  logical_not: (x) => `(!${x})`,
};

/** WGSL expression of each binary op on `a` and `b` computed in type `t`. WGSL i32 division
 * truncates toward zero and returns a when b == 0; torch's integer division by zero is an error, so
 * there is no value to match there. maximum/minimum follow the CPU backend: a if a wins or is NaN,
 * else b (so NaN on either side gives NaN). */
type BinaryExpr = (a: string, b: string, t: "f32" | "i32") => string;
const BINARY_WGSL: Record<BinaryOp, BinaryExpr> = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  div: (a, b) => `(${a} / ${b})`,
  pow: (a, b, t) => t === "f32" ? `pow_(${a}, ${b})` : `i32(round(pow_(f32(${a}), f32(${b}))))`,
  maximum: (a, b, t) => t === "f32" ? `select(${b}, ${a}, ${a} > ${b} || isnan_(${a}))` : `max(${a}, ${b})`,
  minimum: (a, b, t) => t === "f32" ? `select(${b}, ${a}, ${a} < ${b} || isnan_(${a}))` : `min(${a}, ${b})`,
  atan2: (a, b) => `atan2_(${a}, ${b})`,
  eq: (a, b) => `(${a} == ${b})`,
  ne: (a, b, t) => t === "f32" ? `(${a} != ${b} || isnan_(${a}) || isnan_(${b}))` : `(${a} != ${b})`,
  lt: (a, b) => `(${a} < ${b})`,
  le: (a, b) => `(${a} <= ${b})`,
  gt: (a, b) => `(${a} > ${b})`,
  ge: (a, b) => `(${a} >= ${b})`,
  logical_and: (a, b) => `(${a} && ${b})`,
  logical_or: (a, b) => `(${a} || ${b})`,
};

/** The type a binary op computes in: bool for logical ops, f32 when anything is float. */
export function binaryComputeType(op: BinaryOp, a: DType, b: DType | "f32" | "i32", out: DType): "f32" | "i32" | "bool" {
  const rule = BINARY_OPS[op].dtype;
  if (rule === "logical") return "bool";
  const float = a === "float32" || b === "float32" || b === "f32" || (rule !== "bool" && out === "float32") || op === "atan2";
  return float ? "f32" : "i32";
}

export function elementwiseKernel(s: ElementwiseSpec): KernelSource {
  const nIn = s.inputs.length;
  const lay = paramLayout(s.rank, nIn);
  const outT = storageType(s.out);
  const decls = [PARAMS, binding(1, "rw", "OUT", outT)];
  const access: ("read" | "rw")[] = ["rw"];
  const names: string[] = [];
  s.inputs.forEach((o, j) => {
    if (o.alias) { names.push("OUT"); return; }
    const name = `IN${j}`;
    access.push("read");
    decls.push(binding(access.length, "read", name, storageType(o.dtype)));
    names.push(name);
  });
  const strided = s.inputs.map((o, j) => ({ o, j })).filter(({ o }) => !o.contiguous);
  const outStrided = s.kind === "assign" && !s.outContiguous;
  const outAt = lay.inputAt(nIn);
  const body: string[] = ["  if (gid >= P[0]) { return; }"];
  const ops = strided.map(({ j }) => ({ name: `i${j}`, offAt: lay.inputAt(j), strideAt: lay.inputAt(j) + 1 }));
  if (outStrided) ops.push({ name: "oi", offAt: outAt, strideAt: outAt + 1 });
  if (ops.length > 0) body.push(stridedOffsets("gid", s.rank, lay.shapeAt, ops));
  if (s.kind === "assign" && s.outContiguous) body.push(`  let oi = P[${outAt}] + gid;`);
  s.inputs.forEach((o, j) => {
    if (o.contiguous) body.push(`  let i${j} = P[${lay.inputAt(j)}] + gid;`);
    body.push(`  let v${j} = ${load(o.dtype, names[j], `i${j}`)};`);
  });
  const vt = (j: number) => valueType(s.inputs[j].dtype);
  let result: string;
  let resultType: "f32" | "i32" | "bool";
  switch (s.kind) {
    case "copy": case "assign":
      result = "v0"; resultType = vt(0);
      break;
    case "where":
      resultType = valueType(s.out);
      result = `select(${cast("v2", vt(2), resultType)}, ${cast("v1", vt(1), resultType)}, ${cast("v0", vt(0), "bool")})`;
      break;
    case "unary": {
      const t = s.op === "logical_not" ? "bool" : INT_UNARY.has(s.op) && s.out !== "float32" ? "i32" : "f32";
      const x = cast("v0", vt(0), t);
      result = UNARY_WGSL[s.op](`x0`, t as "f32" | "i32", pf(lay.scalarAt), pf(lay.scalarAt + 1));
      body.push(`  let x0 = ${x};`);
      resultType = s.op === "logical_not" ? "bool" : t;
      break;
    }
    case "binary": {
      const bType = s.inputs.length === 2 ? s.inputs[1].dtype : s.scalar ?? "f32";
      const t = binaryComputeType(s.op, s.inputs[0].dtype, bType, s.out);
      body.push(`  let a0 = ${cast("v0", vt(0), t)};`);
      if (s.inputs.length === 2) body.push(`  let b0 = ${cast("v1", vt(1), t)};`);
      else body.push(`  let b0 = ${cast(`bitcast<${s.scalar ?? "f32"}>(P[${lay.scalarAt}])`, s.scalar ?? "f32", t)};`);
      result = BINARY_WGSL[s.op]("a0", "b0", t === "bool" ? "i32" : t);
      resultType = BINARY_OPS[s.op].dtype === "bool" ? "bool" : t;
      break;
    }
  }
  body.push(`  OUT[${s.kind === "assign" ? "oi" : "gid"}] = ${store(s.out, result, resultType)};`);
  const main = entry1d(WORKGROUP, body.join("\n"));
  // The math helpers only where the op calls one: less WGSL to compile (lavapipe compiles slowly).
  const helpers = /\b(erf_|expm1_|log1p_|pow_|tanh_|sigmoid_|atan2_)\(/.test(main) ? [MATH_FNS] : /\bisnan_\(/.test(main) ? [ISNAN] : [];
  const code = [...decls, ...helpers, main].join("\n");
  return { code, bindings: access, workgroupSize: WORKGROUP };
}

/** out[i] = value (already encoded as the storage's 32-bit word). */
export function fillKernel(): KernelSource {
  const code = [PARAMS, binding(1, "rw", "OUT", "u32"),
    entry1d(WORKGROUP, `  if (gid >= P[0]) { return; }\n  OUT[gid] = P[1];`)].join("\n");
  return { code, bindings: ["rw"], workgroupSize: WORKGROUP };
}
