// runtime/tensor/nn/index.ts
// What `nn` is in a cell: torch.nn in camelCase. Every layer class is exported wrapped by
// callable(), so both `nn.Linear(784, 256)` (as DESIGN.md's cells write it) and
// `new nn.Linear(784, 256)` work, `instanceof nn.Linear` holds, and `class Net extends nn.Module`
// (or extends any layer) works. The same names are also types: `let fc: nn.Linear`.

import { callable } from "./module";

import * as L from "./layers";
import * as C from "./conv";
import * as N from "./norm";
import * as Lo from "./loss";
import * as initNs from "./init";
import * as utilsNs from "./utils";
import { F } from "../functional";

export { Module, Parameter, StateDictError, callable, registerModuleForwardHook, registerModuleForwardPreHook } from "./module";
export type { ForwardHook, ForwardPreHook, RemovableHandle, Callable } from "./module";
export { summary, ModelSummary } from "./summary";
export type { SummaryRow, SummaryOptions } from "./summary";
export type { Reduction } from "./loss";
export type { Conv2dOptions, PoolOptions, Pair } from "./conv";
export type { BatchNormOptions } from "./norm";

/** Runs its modules in order, each output feeding the next (torch.nn.Sequential); children are named "0", "1", ...
 * Shapes: `input` of the first module -> the output of the last.
 * @example const model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)); const logits = model.forward(x); */
export const Sequential = callable(L.Sequential);
export type Sequential = L.Sequential;
/** A list of submodules registered under "0", "1", ... (torch.nn.ModuleList); iterate and call them yourself.
 * @example this.blocks = nn.ModuleList([1, 2, 3].map(() => nn.Linear(64, 64))); for (const b of this.blocks) h = b.forward(h); */
export const ModuleList = callable(L.ModuleList);
export type ModuleList = L.ModuleList;
/** Submodules by name (torch.nn.ModuleDict); pick one with get(key).
 * @example this.heads = nn.ModuleDict({ cls: nn.Linear(64, 10), box: nn.Linear(64, 4) }); */
export const ModuleDict = callable(L.ModuleDict);
export type ModuleDict = L.ModuleDict;
/** Returns its input unchanged (torch.nn.Identity), a placeholder for a removed layer.
 * Shapes: `[*] -> [*]`.
 * @example model.fc = nn.Identity(); */
export const Identity = callable(L.Identity);
export type Identity = L.Identity;
/** y = x W^T + b (torch.nn.Linear): nn.Linear(inFeatures, outFeatures, { bias, device, dtype }).
 * Weight `[outFeatures, inFeatures]` and bias `[outFeatures]` start U(-1/sqrt(inFeatures), 1/sqrt(inFeatures)), as PyTorch's.
 * Shapes: `input: [*, inFeatures]` -> `[*, outFeatures]`.
 * @example const fc = nn.Linear(784, 10); const logits = fc.forward(x); // [64, 784] -> [64, 10] */
export const Linear = callable(L.Linear);
export type Linear = L.Linear;
/** Flattens dims startDim..endDim, by default all but the batch dim (torch.nn.Flatten).
 * Shapes: `[N, C, H, W]` -> `[N, C * H * W]` with the defaults (1, -1).
 * @example const model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10)); */
export const Flatten = callable(L.Flatten);
export type Flatten = L.Flatten;
/** Splits one dim into the given sizes (torch.nn.Unflatten).
 * Shapes: `[N, C * H * W]` -> `[N, C, H, W]` for nn.Unflatten(1, [C, H, W]).
 * @example const up = nn.Unflatten(1, [1, 28, 28]); */
export const Unflatten = callable(L.Unflatten);
export type Unflatten = L.Unflatten;
/** Zeroes each element with probability p in training mode and scales the rest by 1 / (1 - p); identity in eval mode (torch.nn.Dropout).
 * Shapes: `[*] -> [*]`.
 * @example const drop = nn.Dropout(0.1); const h = drop.forward(x); */
