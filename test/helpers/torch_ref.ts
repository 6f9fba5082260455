// test/helpers/torch_ref.ts
// Reads ../shared/reference/torch-ops.json (PyTorch outputs and gradients; see its "format"
// field), or the file named by $TSGRAD_TORCH_REF, and builds tensors from its entries.

import * as fs from "node:fs";
import * as path from "node:path";
import { torch, type Tensor } from "../../runtime/tensor/index";
import type { DeviceName } from "../../runtime/tensor/backend";
import type { DType } from "../../runtime/tensor/dtype";

export interface RefTensor { shape: number[]; dtype: string; data: number[] }
export type RefValue = RefTensor | number | number[] | string | boolean | null;
export interface RefCase {
  op: string;
  inputs: RefValue[];
  kwargs: Record<string, unknown>;
  call?: string;
  outputs: RefTensor[];
  cotangents?: RefTensor[];
  grads?: (RefTensor | null)[] | null;
}
export interface RefFile { generated_by: string; format: string; tolerance: string; cases: RefCase[] }

export function refPath(): string {
  return process.env.TSGRAD_TORCH_REF ?? path.resolve(__dirname, "..", "..", "..", "shared", "reference", "torch-ops.json");
}

export function loadReference(): RefFile {
  return JSON.parse(fs.readFileSync(refPath(), "utf8")) as RefFile;
}

export function isRefTensor(v: unknown): v is RefTensor {
  return typeof v === "object" && v !== null && "shape" in v && "data" in v;
}

const DTYPE_MAP: Record<string, DType> = { float32: "float32", float64: "float64", int32: "int32", int64: "int32", bool: "bool" };

export function toTensor(r: RefTensor, device: DeviceName, requiresGrad = false): Tensor {
  const dtype = DTYPE_MAP[r.dtype];
  if (!dtype) throw new Error(`reference dtype ${r.dtype} has no tsgrad equivalent`);
  const data = dtype === "float32" ? Float32Array.from(r.data) : dtype === "float64" ? Float64Array.from(r.data)
    : dtype === "int32" ? Int32Array.from(r.data) : Uint8Array.from(r.data.map((v) => (v ? 1 : 0)));
  return torch.tensor(data, { dtype, device }).reshape(r.shape).detach().requiresGrad_(requiresGrad);
}

/** "matmul [4, 5] [5, 3] {}" */
export function caseName(c: RefCase): string {
  const ins = c.inputs.map((v) => (isRefTensor(v) ? `[${v.shape.join(", ")}]${v.dtype === "float32" ? "" : ":" + v.dtype}` : JSON.stringify(v)));
  const kw = Object.keys(c.kwargs).length ? " " + JSON.stringify(c.kwargs) : "";
  return `${c.op} ${ins.join(" ")}${kw}`;
}
