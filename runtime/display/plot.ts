// runtime/display/plot.ts
// What a cell calls `plot`: plot(traces, layout) for raw plotly figures, and helpers that build
// them from arrays or tensors: line, scatter, bar, histogram, heatmap, confusionMatrix, image,
// images (grids with labels; saliency overlays) and live (training curves). Every helper returns
// a displayable object; the last expression of a cell or display(fig) shows it.
import { checkColormap, COLORWAY, plotlyColorscale, type ColormapName } from "./colormap";
import type { Annotation, Datum, Layout, Trace } from "./figure_types";
import { batchPixels, gridPixels, imagePixels, overlayPixels, type ImageOptions } from "./image";
import { ImageFigure } from "./image_figure";
import { ensurePlotlyLoaded, Figure } from "./plotly";
import { encodePng, pngDataUrl } from "./png";
import { live } from "./training_curve";
import { isTensorLike, readValues, readVector } from "./values";

/** Options every plot helper takes: title, xlabel, ylabel, logX, logY, width, height (420 by default). */
export interface CommonOptions {
  title?: string; xlabel?: string; ylabel?: string;
  logX?: boolean; logY?: boolean;
  width?: number; height?: number;
}

function baseLayout(o: CommonOptions): Layout {
  const l: Layout = { height: o.height ?? 420 };
  if (o.width) l.width = o.width;
  if (o.title) l.title = { text: o.title };
  l.xaxis = { ...(o.xlabel ? { title: { text: o.xlabel } } : {}), ...(o.logX ? { type: "log" } : {}) };
  l.yaxis = { ...(o.ylabel ? { title: { text: o.ylabel } } : {}), ...(o.logY ? { type: "log" } : {}) };
  return l;
}

type Series = unknown;   // array, typed array or tensor
type SeriesSet = Series | Record<string, Series>;

function isRecordOfSeries(x: unknown): x is Record<string, Series> {
  return x !== null && typeof x === "object" && !Array.isArray(x) && !ArrayBuffer.isView(x) && !isTensorLike(x);
}

function named(y: SeriesSet, where: string): [string | undefined, number[]][] {
  if (isRecordOfSeries(y)) return Object.entries(y).map(([k, v]) => [k, readVector(v, where)]);
  const v = readValues(y, where);
  if (v.shape.length === 2) {   // [series, points]
    const [s, n] = v.shape;
    return Array.from({ length: s }, (_, i) => [`${i}`, Array.from(v.data, Number).slice(i * n, (i + 1) * n)]);
  }
  return [[undefined, Array.from(v.data, Number)]];
}

/** Options of plot.line: x values (default 0, 1, ...), markers, names of the series, and the CommonOptions. */
export interface LineOptions extends CommonOptions { x?: Series; markers?: boolean; names?: string[] }

/** plot.line([1, 2, 3]), plot.line({ train: a, val: b }, { x: steps, logY: true }). */
export function line(y: SeriesSet, opts: LineOptions = {}): Figure {
  const x = opts.x !== undefined ? readVector(opts.x, "plot.line") : undefined;
  const data: Trace[] = named(y, "plot.line").map(([name, ys], i) => ({
    type: "scatter", mode: opts.markers ? "lines+markers" : "lines", name: opts.names?.[i] ?? name,
    x: x ?? ys.map((_, j) => j), y: ys,
  }));
  return new Figure(data, baseLayout(opts));
}

/** Options of plot.scatter: labels (class per point, coloured), classes (their names), size (marker size), and the CommonOptions. */
export interface ScatterOptions extends CommonOptions { labels?: Series; classes?: string[]; size?: number }