export const Dropout = callable(L.Dropout);
export type Dropout = L.Dropout;
/** A table of numEmbeddings vectors of size embeddingDim, looked up by index (torch.nn.Embedding); starts N(0, 1).
 * Option paddingIdx: that row starts at zero, gives zeros and gets no gradient.
 * Shapes: `indices: [*]` (int32) -> `[*, embeddingDim]`.
 * @example const emb = nn.Embedding(1000, 64); const e = emb.forward(tokens); // [B, T] -> [B, T, 64] */
export const Embedding = callable(L.Embedding);
export type Embedding = L.Embedding;
/** Element-wise max(x, 0) as a module (torch.nn.ReLU).
 * Shapes: `[*] -> [*]`.
 * @example const act = nn.ReLU(); */
export const ReLU = callable(L.ReLU);
export type ReLU = L.ReLU;
/** Element-wise x if x > 0, else negativeSlope * x (torch.nn.LeakyReLU; negativeSlope 0.01).
 * Shapes: `[*] -> [*]`.
 * @example const act = nn.LeakyReLU(0.2); */
export const LeakyReLU = callable(L.LeakyReLU);
export type LeakyReLU = L.LeakyReLU;
/** Element-wise GELU, x * Phi(x) (torch.nn.GELU); nn.GELU("tanh") for the tanh approximation.
 * Shapes: `[*] -> [*]`.
 * @example const act = nn.GELU(); */
export const GELU = callable(L.GELU);
export type GELU = L.GELU;
/** Element-wise x * sigmoid(x) (torch.nn.SiLU).
 * Shapes: `[*] -> [*]`.
 * @example const act = nn.SiLU(); */
export const SiLU = callable(L.SiLU);
export type SiLU = L.SiLU;
/** Element-wise 1 / (1 + e^-x) (torch.nn.Sigmoid).
 * Shapes: `[*] -> [*]`.
 * @example const head = nn.Sequential(nn.Linear(16, 1), nn.Sigmoid()); */
export const Sigmoid = callable(L.Sigmoid);
export type Sigmoid = L.Sigmoid;
/** Element-wise hyperbolic tangent (torch.nn.Tanh).
 * Shapes: `[*] -> [*]`.
 * @example const act = nn.Tanh(); */
export const Tanh = callable(L.Tanh);
export type Tanh = L.Tanh;
/** Softmax along dim (torch.nn.Softmax); unlike PyTorch's implicit choice, dim defaults to -1.
 * Shapes: `[*] -> [*]`.
 * @example const probs = nn.Softmax(1).forward(logits); */
export const Softmax = callable(L.Softmax);
export type Softmax = L.Softmax;
/** log(softmax(x)) along dim (torch.nn.LogSoftmax); dim defaults to -1.
 * Shapes: `[*] -> [*]`.
 * @example const head = nn.Sequential(nn.Linear(64, 10), nn.LogSoftmax(1)); */
export const LogSoftmax = callable(L.LogSoftmax);
export type LogSoftmax = L.LogSoftmax;
/** Element-wise x if x > 0, else alpha * (e^x - 1) (torch.nn.ELU; alpha 1).
 * Shapes: `[*] -> [*]`.
 * @example const act = nn.ELU(); */
export const ELU = callable(L.ELU);
export type ELU = L.ELU;
/** Element-wise log(1 + e^x) (torch.nn.Softplus with beta 1; no beta/threshold options).
 * Shapes: `[*] -> [*]`.
 * @example const act = nn.Softplus(); */
export const Softplus = callable(L.Softplus);
export type Softplus = L.Softplus;
/** 2-d convolution (torch.nn.Conv2d): nn.Conv2d(inChannels, outChannels, kernelSize, { stride, padding, dilation, groups, bias })
 * or with kernelSize in the options. Weight `[outChannels, inChannels / groups, kH, kW]`, initialised as PyTorch's.
 * Shapes: `input: [N, C_in, H, W]` (or `[C_in, H, W]`) -> `[N, C_out, H_out, W_out]`,
 * `H_out = floor((H + 2 * padding - dilation * (kH - 1) - 1) / stride) + 1` (W_out likewise).
 * @example const conv = nn.Conv2d(1, 32, 3, { padding: 1 }); const y = conv.forward(x); // [N, 1, 28, 28] -> [N, 32, 28, 28] */
