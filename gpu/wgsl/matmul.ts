// gpu/wgsl/matmul.ts
// Tiled GEMM: C[M, N] = A[M, K] @ B[K, N], one workgroup per BM x BN tile of C, operands staged
// through workgroup memory BK at a time, each thread accumulating a TM x TN block in registers.
// How A and B are read and C written is pluggable, so the same kernel serves matmul over strided
// and transposed Views (a transpose is just swapped strides, never a copy) and conv2d and its
// gradients as implicit GEMMs (conv.ts), where B is an im2col view computed on the fly.

import type { DType } from "../../runtime/tensor/backend";
import type { Access, KernelSource } from "../pipelines";
import { PARAMS, binding, cast, load, store, storageType, valueType } from "./common";

export interface Tile { BM: number; BN: number; BK: number; TM: number; TN: number }

/** 64x64 tiles, 4x4 per thread: small and medium products. BK 8 runs as fast as 16 on lavapipe
 * and compiles in about half the time there. */
export const TILE_64: Tile = { BM: 64, BN: 64, BK: 8, TM: 4, TN: 4 };
/** 128x128 tiles, 8x8 per thread: big products, where reuse in registers pays. */
export const TILE_128: Tile = { BM: 128, BN: 128, BK: 8, TM: 8, TN: 8 };

export function pickTile(m: number, n: number): Tile {
  return m >= 512 && n >= 512 ? TILE_128 : TILE_64;
}

export interface GemmSpec {
  /** Storage bindings after the parameter block, with their WGSL declarations (binding 1 first). */
  decls: string[];
  bindings: Access[];
  /** Statements run once per thread before the K loop; `z` (the dispatch's z index) is in scope.
   * M, N, K are P[0], P[1], P[2]. */
  prelude: string;
  /** f32 expression for A[row, k]; called only with row < M and k < K. `t` names the thread's
   * load slot, whose rowSetup ran once before the K loop. */
  loadA(row: string, k: string, t: number): string;
  /** f32 expression for B[k, col]; called only with k < K and col < N. */
  loadB(k: string, col: string, t: number): string;
  /** Statements run once per load slot before the K loop: what depends only on the row (A) or
   * the column (B), e.g. an im2col column's (n, oh, ow), so the loop does not divide again. */
  rowSetup?(row: string, t: number): string;
  colSetup?(col: string, t: number): string;
  /** Statement storing f32 `v` at C[row, col]; called only inside bounds. */
  storeC(row: string, col: string, v: string): string;
  /** Optional K range per z (split-K): statements defining `k_begin` and `k_end`. */
  kRange?: string;
}

