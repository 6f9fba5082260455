// runtime/tensor/data/transforms.ts
// torchvision-style transforms for image samples [C, H, W] (and flat samples for normalize).
// Each transform is callable on a Tensor (x => Tensor) and also carries an array form that the
// array-backed data sets (MNIST, CIFAR10) run on typed arrays without creating tensors per sample.

import type { Tensor } from "../tensor";
import { Generator, toGenerator, randint } from "./random";
import { sampleToArray, arrayToSample } from "./tensors";

export interface Sample { data: Float32Array; shape: number[] }
/** A data transform: callable on a tensor sample, and on the float32 samples of ArrayDataset (`transform` option of MNIST, CIFAR10). */
export interface Transform {
  (x: Tensor): Tensor;
  /** The same transform on a float32 sample; returns a new sample or the input changed in place. */
  array(s: Sample): Sample;
  readonly name: string;
}

function transform(name: string, array: (s: Sample) => Sample): Transform {
  const f = ((x: Tensor) => arrayToSample(array(sampleToArray(x)), x.device)) as Transform;
  Object.defineProperty(f, "name", { value: name });
  f.array = array;
  return f;
}

/** Per-channel (x - mean) / std; mean/std of length 1 apply to every channel.
 * Works on tensors and on the float32 samples of ArrayDataset (the `transform` option).
 * Shapes: `[C, H, W]` (or `[C, *]`) -> the same shape.
 * @example const ds = data.MNIST({ transform: data.transforms.normalize(0.1307, 0.3081) }); */
export function normalize(mean: number | number[], std: number | number[]): Transform {
  const m = Array.isArray(mean) ? mean : [mean], s = Array.isArray(std) ? std : [std];
  return transform("normalize", ({ data, shape }) => {
    const c = shape.length >= 3 ? shape[shape.length - 3] : 1;
    const plane = data.length / c;
    const out = new Float32Array(data.length);
    for (let ch = 0; ch < c; ch++) {
      const mu = m.length === 1 ? m[0] : m[ch], sd = s.length === 1 ? s[0] : s[ch];
      if (mu === undefined || sd === undefined)
        throw new Error(`normalize: ${m.length} means / ${s.length} stds for ${c} channels`);
      for (let i = ch * plane; i < (ch + 1) * plane; i++) out[i] = (data[i] - mu) / sd;
    }
    return { data: out, shape };
  });
}

/** Pad by `padding` (zeros) and crop a random size x size window (torchvision RandomCrop).
 * Shapes: `[C, H, W]` -> `[C, size, size]` (or `[C, h, w]` for size [h, w]).
 * @example const t = data.transforms.randomCrop(32, { padding: 4 }); */
export function randomCrop(size: number | [number, number], opts: { padding?: number; generator?: Generator | number } = {}): Transform {
  const [th, tw] = Array.isArray(size) ? size : [size, size];
  const pad = opts.padding ?? 0;
  const g = toGenerator(opts.generator);
  return transform("randomCrop", ({ data, shape }) => {
    const [c, h, w] = chw(shape, "randomCrop");
    const ph = h + 2 * pad, pw = w + 2 * pad;
    if (th > ph || tw > pw) throw new Error(`randomCrop: crop [${th}, ${tw}] is larger than the padded image [${ph}, ${pw}]`);
    const top = randint(g, ph - th + 1), left = randint(g, pw - tw + 1);
    const out = new Float32Array(c * th * tw);
    for (let ch = 0; ch < c; ch++) for (let y = 0; y < th; y++) {
      const sy = top + y - pad;
      if (sy < 0 || sy >= h) continue;
      for (let x = 0; x < tw; x++) {
        const sx = left + x - pad;
        if (sx >= 0 && sx < w) out[(ch * th + y) * tw + x] = data[(ch * h + sy) * w + sx];
      }
    }
    return { data: out, shape: [...shape.slice(0, -3), c, th, tw] };
  });
}

/** Mirror left-right with probability p.
 * Shapes: `[C, H, W]` -> `[C, H, W]`.
 * @example const t = data.transforms.randomHorizontalFlip(); */
export function randomHorizontalFlip(p = 0.5, opts: { generator?: Generator | number } = {}): Transform {
  const g = toGenerator(opts.generator);
  return transform("randomHorizontalFlip", (s) => {
    if (g.uniform() >= p) return s;
    const [c, h, w] = chw(s.shape, "randomHorizontalFlip");
    const out = new Float32Array(s.data.length);
    for (let r = 0; r < c * h; r++) for (let x = 0; x < w; x++) out[r * w + x] = s.data[r * w + w - 1 - x];
    return { data: out, shape: s.shape };
  });
}

/** Apply transforms in order.
 * Shapes: as the transforms, in order.
 * @example const t = data.transforms.compose([data.transforms.randomCrop(32, { padding: 4 }), data.transforms.randomHorizontalFlip()]); */
export function compose(transforms: Transform[]): Transform {
  return transform("compose", (s) => transforms.reduce((acc, t) => t.array(acc), s));
}

function chw(shape: number[], op: string): [number, number, number] {
  if (shape.length < 2) throw new Error(`${op}: expected an image [C, H, W] or [H, W], got [${shape.join(", ")}]`);
  if (shape.length === 2) return [1, shape[0], shape[1]];
  if (shape.length > 3) throw new Error(`${op}: expected one image [C, H, W], got [${shape.join(", ")}]; transform samples, not batches`);
  return [shape[shape.length - 3], shape[shape.length - 2], shape[shape.length - 1]];
}
