// runtime/tensor/index.ts
// The tensor library's public entry: `torch` (creation, math, random, grad modes, memory, autograd),
// `Tensor`, `F` (functional ops; nn modules build on it) and the error classes. Registers the
// reference CPU backend as "cpu" unless a faster one (the native backend) was registered first;
// runtime/index.ts registers the others.

import { hasBackend, registerBackend } from "./backend";
import { createCpuBackend } from "./cpu_native";
import * as creation from "./creation";
import * as E from "./ops_elementwise";
import * as R from "./ops_reduce";
import * as V from "./ops_view";
import * as X from "./ops_index";
import * as LA from "./ops_linalg";
import { F } from "./functional";
import { AutogradFunction, enableGrad, isGradEnabled, noGrad, runBackward, rootGradient, setGradEnabled, type BackwardOptions } from "./autograd";
import { dispose, keep, scopedOp, tidy } from "./memory";
import { manualSeed, Generator, defaultGenerator } from "./random";
import { getDefaultDevice, setDefaultDevice, withDevice } from "./kernels";
import { gradcheck } from "./gradcheck";
import { Tensor } from "./tensor";
import { getBackend, type DeviceName } from "./backend";
import { AutogradError } from "./errors";

// The native backend (cpu_native.ts) when its addon loads, else the reference with a one-line warning.
if (!hasBackend("cpu")) registerBackend("cpu", createCpuBackend);

/** torch.autograd.grad: gradients of outputs w.r.t. inputs, returned instead of accumulated. */
function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: BackwardOptions & { gradOutputs?: Tensor | (Tensor | undefined)[]; allowUnused?: boolean } = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const gos = opts.gradOutputs === undefined ? [] : Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs];
  for (const t of ins) if (!t.requiresGrad) throw new AutogradError("autograd.grad: an input does not require grad");
  const roots = outs.map((o, i) => rootGradient(o, gos[i], "autograd.grad"));
  const res = runBackward(outs, roots, opts, ins)!;
  if (!opts.allowUnused && res.some((r) => r === null))
    throw new AutogradError("autograd.grad: one of the inputs was not used to compute the outputs", "pass { allowUnused: true } to get null for it");
  return res;
}

export const autograd = { grad, backward: (ts: Tensor[], grads?: Tensor[], opts: BackwardOptions = {}) => runBackward(ts, ts.map((t, i) => rootGradient(t, grads?.[i])), opts), Function: AutogradFunction, gradcheck };

/** Free cached memory of a backend's pool and report what is live. */
function memory(device: DeviceName = getDefaultDevice()): { buffers: number; bytes: number } {
  return getBackend(device).memory();
}

export const torch = {
  ...creation,
  Tensor,
  Generator,
  defaultGenerator,
  manualSeed,
  // grad modes
  noGrad, enableGrad, setGradEnabled, isGradEnabled,
  // memory
  tidy, keep, dispose, memory,
  // devices
  setDefaultDevice, getDefaultDevice, withDevice,
  autograd, gradcheck,
  // math as functions (torch.add(a, b), torch.matmul(a, b), ...)
  add: E.add, sub: E.sub, mul: E.mul, div: E.div, pow: E.pow, maximum: E.maximum, minimum: E.minimum, where: E.where,
  clamp: E.clamp, neg: (x: Tensor) => x.neg(), exp: (x: Tensor) => x.exp(), log: (x: Tensor) => x.log(), sqrt: (x: Tensor) => x.sqrt(),
  abs: (x: Tensor) => x.abs(), sigmoid: (x: Tensor) => x.sigmoid(), tanh: (x: Tensor) => x.tanh(), relu: (x: Tensor) => x.relu(),
  sin: (x: Tensor) => x.sin(), cos: (x: Tensor) => x.cos(), square: (x: Tensor) => x.square(), erf: (x: Tensor) => x.erf(),
  sum: R.sum, mean: scopedOp(R.mean), amax: (x: Tensor, dim?: number | number[], keepdim = false) => R.amax(x, dim, keepdim, "amax"),
  amin: (x: Tensor, dim?: number | number[], keepdim = false) => R.amin(x, dim, keepdim, "amin"),
  argmax: (x: Tensor, dim?: number, keepdim = false) => x.argmax(dim, keepdim), argmin: (x: Tensor, dim?: number, keepdim = false) => x.argmin(dim, keepdim),
  logsumexp: scopedOp(R.logsumexp), softmax: (x: Tensor, dim: number) => x.softmax(dim), logSoftmax: (x: Tensor, dim: number) => x.logSoftmax(dim),
  cumsum: R.cumsum, topk: (x: Tensor, k: number, dim = -1, largest = true) => x.topk(k, dim, largest), sort: (x: Tensor, dim = -1, descending = false) => x.sort(dim, descending),
  matmul: scopedOp(LA.matmul), mm: scopedOp(LA.matmul), bmm: scopedOp(LA.matmul),
  cat: V.cat, concat: V.cat, stack: scopedOp(V.stack), reshape: V.reshape, flatten: (x: Tensor, s = 0, e = -1) => x.flatten(s, e),
  transpose: V.transpose, permute: V.permute, squeeze: V.squeeze, unsqueeze: V.unsqueeze, narrow: V.narrow,
  split: V.split, chunk: V.chunk, indexSelect: X.indexSelect, gather: X.gather, scatterAdd: X.scatterAdd,
  eq: E.compare.bind(null, "eq"), ne: E.compare.bind(null, "ne"), lt: E.compare.bind(null, "lt"), le: E.compare.bind(null, "le"), gt: E.compare.bind(null, "gt"), ge: E.compare.bind(null, "ge"),
  logicalNot: E.logicalNot,
};

export { Tensor, F, AutogradFunction, gradcheck, tidy, keep, dispose, noGrad, enableGrad, manualSeed, setDefaultDevice };
export { ShapeError, DTypeError, DeviceError, AutogradError, TensorError } from "./errors";
export { CpuBackend } from "./cpu";
export type { DType } from "./dtype";
export type { DeviceName } from "./backend";
export type { NestedArray } from "./print";
export type { CreateOptions } from "./creation";
