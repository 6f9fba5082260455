// runtime/display/image.ts
// Pixels from arrays and tensors: [H,W], [C,H,W], [H,W,C] (C = 1, 3, 4) and batches [N,...];
// value range [0,1] or [0,255] detected (else min-max scaled); grids with padding; colormapped
// heatmaps blended over an image (saliency). Output is 8-bit pixels for png.ts.
import { type ColormapName, colorAt } from "./colormap";
import { readValues, type Values } from "./values";
import type { Channels } from "./png";

export interface Pixels { width: number; height: number; channels: Channels; data: Uint8Array }
export interface ImageOptions {
  /** Value range mapped to black..white; default: [0,1] or [0,255] when the data fits, else min..max. */
  range?: [number, number];
  /** Colormap for single-channel data (default gray). */
  cmap?: ColormapName;
}

function rangeOf(data: ArrayLike<number>, explicit?: [number, number]): [number, number] {
  if (explicit) return explicit;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  if (lo === Infinity) return [0, 1];
  if (lo >= 0 && hi <= 1) return [0, 1];
  if (lo >= 0 && hi <= 255) return [0, 255];
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** Layout of one image: channel count and whether channels come first. */
function layout(shape: number[], where: string): { c: number; h: number; w: number; chw: boolean } {
  if (shape.length === 1) {
    const side = Math.round(Math.sqrt(shape[0]));
    if (side * side !== shape[0]) throw new RangeError(`${where}: a 1-D image needs a square length, got ${shape[0]}`);
    return { c: 1, h: side, w: side, chw: true };
  }
  if (shape.length === 2) return { c: 1, h: shape[0], w: shape[1], chw: true };
  if (shape.length === 3) {
    if ([1, 3, 4].includes(shape[0])) return { c: shape[0], h: shape[1], w: shape[2], chw: true };
    if ([1, 3, 4].includes(shape[2])) return { c: shape[2], h: shape[0], w: shape[1], chw: false };
  }
  throw new RangeError(`${where}: expected an image of shape [H, W], [C, H, W] or [H, W, C] with C in 1, 3, 4; ` +
    `got [${shape.join(", ")}]`);
}

/** One image from values at a flat offset. */
function toPixels(v: Values, shape: number[], offset: number, opts: ImageOptions, range: [number, number],
  where: string): Pixels {
  const { c, h, w, chw } = layout(shape, where);
  const [lo, hi] = range;
  const scale = 1 / (hi - lo || 1);
  const gray = c === 1;
  const cmap = opts.cmap && opts.cmap !== "gray" ? opts.cmap : null;
  const outC: Channels = gray ? (cmap ? 3 : 1) : (c as Channels);
  const out = new Uint8Array(h * w * outC);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const p = y * w + x;
    for (let k = 0; k < c; k++) {
      const src = offset + (chw ? k * h * w + p : p * c + k);
      const t = Math.min(1, Math.max(0, ((v.data[src] as number) - lo) * scale));
      if (cmap) {
        const rgb = colorAt(cmap, t);
        out[p * 3] = rgb[0]; out[p * 3 + 1] = rgb[1]; out[p * 3 + 2] = rgb[2];
      } else out[p * outC + k] = Math.round(t * 255);
    }
  }
  return { width: w, height: h, channels: outC, data: out };
}

export function imagePixels(x: unknown, opts: ImageOptions = {}, where = "plot.image"): Pixels {
  const v = readValues(x, where);
  return toPixels(v, v.shape, 0, opts, rangeOf(v.data, opts.range), where);
}

/** A batch: [N, ...image] tensor/array, or a list of images. One shared value range. */
export function batchPixels(x: unknown, opts: ImageOptions = {}, where = "plot.images"): Pixels[] {
  if (Array.isArray(x) && x.length > 0 && (typeof x[0] === "object" && x[0] !== null) &&
    !Array.isArray(x[0]) && !ArrayBuffer.isView(x[0]))
    return x.map((im) => imagePixels(im, opts, where));    // a list of tensors
  const v = readValues(x, where);
  if (v.shape.length < 2) throw new RangeError(`${where}: expected a batch [N, ...], got [${v.shape.join(", ")}]`);
  const n = v.shape[0], inner = v.shape.slice(1), size = inner.reduce((a, b) => a * b, 1);
  const range = rangeOf(v.data, opts.range);
  return Array.from({ length: n }, (_, i) => toPixels(v, inner, i * size, opts, range, where));
}

