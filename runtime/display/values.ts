// runtime/display/values.ts
// Reads numbers out of whatever a user hands a plot: nested arrays, typed arrays, or a tensor.
// Tensors are duck-typed (shape + a synchronous read), so runtime/display never imports
// runtime/tensor (the layering rule) and works with any tensor-like object.

export interface Values { data: ArrayLike<number>; shape: number[] }

type SyncTensor = { shape: readonly number[] } & Record<string, unknown>;
const SYNC_READS = ["dataSync", "toArraySync", "arraySync", "valuesSync"];

export function isTensorLike(x: unknown): x is SyncTensor {
  return typeof x === "object" && x !== null && Array.isArray((x as { shape?: unknown }).shape) &&
    (typeof (x as { toArray?: unknown }).toArray === "function" ||
      SYNC_READS.some((m) => typeof (x as Record<string, unknown>)[m] === "function"));
}

function flatten(x: unknown, where: string): Values {
  const shape: number[] = [];
  let probe: unknown = x;
  while (Array.isArray(probe) || ArrayBuffer.isView(probe)) {
    const len = (probe as ArrayLike<unknown>).length;
    shape.push(len);
    if (len === 0) break;
    probe = (probe as ArrayLike<unknown>)[0];
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  let k = 0;
  const walk = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      data[k++] = typeof v === "boolean" ? Number(v) : (v as number);
      return;
    }
    const arr = v as ArrayLike<unknown>;
    if (!(Array.isArray(arr) || ArrayBuffer.isView(arr)) || arr.length !== shape[depth])
      throw new TypeError(`${where}: ragged nested array (expected length ${shape[depth]} at depth ${depth})`);
    for (let i = 0; i < arr.length; i++) walk(arr[i], depth + 1);
  };
  walk(x, 0);
  return { data, shape };
}

/** Numbers and shape of x, read synchronously. A tensor on a device without synchronous reads
 * (webgpu) gets an error that says what to do instead. */
export function readValues(x: unknown, where: string): Values {
  if (isTensorLike(x)) {
    const shape = [...x.shape];
    for (const m of SYNC_READS) {
      const f = x[m];
      if (typeof f === "function") {
        const out = (f as () => unknown).call(x);
        if (ArrayBuffer.isView(out)) return { data: out as unknown as ArrayLike<number>, shape };
        const v = flatten(out, where);
        return { data: v.data, shape };
      }
    }
    const device = (x as { device?: unknown }).device;
    throw new TypeError(`${where}: cannot read a ${String(device ?? "")} tensor synchronously; ` +
      `pass await t.toArray() or t.to("cpu")`);
  }
  if (typeof x === "number") return { data: [x], shape: [] };
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return flatten(x, where);
  throw new TypeError(`${where}: expected an array or a tensor, got ${x === null ? "null" : typeof x}`);
}

/** A 1-D list of numbers (any shape is flattened). */
export function readVector(x: unknown, where: string): number[] {
  return Array.from(readValues(x, where).data, Number);
}
