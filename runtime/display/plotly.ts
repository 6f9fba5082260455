// runtime/display/plotly.ts
// Figure: a plotly figure ({data, layout}) that displays itself everywhere a notebook opens.
// Its bundle holds
//   application/vnd.plotly.v1+json  for frontends with the plotly renderer (rank 0 there);
//   text/html   an <img> of the static SVG plus a script that swaps in plotly.js. JupyterLab 4 and
//               Notebook 7 rank text/html (50) above image/svg+xml (80) and, for untrusted
//               outputs, render sanitised text/html: scripts and inline <svg> are dropped but an
//               <img src="data:..."> survives, so the SVG is what an untrusted notebook shows;
//   image/svg+xml  for static viewers and exports;   text/plain  a one-line summary.
// plotly.js itself (4.8 MB) is sent once per kernel session as its own display_data (the
// "loader") just before the first figure, so a page loads it once and an executed notebook
// (papermill, nbconvert HTML opened offline) carries one copy.
import { readFileSync } from "node:fs";
import type { MimeBundle } from "../io";
import { escapeXml, jsonForScript } from "./escape";
import type { FigureJSON, Layout, Trace } from "./figure_types";
import { $display } from "./protocol";
import { emit, getDisplaySink } from "./sink";
import { figureToSvg, SVG_HEIGHT } from "./svg";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

let plotlySource: string | null = null;
let plotlyVersion = "";
function plotlyJs(): string {
  if (plotlySource === null) {
    const path = require.resolve("plotly.js-dist-min");
    plotlyVersion = (JSON.parse(readFileSync(require.resolve("plotly.js-dist-min/package.json"), "utf8")) as { version: string }).version;
    // "</script" inside an inline script would end it early; "<\/script" means the same in JS.
    plotlySource = readFileSync(path, "utf8").replace(/<\/script/gi, "<\\/script");
  }
  return plotlySource;
}

/** The one output that defines window.Plotly; figure scripts wait for it. `module`, `exports` and
 * `define` are shadowed so the UMD wrapper sets the global even on pages with a module loader. */
export function plotlyLoaderBundle(): MimeBundle {
  const src = plotlyJs();
  return {
    "text/html": `<script type="text/javascript">/* tsgrad: plotly.js ${plotlyVersion}, loaded once per page */\n` +
      `if (!window.Plotly) { (function (module, exports, define) {\n${src}\n}).call(window); }\n` +
      `(window.__tsgradPlotlyQueue || []).splice(0).forEach(function (f) { try { f(); } catch (e) { console.error(e); } });\n</script>`,
    "text/plain": "",
  };
}

let loaderSent = false;
/** Send the loader unless this kernel session already did. With no sink (outside a kernel) it
 * returns false and nothing is sent. */
export function ensurePlotlyLoaded(force = false): boolean {
  if (loaderSent && !force) return true;
  if (!getDisplaySink()) return false;
  emit(plotlyLoaderBundle(), {});
  loaderSent = true;
  return true;
}
/** For tests and a restarted page: the next figure sends the loader again. */
export function resetPlotlyLoader(): void { loaderSent = false; }

function b64(s: string): string { return Buffer.from(s, "utf8").toString("base64"); }

