// test/tensor/torch_ref.test.ts
// Every case of the PyTorch reference file except optimizer/model_step (covered by the optim
// tests): build the inputs, call our op (one table maps PyTorch names and kwargs to our API),
// compare the outputs, then backward sum(outputs * cotangents) and compare the input gradients,
// with the file's tolerance |got - want| <= 1e-4 + 1e-4 * |want|. Runs once per backend.

import assert from "node:assert/strict";
import { torch, F, type Tensor } from "../../runtime/tensor/index";
import type { DeviceName } from "../../runtime/tensor/backend";
import { forEachBackend } from "../helpers/backends";
import { assertClose } from "../helpers/gradcheck";
import { caseName, isRefTensor, loadReference, toTensor, type RefCase, type RefTensor } from "../helpers/torch_ref";

type Arg = Tensor | number | number[] | string | boolean | null;
type Kw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type OpFn = (args: Arg[], kw: Kw) => Tensor | Tensor[];

const T = (a: Arg) => a as Tensor;
const unary = (f: (x: Tensor) => Tensor): OpFn => ([x]) => f(T(x));
const binary = (f: (a: Tensor, b: Tensor | number) => Tensor): OpFn => ([a, b]) => f(T(a), b as Tensor | number);
const reduction = (f: (x: Tensor, dim: number | number[] | undefined, keepdim: boolean) => Tensor): OpFn =>
  ([x], kw) => f(T(x), kw.dim, kw.keepdim ?? false);

/** PyTorch op name -> our call. Keyword names follow PyTorch's spelling in the file. */
const OPS: Record<string, OpFn> = {
  neg: unary((x) => x.neg()), exp: unary((x) => x.exp()), log: unary((x) => x.log()), sqrt: unary((x) => x.sqrt()),
  rsqrt: unary((x) => x.rsqrt()), abs: unary((x) => x.abs()), sigmoid: unary((x) => x.sigmoid()), tanh: unary((x) => x.tanh()),
  relu: unary((x) => F.relu(x)), sin: unary((x) => x.sin()), cos: unary((x) => x.cos()), square: unary((x) => x.square()),
  reciprocal: unary((x) => x.reciprocal()), silu: unary((x) => F.silu(x)), softplus: unary((x) => F.softplus(x)),
  log1p: unary((x) => x.log1p()), erf: unary((x) => x.erf()),
  gelu: ([x], kw) => F.gelu(T(x), { approximate: kw.approximate ?? "none" }),
  leaky_relu: ([x], kw) => F.leakyRelu(T(x), kw.negative_slope),
  elu: ([x], kw) => F.elu(T(x), kw.alpha),
  clamp: ([x], kw) => T(x).clamp(kw.min, kw.max),
  pow: binary((a, b) => torch.pow(a, b)),
  add: binary((a, b) => torch.add(a, b)), sub: binary((a, b) => torch.sub(a, b)), mul: binary((a, b) => torch.mul(a, b)),
  div: binary((a, b) => torch.div(a, b)),
  maximum: binary((a, b) => torch.maximum(a, b as Tensor)), minimum: binary((a, b) => torch.minimum(a, b as Tensor)),
  where: ([c, a, b]) => torch.where(T(c), T(a), T(b)),
  sum: reduction((x, d, k) => x.sum(d, k)), mean: reduction((x, d, k) => x.mean(d, k)),
  amax: reduction((x, d, k) => x.amax(d, k)), amin: reduction((x, d, k) => x.amin(d, k)),
  argmax: ([x], kw) => T(x).argmax(kw.dim, kw.keepdim ?? false),
  var: ([x], kw) => T(x).var(kw.dim, { unbiased: kw.unbiased, correction: kw.correction, keepdim: kw.keepdim }),
  std: ([x], kw) => T(x).std(kw.dim, { unbiased: kw.unbiased, correction: kw.correction, keepdim: kw.keepdim }),
  logsumexp: ([x], kw) => T(x).logsumexp(kw.dim, kw.keepdim ?? false),
  softmax: ([x], kw) => F.softmax(T(x), kw.dim),
  log_softmax: ([x], kw) => F.logSoftmax(T(x), kw.dim),
  cumsum: ([x], kw) => T(x).cumsum(kw.dim),
  norm: ([x], kw) => T(x).norm(kw.p ?? 2, kw.dim, kw.keepdim ?? false),
  reshape: ([x], kw) => T(x).reshape(kw.shape),
  transpose: ([x], kw) => T(x).transpose(kw.dim0, kw.dim1),
  permute: ([x], kw) => T(x).permute(kw.dims),
  expand: ([x], kw) => T(x).expand(kw.size),
  cat: (ts, kw) => torch.cat(ts as Tensor[], kw.dim),
  stack: (ts, kw) => torch.stack(ts as Tensor[], kw.dim),
  flatten: ([x], kw) => T(x).flatten(kw.start_dim ?? 0, kw.end_dim ?? -1),
  unsqueeze: ([x], kw) => T(x).unsqueeze(kw.dim),
  squeeze: ([x], kw) => T(x).squeeze(kw.dim),
  narrow: ([x], kw) => T(x).narrow(kw.dim, kw.start, kw.length),
  index_select: ([x, dim, idx]) => T(x).indexSelect(dim as number, T(idx)),
  gather: ([x, dim, idx]) => T(x).gather(dim as number, T(idx)),
  pad: ([x], kw) => F.pad(T(x), kw.pad, { value: kw.value ?? 0 }),
  matmul: ([a, b]) => T(a).matmul(T(b)),
  linear: ([x, w, b]) => F.linear(T(x), T(w), b as Tensor | null),
  conv2d: ([x, w, b], kw) => F.conv2d(T(x), T(w), (b ?? null) as Tensor | null, { stride: kw.stride, padding: kw.padding, dilation: kw.dilation, groups: kw.groups }),
  max_pool2d: ([x], kw) => F.maxPool2d(T(x), { kernelSize: kw.kernel_size, stride: kw.stride, padding: kw.padding, dilation: kw.dilation, ceilMode: kw.ceil_mode }),
  avg_pool2d: ([x], kw) => F.avgPool2d(T(x), { kernelSize: kw.kernel_size, stride: kw.stride, padding: kw.padding, ceilMode: kw.ceil_mode, countIncludePad: kw.count_include_pad }),
  adaptive_avg_pool2d: ([x], kw) => F.adaptiveAvgPool2d(T(x), kw.output_size),
  // call: F.batch_norm(x, None, None, weight, bias, training=True, eps=eps)
  batch_norm: ([x, w, b], kw) => F.batchNorm(T(x), null, null, { weight: T(w), bias: T(b), training: true, eps: kw.eps }),
  // call: F.layer_norm(x, [last dim], weight, bias, eps=eps)
  layer_norm: ([x, w, b], kw) => F.layerNorm(T(x), [T(x).shape[T(x).ndim - 1]], T(w), T(b), kw.eps),
  embedding: ([idx, w]) => F.embedding(T(idx), T(w)),
  cross_entropy: ([x, t], kw) => F.crossEntropy(T(x), T(t), { labelSmoothing: kw.label_smoothing, reduction: kw.reduction, ignoreIndex: kw.ignore_index }),
  nll_loss: ([x, t], kw) => F.nllLoss(T(x), T(t), { reduction: kw.reduction, ignoreIndex: kw.ignore_index }),
  mse_loss: ([a, b], kw) => F.mseLoss(T(a), T(b), { reduction: kw.reduction }),
  l1_loss: ([a, b], kw) => F.l1Loss(T(a), T(b), { reduction: kw.reduction }),
  smooth_l1_loss: ([a, b], kw) => F.smoothL1Loss(T(a), T(b), { reduction: kw.reduction, beta: kw.beta }),
  binary_cross_entropy_with_logits: ([a, b], kw) => F.binaryCrossEntropyWithLogits(T(a), T(b), { reduction: kw.reduction }),
  binary_cross_entropy: ([a, b], kw) => F.binaryCrossEntropy(T(a), T(b), { reduction: kw.reduction }),
  kl_div: ([a, b], kw) => F.klDiv(T(a), T(b), { reduction: kw.reduction, logTarget: kw.log_target }),
};

