// runtime/display/smoothing.ts
// TensorBoard's scalar smoothing: an exponential moving average debiased like Adam's moments,
// so the first points are not pulled toward 0 (tensorboard/webapp/.../data_transformer.ts).
// weight 0 = raw values, 0.99 = very smooth. Non-finite values pass through and do not count.

export class Ema {
  private last = 0;
  private pow = 1;   // weight^count, kept as a product (Math.pow per point costs more than the EMA)
  constructor(readonly weight: number) {
    if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing: weight must be in [0, 1), got ${weight}`);
  }
  next(y: number): number {
    if (!Number.isFinite(y)) return y;
    this.last = this.last * this.weight + (1 - this.weight) * y;
    this.pow *= this.weight;
    return this.weight === 0 ? y : this.last / (1 - this.pow);
  }
}

export function smooth(ys: readonly number[], weight: number): number[] {
  const e = new Ema(weight);
  return ys.map((y) => e.next(y));
}
