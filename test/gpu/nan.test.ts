// test/gpu/nan.test.ts
// NaN and ±Infinity on the WebGPU backend behave as on the reference CPU backend (and as in
// PyTorch): every float unary and binary op, every reduction (thread-per-output and workgroup-tree
// kernels), max/avg pooling and softmax/log-softmax are compared element by element on inputs
// holding NaN, +Infinity and -Infinity, plus absolute checks of PyTorch's answers for the ops WGSL
// lets a compiler get wrong (max/min/clamp may assume there are no NaNs).

import * as assert from "node:assert/strict";
import type { BinaryOp, DType, Pool2dOpts, ReduceOp, UnaryOp } from "../../runtime/tensor/backend";
import { Pair, expectSame, numel, useBackends } from "./parity_util";

const be = useBackends();
const N = NaN, I = Infinity;

/** Specials among ordinary values, 17 elements: NaN first, last and in the middle. */
const SPECIAL = [N, I, -I, 0, 1.5, -2, 0.5, N, 3, -0.25, I, -I, 2.5, -1, 0, 0.75, N];

const f32 = (v: number[]) => Float32Array.from(v);
const view1 = (p: Pair, n = p.data.length) => p.view([n]);

const UNARY: [UnaryOp, number?, number?][] = [
  ["neg"], ["abs"], ["sign"], ["exp"], ["expm1"], ["log"], ["log1p"], ["sqrt"], ["rsqrt"], ["square"],
  ["reciprocal"], ["sin"], ["cos"], ["tanh"], ["sigmoid"], ["relu"], ["gelu"], ["gelu_tanh"], ["silu"],
  ["softplus"], ["erf"], ["floor"], ["ceil"], ["round"], ["leaky_relu", 0.1], ["elu", 1.5],
  ["clamp", -1, 0.5], ["clamp", 0, I], ["clamp", -I, 1], ["pow_scalar", 2.5], ["pow_scalar", 3], ["pow_scalar", 0],
];

const BINARY: BinaryOp[] = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "atan2", "eq", "ne", "lt", "le", "gt", "ge"];
const COMPARE = new Set<BinaryOp>(["eq", "ne", "lt", "le", "gt", "ge"]);

describe("webgpu NaN and infinity: element-wise ops match cpu", () => {
  for (const [op, p1, p2] of UNARY)
    it(`${op}${p1 !== undefined ? `(${p1}${p2 !== undefined ? `, ${p2}` : ""})` : ""} of NaN and ±Infinity`, async () => {
      const { cpu, gpu } = be;
      const x = Pair.of(cpu, gpu, f32(SPECIAL), "float32");
      const n = SPECIAL.length;
      const co = cpu.alloc(n, "float32"), go = gpu.alloc(n, "float32");
      cpu.unary(op, view1(x)[0], co, p1, p2);
      gpu.unary(op, view1(x)[1], go, p1, p2);
      await expectSame(cpu, gpu, co, go, op);
    });

  // Every pair of {NaN, +Inf, -Inf, 0, 1.5, -2}, both ways round.
  const V = [N, I, -I, 0, 1.5, -2];
  const A = V.flatMap((a) => V.map(() => a)), B = V.flatMap(() => V);
  for (const op of BINARY)
    it(`${op} over every pair of NaN, ±Infinity and finite values`, async () => {
      const { cpu, gpu } = be;
      const a = Pair.of(cpu, gpu, f32(A), "float32"), b = Pair.of(cpu, gpu, f32(B), "float32");
      const dtype: DType = COMPARE.has(op) ? "bool" : "float32";
      const co = cpu.alloc(A.length, dtype), go = gpu.alloc(A.length, dtype);
      cpu.binary(op, view1(a)[0], view1(b)[0], co);
      gpu.binary(op, view1(a)[1], view1(b)[1], go);
      await expectSame(cpu, gpu, co, go, op, { atol: 1e-4, rtol: 1e-4 });
      // A scalar right-hand side: NaN and a finite value.
      for (const s of [N, 1.5]) {
        const cs = cpu.alloc(A.length, dtype), gs = gpu.alloc(A.length, dtype);
        cpu.binary(op, view1(a)[0], s, cs);
        gpu.binary(op, view1(a)[1], s, gs);
        await expectSame(cpu, gpu, cs, gs, `${op} with scalar ${s}`);
      }
    });

  it("maximum, minimum, relu and clamp give PyTorch's NaN", async () => {
    const { gpu } = be;
    const run = async (f: (o: ReturnType<typeof gpu.alloc>) => void, n: number) => {
      const o = gpu.alloc(n, "float32");
      f(o);
      return Array.from(await gpu.read(o));
    };
    const a = gpu.alloc(4, "float32"), b = gpu.alloc(4, "float32");
    gpu.write(a, f32([N, 1, N, 2]));
    gpu.write(b, f32([1.5, N, N, 1.5]));
    const va = { buf: a, shape: [4], strides: [1], offset: 0 }, vb = { buf: b, shape: [4], strides: [1], offset: 0 };
    const same = (got: number[], want: number[], what: string) =>
      want.forEach((w, i) => assert.ok(Object.is(got[i], w), `${what}: element ${i} is ${got[i]}, PyTorch gives ${w}`));
    same(await run((o) => gpu.binary("maximum", va, vb, o), 4), [N, N, N, 2], "maximum");
    same(await run((o) => gpu.binary("minimum", va, vb, o), 4), [N, N, N, 1.5], "minimum");
    same(await run((o) => gpu.binary("maximum", va, 1.5, o), 4), [N, 1.5, N, 2], "maximum(x, 1.5)");
    same(await run((o) => gpu.binary("minimum", vb, N, o), 4), [N, N, N, N], "minimum(x, NaN)");
    same(await run((o) => gpu.unary("relu", va, o), 4), [N, 1, N, 2], "relu");
    same(await run((o) => gpu.unary("clamp", va, o, 0, 1.5), 4), [N, 1, N, 1.5], "clamp");
    same(await run((o) => gpu.unary("leaky_relu", va, o, 0.1), 4), [N, 1, N, 2], "leaky_relu");
  });
});

