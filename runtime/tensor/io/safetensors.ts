// runtime/tensor/io/safetensors.ts
// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON ({name: {dtype, shape, data_offsets: [begin, end]}, and an
// optional "__metadata__": {string: string}}), then the raw little-endian tensor bytes.
// Works on typed arrays only; io/checkpoint.ts maps Tensors and nested state onto it.

import type { DType, TypedArray } from "../dtype";

/** One tensor as stored: a tsgrad dtype, its shape and its data. */
export interface RawTensor { dtype: DType; shape: number[]; data: TypedArray }

const WRITE_DTYPE: Record<DType, string> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };
const ELEMENT_BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, U16: 2, U32: 4, U64: 8, BOOL: 1,
};

/** Serialize named tensors (+ string metadata) to safetensors bytes. */
export function encodeSafetensors(tensors: Record<string, RawTensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  // Store larger alignments first so every tensor starts aligned to its element size, as the
  // Python writer does (sorted by dtype size, then name).
  const names = Object.keys(tensors).sort((a, b) =>
    elementBytes(tensors[b].dtype) - elementBytes(tensors[a].dtype) || (a < b ? -1 : a > b ? 1 : 0));
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count)
      throw new Error(`safetensors: "${name}" has ${t.data.length} values for shape [${t.shape.join(", ")}]`);
    const bytes = count * elementBytes(t.dtype);
    header[name] = { dtype: WRITE_DTYPE[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const pad = (8 - ((8 + Buffer.byteLength(json)) % 8)) % 8; // data starts 8-byte aligned
  json += " ".repeat(pad);
  const headerBytes = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  const base = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name];
    const [begin] = (header[name] as { data_offsets: number[] }).data_offsets;
    writeLE(t.data, out, base + begin);
  }
  return out;
}

/** Parse safetensors bytes. I64/U32/I16/I8/U16 become int32 (I64 beyond 2^31 throws), F16/BF16
 * become float32, U8 becomes bool only when it is BOOL (U8 keeps its values as int32). */
export function decodeSafetensors(buf: Uint8Array): { tensors: Record<string, RawTensor>; metadata: Record<string, string> } {
  if (buf.length < 8) throw new Error("safetensors: file shorter than its 8-byte header length");
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (8 + n > buf.length) throw new Error(`safetensors: header length ${n} exceeds the file (${buf.length} bytes)`);
  const header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, n).toString("utf8")) as Record<string, any>;
  const base = 8 + n;
  const metadata: Record<string, string> = header.__metadata__ ?? {};
  const tensors: Record<string, RawTensor> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype, shape, data_offsets } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const size = ELEMENT_BYTES[dtype];
    if (!size) throw new Error(`safetensors: "${name}" has unsupported dtype ${dtype}`);
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    const [begin, end] = data_offsets;
    if (end - begin !== count * size || base + end > buf.length)
      throw new Error(`safetensors: "${name}" offsets [${begin}, ${end}] do not fit shape [${shape.join(", ")}] ${dtype}`);
    tensors[name] = { shape: shape.slice(), ...readLE(dtype, dv, base + begin, count, name) };
  }
  return { tensors, metadata };
}

function elementBytes(d: DType): number { return d === "float64" ? 8 : d === "bool" ? 1 : 4; }

function writeLE(data: TypedArray, out: Uint8Array, at: number): void {
  // Every platform Node runs on is little-endian, so the typed array's bytes are the file's bytes.
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
}

function readLE(dtype: string, dv: DataView, at: number, count: number, name: string): { dtype: DType; data: TypedArray } {
  const bytes = new Uint8Array(dv.buffer, dv.byteOffset + at, count * ELEMENT_BYTES[dtype]);
  const copy = () => { const c = new Uint8Array(bytes.length); c.set(bytes); return c.buffer; };
  switch (dtype) {
    case "F32": return { dtype: "float32", data: new Float32Array(copy()) };
    case "F64": return { dtype: "float64", data: new Float64Array(copy()) };
    case "I32": return { dtype: "int32", data: new Int32Array(copy()) };
    case "BOOL": return { dtype: "bool", data: new Uint8Array(copy()) };
    case "U8": return { dtype: "int32", data: Int32Array.from(new Uint8Array(copy())) };
    case "I8": return { dtype: "int32", data: Int32Array.from(new Int8Array(copy())) };
    case "I16": return { dtype: "int32", data: Int32Array.from(new Int16Array(copy())) };
    case "U16": return { dtype: "int32", data: Int32Array.from(new Uint16Array(copy())) };
    case "U32": case "I64": case "U64": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = dtype === "U32" ? dv.getUint32(at + 4 * i, true)
          : Number(dtype === "I64" ? dv.getBigInt64(at + 8 * i, true) : dv.getBigUint64(at + 8 * i, true));
        if (v > 2147483647 || v < -2147483648)
          throw new Error(`safetensors: "${name}" value ${v} does not fit int32 (tsgrad has no int64)`);
        out[i] = v;
      }
      return { dtype: "int32", data: out };
    }
    case "F16": case "BF16": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const h = dv.getUint16(at + 2 * i, true);
        out[i] = dtype === "BF16" ? bf16ToF32(h) : f16ToF32(h);
      }
      return { dtype: "float32", data: out };
    }
  }
  throw new Error(`safetensors: "${name}" has unsupported dtype ${dtype}`);
}

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
function bf16ToF32(h: number): number { u32[0] = h << 16; return f32[0]; }
function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
