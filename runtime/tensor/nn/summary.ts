// runtime/tensor/nn/summary.ts
// A model summary like torchinfo.summary: runs one forward pass on zeros of `inputShape` (batch
// dim included) with hooks on every module, and reports each layer's output shape and parameter
// count. Returns the data (rows, totals) with a text table as toString(); notebooks render it.

import { Tensor } from "../tensor";
import { noGrad } from "../autograd";
import { zeros } from "../creation";
import type { DType } from "../dtype";
import type { DeviceName } from "../backend";
import { Module, registerModuleForwardHook, registerModuleForwardPreHook } from "./module";

export interface SummaryRow {
  /** Dotted name in the model ("" for the model itself). */
  name: string;
  type: string;
  depth: number;
  /** Output shape(s) of this call; null when the output is not a tensor. */
  outputShape: number[] | number[][] | null;
  /** Parameters held by this module and its children. */
  params: number;
  /** Parameters held directly by this module (not by children). */
  ownParams: number;
  trainable: boolean;
}

/** What nn.summary() and model.summary() return: a table of layers, output shapes and parameter counts.
 * @example const s = nn.summary(model, [1, 784]); s.totalParams; */
export class ModelSummary {
  constructor(
    /** The model's class name.
     * @example model.summary([1, 784]).model; // "MLP" */
    readonly model: string,
    /** The input shape the summary ran with (batch dim included).
     * @example model.summary([1, 784]).inputShape; // [1, 784] */
    readonly inputShape: number[],
    /** One row per module call: name, type, depth, output shape, parameter counts.
     * @example model.summary([1, 784]).rows.map((r) => r.type); */
    readonly rows: SummaryRow[],
    /** Number of parameter elements, shared parameters counted once.
     * @example model.summary([1, 784]).totalParams; */
    readonly totalParams: number,
    /** Number of parameter elements with requiresGrad.
     * @example model.summary([1, 784]).trainableParams; */
    readonly trainableParams: number,
    /** bytes of parameters and buffers
     * @example (model.summary([1, 784]).paramBytes / 1e6).toFixed(2); // MB */
    readonly paramBytes: number,
  ) {}

  /** Number of parameter elements without requiresGrad (frozen).
   * @example model.summary([1, 784]).nonTrainableParams; */
  get nonTrainableParams(): number { return this.totalParams - this.trainableParams; }

  /** The torchinfo-style text table (what a cell shows as text/plain).
   * @example console.log(model.summary([1, 784]).toString()); */
  toString(): string {
    const body = this.rows.filter((r) => r.depth > 0).map((r) => [
      `${"│   ".repeat(Math.max(0, r.depth - 1))}${r.depth > 0 ? "└─" : ""}${r.type}${r.name ? ` (${r.name.split(".").pop()})` : ""}`,
      fmtShape(r.outputShape),
      r.ownParams > 0 || r.params === 0 ? fmtInt(r.params) : "--",
    ]);
    const head = ["Layer (type (name))", "Output Shape", "Param #"];
    const top = [`${this.model}`, fmtShape(this.rows[0]?.outputShape ?? null), "--"];
    const all = [head, top, ...body];
    const w = [0, 1, 2].map((i) => Math.max(...all.map((r) => r[i].length)) + 2);
    const line = (c: string) => c.repeat(w[0] + w[1] + w[2]);
    const row = (r: string[]) => r[0].padEnd(w[0]) + r[1].padEnd(w[1]) + r[2].padStart(w[2] - 2);
    return [line("="), row(head), line("="), row(top), ...body.map(row), line("="),
      `Total params: ${fmtInt(this.totalParams)}`,
      `Trainable params: ${fmtInt(this.trainableParams)}`,
      `Non-trainable params: ${fmtInt(this.nonTrainableParams)}`,
      line("-"),
      `Input size: ${fmtShape(this.inputShape)}`,
      `Params size (MB): ${(this.paramBytes / 1e6).toFixed(2)}`,
      line("=")].join("\n");
  }

