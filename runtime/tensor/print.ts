// runtime/tensor/print.ts
// Tensors print like PyTorch: tensor([[1.0000, 2.0000], ...], requiresGrad=true), fixed 4-digit
// or scientific notation chosen over all values, summarised with "..." above 1000 elements,
// followed by a summary line with shape, dtype and device. Devices without synchronous reads
// (webgpu) print the summary and how to read the values; formatTensorAsync reads them first.

import type { Tensor } from "./tensor";
import { formatShape, sizeOf } from "./shape";

export type { NestedArray } from "./tensor_ops";

const THRESHOLD = 1000, EDGE = 3, LINE_WIDTH = 80;

export function formatTensor(t: Tensor): string {
  return `${formatValues(t)}\n${summaryLine(t)}`;
}

export function summaryLine(t: Tensor): string {
  return `shape=${formatShape(t.shape)}, dtype=${t.dtype}, device=${t.device}`;
}

function suffix(t: Tensor): string {
  if (t.gradFn) return `, gradFn=<${t.gradFn.name[0].toUpperCase()}${t.gradFn.name.slice(1)}Backward>`;
  if (t.requiresGrad) return ", requiresGrad=true";
  return "";
}

export function formatValues(t: Tensor): string {
  if (t.isDisposed) return "tensor(<disposed>)";
  const backend = t._handle.backend;
  if (!backend.readSync) return `tensor(<${t.numel()} values on ${t.device}; read them with await t.toArray()>${suffix(t)})`;
  return formatData(t, t.dataSync());
}

/** The same text on every device, reading values asynchronously (webgpu). */
export async function formatTensorAsync(t: Tensor): Promise<string> {
  if (t.isDisposed) return formatTensor(t);
  return `${formatData(t, await t.data())}\n${summaryLine(t)}`;
}

function formatData(t: Tensor, data: ArrayLike<number>): string {
  const summarize = sizeOf(t.shape) > THRESHOLD;
  const fmt = makeFormatter(t, data, summarize);
  const prefix = "tensor(";
  if (t.ndim === 0) return `${prefix}${fmt(data[0])}${suffix(t)})`;
  if (t.numel() === 0) return `${prefix}[]${suffix(t)})`;
  const body = formatDim(t.shape, data, 0, 0, prefix.length, summarize, fmt);
  return `${prefix}${body}${suffix(t)})`;
}

function strides(shape: readonly number[], dim: number): number {
  let s = 1;
  for (let k = dim + 1; k < shape.length; k++) s *= shape[k];
  return s;
}

function shownIndices(n: number, summarize: boolean): (number | null)[] {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: EDGE }, (_, i) => i), null, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)];
}

function formatDim(shape: readonly number[], data: ArrayLike<number>, dim: number, off: number, indent: number,
  summarize: boolean, fmt: (v: number) => string): string {
  const n = shape[dim], step = strides(shape, dim);
  const idx = shownIndices(n, summarize);
  if (dim === shape.length - 1) {
    const items = idx.map((i) => (i === null ? "..." : fmt(data[off + i])));
    const width = items.reduce((w, s) => Math.max(w, s.length), 0);
    const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (width + 2)));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
    return `[${lines.join(",\n" + " ".repeat(indent + 1))}]`;
  }
  const parts = idx.map((i) => (i === null ? "..." : formatDim(shape, data, dim + 1, off + i * step, indent + 1, summarize, fmt)));
  const sep = "," + "\n".repeat(shape.length - 1 - dim) + " ".repeat(indent + 1);
  return `[${parts.join(sep)}]`;
}

/** One formatter for all values, so columns line up (PyTorch's _Formatter). */
function makeFormatter(t: Tensor, data: ArrayLike<number>, summarize: boolean): (v: number) => string {
  const pad = (f: (v: number) => string, values: number[]) => {
    const width = values.reduce((w, v) => Math.max(w, f(v).length), 0);
    return (v: number) => f(v).padStart(width);
  };
  const values: number[] = [];
  const sample = summarize ? Math.min(data.length, 10000) : data.length;
  for (let i = 0; i < sample; i++) values.push(data[i]);
  if (summarize) for (let i = Math.max(sample, data.length - 10000); i < data.length; i++) values.push(data[i]);
  if (t.dtype === "bool") return pad((v) => (v ? "True" : "False"), values);
  if (t.dtype === "int32") return pad((v) => String(v), values);
  const finite = values.filter((v) => Number.isFinite(v));
  const special = (v: number) => (v !== v ? "nan" : v > 0 ? "inf" : "-inf");
  if (finite.length === 0) return pad(special, values);
  const abs = finite.map(Math.abs), nonzero = abs.filter((v) => v > 0);
  const max = Math.max(...abs), minNz = nonzero.length ? Math.min(...nonzero) : 0;
  const allInt = finite.every((v) => Number.isInteger(v));
  let f: (v: number) => string;
  if (allInt) {
    f = max > 1e8 ? (v) => v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2") : (v) => `${v}.`;
  } else if (max / Math.max(minNz, Number.MIN_VALUE) > 1000 || max > 1e8 || (minNz > 0 && minNz < 1e-4)) {
    f = (v) => v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
  } else {
    f = (v) => v.toFixed(4);
  }
  return pad((v) => (Number.isFinite(v) ? (Object.is(v, -0) ? f(0) : f(v)) : special(v)), values);
}