export function gemmKernel(spec: GemmSpec, tile: Tile): KernelSource {
  const { BM, BN, BK, TM, TN } = tile;
  const TX = BN / TN;  // threads along N
  const TY = BM / TM;  // threads along M
  const threads = TX * TY;
  const aLoads = (BM * BK) / threads;
  const bLoads = (BK * BN) / threads;
  const lines: string[] = [];
  const emit = (s: string) => lines.push(s);
  emit(`var<workgroup> As: array<f32, ${BM * BK}>;`);
  emit(`var<workgroup> Bs: array<f32, ${BK * BN}>;`);
  emit(`@compute @workgroup_size(${threads})`);
  emit("fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {");
  emit("  let M = P[0]; let N = P[1]; let K = P[2];");
  emit("  let z = wg.z;");
  emit(spec.prelude);
  emit(spec.kRange ?? "  let k_begin = 0u; let k_end = K;");
  emit(`  let row0 = wg.y * ${BM}u;`);
  emit(`  let col0 = wg.x * ${BN}u;`);
  emit(`  let tx = lid % ${TX}u;`);
  emit(`  let ty = lid / ${TX}u;`);
  // Scalar accumulators, not an array: drivers keep them in registers (lavapipe spills arrays).
  for (let i = 0; i < TM; i++) emit(`  ${Array.from({ length: TN }, (_, j) => `var c${i}_${j} = 0.0;`).join(" ")}`);
  // Each thread loads the same tile slots every step: the slot's row/column is fixed, only k moves.
  for (let t = 0; t < aLoads; t++) {
    emit(`  let ar${t} = row0 + (lid + ${t * threads}u) / ${BK}u; let akk${t} = (lid + ${t * threads}u) % ${BK}u;`);
    if (spec.rowSetup) emit(spec.rowSetup(`ar${t}`, t));
  }
  for (let t = 0; t < bLoads; t++) {
    emit(`  let bc${t} = col0 + (lid + ${t * threads}u) % ${BN}u; let bkk${t} = (lid + ${t * threads}u) / ${BN}u;`);
    if (spec.colSetup) emit(spec.colSetup(`bc${t}`, t));
  }
  emit(`  for (var k0 = k_begin; k0 < k_end; k0 += ${BK}u) {`);
  for (let t = 0; t < aLoads; t++) {
    emit(`    { let gk = k0 + akk${t}; var v = 0.0;`);
    emit(`      if (ar${t} < M && gk < k_end) { v = ${spec.loadA(`ar${t}`, "gk", t)}; }`);
    emit(`      As[akk${t} * ${BM}u + ar${t} - row0] = v; }`);
  }
  for (let t = 0; t < bLoads; t++) {
    emit(`    { let gk = k0 + bkk${t}; var v = 0.0;`);
    emit(`      if (bc${t} < N && gk < k_end) { v = ${spec.loadB("gk", `bc${t}`, t)}; }`);
    emit(`      Bs[bkk${t} * ${BN}u + bc${t} - col0] = v; }`);
  }
  emit("    workgroupBarrier();");
  emit(`    for (var kk = 0u; kk < ${BK}u; kk++) {`);
  // Rows ty + i * TY and columns tx + j * TX: neighbouring threads read neighbouring words.
  for (let i = 0; i < TM; i++) emit(`      let a${i} = As[kk * ${BM}u + ty + ${i * TY}u];`);
  for (let j = 0; j < TN; j++) emit(`      let b${j} = Bs[kk * ${BN}u + tx + ${j * TX}u];`);
  for (let i = 0; i < TM; i++)
    for (let j = 0; j < TN; j++) emit(`      c${i}_${j} = fma(a${i}, b${j}, c${i}_${j});`);
  emit("    }");
  emit("    workgroupBarrier();");
  emit("  }");
  for (let i = 0; i < TM; i++)
    for (let j = 0; j < TN; j++) {
      emit(`  { let r = row0 + ty + ${i * TY}u; let c = col0 + tx + ${j * TX}u;`);
      emit(`    if (r < M && c < N) { ${spec.storeC("r", "c", `c${i}_${j}`)} } }`);
    }
  emit("}");
  return { code: [PARAMS, ...spec.decls, ...lines].join("\n"), bindings: spec.bindings, workgroupSize: threads };
}

/** Batched matmul over strided Views; batch dims (already broadcast) are decomposed from z with a
 * runtime loop, so one pipeline serves every batch rank.
 * Params: [M, N, K, aoff, sAm, sAk, boff, sBk, sBn, rb, bshape[rb], aBstride[rb], bBstride[rb]]. */
export function matmulKernel(a: DType, b: DType, out: DType, tile: Tile): KernelSource {
  const pre = [
    "  var ao = P[3];", "  var bo = P[6];", "  var zr = z;", "  let RB = P[9];",
    "  for (var d = RB; d > 0u; d--) {",
    "    let s_ = P[9u + d]; let c_ = zr % s_; zr = zr / s_;",
    "    ao += c_ * P[9u + RB + d]; bo += c_ * P[9u + 2u * RB + d];",
    "  }",
    "  let co = z * M * N;",
  ];
  return gemmKernel({
    decls: [binding(1, "rw", "C", storageType(out)), binding(2, "read", "A", storageType(a)), binding(3, "read", "B", storageType(b))],
    bindings: ["rw", "read", "read"],
    prelude: pre.join("\n"),
    rowSetup: (r, t) => `  let arow${t} = ao + ${r} * P[4];`,
    colSetup: (c, t) => `  let bcol${t} = bo + ${c} * P[8];`,
    loadA: (_r, k, t) => cast(load(a, "A", `arow${t} + ${k} * P[5]`), valueType(a), "f32"),
    loadB: (k, _c, t) => cast(load(b, "B", `bcol${t} + ${k} * P[7]`), valueType(b), "f32"),
    storeC: (r, c, v) => `C[co + ${r} * N + ${c}] = ${store(out, out === "int32" ? `round(${v})` : v, "f32")};`,
  }, tile);
}

export function matmulKey(a: DType, b: DType, out: DType, tile: Tile): string {
  return `matmul|${a}|${b}|${out}|${tile.BM}x${tile.BN}x${tile.BK}/${tile.TM}x${tile.TN}`;
}