/** plot.scatter(x, y), or points [N, 2] with { labels } coloured per class. */
export function scatter(x: Series, y?: Series | ScatterOptions, opts: ScatterOptions = {}): Figure {
  let xs: number[], ys: number[];
  if (y === undefined || isRecordOfSeries(y) && !Array.isArray(y)) {
    if (y !== undefined) opts = y as ScatterOptions;
    const v = readValues(x, "plot.scatter");
    if (v.shape.length !== 2 || v.shape[1] !== 2) throw new RangeError(`plot.scatter: expected points of shape [N, 2], got [${v.shape.join(", ")}]; or pass x and y`);
    const d = Array.from(v.data, Number);
    xs = d.filter((_, i) => i % 2 === 0); ys = d.filter((_, i) => i % 2 === 1);
  } else { xs = readVector(x, "plot.scatter"); ys = readVector(y, "plot.scatter"); }
  if (xs.length !== ys.length) throw new RangeError(`plot.scatter: x has ${xs.length} points but y has ${ys.length}`);
  const marker = { size: opts.size ?? 6 };
  let data: Trace[];
  if (opts.labels !== undefined) {
    const lab = readVector(opts.labels, "plot.scatter");
    const classes = [...new Set(lab)].sort((a, b) => a - b);
    data = classes.map((c, k) => {
      const idx = lab.map((l, i) => (l === c ? i : -1)).filter((i) => i >= 0);
      return { type: "scatter", mode: "markers", name: opts.classes?.[c] ?? String(c), x: idx.map((i) => xs[i]), y: idx.map((i) => ys[i]),
        marker: { ...marker, color: COLORWAY[k % COLORWAY.length] } };
    });
  } else data = [{ type: "scatter", mode: "markers", x: xs, y: ys, marker }];
  return new Figure(data, baseLayout(opts));
}

/** plot.bar(["a", "b"], [3, 5]), plot.bar([3, 5]), plot.bar({ adam: [..], sgd: [..] }, { x: labels }). */
export function bar(labelsOrValues: SeriesSet | string[], values?: Series | CommonOptions & { x?: Datum[] }, opts: CommonOptions & { x?: Datum[] } = {}): Figure {
  let cats: Datum[] | undefined, sets: [string | undefined, number[]][];
  if (values !== undefined && !isRecordOfSeries(values)) {
    cats = (labelsOrValues as Datum[]).map((l) => (typeof l === "number" ? l : String(l)));
    sets = [[undefined, readVector(values, "plot.bar")]];
  } else {
    if (values !== undefined) opts = values as CommonOptions & { x?: Datum[] };
    sets = named(labelsOrValues, "plot.bar");
    cats = opts.x;
  }
  const data: Trace[] = sets.map(([name, ys]) => ({ type: "bar", name, x: (cats ?? ys.map((_, i) => i)).map((c) => (typeof c === "string" ? c : c)), y: ys }));
  return new Figure(data, baseLayout(opts));
}

/** Options of plot.histogram: bins (30), range ([min, max] of the data), and the CommonOptions. */
export interface HistogramOptions extends CommonOptions { bins?: number; range?: [number, number] }

/** Bins counted here (not by plotly), so the static SVG and the plotly drawing agree. */
export function histogramCounts(values: number[], bins: number, range?: [number, number]): { edges: number[]; counts: number[] } {
  const finite = values.filter(Number.isFinite);
  let [lo, hi] = range ?? [Math.min(...finite), Math.max(...finite)];
  if (!finite.length) { lo = 0; hi = 1; }
  if (lo === hi) { lo -= 0.5; hi += 0.5; }
  const w = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) {
    if (v < lo || v > hi) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / w))] += 1;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * w), counts };
}

export function histogram(values: SeriesSet, opts: HistogramOptions = {}): Figure {
  const bins = opts.bins ?? 30;
  const sets = named(values, "plot.histogram");
  const all = sets.flatMap(([, v]) => v).filter(Number.isFinite);
  const range = opts.range ?? [Math.min(...all), Math.max(...all)] as [number, number];
  const data: Trace[] = sets.map(([name, v]) => {
    const { edges, counts } = histogramCounts(v, bins, range);
    const w = edges[1] - edges[0];
    return { type: "bar", name, x: counts.map((_, i) => edges[i] + w / 2), y: counts, width: w, opacity: sets.length > 1 ? 0.6 : 1 };
  });
  const layout = baseLayout({ ylabel: "count", ...opts });
  if (sets.length > 1) layout.barmode = "overlay";
  layout.bargap = 0;
  return new Figure(data, layout);
}

