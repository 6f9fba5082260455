// runtime/tensor/functional.ts
// F: the functional forms (torch.nn.functional), with PyTorch's keyword arguments as an options
// object: F.conv2d(x, w, b, { stride: 2, padding: 1 }), F.crossEntropy(logits, y, { labelSmoothing: 0.1 }).
// nn modules (runtime/tensor/nn/) are thin wrappers over these. Composite ops run in scopedOp, so
// their intermediates return to the pool when they finish.

import type { Tensor } from "./tensor";
import * as X from "./ops_index";
import * as LA from "./ops_linalg";
import * as NN from "./ops_nn";
import * as L from "./ops_loss";
import { scopedOp } from "./memory";

export const F = {
  relu: (x: Tensor) => x.relu(),
  relu6: (x: Tensor) => x.clamp(0, 6),
  sigmoid: (x: Tensor) => x.sigmoid(),
  tanh: (x: Tensor) => x.tanh(),
  gelu: (x: Tensor, opts: { approximate?: "none" | "tanh" } = {}) => x.gelu(opts.approximate ?? "none"),
  silu: (x: Tensor) => x.silu(),
  softplus: (x: Tensor) => x.softplus(),
  leakyRelu: (x: Tensor, negativeSlope = 0.01) => x.leakyRelu(negativeSlope),
  elu: (x: Tensor, alpha = 1) => x.elu(alpha),
  softmax: (x: Tensor, dim: number) => x.softmax(dim),
  logSoftmax: (x: Tensor, dim: number) => x.logSoftmax(dim),
  linear: scopedOp(LA.linear),
  embedding: scopedOp((indices: Tensor, weight: Tensor) => X.embedding(indices, weight)),
  pad: scopedOp((x: Tensor, pad: readonly number[], opts: { mode?: "constant"; value?: number } = {}) => X.pad(x, pad, opts.value ?? 0)),
  dropout: scopedOp(NN.dropout),
  conv2d: NN.conv2d,
  maxPool2d: NN.maxPool2d,
  maxPool2dWithIndices: NN.maxPool2dWithIndices,
  avgPool2d: NN.avgPool2d,
  adaptiveAvgPool2d: scopedOp(NN.adaptiveAvgPool2d),
  batchNorm: scopedOp(NN.batchNorm),
  layerNorm: scopedOp(NN.layerNorm),
  normalize: scopedOp(NN.normalize),
  crossEntropy: scopedOp(L.crossEntropy),
  nllLoss: scopedOp(L.nllLoss),
  mseLoss: scopedOp(L.mseLoss),
  l1Loss: scopedOp(L.l1Loss),
  smoothL1Loss: scopedOp(L.smoothL1Loss),
  binaryCrossEntropy: scopedOp(L.binaryCrossEntropy),
  binaryCrossEntropyWithLogits: scopedOp(L.binaryCrossEntropyWithLogits),
  klDiv: scopedOp(L.klDiv),
  oneHot: scopedOp(L.oneHot),
};
