// runtime/debug_inspect.ts
// What the Jupyter debugger (kernel/debugger/, on the socket thread) asks of values on this
// thread, through the inspector: a one-line summary for the Variables panel (a Tensor's shape,
// dtype and device), a rich view for richInspectVariables (statistics plus a heatmap or a
// histogram), and the user's globals. Reached as globalThis[Symbol.for("tsgrad.debug")], a getter
// the Evaluator defines, so this file loads only when a debugger asks. Everything here is
// synchronous: it may run while the thread is paused at a breakpoint, where nothing can be awaited.
import { inspect } from "node:util";
import { colorAt, cssColor } from "./display/colormap";
import { toMimeBundle, type MimeBundle } from "./display/display";
import { escapeXml, formatNumber } from "./display/escape";
import { encodePng, pngDataUrl } from "./display/png";
import { Module } from "./tensor/nn/module";
import { formatShape } from "./tensor/shape";
import { Tensor } from "./tensor/tensor";

/** Node's own enumerable globals: not the user's variables. */
const NODE_GLOBALS = new Set(["global", "clearImmediate", "setImmediate", "clearInterval", "clearTimeout", "setInterval",
  "setTimeout", "queueMicrotask", "structuredClone", "atob", "btoa", "performance", "fetch", "crypto", "navigator",
  "__filename", "module", "exports", "__dirname", "require"]);
const MAX_IMAGE = 256, HIST_BINS = 24;

export function summary(v: unknown): string | undefined {
  if (v instanceof Tensor) {
    if (v.isDisposed) return "Tensor <disposed>";
    const grad = v.gradFn ? ` gradFn=${v.gradFn.name}` : v.requiresGrad ? " requiresGrad" : "";
    return `Tensor ${formatShape(v.shape)} ${v.dtype} ${v.device}${grad}`;
  }
  if (v instanceof Module) {
    const n = v.parameters().reduce((s, p) => s + p.numel(), 0);
    return `${v.constructor.name} (${n.toLocaleString("en-US")} parameters)`;
  }
  return undefined;
}

/** The variables cells declared (globals the Evaluator defines enumerable), by name. */
export function userGlobals(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const g = globalThis as Record<string, unknown>;
  for (const k of Object.keys(g)) {
    if (NODE_GLOBALS.has(k)) continue;
    try { out[k] = g[k]; } catch (err) { out[k] = err; }
  }
  return out;
}

interface Stats { min: number; max: number; mean: number; std: number; nan: number; values: Float64Array }

function stats(t: Tensor): Stats | undefined {
  if (t.isDisposed || t.dtype === "bool" || t.numel() === 0) return undefined;
  let data: ArrayLike<number>;
  try { data = t.dataSync() as ArrayLike<number>; } catch { return undefined; }
  const values = Float64Array.from(data);
  let min = Infinity, max = -Infinity, sum = 0, n = 0, nan = 0;
  for (const x of values) {
    if (Number.isNaN(x)) { nan++; continue; }
    if (x < min) min = x; if (x > max) max = x; sum += x; n++;
  }
  const mean = n ? sum / n : NaN;
  let sq = 0;
  for (const x of values) if (!Number.isNaN(x)) sq += (x - mean) ** 2;
  return { min, max, mean, std: n ? Math.sqrt(sq / n) : NaN, nan, values };
}

/** 2-D view (rows, cols) of a tensor whose shape is a matrix after dropping 1-sized dimensions. */
function matrixShape(shape: readonly number[]): [number, number] | undefined {
  const dims = shape.filter((d) => d !== 1);
  if (dims.length !== 2 || dims[0] > MAX_IMAGE || dims[1] > MAX_IMAGE) return undefined;
  return [dims[0], dims[1]];
}

function heatmap(s: Stats, rows: number, cols: number): string {
  const scale = Math.max(1, Math.floor(160 / Math.max(rows, cols)));
  const w = cols * scale, h = rows * scale, px = new Uint8Array(w * h * 3);
  const span = s.max - s.min || 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = s.values[Math.floor(y / scale) * cols + Math.floor(x / scale)];
      px.set(colorAt("viridis", (v - s.min) / span), (y * w + x) * 3);
    }
  }
  return `<img alt="heatmap ${rows}x${cols}" src="${pngDataUrl(encodePng(px, w, h, 3))}" style="image-rendering: pixelated"/>`;
}

function histogram(s: Stats): string {
  const counts = new Array<number>(HIST_BINS).fill(0), span = s.max - s.min || 1;
  for (const v of s.values) if (!Number.isNaN(v)) counts[Math.min(HIST_BINS - 1, Math.floor(((v - s.min) / span) * HIST_BINS))]++;
  const top = Math.max(...counts), W = 240, H = 80, bw = W / HIST_BINS;
  const bars = counts.map((c, i) => `<rect x="${(i * bw).toFixed(1)}" y="${(H - (c / top) * H).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${((c / top) * H).toFixed(1)}" fill="${cssColor(colorAt("viridis", i / HIST_BINS))}"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 14}" font-size="10">${bars.join("")}` +
    `<text x="0" y="${H + 12}">${escapeXml(formatNumber(s.min))}</text><text x="${W}" y="${H + 12}" text-anchor="end">${escapeXml(formatNumber(s.max))}</text></svg>`;
}

/** richInspectVariables: a mime bundle for one value. */
export function rich(v: unknown): { data: MimeBundle; metadata: Record<string, unknown> } {
  if (!(v instanceof Tensor)) {
    const b = toMimeBundle(v);
    if (!(b instanceof Promise)) return { data: b, metadata: {} };
    return { data: { "text/plain": inspect(v, { depth: 2 }) }, metadata: {} };
  }
  const head = summary(v)!;
  const s = stats(v);
  if (!s) {
    const why = v.isDisposed ? "" : v.device === "cpu" ? "" : ` (values of ${v.device} tensors are read with await t.toArray())`;
    return { data: { "text/plain": head + why, "text/html": `<b>${escapeXml(head)}</b>${escapeXml(why)}` }, metadata: {} };
  }
  const line = `min=${formatNumber(s.min)} max=${formatNumber(s.max)} mean=${formatNumber(s.mean)} std=${formatNumber(s.std)}${s.nan ? ` nan=${s.nan}` : ""}`;
  const m = matrixShape(v.shape);
  const picture = m ? heatmap(s, m[0], m[1]) : histogram(s);
  const cells = [["shape", formatShape(v.shape)], ["dtype", v.dtype], ["device", v.device], ["min", formatNumber(s.min)],
    ["max", formatNumber(s.max)], ["mean", formatNumber(s.mean)], ["std", formatNumber(s.std)], ...(s.nan ? [["NaN", String(s.nan)]] : [])];
  const table = `<table>${cells.map(([k, x]) => `<tr><th style="text-align:left">${k}</th><td>${escapeXml(x)}</td></tr>`).join("")}</table>`;
  return { data: { "text/plain": `${head}\n${line}`, "text/html": `<div style="display:flex;gap:16px;align-items:flex-start">${table}${picture}</div>` }, metadata: {} };
}
