// runtime/display/svg.ts
// Static SVG for a figure (the plotly subset in figure_types.ts): axes, ticks, grid, lines,
// markers, bars, heatmap cells with counts, images, annotations, legend, title. It is what
// untrusted notebooks, nbconvert without scripts, GitHub and other static viewers show, so it
// must be valid standalone XML and look like the plotly.js drawing of the same figure.
import { colorAt, cssColor, luminance, COLORWAY } from "./colormap";
import { escapeXml, formatNumber } from "./escape";
import type { Axis, Datum, FigureJSON, Layout, Trace } from "./figure_types";

export const SVG_WIDTH = 720;
export const SVG_HEIGHT = 420;
const MAX_SVG_POINTS = 2000;   // per line trace; more are min/max decimated (same look, smaller file)

type Kind = "linear" | "log" | "category";
interface Scale { kind: Kind; lo: number; hi: number; px0: number; px1: number; cats: string[] }
interface Subplot { x: string; y: string; xs: Scale; ys: Scale; traces: Trace[]; left: number; right: number; top: number; bottom: number }

const n2 = (v: number) => (Math.round(v * 100) / 100).toString();
/** Path coordinates in tenths of a pixel as integers (drawn under scale(0.1)): integer-to-string is
 * several times faster than decimals, and paths are where the points are. */
const t10 = (v: number) => String(Math.round(v * 10));
const axisKey = (id: string) => (id.length > 1 ? `${id[0]}axis${id.slice(1)}` : `${id}axis`);

function toScale(s: Scale, v: number): number {
  const t = s.kind === "log" ? (Math.log10(v) - s.lo) / (s.hi - s.lo) : (v - s.lo) / (s.hi - s.lo);
  return s.px0 + t * (s.px1 - s.px0);
}

/** Data value -> number on the axis (category index for category axes). */
function coord(s: Scale, d: Datum | undefined): number {
  if (s.kind === "category") return typeof d === "string" ? s.cats.indexOf(d) : Number(d);
  return typeof d === "number" ? d : Number(d);
}

/** The PNG size from a data: URL's IHDR chunk (bytes 16-24), without decoding the image. */
export function pngSize(dataUrl: string): { width: number; height: number } {
  const b64 = dataUrl.slice(dataUrl.indexOf(",") + 1, dataUrl.indexOf(",") + 1 + 44);
  const head = Buffer.from(b64, "base64");
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

/** Keep at most ~max points: per bucket the first, min, max and last (shape-preserving). */
export function decimate(xs: number[], ys: number[], max = MAX_SVG_POINTS): [number[], number[]] {
  if (xs.length <= max) return [xs, ys];
  const buckets = Math.max(1, Math.floor(max / 4));
  const size = xs.length / buckets;
  const ox: number[] = [], oy: number[] = [];
  let prev = -1;
  const keep = (i: number) => { if (i !== prev) { ox.push(xs[i]); oy.push(ys[i]); prev = i; } };
  for (let b = 0; b < buckets; b++) {
    const s = Math.floor(b * size), e = Math.min(xs.length, Math.floor((b + 1) * size));
    if (e <= s) continue;
    let mi = s, ma = s;
    for (let i = s + 1; i < e; i++) { const y = ys[i]; if (y < ys[mi]) mi = i; else if (y > ys[ma]) ma = i; }
    keep(s);
    if (mi < ma) { keep(mi); keep(ma); } else { keep(ma); keep(mi); }
    keep(e - 1);
  }
  return [ox, oy];
}

function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

function ticks(s: Scale, pxLen: number, axis: Axis): { v: number; label: string }[] {
  if (axis.tickvals) return axis.tickvals.map((v, i) => ({ v, label: axis.ticktext?.[i] ?? formatNumber(v) }));
  if (s.kind === "category") {
    const every = Math.max(1, Math.ceil(s.cats.length / Math.max(1, pxLen / 28)));
    return s.cats.map((c, i) => ({ v: i, label: c })).filter((_, i) => i % every === 0);
  }
  if (s.kind === "log" && s.hi - s.lo >= 1) {
    const every = Math.max(1, Math.ceil((s.hi - s.lo) / 8));
    const out = [];
    for (let k = Math.ceil(s.lo); k <= Math.floor(s.hi); k += every) out.push({ v: Math.pow(10, k), label: formatNumber(Math.pow(10, k)) });
    return out;
  }
  const [lo, hi] = s.kind === "log" ? [Math.pow(10, s.lo), Math.pow(10, s.hi)] : [Math.min(s.lo, s.hi), Math.max(s.lo, s.hi)];
  const step = niceStep(hi - lo, Math.max(2, Math.floor(pxLen / 70)));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9 && v + step !== v; v += step) {
    const r = Math.abs(v) < step * 1e-9 ? 0 : v;
    out.push({ v: r, label: Math.abs(r) >= 1e6 || (r !== 0 && Math.abs(r) < 1e-4) ? formatNumber(r, 3) : r.toFixed(Math.min(decimals, 8)) });
  }
  return out;
}

