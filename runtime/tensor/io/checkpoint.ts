// runtime/tensor/io/checkpoint.ts
// save()/load() of state dicts in the safetensors format, so PyTorch's
// safetensors.torch.load_file reads what tsgrad writes and tsgrad loads what save_file writes.
// A flat {name: Tensor} record maps one to one onto the file. Nested state (an optimiser's
// stateDict: {state: {0: {step, expAvg, ...}}, paramGroups: [...]}) is flattened: each tensor is
// stored under its dotted path, and the rest (numbers, strings, arrays, the nesting) goes into the
// "tsgrad.structure" metadata entry as JSON, with {"$tensor": "<name>"} where a tensor was.

import * as fs from "node:fs";
import { Tensor } from "../tensor";
import { fromData, getDefaultDevice } from "../kernels";
import type { DeviceName } from "../backend";
import type { TypedArray } from "../dtype";
import { encodeSafetensors, decodeSafetensors, type RawTensor } from "./safetensors";

const STRUCTURE_KEY = "tsgrad.structure";

export interface SaveOptions {
  /** Extra string metadata stored in the header (`__metadata__`). */
  metadata?: Record<string, string | number | boolean>;
}

function isFlatTensorRecord(obj: unknown): obj is Record<string, Tensor> {
  return !!obj && typeof obj === "object" && !Array.isArray(obj) && !(obj instanceof Tensor)
    && Object.values(obj).every((v) => v instanceof Tensor);
}

/** Split `obj` into named tensors and a JSON skeleton (null when obj is a flat tensor record). */
function flatten(obj: unknown): { tensors: [string, Tensor][]; structure: unknown | null } {
  if (isFlatTensorRecord(obj)) return { tensors: Object.entries(obj), structure: null };
  const tensors: [string, Tensor][] = [];
  const seen = new Set<string>();
  const walk = (v: unknown, path: string): unknown => {
    if (v instanceof Tensor) {
      let name = path || "tensor";
      for (let k = 1; seen.has(name); k++) name = `${path}#${k}`;
      seen.add(name);
      tensors.push([name, v]);
      return { $tensor: name };
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, path ? `${path}.${i}` : String(i)));
    if (v instanceof Map) throw new Error("save: Maps are not supported; use a plain object");
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, path ? `${path}.${k}` : k);
      return out;
    }
    if (typeof v === "number" && !Number.isFinite(v)) return { $number: String(v) };
    if (typeof v === "function" || typeof v === "symbol" || typeof v === "bigint")
      throw new Error(`save: cannot store a ${typeof v} at "${path}"`);
    return v;
  };
  return { tensors, structure: walk(obj, "") };
}

function header(structure: unknown | null, opts: SaveOptions): Record<string, string> {
  const md: Record<string, string> = { format: "pt" };
  for (const [k, v] of Object.entries(opts.metadata ?? {})) md[k] = String(v);
  if (structure !== null) md[STRUCTURE_KEY] = JSON.stringify(structure);
  return md;
}

function raw(t: Tensor, data: TypedArray): RawTensor {
  return { dtype: t.dtype, shape: t.shape.slice(), data };
}

/** Serialize to safetensors bytes (synchronous: needs tensors whose device reads synchronously). */
export function saveBytes(obj: unknown, opts: SaveOptions = {}): Uint8Array {
  const { tensors, structure } = flatten(obj);
  const out: Record<string, RawTensor> = {};
  for (const [name, t] of tensors) out[name] = raw(t, t.dataSync());
  return encodeSafetensors(out, header(structure, opts));
}

/** Serialize to safetensors bytes, reading device memory asynchronously (WebGPU). */
export async function saveBytesAsync(obj: unknown, opts: SaveOptions = {}): Promise<Uint8Array> {
  const { tensors, structure } = flatten(obj);
  const out: Record<string, RawTensor> = {};
  for (const [name, t] of tensors) out[name] = raw(t, await t.data());
  return encodeSafetensors(out, header(structure, opts));
}

/**
 * Write a state dict (or any object holding tensors, numbers, strings and arrays) to `path` as
 * safetensors. CPU tensors are written before this returns; tensors on WebGPU need `await`.
 * @example await save(model.stateDict(), "mlp.safetensors"); */
export function save(obj: unknown, path: string, opts: SaveOptions = {}): Promise<void> {
  const { tensors } = flatten(obj);
  if (tensors.every(([, t]) => t.device === "cpu")) {
    fs.writeFileSync(path, saveBytes(obj, opts));
    return Promise.resolve();
  }
  return saveBytesAsync(obj, opts).then((b) => fs.promises.writeFile(path, b));
}

export interface LoadOptions { device?: DeviceName }

/** Parse safetensors bytes: the nested object tsgrad saved, or {name: Tensor} for other files. */
export function loadBytes<T = Record<string, any>>(bytes: Uint8Array, opts: LoadOptions = {}): T {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const device = opts.device ?? getDefaultDevice();
  const made: Record<string, Tensor> = {};
  for (const [name, r] of Object.entries(tensors)) made[name] = fromData(r.data, r.shape, r.dtype, device);
  const structure = metadata[STRUCTURE_KEY];
  if (structure === undefined) return made as T;
  const rebuild = (v: any): any => {
    if (Array.isArray(v)) return v.map(rebuild);
    if (v && typeof v === "object") {
      if (typeof v.$tensor === "string" && Object.keys(v).length === 1) {
        const t = made[v.$tensor];
        if (!t) throw new Error(`load: the file's structure names tensor "${v.$tensor}", which it does not hold`);
        return t;
      }
      if (typeof v.$number === "string" && Object.keys(v).length === 1) return Number(v.$number);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = rebuild(x);
      return out;
    }
    return v;
  };
  return rebuild(JSON.parse(structure)) as T;
}

/** Read a safetensors file written by save() or by safetensors.torch.save_file.
 * @example model.loadStateDict(load("mlp.safetensors")); */
export function load<T = Record<string, any>>(path: string, opts: LoadOptions = {}): T {
  return loadBytes<T>(fs.readFileSync(path), opts);
}

/** The header metadata (`__metadata__`) of a safetensors file, without loading its tensors. */
export function loadMetadata(path: string): Record<string, string> {
  const fd = fs.openSync(path, "r");
  try {
    const lenBuf = Buffer.alloc(8);
    fs.readSync(fd, lenBuf, 0, 8, 0);
    const n = Number(lenBuf.readBigUInt64LE(0));
    const h = Buffer.alloc(n);
    fs.readSync(fd, h, 0, n, 8);
    return JSON.parse(h.toString("utf8")).__metadata__ ?? {};
  } finally { fs.closeSync(fd); }
}