function toRgb(p: Pixels): Pixels {
  if (p.channels === 3) return p;
  const out = new Uint8Array(p.width * p.height * 3);
  for (let i = 0; i < p.width * p.height; i++) {
    if (p.channels === 1) { out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = p.data[i]; continue; }
    const a = p.data[i * 4 + 3] / 255;   // RGBA over white
    for (let k = 0; k < 3; k++) out[i * 3 + k] = Math.round(p.data[i * 4 + k] * a + 255 * (1 - a));
  }
  return { width: p.width, height: p.height, channels: 3, data: out };
}

export interface GridLayout { cols: number; rows: number; cellW: number; cellH: number; pad: number; band: number; rowH: number; width: number; height: number }

/** Tile images into one picture, `pad` white pixels between cells and a `band` of white under
 * each row (room for captions). Cells are as large as the largest image. */
export function gridPixels(images: Pixels[], cols?: number, pad = 2, band = 0): { pixels: Pixels; grid: GridLayout } {
  if (images.length === 0) throw new RangeError("plot.images: no images to show");
  const n = images.length;
  const c = Math.max(1, Math.min(n, cols ?? Math.ceil(Math.sqrt(n))));
  const rows = Math.ceil(n / c);
  const cellW = Math.max(...images.map((i) => i.width)), cellH = Math.max(...images.map((i) => i.height));
  const rowH = cellH + band + pad;
  const width = c * cellW + (c + 1) * pad, height = pad + rows * rowH;
  const allGray = images.every((i) => i.channels === 1);
  const ch: Channels = allGray ? 1 : 3;
  const data = new Uint8Array(width * height * ch).fill(255);
  images.forEach((img0, i) => {
    const img = allGray ? img0 : toRgb(img0);
    const ox = pad + (i % c) * (cellW + pad), oy = pad + Math.floor(i / c) * rowH;
    for (let y = 0; y < img.height; y++)
      data.set(img.data.subarray(y * img.width * ch, (y + 1) * img.width * ch), ((oy + y) * width + ox) * ch);
  });
  return { pixels: { width, height, channels: ch, data }, grid: { cols: c, rows, cellW, cellH, pad, band, rowH, width, height } };
}

/** Blend a colormapped heatmap (values scaled to [0,1] by their min..max) over an image. */
export function overlayPixels(base: Pixels, heat: unknown, opts: { cmap: ColormapName; alpha: number },
  where = "plot.overlay"): Pixels {
  const v = readValues(heat, where);
  const shape = v.shape.filter((d, i) => !(d === 1 && i < v.shape.length - 2));
  if (shape.length !== 2 || shape[0] !== base.height || shape[1] !== base.width)
    throw new RangeError(`${where}: heatmap of shape [${v.shape.join(", ")}] does not match the ` +
      `image [${base.height}, ${base.width}]`);
  const rgb = toRgb(base);
  const [lo, hi] = rangeOf(v.data, undefined);
  const [a0, a1] = lo >= 0 && hi <= 1 ? [0, 1] : [lo, hi];
  const out = new Uint8Array(rgb.data.length);
  for (let i = 0; i < base.width * base.height; i++) {
    const t = ((v.data[i] as number) - a0) / (a1 - a0 || 1);
    const c = colorAt(opts.cmap, t);
    for (let k = 0; k < 3; k++) out[i * 3 + k] = Math.round(rgb.data[i * 3 + k] * (1 - opts.alpha) + c[k] * opts.alpha);
  }
  return { width: base.width, height: base.height, channels: 3, data: out };
}
