// gpu/wgsl/conv.ts
// conv2d (NCHW, float32) and its two gradients as implicit GEMMs on the tiled kernel of
// matmul.ts, one GEMM per group (dispatch z). No im2col buffer is built: B's loader computes
// the input coordinate of each (k, column) pair and reads the strided View directly.
//   forward: out[co, (n,oh,ow)]   = W[co, (ci,kh,kw)]   @ im2col(x)[(ci,kh,kw), (n,oh,ow)]
//   grad x:  gx[ci, (n,ih,iw)]    = W^T[ci, (co,kh,kw)] @ col(gradOut)[(co,kh,kw), (n,ih,iw)]
//   grad w:  gw[co, (ci,kh,kw)]   = gradOut[co, (n,oh,ow)] @ im2col(x)^T[(n,oh,ow), (ci,kh,kw)]
// grad w has a long K (batch x output pixels) and few tiles, so it splits K across z
// (split-K) into partial sums that the backend adds with a reduction.

import type { KernelSource } from "../pipelines";
import { binding } from "./common";
import { Tile, gemmKernel } from "./matmul";

/** Names of the conv parameter words after [M, N, K]; the backend writes them in this order. */
export const CONV_PARAMS = [
  "Nb", "Cin", "H", "W", "Cout", "OH", "OW", "KH", "KW", "sh", "sw", "ph", "pw", "dh", "dw",
  "Cin_g", "Cout_g", "splits",
  "xoff", "xs0", "xs1", "xs2", "xs3",
  "woff", "ws0", "ws1", "ws2", "ws3",
  "goff", "gs0", "gs1", "gs2", "gs3",
  "boff", "bs0",
] as const;
export type ConvParam = (typeof CONV_PARAMS)[number];

const p = (name: ConvParam) => `P[${3 + CONV_PARAMS.indexOf(name)}]`;

/** WGSL readers of the weight and output-gradient Views (the input is read inline, with padding). */
const W_AT = `
fn w_at(co: u32, ci: u32, kh: u32, kw: u32) -> f32 {
  return Wt[${p("woff")} + co * ${p("ws0")} + ci * ${p("ws1")} + kh * ${p("ws2")} + kw * ${p("ws3")}];
}`;
const G_AT = `
fn g_at(n: u32, co: u32, oh: u32, ow: u32) -> f32 {
  return GO[${p("goff")} + n * ${p("gs0")} + co * ${p("gs1")} + oh * ${p("gs2")} + ow * ${p("gs3")}];
}`;

export function convForwardKernel(tile: Tile, bias: boolean): KernelSource {
  const decls = [binding(1, "rw", "OUT", "f32"), binding(2, "read", "X", "f32"), binding(3, "read", "Wt", "f32")];
  if (bias) decls.push(binding(4, "read", "BIAS", "f32"));
  decls.push(W_AT, `
fn load_b(k: u32, xb: u32, ih0: i32, iw0: i32, g: u32) -> f32 {
  let khw = ${p("KH")} * ${p("KW")};
  let ci = k / khw; let r = k % khw;
  let ih = ih0 + i32((r / ${p("KW")}) * ${p("dh")});
  let iw = iw0 + i32((r % ${p("KW")}) * ${p("dw")});
  if (ih < 0 || iw < 0 || ih >= i32(${p("H")}) || iw >= i32(${p("W")})) { return 0.0; }
  return X[xb + (g * ${p("Cin_g")} + ci) * ${p("xs1")} + u32(ih) * ${p("xs2")} + u32(iw) * ${p("xs3")}];
}
fn load_a(co: u32, k: u32, g: u32) -> f32 {
  let khw = ${p("KH")} * ${p("KW")};
  let ci = k / khw; let r = k % khw;
  return w_at(g * ${p("Cout_g")} + co, ci, r / ${p("KW")}, r % ${p("KW")});
}`);
  return gemmKernel({
    decls,
    bindings: bias ? ["rw", "read", "read", "read"] : ["rw", "read", "read"],
    prelude: "  let g = z;",
    // Per column (n, oh, ow): the input plane's base and the window's top-left corner.
    colSetup: (c, t) => `  let ohw${t} = ${p("OH")} * ${p("OW")}; let n${t} = ${c} / ohw${t}; let q${t} = ${c} % ohw${t};
  let xb${t} = ${p("xoff")} + n${t} * ${p("xs0")};
  let ih${t} = i32((q${t} / ${p("OW")}) * ${p("sh")}) - i32(${p("ph")});
  let iw${t} = i32((q${t} % ${p("OW")}) * ${p("sw")}) - i32(${p("pw")});`,
    loadA: (r, k) => `load_a(${r}, ${k}, g)`,
    loadB: (k, _c, t) => `load_b(${k}, xb${t}, ih${t}, iw${t}, g)`,
    storeC: (r, c, v) => {
      const bi = bias ? ` + BIAS[${p("boff")} + co * ${p("bs0")}]` : "";
      return `let ohw = ${p("OH")} * ${p("OW")}; let n = ${c} / ohw; let q = ${c} % ohw; let co = g * ${p("Cout_g")} + ${r};
      OUT[(n * ${p("Cout")} + co) * ohw + q] = ${v}${bi};`;
    },
  }, tile);
}

