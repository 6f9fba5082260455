// runtime/display/training_curve.ts
// Live training curves, TensorBoard's scalars inside the notebook: plot.live({ y: ["loss",
// "accuracy"] }) shows one panel per metric; curve.log({ "train/loss": .., "val/loss": .. })
// adds points (train vs validation series in one panel), curve.run("adam").log(..) compares runs,
// smoothing is TensorBoard's debiased EMA, logY puts panels on a log scale.
// Redraws in place: displayed once under a display_id, then update_display_data, at most every
// throttleMs (default 250 ms) plus a trailing flush, so logging every step costs little; the
// runtime's flushDisplays() at the end of a cell (and close()) sends the final state, which is
// what an executed notebook keeps. Updates leave out the plotly mimetype: its renderer does not
// redraw update_display_data, text/html does.
// With `controls`, a widget bar (Stop, Pause/Resume, an lr slider) shows above the curve; log()
// and steps() read it at every step, so a synchronous loop can be stopped and paused too
// (runtime/widgets/training_controls.ts).
import type { MimeBundle } from "../io";
import { COLORWAY } from "./colormap";
import type { Axis, Layout, Trace } from "./figure_types";
import { Figure, ensurePlotlyLoaded } from "./plotly";
import { toMimeBundle } from "./display";
import { $display, $displayId, newDisplayId } from "./protocol";
import { clearPending, emit, getDisplaySink, markPending } from "./sink";
import { Ema } from "./smoothing";
import { decimate } from "./svg";
import { isTensorLike, readValues } from "./values";
import { TrainingControls, type ControlOptions } from "../widgets/training_controls";

/** Options of plot.live() / new TrainingCurve(): title, metrics (panels), xlabel, smoothing, logY, run, throttleMs, maxPoints, height, display. */
export interface LiveOptions {
  title?: string;
  /** Panels, one per metric, in order. Metrics logged under other names get panels of their own. */
  y?: string[];
  /** x-axis title (default "step"). */
  x?: string;
  /** TensorBoard smoothing weight in [0, 1): raw points drawn faint, the EMA on top. */
  smoothing?: number;
  /** Log-scale y for every panel (true) or for the named panels. */
  logY?: boolean | string[];
  /** Name of the run that log() writes to (default "run"; see run()). */
  run?: string;
  /** Minimum time between redraws in ms (default 250). */
  throttleMs?: number;
  /** Most points per series sent to the browser; longer series are min/max decimated (default 600; the faint raw series of a smoothed curve gets half). */
  maxPoints?: number;
  /** Height of one row of panels in px (default 300). */
  height?: number;
  /** Show at once: plot.live() does unless this is false; new TrainingCurve() shows only when
   * display(curve) or curve.show() is called. */
  display?: boolean;
  /** A control bar above the curve: `true` for Stop and Pause/Resume, or
   * `{ optimizer: opt }` for an lr slider as well. The loop sees `curve.stopped`, or iterates
   * `curve.steps(loader)`, which simply ends. */
  controls?: boolean | ControlOptions;
}

interface Series { run: string; key: string; split: string; base: string; xs: number[]; ys: number[]; sm: number[]; ema: Ema | null }

const SVG_REFRESH_MS = 2000;

/** Six decimals for values of ordinary size (at least five significant digits), others as they
 * are: JSON stays short, and this is cheaper than toPrecision or log10 per point. */
function round(v: number): number | null {
  if (!Number.isFinite(v)) return null;
  const a = Math.abs(v);
  return a >= 0.01 && a < 1e9 ? Math.round(v * 1e6) / 1e6 : v;
}

/** Panel matching: exact name, or one a prefix of the other ("acc" and "accuracy"). */
function samePanel(panel: string, base: string): boolean {
  if (panel === base) return true;
  const [a, b] = panel.length < base.length ? [panel, base] : [base, panel];
  return a.length >= 3 && b.startsWith(a);
}

/** Live training curves: log(step, { loss, acc, ... }) adds points and the plot redraws in place, throttled (what plot.live returns).
 * Options: title, metrics (panels), xlabel, smoothing, logY, run, throttleMs, maxPoints, height, display.
 * @example const curve = plot.live({ title: "MLP", smoothing: 0.6 }); curve.log(step, { loss: await loss.item() }); */
