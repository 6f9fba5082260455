// gpu/wgsl/index.ts
// gather and scatterAdd along one dim (torch.gather / Tensor.scatter_add_). Both run one thread
// per index element. scatterAdd into float32 uses a compare-and-swap loop on the bits (WGSL has
// atomic add only for integers); the order of adds into one element is unspecified, so sums of
// colliding floats may differ from the CPU in the last bits.

import type { DType } from "../../runtime/tensor/backend";
import type { KernelSource } from "../pipelines";
import { PARAMS, binding, entry1d, storageType, stridedOffsets } from "./common";

export const INDEX_WG = 128;

/** Params: [n, shape[r], xoff, xstride[r] (0 at dim), ioff, istride[r], xstrideDim, xsizeDim]. */
export function gatherKernel(dtype: DType, rank: number): KernelSource {
  const xAt = 1 + rank;
  const iAt = xAt + 1 + rank;
  const tail = iAt + 1 + rank;
  const body = `  if (gid >= P[0]) { return; }
${stridedOffsets("gid", rank, 1, [{ name: "xi", offAt: xAt, strideAt: xAt + 1 }, { name: "ii", offAt: iAt, strideAt: iAt + 1 }])}
  let size = i32(P[${tail + 1}]);
  // Negative indices count from the end (as the CPU backend); out-of-range ones are clamped, since
  // a shader cannot throw: the engine checks ranges where it needs the error.
  let raw = IDX[ii];
  let j = u32(clamp(select(raw, raw + size, raw < 0i), 0i, size - 1i));
  OUT[gid] = X[xi + j * P[${tail}]];`;
  const t = storageType(dtype);
  const code = [PARAMS, binding(1, "rw", "OUT", t), binding(2, "read", "X", t), binding(3, "read", "IDX", "i32"),
    entry1d(INDEX_WG, body)].join("\n");
  return { code, bindings: ["rw", "read", "read"], workgroupSize: INDEX_WG };
}

/** Params: [n, ishape[r], 0, tstride[r] (0 at dim), ioff, istride[r], soff, sstride[r], tstrideDim, tsizeDim]. */
export function scatterAddKernel(dtype: DType, rank: number): KernelSource {
  const tAt = 1 + rank;
  const iAt = tAt + 1 + rank;
  const sAt = iAt + 1 + rank;
  const tail = sAt + 1 + rank;
  const float = dtype === "float32";
  const add = float
    ? `  var old = atomicLoad(&T[ti]);
  loop {
    let r = atomicCompareExchangeWeak(&T[ti], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }`
    : "  atomicAdd(&T[ti], v);";
  const body = `  if (gid >= P[0]) { return; }
${stridedOffsets("gid", rank, 1, [
    { name: "tb", offAt: tAt, strideAt: tAt + 1 }, { name: "ii", offAt: iAt, strideAt: iAt + 1 }, { name: "si", offAt: sAt, strideAt: sAt + 1 }])}
  let size = i32(P[${tail + 1}]);
  let raw = IDX[ii];
  let j = u32(clamp(select(raw, raw + size, raw < 0i), 0i, size - 1i));
  let ti = tb + j * P[${tail}];
  let v = S[si];
${add}`;
  const code = [PARAMS, binding(1, "rw", "T", float ? "atomic<u32>" : "atomic<i32>"), binding(2, "read", "IDX", "i32"),
    binding(3, "read", "S", float ? "f32" : "i32"), entry1d(INDEX_WG, body)].join("\n");
  return { code, bindings: ["rw", "read", "read"], workgroupSize: INDEX_WG };
}
