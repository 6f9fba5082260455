// runtime/tensor/optim/index.ts
// What `optim` is in a cell: torch.optim in camelCase. Optimisers and schedulers are callable with
// or without `new` (optim.Adam(model.parameters(), { lr: 1e-3 })), and their names are also types.

import { callable } from "../nn/module";
import * as S from "./sgd";
import * as A from "./adam";
import * as R from "./rmsprop";
import * as LR from "./lr_scheduler";

export { Optimizer } from "./optimizer";
export type { ParamGroup, ParamState, OptimizerStateDict } from "./optimizer";
export type { SGDOptions } from "./sgd";
export type { AdamOptions } from "./adam";
export type { RMSpropOptions, AdagradOptions } from "./rmsprop";
export type { OneCycleOpts, ReduceLROnPlateauOpts, Schedulable } from "./lr_scheduler";
export { LRScheduler } from "./lr_scheduler";

export const SGD = callable(S.SGD);
export type SGD = S.SGD;
export const Adam = callable(A.Adam);
export type Adam = A.Adam;
export const AdamW = callable(A.AdamW);
export type AdamW = A.AdamW;
export const RMSprop = callable(R.RMSprop);
export type RMSprop = R.RMSprop;
export const Adagrad = callable(R.Adagrad);
export type Adagrad = R.Adagrad;

/** torch.optim.lr_scheduler */
export const lrScheduler = {
  StepLR: callable(LR.StepLR),
  MultiStepLR: callable(LR.MultiStepLR),
  ExponentialLR: callable(LR.ExponentialLR),
  CosineAnnealingLR: callable(LR.CosineAnnealingLR),
  OneCycleLR: callable(LR.OneCycleLR),
  ReduceLROnPlateau: callable(LR.ReduceLROnPlateau),
};
export const StepLR = lrScheduler.StepLR;
export const MultiStepLR = lrScheduler.MultiStepLR;
export const ExponentialLR = lrScheduler.ExponentialLR;
export const CosineAnnealingLR = lrScheduler.CosineAnnealingLR;
export const OneCycleLR = lrScheduler.OneCycleLR;
export const ReduceLROnPlateau = lrScheduler.ReduceLROnPlateau;
