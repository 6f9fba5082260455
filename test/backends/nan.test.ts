// test/backends/nan.test.ts
// NaN and ±Infinity behave on every backend as on the reference (and as in PyTorch) where
// element-wise ops combine into rows and windows: every reduction (WebGPU's thread-per-output and
// workgroup-tree kernels), max/avg pooling and softmax/log-softmax, on inputs holding NaN,
// +Infinity and -Infinity. The element-wise ops' own NaN tests are in elementwise.test.ts.

import * as assert from "node:assert/strict";
import type { DType, Pool2dOpts, ReduceOp } from "../../runtime/tensor/backend";
import { Pair, numel, forEachContractBackend, nnOps } from "../helpers/contract";

forEachContractBackend((be) => {
  const N = NaN, I = Infinity;

  const f32 = (v: number[]) => Float32Array.from(v);

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

  describe("NaN and infinity: reductions match the reference", () => {
    const OPS: ReduceOp[] = ["sum", "prod", "max", "min", "argmax", "argmin"];
    // 9 columns: one thread per output; 300 columns: the workgroup tree (along dim 1 and the whole tensor).
    for (const cols of [9, 300])
      for (const op of OPS)
        it(`${op} over rows of ${cols} holding NaN and ±Infinity`, async () => {
          const { ref, dev } = be;
          const data = reduceRows(cols);
          const rows = data.length / cols;
          const x = Pair.of(ref, dev, f32(data), "float32");
          const dtype: DType = op.startsWith("arg") ? "int32" : "float32";
          const cases: [number[], number[], number[]?][] = [[[1], [rows, cols]], [[0], [rows, cols]], [[0, 1], [rows, cols]],
            // Transposed: the rows become strided columns.
            [[0], [cols, rows], [1, cols]]];
          for (const [axes, shape, strides] of cases) {
            const kept = shape.filter((_, d) => !axes.includes(d));
            const co = ref.alloc(numel(kept), dtype), go = dev.alloc(numel(kept), dtype);
            const [xc, xg] = x.view(shape, strides);
            ref.reduce(op, xc, axes, co);
            dev.reduce(op, xg, axes, go);
            await be.expectSame(co, go, `${op} over [${axes}] of [${shape}]${strides ? " transposed" : ""}`, { atol: 1e-3, rtol: 1e-4 });
          }
        });

    it("max, min and argmax of a long vector with one NaN far in", async () => {
      const { dev } = be;
      const n = 5000;
      const x = dev.alloc(n, "float32");
      const d = new Float32Array(n).fill(1);
      d[4001] = N;
      d[4500] = N;
      dev.write(x, d);
      const v = { buf: x, shape: [n], strides: [1], offset: 0 };
      for (const op of ["max", "min"] as ReduceOp[]) {
        const o = dev.alloc(1, "float32");
        dev.reduce(op, v, [0], o);
        assert.ok(Number.isNaN((await dev.read(o))[0]), `${op} of a vector holding NaN`);
      }
      for (const op of ["argmax", "argmin"] as ReduceOp[]) {
        const o = dev.alloc(1, "int32");
        dev.reduce(op, v, [0], o);
        assert.equal((await dev.read(o))[0], 4001, `${op} gives the first NaN's index`);
      }
    });
  });

  const pool = (k: number, s: number, p: number): Pool2dOpts =>
    ({ kernel: [k, k], stride: [s, s], padding: [p, p], dilation: [1, 1], ceilMode: false, countIncludePad: true });

  describe("NaN and infinity: pooling and softmax match the reference", () => {
    // [1, 2, 6, 6]: NaN, +Inf and -Inf in both planes; no window holds two NaNs, so the recorded
    // index is the same whichever NaN rule (first or last) a backend follows.
    const X = Array.from({ length: 72 }, (_, i) => Math.fround(Math.cos(i * 1.7) * 4));
    X[7] = N; X[22] = I; X[27] = -I; X[40] = N; X[45] = -I; X[64] = N; X[70] = I;
    for (const [name, opts, OH] of [["2x2 stride 2", pool(2, 2, 0), 3], ["3x3 stride 1 pad 1", pool(3, 1, 1), 6]] as [string, Pool2dOpts, number][]) {
      it(`maxPool2d ${name}: NaN propagates, values and indices match`, async () => {
        const { ref, dev } = be;
        const x = Pair.of(ref, dev, f32(X), "float32");
        const n = 2 * OH * OH;
        // Overlapping windows may hold two NaNs: compare values everywhere, indices where one NaN at most.
        const out = [ref.alloc(n, "float32"), dev.alloc(n, "float32")], idx = [ref.alloc(n, "int32"), dev.alloc(n, "int32")];
        nnOps(ref).maxPool2d(x.view([1, 2, 6, 6])[0], opts, out[0], idx[0]);
        nnOps(dev).maxPool2d(x.view([1, 2, 6, 6])[1], opts, out[1], idx[1]);
        const [ci, gi] = [await ref.read(idx[0]), await dev.read(idx[1])];
        const [cv, gv] = [await ref.read(out[0]), await dev.read(out[1])];
        assert.ok(Array.from(cv).some(Number.isNaN), "the reference has NaN outputs");
        for (let q = 0; q < n; q++) {
          const nan = Number.isNaN(cv[q]);
          assert.ok(Object.is(gv[q], cv[q]) || (nan && Number.isNaN(gv[q])), `output ${q}: ${gv[q]} on ${be.name}, ${cv[q]} on the reference`);
          const plane = Math.floor(q / (OH * OH)) * 36;
          if (nan) assert.ok(Number.isNaN(X[plane + gi[q]]), `output ${q}: index ${gi[q]} on ${be.name} is not a NaN`);
          else assert.equal(gi[q], ci[q], `output ${q}: index`);
        }
      });
      it(`avgPool2d ${name} of NaN and ±Infinity`, async () => {
        const { ref, dev } = be;
        const x = Pair.of(ref, dev, f32(X), "float32");
        const n = 2 * OH * OH;
        const out = [ref.alloc(n, "float32"), dev.alloc(n, "float32")];
        nnOps(ref).avgPool2d(x.view([1, 2, 6, 6])[0], opts, out[0]);
        nnOps(dev).avgPool2d(x.view([1, 2, 6, 6])[1], opts, out[1]);
        await be.expectSame(out[0], out[1], "avgPool2d");
      });
    }

    for (const log of [false, true])
      for (const L of [6, 300])
        it(`${log ? "logSoftmax" : "softmax"} of lines of ${L} holding NaN, +Infinity or only -Infinity`, async () => {
          const { ref, dev } = be;
          const data = reduceRows(L);
          const rows = data.length / L;
          const x = Pair.of(ref, dev, f32(data), "float32");
          const out = [ref.alloc(data.length, "float32"), dev.alloc(data.length, "float32")];
          ref.softmax!(x.view([rows, L])[0], 1, out[0], log);
          dev.softmax!(x.view([rows, L])[1], 1, out[1], log);
          await be.expectSame(out[0], out[1], "softmax");
        });
  });
});
