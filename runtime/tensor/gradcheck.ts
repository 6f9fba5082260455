// runtime/tensor/gradcheck.ts
// torch.autograd.gradcheck: compare the Jacobian autograd computes with central finite
// differences. Use float64 CPU inputs; float32 differences are too noisy for tight tolerances.

import { noGrad, runBackward } from "./autograd";
import { AutogradError } from "./errors";
import { fromData } from "./kernels";
import type { Tensor } from "./tensor";

/** Options of gradcheck: eps (1e-6, the finite-difference step), atol (1e-5), rtol (1e-3). */
export interface GradcheckOptions { eps?: number; atol?: number; rtol?: number }

function outputsOf(r: Tensor | Tensor[]): Tensor[] { return Array.isArray(r) ? r : [r]; }

function fmt(values: ArrayLike<number>): string {
  return `[${Array.from(values, (v) => Number(v.toPrecision(6))).join(", ")}]`;
}

/**
 * Throws AutogradError("Jacobian mismatch for output i with respect to input j\nnumerical: [...]\nanalytical: [...]")
 * on the first mismatch; returns true when every Jacobian agrees within atol + rtol * |numerical|.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor | Tensor[], inputs: Tensor[], opts: GradcheckOptions = {}): true {
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  for (const x of inputs) if (x.requiresGrad && !x._isWholeStorage()) throw new AutogradError("gradcheck: inputs must be contiguous tensors that own their storage", "pass x.clone().detach().requiresGrad_()");

  // Analytical: one backward per output element, with a one-hot gradient.
  const outs = outputsOf(fn(...inputs));
  const sizes = outs.map((o) => o.numel());
  const analytical = inputs.map((x) => outs.map((_, oi) => new Float64Array(sizes[oi] * x.numel())));
  const diff = inputs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  outs.forEach((o, oi) => {
    if (!o.requiresGrad) return;
    for (let j = 0; j < sizes[oi]; j++) {
      const onehot = new Float64Array(sizes[oi]);
      onehot[j] = 1;
      const g = fromData(onehot, o.shape, o.dtype, o.device);
      const grads = runBackward([o], [g], { retainGraph: true }, diff.map((i) => inputs[i]))!;
      diff.forEach((xi, k) => {
        const gi = grads[k];
        if (!gi) return;
        const vals = gi.dataSync(), n = inputs[xi].numel();
        for (let e = 0; e < n; e++) analytical[xi][oi][e * sizes[oi] + j] = vals[e];
      });
    }
  });

  // Numerical: central differences, one input element at a time.
  for (const xi of diff) {
    const x = inputs[xi], n = x.numel(), backend = x._backend();
    const base = x.dataSync();
    const work = base.slice();
    const numerical = outs.map((_, oi) => new Float64Array(sizes[oi] * n));
    const evalAt = (e: number, v: number): Float64Array[] => {
      work[e] = v;
      backend.write(x.buf, work);
      const r = noGrad(() => outputsOf(fn(...inputs)).map((o) => Float64Array.from(o.dataSync())));
      work[e] = base[e];
      backend.write(x.buf, work);
      return r;
    };
    for (let e = 0; e < n; e++) {
      const plus = evalAt(e, base[e] + eps), minus = evalAt(e, base[e] - eps);
      for (let oi = 0; oi < outs.length; oi++)
        for (let j = 0; j < sizes[oi]; j++) numerical[oi][e * sizes[oi] + j] = (plus[oi][j] - minus[oi][j]) / (2 * eps);
    }
    for (let oi = 0; oi < outs.length; oi++) {
      const a = analytical[xi][oi], num = numerical[oi];
      for (let k = 0; k < a.length; k++) {
        if (!(Math.abs(a[k] - num[k]) <= atol + rtol * Math.abs(num[k])))
          throw new AutogradError(`Jacobian mismatch for output ${oi} with respect to input ${xi}\nnumerical: ${fmt(num)}\nanalytical: ${fmt(a)}`);
      }
    }
  }
  return true;
}
