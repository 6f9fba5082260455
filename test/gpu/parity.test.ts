// test/gpu/parity.test.ts
// The WebGPU backend against the reference CPU backend, element-wise family: every unary and
// binary op, where, copy with dtype conversion, fill and assign, over contiguous, transposed,
// broadcast (stride 0) and offset Views, odd sizes and every dtype WebGPU holds.

import * as assert from "node:assert/strict";
import type { BinaryOp, DType, UnaryOp, View } from "../../runtime/tensor/backend";
import { Pair, contiguous, expectSame, numel, randomData, rng, useBackends } from "./parity_util";

const be = useBackends();

/** Geometries over a [5, 7] storage of 35 elements (plus a spare element for offsets). */
const LAYOUTS: { name: string; shape: number[]; strides: number[]; offset: number }[] = [
  { name: "contiguous [5, 7]", shape: [5, 7], strides: [7, 1], offset: 0 },
  { name: "transposed [7, 5]", shape: [7, 5], strides: [1, 7], offset: 0 },
  { name: "broadcast [3, 5, 7] (stride 0)", shape: [3, 5, 7], strides: [0, 7, 1], offset: 0 },
  { name: "offset slice [4, 3]", shape: [4, 3], strides: [7, 2], offset: 1 },
  { name: "scalar []", shape: [], strides: [], offset: 3 },
];

const FLOAT_UNARY: [UnaryOp, number, number, number?, number?][] = [
  ["neg", -3, 3], ["abs", -3, 3], ["sign", -3, 3], ["exp", -5, 5], ["expm1", -2, 2], ["log", 0.01, 10],
  ["log1p", -0.9, 5], ["sqrt", 0, 9], ["rsqrt", 0.1, 9], ["square", -3, 3], ["reciprocal", 0.5, 4],
  ["sin", -4, 4], ["cos", -4, 4], ["tanh", -30, 30], ["sigmoid", -30, 30], ["relu", -3, 3], ["gelu", -4, 4],
  ["gelu_tanh", -4, 4], ["silu", -6, 6], ["softplus", -30, 30], ["erf", -3, 3], ["floor", -5, 5], ["ceil", -5, 5],
  ["round", -5, 5], ["leaky_relu", -3, 3, 0.1], ["elu", -3, 3, 1.5], ["clamp", -3, 3, -1, 0.5],
  ["pow_scalar", 0.1, 3, 2.5], ["pow_scalar", -3, 3, 3],
];

describe("webgpu parity: unary", () => {
  for (const [op, lo, hi, p1, p2] of FLOAT_UNARY) {
    it(`${op}${p1 !== undefined ? `(${p1}${p2 !== undefined ? `, ${p2}` : ""})` : ""} matches cpu on every layout`, async () => {
      const { cpu, gpu } = be;
      const x = Pair.of(cpu, gpu, randomData("float32", 36, rng(op.length * 7 + lo), lo, hi), "float32");
      if (op === "round") { x.data[0] = 2.5; x.data[1] = -0.5; x.data[2] = 1.5; cpu.write(x.cpu, x.data); gpu.write(x.gpu, x.data); }
      for (const l of LAYOUTS) {
        const [cv, gv] = x.view(l.shape, l.strides, l.offset);
        const n = numel(l.shape);
        const co = cpu.alloc(n, "float32"), go = gpu.alloc(n, "float32");
        cpu.unary(op, cv, co, p1, p2);
        gpu.unary(op, gv, go, p1, p2);
        await expectSame(cpu, gpu, co, go, `${op} on ${l.name}`);
      }
    });
  }

  for (const op of ["neg", "abs", "sign", "square", "relu"] as UnaryOp[])
    it(`${op} stays integral on int32`, async () => {
      const { cpu, gpu } = be;
      const x = Pair.of(cpu, gpu, randomData("int32", 35, rng(3), -50, 50), "int32");
      const [cv, gv] = x.view([7, 5], [1, 7]);
      const co = cpu.alloc(35, "int32"), go = gpu.alloc(35, "int32");
      cpu.unary(op, cv, co);
      gpu.unary(op, gv, go);
      await expectSame(cpu, gpu, co, go, `${op} int32`, { atol: 0, rtol: 0 });
    });

  it("logical_not reads bool and writes bool", async () => {
    const { cpu, gpu } = be;
    const x = Pair.of(cpu, gpu, randomData("bool", 35, rng(4)), "bool");
    const [cv, gv] = x.view([5, 7]);
    const co = cpu.alloc(35, "bool"), go = gpu.alloc(35, "bool");
    cpu.unary("logical_not", cv, co);
    gpu.unary("logical_not", gv, go);
    await expectSame(cpu, gpu, co, go, "logical_not", { atol: 0, rtol: 0 });
  });
});

