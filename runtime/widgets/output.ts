// runtime/widgets/output.ts
// Output: a widget that shows captured output (@jupyter-widgets/output 1.0.0). ipywidgets routes a
// cell's messages into it by msg_id in the frontend; here the kernel keeps the `outputs` list
// itself (nbformat output dicts) and syncs it, so capture works the same from a cell, an observer,
// a click handler or a headless run: out.capture(fn) sends fn's console output and displays there.
import { cellStorage, currentCell, type CellContext } from "../cell_context";
import { toMimeBundle } from "../display/display";
import type { CellIO, MimeBundle } from "../io";
import { t, widgetClass, Widget } from "./widget";
import { Layout } from "./controls";

type NbOutput =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string }
  | { output_type: "display_data"; data: MimeBundle; metadata: Record<string, unknown> };

class OutputBase extends Widget {
  /** display_id -> index in outputs, for update_display_data inside a capture. */
  private readonly displayIds = new Map<string, number>();
  private pendingClear = false;

  private push(o: NbOutput): void {
    let outs = this.get("outputs") as NbOutput[];
    if (this.pendingClear) { outs = []; this.displayIds.clear(); this.pendingClear = false; }
    const last = outs[outs.length - 1];
    // Consecutive text on one stream is one output, as the notebook shows it.
    if (o.output_type === "stream" && last?.output_type === "stream" && last.name === o.name) {
      this.set("outputs", [...outs.slice(0, -1), { ...last, text: last.text + o.text }]);
    } else {
      this.set("outputs", [...outs, o]);
    }
  }

  appendStdout(text: string): void { this.push({ output_type: "stream", name: "stdout", text: String(text) }); }
  appendStderr(text: string): void { this.push({ output_type: "stream", name: "stderr", text: String(text) }); }
  /** Show a value (anything display() takes) in this output. */
  appendDisplayData(value: unknown): void {
    const b = toMimeBundle(value);
    if (b instanceof Promise) void b.then((x) => this.push({ output_type: "display_data", data: x, metadata: {} }));
    else this.push({ output_type: "display_data", data: b, metadata: {} });
  }
  /** Remove everything shown; with wait, only when the next output arrives (no flicker). */
  clearOutput(opts: { wait?: boolean } = {}): void {
    if (opts.wait) { this.pendingClear = true; return; }
    this.displayIds.clear();
    this.set("outputs", []);
  }

  /** Where output goes while capture() runs. */
  private io(outer: CellIO | undefined): CellIO {
    return {
      stream: (name, text) => (name === "stdout" ? this.appendStdout(text) : this.appendStderr(text)),
      display: (bundle, metadata, opts) => {
        const outs = this.get("outputs") as NbOutput[];
        const at = opts.displayId !== undefined ? this.displayIds.get(opts.displayId) : undefined;
        if (opts.update) {
          if (at === undefined) return;
          this.set("outputs", outs.map((o, i) => (i === at ? { output_type: "display_data", data: bundle, metadata } : o)));
          return;
        }
        this.push({ output_type: "display_data", data: bundle, metadata });
        if (opts.displayId !== undefined) this.displayIds.set(opts.displayId, (this.get("outputs") as NbOutput[]).length - 1);
      },
      clearOutput: (wait) => this.clearOutput({ wait }),
      input: (prompt, password) => outer ? outer.input(prompt, password) : Promise.reject(new Error("input: no cell is running")),
    };
  }

  /** Run fn with its console output and displays going to this widget; returns what fn returns
   * (a promise's continuations keep capturing). `clear: true` empties it first. */
  capture<T>(fn: () => T, opts: { clear?: boolean } = {}): T {
    if (opts.clear) this.clearOutput();
    const parent = currentCell();
    const ctx: CellContext = parent
      ? Object.create(parent, { io: { value: this.io(parent.io), enumerable: true } }) as CellContext
      : { io: this.io(undefined), executionCount: 0, interrupted: false, onInterrupt: new Set() };
    return cellStorage.run(ctx, fn);
  }
}

export const Output = widgetClass("Output", OutputBase,
  { model: "OutputModel", module: "@jupyter-widgets/output", version: "1.0.0", view: "OutputView" }, {
    domClasses: t.wire(t.any<string[]>([]), "_dom_classes"),
    layout: t.widget<Layout, ConstructorParameters<typeof Layout>[0]>(() => new Layout(), (v) => new Layout(v)),
    tabbable: t.optBool(), tooltip: t.optStr(),
    msgId: t.str(""), outputs: t.any<NbOutput[]>([]),
  });
export type Output = InstanceType<typeof Output>;
