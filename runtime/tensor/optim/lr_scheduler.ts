// runtime/tensor/optim/lr_scheduler.ts
// Learning-rate schedulers with torch.optim.lr_scheduler's semantics: construction applies epoch
// 0, each step() advances one epoch (or one batch for OneCycleLR) and rewrites every param group's
// lr; getLastLr() is what the last step set. Only touches `paramGroups[i].lr` (and momentum for
// OneCycleLR), so it works with any optimiser shaped like optim.Optimizer.

export interface SchedulableGroup { lr: number; initialLr?: number; [k: string]: unknown }
export interface Schedulable { paramGroups: SchedulableGroup[] }

/** Base class of the epoch schedulers (torch.optim.lr_scheduler.LRScheduler): construction applies epoch 0,
 * each step() advances one epoch (one batch for OneCycleLR) and rewrites every param group's lr.
 * @example const sched = optim.StepLR(opt, { stepSize: 10 }); for (let e = 0; e < 30; e++) { train(); sched.step(); } */
export abstract class LRScheduler {
  /** Number of step() calls so far (the epoch whose lr is set); -1 before construction's first step.
   * @example sched.lastEpoch; */
  lastEpoch: number;
  /** The initial lr of each param group, the base the schedule scales.
   * @example sched.baseLrs; // [0.1] */
  readonly baseLrs: number[];
  protected lastLr: number[] = [];

  constructor(
    /** The optimiser whose param groups' lr this scheduler sets.
     * @example sched.optimizer.paramGroups[0].lr; */
    readonly optimizer: Schedulable,
    lastEpoch = -1
  ) {
    for (const g of optimizer.paramGroups) if (lastEpoch === -1 || g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** Call at the end of the subclass constructor: torch applies the epoch-0 lr on construction. */
  protected init(): void { this.step(); }

  /** The lr of every param group at `this.lastEpoch`. */
  protected abstract getLr(): number[];

  /** Advance one epoch and set each param group's lr; call after opt.step().
   * @example opt.step(); sched.step(); */
  step(): void {
    this.lastEpoch += 1;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = lrs[i]; });
    this.lastLr = lrs.slice();
  }

  /** The lr of each param group as the last step() set it.
   * @example curve.log(epoch, { lr: sched.getLastLr()[0] }); */
  getLastLr(): number[] { return this.lastLr.slice(); }

  /** lastEpoch, baseLrs and lastLr, to save with a checkpoint.
   * @example const s = sched.stateDict(); */
  stateDict(): Record<string, unknown> {
    return { lastEpoch: this.lastEpoch, baseLrs: this.baseLrs.slice(), lastLr: this.lastLr.slice() };
  }

  /** Restore lastEpoch and lastLr from stateDict() (the optimiser's lrs are restored by its own loadStateDict).
   * @example sched.loadStateDict(s); */
  loadStateDict(sd: Record<string, unknown>): void {
    this.lastEpoch = sd.lastEpoch as number;
    this.lastLr = (sd.lastLr as number[]).slice();
  }
}