/** [rows, cols]: one NaN, two NaNs (the first wins argmax), ±Inf without NaN, all -Inf, plain. */
function reduceRows(cols: number): number[] {
  const rows: number[][] = [];
  const plain = (r: number) => Array.from({ length: cols }, (_, j) => Math.fround(Math.sin(r * 31 + j * 7) * 3));
  let r = plain(0); r[Math.floor(cols * 0.8)] = N; rows.push(r);
  r = plain(1); r[1] = N; r[cols - 1] = N; rows.push(r);
  r = plain(2); r[2] = I; r[cols - 2] = -I; rows.push(r);
  rows.push(new Array(cols).fill(-I));
  rows.push(new Array(cols).fill(I));
  r = plain(5); r[0] = N; rows.push(r);
  rows.push(plain(6));
  r = plain(7); r[cols - 1] = N; rows.push(r);
  return rows.flat();
}

describe("webgpu NaN and infinity: reductions match cpu", () => {
  const OPS: ReduceOp[] = ["sum", "prod", "max", "min", "argmax", "argmin"];
  // 9 columns: one thread per output; 300 columns: the workgroup tree (along dim 1 and the whole tensor).
  for (const cols of [9, 300])
    for (const op of OPS)
      it(`${op} over rows of ${cols} holding NaN and ±Infinity`, async () => {
        const { cpu, gpu } = be;
        const data = reduceRows(cols);
        const rows = data.length / cols;
        const x = Pair.of(cpu, gpu, f32(data), "float32");
        const dtype: DType = op.startsWith("arg") ? "int32" : "float32";
        const cases: [number[], number[], number[]?][] = [[[1], [rows, cols]], [[0], [rows, cols]], [[0, 1], [rows, cols]],
          // Transposed: the rows become strided columns.
          [[0], [cols, rows], [1, cols]]];
        for (const [axes, shape, strides] of cases) {
          const kept = shape.filter((_, d) => !axes.includes(d));
          const co = cpu.alloc(numel(kept), dtype), go = gpu.alloc(numel(kept), dtype);
          const [xc, xg] = x.view(shape, strides);
          cpu.reduce(op, xc, axes, co);
          gpu.reduce(op, xg, axes, go);
          await expectSame(cpu, gpu, co, go, `${op} over [${axes}] of [${shape}]${strides ? " transposed" : ""}`, { atol: 1e-3, rtol: 1e-4 });
        }
      });

  it("max, min and argmax of a long vector with one NaN far in", async () => {
    const { gpu } = be;
    const n = 5000;
    const x = gpu.alloc(n, "float32");
    const d = new Float32Array(n).fill(1);
    d[4001] = N;
    d[4500] = N;
    gpu.write(x, d);
    const v = { buf: x, shape: [n], strides: [1], offset: 0 };
    for (const op of ["max", "min"] as ReduceOp[]) {
      const o = gpu.alloc(1, "float32");
      gpu.reduce(op, v, [0], o);
      assert.ok(Number.isNaN((await gpu.read(o))[0]), `${op} of a vector holding NaN`);
    }
    for (const op of ["argmax", "argmin"] as ReduceOp[]) {
      const o = gpu.alloc(1, "int32");
      gpu.reduce(op, v, [0], o);
      assert.equal((await gpu.read(o))[0], 4001, `${op} gives the first NaN's index`);
    }
  });
});