export class TrainingCurve {
  /** The Jupyter display_id its updates replace.
   * @example curve.displayId; */
  readonly displayId = newDisplayId("curve");
  /** The options given at construction.
   * @example curve.options.title; */
  readonly options: LiveOptions;
  private readonly panels: string[];
  private readonly series = new Map<string, Series>();
  private readonly byRun = new Map<string, Map<string, Series>>();
  private readonly nextStep = new Map<string, number>();
  private readonly throttleMs: number;
  private shown = false;
  private dirty = false;
  private lastSent = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Wall time of the last redraw: the interval grows to 200x it, so redraws take at most ~0.5% of
   * a loop's time however long the curve gets, and when other processes slow this one down the
   * redraws slow down with it. */
  private renderMs = 0;
  // The static SVG is what shows before plotly.js has loaded, in untrusted and static views of
  // the saved notebook; during a run plotly.js draws. Throttled redraws reuse it for up to
  // SVG_REFRESH_MS, which halves their cost; show, flush and close always draw it afresh.
  private svg: { text: string; at: number } | null = null;
  private readonly flushFn = () => this.flush();
  /** @internal How many redraws were sent (display + updates); the throttle tests read it. */
  sends = 0;

  constructor(opts: LiveOptions = {}) {
    if (opts.smoothing !== undefined && !(opts.smoothing >= 0 && opts.smoothing < 1))
      throw new RangeError(`plot.live: smoothing must be in [0, 1), got ${opts.smoothing}`);
    this.options = { ...opts };
    this.panels = [...(opts.y ?? [])];
    this.throttleMs = opts.throttleMs ?? 250;
    if (opts.controls) {
      this.controls = new TrainingControls(opts.controls === true ? {} : opts.controls);
      this.controls.onHold = () => this.flush();
    }
    if (opts.display === true) this.show();
  }

  /** The control bar (plot.live({ controls })), or undefined.
   * @example curve.controls?.stop(); // as if Stop were clicked */
  readonly controls: TrainingControls | undefined;
  private controlsShown = false;

  /** True once Stop was clicked (or controls.stop() called); reading it handles pending clicks.
   * @example for (let step = 0; !curve.stopped; step++) { trainStep(); curve.log({ loss }); } */
  get stopped(): boolean { return this.controls ? this.controls.check() : false; }

  /** Iterate `source` until it ends or Stop is clicked, waiting while paused: for (const b of
   * curve.steps(loader)). Sync and async sources both work (for await for async ones).
   * @example for (const [x, y] of curve.steps(loader)) { const loss = F.crossEntropy(model.forward(x), y); } */
  steps<T>(source: Iterable<T> | AsyncIterable<T>): Iterable<T> & AsyncIterable<T> {
    const stopped = () => this.stopped;
    return {
      *[Symbol.iterator]() {
        if (!(Symbol.iterator in source)) throw new TypeError("curve.steps: this source is async; use for await (const x of curve.steps(...))");
        for (const x of source as Iterable<T>) { if (stopped()) return; yield x; }
      },
      async *[Symbol.asyncIterator]() {
        for await (const x of source) { if (stopped()) return; yield x; }
      },
    };
  }

  private showControls(): void {
    if (!this.controls || this.controlsShown || !getDisplaySink()) return;
    this.controlsShown = emit(toMimeBundle(this.controls.box) as MimeBundle, { displayId: newDisplayId("controls") });
  }

  get [$displayId](): string { return this.displayId; }

  /** Display now (a no-op outside a kernel or when already shown).
   * @example const curve = new TrainingCurve({ title: "loss" }).show(); */
  show(): this {
    if (this.shown || !getDisplaySink()) return this;
    this.showControls();
    ensurePlotlyLoaded();
    this.shown = emit(this.bundle(), { displayId: this.displayId });
    this.lastSent = performance.now();
    this.sends += 1;
    return this;
  }

  /** Add one point per metric at `step` (default: one past the run's last step). Values may be
   * numbers or one-element tensors that can be read synchronously.
   * @example curve.log({ loss: 0.5, acc: 0.8 }); curve.log(10, { loss: 0.4 }); */
  log(metrics: Record<string, unknown>, step?: number): this;
  /** The STYLE.md order, log(step, metrics), works too. */
  log(step: number, metrics: Record<string, unknown>): this;
  log(a: Record<string, unknown> | number, b?: number | Record<string, unknown>): this {
    return typeof a === "number" ? this.logRun(this.options.run ?? "run", b as Record<string, unknown>, a)
      : this.logRun(this.options.run ?? "run", a, b as number | undefined);
  }

