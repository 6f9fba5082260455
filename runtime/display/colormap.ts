// runtime/display/colormap.ts
// Colormaps as control points, shared by the static SVG/PNG renderers and the plotly colorscales
// we send, so both draw the same colours. Values in [0, 1] map to RGB by linear interpolation.

export type ColormapName = "viridis" | "gray" | "blues" | "hot" | "jet" | "rdbu";
type Stops = [number, string][];

const STOPS: Record<ColormapName, Stops> = {
  viridis: [[0, "#440154"], [0.1, "#482475"], [0.2, "#414487"], [0.3, "#355f8d"], [0.4, "#2a788e"],
    [0.5, "#21918c"], [0.6, "#22a884"], [0.7, "#44bf70"], [0.8, "#7ad151"], [0.9, "#bddf26"], [1, "#fde725"]],
  gray: [[0, "#000000"], [1, "#ffffff"]],
  blues: [[0, "#f7fbff"], [0.125, "#deebf7"], [0.25, "#c6dbef"], [0.375, "#9ecae1"], [0.5, "#6baed6"],
    [0.625, "#4292c6"], [0.75, "#2171b5"], [0.875, "#08519c"], [1, "#08306b"]],
  hot: [[0, "#000000"], [0.375, "#ff0000"], [0.75, "#ffff00"], [1, "#ffffff"]],
  jet: [[0, "#00007f"], [0.125, "#0000ff"], [0.375, "#00ffff"], [0.625, "#ffff00"], [0.875, "#ff0000"], [1, "#7f0000"]],
  rdbu: [[0, "#2166ac"], [0.167, "#67a9cf"], [0.333, "#d1e5f0"], [0.5, "#f7f7f7"], [0.667, "#fddbc7"],
    [0.833, "#ef8a62"], [1, "#b2182b"]],
};

function hexToRgb(h: string): [number, number, number] {
  return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
}
const RGB_STOPS = Object.fromEntries(Object.entries(STOPS).map(([k, v]) =>
  [k, v.map(([t, c]) => [t, hexToRgb(c)] as [number, [number, number, number]])])) as
  Record<ColormapName, [number, [number, number, number]][]>;

export function isColormap(name: unknown): name is ColormapName {
  return typeof name === "string" && name in STOPS;
}

export function checkColormap(name: string, where: string): ColormapName {
  const n = name.toLowerCase();
  if (!isColormap(n)) throw new RangeError(`${where}: unknown colormap "${name}"; use one of ${Object.keys(STOPS).join(", ")}`);
  return n;
}

/** RGB (0-255) for t in [0, 1]; values outside are clamped, NaN maps to 0. */
export function colorAt(name: ColormapName, t: number): [number, number, number] {
  const stops = RGB_STOPS[name];
  const u = Number.isNaN(t) ? 0 : Math.min(1, Math.max(0, t));
  let i = 1;
  while (i < stops.length - 1 && stops[i][0] < u) i++;
  const [t0, c0] = stops[i - 1], [t1, c1] = stops[i];
  const f = t1 === t0 ? 0 : (u - t0) / (t1 - t0);
  return [0, 1, 2].map((k) => Math.round(c0[k] + f * (c1[k] - c0[k]))) as [number, number, number];
}

export function cssColor(rgb: readonly number[]): string {
  return `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
}

/** A plotly colorscale with the same stops. */
export function plotlyColorscale(name: ColormapName): [number, string][] {
  return STOPS[name].map(([t, c]) => [t, c]);
}

/** Relative luminance in [0, 1]; text on a cell uses white above dark colours. */
export function luminance(rgb: readonly number[]): number {
  return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
}

/** The categorical palette for series (plotly's default colorway, so both renderers agree). */
export const COLORWAY = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf"];