export const Conv2d = callable(C.Conv2d);
export type Conv2d = C.Conv2d;
/** 2-d max pooling (torch.nn.MaxPool2d): nn.MaxPool2d(2) or nn.MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 }); stride defaults to kernelSize.
 * Shapes: `[N, C, H, W]` -> `[N, C, H_out, W_out]`, `H_out = floor((H + 2 * padding - dilation * (k - 1) - 1) / stride) + 1`.
 * @example const pool = nn.MaxPool2d(2); // [N, 32, 28, 28] -> [N, 32, 14, 14] */
export const MaxPool2d = callable(C.MaxPool2d);
export type MaxPool2d = C.MaxPool2d;
/** 2-d average pooling (torch.nn.AvgPool2d): nn.AvgPool2d(2) or with options { kernelSize, stride, padding, ceilMode, countIncludePad }.
 * Shapes: `[N, C, H, W]` -> `[N, C, H_out, W_out]`, `H_out = floor((H + 2 * padding - k) / stride) + 1`.
 * @example const pool = nn.AvgPool2d({ kernelSize: 2, stride: 2 }); */
export const AvgPool2d = callable(C.AvgPool2d);
export type AvgPool2d = C.AvgPool2d;
/** Average pooling to a fixed output size, whatever the input size (torch.nn.AdaptiveAvgPool2d).
 * Shapes: `[N, C, H, W]` -> `[N, C, outH, outW]` (outputSize a number or [outH, outW]).
 * @example const gap = nn.AdaptiveAvgPool2d(1); // [N, C, 7, 7] -> [N, C, 1, 1] */
export const AdaptiveAvgPool2d = callable(C.AdaptiveAvgPool2d);
export type AdaptiveAvgPool2d = C.AdaptiveAvgPool2d;
/** Batch normalisation per feature (torch.nn.BatchNorm1d): batch statistics in training (updating runningMean/runningVar), running ones in eval.
 * Options: eps (1e-5), momentum (0.1; null for a cumulative average), affine, trackRunningStats, device, dtype.
 * Shapes: `[N, C]` or `[N, C, L]` -> the same shape (C = numFeatures).
 * @example const bn = nn.BatchNorm1d(64); const h = bn.forward(x); // [32, 64] -> [32, 64] */
export const BatchNorm1d = callable(N.BatchNorm1d);
export type BatchNorm1d = N.BatchNorm1d;
/** Batch normalisation per channel of images (torch.nn.BatchNorm2d); options as BatchNorm1d.
 * Shapes: `[N, C, H, W]` -> `[N, C, H, W]` (C = numFeatures).
 * @example const bn = nn.BatchNorm2d(32); const h = bn.forward(conv.forward(x)); */
export const BatchNorm2d = callable(N.BatchNorm2d);
export type BatchNorm2d = N.BatchNorm2d;
/** Layer normalisation over the last dims (torch.nn.LayerNorm): nn.LayerNorm(normalizedShape, { eps, elementwiseAffine, bias }).
 * Shapes: `[*, ...normalizedShape]` -> the same shape.
 * @example const ln = nn.LayerNorm(512); const h = ln.forward(x); // [B, T, 512] -> [B, T, 512] */
export const LayerNorm = callable(N.LayerNorm);
export type LayerNorm = N.LayerNorm;
/** Cross-entropy of logits against class indices or probabilities (torch.nn.CrossEntropyLoss); options { weight, ignoreIndex, reduction, labelSmoothing }.
 * Shapes: `input: [N, C]` (or `[N, C, d1, ...]`), `target: [N]` int32 (or probabilities `[N, C]`) -> `[]` (`[N]` with reduction "none").
 * @example const lossFn = nn.CrossEntropyLoss(); const loss = lossFn.forward(logits, labels); */
