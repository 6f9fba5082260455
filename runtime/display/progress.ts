// runtime/display/progress.ts
// progress(iterable, { total, desc }): tqdm for notebooks. Wraps arrays, numbers (a range), sync
// and async iterables (DataLoader); shows a bar, count, rate, elapsed<remaining and postfix
// metrics (bar.setPostfix({ loss })). In a kernel it is one output redrawn in place
// (update_display_data, throttled, final state flushed at close and at the end of the cell) as
// HTML with a <progress> element (it survives the untrusted-output sanitiser) and tqdm-style
// text/plain; outside a kernel it writes tqdm's carriage-return line to stderr.
// A live curve's control bar steers it: each step handles Stop/Pause clicks (steer()), so a Stop
// clicked while this cell runs ends the loop and Pause holds it, with or without await.
import type { MimeBundle } from "../io";
import { escapeXml } from "./escape";
import { $display, $displayId, newDisplayId } from "./protocol";
import { clearPending, emit, getDisplaySink, markPending } from "./sink";
import { steer } from "../widgets/training_controls";

/** Options of progress(): total, desc, unit ("it"), throttleMs, ncols (20), stream, display (true). */
export interface ProgressOptions {
  /** Iterations expected (default: the source's length, if it has one). */
  total?: number;
  /** A label shown before the bar. */
  desc?: string;
  /** Unit name for the rate (default "it"). */
  unit?: string;
  /** Minimum time between redraws in ms (default 200 in a notebook, 100 in a terminal). */
  throttleMs?: number;
  /** Width of the text bar in characters (default 20). */
  ncols?: number;
  /** Where text goes without a rich display (default process.stderr). */
  stream?: { write(s: string): unknown; isTTY?: boolean };
  /** Show at once (default true). */
  display?: boolean;
}

/** 65 -> "01:05", 3725 -> "1:02:05", like tqdm. */
export function formatInterval(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = String(m).padStart(2, "0"), ss = String(r).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Rate as tqdm prints it: "93.20it/s", or "2.50s/it" below one per second. */
export function formatRate(perSecond: number, unit = "it"): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return `?${unit}/s`;
  return perSecond >= 1 ? `${perSecond.toFixed(2)}${unit}/s` : `${(1 / perSecond).toFixed(2)}s/${unit}`;
}

function formatPostfix(p: Record<string, unknown>): string {
  return Object.entries(p).map(([k, v]) => `${k}=${typeof v === "number" ? (Number.isInteger(v) ? v : Number(v.toPrecision(4))) : String(v)}`).join(", ");
}

const BLOCKS = " ▏▎▍▌▋▊▉█";

/** The tqdm line for a state; `elapsed` in seconds. */
export function formatProgress(n: number, total: number | undefined, elapsed: number,
  opts: { desc?: string; unit?: string; ncols?: number; postfix?: Record<string, unknown> } = {}): string {
  const rate = elapsed > 0 ? n / elapsed : NaN;
  const desc = opts.desc ? `${opts.desc}: ` : "";
  const post = opts.postfix && Object.keys(opts.postfix).length ? `, ${formatPostfix(opts.postfix)}` : "";
  if (total === undefined || !(total > 0)) return `${desc}${n}${opts.unit ?? "it"} [${formatInterval(elapsed)}, ${formatRate(rate, opts.unit)}${post}]`;
  const frac = Math.min(1, n / total), width = opts.ncols ?? 20;
  const cells = frac * width, full = Math.floor(cells);
  const part = full < width ? BLOCKS[Math.floor((cells - full) * 8)] : "";
  const bar = "█".repeat(full) + part + " ".repeat(Math.max(0, width - full - part.length));
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  const eta = rate > 0 ? (total - n) / rate : NaN;
  return `${desc}${pct}|${bar}| ${n}/${total} [${formatInterval(elapsed)}<${formatInterval(eta)}, ${formatRate(rate, opts.unit)}${post}]`;
}