function traceAxes(t: Trace): [string, string] { return [t.xaxis ?? "x", t.yaxis ?? "y"]; }

/** Extent of one axis over its traces; categories in order of appearance. */
function buildScale(axis: Axis, traces: Trace[], dim: "x" | "y", px0: number, px1: number): Scale {
  const cats: string[] = [];
  const isCat = (t: Trace) => { const v = t[dim] as Datum[] | undefined; return !!v && v.length > 0 && typeof v[0] === "string"; };
  const kind: Kind = axis.type === "log" ? "log" : axis.type === "category" || traces.some(isCat) ? "category" : "linear";
  if (kind === "category") for (const t of traces) for (const v of (t[dim] as Datum[] | undefined) ?? []) { const s = String(v); if (!cats.includes(s)) cats.push(s); }
  let lo = Infinity, hi = -Infinity;
  const see = (v: number) => { if (Number.isFinite(v) && (kind !== "log" || v > 0)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } };
  let pad = 0;
  for (const t of traces) {
    const type = t.type ?? "scatter";
    if (type === "heatmap") {
      const n = dim === "x" ? (t.z?.[0]?.length ?? 0) : (t.z?.length ?? 0);
      see(-0.5); see(n - 0.5);
    } else if (type === "image" && t.source) {
      const sz = pngSize(t.source);
      const o = (dim === "x" ? t.x0 : t.y0) ?? 0, d = (dim === "x" ? t.dx : t.dy) ?? 1;
      see(o - 0.5 * d); see(o + (dim === "x" ? sz.width : sz.height) * d - 0.5 * d);
    } else if (type === "bar") {
      const v = (t[dim] as Datum[] | undefined) ?? [];
      if (dim === "y") { see(0); v.forEach((d) => see(Number(d))); pad = 0.05; }
      else v.forEach((d) => { const c = kind === "category" ? cats.indexOf(String(d)) : Number(d); const w = t.width ?? (kind === "category" ? 1 : 0.8); see(c - w / 2); see(c + w / 2); });
    } else {
      ((t[dim] as Datum[] | undefined) ?? []).forEach((d) => see(kind === "category" ? cats.indexOf(String(d)) : Number(d)));
      if (dim === "y" || (t.mode ?? "lines").includes("markers")) pad = Math.max(pad, 0.05);
    }
  }
  if (lo === Infinity) { lo = kind === "log" ? 1 : 0; hi = kind === "log" ? 10 : 1; }
  if (kind === "log") { lo = Math.log10(lo); hi = Math.log10(hi); }
  if (kind === "category" && cats.length && lo > -0.5) { lo = Math.min(lo, -0.5); hi = Math.max(hi, cats.length - 0.5); }
  // A range below float resolution (a constant series after EMA debiasing: 0.003 ± 4e-19) counts
  // as one value; otherwise the tick loop's v += step never moves v and the kernel hangs.
  if (Math.abs(hi - lo) <= 1e-9 * Math.max(Math.abs(lo), Math.abs(hi))) hi = lo;
  if (lo === hi) { lo -= kind === "log" ? 0.5 : Math.abs(lo) * 0.1 || 1; hi += kind === "log" ? 0.5 : Math.abs(hi) * 0.1 || 1; }
  const span = hi - lo;
  lo -= span * pad; hi += span * pad;
  if (axis.range) [lo, hi] = kind === "log" ? axis.range : axis.range;
  if (axis.autorange === "reversed") [px0, px1] = [px1, px0];
  return { kind, lo, hi, px0, px1, cats };
}

