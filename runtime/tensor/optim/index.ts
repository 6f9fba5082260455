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

/** Stochastic gradient descent with momentum, dampening, Nesterov, weight decay and maximize (torch.optim.SGD).
 * Options (defaults): lr (1e-3), momentum (0), dampening (0), weightDecay (0), nesterov (false), maximize (false).
 * @example const opt = optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }); */
export const SGD = callable(S.SGD);
export type SGD = S.SGD;
/** Adam (torch.optim.Adam). Options (defaults): lr (1e-3), betas ([0.9, 0.999]), eps (1e-8), weightDecay (0, added to the gradient),
 * amsgrad (false), maximize (false); fused (true) uses the backend's one-pass kernel for float32 where it can.
 * @example const opt = optim.Adam(model.parameters(), { lr: 3e-4 }); */
export const Adam = callable(A.Adam);
export type Adam = A.Adam;
/** Adam with decoupled weight decay (torch.optim.AdamW): the weights shrink by lr * weightDecay each step. Options as Adam; weightDecay defaults to 1e-2.
 * @example const opt = optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 }); */
export const AdamW = callable(A.AdamW);
export type AdamW = A.AdamW;
/** RMSprop (torch.optim.RMSprop). Options (defaults): lr (1e-2), alpha (0.99), eps (1e-8), weightDecay (0), momentum (0), centered (false), maximize (false).
 * @example const opt = optim.RMSprop(model.parameters(), { lr: 1e-3 }); */
export const RMSprop = callable(R.RMSprop);
export type RMSprop = R.RMSprop;
/** Adagrad (torch.optim.Adagrad). Options (defaults): lr (1e-2), lrDecay (0), weightDecay (0), initialAccumulatorValue (0), eps (1e-10), maximize (false).
 * @example const opt = optim.Adagrad(model.parameters(), { lr: 0.05 }); */
export const Adagrad = callable(R.Adagrad);
export type Adagrad = R.Adagrad;

/** torch.optim.lr_scheduler
 * @example const sched = optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 50 }); */
export const lrScheduler = {
  /** lr = base * gamma^floor(epoch / stepSize) (torch.optim.lr_scheduler.StepLR); options { stepSize, gamma = 0.1, lastEpoch }.
   * @example const sched = optim.lrScheduler.StepLR(opt, { stepSize: 30, gamma: 0.1 }); */
  StepLR: callable(LR.StepLR),
  /** lr = base * gamma^(milestones passed) (torch.optim.lr_scheduler.MultiStepLR); options { milestones, gamma = 0.1, lastEpoch }.
   * @example const sched = optim.lrScheduler.MultiStepLR(opt, { milestones: [30, 80] }); */
  MultiStepLR: callable(LR.MultiStepLR),
  /** lr = base * gamma^epoch (torch.optim.lr_scheduler.ExponentialLR); options { gamma, lastEpoch }.
   * @example const sched = optim.lrScheduler.ExponentialLR(opt, { gamma: 0.95 }); */
  ExponentialLR: callable(LR.ExponentialLR),
  /** Cosine from the base lr down to etaMin over tMax epochs (torch.optim.lr_scheduler.CosineAnnealingLR, without restarts); options { tMax, etaMin = 0, lastEpoch }.
   * @example const sched = optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 100 }); */
  CosineAnnealingLR: callable(LR.CosineAnnealingLR),
  /** The 1cycle policy, stepped once per batch (torch.optim.lr_scheduler.OneCycleLR); options { maxLr, totalSteps or epochs + stepsPerEpoch, pctStart, annealStrategy, cycleMomentum, ... }.
   * @example const sched = optim.lrScheduler.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 1000 }); */
  OneCycleLR: callable(LR.OneCycleLR),
  /** Reduce the lr when a metric stops improving: step(metric) once per epoch (torch.optim.lr_scheduler.ReduceLROnPlateau).
   * Options (defaults): mode ("min"), factor (0.1), patience (10), threshold (1e-4), thresholdMode ("rel"), cooldown (0), minLr (0), eps (1e-8).
   * @example const sched = optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 3 }); sched.step(await valLoss.item()); */
  ReduceLROnPlateau: callable(LR.ReduceLROnPlateau),
};
/** lr = base * gamma^floor(epoch / stepSize); the same as optim.lrScheduler.StepLR.
 * @example const sched = optim.StepLR(opt, { stepSize: 30 }); */
export const StepLR = lrScheduler.StepLR;
/** lr = base * gamma^(milestones passed); the same as optim.lrScheduler.MultiStepLR.
 * @example const sched = optim.MultiStepLR(opt, { milestones: [30, 80] }); */
export const MultiStepLR = lrScheduler.MultiStepLR;
/** lr = base * gamma^epoch; the same as optim.lrScheduler.ExponentialLR.
 * @example const sched = optim.ExponentialLR(opt, { gamma: 0.95 }); */
export const ExponentialLR = lrScheduler.ExponentialLR;
/** Cosine annealing over tMax epochs; the same as optim.lrScheduler.CosineAnnealingLR.
 * @example const sched = optim.CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 }); */
export const CosineAnnealingLR = lrScheduler.CosineAnnealingLR;
/** The 1cycle policy, stepped per batch; the same as optim.lrScheduler.OneCycleLR.
 * @example const sched = optim.OneCycleLR(opt, { maxLr: 0.1, epochs: 10, stepsPerEpoch: 100 }); */
export const OneCycleLR = lrScheduler.OneCycleLR;
/** Reduce the lr when a metric plateaus; the same as optim.lrScheduler.ReduceLROnPlateau.
 * @example const sched = optim.ReduceLROnPlateau(opt, { factor: 0.5, patience: 2 }); */
export const ReduceLROnPlateau = lrScheduler.ReduceLROnPlateau;