export const CrossEntropyLoss = callable(Lo.CrossEntropyLoss);
export type CrossEntropyLoss = Lo.CrossEntropyLoss;
/** Negative log-likelihood of log-probabilities (torch.nn.NLLLoss); options { weight, ignoreIndex, reduction }.
 * Shapes: `input: [N, C]` log-probabilities, `target: [N]` int32 -> `[]` (`[N]` with reduction "none").
 * @example const loss = nn.NLLLoss().forward(F.logSoftmax(logits, 1), labels); */
export const NLLLoss = callable(Lo.NLLLoss);
export type NLLLoss = Lo.NLLLoss;
/** Mean squared error (torch.nn.MSELoss); input and target must have the same shape.
 * Shapes: `input: [*]`, `target: [*]` -> `[]` (`[*]` with reduction "none").
 * @example const loss = nn.MSELoss().forward(pred, y); */
export const MSELoss = callable(Lo.MSELoss);
export type MSELoss = Lo.MSELoss;
/** Mean absolute error (torch.nn.L1Loss); input and target must have the same shape.
 * Shapes: `input: [*]`, `target: [*]` -> `[]` (`[*]` with reduction "none").
 * @example const loss = nn.L1Loss().forward(pred, y); */
export const L1Loss = callable(Lo.L1Loss);
export type L1Loss = Lo.L1Loss;
/** Huber-like loss, quadratic below beta and linear above (torch.nn.SmoothL1Loss; beta 1).
 * Shapes: `input: [*]`, `target: [*]` -> `[]` (`[*]` with reduction "none").
 * @example const loss = nn.SmoothL1Loss({ beta: 0.5 }).forward(pred, y); */
export const SmoothL1Loss = callable(Lo.SmoothL1Loss);
export type SmoothL1Loss = Lo.SmoothL1Loss;
/** Binary cross-entropy of probabilities (torch.nn.BCELoss); logs clamped at -100 as PyTorch's.
 * Shapes: `input: [*]` in [0, 1], `target: [*]` -> `[]` (`[*]` with reduction "none").
 * @example const loss = nn.BCELoss().forward(probs, y); */
export const BCELoss = callable(Lo.BCELoss);
export type BCELoss = Lo.BCELoss;
/** Binary cross-entropy on logits, computed stably (torch.nn.BCEWithLogitsLoss); options { weight, posWeight, reduction }.
 * Shapes: `input: [*]`, `target: [*]` -> `[]` (`[*]` with reduction "none").
 * @example const loss = nn.BCEWithLogitsLoss().forward(logits, y); */
export const BCEWithLogitsLoss = callable(Lo.BCEWithLogitsLoss);
export type BCEWithLogitsLoss = Lo.BCEWithLogitsLoss;
/** KL divergence with input as log-probabilities (torch.nn.KLDivLoss); options { reduction (incl. "batchmean"), logTarget }.
 * Shapes: `input: [*]`, `target: [*]` -> `[]` (`[*]` with reduction "none").
 * @example const loss = nn.KLDivLoss({ reduction: "batchmean" }).forward(F.logSoftmax(s, 1), F.softmax(t, 1)); */
export const KLDivLoss = callable(Lo.KLDivLoss);
export type KLDivLoss = Lo.KLDivLoss;

/** torch.nn.init: in-place initialisers (uniform_, normal_, xavierUniform_, kaimingNormal_, ...).
 * @example nn.init.kaimingNormal_(conv.weight, { nonlinearity: "relu" }); */
export const init = initNs;
/** torch.nn.utils: clipGradNorm_, clipGradValue_, l1Penalty, parametersToVector, ...
 * @example nn.utils.clipGradNorm_(model.parameters(), 1.0); */
export const utils = utilsNs;
/** torch.nn.functional (the same object as F).
 * @example const y = nn.functional.relu(x); // the same as F.relu(x) */
export const functional: typeof F = F;   // typed by name: an inferred type loses F's docs in index.d.ts