  /** A logger for one run; runs share panels and are told apart by colour.
   * @example const a = curve.run("adam"), s = curve.run("sgd"); a.log({ loss: 0.3 }, 1); s.log({ loss: 0.5 }, 1); */
  run(name: string): { log: (metrics: Record<string, unknown>, step?: number) => TrainingCurve } {
    return { log: (metrics, step) => this.logRun(name, metrics, step) };
  }

  private logRun(run: string, metrics: Record<string, unknown>, step?: number): this {
    const x = step ?? this.nextStep.get(run) ?? 0;
    this.nextStep.set(run, x + 1);
    let runSeries = this.byRun.get(run);
    if (!runSeries) this.byRun.set(run, runSeries = new Map());
    for (const key in metrics) {
      const raw = metrics[key];
      const y = typeof raw === "number" ? raw : isTensorLike(raw) ? Number(readValues(raw, "curve.log").data[0]) : Number(raw);
      const s = runSeries.get(key) ?? this.seriesFor(run, key, runSeries);
      s.xs.push(x); s.ys.push(y); s.sm.push(s.ema ? s.ema.next(y) : y);
    }
    this.dirty = true;
    if (this.shown) {
      const now = performance.now();
      const interval = Math.max(this.throttleMs, 200 * this.renderMs);
      if (now - this.lastSent >= interval) this.send(now);
      else if (this.timer === null) {
        markPending(this.flushFn);
        this.timer = setTimeout(this.flushFn, Math.max(1, interval - (now - this.lastSent)));
        this.timer.unref?.();
      }
    }
    this.controls?.check();
    return this;
  }

  private seriesFor(run: string, key: string, runSeries: Map<string, Series>): Series {
    const id = `${run}\u0000${key}`;
    let s = this.series.get(id);
    if (!s) {
      const cut = key.lastIndexOf("/");
      const split = cut >= 0 ? key.slice(0, cut) : "", base = cut >= 0 ? key.slice(cut + 1) : key;
      if (!this.panels.some((p) => samePanel(p, base))) this.panels.push(base);
      const w = this.options.smoothing ?? 0;
      s = { run, key, split, base, xs: [], ys: [], sm: [], ema: w > 0 ? new Ema(w) : null };
      this.series.set(id, s);
      runSeries.set(key, s);
    }
    return s;
  }

  /** Send the latest state now if anything changed since the last redraw.
   * @example curve.flush(); */
  flush(): this {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    clearPending(this.flushFn);
    if (this.dirty && this.shown) this.send(performance.now(), true);
    return this;
  }

  /** Final redraw; call after training (the runtime also flushes at the end of each cell).
   * @example curve.close(); */
  close(): this { return this.flush(); }
  /** Alias of close().
   * @example curve.done(); */
  done(): this { return this.flush(); }

  private send(now: number, final = false): void {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    clearPending(this.flushFn);
    this.dirty = false;
    this.sends += 1;
    emit(this.bundle(!final), { displayId: this.displayId, update: true });
    this.lastSent = performance.now();
    this.renderMs = this.lastSent - now;
  }