function subplots(fig: FigureJSON, L: number, R: number, T: number, B: number): Subplot[] {
  const pairs = new Map<string, Trace[]>();
  for (const t of fig.data) {
    const k = traceAxes(t).join(",");
    if (!pairs.has(k)) pairs.set(k, []);
    pairs.get(k)!.push(t);
  }
  if (pairs.size === 0) pairs.set("x,y", []);
  return [...pairs].map(([k, traces]) => {
    const [x, y] = k.split(",");
    const xa = (fig.layout[axisKey(x)] ?? {}) as Axis, ya = (fig.layout[axisKey(y)] ?? {}) as Axis;
    const [dx0, dx1] = xa.domain ?? [0, 1], [dy0, dy1] = ya.domain ?? [0, 1];
    const left = L + dx0 * (R - L), right = L + dx1 * (R - L);
    const top = B - dy1 * (B - T), bottom = B - dy0 * (B - T);
    const xs = buildScale(xa, traces, "x", left, right);
    const ys = buildScale(ya, traces, "y", bottom, top);
    return { x, y, xs, ys, traces, left, right, top, bottom };
  });
}

function drawAxes(sp: Subplot, layout: Layout, out: string[]): void {
  const xa = (layout[axisKey(sp.x)] ?? {}) as Axis, ya = (layout[axisKey(sp.y)] ?? {}) as Axis;
  const hasImage = sp.traces.some((t) => t.type === "image");
  if (xa.visible !== false && !hasImage) {
    for (const t of ticks(sp.xs, sp.right - sp.left, xa)) {
      const px = toScale(sp.xs, sp.xs.kind === "log" ? t.v : t.v);
      if (px < Math.min(sp.left, sp.right) - 0.5 || px > Math.max(sp.left, sp.right) + 0.5) continue;
      if (xa.showgrid !== false && sp.xs.kind !== "category") out.push(`<line class="grid" x1="${n2(px)}" y1="${n2(sp.top)}" x2="${n2(px)}" y2="${n2(sp.bottom)}" stroke="#eeeeee"/>`);
      if (xa.showticklabels !== false) out.push(`<text class="tick" x="${n2(px)}" y="${n2(sp.bottom + 16)}" text-anchor="middle">${escapeXml(t.label)}</text>`);
    }
  }
  if (ya.visible !== false && !hasImage) {
    for (const t of ticks(sp.ys, sp.bottom - sp.top, ya)) {
      const py = toScale(sp.ys, t.v);
      if (py < Math.min(sp.top, sp.bottom) - 0.5 || py > Math.max(sp.top, sp.bottom) + 0.5) continue;
      if (ya.showgrid !== false && sp.ys.kind !== "category") out.push(`<line class="grid" x1="${n2(sp.left)}" y1="${n2(py)}" x2="${n2(sp.right)}" y2="${n2(py)}" stroke="#eeeeee"/>`);
      if (ya.showticklabels !== false) out.push(`<text class="tick" x="${n2(sp.left - 6)}" y="${n2(py + 4)}" text-anchor="end">${escapeXml(t.label)}</text>`);
    }
  }
  if (xa.title?.text) out.push(`<text class="axis-title" x="${n2((sp.left + sp.right) / 2)}" y="${n2(sp.bottom + 36)}" text-anchor="middle" font-size="13">${escapeXml(xa.title.text)}</text>`);
  if (ya.title?.text) {
    const cx = sp.left - 48, cy = (sp.top + sp.bottom) / 2;
    out.push(`<text class="axis-title" x="${n2(cx)}" y="${n2(cy)}" text-anchor="middle" font-size="13" transform="rotate(-90 ${n2(cx)} ${n2(cy)})">${escapeXml(ya.title.text)}</text>`);
  }
}