/** Options of plot.heatmap: x and y labels, cmap, showValues, zmin, zmax, colorbar, and the CommonOptions. */
export interface HeatmapOptions extends CommonOptions {
  x?: Datum[]; y?: Datum[]; cmap?: ColormapName | string; showValues?: boolean; zmin?: number; zmax?: number; colorbar?: boolean;
}

/** plot.heatmap(z [rows, cols]) with optional row/column labels and values written in cells. */
export function heatmap(z: Series, opts: HeatmapOptions = {}): Figure {
  const v = readValues(z, "plot.heatmap");
  if (v.shape.length !== 2) throw new RangeError(`plot.heatmap: expected a 2-D array [rows, cols], got [${v.shape.join(", ")}]`);
  const [r, c] = v.shape;
  const rows = Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => Number(v.data[i * c + j])));
  const cmap = checkColormap(opts.cmap ?? "viridis", "plot.heatmap");
  const t: Trace = { type: "heatmap", z: rows, colorscale: plotlyColorscale(cmap), showscale: opts.colorbar ?? false };
  if (opts.x) t.x = opts.x.map(String);
  if (opts.y) t.y = opts.y.map(String);
  if (opts.zmin !== undefined) t.zmin = opts.zmin;
  if (opts.zmax !== undefined) t.zmax = opts.zmax;
  if (opts.showValues ?? r * c <= 400) t.texttemplate = "%{z}";
  const layout = baseLayout(opts);
  layout.yaxis = { ...(layout.yaxis as object), autorange: "reversed" };
  if (t.x) layout.xaxis = { ...(layout.xaxis as object), type: "category" };
  if (t.y) layout.yaxis = { ...(layout.yaxis as object), type: "category" };
  return new Figure([t], layout);
}

/** Options of plot.confusionMatrix: classes (names), normalize (rows to fractions), cmap ("blues"), and the CommonOptions. */
export interface ConfusionOptions extends CommonOptions { classes?: string[]; normalize?: boolean; cmap?: ColormapName | string }

/** Counts [true class, predicted class]; predictions may be class ids or logits [N, C] (argmax). */
export function confusionMatrixCounts(preds: Series, labels: Series, numClasses?: number): number[][] {
  const pv = readValues(preds, "plot.confusionMatrix");
  let p: number[];
  if (pv.shape.length === 2) {
    const [n, c] = pv.shape;
    p = Array.from({ length: n }, (_, i) => { let b = 0; for (let j = 1; j < c; j++) if (pv.data[i * c + j] > pv.data[i * c + b]) b = j; return b; });
  } else p = Array.from(pv.data, Number);
  const l = readVector(labels, "plot.confusionMatrix");
  if (p.length !== l.length) throw new RangeError(`plot.confusionMatrix: ${p.length} predictions but ${l.length} labels`);
  const k = numClasses ?? Math.max(0, ...p, ...l) + 1;
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  p.forEach((pi, i) => { const li = l[i]; if (li >= 0 && li < k && pi >= 0 && pi < k) m[li][pi] += 1; });
  return m;
}

export function confusionMatrix(preds: Series, labels: Series, opts: ConfusionOptions = {}): Figure {
  const m = confusionMatrixCounts(preds, labels, opts.classes?.length);
  const names = opts.classes ?? m.map((_, i) => String(i));
  const z = opts.normalize ? m.map((row) => { const s = row.reduce((a, b) => a + b, 0) || 1; return row.map((v) => Number((v / s).toFixed(3))); }) : m;
  const total = m.flat().reduce((a, b) => a + b, 0), right = m.reduce((a, row, i) => a + row[i], 0);
  const fig = heatmap(z, { cmap: opts.cmap ?? "blues", x: names, y: names, showValues: true, xlabel: opts.xlabel ?? "predicted",
    ylabel: opts.ylabel ?? "true", title: opts.title ?? `Confusion matrix (accuracy ${total ? ((100 * right) / total).toFixed(1) : "0"}%)`,
    height: opts.height ?? Math.min(720, Math.max(360, 40 * names.length + 140)), width: opts.width });
  fig.data[0].hovertemplate = "true %{y}, predicted %{x}: %{z}<extra></extra>";
  return fig;
}

