// runtime/tensor/cpu/gemm.ts
// The reference backend's matrix multiply over strided operands, shared by matmul (reference.ts)
// and im2col convolution (nn.ts). Plain loops: the native backend's GEMM is oneDNN's.

import type { TypedArray } from "../dtype";

/**
 * o[oOff + i*n + j] = sum_k a[aOff + i*sam + k*sak] * b[bOff + k*sbk + j*sbn]. Loop order follows
 * the strides: i-k-j (rows of b contiguous) or i-j-k (b transposed, a dot product per output).
 */
export function gemm(a: TypedArray, aOff: number, sam: number, sak: number, b: TypedArray, bOff: number, sbk: number, sbn: number,
  o: TypedArray, oOff: number, m: number, k: number, n: number): void {
  if (sbn === 1 || sbk !== 1) {
    for (let i = 0; i < m; i++) {
      const oi = oOff + i * n;
      for (let j = 0; j < n; j++) o[oi + j] = 0;
      for (let p = 0; p < k; p++) {
        const av = a[aOff + i * sam + p * sak];
        const bi = bOff + p * sbk;
        if (sbn === 1) for (let j = 0; j < n; j++) o[oi + j] += av * b[bi + j];
        else for (let j = 0; j < n; j++) o[oi + j] += av * b[bi + j * sbn];
      }
    }
  } else {
    for (let i = 0; i < m; i++) {
      const ai = aOff + i * sam, oi = oOff + i * n;
      for (let j = 0; j < n; j++) {
        const bj = bOff + j * sbn;
        let acc = 0;
        for (let p = 0; p < k; p++) acc += a[ai + p * sak] * b[bj + p];
        o[oi + j] = acc;
      }
    }
  }
}
