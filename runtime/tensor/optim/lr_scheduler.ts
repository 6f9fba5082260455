// runtime/tensor/optim/lr_scheduler.ts
// Learning-rate schedulers with torch.optim.lr_scheduler's semantics: construction applies epoch
// 0, each step() advances one epoch (or one batch for OneCycleLR) and rewrites every param group's
// lr; getLastLr() is what the last step set. Only touches `paramGroups[i].lr` (and momentum for
// OneCycleLR), so it works with any optimiser shaped like optim.Optimizer.

export interface SchedulableGroup { lr: number; initialLr?: number; [k: string]: unknown }
export interface Schedulable { paramGroups: SchedulableGroup[] }

export abstract class LRScheduler {
  lastEpoch: number;
  readonly baseLrs: number[];
  protected lastLr: number[] = [];

  constructor(readonly optimizer: Schedulable, lastEpoch = -1) {
    for (const g of optimizer.paramGroups) if (lastEpoch === -1 || g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** Call at the end of the subclass constructor: torch applies the epoch-0 lr on construction. */
  protected init(): void { this.step(); }

  /** The lr of every param group at `this.lastEpoch`. */
  protected abstract getLr(): number[];

  step(): void {
    this.lastEpoch += 1;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = lrs[i]; });
    this.lastLr = lrs.slice();
  }

  getLastLr(): number[] { return this.lastLr.slice(); }

  stateDict(): Record<string, unknown> {
    return { lastEpoch: this.lastEpoch, baseLrs: this.baseLrs.slice(), lastLr: this.lastLr.slice() };
  }

  loadStateDict(sd: Record<string, unknown>): void {
    this.lastEpoch = sd.lastEpoch as number;
    this.lastLr = (sd.lastLr as number[]).slice();
  }
}

/** lr = base * gamma^floor(epoch / stepSize) */
export class StepLR extends LRScheduler {
  readonly stepSize: number; readonly gamma: number;
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
  readonly milestones: number[]; readonly gamma: number;
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
  readonly tMax: number; readonly etaMin: number;
  constructor(optimizer: Schedulable, opts: { tMax: number; etaMin?: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch);
    this.tMax = opts.tMax; this.etaMin = opts.etaMin ?? 0;
    this.init();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

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

export interface ReduceLROnPlateauOpts {
  mode?: "min" | "max"; factor?: number; patience?: number; threshold?: number;
  thresholdMode?: "rel" | "abs"; cooldown?: number; minLr?: number | number[]; eps?: number;
}

/** Divide the lr by 1/factor when a metric has not improved for `patience` epochs: step(metric). */
export class ReduceLROnPlateau {
  readonly mode: "min" | "max"; readonly factor: number; readonly patience: number;
  readonly threshold: number; readonly thresholdMode: "rel" | "abs"; readonly cooldown: number;
  readonly minLrs: number[]; readonly eps: number;
  best: number; numBadEpochs = 0; cooldownCounter = 0; lastEpoch = 0;
  private lastLr: number[];

  constructor(readonly optimizer: Schedulable, opts: ReduceLROnPlateauOpts = {}) {
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

  getLastLr(): number[] { return this.lastLr.slice(); }
}
