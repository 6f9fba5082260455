import assert from "node:assert/strict";
import { encodeSafetensors, decodeSafetensors } from "../../runtime/tensor/io/safetensors";

describe("safetensors format", () => {
  it("round-trips float32, float64, int32 and bool with metadata", () => {
    const bytes = encodeSafetensors({
      w: { dtype: "float32", shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 4, 5, 6]) },
      d: { dtype: "float64", shape: [2], data: Float64Array.from([Math.PI, -1e-300]) },
      i: { dtype: "int32", shape: [3], data: Int32Array.from([-7, 0, 2147483647]) },
      b: { dtype: "bool", shape: [2, 1], data: Uint8Array.from([1, 0]) },
      s: { dtype: "float32", shape: [], data: Float32Array.from([42]) },
    }, { format: "pt", note: "hello" });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + n) % 8, 0, "data section starts 8-byte aligned");
    const { tensors, metadata } = decodeSafetensors(bytes);
    assert.deepEqual(metadata, { format: "pt", note: "hello" });
    assert.deepEqual(tensors.w.shape, [2, 3]);
    assert.deepEqual(Array.from(tensors.w.data), [1, -2, 3.5, 4, 5, 6]);
    assert.equal(tensors.d.dtype, "float64"); assert.deepEqual(Array.from(tensors.d.data), [Math.PI, -1e-300]);
    assert.deepEqual(Array.from(tensors.i.data), [-7, 0, 2147483647]);
    assert.equal(tensors.b.dtype, "bool"); assert.deepEqual(Array.from(tensors.b.data), [1, 0]);
    assert.deepEqual(tensors.s.shape, []); assert.deepEqual(Array.from(tensors.s.data), [42]);
  });

  it("reads I64 (as int32), U8, F16 and BF16 written by other tools", () => {
    // Build a file by hand as Python's writer would: header JSON, then little-endian data.
    const data = new Uint8Array(16 + 2 + 2 + 2);
    const dv = new DataView(data.buffer);
    dv.setBigInt64(0, -3n, true); dv.setBigInt64(8, 5n, true);
    data[16] = 200; data[17] = 1;
    dv.setUint16(18, 0x3c00, true);            // f16 1.0
    dv.setUint16(20, 0xc040, true);            // bf16 -3.0
    const header = JSON.stringify({
      l: { dtype: "I64", shape: [2], data_offsets: [0, 16] },
      u: { dtype: "U8", shape: [2], data_offsets: [16, 18] },
      h: { dtype: "F16", shape: [1], data_offsets: [18, 20] },
      g: { dtype: "BF16", shape: [1], data_offsets: [20, 22] },
    });
    const hb = Buffer.from(header);
    const file = new Uint8Array(8 + hb.length + data.length);
    new DataView(file.buffer).setBigUint64(0, BigInt(hb.length), true);
    file.set(hb, 8); file.set(data, 8 + hb.length);
    const { tensors } = decodeSafetensors(file);
    assert.equal(tensors.l.dtype, "int32"); assert.deepEqual(Array.from(tensors.l.data), [-3, 5]);
    assert.deepEqual(Array.from(tensors.u.data), [200, 1]);
    assert.deepEqual(Array.from(tensors.h.data), [1]);
    assert.deepEqual(Array.from(tensors.g.data), [-3]);
  });

  it("names the tensor whose offsets do not fit", () => {
    const bytes = encodeSafetensors({ w: { dtype: "float32", shape: [4], data: new Float32Array(4) } });
    assert.throws(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4)), /"w" offsets/);
  });
});