/** lr = base * gamma^floor(epoch / stepSize) */
export class StepLR extends LRScheduler {
  /** Epochs between two decays.
   * @example optim.StepLR(opt, { stepSize: 30 }).stepSize; // 30 */
  readonly stepSize: number;
  /** Factor the lr is multiplied by at each decay (default 0.1).
   * @example optim.StepLR(opt, { stepSize: 30, gamma: 0.5 }).gamma; // 0.5 */
  readonly gamma: number;
  constructor(optimizer: Schedulable, opts: { stepSize: number; gamma?: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch);
    this.stepSize = opts.stepSize; this.gamma = opts.gamma ?? 0.1;
    this.init();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** lr = base * gamma^(number of milestones <= epoch) */
export class MultiStepLR extends LRScheduler {
  /** Epochs at which the lr decays, sorted.
   * @example optim.MultiStepLR(opt, { milestones: [30, 80] }).milestones; // [30, 80] */
  readonly milestones: number[];
  /** Factor the lr is multiplied by at each milestone (default 0.1).
   * @example optim.MultiStepLR(opt, { milestones: [30, 80] }).gamma; // 0.1 */
  readonly gamma: number;
  constructor(optimizer: Schedulable, opts: { milestones: number[]; gamma?: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch);
    this.milestones = opts.milestones.slice().sort((a, b) => a - b); this.gamma = opts.gamma ?? 0.1;
    this.init();
  }
  protected getLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

/** lr = base * gamma^epoch */
export class ExponentialLR extends LRScheduler {
  /** Factor the lr is multiplied by every epoch.
   * @example optim.ExponentialLR(opt, { gamma: 0.95 }).gamma; // 0.95 */
  readonly gamma: number;
  constructor(optimizer: Schedulable, opts: { gamma: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch);
    this.gamma = opts.gamma;
    this.init();
  }
  protected getLr(): number[] { return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch); }
}

/** lr = etaMin + (base - etaMin) * (1 + cos(pi * epoch / tMax)) / 2 (SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs of the half cosine, from the base lr down to etaMin.
   * @example optim.CosineAnnealingLR(opt, { tMax: 100 }).tMax; // 100 */
  readonly tMax: number;
  /** The lowest lr (default 0).
   * @example optim.CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 }).etaMin; // 1e-5 */
  readonly etaMin: number;
  constructor(optimizer: Schedulable, opts: { tMax: number; etaMin?: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch);
    this.tMax = opts.tMax; this.etaMin = opts.etaMin ?? 0;
    this.init();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/** Options of OneCycleLR: maxLr, totalSteps (or epochs and stepsPerEpoch), pctStart (0.3), annealStrategy ("cos"), cycleMomentum (true),
 * baseMomentum (0.85), maxMomentum (0.95), divFactor (25: initial lr = maxLr / 25), finalDivFactor (1e4), threePhase (false), lastEpoch. */
export interface OneCycleOpts {
  maxLr: number | number[];
  totalSteps?: number; epochs?: number; stepsPerEpoch?: number;
  pctStart?: number; annealStrategy?: "cos" | "linear";
  cycleMomentum?: boolean; baseMomentum?: number; maxMomentum?: number;
  divFactor?: number; finalDivFactor?: number; threePhase?: boolean; lastEpoch?: number;
}

/** The 1cycle policy (Smith & Topin), stepped once per batch; cycles momentum (SGD momentum or
 * Adam's beta1) inversely to the lr, as torch.optim.lr_scheduler.OneCycleLR. */
export class OneCycleLR extends LRScheduler {
  /** Number of step() calls of the whole cycle (totalSteps, or epochs * stepsPerEpoch).
   * @example optim.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 1000 }).totalSteps; // 1000 */
  readonly totalSteps: number;
  private phases: { end: number; lr: [string, string]; mom: [string, string] }[];
  private anneal: (start: number, end: number, pct: number) => number;
  private cycleMomentum: boolean;

  constructor(optimizer: Schedulable, opts: OneCycleOpts) {
    super(optimizer, opts.lastEpoch);
    const total = opts.totalSteps ?? (opts.epochs && opts.stepsPerEpoch ? opts.epochs * opts.stepsPerEpoch : 0);
    if (!(total > 0)) throw new Error("OneCycleLR: give totalSteps, or epochs and stepsPerEpoch");
    this.totalSteps = total;
    const pct = opts.pctStart ?? 0.3, div = opts.divFactor ?? 25, finalDiv = opts.finalDivFactor ?? 1e4;
    const maxLrs = Array.isArray(opts.maxLr) ? opts.maxLr : optimizer.paramGroups.map(() => opts.maxLr as number);
    this.phases = opts.threePhase
      ? [{ end: pct * total - 1, lr: ["initialLr", "maxLr"], mom: ["maxMomentum", "baseMomentum"] },
         { end: 2 * pct * total - 2, lr: ["maxLr", "initialLr"], mom: ["baseMomentum", "maxMomentum"] },
         { end: total - 1, lr: ["initialLr", "minLr"], mom: ["maxMomentum", "maxMomentum"] }]
      : [{ end: pct * total - 1, lr: ["initialLr", "maxLr"], mom: ["maxMomentum", "baseMomentum"] },
         { end: total - 1, lr: ["maxLr", "minLr"], mom: ["baseMomentum", "maxMomentum"] }];
    this.anneal = (opts.annealStrategy ?? "cos") === "cos"
      ? (s, e, p) => e + ((s - e) / 2) * (Math.cos(Math.PI * p) + 1)
      : (s, e, p) => (e - s) * p + s;
    this.cycleMomentum = opts.cycleMomentum ?? true;
    optimizer.paramGroups.forEach((g, i) => {
      if (opts.lastEpoch === undefined || opts.lastEpoch === -1) {
        g.initialLr = maxLrs[i] / div;
        g.lr = g.initialLr;
      }
      g.maxLr = maxLrs[i];
      g.minLr = (g.initialLr as number) / finalDiv;
      if (this.cycleMomentum) {
        const hasBetas = Array.isArray(g.betas);
        if (!hasBetas && g.momentum === undefined)
          throw new Error("OneCycleLR: cycleMomentum needs an optimiser with momentum or betas; pass cycleMomentum: false");
        g.maxMomentum = opts.maxMomentum ?? 0.95;
        g.baseMomentum = opts.baseMomentum ?? 0.85;
        setMomentum(g, g.maxMomentum as number);
      }
    });
    (this.baseLrs as number[]).splice(0, this.baseLrs.length, ...optimizer.paramGroups.map((g) => g.initialLr as number));
    this.init();
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps)
      throw new Error(`OneCycleLR: stepped ${step} times, more than totalSteps = ${this.totalSteps}`);
    return this.optimizer.paramGroups.map((g) => {
      let start = 0, lr = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (step <= ph.end || i === this.phases.length - 1) {
          const pct = (step - start) / (ph.end - start);
          lr = this.anneal(g[ph.lr[0]] as number, g[ph.lr[1]] as number, pct);
          if (this.cycleMomentum) setMomentum(g, this.anneal(g[ph.mom[0]] as number, g[ph.mom[1]] as number, pct));
          break;
        }
        start = ph.end;
      }
      return lr;
    });
  }
}

function setMomentum(g: SchedulableGroup, m: number): void {
  if (Array.isArray(g.betas)) g.betas = [m, (g.betas as number[])[1]];
  else g.momentum = m;
}

/** Options of ReduceLROnPlateau: mode ("min"), factor (0.1), patience (10), threshold (1e-4), thresholdMode ("rel"), cooldown (0), minLr (0), eps (1e-8). */
export interface ReduceLROnPlateauOpts {
  mode?: "min" | "max"; factor?: number; patience?: number; threshold?: number;
  thresholdMode?: "rel" | "abs"; cooldown?: number; minLr?: number | number[]; eps?: number;
}

/** Divide the lr by 1/factor when a metric has not improved for `patience` epochs: step(metric). */
export class ReduceLROnPlateau {
  /** "min" (default): lower metrics are better, as a loss; "max": higher are, as an accuracy.
   * @example optim.ReduceLROnPlateau(opt, { mode: "max" }).mode; // "max" */
  readonly mode: "min" | "max";
  /** Factor the lr is multiplied by on a plateau (default 0.1; must be < 1).
   * @example optim.ReduceLROnPlateau(opt, { factor: 0.5 }).factor; // 0.5 */
  readonly factor: number;
  /** Epochs without improvement tolerated before the lr is reduced (default 10).
   * @example optim.ReduceLROnPlateau(opt, { patience: 3 }).patience; // 3 */
  readonly patience: number;
  /** How much better a metric must be to count as an improvement (default 1e-4).
   * @example sched.threshold; // 1e-4 */
  readonly threshold: number;
  /** "rel" (default): threshold is relative to the best metric; "abs": absolute.
   * @example sched.thresholdMode; // "rel" */
  readonly thresholdMode: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again (default 0).
   * @example sched.cooldown; // 0 */
  readonly cooldown: number;
  /** The lowest lr of each param group (option minLr, default 0).
   * @example optim.ReduceLROnPlateau(opt, { minLr: 1e-6 }).minLrs; // [1e-6] */
  readonly minLrs: number[];
  /** Reductions smaller than this are skipped (default 1e-8).
   * @example sched.eps; // 1e-8 */
  readonly eps: number;
  /** The best metric seen so far.
   * @example sched.step(valLoss); sched.best; */
  best: number;
  /** Epochs since the last improvement.
   * @example sched.numBadEpochs; */
  numBadEpochs = 0;
  /** Epochs of cooldown left.
   * @example sched.cooldownCounter; */
  cooldownCounter = 0;
  /** Number of step() calls so far.
   * @example sched.lastEpoch; */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    /** The optimiser whose param groups' lr this scheduler reduces.
     * @example sched.optimizer.paramGroups[0].lr; */
    readonly optimizer: Schedulable,
    opts: ReduceLROnPlateauOpts = {}
  ) {
    this.mode = opts.mode ?? "min"; this.factor = opts.factor ?? 0.1;
    if (this.factor >= 1) throw new Error("ReduceLROnPlateau: factor should be < 1.0");
    this.patience = opts.patience ?? 10; this.threshold = opts.threshold ?? 1e-4;
    this.thresholdMode = opts.thresholdMode ?? "rel"; this.cooldown = opts.cooldown ?? 0;
    const n = optimizer.paramGroups.length;
    this.minLrs = Array.isArray(opts.minLr) ? opts.minLr.slice() : new Array(n).fill(opts.minLr ?? 0);
    this.eps = opts.eps ?? 1e-8;
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number): boolean {
    const rel = this.thresholdMode === "rel";
    if (this.mode === "min") return a < (rel ? this.best * (1 - this.threshold) : this.best - this.threshold);
    return a > (rel ? this.best * (1 + this.threshold) : this.best + this.threshold);
  }

  /** Record one epoch's metric (a number: `await loss.item()`); reduce the lr by factor after more than `patience` bad epochs.
   * @example sched.step(await valLoss.item()); */
  step(metric: number): void {
    this.lastEpoch += 1;
    if (this.isBetter(metric)) { this.best = metric; this.numBadEpochs = 0; } else this.numBadEpochs += 1;
    if (this.cooldownCounter > 0) { this.cooldownCounter -= 1; this.numBadEpochs = 0; }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of each param group after the last step().
   * @example sched.getLastLr(); */
  getLastLr(): number[] { return this.lastLr.slice(); }
}