  /** The summary as plain data (model, inputShape, rows, parameter counts, bytes).
   * @example JSON.stringify(model.summary([1, 784])); */
  toJSON(): object {
    return { model: this.model, inputShape: this.inputShape, rows: this.rows, totalParams: this.totalParams,
      trainableParams: this.trainableParams, nonTrainableParams: this.nonTrainableParams, paramBytes: this.paramBytes };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.toString(); }
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    const trs = this.rows.map((r) => `<tr><td style="text-align:left;padding-left:${r.depth * 1.2}em">${esc(r.type)}${r.name ? ` <span style="color:#888">(${esc(r.name)})</span>` : ""}</td>`
      + `<td>${esc(fmtShape(r.outputShape))}</td><td style="text-align:right">${r.ownParams > 0 || r.params === 0 ? fmtInt(r.params) : "--"}</td></tr>`).join("");
    return {
      "text/plain": this.toString(),
      "text/html": `<table><thead><tr><th>Layer</th><th>Output shape</th><th>Param #</th></tr></thead><tbody>${trs}</tbody>`
        + `<tfoot><tr><td colspan="3">Total params: ${fmtInt(this.totalParams)} · trainable: ${fmtInt(this.trainableParams)} · ${(this.paramBytes / 1e6).toFixed(2)} MB</td></tr></tfoot></table>`,
    };
  }
}

function fmtInt(n: number): string { return n.toLocaleString("en-US"); }
function fmtShape(s: number[] | number[][] | null): string {
  if (!s) return "--";
  if (s.length > 0 && Array.isArray(s[0])) return (s as number[][]).map((x) => `[${x.join(", ")}]`).join(", ");
  return `[${(s as number[]).join(", ")}]`;
}

function shapeOf(out: unknown): number[] | number[][] | null {
  if (out instanceof Tensor) return out.shape.slice();
  if (Array.isArray(out) && out.length > 0 && out.every((o) => o instanceof Tensor)) return out.map((o: Tensor) => o.shape.slice());
  return null;
}

export interface SummaryOptions { dtype?: DType; device?: DeviceName; input?: Tensor | Tensor[] }

/** torchinfo-style summary of `model` for an input of `inputShape` (batch dim included).
 * Runs one forward pass on zeros of inputShape (or on opts.input) with hooks; a cell shows the result as a table.
 * Shapes: `inputShape` (batch dim included) -> a ModelSummary of each layer's output shape.
 * @example nn.summary(model, [1, 1, 28, 28]); */
export function summary(model: Module, inputShape: number[], opts: SummaryOptions = {}): ModelSummary {
  const names = new Map<Module, string>(model.namedModules().map(([n, m]) => [m, n] as [Module, string]));
  const rows: SummaryRow[] = [];
  const open: SummaryRow[] = [];
  const countOf = (m: Module, recurse: boolean) => m.parameters(recurse).reduce((s, p) => s + p.numel(), 0);
  const pre = registerModuleForwardPreHook((m) => {
    if (!names.has(m)) return;
    const name = names.get(m)!;
    const row: SummaryRow = {
      name, type: m.constructor.name, depth: open.length, outputShape: null,
      params: countOf(m, true), ownParams: countOf(m, false), trainable: m.parameters().some((p) => p.requiresGrad),
    };
    rows.push(row);
    open.push(row);
  });
  const post = registerModuleForwardHook((m, _inputs, out) => {
    if (!names.has(m)) return;
    const row = open.pop();
    if (row) row.outputShape = shapeOf(out);
  });
  const modes = model.modules().map((m) => [m, m.training] as const);
  model.eval();
  try {
    noGrad(() => {
      const device = opts.device ?? model.parameters()[0]?.device;
      const x = opts.input ?? zeros(inputShape, { dtype: opts.dtype ?? "float32", device });
      Array.isArray(x) ? model.forward(...x) : model.forward(x);
    });
  } finally {
    pre.remove(); post.remove();
    for (const [m, t] of modes) m.training = t;
  }
  const params = model.parameters();
  const total = params.reduce((s, p) => s + p.numel(), 0);
  const trainable = params.filter((p) => p.requiresGrad).reduce((s, p) => s + p.numel(), 0);
  const bytes = [...params, ...model.buffers()].reduce((s, t) => s + t.numel() * (t.dtype === "float64" ? 8 : t.dtype === "bool" ? 1 : 4), 0);
  return new ModelSummary(model.constructor.name, inputShape.slice(), rows, total, trainable, bytes);
}