function drawScatter(sp: Subplot, t: Trace, color: string, out: string[]): void {
  const xs0 = (t.x ?? (t.y ?? []).map((_, i) => i)).map((d) => coord(sp.xs, d));
  const ys0 = (t.y ?? []).map((d) => coord(sp.ys, d));
  const mode = t.mode ?? "lines";
  const [xs, ys] = mode === "lines" ? decimate(xs0, ys0) : [xs0, ys0];
  const ok = (i: number) => Number.isFinite(xs[i]) && Number.isFinite(ys[i]) &&
    (sp.xs.kind !== "log" || xs[i] > 0) && (sp.ys.kind !== "log" || ys[i] > 0);
  const op = t.opacity !== undefined ? ` opacity="${t.opacity}"` : "";
  if (mode.includes("lines")) {
    const parts: string[] = [];
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      if (!ok(i)) { pen = false; continue; }
      parts.push(pen ? "L" : "M", t10(toScale(sp.xs, xs[i])), " ", t10(toScale(sp.ys, ys[i])));
      pen = true;
    }
    const dash = t.line?.dash === "dash" ? ` stroke-dasharray="60 40"` : t.line?.dash === "dot" ? ` stroke-dasharray="20 30"` : "";
    out.push(`<path class="trace line" data-name="${escapeXml(t.name ?? "")}" transform="scale(0.1)" d="${parts.join("")}" fill="none" stroke="${escapeXml(color)}" stroke-width="${10 * (t.line?.width ?? 2)}" stroke-linejoin="round"${dash}${op}/>`);
  }
  if (mode.includes("markers")) {
    const r = (t.marker?.size ?? 6) / 2, mc = escapeXml(t.marker?.color ?? color);
    const pts: string[] = [];
    for (let i = 0; i < xs.length; i++) if (ok(i)) pts.push(`<circle class="point" cx="${n2(toScale(sp.xs, xs[i]))}" cy="${n2(toScale(sp.ys, ys[i]))}" r="${r}"/>`);
    out.push(`<g class="trace markers" data-name="${escapeXml(t.name ?? "")}" fill="${mc}"${op}>${pts.join("")}</g>`);
  }
}

function drawBars(sp: Subplot, t: Trace, color: string, slot: number, slots: number, out: string[]): void {
  const xs = t.x ?? (t.y ?? []).map((_, i) => i), ys = t.y ?? [];
  const full = t.width ?? (sp.xs.kind === "category" ? 0.8 : 0.8);
  const w = full / slots;
  const rects: string[] = [];
  const y0 = toScale(sp.ys, sp.ys.kind === "log" ? Math.pow(10, sp.ys.lo) : 0);
  xs.forEach((xd, i) => {
    const c = coord(sp.xs, xd) - full / 2 + slot * w;
    const a = toScale(sp.xs, c), b = toScale(sp.xs, c + w), y = toScale(sp.ys, Number(ys[i]));
    if (!Number.isFinite(y)) return;
    rects.push(`<rect class="bar" x="${n2(Math.min(a, b))}" y="${n2(Math.min(y, y0))}" width="${n2(Math.abs(b - a))}" height="${n2(Math.abs(y0 - y))}"/>`);
  });
  out.push(`<g class="trace bars" data-name="${escapeXml(t.name ?? "")}" fill="${escapeXml(t.marker?.color ?? color)}" stroke="#ffffff" stroke-width="0.5">${rects.join("")}</g>`);
}