function lengthOf(x: unknown): number | undefined {
  if (typeof x === "number") return x;
  if (x === null || typeof x !== "object") return undefined;
  const o = x as { length?: unknown; size?: unknown; len?: unknown };
  if (typeof o.length === "number") return o.length;
  if (typeof o.size === "number") return o.size;
  if (typeof o.len === "function") return Number((o.len as () => number).call(x));
  return undefined;
}

export class ProgressBar<T = number> implements Iterable<T>, AsyncIterable<T> {
  /** The Jupyter display_id its redraws replace.
   * @example bar.displayId; */
  readonly displayId = newDisplayId("progress");
  /** Iterations done so far.
   * @example bar.n; */
  n = 0;
  /** Iterations expected (from the source's length or opts.total); undefined when unknown.
   * @example progress(100).total; // 100 */
  total: number | undefined;
  /** The label shown before the bar (set with setDescription).
   * @example progress(loader, { desc: "epoch 1" }).desc; // "epoch 1" */
  desc: string;
  /** The metrics shown after the rate (set with setPostfix).
   * @example bar.postfix; */
  postfix: Record<string, unknown> = {};
  private readonly source: unknown;
  private readonly opts: ProgressOptions;
  private readonly start = performance.now();
  private end: number | null = null;
  private shown = false;
  private lastDraw = -Infinity;
  private dirty = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly flushFn = () => this.refresh();
  private lastTextLen = 0;
  /** @internal Redraws sent (tests read it). */
  draws = 0;

  constructor(source?: Iterable<T> | AsyncIterable<T> | number, opts: ProgressOptions = {}) {
    this.source = source;
    this.opts = opts;
    this.total = opts.total ?? lengthOf(source);
    this.desc = opts.desc ?? "";
    if (opts.display !== false && getDisplaySink()) {
      this.shown = emit(this.bundle(), { displayId: this.displayId });
      this.lastDraw = performance.now();
      this.draws += 1;
    }
  }

  get [$displayId](): string { return this.displayId; }

  private get throttle(): number { return this.opts.throttleMs ?? (this.shown ? 200 : 100); }
  private get elapsed(): number { return ((this.end ?? performance.now()) - this.start) / 1000; }

  /** The tqdm-style text line, e.g. ` 40%|████████            | 40/100 [00:02<00:03, 19.8it/s, loss=0.3]`.
   * @example bar.toString(); */
  toString(): string {
    return formatProgress(this.n, this.total, this.elapsed, { desc: this.desc, unit: this.opts.unit, ncols: this.opts.ncols, postfix: this.postfix });
  }

  /** The HTML a notebook shows (a <progress> element and the text).
   * @example display.html(bar.html()); */
  html(): string {
    const pct = this.total ? Math.min(100, (100 * this.n) / this.total) : null;
    const text = this.toString();
    const info = text.slice(text.indexOf("|", text.indexOf("|") + 1) + 1).trim() || text;
    const done = this.end !== null;
    return `<div class="tsgrad-progress" style="font-family:monospace;font-size:12px;line-height:20px;white-space:nowrap">` +
      (this.desc ? `<span>${escapeXml(this.desc)}: </span>` : "") +
      (pct !== null ? `<span>${Math.floor(pct)}% </span><progress value="${this.n}" max="${this.total}" style="width:240px;vertical-align:middle"></progress> ` : "") +
      `<span>${escapeXml(pct !== null ? info : text.slice(this.desc ? this.desc.length + 2 : 0))}</span>` +
      (done && this.total !== undefined && this.n < this.total ? ` <span style="color:#d62728">(stopped)</span>` : "") + `</div>`;
  }

  /** The mime bundle shown: text/plain and text/html.
   * @example bar.bundle()["text/plain"]; */
  bundle(): MimeBundle { return { "text/plain": this.toString(), "text/html": this.html() }; }

  [$display](): MimeBundle { this.shown = this.shown || getDisplaySink() !== null; return this.bundle(); }

