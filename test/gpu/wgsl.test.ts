// test/gpu/wgsl.test.ts
// The WGSL generators, without a GPU: structure of the generated code (what contiguity, aliasing,
// dtypes and tiles change), cache keys, and text snapshots of a few kernels in test/gpu/snapshots/
// (UPDATE_SNAPSHOTS=1 rewrites them). Parity tests compile and run all of them on a device.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { collapse, windowOutSize } from "../../runtime/tensor/shape";
import { storageType } from "../../gpu/wgsl/common";
import { convForwardKernel, convGradWeightKernel } from "../../gpu/wgsl/conv";
import { ElementwiseSpec, elementwiseKernel, elementwiseKey } from "../../gpu/wgsl/elementwise";
import { gatherKernel, scatterAddKernel } from "../../gpu/wgsl/index";
import { TILE_128, TILE_64, matmulKernel, matmulKey } from "../../gpu/wgsl/matmul";
import { maxPoolBackwardKernel } from "../../gpu/wgsl/pool";
import { reduceKernel } from "../../gpu/wgsl/reduce";
import { softmaxKernel } from "../../gpu/wgsl/softmax";
import { adamKernel } from "../../gpu/wgsl/adam";

const SNAP = path.join(__dirname, "snapshots");

function snapshot(name: string, code: string): void {
  const file = path.join(SNAP, `${name}.wgsl`);
  if (process.env.UPDATE_SNAPSHOTS === "1" || !fs.existsSync(file)) fs.writeFileSync(file, code);
  assert.equal(code, fs.readFileSync(file, "utf8"), `${name}.wgsl changed; rerun with UPDATE_SNAPSHOTS=1 if intended`);
}

const count = (s: string, needle: string | RegExp) => s.split(needle).length - 1;
const body = (code: string) => code.slice(code.indexOf("fn main"));
const balanced = (code: string) => count(code, "{") === count(code, "}") && count(code, "(") === count(code, ")");

const op = (dtype: "float32" | "int32" | "bool", contiguous: boolean, alias = false) => ({ dtype, contiguous, alias });

