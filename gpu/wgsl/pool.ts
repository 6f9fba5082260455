// gpu/wgsl/pool.ts
// 2-D max and average pooling over NCHW float32 Views, forward and backward. Forward is one thread
// per output. Max-pool backward scatters each gradient to its recorded index with a float atomic
// add (the Backend contract gives it no window geometry, and windows may overlap); avg-pool
// backward gathers, one thread per input element, so it needs no atomics.

import type { KernelSource } from "../pipelines";
import { PARAMS, SPECIALS, binding, entry1d } from "./common";

export const POOL_WG = 128;

/** Params shared by the pooling kernels (names -> word index). */
export const POOL_PARAMS = [
  "n", "C", "H", "W", "OH", "OW", "kh", "kw", "sh", "sw", "ph", "pw", "dh", "dw", "includePad",
  "xoff", "xs0", "xs1", "xs2", "xs3",
] as const;
const p = (name: (typeof POOL_PARAMS)[number]) => `P[${POOL_PARAMS.indexOf(name)}]`;

/** gid -> (n, c, oh, ow) of a contiguous [N, C, OH, OW] output. */
const OUT_COORDS = `  let ow = gid % ${p("OW")}; let t1 = gid / ${p("OW")};
  let oh = t1 % ${p("OH")}; let t2 = t1 / ${p("OH")};
  let c = t2 % ${p("C")}; let n = t2 / ${p("C")};
  let xb = ${p("xoff")} + n * ${p("xs0")} + c * ${p("xs1")};`;

export function maxPoolKernel(): KernelSource {
  const body = `  if (gid >= ${p("n")}) { return; }
${OUT_COORDS}
  let h0 = i32(oh * ${p("sh")}) - i32(${p("ph")});
  let w0 = i32(ow * ${p("sw")}) - i32(${p("pw")});
  var best = -inf_();
  var bi = -1;
  for (var i = 0u; i < ${p("kh")}; i++) {
    let ih = h0 + i32(i * ${p("dh")});
    if (ih < 0 || ih >= i32(${p("H")})) { continue; }
    for (var j = 0u; j < ${p("kw")}; j++) {
      let iw = w0 + i32(j * ${p("dw")});
      if (iw < 0 || iw >= i32(${p("W")})) { continue; }
      let v = X[xb + u32(ih) * ${p("xs2")} + u32(iw) * ${p("xs3")}];
      let idx = ih * i32(${p("W")}) + iw;
      // First maximum wins; NaN propagates (as PyTorch: val > max || isnan(val)); isnan_ tests
      // the bits, since WGSL lets "v != v" fold to false.
      if (bi < 0 || v > best || isnan_(v)) { best = v; bi = idx; }
    }
  }
  OUT[gid] = best;
  IDX[gid] = bi;`;
  const code = [PARAMS, binding(1, "rw", "OUT", "f32"), binding(2, "rw", "IDX", "i32"), binding(3, "read", "X", "f32"),
    SPECIALS, entry1d(POOL_WG, body)].join("\n");
  return { code, bindings: ["rw", "rw", "read"], workgroupSize: POOL_WG };
}

/** gx (zeroed first) += gradOut at each recorded index. Params: [n, C, OH, OW, plane (H*W),
 * goff, gs0..3, ioff, is0..3]. */
export function maxPoolBackwardKernel(): KernelSource {
  const body = `  if (gid >= P[0]) { return; }
  let ow = gid % P[3]; let t1 = gid / P[3]; let oh = t1 % P[2]; let t2 = t1 / P[2];
  let c = t2 % P[1]; let n = t2 / P[1];
  let g = GO[P[5] + n * P[6] + c * P[7] + oh * P[8] + ow * P[9]];
  let idx = IDX[P[10] + n * P[11] + c * P[12] + oh * P[13] + ow * P[14]];
  if (idx < 0) { return; }
  let dst = t2 * P[4] + u32(idx);
  var old = atomicLoad(&GX[dst]);
  loop {
    let r = atomicCompareExchangeWeak(&GX[dst], old, bitcast<u32>(bitcast<f32>(old) + g));
    if (r.exchanged) { break; }
    old = r.old_value;
  }`;
  const code = [PARAMS, binding(1, "rw", "GX", "atomic<u32>"), binding(2, "read", "GO", "f32"), binding(3, "read", "IDX", "i32"),
    entry1d(POOL_WG, body)].join("\n");
  return { code, bindings: ["rw", "read", "read"], workgroupSize: POOL_WG };
}

