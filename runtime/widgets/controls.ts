// runtime/widgets/controls.ts
// The widget classes of @jupyter-widgets/controls 2.0.0 (ipywidgets 8) and @jupyter-widgets/base's
// Layout, with ipywidgets' trait names in camelCase (continuous_update -> continuousUpdate) and
// ipywidgets' defaults: sliders, progress bars, selections, text, buttons, Play, boxes, tabs, plus
// their Style models. Output is in output.ts; the protocol in widget.ts.
import { t, widgetClass, Widget, WidgetError, type AnyTraits, type TraitDef } from "./widget";

const base = (model: string, view: string | null) => ({ model, module: "@jupyter-widgets/base", version: "2.0.0", view, viewModule: "@jupyter-widgets/base" });
const controls = (model: string, view: string | null) => ({ model, view });
const style = (model: string) => ({ model, view: "StyleView", viewModule: "@jupyter-widgets/base", viewVersion: "2.0.0" });

function nullStrs<K extends string>(names: readonly K[]): Record<K, TraitDef<string | null>> {
  return Object.fromEntries(names.map((n) => [n, t.optStr()])) as Record<K, TraitDef<string | null>>;
}

// ---- layout and styles --------------------------------------------------------------------------

/** CSS properties of a widget's box (ipywidgets.Layout): `{ width: "300px", border: "1px solid" }`. */
const LAYOUT = [
  "alignContent", "alignItems", "alignSelf", "borderBottom", "borderLeft", "borderRight", "borderTop", "bottom",
  "display", "flex", "flexFlow", "gridArea", "gridAutoColumns", "gridAutoFlow", "gridAutoRows", "gridColumn",
  "gridGap", "gridRow", "gridTemplateAreas", "gridTemplateColumns", "gridTemplateRows", "height", "justifyContent",
  "justifyItems", "left", "margin", "maxHeight", "maxWidth", "minHeight", "minWidth", "objectFit", "objectPosition",
  "order", "overflow", "padding", "right", "top", "visibility", "width",
] as const;
/** `border` sets the four sides at once (ipywidgets' Layout.border). */
export class LayoutBase extends Widget {
  static override extraOptions: readonly string[] = ["border"];
  protected override init(opts: Record<string, unknown>): void {
    if (opts.border !== undefined) for (const side of SIDES) this.values[side] = this.check(side, opts.border);
  }
  get border(): string | null {
    const v = SIDES.map((side) => this.values[side] as string | null);
    return v.every((x) => x === v[0]) ? v[0] : null;
  }
  set border(v: string | null) { this.hold(() => { for (const side of SIDES) this.set(side, v); }); }
}
const SIDES = ["borderTop", "borderRight", "borderBottom", "borderLeft"] as const;
export const Layout = widgetClass("Layout", LayoutBase, base("LayoutModel", "LayoutView"), nullStrs(LAYOUT), {} as { border?: string | null });
export type Layout = InstanceType<typeof Layout>;
type LayoutInput = Partial<Record<(typeof LAYOUT)[number] | "border", string | null>>;

const descriptionWidth = { descriptionWidth: t.str("") };
const font = nullStrs(["fontFamily", "fontSize", "fontStyle", "fontVariant", "fontWeight", "textColor", "textDecoration"] as const);
export const DescriptionStyle = widgetClass("DescriptionStyle", Widget, style("DescriptionStyleModel"), descriptionWidth);
export const SliderStyle = widgetClass("SliderStyle", Widget, style("SliderStyleModel"), { ...descriptionWidth, handleColor: t.optStr() });
export const ProgressStyle = widgetClass("ProgressStyle", Widget, style("ProgressStyleModel"), { ...descriptionWidth, barColor: t.optStr() });
export const ButtonStyle = widgetClass("ButtonStyle", Widget, style("ButtonStyleModel"), { buttonColor: t.optStr(), ...font });
export const ToggleButtonsStyle = widgetClass("ToggleButtonsStyle", Widget, style("ToggleButtonsStyleModel"),
  { ...descriptionWidth, buttonWidth: t.str(""), fontWeight: t.str("") });
