// test/widgets/widgets.test.ts
// The widget library without a kernel: default states equal ipywidgets 8's (read from the venv's
// ipywidgets), callable constructors, traits as properties, observe, validation, selections,
// link/dlink/jslink, Output capture, interact's abbreviations and re-runs, training controls.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import * as widgets from "../../runtime/widgets/index";
import { Widget } from "../../runtime/widgets/widget";
import { TrainingControls } from "../../runtime/widgets/training_controls";
import { comms } from "../../runtime/comms";
import { live } from "../../runtime/display/training_curve";
import { display } from "../../runtime/display/display";

const ROOT = join(__dirname, "..", "..");
type State = Record<string, unknown>;

describe("widgets: library", () => {
  // The library on its own, outside a kernel: other suites in this mocha process attach a comm IO
  // as a kernel does (a paused training bar would then wait for a click that never comes).
  before(() => comms.setIO(undefined));

  describe("default states match ipywidgets 8.1", function () {
    this.timeout(60_000);
    let py: Record<string, State & { style_class?: string }>;
    before(() => { py = JSON.parse(execFileSync(join(ROOT, ".venv", "bin", "python"), [join(__dirname, "python", "ipywidgets_states.py")], { encoding: "utf8" })); });
    const names = ["IntSlider", "FloatSlider", "FloatLogSlider", "IntRangeSlider", "Dropdown", "RadioButtons", "ToggleButtons",
      "Checkbox", "Text", "Textarea", "Button", "Label", "HTML", "Image", "Play", "IntProgress", "FloatProgress",
      "Output", "HBox", "VBox", "Box", "Tab", "Accordion", "Layout"] as const;
    for (const name of names) {
      it(name, () => {
        const w = new (widgets[name] as unknown as new () => Widget)();
        const ours = w.getState();
        const { style_class, ...theirs } = py[name];
        const mine: State = Object.fromEntries(Object.entries(ours).filter(([k, v]) => k !== "layout" && k !== "style" && !(v instanceof Uint8Array)));
        assert.deepEqual(mine, theirs);
        if (style_class) {
          const style = (w as unknown as { style: Widget }).style;
          assert.equal(style.constructor.name, style_class);
          assert.deepEqual(style.getState(), py[style_class]);
        }
      });
    }
  });

  it("constructors work with and without new; instanceof holds; traits read and write", () => {
    const a = widgets.IntSlider({ value: 3, min: 0, max: 10 });
    const b = new widgets.IntSlider({ value: 4 });
    assert.ok(a instanceof widgets.IntSlider && b instanceof widgets.IntSlider && a instanceof Widget);
    assert.equal(a.value, 3);
    a.value = 7;
    assert.equal(a.value, 7);
    assert.equal(a.getState().value, 7);
    assert.throws(() => widgets.IntSlider({ valeu: 3 } as never), /unknown option "valeu"/);
    assert.throws(() => { a.value = 2.5; }, /IntSlider.value must be an int/);
  });

  it("sliders clamp to [min, max], also when a bound moves; a range slider defaults to its middle half", () => {
    const s = widgets.IntSlider({ value: 500, max: 1000 });
    assert.equal(s.value, 500);
    s.value = 2000;
    assert.equal(s.value, 1000);
    s.max = 50;
    assert.equal(s.value, 50);
    assert.deepEqual(widgets.IntRangeSlider({ min: 0, max: 200 }).value, [50, 150]);
    const lr = widgets.FloatLogSlider({ value: 1e-3, min: -4, max: -1 });
    assert.equal(lr.value, 1e-3);
    lr.value = 1;
    assert.equal(lr.value, 0.1);
  });

  it("observe passes { name, old, new, owner }, per trait or for all; the remover works", () => {
    const s = widgets.FloatSlider({ value: 1 });
    const seen: unknown[] = [], all: string[] = [];
    const off = s.observe((c) => seen.push([c.name, c.old, c.new, c.owner === s]), "value");
    s.observe((c) => all.push(c.name));
    s.value = 2; s.description = "x";
    off();
    s.value = 3;
    assert.deepEqual(seen, [["value", 1, 2, true]]);
    assert.deepEqual(all, ["value", "description", "value"]);
  });

  it("layout and style take plain objects", () => {
    const b = widgets.Button({ description: "go", layout: { width: "120px" }, style: { buttonColor: "lightgreen" } });
    assert.equal(b.layout.width, "120px");
    assert.equal(b.style.getState().button_color, "lightgreen");
    const l = widgets.Layout({ border: "1px solid red" });
    assert.equal(l.getState().border_left, "1px solid red");
    assert.equal(l.border, "1px solid red");
  });

  it("selections: options as labels, pairs or a record; value and label through the synced index", () => {
    const d = widgets.Dropdown({ options: [["Adam", "adam"], ["SGD", "sgd"]], value: "sgd" });
    assert.equal(d.index, 1);
    assert.equal(d.label, "SGD");
    assert.deepEqual(d.getState()._options_labels, ["Adam", "SGD"]);
    const changes: unknown[] = [];
    d.observe((c) => changes.push([c.name, c.new]));
    d.value = "adam";
    assert.deepEqual(changes, [["index", 0], ["value", "adam"], ["label", "Adam"]]);
    assert.equal(widgets.RadioButtons({ options: ["a", "b"] }).value, "a");
    assert.equal(widgets.ToggleButtons({ options: { small: 16, big: 256 }, label: "big" }).value, 256);
    assert.throws(() => { d.value = "rmsprop"; }, /not one of the options/);
  });

  it("link keeps two traits equal both ways; dlink one way; jslink makes a LinkModel", () => {
    const a = widgets.IntSlider({ value: 1 }), b = widgets.IntSlider({ value: 5 }), c = widgets.IntSlider();
    const l = widgets.link([a, "value"], [b, "value"]);
    assert.equal(b.value, 1);
    b.value = 9; assert.equal(a.value, 9);
    l.unlink(); a.value = 3; assert.equal(b.value, 9);
    widgets.dlink([a, "value"], [c, "max"], (v) => v * 10);
    assert.equal(c.max, 30);
    const j = widgets.jslink([a, "value"], [b, "continuousUpdate"]);
    assert.deepEqual(j.getState().source, [`IPY_MODEL_${a.modelId}`, "value"]);
    assert.deepEqual(j.getState().target, [`IPY_MODEL_${b.modelId}`, "continuous_update"]);
    assert.equal(j.getState()._model_name, "LinkModel");
  });

  it("Output.capture collects displays and return values; clearOutput({ wait }) clears on the next output", () => {
    const out = widgets.Output();
    out.capture(() => { display.html("<b>hi</b>"); });
    out.appendStdout("a"); out.appendStdout("b\n");
    const outs = out.outputs as { output_type: string; text?: string; data?: Record<string, unknown> }[];
    assert.equal(outs[0].output_type, "display_data");
    assert.equal(outs[0].data?.["text/html"], "<b>hi</b>");
    assert.deepEqual(outs[1], { output_type: "stream", name: "stdout", text: "ab\n" });
    out.clearOutput({ wait: true });
    assert.equal(out.outputs.length, 2);
    out.appendStderr("x");
    assert.deepEqual(out.outputs, [{ output_type: "stream", name: "stderr", text: "x" }]);
  });

  it("interact: a control per abbreviation ([a, b, 'log'], [a, b, step], numbers, booleans, options); fn re-runs on change", () => {
    const calls: unknown[] = [];
    const box = widgets.interactive((kw) => { calls.push(kw); return kw.hidden * 2; },
      { lr: [1e-4, 1e-1, "log"], hidden: [16, 256, 16], dropout: 0.5, bias: true, opt: ["adam", "sgd"], seed: widgets.fixed(7) });
    const [lr, hidden, dropout, bias, opt] = box.children as Widget[];
    assert.equal(lr.constructor.name, "FloatLogSlider");
    assert.deepEqual([lr.getState().min, lr.getState().max], [-4, -1]);
    assert.ok(Math.abs(Number((lr as unknown as { value: number }).value) - 10 ** -2.5) < 1e-9);
    assert.equal(hidden.constructor.name, "IntSlider");
    assert.deepEqual([hidden.getState().min, hidden.getState().max, hidden.getState().step, hidden.getState().value], [16, 256, 16, 128]);
    assert.equal(dropout.constructor.name, "FloatSlider");
    assert.equal(bias.constructor.name, "Checkbox");
    assert.equal(opt.constructor.name, "Dropdown");
    assert.equal(calls.length, 1);
    assert.deepEqual({ ...(calls[0] as object), lr: undefined }, { lr: undefined, hidden: 128, dropout: 0.5, bias: true, opt: "adam", seed: 7 });
    (hidden as unknown as { value: number }).value = 32;
    assert.equal(calls.length, 2);
    assert.equal(box.result, 64);
    const out = box.out.outputs as { data?: Record<string, string> }[];
    assert.equal(out.length, 1);
    assert.equal(out[0].data?.["text/plain"], "64");
  });

  it("interact with manual: true runs fn only when its button is clicked; addClass sets _dom_classes", () => {
    let runs = 0;
    const box = widgets.interactive(({ n }) => { runs++; return n; }, { n: 3 }, { manual: true });
    assert.equal(runs, 0);
    const button = box.children.find((w) => w instanceof widgets.Button) as widgets.Button;
    button.click();
    assert.equal(runs, 1);
    assert.equal(box.result, 3);
    assert.deepEqual(box.addClass("wide").getState()._dom_classes, ["widget-interact", "wide"]);
  });

  it("training controls: stop, pause and resume by calls; curve.steps ends after stop; the lr slider scales param groups", () => {
    const opt = { paramGroups: [{ lr: 0.01 }, { lr: 0.1 }] };
    const curve = live({ display: false, controls: { optimizer: opt } });
    const seen: number[] = [];
    for (const i of curve.steps([1, 2, 3, 4, 5])) { seen.push(i); if (i === 2) curve.controls!.stop(); }
    assert.deepEqual(seen, [1, 2]);
    assert.equal(curve.stopped, true);
    curve.controls!.lrSlider!.value = 0.001;
    assert.deepEqual(opt.paramGroups.map((g) => Number(g.lr.toPrecision(3))), [0.001, 0.01]);
    const c = new TrainingControls({});
    c.pause(); assert.equal(c.pauseButton!.description, "Resume");
    // Outside a kernel nothing can click Resume: check() lets the loop go on rather than hang.
    assert.equal(c.check(), false);
    c.stop(); assert.equal(c.stopButton!.description, "Stopped");
    assert.equal(c.stopButton!.disabled, true);
  });
});
