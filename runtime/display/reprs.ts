// runtime/display/reprs.ts
// Rich displays for the library's own objects, found by duck typing so runtime/tensor never
// imports runtime/display: tensors (the tensor's own PyTorch-style text plus an HTML table
// shaded like a heatmap for 1-D/2-D), model summaries (a Module, or a summary object with rows),
// and data sets (a grid of samples with their labels). installTensorRepr(Tensor.prototype) is
// what runtime/index.ts calls to give tensors the HTML form.
import type { MimeBundle } from "../io";
import { colorAt, cssColor, luminance } from "./colormap";
import { escapeXml, formatNumber } from "./escape";
import { images } from "./plot";
import type { Figure } from "./plotly";
import { $display } from "./protocol";
import { isTensorLike, readValues, type Values } from "./values";

const MAX_ROWS = 12, MAX_COLS = 12;   // larger tensors show their corners with an ellipsis, like PyTorch

interface TensorLike { shape: readonly number[]; dtype?: string; device?: string; requiresGrad?: boolean }

function cellIndices(n: number, max: number): (number | null)[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const h = Math.floor(max / 2);
  return [...Array.from({ length: h }, (_, i) => i), null, ...Array.from({ length: h }, (_, i) => n - h + i)];
}

/** An HTML table of a 1-D or 2-D tensor, cells shaded by value (blue negative, red positive). */
export function tensorHtml(t: TensorLike): string | null {
  if (t.shape.length < 1 || t.shape.length > 2) return null;
  let v: Values;
  try { v = readValues(t, "tensor"); } catch { return null; }   // webgpu: text only
  const [r, c] = t.shape.length === 1 ? [1, t.shape[0]] : [t.shape[0], t.shape[1]];
  const rows = cellIndices(r, MAX_ROWS), cols = cellIndices(c, MAX_COLS);
  let amax = 0;
  for (const i of rows) for (const j of cols) if (i !== null && j !== null) {
    const x = Math.abs(Number(v.data[i * c + j])); if (Number.isFinite(x) && x > amax) amax = x;
  }
  const isBool = t.dtype === "bool", isInt = t.dtype === "int32";
  const cell = (x: number): string => {
    const rgb = colorAt("rdbu", amax ? 0.5 + (0.5 * x) / amax : 0.5);
    const text = isBool ? (x ? "true" : "false") : isInt ? String(x) : formatNumber(x, 4);
    return `<td style="background:${cssColor(rgb)};color:${luminance(rgb) < 0.45 ? "#fff" : "#222"};padding:2px 6px;text-align:right">${escapeXml(text)}</td>`;
  };
  const body = rows.map((i) => `<tr>${cols.map((j) => (i === null || j === null
    ? `<td style="padding:2px 6px;text-align:center;color:#888">…</td>` : cell(Number(v.data[i * c + j])))).join("")}</tr>`).join("");
  const caption = `tensor [${t.shape.join(", ")}] ${t.dtype ?? ""}${t.device ? ` on ${t.device}` : ""}${t.requiresGrad ? ", requiresGrad" : ""}`;
  return `<table class="tsgrad-tensor" style="border-collapse:collapse;font-family:monospace;font-size:12px">` +
    `<caption style="caption-side:bottom;text-align:left;color:#666;font-size:11px">${escapeXml(caption)}</caption>${body}</table>`;
}

/** The bundle for a tensor: its own text (formatTensor) plus the HTML table where it applies. */
export function tensorBundle(t: TensorLike, text = String(t)): MimeBundle {
  const b: MimeBundle = { "text/plain": text };
  const html = tensorHtml(t);
  if (html) b["text/html"] = html;
  return b;
}

/** Give a tensor class the HTML form, keeping its own text/plain. Idempotent. */
export function installTensorRepr(proto: object): void {
  const p = proto as Record<symbol, unknown>;
  const inner = p[$display] as ((this: unknown) => MimeBundle) | undefined;
  if ((inner as { tsgradHtml?: boolean } | undefined)?.tsgradHtml) return;
  const wrapped = function (this: TensorLike): MimeBundle {
    const base = inner ? inner.call(this) : { "text/plain": String(this) };
    const html = tensorHtml(this);
    return html ? { ...base, "text/html": html } : base;
  };
  (wrapped as { tsgradHtml?: boolean }).tsgradHtml = true;
  Object.defineProperty(proto, $display, { value: wrapped, configurable: true, writable: true });
}

// ---- model summary ----------------------------------------------------------------------------

interface ModuleLike {
  namedChildren(): [string, ModuleLike][];
  namedParameters(prefix?: string): [string, TensorLike][];
  constructor: { name: string };
}
const isModule = (x: unknown): x is ModuleLike => typeof x === "object" && x !== null &&
  typeof (x as ModuleLike).namedChildren === "function" && typeof (x as ModuleLike).namedParameters === "function";

export interface SummaryRow { name: string; type: string; params: number; shapes: string; [more: string]: unknown }

/** One row per leaf module (a module without children), with its own parameters. */
export function moduleRows(m: ModuleLike, prefix = ""): SummaryRow[] {
  const kids = m.namedChildren();
  const own = m.namedParameters().filter(([n]) => !n.includes(".") || kids.length === 0);
  if (kids.length === 0) {
    return [{ name: prefix || "(model)", type: m.constructor.name, params: own.reduce((a, [, p]) => a + p.shape.reduce((x, y) => x * y, 1), 0),
      shapes: own.map(([n, p]) => `${n} [${p.shape.join(", ")}]`).join(", ") }];
  }
  return kids.flatMap(([n, k]) => moduleRows(k, prefix ? `${prefix}.${n}` : n));
}