export const CheckboxStyle = widgetClass("CheckboxStyle", Widget, style("CheckboxStyleModel"), { ...descriptionWidth, background: t.optStr() });
export const TextStyle = widgetClass("TextStyle", Widget, style("TextStyleModel"),
  { ...descriptionWidth, background: t.optStr(), fontSize: t.optStr(), textColor: t.optStr() });
export const LabelStyle = widgetClass("LabelStyle", Widget, style("LabelStyleModel"), { ...descriptionWidth, background: t.optStr(), ...font });
export const HTMLStyle = widgetClass("HTMLStyle", Widget, style("HTMLStyleModel"),
  { ...descriptionWidth, background: t.optStr(), fontSize: t.optStr(), textColor: t.optStr() });

type StyleClass = { new (opts?: any): Widget; (opts?: any): Widget };
function styleTrait<S extends StyleClass>(cls: S) {
  type I = InstanceType<S>;
  return t.widget<I, Partial<Omit<I, keyof Widget>>>(() => new cls() as I, (v) => new cls(v) as I);
}

// ---- trait groups -------------------------------------------------------------------------------

const dom = {
  domClasses: t.wire(t.any<string[]>([]), "_dom_classes"),
  layout: t.widget<Layout, LayoutInput>(() => new Layout(), (v) => new Layout(v as never)),
  tabbable: t.optBool(), tooltip: t.optStr(),
};
const described = { ...dom, description: t.str(""), descriptionAllowHtml: t.bool(false) };
type Orientation = "horizontal" | "vertical";
type ButtonStyleName = "primary" | "success" | "info" | "warning" | "danger" | "";
const num = (kind: "int" | "float", d: number): TraitDef<number> => (kind === "int" ? t.int(d) : t.float(d));
const slider = (kind: "int" | "float", value: number, min: number, max: number, step: number, format: string) => ({
  ...described, style: styleTrait(SliderStyle),
  value: num(kind, value), min: num(kind, min), max: num(kind, max),
  step: (kind === "int" ? t.int(step) : t.optFloat(step)) as TraitDef<number>,
  behavior: t.oneOf<"drag-tap" | "drag-snap" | "tap" | "drag" | "snap">("drag-tap"), continuousUpdate: t.bool(true),
  disabled: t.bool(false), orientation: t.oneOf<Orientation>("horizontal"), readout: t.bool(true), readoutFormat: t.str(format),
});

/** Sliders keep value within [min, max] (ipywidgets clamps too), and re-clamp when a bound moves. */
class BoundedWidget extends Widget {
  protected bounds(): [number, number] { return [this.values.min as number, this.values.max as number]; }
  protected clamp(v: unknown): unknown {
    const [lo, hi] = this.bounds();
    const c = (x: number) => Math.min(hi, Math.max(lo, x));
    if (typeof v === "number") return c(v);
    if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === "number"))
      throw new WidgetError(`${this.constructor.name}.value must be [low, high], got ${JSON.stringify(v)}`);
    return [c(Math.min(v[0], v[1])), c(Math.max(v[0], v[1]))];
  }
  protected override check(name: string, v: unknown): unknown {
    v = super.check(name, v);
    return name === "value" && this.ready ? this.clamp(v) : v;
  }
  protected override changed(name: string, old: unknown, value: unknown): void {
    super.changed(name, old, value);
    if (name === "min" || name === "max" || name === "base") this.set("value", this.values.value);
  }
  protected override init(opts: Record<string, unknown>): void {
    if (Array.isArray(this.values.value) && opts.value === undefined) {
      const [lo, hi] = this.bounds();
      this.values.value = [lo + Math.round((hi - lo) * 0.25), lo + Math.round((hi - lo) * 0.75)];
    }
    this.values.value = this.clamp(this.values.value);
  }
}

// ---- numbers ------------------------------------------------------------------------------------