const SKIP_OPS = new Set(["optimizer", "model_step"]); // optimizer steps: test/tensor/optim.test.ts
const ref = loadReference();
const cases = ref.cases.filter((c) => !SKIP_OPS.has(c.op));

async function runCase(c: RefCase, device: DeviceName): Promise<void> {
  const fn = OPS[c.op];
  assert.ok(fn, `no mapping for reference op ${c.op}`);
  const inputs: Arg[] = c.inputs.map((v, i) => (isRefTensor(v) ? toTensor(v, device, !!c.grads?.[i]) : (v as Arg)));
  const result = fn(inputs, c.kwargs);
  const outs = Array.isArray(result) ? result : [result];
  assert.equal(outs.length, c.outputs.length, "number of outputs");
  for (let k = 0; k < outs.length; k++) {
    assert.deepEqual(outs[k].shape, c.outputs[k].shape, `output ${k} shape`);
    assertClose(await outs[k].toArray(), c.outputs[k].data, 1e-4, 1e-4, `output ${k}`);
  }
  if (!c.grads || !c.cotangents) return;
  let loss: Tensor | null = null;
  outs.forEach((o, k) => {
    const term = o.mul(toTensor(c.cotangents![k], device)).sum();
    loss = loss ? loss.add(term) : term;
  });
  loss!.backward();
  for (let i = 0; i < c.grads.length; i++) {
    const want: RefTensor | null = c.grads[i];
    if (!want) continue;
    const got = (inputs[i] as Tensor).grad;
    assert.ok(got, `input ${i} received no gradient`);
    assert.deepEqual(got.shape, want.shape, `grad ${i} shape`);
    assertClose(await got.toArray(), want.data, 1e-4, 1e-4, `grad of input ${i}`);
  }
}

describe("torch reference (test/fixtures/torch-ops.json)", () => {
  it("the file has cases for every op in the table and the table covers every case", () => {
    const missing = [...new Set(cases.map((c) => c.op))].filter((op) => !OPS[op]);
    assert.deepEqual(missing, []);
  });
  forEachBackend((device) => {
    for (const c of cases) it(caseName(c), () => runCase(c, device));
  });
});
