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

export const Sequential = callable(L.Sequential);
export type Sequential = L.Sequential;
export const ModuleList = callable(L.ModuleList);
export type ModuleList = L.ModuleList;
export const ModuleDict = callable(L.ModuleDict);
export type ModuleDict = L.ModuleDict;
export const Identity = callable(L.Identity);
export type Identity = L.Identity;
export const Linear = callable(L.Linear);
export type Linear = L.Linear;
export const Flatten = callable(L.Flatten);
export type Flatten = L.Flatten;
export const Unflatten = callable(L.Unflatten);
export type Unflatten = L.Unflatten;
export const Dropout = callable(L.Dropout);
export type Dropout = L.Dropout;
export const Embedding = callable(L.Embedding);
export type Embedding = L.Embedding;
export const ReLU = callable(L.ReLU);
export type ReLU = L.ReLU;
export const LeakyReLU = callable(L.LeakyReLU);
export type LeakyReLU = L.LeakyReLU;
export const GELU = callable(L.GELU);
export type GELU = L.GELU;
export const SiLU = callable(L.SiLU);
export type SiLU = L.SiLU;
export const Sigmoid = callable(L.Sigmoid);
export type Sigmoid = L.Sigmoid;
export const Tanh = callable(L.Tanh);
export type Tanh = L.Tanh;
export const Softmax = callable(L.Softmax);
export type Softmax = L.Softmax;
export const LogSoftmax = callable(L.LogSoftmax);
export type LogSoftmax = L.LogSoftmax;
export const ELU = callable(L.ELU);
export type ELU = L.ELU;
export const Softplus = callable(L.Softplus);
export type Softplus = L.Softplus;
export const Conv2d = callable(C.Conv2d);
export type Conv2d = C.Conv2d;
export const MaxPool2d = callable(C.MaxPool2d);
export type MaxPool2d = C.MaxPool2d;
export const AvgPool2d = callable(C.AvgPool2d);
export type AvgPool2d = C.AvgPool2d;
export const AdaptiveAvgPool2d = callable(C.AdaptiveAvgPool2d);
export type AdaptiveAvgPool2d = C.AdaptiveAvgPool2d;
export const BatchNorm1d = callable(N.BatchNorm1d);
export type BatchNorm1d = N.BatchNorm1d;
export const BatchNorm2d = callable(N.BatchNorm2d);
export type BatchNorm2d = N.BatchNorm2d;
export const LayerNorm = callable(N.LayerNorm);
export type LayerNorm = N.LayerNorm;
export const CrossEntropyLoss = callable(Lo.CrossEntropyLoss);
export type CrossEntropyLoss = Lo.CrossEntropyLoss;
export const NLLLoss = callable(Lo.NLLLoss);
export type NLLLoss = Lo.NLLLoss;
export const MSELoss = callable(Lo.MSELoss);
export type MSELoss = Lo.MSELoss;
export const L1Loss = callable(Lo.L1Loss);
export type L1Loss = Lo.L1Loss;
export const SmoothL1Loss = callable(Lo.SmoothL1Loss);
export type SmoothL1Loss = Lo.SmoothL1Loss;
export const BCELoss = callable(Lo.BCELoss);
export type BCELoss = Lo.BCELoss;
export const BCEWithLogitsLoss = callable(Lo.BCEWithLogitsLoss);
export type BCEWithLogitsLoss = Lo.BCEWithLogitsLoss;
export const KLDivLoss = callable(Lo.KLDivLoss);
export type KLDivLoss = Lo.KLDivLoss;

/** torch.nn.init: in-place initialisers (uniform_, normal_, xavierUniform_, kaimingNormal_, ...). */
export const init = initNs;
/** torch.nn.utils: clipGradNorm_, clipGradValue_, l1Penalty, parametersToVector, ... */
export const utils = utilsNs;
/** torch.nn.functional (the same object as F). */
export const functional = F;