export const IntSlider = widgetClass("IntSlider", BoundedWidget, controls("IntSliderModel", "IntSliderView"), slider("int", 0, 0, 100, 1, "d"));
export type IntSlider = InstanceType<typeof IntSlider>;
export const FloatSlider = widgetClass("FloatSlider", BoundedWidget, controls("FloatSliderModel", "FloatSliderView"), slider("float", 0, 0, 100, 0.1, ".2f"));
export type FloatSlider = InstanceType<typeof FloatSlider>;

class LogBounded extends BoundedWidget {
  protected override bounds(): [number, number] {
    const b = this.values.base as number;
    return [b ** (this.values.min as number), b ** (this.values.max as number)];
  }
}
/** A slider over exponents: min/max are powers of `base`, value is the real number (a learning rate). */
export const FloatLogSlider = widgetClass("FloatLogSlider", LogBounded, controls("FloatLogSliderModel", "FloatLogSliderView"),
  { ...slider("float", 1, 0, 4, 0.1, ".3g"), base: t.float(10) });
export type FloatLogSlider = InstanceType<typeof FloatLogSlider>;
export const IntRangeSlider = widgetClass("IntRangeSlider", BoundedWidget, controls("IntRangeSliderModel", "IntRangeSliderView"),
  { ...slider("int", 0, 0, 100, 1, "d"), value: t.any<[number, number]>([25, 75]) });
export type IntRangeSlider = InstanceType<typeof IntRangeSlider>;

const progress = (kind: "int" | "float") => ({
  ...described, style: styleTrait(ProgressStyle),
  value: num(kind, 0), min: num(kind, 0), max: num(kind, 100),
  barStyle: t.oneOf<"success" | "info" | "warning" | "danger" | "">(""), orientation: t.oneOf<Orientation>("horizontal"),
});
export const IntProgress = widgetClass("IntProgress", BoundedWidget, controls("IntProgressModel", "ProgressView"), progress("int"));
export type IntProgress = InstanceType<typeof IntProgress>;
export const FloatProgress = widgetClass("FloatProgress", BoundedWidget, controls("FloatProgressModel", "ProgressView"), progress("float"));
export type FloatProgress = InstanceType<typeof FloatProgress>;

// ---- booleans, text, labels ---------------------------------------------------------------------

export const Checkbox = widgetClass("Checkbox", Widget, controls("CheckboxModel", "CheckboxView"),
  { ...described, style: styleTrait(CheckboxStyle), value: t.bool(false), disabled: t.bool(false), indent: t.bool(true) });
export type Checkbox = InstanceType<typeof Checkbox>;
const text = { ...described, style: styleTrait(TextStyle), value: t.str(""), placeholder: t.str("\u200b"), continuousUpdate: t.bool(true), disabled: t.bool(false) };
export const Text = widgetClass("Text", Widget, controls("TextModel", "TextView"), text);
export type Text = InstanceType<typeof Text>;
export const Textarea = widgetClass("Textarea", Widget, controls("TextareaModel", "TextareaView"), { ...text, rows: t.optInt() });
export type Textarea = InstanceType<typeof Textarea>;
export const Label = widgetClass("Label", Widget, controls("LabelModel", "LabelView"),
  { ...described, style: styleTrait(LabelStyle), value: t.str(""), placeholder: t.str("\u200b") });
export type Label = InstanceType<typeof Label>;
export const HTML = widgetClass("HTML", Widget, controls("HTMLModel", "HTMLView"),
  { ...described, style: styleTrait(HTMLStyle), value: t.str(""), placeholder: t.str("\u200b") });
export type HTML = InstanceType<typeof HTML>;

/** An image from bytes (PNG, JPEG, GIF...): the bytes travel as a binary buffer. */
export const Image = widgetClass("Image", Widget, controls("ImageModel", "ImageView"), {
  ...dom, value: t.bytes(), format: t.str("png"), width: t.str(""), height: t.str(""),
});
export type Image = InstanceType<typeof Image>;