/** Options of plot.image: title, overlay (a heatmap [H, W] blended on top), alpha, scale, and the ImageOptions (range, cmap, ...). */
export interface PlotImageOptions extends ImageOptions {
  title?: string;
  /** Heatmap [H, W] blended over the image (saliency), coloured with cmap (default "jet"). */
  overlay?: Series;
  alpha?: number;
  /** Display upscaling (default: about 160 px). */
  scale?: number;
}

/** plot.image(t): [H,W], [C,H,W] or [H,W,C] in [0,1] or [0,255]; { overlay, alpha } for saliency. */
export function image(x: Series, opts: PlotImageOptions = {}): ImageFigure {
  const base = imagePixels(x, opts.overlay !== undefined ? { range: opts.range } : opts, "plot.image");
  const px = opts.overlay !== undefined
    ? overlayPixels(base, opts.overlay, { cmap: checkColormap(opts.cmap ?? "jet", "plot.image"), alpha: opts.alpha ?? 0.5 })
    : base;
  return new ImageFigure(px, opts.title, opts.scale);
}

/** Options of plot.images: title, cols, labels and classes (captions), overlay and alpha (heatmaps), scale, and the ImageOptions. */
export interface ImagesOptions extends ImageOptions {
  title?: string; cols?: number;
  /** One caption per image: class ids, strings, or a tensor of ids (mapped through classes). */
  labels?: Series | string[]; classes?: string[];
  /** Heatmaps [N, H, W] blended over the images (saliency), with cmap (default "jet") and alpha. */
  overlay?: Series; alpha?: number;
  /** Display pixels per image pixel (default: fit about 640 px wide). */
  scale?: number;
}

/** plot.images(batch, { labels }): a grid of samples with captions, as one plotly image trace. */
export function images(batch: Series, opts: ImagesOptions = {}): Figure {
  let pics = batchPixels(batch, opts.overlay !== undefined ? { range: opts.range } : opts, "plot.images");
  if (opts.overlay !== undefined) {
    const heats = batchPixels(opts.overlay, { range: [0, 1] }, "plot.images");
    const hv = readValues(opts.overlay, "plot.images");
    const size = hv.shape.slice(1).reduce((a, b) => a * b, 1);
    const cmap = checkColormap(opts.cmap ?? "jet", "plot.images");
    if (heats.length !== pics.length) throw new RangeError(`plot.images: ${pics.length} images but ${heats.length} overlays`);
    pics = pics.map((p, i) => overlayPixels(p, { shape: [p.height, p.width], dataSync: () => Array.from(hv.data).slice(i * size, (i + 1) * size) },
      { cmap, alpha: opts.alpha ?? 0.5 }, "plot.images"));
  }
  const captions: string[] | undefined = opts.labels === undefined ? undefined
    : Array.isArray(opts.labels) && opts.labels.every((l) => typeof l === "string") ? opts.labels as string[]
    : readVector(opts.labels, "plot.images").map((l) => opts.classes?.[l] ?? String(l));
  const cellH = Math.max(...pics.map((p) => p.height));
  const scale0 = opts.scale ?? Math.max(1, Math.min(6, 640 / ((opts.cols ?? Math.ceil(Math.sqrt(pics.length))) * (Math.max(...pics.map((p) => p.width)) + 2))));
  const band = captions ? Math.ceil(16 / scale0) : 0;       // room under each image for its caption
  const { pixels, grid } = gridPixels(pics, opts.cols, 2, band);
  const src = pngDataUrl(encodePng(pixels.data, pixels.width, pixels.height, pixels.channels));
  const annotations: Annotation[] = (captions ?? []).slice(0, pics.length).map((text, i) => ({
    text, x: grid.pad + (i % grid.cols) * (grid.cellW + grid.pad) + grid.cellW / 2,
    y: grid.pad + Math.floor(i / grid.cols) * grid.rowH + cellH + band / 2,
    xref: "x", yref: "y", showarrow: false, font: { size: 11 },
  }));
  const top = opts.title ? 40 : 8;
  const layout: Layout = {
    width: Math.round(grid.width * scale0) + 16, height: Math.round(grid.height * scale0) + top + 8,
    margin: { l: 8, r: 8, t: top, b: 8 },
    xaxis: { visible: false, range: [-0.5, grid.width - 0.5] },
    yaxis: { visible: false, range: [grid.height - 0.5, -0.5], autorange: false, scaleanchor: "x" } as Layout["yaxis"],
    annotations, showlegend: false,
  };
  if (opts.title) layout.title = { text: opts.title };
  return new Figure([{ type: "image", source: src, hovertemplate: "x %{x}, y %{y}: %{color}<extra></extra>" }], layout);
}

