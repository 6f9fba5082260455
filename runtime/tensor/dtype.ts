// runtime/tensor/dtype.ts
// DType <-> TypedArray. bool is stored one byte per element on the CPU; other backends choose
// their own layout (WGSL has no 8-bit storage) and convert in write()/read().

export type DType = "float32" | "int32" | "bool" | "float64"; // float64: cpu only (gradcheck)
export type TypedArray = Float32Array | Int32Array | Uint8Array | Float64Array;

export const DTYPES: readonly DType[] = ["float32", "int32", "bool", "float64"];

export function arrayFor(dtype: DType, length: number): TypedArray {
  switch (dtype) {
    case "float32": return new Float32Array(length);
    case "int32": return new Int32Array(length);
    case "bool": return new Uint8Array(length);
    case "float64": return new Float64Array(length);
  }
}

export function bytesPerElement(dtype: DType): number {
  return dtype === "float64" ? 8 : dtype === "bool" ? 1 : 4;
}

export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** The dtype of a binary op's result, as torch.result_type for tensors of these dtypes. */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === "float64" || b === "float64") return "float64";
  if (a === "float32" || b === "float32") return "float32";
  if (a === "int32" || b === "int32") return "int32";
  return "bool";
}