// ---- buttons and Play ---------------------------------------------------------------------------

class ButtonBase extends Widget {
  private readonly clicks: ((b: this) => void)[] = [];
  private listening = false;
  /** cb(button) on every click in the frontend (ipywidgets' on_click). Returns a remover. */
  onClick(cb: (button: this) => void): () => void {
    if (!this.listening) {
      this.listening = true;
      this.onMsg((content: { event?: string } | undefined) => { if (content?.event === "click") this.click(); });
    }
    this.clicks.push(cb);
    return () => { const i = this.clicks.indexOf(cb); if (i >= 0) this.clicks.splice(i, 1); };
  }
  /** Run the click handlers, as a click in the frontend does. */
  click(): void { for (const cb of [...this.clicks]) cb(this); }
}
export const Button = widgetClass("Button", ButtonBase, controls("ButtonModel", "ButtonView"), {
  ...dom, style: styleTrait(ButtonStyle), description: t.str(""), disabled: t.bool(false), icon: t.str(""),
  buttonStyle: t.oneOf<ButtonStyleName>(""),
});
export type Button = InstanceType<typeof Button>;

/** Counts from min to max every `interval` ms while playing, in the browser (ipywidgets.Play). */
export const Play = widgetClass("Play", BoundedWidget, controls("PlayModel", "PlayView"), {
  ...described, style: styleTrait(DescriptionStyle), value: t.int(0), min: t.int(0), max: t.int(100), step: t.int(1),
  interval: t.int(100), playing: t.bool(false), repeat: t.bool(false), showRepeat: t.bool(true), disabled: t.bool(false),
});
export type Play = InstanceType<typeof Play>;

// ---- selections ---------------------------------------------------------------------------------

/** Options as ipywidgets takes them: labels, [label, value] pairs, or { label: value }. */
export type SelectionOptions<V = unknown> = readonly string[] | readonly number[] | readonly (readonly [string, V])[] | Record<string, V>;

/** Dropdown, RadioButtons and ToggleButtons: `_options_labels` and `index` are synced; value and
 * label are read and set here through the index, and observers of "value" and "label" fire. */
class SelectionBase extends Widget {
  static override extraOptions: readonly string[] = ["options", "value", "label"];
  declare private pairs: [string, unknown][];
  protected override init(opts: Record<string, unknown>): void {
    this.setPairs((opts.options ?? []) as SelectionOptions);
    if (opts.value !== undefined) this.values.index = this.indexOf(opts.value, "value");
    else if (opts.label !== undefined) this.values.index = this.pairs.findIndex(([l]) => l === opts.label);
    else if (opts.index === undefined) this.values.index = this.pairs.length ? 0 : null;
  }
  private setPairs(options: SelectionOptions): void {
    this.pairs = Array.isArray(options)
      ? options.map((o) => (Array.isArray(o) ? [String(o[0]), o[1]] : [String(o), o]) as [string, unknown])
      : Object.entries(options);
    this.values.optionsLabels = this.pairs.map(([l]) => l);
  }
  private indexOf(v: unknown, what: string): number {
    const i = this.pairs.findIndex(([, x]) => x === v);
    if (i < 0) throw new WidgetError(`${this.constructor.name}: ${what} ${JSON.stringify(v)} is not one of the options (${this.pairs.map(([l]) => l).join(", ")})`);
    return i;
  }
  get options(): [string, unknown][] { return this.pairs.map(([l, v]) => [l, v]); }
  set options(o: SelectionOptions) {
    const value = this.value;
    this.hold(() => {
      this.setPairs(o);
      this.sync(["optionsLabels"]);
      const i = this.pairs.findIndex(([, x]) => x === value);
      this.set("index", i >= 0 ? i : this.pairs.length ? 0 : null);
    });
  }
  get value(): any { const i = this.values.index as number | null; return i === null ? null : this.pairs[i]?.[1] ?? null; }
  set value(v: any) { this.set("index", v === null ? null : this.indexOf(v, "value")); }
  get label(): string | null { const i = this.values.index as number | null; return i === null ? null : this.pairs[i]?.[0] ?? null; }
  set label(l: string | null) { this.set("index", l === null ? null : this.pairs.findIndex(([x]) => x === l)); }
  protected override check(name: string, v: unknown): unknown {
    v = super.check(name, v);
    if (name === "index" && v !== null && this.pairs && !((v as number) >= 0 && (v as number) < this.pairs.length))
      throw new WidgetError(`${this.constructor.name}.index ${v} is out of range for ${this.pairs.length} options`);
    return v;
  }
  protected override changed(name: string, old: unknown, value: unknown): void {
    super.changed(name, old, value);
    if (name !== "index") return;
    const at = (i: unknown) => (i === null ? null : this.pairs[i as number]);
    this.notify("value", at(old)?.[1] ?? null, at(value)?.[1] ?? null);
    this.notify("label", at(old)?.[0] ?? null, at(value)?.[0] ?? null);
  }
  override toString(): string {
    return `${this.constructor.name}(options=${JSON.stringify(this.pairs.map(([l]) => l))}, value=${JSON.stringify(this.value)}${this.values.description ? `, description=${JSON.stringify(this.values.description)}` : ""})`;
  }
}
type SelectionExtra = { options?: SelectionOptions; value?: unknown; label?: string };
const selection = { ...described, optionsLabels: t.wire(t.any<string[]>([]), "_options_labels"), index: t.optInt(), disabled: t.bool(false) };
const extra = {} as SelectionExtra;
export const Dropdown = widgetClass("Dropdown", SelectionBase, controls("DropdownModel", "DropdownView"),
  { ...selection, style: styleTrait(DescriptionStyle) }, extra);