  /** Advance by n (default 1).
   * @example const bar = progress({ total: 1000 }); bar.update(10); */
  update(n = 1): this {
    this.n += n;
    this.dirty = true;
    const now = performance.now();
    if (now - this.lastDraw >= this.throttle) this.draw(now);
    else if (this.timer === null && this.shown) {
      markPending(this.flushFn);
      this.timer = setTimeout(this.flushFn, Math.max(1, this.throttle - (now - this.lastDraw)));
      this.timer.unref?.();
    }
    return this;
  }

  /** Metrics shown after the rate: bar.setPostfix({ loss: 0.12 }).
   * @example for (const [x, y] of (bar = progress(loader))) bar.setPostfix({ loss: lossValue }); */
  setPostfix(p: Record<string, unknown>): this { this.postfix = { ...p }; this.dirty = true; return this; }
  /** Change the label shown before the bar.
   * @example bar.setDescription(`epoch ${epoch}`); */
  setDescription(desc: string): this { this.desc = desc; this.dirty = true; return this; }

  /** Redraw now if anything changed.
   * @example bar.refresh(); */
  refresh(): this {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    clearPending(this.flushFn);
    if (this.dirty) this.draw(performance.now());
    return this;
  }

  /** Stop the clock and draw the final state (also called when iteration ends or breaks).
   * @example bar.close(); */
  close(): this {
    if (this.end === null) this.end = performance.now();
    this.dirty = true;
    this.refresh();
    if (!this.shown && this.opts.display !== false && this.lastTextLen > 0) this.text("\n");
    return this;
  }

  private draw(now: number): void {
    this.dirty = false;
    this.lastDraw = now;
    this.draws += 1;
    if (this.shown) {
      emit(this.bundle(), { displayId: this.displayId, update: true });
    } else if (this.opts.display !== false) {
      const line = this.toString();
      this.text(`\r${line}${" ".repeat(Math.max(0, this.lastTextLen - line.length))}`);
      this.lastTextLen = line.length;
    }
  }

  private text(s: string): void {
    const stream = this.opts.stream ?? process.stderr;
    stream.write(s);
  }

  *[Symbol.iterator](): Iterator<T> {
    const src = this.source;
    const it: Iterable<T> = typeof src === "number" ? (range(src) as unknown as Iterable<T>) : (src as Iterable<T>);
    if (!it || typeof (it as Iterable<T>)[Symbol.iterator] !== "function")
      throw new TypeError("progress: this source is async; iterate it with for await (const x of progress(...))");
    try {
      for (const x of it) { if (steer()) return; yield x; this.update(1); }
    } finally { this.close(); }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const src = this.source;
    const it = typeof src === "number" ? (range(src) as unknown as Iterable<T>) : (src as Iterable<T> | AsyncIterable<T>);
    try {
      for await (const x of it) { if (steer()) return; yield x; this.update(1); }
    } finally { this.close(); }
  }
}

function* range(n: number): Generator<number> { for (let i = 0; i < n; i++) yield i; }

/** progress(loader), progress(100), progress(array, { desc: "epoch 1" }), or a manual bar:
 * const bar = progress({ total: 1000 }); bar.update(10); bar.close().
 * @example for await (const [x, y] of progress(loader, { desc: "epoch 1" })) { opt.zeroGrad(); F.crossEntropy(model.forward(x), y).backward(); opt.step(); } */
export function progress<T>(source: Iterable<T> | AsyncIterable<T>, opts?: ProgressOptions): ProgressBar<T>;
export function progress(source: number, opts?: ProgressOptions): ProgressBar<number>;
export function progress(opts: ProgressOptions): ProgressBar<never>;
export function progress(source: unknown, opts: ProgressOptions = {}): ProgressBar<unknown> {
  if (source !== null && typeof source === "object" && !(Symbol.iterator in source) && !(Symbol.asyncIterator in source))
    return new ProgressBar(undefined, source as ProgressOptions);
  return new ProgressBar(source as Iterable<unknown>, opts);
}