function heatColor(t: Trace, v: number, lo: number, hi: number): [number, number, number] {
  const u = (v - lo) / (hi - lo || 1);
  const cs = t.colorscale ?? [[0, "#440154"], [1, "#fde725"]];
  let i = 1;
  while (i < cs.length - 1 && cs[i][0] < u) i++;
  const hex = (h: string) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16));
  const [t0, c0] = cs[i - 1], [t1, c1] = cs[i];
  const f = Math.min(1, Math.max(0, (u - t0) / (t1 - t0 || 1)));
  const a = hex(c0), b = hex(c1);
  return [0, 1, 2].map((k) => Math.round(a[k] + f * (b[k] - a[k]))) as [number, number, number];
}

function drawHeatmap(sp: Subplot, t: Trace, out: string[]): void {
  const z = t.z ?? [];
  const flat = z.flat().filter(Number.isFinite);
  const lo = t.zmin ?? Math.min(...flat), hi = t.zmax ?? Math.max(...flat);
  const cells: string[] = [], labels: string[] = [];
  z.forEach((row, i) => row.forEach((v, j) => {
    const a = toScale(sp.xs, j - 0.5), b = toScale(sp.xs, j + 0.5);
    const c = toScale(sp.ys, i - 0.5), d = toScale(sp.ys, i + 0.5);
    const rgb = Number.isFinite(v) ? heatColor(t, v, lo, hi) : [255, 255, 255];
    cells.push(`<rect class="cell" x="${n2(Math.min(a, b))}" y="${n2(Math.min(c, d))}" width="${n2(Math.abs(b - a))}" height="${n2(Math.abs(d - c))}" fill="${cssColor(rgb)}"/>`);
    if (t.texttemplate) {
      const text = t.texttemplate.replace("%{z}", formatNumber(v)).replace("%{text}", t.text?.[i]?.[j] ?? "");
      labels.push(`<text x="${n2((a + b) / 2)}" y="${n2((c + d) / 2 + 4)}" text-anchor="middle" fill="${luminance(rgb) < 0.5 ? "#ffffff" : "#222222"}">${escapeXml(text)}</text>`);
    }
  }));
  out.push(`<g class="trace heatmap">${cells.join("")}</g>`);
  if (labels.length) out.push(`<g class="cell-labels" font-size="${z.length > 12 ? 9 : 12}">${labels.join("")}</g>`);
}

function drawImage(sp: Subplot, t: Trace, out: string[]): void {
  if (!t.source) return;
  const { width, height } = pngSize(t.source);
  const dx = t.dx ?? 1, dy = t.dy ?? 1, x0 = (t.x0 ?? 0) - dx / 2, y0 = (t.y0 ?? 0) - dy / 2;
  const a = toScale(sp.xs, x0), b = toScale(sp.xs, x0 + width * dx), c = toScale(sp.ys, y0), d = toScale(sp.ys, y0 + height * dy);
  out.push(`<image class="trace image" x="${n2(Math.min(a, b))}" y="${n2(Math.min(c, d))}" width="${n2(Math.abs(b - a))}" height="${n2(Math.abs(d - c))}" preserveAspectRatio="none" style="image-rendering:pixelated" href="${t.source}" xlink:href="${t.source}"/>`);
}