function table(headers: string[], rows: unknown[][], foot?: string): string {
  const th = headers.map((h) => `<th style="text-align:left;padding:3px 10px;border-bottom:1px solid #999">${escapeXml(h)}</th>`).join("");
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td style="text-align:${typeof c === "number" ? "right" : "left"};padding:2px 10px">${escapeXml(typeof c === "number" ? c.toLocaleString("en-US") : String(c ?? ""))}</td>`).join("")}</tr>`).join("");
  return `<table class="tsgrad-summary" style="border-collapse:collapse;font-size:12px"><thead><tr>${th}</tr></thead><tbody>${trs}</tbody>` +
    (foot ? `<tfoot><tr><td colspan="${headers.length}" style="padding:3px 10px;border-top:1px solid #999">${escapeXml(foot)}</td></tr></tfoot>` : "") + `</table>`;
}

function textTable(headers: string[], rows: unknown[][], foot?: string): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === "number" ? c.toLocaleString("en-US") : String(c ?? ""))))];
  const w = headers.map((_, j) => Math.max(...cells.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((c, j) => c.padEnd(w[j])).join("  ").trimEnd();
  const rule = "-".repeat(w.reduce((a, b) => a + b + 2, -2));
  return [line(cells[0]), rule, ...cells.slice(1).map(line), rule, ...(foot ? [foot] : [])].join("\n");
}

/** A model summary: a Module, or the nn helper's summary object ({ rows | layers: [...], total... }). */
export function summaryBundle(x: unknown): MimeBundle {
  let rows: Record<string, unknown>[];
  let total: number | undefined, trainable: number | undefined;
  if (isModule(x)) {
    rows = moduleRows(x).map((r) => ({ layer: r.name, type: r.type, parameters: r.shapes, count: r.params }));
    total = (rows as { count: number }[]).reduce((a, r) => a + r.count, 0);
  } else if (x && typeof x === "object") {
    const o = x as Record<string, unknown>;
    const list = (o.rows ?? o.layers ?? o.entries) as Record<string, unknown>[] | undefined;
    if (!Array.isArray(list)) throw new TypeError("summary: expected a Module or an object with rows");
    rows = list.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(", ")}]` : v])));
    total = (o.totalParams ?? o.total ?? o.params) as number | undefined;
    trainable = o.trainableParams as number | undefined;
  } else throw new TypeError("summary: expected a Module or a summary object");
  const headers = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const data = rows.map((r) => headers.map((h) => r[h]));
  const foot = total !== undefined ? `Total parameters: ${total.toLocaleString("en-US")}` +
    (trainable !== undefined ? `, trainable: ${trainable.toLocaleString("en-US")}` : "") : undefined;
  return { "text/plain": textTable(headers, data, foot), "text/html": table(headers, data, foot) };
}

/** Give a Module class a display: its summary table (leaf layers, parameter counts). Keeps a
 * display method the class already has. */
export function installModuleRepr(proto: object): void {
  if (Object.prototype.hasOwnProperty.call(proto, $display)) return;
  Object.defineProperty(proto, $display, { value: function (this: unknown) { return summaryBundle(this); }, configurable: true, writable: true });
}

/** A displayable summary of a model: `display(summarize(model))`. */
export function summarize(x: unknown): { [$display](): MimeBundle } {
  return { [$display]: () => summaryBundle(x) };
}

// ---- data sets --------------------------------------------------------------------------------

interface DatasetLike { length: number; getItem?(i: number): unknown; at?(i: number): unknown }

/** The first n samples of a data set as an image grid captioned with labels (classes maps ids to
 * names). Samples are [x, y] pairs or { x, y } / { image, label } objects. */
export function datasetGrid(ds: DatasetLike, opts: { n?: number; classes?: string[]; cols?: number; title?: string } = {}): Figure {
  const n = Math.min(opts.n ?? 16, ds.length);
  const xs: unknown[] = [], labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = ds.getItem ? ds.getItem(i) : ds.at ? ds.at(i) : (ds as unknown as unknown[])[i];
    if (s instanceof Promise) throw new TypeError("datasetGrid: this data set loads samples asynchronously; pass a few samples to plot.images instead");
    const [x, y] = Array.isArray(s) ? s : [(s as Record<string, unknown>).x ?? (s as Record<string, unknown>).image, (s as Record<string, unknown>).y ?? (s as Record<string, unknown>).label];
    xs.push(x);
    const yv = isTensorLike(y) ? Number(readValues(y, "datasetGrid").data[0]) : y;
    labels.push(typeof yv === "number" ? opts.classes?.[yv] ?? String(yv) : String(yv ?? ""));
  }
  return images(xs, { labels, cols: opts.cols, title: opts.title });
}

/** Give a Dataset class a display: a grid of its first samples when they are images (2-D or more
 * per sample, read synchronously), else a line of text. */
export function installDatasetRepr(proto: object): void {
  if (Object.prototype.hasOwnProperty.call(proto, $display)) return;
  Object.defineProperty(proto, $display, {
    configurable: true, writable: true,
    value: function (this: DatasetLike & { constructor: { name: string } }): MimeBundle {
      const text = `${this.constructor.name}(${this.length} samples)`;
      try {
        const first = this.getItem ? this.getItem(0) : undefined;
        const x = Array.isArray(first) ? first[0] : (first as Record<string, unknown> | undefined)?.x ?? (first as Record<string, unknown> | undefined)?.image;
        if (!isTensorLike(x) || x.shape.length < 2) return { "text/plain": text };
        const b = datasetGrid(this, { n: 16, title: text }).bundle();
        b["text/plain"] = text;
        return b;
      } catch {
        return { "text/plain": text };
      }
    },
  });
}