const ARITH: BinaryOp[] = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "atan2"];
const COMPARE: BinaryOp[] = ["eq", "ne", "lt", "le", "gt", "ge"];

describe("webgpu parity: binary", () => {
  // [4, 1, 7] against [3, 7] broadcast to [4, 3, 7]; b read transposed from a [7, 3] storage.
  const shape = [4, 3, 7];
  function operands(dtype: DType, seed: number, lo = -3, hi = 3) {
    const { cpu, gpu } = be;
    const a = Pair.of(cpu, gpu, randomData(dtype, 28, rng(seed), lo, hi), dtype);
    const b = Pair.of(cpu, gpu, randomData(dtype, 21, rng(seed + 1), lo, hi), dtype);
    return { a: a.view(shape, [7, 0, 1]), b: b.view(shape, [0, 1, 3]) };
  }

  for (const op of [...ARITH, ...COMPARE])
    it(`${op} over broadcast and transposed float32 views`, async () => {
      const { cpu, gpu } = be;
      const pos = op === "pow";
      const { a, b } = operands("float32", 11 + op.length, pos ? 0.1 : -3, 3);
      if (COMPARE.includes(op)) {
        // Equal values on purpose, so eq/le/ge see ties.
        const t = Pair.of(cpu, gpu, Float32Array.from({ length: 21 }, (_, i) => (i % 3) - 1), "float32");
        b[0] = { ...b[0], buf: t.cpu }; b[1] = { ...b[1], buf: t.gpu };
        const s = Pair.of(cpu, gpu, Float32Array.from({ length: 28 }, (_, i) => (i % 4) - 1.5 + (i % 2) * 0.5), "float32");
        a[0] = { ...a[0], buf: s.cpu }; a[1] = { ...a[1], buf: s.gpu };
      }
      const outDtype: DType = COMPARE.includes(op) ? "bool" : "float32";
      const n = numel(shape);
      const co = cpu.alloc(n, outDtype), go = gpu.alloc(n, outDtype);
      cpu.binary(op, a[0], b[0], co);
      gpu.binary(op, a[1], b[1], go);
      await expectSame(cpu, gpu, co, go, op);
    });

  for (const op of ["add", "sub", "mul", "maximum", "minimum", "lt", "eq", "div"] as BinaryOp[])
    it(`${op} on int32 views`, async () => {
      const { cpu, gpu } = be;
      const { a, b } = operands("int32", 5, -20, 20);
      const out: DType = COMPARE.includes(op) ? "bool" : op === "div" ? "float32" : "int32";
      const co = cpu.alloc(84, out), go = gpu.alloc(84, out);
      const [bc, bg] = op === "div" ? [7, 7] : [b[0], b[1]];
      cpu.binary(op, a[0], bc, co);
      gpu.binary(op, a[1], bg, go);
      await expectSame(cpu, gpu, co, go, `${op} int32`, { atol: 1e-6, rtol: 1e-6 });
    });

  it("int32 + float32 promotes to float32", async () => {
    const { cpu, gpu } = be;
    const a = Pair.of(cpu, gpu, randomData("int32", 12, rng(8), -9, 9), "int32");
    const b = Pair.of(cpu, gpu, randomData("float32", 4, rng(9)), "float32");
    const [ac, ag] = a.view([3, 4]), [bc, bg] = b.view([3, 4], [0, 1]);
    const co = cpu.alloc(12, "float32"), go = gpu.alloc(12, "float32");
    cpu.binary("add", ac, bc, co);
    gpu.binary("add", ag, bg, go);
    await expectSame(cpu, gpu, co, go, "int32 + float32");
  });

  for (const op of ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "gt", "eq"] as BinaryOp[])
    for (const s of [2, -0.5])
      it(`${op} with scalar ${s}`, async () => {
        const { cpu, gpu } = be;
        const x = Pair.of(cpu, gpu, randomData("float32", 35, rng(21), op === "pow" ? 0.1 : -3, 3), "float32");
        const [xc, xg] = x.view([7, 5], [1, 7]);
        const out: DType = op === "gt" || op === "eq" ? "bool" : "float32";
        const co = cpu.alloc(35, out), go = gpu.alloc(35, out);
        cpu.binary(op, xc, s, co);
        gpu.binary(op, xg, s, go);
        await expectSame(cpu, gpu, co, go, `${op} scalar ${s}`);
      });

  it("int32 tensor with an integer scalar stays int32", async () => {
    const { cpu, gpu } = be;
    const x = Pair.of(cpu, gpu, randomData("int32", 10, rng(22), -100, 100), "int32");
    const [xc, xg] = x.view([10]);
    for (const op of ["add", "mul", "sub"] as BinaryOp[]) {
      const co = cpu.alloc(10, "int32"), go = gpu.alloc(10, "int32");
      cpu.binary(op, xc, 3, co);
      gpu.binary(op, xg, 3, go);
      await expectSame(cpu, gpu, co, go, `${op} int32 scalar`, { atol: 0, rtol: 0 });
    }
  });

  for (const op of ["logical_and", "logical_or"] as BinaryOp[])
    it(`${op} on bool`, async () => {
      const { cpu, gpu } = be;
      const { a, b } = operands("bool", 31);
      const co = cpu.alloc(84, "bool"), go = gpu.alloc(84, "bool");
      cpu.binary(op, a[0], b[0], co);
      gpu.binary(op, a[1], b[1], go);
      await expectSame(cpu, gpu, co, go, op, { atol: 0, rtol: 0 });
    });

  it("in place: out is the first operand's buffer", async () => {
    const { cpu, gpu } = be;
    const a = Pair.of(cpu, gpu, randomData("float32", 12, rng(40)), "float32");
    const b = Pair.of(cpu, gpu, randomData("float32", 4, rng(41)), "float32");
    const [ac, ag] = a.view([3, 4]), [bc, bg] = b.view([3, 4], [0, 1]);
    cpu.binary("add", ac, bc, a.cpu);
    gpu.binary("add", ag, bg, a.gpu);
    await expectSame(cpu, gpu, a.cpu, a.gpu, "a += b");
  });
});