const pool = (k: number, s: number, p: number): Pool2dOpts =>
  ({ kernel: [k, k], stride: [s, s], padding: [p, p], dilation: [1, 1], ceilMode: false, countIncludePad: true });

describe("webgpu NaN and infinity: pooling and softmax match cpu", () => {
  // [1, 2, 6, 6]: NaN, +Inf and -Inf in both planes; no window holds two NaNs, so the recorded
  // index is the same whichever NaN rule (first or last) a backend follows.
  const X = Array.from({ length: 72 }, (_, i) => Math.fround(Math.cos(i * 1.7) * 4));
  X[7] = N; X[22] = I; X[27] = -I; X[40] = N; X[45] = -I; X[64] = N; X[70] = I;
  for (const [name, opts, OH] of [["2x2 stride 2", pool(2, 2, 0), 3], ["3x3 stride 1 pad 1", pool(3, 1, 1), 6]] as [string, Pool2dOpts, number][]) {
    it(`maxPool2d ${name}: NaN propagates, values and indices match`, async () => {
      const { cpu, gpu } = be;
      const x = Pair.of(cpu, gpu, f32(X), "float32");
      const n = 2 * OH * OH;
      // Overlapping windows may hold two NaNs: compare values everywhere, indices where one NaN at most.
      const out = [cpu.alloc(n, "float32"), gpu.alloc(n, "float32")], idx = [cpu.alloc(n, "int32"), gpu.alloc(n, "int32")];
      cpu.maxPool2d(x.view([1, 2, 6, 6])[0], opts, out[0], idx[0]);
      gpu.maxPool2d(x.view([1, 2, 6, 6])[1], opts, out[1], idx[1]);
      const [ci, gi] = [await cpu.read(idx[0]), await gpu.read(idx[1])];
      const [cv, gv] = [await cpu.read(out[0]), await gpu.read(out[1])];
      assert.ok(Array.from(cv).some(Number.isNaN), "cpu has NaN outputs");
      for (let q = 0; q < n; q++) {
        const nan = Number.isNaN(cv[q]);
        assert.ok(Object.is(gv[q], cv[q]) || (nan && Number.isNaN(gv[q])), `output ${q}: ${gv[q]} on webgpu, ${cv[q]} on cpu`);
        const plane = Math.floor(q / (OH * OH)) * 36;
        if (nan) assert.ok(Number.isNaN(X[plane + gi[q]]), `output ${q}: index ${gi[q]} on webgpu is not a NaN`);
        else assert.equal(gi[q], ci[q], `output ${q}: index`);
      }
    });
    it(`avgPool2d ${name} of NaN and ±Infinity`, async () => {
      const { cpu, gpu } = be;
      const x = Pair.of(cpu, gpu, f32(X), "float32");
      const n = 2 * OH * OH;
      const out = [cpu.alloc(n, "float32"), gpu.alloc(n, "float32")];
      cpu.avgPool2d(x.view([1, 2, 6, 6])[0], opts, out[0]);
      gpu.avgPool2d(x.view([1, 2, 6, 6])[1], opts, out[1]);
      await expectSame(cpu, gpu, out[0], out[1], "avgPool2d");
    });
  }

  for (const log of [false, true])
    for (const L of [6, 300])
      it(`${log ? "logSoftmax" : "softmax"} of lines of ${L} holding NaN, +Infinity or only -Infinity`, async () => {
        const { cpu, gpu } = be;
        const data = reduceRows(L);
        const rows = data.length / L;
        const x = Pair.of(cpu, gpu, f32(data), "float32");
        const out = [cpu.alloc(data.length, "float32"), gpu.alloc(data.length, "float32")];
        cpu.softmax!(x.view([rows, L])[0], 1, out[0], log);
        gpu.softmax!(x.view([rows, L])[1], 1, out[1], log);
        await expectSame(cpu, gpu, out[0], out[1], "softmax");
      });
});
