// runtime/widgets/interact.ts
// interact(fn, { lr: [1e-4, 1e-1, "log"], hidden: [16, 256, 16] }): one control per entry (the
// abbreviations of ipywidgets.interact, plus "log" for a FloatLogSlider) and an Output that shows
// what fn prints, displays and returns; fn runs again on every change. interactive() builds the
// same box without showing it.
import { currentCell } from "../cell_context";
import { $display, display } from "../display/display";
import type { MimeBundle } from "../io";
import { Button, Checkbox, Dropdown, FloatLogSlider, FloatSlider, IntSlider, Text, VBox } from "./controls";
import { Output } from "./output";
import { Widget, WidgetError } from "./widget";

/** What an entry of interact's spec may be. */
export type Abbreviation =
  | number | boolean | string
  | readonly [number, number] | readonly [number, number, number] | readonly [number, number, "log"]
  | readonly [number, number, number, number]
  | readonly string[] | Record<string, unknown>
  | Widget & { value: unknown }
  | { fixed: unknown };

/** The value fn gets for one abbreviation. */
export type AbbreviationValue<A> =
  A extends { fixed: infer V } ? V :
  A extends Widget & { value: infer V } ? V :
  A extends number | readonly [number, ...(number | "log")[]] ? number :
  A extends boolean ? boolean :
  A extends string ? string :
  A extends readonly (infer S)[] ? S :
  A extends Record<string, infer V> ? V : never;
export type Kwargs<S> = { -readonly [K in keyof S]: AbbreviationValue<S[K]> };

/** fixed(v): pass v to fn without a control. */
export const fixed = <V>(value: V): { fixed: V } => ({ fixed: value });

const isInt = (...xs: number[]) => xs.every((x) => Number.isInteger(x));
const decimals = (x: number) => { const s = String(x); const i = s.indexOf("."); return i < 0 ? 0 : s.length - i - 1; };

/** The control for one abbreviation (ipywidgets' widget_from_abbrev). */
export function widgetFor(name: string, a: Abbreviation): Widget & { value: unknown } {
  const description = name;
  if (a instanceof Widget) return a as Widget & { value: unknown };
  if (typeof a === "boolean") return new Checkbox({ value: a, description });
  if (typeof a === "string") return new Text({ value: a, description });
  if (typeof a === "number") {
    // ipywidgets: value v gets the range [-v, 3v] (or [3v, -v] below zero).
    const [lo, hi] = a > 0 ? [-a, 3 * a] : a < 0 ? [3 * a, -a] : [0, 1];
    return isInt(a) ? new IntSlider({ value: a, min: lo, max: hi, description }) : new FloatSlider({ value: a, min: lo, max: hi, step: (hi - lo) / 100, description });
  }
  if (Array.isArray(a)) {
    if (a.length > 0 && a.every((x) => typeof x === "string")) return new Dropdown({ options: a as string[], description });
    const [min, max, third, fourth] = a as number[];
    if (typeof min !== "number" || typeof max !== "number" || !(min < max)) throw new WidgetError(`interact: ${name}: expected [min, max], [min, max, step] or [min, max, "log"], got ${JSON.stringify(a)}`);
    if ((third as unknown) === "log") {
      if (!(min > 0)) throw new WidgetError(`interact: ${name}: a log range needs min > 0, got ${min}`);
      const lmin = Math.log10(min), lmax = Math.log10(max);
      return new FloatLogSlider({ value: 10 ** ((lmin + lmax) / 2), min: lmin, max: lmax, step: (lmax - lmin) / 100, description });
    }
    const step = third, value = fourth;
    if (isInt(min, max, ...(step === undefined ? [] : [step]))) {
      const s = step ?? 1;
      return new IntSlider({ min, max, step: s, value: value ?? min + Math.floor((max - min) / 2 / s) * s, description });
    }
    const s = step ?? (max - min) / 100;
    const mid = value ?? Number((min + Math.round((max - min) / 2 / s) * s).toFixed(Math.max(decimals(s), 6)));
    return new FloatSlider({ min, max, step: s, value: mid, description, readoutFormat: decimals(s) > 2 ? `.${decimals(s)}f` : ".2f" });
  }
  if (a && typeof a === "object" && !("fixed" in a)) return new Dropdown({ options: a as Record<string, unknown>, description });
  throw new WidgetError(`interact: ${name}: cannot make a control for ${JSON.stringify(a)}`);
}