/** PyTorch's avg_pool2d window: [hs, he) x [ws, we) clipped to the input, and its divisor. */
const AVG_WINDOW = `
fn window(oh: u32, ow: u32) -> vec4<i32> {
  let hs = i32(oh * ${p("sh")}) - i32(${p("ph")});
  let ws = i32(ow * ${p("sw")}) - i32(${p("pw")});
  return vec4<i32>(hs, ws, min(hs + i32(${p("kh")}), i32(${p("H")} + ${p("ph")})), min(ws + i32(${p("kw")}), i32(${p("W")} + ${p("pw")})));
}
fn divisor(w: vec4<i32>) -> f32 {
  let hs = max(w.x, 0); let ws = max(w.y, 0);
  let he = min(w.z, i32(${p("H")})); let we = min(w.w, i32(${p("W")}));
  if (${p("includePad")} != 0u) { return f32((w.z - w.x) * (w.w - w.y)); }
  return f32((he - hs) * (we - ws));
}`;

export function avgPoolKernel(): KernelSource {
  const body = `  if (gid >= ${p("n")}) { return; }
${OUT_COORDS}
  let w = window(oh, ow);
  var s = 0.0;
  for (var ih = max(w.x, 0); ih < min(w.z, i32(${p("H")})); ih++) {
    for (var iw = max(w.y, 0); iw < min(w.w, i32(${p("W")})); iw++) {
      s += X[xb + u32(ih) * ${p("xs2")} + u32(iw) * ${p("xs3")}];
    }
  }
  OUT[gid] = s / divisor(w);`;
  const code = [PARAMS, binding(1, "rw", "OUT", "f32"), binding(2, "read", "X", "f32"), AVG_WINDOW,
    entry1d(POOL_WG, body)].join("\n");
  return { code, bindings: ["rw", "read"], workgroupSize: POOL_WG };
}

/** One thread per input element; the x* params describe gradOut ([N, C, OH, OW] View) here. */
export function avgPoolBackwardKernel(): KernelSource {
  const body = `  if (gid >= ${p("n")}) { return; }
  let iw = i32(gid % ${p("W")}); let t1 = gid / ${p("W")};
  let ih = i32(t1 % ${p("H")}); let t2 = t1 / ${p("H")};
  let c = t2 % ${p("C")}; let n = t2 / ${p("C")};
  let gb = ${p("xoff")} + n * ${p("xs0")} + c * ${p("xs1")};
  let sh = i32(${p("sh")}); let sw = i32(${p("sw")});
  let th = ih + i32(${p("ph")}) - i32(${p("kh")}) + 1;
  let tw = iw + i32(${p("pw")}) - i32(${p("kw")}) + 1;
  let oh0 = select(0, (th + sh - 1) / sh, th > 0);
  let ow0 = select(0, (tw + sw - 1) / sw, tw > 0);
  let oh1 = min(i32(${p("OH")}) - 1, (ih + i32(${p("ph")})) / sh);
  let ow1 = min(i32(${p("OW")}) - 1, (iw + i32(${p("pw")})) / sw);
  var s = 0.0;
  for (var oh = oh0; oh <= oh1; oh++) {
    for (var ow = ow0; ow <= ow1; ow++) {
      let w = window(u32(oh), u32(ow));
      if (ih >= w.x && ih < w.z && iw >= w.y && iw < w.w) {
        s += GO[gb + u32(oh) * ${p("xs2")} + u32(ow) * ${p("xs3")}] / divisor(w);
      }
    }
  }
  GX[gid] = s;`;
  const code = [PARAMS, binding(1, "rw", "GX", "f32"), binding(2, "read", "GO", "f32"), AVG_WINDOW,
    entry1d(POOL_WG, body)].join("\n");
  return { code, bindings: ["rw", "read"], workgroupSize: POOL_WG };
}