/** HTML that shows the static SVG at once and replaces it with plotly.js when (and if) it runs. */
export function figureHtml(fig: FigureJSON, svg: string, alt: string): string {
  const height = fig.layout.height ?? SVG_HEIGHT;
  const config = { responsive: true, displaylogo: false };
  const script = `(function () {
  var s = document.currentScript, box = s && s.parentNode, fig = ${jsonForScript({ data: fig.data, layout: fig.layout, config })};
  if (!box) return;
  function draw() {
    if (!window.Plotly || !box.isConnected) return false;
    var img = box.querySelector("img"), div = document.createElement("div");
    div.className = "tsgrad-plotly"; div.style.height = "${height}px"; div.style.width = "100%";
    box.insertBefore(div, img);
    if (img) img.style.display = "none";
    window.Plotly.newPlot(div, fig.data, fig.layout, fig.config).then(function () { if (img) img.remove(); },
      function () { div.remove(); if (img) img.style.display = ""; });
    return true;
  }
  if (draw()) return;
  (window.__tsgradPlotlyQueue = window.__tsgradPlotlyQueue || []).push(draw);
  var n = 0, t = setInterval(function () { if (draw() || ++n > 2400) clearInterval(t); }, 25);
})();`;
  return `<div class="tsgrad-figure" style="width:100%;max-width:${fig.layout.width ? `${fig.layout.width}px` : "100%"}">` +
    `<img class="tsgrad-static" alt="${escapeXml(alt)}" style="max-width:100%;height:auto" src="data:image/svg+xml;base64,${b64(svg)}">` +
    `<script type="text/javascript">${script}</script></div>`;
}

export interface BundleOptions {
  /** Leave out the plotly mimetype: live curves do, because the plotly renderer does not redraw
   * an update_display_data of its own mimetype, while text/html re-renders on every update. */
  plotlyMime?: boolean;
  /** A static SVG made earlier, to reuse instead of drawing one now (live curves between redraws). */
  svg?: string;
}

/** A plotly figure. Build with plot.line / plot.scatter / ... or new Figure(traces, layout).
 * @example const fig = plot.line([1, 4, 9]); fig.layout.title = { text: "squares" }; display(fig); */
export class Figure {
  /** The plotly traces ({ type, x, y, name, ... }); change them before the figure is shown.
   * @example fig.data[0].name = "train"; */
  data: Trace[];
  /** The plotly layout (title, axes, size, ...).
   * @example fig.layout.height = 300; */
  layout: Layout;
  constructor(data: Trace[], layout: Layout = {}) {
    this.data = data;
    this.layout = layout;
  }

  /** The figure as plotly JSON, { data, layout }.
   * @example JSON.stringify(fig.toJSON()); */
  toJSON(): FigureJSON { return { data: this.data, layout: this.layout }; }
  /** A static SVG drawing of the figure (what notebooks without plotly, and GitHub, show).
   * @example fs.writeFileSync("loss.svg", fig.toSVG()); */
  toSVG(): string { return figureToSvg(this.toJSON()); }

  /** A one-line description, e.g. `Figure("loss": 2 traces: train (100 points), val (100 points))`.
   * @example fig.toString(); */
  toString(): string {
    const parts = this.data.map((t) => {
      const n = t.type === "heatmap" ? `${t.z?.length ?? 0}×${t.z?.[0]?.length ?? 0}` : t.type === "image" ? "image" : `${(t.y ?? t.x ?? []).length} points`;
      return t.name ? `${t.name} (${n})` : n;
    });
    const title = this.layout.title?.text ? `"${this.layout.title.text}": ` : "";
    return `Figure(${title}${this.data.length} trace${this.data.length === 1 ? "" : "s"}${parts.length ? `: ${parts.join(", ")}` : ""})`;
  }

  /** The mime bundle a cell shows: plotly JSON, HTML with the static SVG, image/svg+xml and text/plain.
   * @example Object.keys(fig.bundle()); // ["text/plain", "application/vnd.plotly.v1+json", "text/html", "image/svg+xml"] */
  bundle(opts: BundleOptions = {}): MimeBundle {
    const json = this.toJSON();
    const svg = opts.svg ?? figureToSvg(json);
    const text = this.toString();
    const b: MimeBundle = { "text/plain": text };
    if (opts.plotlyMime !== false) b[PLOTLY_MIME] = json;
    b["text/html"] = figureHtml(json, svg, text);
    b["image/svg+xml"] = svg;
    return b;
  }

  /** The Jupyter display protocol (Deno's Symbol.for("Jupyter.display")). Sends the plotly loader
   * first when this is the session's first figure. */
  [$display](): MimeBundle {
    ensurePlotlyLoaded();
    return this.bundle();
  }
}