/** Render a figure as a standalone SVG document (no scripts, no external references). */
export function figureToSvg(fig: FigureJSON): string {
  const layout = fig.layout;
  const W = layout.width ?? SVG_WIDTH, H = layout.height ?? SVG_HEIGHT;
  const named = fig.data.filter((t) => t.name && t.showlegend !== false);
  const groups = [...new Map(named.map((t) => [t.legendgroup ?? t.name!, t])).values()];
  const showLegend = layout.showlegend ?? groups.length > 1;
  const hLegend = showLegend && (layout.legend as { orientation?: string } | undefined)?.orientation === "h";
  const m = { l: layout.margin?.l ?? 72, r: layout.margin?.r ?? (showLegend && !hLegend ? 160 : 24),
    t: layout.margin?.t ?? (layout.title?.text ? 52 : 24), b: (layout.margin?.b ?? 56) + (hLegend ? 24 : 0) };
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="'Open Sans', verdana, arial, sans-serif" font-size="12" fill="#444444">`);
  out.push(`<rect class="background" width="${W}" height="${H}" fill="#ffffff"/>`);
  const sps = subplots(fig, m.l, W - m.r, m.t, H - m.b);
  const colorOf = new Map<string, string>();
  let ci = 0;
  const traceColor = (t: Trace): string => {
    if (t.line?.color) return t.line.color;
    if (t.marker?.color) return t.marker.color;
    const key = t.legendgroup ?? t.name ?? `#${ci}`;
    if (!colorOf.has(key)) colorOf.set(key, COLORWAY[ci++ % COLORWAY.length]);
    return colorOf.get(key)!;
  };
  sps.forEach((sp, k) => {
    drawAxes(sp, layout, out);
    out.push(`<clipPath id="clip${k}"><rect x="${n2(sp.left)}" y="${n2(sp.top)}" width="${n2(sp.right - sp.left)}" height="${n2(sp.bottom - sp.top)}"/></clipPath>`);
    out.push(`<g class="subplot" clip-path="url(#clip${k})">`);
    const bars = sp.traces.filter((t) => t.type === "bar");
    for (const t of sp.traces) {
      const type = t.type ?? "scatter";
      if (type === "heatmap") drawHeatmap(sp, t, out);
      else if (type === "image") drawImage(sp, t, out);
      else if (type === "bar") drawBars(sp, t, traceColor(t), bars.indexOf(t), bars.length, out);
      else drawScatter(sp, t, traceColor(t), out);
    }
    out.push(`</g>`);
  });
  for (const a of layout.annotations ?? []) {
    const sp = sps.find((s) => s.x === a.xref) ?? sps.find((s) => s.y === a.yref);
    const x = a.xref && a.xref !== "paper" && sp ? toScale(sp.xs, a.x) : m.l + a.x * (W - m.r - m.l);
    const ysp = sps.find((s) => s.y === a.yref);
    const y = a.yref && a.yref !== "paper" && ysp ? toScale(ysp.ys, a.y) : H - m.b - a.y * (H - m.b - m.t);
    const anchor = a.xanchor === "left" ? "start" : a.xanchor === "right" ? "end" : "middle";
    const dy = a.yanchor === "bottom" ? -4 : a.yanchor === "top" ? 12 : 4;
    out.push(`<text class="annotation" x="${n2(x)}" y="${n2(y + dy)}" text-anchor="${anchor}" font-size="${a.font?.size ?? 12}"${a.font?.color ? ` fill="${escapeXml(a.font.color)}"` : ""}>${escapeXml(a.text)}</text>`);
  }
  if (layout.title?.text) out.push(`<text class="title" x="${W / 2}" y="${Math.min(30, m.t - 14)}" text-anchor="middle" font-size="17">${escapeXml(layout.title.text)}</text>`);
  if (showLegend) {
    let hx = m.l;
    groups.forEach((t, i) => {
      const lx = hLegend ? hx : W - m.r + 16, y = hLegend ? H - 14 : m.t + 8 + i * 20, c = escapeXml(traceColor(t));
      hx += 40 + 7 * (t.name ?? "").length;
      const mark = t.type === "bar" ? `<rect x="${lx}" y="${y - 5}" width="20" height="10" fill="${c}"/>`
        : `<line x1="${lx}" y1="${y}" x2="${lx + 20}" y2="${y}" stroke="${c}" stroke-width="2"${t.line?.dash === "dash" ? ` stroke-dasharray="6 4"` : ""}/>`;
      out.push(`<g class="legend-item">${mark}<text x="${lx + 26}" y="${y + 4}">${escapeXml(t.name ?? "")}</text></g>`);
    });
  }
  out.push("</svg>");
  return out.join("");
}

