// runtime/display/display.ts
// display() and its mime helpers, DisplayHandle (update in place through update_display_data),
// clearOutput(), and toMimeBundle(): how any value becomes a mime bundle (Deno's protocol:
// an object with [Symbol.for("Jupyter.display")]() returns its own bundle; anything else is
// util.inspect text without colour codes). Sends through the running cell's CellIO.
import { inspect } from "util";
import type { MimeBundle } from "../io";
import { currentIO } from "../cell_context";
import { $display, $displayId, newDisplayId, type Displayable } from "./protocol";

export type { MimeBundle };
export { $display, type Displayable };
/** Options of display(): id (reuse a display id to replace that output) and metadata (sent with the output). */
export interface DisplayOptions {
  /** Reuse a display id (an update target); a fresh one is made otherwise. */
  id?: string;
  metadata?: Record<string, unknown>;
}

/** A shown output that can be replaced in place (update_display_data). */
export interface DisplayHandle {
  readonly id: string;
  update(obj: unknown): void;
  /** Replaces the output with a raw mime bundle. */
  updateBundle(bundle: MimeBundle, metadata?: Record<string, unknown>): void;
}

/** Plain text of a value as the notebook shows it: util.inspect, no ANSI colours. */
export function plainText(value: unknown): string {
  if (value instanceof Promise) hideAsyncHookKeys(value);
  return typeof value === "string" ? inspect(value) : inspect(value, { colors: false, depth: 4, maxArrayLength: 100 });
}

// Async hooks (AsyncLocalStorage follows cells through promises) put these on promises as own
// enumerable keys, so util.inspect would print them; made non-enumerable they stay readable.
const HOOK_KEYS = new Set(["async_id_symbol", "trigger_async_id_symbol", "kResourceStore"]);
function hideAsyncHookKeys(p: Promise<unknown>): void {
  for (const sym of Object.getOwnPropertySymbols(p)) {
    if (HOOK_KEYS.has(sym.description ?? "")) {
      try { Object.defineProperty(p, sym, { enumerable: false }); } catch { /* frozen: leave it */ }
    }
  }
}

function hasDisplay(value: unknown): value is Displayable {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as Record<symbol, unknown>)[$display] === "function";
}

/** A value's mime bundle; a promise only when its [$display]() is async. */
export function toMimeBundle(value: unknown): MimeBundle | Promise<MimeBundle> {
  if (hasDisplay(value)) {
    const b = value[$display]();
    if (b && typeof (b as Promise<MimeBundle>).then === "function") return (b as Promise<MimeBundle>).then(withPlain);
    return withPlain(b as MimeBundle);
  }
  return { "text/plain": plainText(value) };
}

function withPlain(b: MimeBundle): MimeBundle {
  return b && typeof b === "object" ? b : { "text/plain": String(b) };
}

function send(bundle: MimeBundle, metadata: Record<string, unknown>, displayId: string, update: boolean): void {
  const io = currentIO();
  if (!io) return;
  io.display(bundle, metadata, { displayId, update });
}

function show(bundle: MimeBundle | Promise<MimeBundle>, opts: DisplayOptions, update: boolean, id: string): void {
  const metadata = opts.metadata ?? {};
  if (bundle instanceof Promise) {
    bundle.then((b) => send(b, metadata, id, update), (err) => currentIO()?.stream("stderr", `display: ${String(err)}\n`));
  } else {
    send(bundle, metadata, id, update);
  }
}

function handle(id: string, metadata: Record<string, unknown> | undefined): DisplayHandle {
  return {
    id,
    update: (obj: unknown) => show(toMimeBundle(obj), { metadata }, true, id),
    updateBundle: (bundle: MimeBundle, md?: Record<string, unknown>) => send(bundle, md ?? metadata ?? {}, id, true),
  };
}

/** Shows a raw mime bundle. */
function bundle(b: MimeBundle, opts: DisplayOptions = {}): DisplayHandle {
  const id = opts.id ?? newDisplayId();
  send(b, opts.metadata ?? {}, id, false);
  return handle(id, opts.metadata);
}

type Bytes = Uint8Array | ArrayBuffer | string;
function base64(data: Bytes): string {
  if (typeof data === "string") return data;
  const u8 = data instanceof Uint8Array ? data : new Uint8Array(data);
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString("base64");
}