export type Dropdown = InstanceType<typeof Dropdown>;
const radio = { ...selection, style: styleTrait(DescriptionStyle), orientation: t.oneOf<Orientation>("vertical") };
export const RadioButtons = widgetClass("RadioButtons", SelectionBase, controls("RadioButtonsModel", "RadioButtonsView"), radio, extra);
export type RadioButtons = InstanceType<typeof RadioButtons>;
const toggles = { ...selection, style: styleTrait(ToggleButtonsStyle), buttonStyle: t.oneOf<ButtonStyleName>(""), icons: t.any<string[]>([]), tooltips: t.any<string[]>([]) };
export const ToggleButtons = widgetClass("ToggleButtons", SelectionBase, controls("ToggleButtonsModel", "ToggleButtonsView"), toggles, extra);
export type ToggleButtons = InstanceType<typeof ToggleButtons>;

// ---- containers ---------------------------------------------------------------------------------

const box = { ...dom, children: t.widgets(), boxStyle: t.oneOf<"success" | "info" | "warning" | "danger" | "">("") };
class BoxBase extends Widget {
  override toString(): string { return `${this.constructor.name}(children=[${(this.values.children as Widget[]).map((c) => c.constructor.name).join(", ")}])`; }
}
export const HBox = widgetClass("HBox", BoxBase, controls("HBoxModel", "HBoxView"), box);
export type HBox = InstanceType<typeof HBox>;
export const VBox = widgetClass("VBox", BoxBase, controls("VBoxModel", "VBoxView"), box);
export type VBox = InstanceType<typeof VBox>;
export const Box = widgetClass("Box", BoxBase, controls("BoxModel", "BoxView"), box);
export type Box = InstanceType<typeof Box>;
const titled = { ...box, selectedIndex: t.optInt(), titles: t.any<string[]>([]) };
export const Tab = widgetClass("Tab", BoxBase, controls("TabModel", "TabView"), titled);
export type Tab = InstanceType<typeof Tab>;
export const Accordion = widgetClass("Accordion", BoxBase, controls("AccordionModel", "AccordionView"), titled);
export type Accordion = InstanceType<typeof Accordion>;

export type { AnyTraits };