  /** The current curve as a static Figure (for saving, or plotting elsewhere).
   * @example fs.writeFileSync("curve.svg", curve.figure().toSVG()); */
  figure(): Figure {
    const runs = new Set([...this.series.values()].map((s) => s.run));
    const multiRun = runs.size > 1;
    const smoothing = (this.options.smoothing ?? 0) > 0;
    const maxPoints = this.options.maxPoints ?? 600;
    const n = Math.max(1, this.panels.length);
    const cols = n <= 2 ? n : 2, rows = Math.ceil(n / cols);
    const gapX = 0.1, gapY = rows > 1 ? 0.16 : 0;
    const layout: Layout = {
      height: (this.options.height ?? 300) * rows + 90,
      margin: { l: 64, r: 24, t: this.options.title ? 56 : 28, b: 48 },
      legend: { orientation: "h", x: 0, y: -0.14 / rows - 0.06, yanchor: "top" },
    };
    if (this.options.title) layout.title = { text: this.options.title };
    const colors = new Map<string, string>(), splits: string[] = [], legendSeen = new Set<string>();
    const data: Trace[] = [];
    this.panels.forEach((panel, i) => {
      const c = i % cols, r = Math.floor(i / cols);
      const w = (1 - gapX * (cols - 1)) / cols, h = (1 - gapY * (rows - 1)) / rows;
      const logY = this.options.logY === true || (Array.isArray(this.options.logY) && this.options.logY.some((p) => samePanel(p, panel)));
      const sfx = i === 0 ? "" : String(i + 1);
      const xa: Axis = { domain: [c * (w + gapX), c * (w + gapX) + w], anchor: `y${sfx}`, title: { text: this.options.x ?? "step" } };
      const ya: Axis = { domain: [1 - (r * (h + gapY) + h), 1 - r * (h + gapY)], anchor: `x${sfx}`, title: { text: panel }, type: logY ? "log" : "linear" };
      layout[`xaxis${sfx}`] = xa;
      layout[`yaxis${sfx}`] = ya;
      for (const s of this.series.values()) {
        if (!samePanel(panel, s.base) || this.panels.find((p) => samePanel(p, s.base)) !== panel) continue;
        if (!splits.includes(s.split)) splits.push(s.split);
        const name = [multiRun ? s.run : "", s.split].filter(Boolean).join(" ") || s.base;
        const colorKey = multiRun ? s.run : name;
        if (!colors.has(colorKey)) colors.set(colorKey, COLORWAY[colors.size % COLORWAY.length]);
        const color = colors.get(colorKey)!;
        const dash = multiRun && splits.indexOf(s.split) > 0 ? "dash" as const : "solid" as const;
        const showlegend = !legendSeen.has(name);
        legendSeen.add(name);
        const common = { type: "scatter" as const, mode: "lines" as const, xaxis: `x${sfx}`, yaxis: `y${sfx}`, legendgroup: name };
        if (smoothing) {
          const [rx, ry] = decimate(s.xs, s.ys, Math.ceil(maxPoints / 2));
          data.push({ ...common, name: `${name} (raw)`, x: rx, y: ry.map(round) as number[], showlegend: false,
            opacity: 0.3, line: { color, width: 1, dash }, hoverinfo: "skip" });
        }
        const [x, y] = decimate(s.xs, smoothing ? s.sm : s.ys, maxPoints);
        data.push({ ...common, name, x, y: y.map(round) as number[], showlegend, line: { color, width: 2, dash } });
      }
    });
    layout.showlegend = legendSeen.size > 1;
    return new Figure(data, layout);
  }

  /** Last value of every series, for text/plain.
   * @example curve.toString(); // "TrainingCurve(step 100, loss=0.12)" */
  toString(): string {
    const last = [...this.series.values()].map((s) => {
      const y = s.ys[s.ys.length - 1];
      return `${s.run === (this.options.run ?? "run") ? "" : `${s.run}:`}${s.key}=${Number.isFinite(y) ? Number(y.toPrecision(4)) : y}`;
    });
    const step = Math.max(0, ...[...this.series.values()].map((s) => s.xs[s.xs.length - 1] ?? 0));
    return `TrainingCurve(${this.options.title ? `${this.options.title}: ` : ""}` +
      `${last.length ? `step ${step}, ${last.join(", ")}` : "no points yet"})`;
  }

  /** The mime bundle shown: HTML with the static SVG, image/svg+xml and text/plain (no plotly JSON, so updates redraw).
   * @example Object.keys(curve.bundle()); */
  bundle(reuseSvg = false): MimeBundle {
    const fig = this.figure();
    const now = performance.now();
    if (!reuseSvg || !this.svg || now - this.svg.at > SVG_REFRESH_MS) this.svg = { text: fig.toSVG(), at: now };
    const b = fig.bundle({ plotlyMime: false, svg: this.svg.text });
    b["text/plain"] = this.toString();
    return b;
  }

  [$display](): MimeBundle {
    this.showControls();
    ensurePlotlyLoaded();
    this.shown = this.shown || getDisplaySink() !== null;
    return this.bundle();
  }
}

/** plot.live(opts): a TrainingCurve shown at once (in a kernel).
 * @example const curve = plot.live({ title: "loss" }); */
export function live(opts: LiveOptions = {}): TrainingCurve { return new TrainingCurve({ ...opts, display: opts.display ?? true }); }