function displayValue(obj: unknown, opts: DisplayOptions = {}): DisplayHandle {
  // Live objects (training curves, progress bars) name their own display_id, so that their later
  // update_display_data messages replace this output (protocol.ts $displayId).
  const own = typeof obj === "object" && obj !== null ? (obj as Record<symbol, unknown>)[$displayId] : undefined;
  const id = opts.id ?? (typeof own === "string" ? own : newDisplayId());
  show(toMimeBundle(obj), opts, false, id);
  return handle(id, opts.metadata);
}

/** Shows any value: rich when it has [Symbol.for("Jupyter.display")](), else as text. Returns a
 * handle whose update() replaces the output in place.
 * Also display.html, markdown, svg, png, jpeg, gif, pdf, json, latex, text, javascript and bundle for raw outputs.
 * @example const h = display(plot.line(losses)); h.update(plot.line(moreLosses)); */
export const display = Object.assign(displayValue, {
  /** Show a raw mime bundle ({ "text/html": ..., "text/plain": ... }); returns an updatable handle.
   * @example display.bundle({ "text/html": "<b>hi</b>", "text/plain": "hi" }); */
  bundle,
  /** Show HTML (text/html).
   * @example display.html("<b>accuracy</b>: 97.1%"); */
  html: (html: string, opts?: DisplayOptions) => bundle({ "text/html": String(html), "text/plain": "[HTML]" }, opts),
  /** Show Markdown (text/markdown).
   * @example display.markdown(`**epoch ${epoch}**: loss ${(await loss.item()).toFixed(3)}`); */
  markdown: (md: string, opts?: DisplayOptions) => bundle({ "text/markdown": String(md), "text/plain": String(md) }, opts),
  /** Show an SVG image from its text.
   * @example display.svg('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><circle cx="10" cy="10" r="8"/></svg>'); */
  svg: (svg: string, opts?: DisplayOptions) => bundle({ "image/svg+xml": String(svg), "text/plain": "[SVG image]" }, opts),
  /** PNG bytes (or base64 text).
   * @example display.png(fs.readFileSync("plot.png")); */
  png: (data: Bytes, opts?: DisplayOptions) => bundle({ "image/png": base64(data), "text/plain": "[PNG image]" }, opts),
  /** Show a JPEG image from its bytes (or base64 text).
   * @example display.jpeg(fs.readFileSync("photo.jpg")); */
  jpeg: (data: Bytes, opts?: DisplayOptions) => bundle({ "image/jpeg": base64(data), "text/plain": "[JPEG image]" }, opts),
  /** Show a GIF image from its bytes (or base64 text).
   * @example display.gif(fs.readFileSync("anim.gif")); */
  gif: (data: Bytes, opts?: DisplayOptions) => bundle({ "image/gif": base64(data), "text/plain": "[GIF image]" }, opts),
  /** Show a PDF from its bytes (or base64 text).
   * @example display.pdf(fs.readFileSync("paper.pdf")); */
  pdf: (data: Bytes, opts?: DisplayOptions) => bundle({ "application/pdf": base64(data), "text/plain": "[PDF]" }, opts),
  /** Show a value as JSON (application/json, a collapsible tree in JupyterLab).
   * @example display.json({ lr: 1e-3, epochs: 10 }); */
  json: (value: unknown, opts?: DisplayOptions) =>
    bundle({ "application/json": value as object, "text/plain": JSON.stringify(value, null, 2) }, opts),
  /** Show LaTeX (text/latex).
   * @example display.latex("$\\mathrm{softmax}(x)_i = e^{x_i} / \\sum_j e^{x_j}$"); */
  latex: (tex: string, opts?: DisplayOptions) => bundle({ "text/latex": String(tex), "text/plain": String(tex) }, opts),
  /** Show plain text (text/plain), as its own output.
   * @example display.text("done"); */
  text: (text: string, opts?: DisplayOptions) => bundle({ "text/plain": String(text) }, opts),
  /** Show JavaScript for the frontend to run (application/javascript; JupyterLab runs it only in trusted notebooks).
   * @example display.javascript("console.log('hello from the kernel')"); */
  javascript: (js: string, opts?: DisplayOptions) =>
    bundle({ "application/javascript": String(js), "text/plain": "[JavaScript]" }, opts),
});

/** Clears the cell's output; with wait, only when the next output arrives (no flicker).
 * @example for (let i = 0; i < 3; i++) { clearOutput({ wait: true }); display.text(`step ${i}`); } */
export function clearOutput(opts: { wait?: boolean } = {}): void {
  currentIO()?.clearOutput(!!opts.wait);
}