export interface InteractOptions {
  /** Run only when a "Run Interact" button is clicked (ipywidgets' manual=True). */
  manual?: boolean;
  /** Label of that button. */
  manualName?: string;
  /** Sliders report while dragging (default true); false: on release. */
  continuousUpdate?: boolean;
}

class Interactive extends VBox {
  /** The cell whose interact() call displayed this box: as that cell's last value it shows nothing
   * more (interact(...) as the last line would otherwise show the controls twice). */
  declare shownIn: unknown;
  override [$display](): MimeBundle {
    if (this.shownIn !== undefined && this.shownIn === currentCell()) { this.shownIn = undefined; return { "text/plain": "" }; }
    return super[$display]();
  }
  declare fn: (kw: any) => unknown;
  declare controls: Record<string, Widget & { value: unknown }>;
  declare fixedValues: Record<string, unknown>;
  declare out: Output;
  declare result: unknown;
  /** The arguments of the last run. */
  get kwargs(): Record<string, unknown> {
    return { ...this.fixedValues, ...Object.fromEntries(Object.entries(this.controls).map(([k, w]) => [k, w.value])) };
  }
  /** Run fn with the controls' current values, its output replacing the last. */
  update(): unknown {
    const kw = this.kwargs;
    this.out.clearOutput({ wait: true });
    this.out.capture(() => {
      try {
        this.result = this.fn(kw);
        if (this.result instanceof Promise) {
          this.result.then((r) => { if (r !== undefined) this.out.capture(() => display(r)); }, (err) => this.out.capture(() => console.error(String(err?.stack ?? err))));
        } else if (this.result !== undefined) display(this.result);
      } catch (err) {
        if ((err as Error)?.name === "Interrupted") throw err;
        console.error(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      }
    });
    return this.result;
  }
}

/** The controls and output of interact(), not shown: display it yourself. */
export function interactive<const S extends Record<string, Abbreviation>>(fn: (kw: Kwargs<S>) => unknown, spec: S, opts: InteractOptions = {}): Interactive {
  const controls: Record<string, Widget & { value: unknown }> = {}, fixedValues: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(spec)) {
    if (a && typeof a === "object" && "fixed" in a && !(a instanceof Widget)) { fixedValues[name] = (a as { fixed: unknown }).fixed; continue; }
    const w = widgetFor(name, a as Abbreviation);
    if (opts.continuousUpdate === false && "continuousUpdate" in w) (w as { continuousUpdate: boolean }).continuousUpdate = false;
    controls[name] = w;
  }
  const out = new Output();
  const children: Widget[] = [...Object.values(controls)];
  let button: Button | undefined;
  if (opts.manual) children.push(button = new Button({ description: opts.manualName ?? "Run Interact" }));
  children.push(out);
  const box = new Interactive({ children, domClasses: ["widget-interact"] });
  Object.assign(box, { fn, controls, fixedValues, out, result: undefined });
  if (button) button.onClick(() => box.update());
  else for (const w of Object.values(controls)) w.observe(() => box.update(), "value");
  if (!opts.manual) box.update();
  return box;
}
export type { Interactive };

/** Show controls for fn's arguments and run fn on every change (ipywidgets.interact). Returns the
 * box; its `.result` is fn's latest return value, `.kwargs` the latest arguments. */
export function interact<const S extends Record<string, Abbreviation>>(fn: (kw: Kwargs<S>) => unknown, spec: S, opts: InteractOptions = {}): Interactive {
  const box = interactive(fn, spec, opts);
  display(box);
  box.shownIn = currentCell();
  return box;
}

/** interact with a "Run Interact" button (ipywidgets' interact_manual). */
export const interactManual = <const S extends Record<string, Abbreviation>>(fn: (kw: Kwargs<S>) => unknown, spec: S): Interactive =>
  interact(fn, spec, { manual: true });