describe("webgpu parity: where, copy, fill, assign", () => {
  it("where with a broadcast bool condition and mixed layouts", async () => {
    const { cpu, gpu } = be;
    const c = Pair.of(cpu, gpu, randomData("bool", 7, rng(50)), "bool");
    const a = Pair.of(cpu, gpu, randomData("float32", 35, rng(51)), "float32");
    const b = Pair.of(cpu, gpu, randomData("float32", 5, rng(52)), "float32");
    const [cc, cg] = c.view([5, 7], [0, 1]), [ac, ag] = a.view([5, 7], [1, 5]), [bc, bg] = b.view([5, 7], [1, 0]);
    const co = cpu.alloc(35, "float32"), go = gpu.alloc(35, "float32");
    cpu.where(cc, ac, bc, co);
    gpu.where(cg, ag, bg, go);
    await expectSame(cpu, gpu, co, go, "where");
  });

  const CASTS: [DType, DType][] = [
    ["float32", "int32"], ["int32", "float32"], ["float32", "bool"], ["bool", "float32"], ["int32", "bool"],
    ["bool", "int32"], ["float32", "float32"], ["int32", "int32"], ["bool", "bool"],
  ];
  for (const [from, to] of CASTS)
    it(`copy ${from} -> ${to} from a transposed view`, async () => {
      const { cpu, gpu } = be;
      const x = Pair.of(cpu, gpu, randomData(from, 35, rng(60), -4, 4), from);
      if (from === "float32") { x.data[0] = -2.7; x.data[1] = 0; x.data[2] = 2.7; cpu.write(x.cpu, x.data); gpu.write(x.gpu, x.data); }
      const [xc, xg] = x.view([7, 5], [1, 7]);
      const co = cpu.alloc(35, to), go = gpu.alloc(35, to);
      cpu.copy(xc, co);
      gpu.copy(xg, go);
      await expectSame(cpu, gpu, co, go, `copy ${from}->${to}`, { atol: 0, rtol: 0 });
    });

  for (const [dtype, value] of [["float32", -1.25], ["int32", 7], ["bool", 1]] as [DType, number][])
    it(`fill ${dtype} with ${value}`, async () => {
      const { cpu, gpu } = be;
      const co = cpu.alloc(1001, dtype), go = gpu.alloc(1001, dtype);
      cpu.fill(co, value);
      gpu.fill(go, value);
      await expectSame(cpu, gpu, co, go, `fill ${dtype}`, { atol: 0, rtol: 0 });
    });

  it("assign writes a broadcast source into a strided window", async () => {
    const { cpu, gpu } = be;
    const d = Pair.of(cpu, gpu, randomData("float32", 35, rng(70)), "float32");
    const s = Pair.of(cpu, gpu, randomData("float32", 3, rng(71)), "float32");
    const dst: [View, View] = d.view([3, 4], [1, 7], 2);
    const src: [View, View] = s.view([3, 4], [1, 0]);
    be.cpu.assign!(dst[0], src[0]);
    be.gpu.assign!(dst[1], src[1]);
    await expectSame(cpu, gpu, d.cpu, d.gpu, "assign");
  });

  it("write and read round-trip every dtype", async () => {
    const { gpu } = be;
    for (const dtype of ["float32", "int32", "bool"] as DType[]) {
      const data = randomData(dtype, 13, rng(80), -1000, 1000);
      const s = gpu.alloc(13, dtype);
      gpu.write(s, data);
      assert.deepStrictEqual(await gpu.read(s), data);
      gpu.free(s);
    }
  });

  it("write converts a host array of another type as the cpu backend does", async () => {
    const { cpu, gpu } = be;
    const cases: [DType, ArrayLike<number> & { length: number }][] = [
      ["float32", Int32Array.from([1, -2, 300])], ["int32", Float32Array.from([1.5, -2.7, 3])],
      ["int32", Uint8Array.from([0, 7, 255])], ["bool", Int32Array.from([0, 5, -1])],
    ];
    for (const [dtype, data] of cases) {
      const c = cpu.alloc(3, dtype), g = gpu.alloc(3, dtype);
      cpu.write(c, data as never);
      gpu.write(g, data as never);
      await expectSame(cpu, gpu, c, g, `write ${data.constructor.name} into ${dtype}`, { atol: 0, rtol: 0 });
    }
  });

  it("float64 is a DTypeError that says to use the cpu", () => {
    assert.throws(() => be.gpu.alloc(4, "float64"), { name: "DTypeError", message: /webgpu: float64 is not supported.*\nhint: use \.to\("cpu"\)/s });
  });

  it("contiguous() of the test geometry is row-major", () => assert.deepStrictEqual(contiguous([2, 3, 4]), [12, 4, 1]));
});
