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

/** torch.nn.functional in camelCase: activations, softmax, linear, conv2d, pooling, normalisation, dropout, losses.
 * PyTorch's keyword arguments go in an options object last: `F.conv2d(x, w, b, { stride: 2, padding: 1 })`.
 * @example const loss = F.crossEntropy(model.forward(x), y, { labelSmoothing: 0.1 }); */
export const F = {
  /** Element-wise max(x, 0) (F.relu). Shapes: `[*] -> [*]`.
   * @example const h = F.relu(x); */
  relu: (x: Tensor) => x.relu(),
  /** Element-wise min(max(x, 0), 6) (F.relu6). Shapes: `[*] -> [*]`.
   * @example const h = F.relu6(x); */
  relu6: (x: Tensor) => x.clamp(0, 6),
  /** Element-wise 1 / (1 + e^-x) (F.sigmoid). Shapes: `[*] -> [*]`.
   * @example const p = F.sigmoid(logits); */
  sigmoid: (x: Tensor) => x.sigmoid(),
  /** Element-wise hyperbolic tangent (F.tanh). Shapes: `[*] -> [*]`.
   * @example const h = F.tanh(x); */
  tanh: (x: Tensor) => x.tanh(),
  /** Element-wise GELU, x * Phi(x); `approximate: "tanh"` for the tanh form (F.gelu). Shapes: `[*] -> [*]`.
   * @example const h = F.gelu(x, { approximate: "tanh" }); */
  gelu: (x: Tensor, opts: { approximate?: "none" | "tanh" } = {}) => x.gelu(opts.approximate ?? "none"),
  /** Element-wise x * sigmoid(x) (F.silu). Shapes: `[*] -> [*]`.
   * @example const h = F.silu(x); */
  silu: (x: Tensor) => x.silu(),
  /** Element-wise log(1 + e^x) (F.softplus with beta 1; no beta/threshold options). Shapes: `[*] -> [*]`.
   * @example const y = F.softplus(x); */
  softplus: (x: Tensor) => x.softplus(),
  /** Element-wise x if x > 0, else negativeSlope * x (F.leaky_relu; negativeSlope a plain argument, default 0.01). Shapes: `[*] -> [*]`.
   * @example const h = F.leakyRelu(x, 0.2); */
  leakyRelu: (x: Tensor, negativeSlope = 0.01) => x.leakyRelu(negativeSlope),
  /** Element-wise x if x > 0, else alpha * (e^x - 1) (F.elu; alpha a plain argument, default 1). Shapes: `[*] -> [*]`.
   * @example const h = F.elu(x); */
  elu: (x: Tensor, alpha = 1) => x.elu(alpha),
  /** Softmax along dim, computed stably (F.softmax; dim is required). Shapes: `[*] -> [*]`.
   * @example const probs = F.softmax(logits, -1); // [N, C] -> [N, C], rows sum to 1 */
  softmax: (x: Tensor, dim: number) => x.softmax(dim),
  /** log(softmax(x)) along dim, computed stably (F.log_softmax). Shapes: `[*] -> [*]`.
   * @example const logp = F.logSoftmax(logits, 1); */
  logSoftmax: (x: Tensor, dim: number) => x.logSoftmax(dim),
  /** x @ weight^T + bias (F.linear), weight stored [out, in] as nn.Linear does.
   * Shapes: `x: [*, in]`, `weight: [out, in]`, `bias: [out]` -> `[*, out]`.
   * @example const y = F.linear(x, w, b); // [32, 784] -> [32, 10] with w: [10, 784] */
  linear: scopedOp(LA.linear),
  /** Rows of weight picked by integer indices (F.embedding; no paddingIdx/maxNorm options here, see nn.Embedding).
   * Shapes: `indices: [*]` (int32), `weight: [num, dim]` -> `[*, dim]`.
   * @example const e = F.embedding(tokens, table); // [B, T] -> [B, T, D] */
  embedding: scopedOp((indices: Tensor, weight: Tensor) => X.embedding(indices, weight)),
  /** Constant padding (F.pad, mode "constant" only): pad = [left, right, top, bottom, ...] from the last dim backwards.
   * Shapes: `[*, H, W]` with pad [l, r, t, b] -> `[*, H + t + b, W + l + r]`.
   * @example const y = F.pad(x, [1, 1, 1, 1], { value: 0 }); */
  pad: scopedOp((x: Tensor, pad: readonly number[], opts: { mode?: "constant"; value?: number } = {}) => X.pad(x, pad, opts.value ?? 0)),
  /** Zero elements with probability p and scale the rest by 1 / (1 - p) while `training` (F.dropout; p and training are plain arguments, defaults 0.5 and true).
   * Shapes: `[*] -> [*]`.
   * @example const h = F.dropout(x, 0.1, model.training); */
  dropout: scopedOp(NN.dropout),
  /** 2-d convolution over a batch of images (F.conv2d). Options: stride, padding (a number, a pair, "valid" or "same"), dilation, groups.
   * Shapes: `x: [N, C_in, H, W]` (or unbatched `[C_in, H, W]`), `weight: [C_out, C_in / groups, kH, kW]`, `bias: [C_out]` -> `[N, C_out, H_out, W_out]`,
   * with `H_out = floor((H + 2 * padding - dilation * (kH - 1) - 1) / stride) + 1` (W_out likewise).
   * @example const y = F.conv2d(x, w, b, { stride: 1, padding: 1 }); // [8, 3, 32, 32], w [16, 3, 3, 3] -> [8, 16, 32, 32] */
  conv2d: NN.conv2d,
  /** 2-d max pooling (F.max_pool2d): a kernel size, or options { kernelSize, stride (= kernelSize), padding, dilation, ceilMode }.
   * Shapes: `[N, C, H, W]` (or `[C, H, W]`) -> `[N, C, H_out, W_out]`, `H_out = floor((H + 2 * padding - dilation * (k - 1) - 1) / stride) + 1`.
   * @example const y = F.maxPool2d(x, 2); // [N, C, 28, 28] -> [N, C, 14, 14] */
  maxPool2d: NN.maxPool2d,
  /** 2-d max pooling that also returns the int32 flat index (within each H x W plane) of every maximum (F.max_pool2d with return_indices).
   * Shapes: `[N, C, H, W]` -> values and indices `[N, C, H_out, W_out]`.
   * @example const { values, indices } = F.maxPool2dWithIndices(x, { kernelSize: 2 }); */
  maxPool2dWithIndices: NN.maxPool2dWithIndices,
  /** 2-d average pooling (F.avg_pool2d): a kernel size, or options { kernelSize, stride (= kernelSize), padding, ceilMode, countIncludePad }.
   * Shapes: `[N, C, H, W]` (or `[C, H, W]`) -> `[N, C, H_out, W_out]`, `H_out = floor((H + 2 * padding - k) / stride) + 1`.
   * @example const y = F.avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1 }); */
  avgPool2d: NN.avgPool2d,
  /** Average pooling to a fixed output size, windows as PyTorch's (F.adaptive_avg_pool2d).
   * Shapes: `[N, C, H, W]` -> `[N, C, outH, outW]` (outputSize a number or [outH, outW]).
   * @example const g = F.adaptiveAvgPool2d(x, 1); // global average pool: [N, C, H, W] -> [N, C, 1, 1] */
  adaptiveAvgPool2d: scopedOp(NN.adaptiveAvgPool2d),
  /** Batch normalisation over dim 1 (F.batch_norm). In training (opts.training) it uses the batch statistics and updates
   * runningMean/runningVar in place (unbiased variance, momentum 0.1); otherwise it uses them. Options: weight, bias, training, momentum, eps.
   * Shapes: `x: [N, C]` or `[N, C, *]`; `runningMean`, `runningVar`, `weight`, `bias: [C]` -> `[N, C, *]`.
   * @example const y = F.batchNorm(x, runningMean, runningVar, { training: true }); */
  batchNorm: scopedOp(NN.batchNorm),
  /** Layer normalisation over the last dims given by normalizedShape (F.layer_norm).
   * Shapes: `x: [*, ...normalizedShape]`, `weight`, `bias: normalizedShape` -> `[*, ...normalizedShape]`.
   * @example const y = F.layerNorm(x, [512], gamma, beta); */
  layerNorm: scopedOp(NN.layerNorm),
  /** x / max(||x||_p, eps) along dim (F.normalize; options p = 2, dim = 1, eps = 1e-12). Shapes: `[*] -> [*]`.
   * @example const unit = F.normalize(emb, { dim: -1 }); */
  normalize: scopedOp(NN.normalize),
  /** Cross-entropy of logits against class indices or class probabilities (F.cross_entropy): logSoftmax then nllLoss.
   * Options: weight (per class), ignoreIndex (-100), reduction ("mean" | "sum" | "none"), labelSmoothing.
   * Shapes: `input: [N, C]` or `[N, C, d1, ...]`; `target: [N]` / `[N, d1, ...]` int32 indices, or float probabilities of input's shape -> `[]` (`[N, ...]` with reduction "none").
   * @example const loss = F.crossEntropy(logits, labels); // [64, 10], [64] -> [] */
  crossEntropy: scopedOp(L.crossEntropy),
  /** Negative log-likelihood of log-probabilities at the target classes (F.nll_loss). Options: weight, ignoreIndex (-100), reduction.
   * Shapes: `logp: [N, C]` or `[N, C, d1, ...]`, `target: [N]` / `[N, d1, ...]` int32 -> `[]` (`[N, ...]` with reduction "none").
   * @example const loss = F.nllLoss(F.logSoftmax(logits, 1), labels); */
  nllLoss: scopedOp(L.nllLoss),
  /** Mean squared error (F.mse_loss); unlike PyTorch, input and target must have the same shape (no broadcasting).
   * Shapes: `input: [*]`, `target: [*]` -> `[]` (`[*]` with reduction "none").
   * @example const loss = F.mseLoss(pred, y); */
  mseLoss: scopedOp(L.mseLoss),
  /** Mean absolute error (F.l1_loss); input and target must have the same shape.
   * Shapes: `input: [*]`, `target: [*]` -> `[]` (`[*]` with reduction "none").
   * @example const loss = F.l1Loss(pred, y, { reduction: "sum" }); */
  l1Loss: scopedOp(L.l1Loss),
  /** Huber-like loss: 0.5 x^2 / beta below beta, |x| - 0.5 beta above (F.smooth_l1_loss; beta = 1).
   * Shapes: `input: [*]`, `target: [*]` -> `[]` (`[*]` with reduction "none").
   * @example const loss = F.smoothL1Loss(pred, y, { beta: 0.5 }); */
  smoothL1Loss: scopedOp(L.smoothL1Loss),
  /** Binary cross-entropy of probabilities (F.binary_cross_entropy); logs are clamped at -100 as PyTorch's. Options: weight, reduction.
   * Shapes: `input: [*]` in [0, 1], `target: [*]` -> `[]` (`[*]` with reduction "none").
   * @example const loss = F.binaryCrossEntropy(F.sigmoid(logits), y); */
  binaryCrossEntropy: scopedOp(L.binaryCrossEntropy),
  /** Binary cross-entropy on logits, computed stably (F.binary_cross_entropy_with_logits). Options: weight, posWeight, reduction.
   * Shapes: `input: [*]`, `target: [*]`, `posWeight`: broadcastable along the last dim -> `[]` (`[*]` with reduction "none").
   * @example const loss = F.binaryCrossEntropyWithLogits(logits, y.float()); */
  binaryCrossEntropyWithLogits: scopedOp(L.binaryCrossEntropyWithLogits),
  /** KL(target || input) with input as log-probabilities (F.kl_div). Options: reduction ("mean" | "sum" | "none" | "batchmean"), logTarget.
   * Shapes: `input: [*]`, `target: [*]` -> `[]` (`[*]` with reduction "none").
   * @example const loss = F.klDiv(F.logSoftmax(student, 1), F.softmax(teacher, 1), { reduction: "batchmean" }); */
  klDiv: scopedOp(L.klDiv),
  /** One-hot int32 encoding with a trailing class dim (F.one_hot); numClasses -1 (default) reads the largest index, which needs a cpu tensor.
   * Shapes: `indices: [*]` -> `[*, numClasses]`.
   * @example const y1 = F.oneHot(labels, 10); // [N] -> [N, 10] */
  oneHot: scopedOp(L.oneHot),
};
