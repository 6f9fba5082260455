// runtime/tensor/random.ts
// The seedable generator behind rand/randn/randint/dropout/init: xoshiro128** (fast, 32-bit
// arithmetic that JS does natively, good statistical quality), seeded through splitmix32.
// Values are generated on the host and uploaded, so one seed gives the same numbers on every device.

/** A seedable random number generator (torch.Generator): xoshiro128** seeded through splitmix32.
 * Values are made on the host and uploaded, so one seed gives the same numbers on every device.
 * Pass it as `opts.generator` to rand, randn, randint, randperm, or to DataLoader; seeded with Date.now() when no seed is given.
 * @example const g = new torch.Generator(0); const a = torch.randn(3, { generator: g }); */
export class Generator {
  private s0 = 0; private s1 = 0; private s2 = 0; private s3 = 0;
  private spare: number | null = null;

  constructor(seed = Date.now()) { this.manualSeed(seed); }

  /** Reseed this generator (torch.Generator.manual_seed); returns it.
   * @example g.manualSeed(42); */
  manualSeed(seed: number): this {
    let x = (Math.floor(seed) >>> 0) ^ Math.floor(seed / 4294967296);
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
    return this;
  }

  /** Next 32 random bits as an unsigned integer.
   * @example const bits = g.nextUint32(); */
  nextUint32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits.
   * @example const u = g.uniform(); */
  uniform(): number {
    const hi = this.nextUint32() >>> 5, lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal by Box-Muller; the second value of each pair is kept for the next call.
   * @example const z = g.normal(); */
  normal(): number {
    if (this.spare !== null) { const s = this.spare; this.spare = null; return s; }
    const u1 = 1 - this.uniform(), u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1)), th = 2 * Math.PI * u2;
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }

  /** Fill a typed array with samples uniform on [low, high).
   * @example const a = new Float32Array(10); g.fillUniform(a, -1, 1); */
  fillUniform(out: Float32Array | Float64Array, low = 0, high = 1): void {
    const w = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + w * this.uniform();
  }

  /** Fill a typed array with normal samples of the given mean and std.
   * @example const a = new Float32Array(10); g.fillNormal(a, 0, 0.02); */
  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
  }

  /** Integers uniform in [low, high).
   * @example const a = new Int32Array(10); g.fillInt(a, 0, 6); */
  fillInt(out: Int32Array | Float32Array | Float64Array, low: number, high: number): void {
    const span = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + Math.floor(this.uniform() * span);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The default generator used when an op is given none. */
export const defaultGenerator = new Generator();

/** Seed the default generator (torch.manual_seed). */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