/** plot(traces, layout): a plotly figure from raw traces. */
function plotFn(traces: Trace[] | Trace, layout: Layout = {}): Figure {
  return new Figure(Array.isArray(traces) ? traces : [traces], layout);
}

/** Send plotly.js again (it goes out once per kernel session, with the first figure). Use it when
 * the output that carried it was cleared or re-run, so a saved notebook draws interactively again. */
function embedPlotly(): boolean { return ensurePlotlyLoaded(true); }

/** plot(traces, layout) draws raw plotly traces; plot.line, scatter, bar, histogram, heatmap, confusionMatrix, image,
 * images and live build figures from arrays or tensors. The last expression of a cell, or display(fig), shows one.
 * @example plot([{ type: "scatter", x: [1, 2, 3], y: [2, 4, 8] }], { title: { text: "growth" } }) */
export const plot = Object.assign(plotFn, {
  /** Line chart of one series, several ([series, points] or { name: values }), from arrays, typed arrays or tensors.
   * Options: x, markers, names, title, xlabel, ylabel, logX, logY, width, height.
   * @example plot.line({ train: trainLosses, val: valLosses }, { x: epochs, logY: true, title: "loss" }) */
  line,
  /** Scatter plot of x against y, or of points [N, 2] coloured per class with { labels, classes }.
   * @example const moons = data.twoMoons(200); plot.scatter(moons.x, { labels: moons.y, title: "two moons" }) */
  scatter,
  /** Bar chart: plot.bar(labels, values), plot.bar(values), or grouped bars plot.bar({ adam: [...], sgd: [...] }, { x: labels }).
   * @example plot.bar(["cat", "dog"], [0.7, 0.3]) */
  bar,
  /** Histogram of the values (counted here, so the static SVG matches); several series overlay. Options: bins (30), range.
   * @example plot.histogram(model.fc1.weight, { bins: 50, title: "weights" }) */
  histogram,
  /** Heatmap of a matrix [rows, cols] with optional labels (x, y), colormap (cmap), value labels (showValues), zmin/zmax.
   * @example plot.heatmap(attn.index(0), { cmap: "viridis" }) */
  heatmap,
  /** Confusion matrix of predictions (class ids, or logits [N, C] reduced by argmax) against labels, titled with the accuracy.
   * Options: classes, normalize, cmap.
   * @example plot.confusionMatrix(model.forward(xTest), yTest, { classes: data.CIFAR10_CLASSES }) */
  confusionMatrix,
  /** One image: [H, W], [C, H, W] or [H, W, C], values in [0, 1] or [0, 255]; { overlay, alpha, cmap } blends a saliency heatmap [H, W].
   * @example plot.image(x.index(0), { title: `label ${await y.index(0).item()}` }) */
  image,
  /** A grid of images from a batch [N, C, H, W] (or [N, H, W]) with captions ({ labels, classes }), as one figure; { overlay } blends heatmaps [N, H, W].
   * @example plot.images(xb.slice(0, 0, 16), { labels: yb.slice(0, 0, 16), cols: 8 }) */
  images,
  /** A TrainingCurve shown at once: call .log(step, { loss, ... }) in the training loop and it redraws in place.
   * @example const curve = plot.live({ title: "loss" }); curve.log(step, { loss: await loss.item() }); */
  live,
  /** Send plotly.js to the notebook again (it goes once per kernel session, with the first figure); use it after clearing that output.
   * @example plot.embedPlotly(); */
  embedPlotly,
  /** The figure class the helpers return: plotly traces and layout, shown with an interactive plotly view and a static SVG.
   * @example const fig = new plot.Figure([{ type: "scatter", x: [1, 2], y: [3, 4] }]); */
  Figure,
});
export type Plot = typeof plot;