describe("wgsl generators", () => {
  it("elementwise: a contiguous input is read at offset + gid, with no index arithmetic", () => {
    const k = elementwiseKernel({ kind: "unary", op: "exp", out: "float32", inputs: [op("float32", true)], rank: 1 });
    assert.match(body(k.code), /let i0 = P\[\d+\] \+ gid;/);
    assert.equal(count(body(k.code), "%"), 0);
    assert.deepStrictEqual(k.bindings, ["rw", "read"]);
    assert.ok(balanced(k.code));
    snapshot("unary_exp_contiguous", k.code);
  });

  it("elementwise: a strided rank-3 input decomposes the index once per dim", () => {
    const k = elementwiseKernel({ kind: "binary", op: "add", out: "float32", inputs: [op("float32", false), op("float32", true)], rank: 3 });
    assert.equal(count(body(k.code), "let c_ = r_ % s_;"), 3);
    assert.equal(count(body(k.code), "i0 += c_ * P["), 3);
    snapshot("binary_add_strided_r3", k.code);
  });

  it("elementwise: bool is stored as u32 and read as != 0u", () => {
    const k = elementwiseKernel({ kind: "binary", op: "lt", out: "bool", inputs: [op("float32", true), op("bool", true)], rank: 1 });
    assert.match(k.code, /var<storage, read_write> OUT: array<u32>/);
    assert.match(k.code, /\(IN1\[i1\] != 0u\)/);
    assert.match(k.code, /OUT\[gid\] = u32\(/);
  });

  it("elementwise: an input that is the output buffer is read through OUT, not bound twice", () => {
    const k = elementwiseKernel({ kind: "binary", op: "add", out: "float32", inputs: [op("float32", true, true), op("float32", false)], rank: 2 });
    assert.doesNotMatch(k.code, /IN0/);
    assert.match(k.code, /let v0 = OUT\[i0\];/);
    assert.deepStrictEqual(k.bindings, ["rw", "read"]);
  });

  it("elementwise keys differ by op, dtype, rank, contiguity and aliasing", () => {
    const base: ElementwiseSpec = { kind: "unary", op: "exp", out: "float32", inputs: [op("float32", true)], rank: 1 };
    const variants: ElementwiseSpec[] = [
      base, { ...base, op: "log" }, { ...base, out: "int32" }, { ...base, rank: 2 },
      { ...base, inputs: [op("float32", false)] }, { ...base, inputs: [op("float32", true, true)] }, { ...base, inputs: [op("int32", true)] },
    ];
    assert.equal(new Set(variants.map(elementwiseKey)).size, variants.length);
  });

  it("integer-safe unary ops stay in i32; others compute in f32", () => {
    const neg = elementwiseKernel({ kind: "unary", op: "neg", out: "int32", inputs: [op("int32", true)], rank: 1 });
    assert.match(neg.code, /let x0 = v0;/);
    const exp = elementwiseKernel({ kind: "unary", op: "exp", out: "int32", inputs: [op("int32", true)], rank: 1 });
    assert.match(exp.code, /let x0 = f32\(v0\);/);
    assert.match(exp.code, /OUT\[gid\] = i32\(exp\(x0\)\);/);
  });

  it("float64 is refused with a DTypeError", () => {
    assert.throws(() => storageType("float64"), { name: "DTypeError", message: /float64 is not supported/ });
  });

  it("matmul: workgroup tiles and register blocks follow the tile config", () => {
    for (const t of [TILE_64, TILE_128]) {
      const k = matmulKernel("float32", "float32", "float32", t);
      assert.match(k.code, new RegExp(`var<workgroup> As: array<f32, ${t.BM * t.BK}>;`));
      assert.match(k.code, new RegExp(`var<workgroup> Bs: array<f32, ${t.BK * t.BN}>;`));
      assert.equal(count(k.code, "fma("), t.TM * t.TN);
      assert.equal(k.workgroupSize, (t.BM / t.TM) * (t.BN / t.TN));
      assert.equal(count(k.code, "workgroupBarrier()"), 2);
      assert.ok(balanced(k.code));
    }
    assert.notEqual(matmulKey("float32", "float32", "float32", TILE_64), matmulKey("float32", "float32", "float32", TILE_128));
    assert.notEqual(matmulKey("float32", "float32", "float32", TILE_64), matmulKey("int32", "int32", "int32", TILE_64));
    snapshot("matmul_64", matmulKernel("float32", "float32", "float32", TILE_64).code);
  });

  it("matmul reads both operands through strides, so a transpose is never a copy", () => {
    const k = matmulKernel("float32", "float32", "float32", TILE_64);
    assert.match(k.code, /let arow0 = ao \+ ar0 \* P\[4\];/);
    assert.match(k.code, /A\[arow0 \+ gk \* P\[5\]\]/);
    assert.match(k.code, /let bcol0 = bo \+ bc0 \* P\[8\];/);
    assert.match(k.code, /B\[bcol0 \+ gk \* P\[7\]\]/);
  });

  it("conv2d is an implicit GEMM: no im2col buffer, column indices hoisted, bias optional, split-K for the weight gradient", () => {
    const f = convForwardKernel(TILE_64, true);
    assert.match(f.code, /fn load_b\(k: u32, xb: u32, ih0: i32, iw0: i32, g: u32\)/);
    // The column's (n, oh, ow) is divided out once, before the K loop, not per load.
    assert.ok(f.code.indexOf("let n0 = bc0 / ohw0;") < f.code.indexOf("for (var k0"));
    assert.match(f.code, /BIAS\[/);
    assert.equal(f.bindings.length, 4);
    assert.equal(convForwardKernel(TILE_64, false).bindings.length, 3);
    const gw = convGradWeightKernel(TILE_64);
    assert.match(gw.code, /let k_begin = split \* chunk;/);
    assert.ok(balanced(gw.code));
  });

  it("reductions: the tree variant synchronises the workgroup, the thread variant does not", () => {
    const spec = { op: "sum" as const, x: "float32" as const, out: "float32" as const, keptRank: 1, reducedRank: 2 };
    assert.ok(count(reduceKernel({ ...spec, tree: true }).code, "workgroupBarrier") >= 2);
    assert.equal(count(reduceKernel({ ...spec, tree: false }).code, "workgroupBarrier"), 0);
    const arg = reduceKernel({ ...spec, op: "argmax", out: "int32", tree: true });
    assert.match(arg.code, /OUT\[k\] = i32\(acc_i\);/);
  });

  it("float scatterAdd and max-pool backward add with a CAS loop; int scatterAdd uses atomicAdd", () => {
    assert.match(scatterAddKernel("float32", 2).code, /atomicCompareExchangeWeak\(&T\[ti\]/);
    assert.match(scatterAddKernel("int32", 2).code, /atomicAdd\(&T\[ti\], v\)/);
    assert.match(maxPoolBackwardKernel().code, /atomicCompareExchangeWeak/);
    assert.match(gatherKernel("float32", 3).code, /raw \+ size/);
  });

  it("softmax subtracts the line max; adam is one fused pass", () => {
    assert.match(softmaxKernel(true).code, /x - mx - log\(total\)/);
    const a = adamKernel();
    assert.deepStrictEqual(a.bindings, ["rw", "read", "rw", "rw"]);
    snapshot("adam_step", a.code);
  });

  it("collapse merges dims contiguous in every operand and drops size-1 dims", () => {
    assert.deepStrictEqual(collapse([2, 3, 4], [[12, 4, 1], [12, 4, 1]]), { shape: [24], strides: [[1], [1]] });
    assert.deepStrictEqual(collapse([2, 3, 4], [[12, 4, 1], [0, 4, 1]]), { shape: [2, 12], strides: [[12, 1], [0, 1]] });
    assert.deepStrictEqual(collapse([3, 1, 5], [[5, 99, 1]]), { shape: [15], strides: [[1]] });
    assert.deepStrictEqual(collapse([4, 5], [[1, 4]]), { shape: [4, 5], strides: [[1, 4]] });
  });

  it("windowOutSize follows PyTorch's output size, ceil mode included", () => {
    assert.equal(windowOutSize(28, 3, 1, 1, 1, false), 28);
    assert.equal(windowOutSize(7, 2, 2, 0, 1, false), 3);
    assert.equal(windowOutSize(7, 2, 2, 0, 1, true), 4);
    assert.equal(windowOutSize(6, 3, 2, 1, 1, true), 4);
    assert.equal(windowOutSize(5, 2, 2, 1, 1, true), 3); // the last window would start in the right padding
  });
});