export function convGradInputKernel(tile: Tile): KernelSource {
  const decls = [binding(1, "rw", "OUT", "f32"), binding(2, "read", "GO", "f32"), binding(3, "read", "Wt", "f32"),
    W_AT, `
fn load_a(ci: u32, k: u32, g: u32) -> f32 {
  let khw = ${p("KH")} * ${p("KW")};
  let co = k / khw; let r = k % khw;
  return w_at(g * ${p("Cout_g")} + co, ci, r / ${p("KW")}, r % ${p("KW")});
}
fn load_b(k: u32, gb: u32, ih: u32, iw: u32, g: u32) -> f32 {
  let khw = ${p("KH")} * ${p("KW")};
  let co = k / khw; let r = k % khw; let kh = r / ${p("KW")}; let kw = r % ${p("KW")};
  // Output pixel whose window puts tap (kh, kw) on (ih, iw), if there is one.
  let th = i32(ih + ${p("ph")}) - i32(kh * ${p("dh")});
  let tw = i32(iw + ${p("pw")}) - i32(kw * ${p("dw")});
  if (th < 0 || tw < 0) { return 0.0; }
  let uh = u32(th); let uw = u32(tw);
  if (uh % ${p("sh")} != 0u || uw % ${p("sw")} != 0u) { return 0.0; }
  let oh = uh / ${p("sh")}; let ow = uw / ${p("sw")};
  if (oh >= ${p("OH")} || ow >= ${p("OW")}) { return 0.0; }
  return GO[gb + (g * ${p("Cout_g")} + co) * ${p("gs1")} + oh * ${p("gs2")} + ow * ${p("gs3")}];
}`];
  return gemmKernel({
    decls,
    bindings: ["rw", "read", "read"],
    prelude: "  let g = z;",
    colSetup: (c, t) => `  let hw${t} = ${p("H")} * ${p("W")}; let q${t} = ${c} % hw${t};
  let gb${t} = ${p("goff")} + (${c} / hw${t}) * ${p("gs0")}; let ih${t} = q${t} / ${p("W")}; let iw${t} = q${t} % ${p("W")};`,
    loadA: (r, k) => `load_a(${r}, ${k}, g)`,
    loadB: (k, _c, t) => `load_b(${k}, gb${t}, ih${t}, iw${t}, g)`,
    storeC: (r, c, v) => `let hw = ${p("H")} * ${p("W")}; let n = ${c} / hw; let q = ${c} % hw;
      OUT[(n * ${p("Cin")} + g * ${p("Cin_g")} + ${r}) * hw + q] = ${v};`,
  }, tile);
}

/** Writes OUT[split][co][(ci,kh,kw)] (with splits == 1, straight into gw). */
export function convGradWeightKernel(tile: Tile): KernelSource {
  const decls = [binding(1, "rw", "OUT", "f32"), binding(2, "read", "GO", "f32"), binding(3, "read", "X", "f32"),
    G_AT, `
fn load_a(co: u32, k: u32, g: u32) -> f32 {
  let ohw = ${p("OH")} * ${p("OW")};
  let n = k / ohw; let q = k % ohw;
  return g_at(n, g * ${p("Cout_g")} + co, q / ${p("OW")}, q % ${p("OW")});
}
fn load_b(k: u32, cb: u32, kh: u32, kw: u32) -> f32 {
  let ohw = ${p("OH")} * ${p("OW")};
  let n = k / ohw; let q = k % ohw;
  let ih = i32((q / ${p("OW")}) * ${p("sh")} + kh * ${p("dh")}) - i32(${p("ph")});
  let iw = i32((q % ${p("OW")}) * ${p("sw")} + kw * ${p("dw")}) - i32(${p("pw")});
  if (ih < 0 || iw < 0 || ih >= i32(${p("H")}) || iw >= i32(${p("W")})) { return 0.0; }
  return X[cb + n * ${p("xs0")} + u32(ih) * ${p("xs2")} + u32(iw) * ${p("xs3")}];
}`];
  const BK = tile.BK;
  return gemmKernel({
    decls,
    bindings: ["rw", "read", "read"],
    prelude: `  let S = ${p("splits")}; let g = z / S; let split = z % S;`,
    kRange: `  let chunk = ((K + S - 1u) / S + ${BK - 1}u) / ${BK}u * ${BK}u;
  let k_begin = split * chunk; let k_end = min(K, k_begin + chunk);`,
    // Per column (ci, kh, kw): the input channel's base and the tap.
    colSetup: (c, t) => `  let khw${t} = ${p("KH")} * ${p("KW")}; let r${t} = ${c} % khw${t};
  let cb${t} = ${p("xoff")} + (g * ${p("Cin_g")} + ${c} / khw${t}) * ${p("xs1")};
  let kh${t} = r${t} / ${p("KW")}; let kw${t} = r${t} % ${p("KW")};`,
    loadA: (r, k) => `load_a(${r}, ${k}, g)`,
    loadB: (k, _c, t) => `load_b(${k}, cb${t}, kh${t}, kw${t})`,
    storeC: (r, c, v) => `let per = ${p("Cout")} * N;
      OUT[split * per + (g * ${p("Cout_g")} + ${r}) * N + ${c}] = ${v};`,
  }, tile);
}
