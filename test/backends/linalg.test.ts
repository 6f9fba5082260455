// test/backends/linalg.test.ts
// Every backend against the reference: reductions (both WebGPU kernel shapes: thread per output
// and workgroup tree), cumsum, matmul (odd sizes, transposed and batched-broadcast operands, both
// tile sizes, int32), gather and scatterAdd.

import type { DType, ReduceOp } from "../../runtime/tensor/backend";
import { Pair, numel, randomData, rng, forEachContractBackend } from "../helpers/contract";

forEachContractBackend((be) => {
  describe("reduce and cumsum", () => {
    const OPS: ReduceOp[] = ["sum", "prod", "max", "min", "argmax", "argmin"];
    // [4, 6, 5] read transposed from a [5, 6, 4] storage; axes in every combination that matters.
    const AXES = [[0], [1], [2], [0, 2], [1, 2], [0, 1, 2]];
    for (const op of OPS)
      it(`${op} over every axis set of a permuted [4, 6, 5] view`, async () => {
        const { ref, dev } = be;
        const x = Pair.of(ref, dev, randomData("float32", 120, rng(100 + op.length), op === "prod" ? 0.5 : -3, op === "prod" ? 1.5 : 3), "float32");
        const [xc, xg] = x.view([4, 6, 5], [1, 4, 24]);
        const arg = op.startsWith("arg");
        for (const axes of arg ? [[0], [1], [2], [0, 1, 2]] : AXES) {
          const kept = [4, 6, 5].filter((_, d) => !axes.includes(d));
          const dtype: DType = arg ? "int32" : "float32";
          const co = ref.alloc(numel(kept), dtype), go = dev.alloc(numel(kept), dtype);
          ref.reduce(op, xc, axes, co);
          dev.reduce(op, xg, axes, go);
          await be.expectSame(co, go, `${op} over [${axes}]`);
        }
      });

    for (const op of OPS)
      it(`${op} over 3000 elements uses the workgroup tree`, async () => {
        const { ref, dev } = be;
        const x = Pair.of(ref, dev, randomData("float32", 6000, rng(7), op === "prod" ? 0.999 : -1, op === "prod" ? 1.001 : 1), "float32");
        const [xc, xg] = x.view([2, 3000]);
        const dtype: DType = op.startsWith("arg") ? "int32" : "float32";
        const co = ref.alloc(2, dtype), go = dev.alloc(2, dtype);
        ref.reduce(op, xc, [1], co);
        dev.reduce(op, xg, [1], go);
        await be.expectSame(co, go, `${op} long`, { atol: 1e-3, rtol: 1e-4 });
      });

    it("argmax returns the first of equal maxima in both kernel shapes", async () => {
      const { ref, dev } = be;
      for (const n of [10, 1000]) {
        const data = new Float32Array(n).fill(1);
        data[3] = 5; data[n - 2] = 5;
        const x = Pair.of(ref, dev, data, "float32");
        const co = ref.alloc(1, "int32"), go = dev.alloc(1, "int32");
        ref.reduce("argmax", x.view([n])[0], [0], co);
        dev.reduce("argmax", x.view([n])[1], [0], go);
        await be.expectSame(co, go, `argmax ties n=${n}`, { atol: 0, rtol: 0 });
      }
    });

    it("int32 sum and max, and bool sum into int32", async () => {
      const { ref, dev } = be;
      const x = Pair.of(ref, dev, randomData("int32", 60, rng(9), -100, 100), "int32");
      for (const op of ["sum", "max", "min", "prod"] as ReduceOp[]) {
        const co = ref.alloc(6, "int32"), go = dev.alloc(6, "int32");
        ref.reduce(op, x.view([10, 6])[0], [0], co);
        dev.reduce(op, x.view([10, 6])[1], [0], go);
        await be.expectSame(co, go, `int32 ${op}`, { atol: 0, rtol: 0 });
      }
      const b = Pair.of(ref, dev, randomData("bool", 300, rng(10)), "bool");
      const co = ref.alloc(3, "int32"), go = dev.alloc(3, "int32");
      ref.reduce("sum", b.view([3, 100])[0], [1], co);
      dev.reduce("sum", b.view([3, 100])[1], [1], go);
      await be.expectSame(co, go, "bool sum", { atol: 0, rtol: 0 });
    });

    for (const dim of [0, 1, 2])
      it(`cumsum along dim ${dim} of a transposed view`, async () => {
        const { ref, dev } = be;
        const x = Pair.of(ref, dev, randomData("float32", 60, rng(11 + dim)), "float32");
        const [xc, xg] = x.view([3, 5, 4], [1, 12, 3]);
        const co = ref.alloc(60, "float32"), go = dev.alloc(60, "float32");
        ref.cumsum(xc, dim, co);
        dev.cumsum(xg, dim, go);
        await be.expectSame(co, go, `cumsum ${dim}`);
      });

    it("cumsum of int32", async () => {
      const { ref, dev } = be;
      const x = Pair.of(ref, dev, randomData("int32", 20, rng(12), -9, 9), "int32");
      const co = ref.alloc(20, "int32"), go = dev.alloc(20, "int32");
      ref.cumsum(x.view([4, 5])[0], 1, co);
      dev.cumsum(x.view([4, 5])[1], 1, go);
      await be.expectSame(co, go, "cumsum int32", { atol: 0, rtol: 0 });
    });
  });

  describe("matmul", () => {
    const CASES: { name: string; m: number; k: number; n: number; ta?: boolean; tb?: boolean }[] = [
      { name: "odd sizes 37x53 @ 53x29", m: 37, k: 53, n: 29 },
      { name: "1x1 @ 1x1", m: 1, k: 1, n: 1 },
      { name: "A transposed (x^T @ g, a weight gradient)", m: 33, k: 70, n: 17, ta: true },
      { name: "B transposed (x @ W^T, a linear layer)", m: 64, k: 100, n: 10, tb: true },
      { name: "both transposed", m: 20, k: 31, n: 45, ta: true, tb: true },
      { name: "K longer than many tiles: 3x1000 @ 1000x5", m: 3, k: 1000, n: 5 },
      { name: "128-tile path: 520x40 @ 40x530", m: 520, k: 40, n: 530 },
    ];
    for (const c of CASES)
      it(c.name, async () => {
        const { ref, dev } = be;
        const a = Pair.of(ref, dev, randomData("float32", c.m * c.k, rng(c.m + c.k)), "float32");
        const b = Pair.of(ref, dev, randomData("float32", c.k * c.n, rng(c.k + c.n)), "float32");
        const av = c.ta ? a.view([c.m, c.k], [1, c.m]) : a.view([c.m, c.k]);
        const bv = c.tb ? b.view([c.k, c.n], [1, c.k]) : b.view([c.k, c.n]);
        const co = ref.alloc(c.m * c.n, "float32"), go = dev.alloc(c.m * c.n, "float32");
        ref.matmul(av[0], bv[0], co);
        dev.matmul(av[1], bv[1], go);
        await be.expectSame(co, go, c.name, { atol: 1e-4 * Math.sqrt(c.k) * 4, rtol: 1e-4 });
      });

    it("batched [2, 3, m, k] @ broadcast [1 -> 2, 3, k, n] with an offset", async () => {
      const { ref, dev } = be;
      const [m, k, n] = [9, 11, 7];
      const a = Pair.of(ref, dev, randomData("float32", 6 * m * k, rng(1)), "float32");
      const b = Pair.of(ref, dev, randomData("float32", 3 * k * n + 5, rng(2)), "float32");
      const av = a.view([2, 3, m, k]);
      const bv = b.view([2, 3, k, n], [0, k * n, n, 1], 5);
      const co = ref.alloc(6 * m * n, "float32"), go = dev.alloc(6 * m * n, "float32");
      ref.matmul(av[0], bv[0], co);
      dev.matmul(av[1], bv[1], go);
      await be.expectSame(co, go, "batched matmul");
    });

    it("int32 matmul is exact", async () => {
      const { ref, dev } = be;
      const a = Pair.of(ref, dev, randomData("int32", 12, rng(3), -5, 5), "int32");
      const b = Pair.of(ref, dev, randomData("int32", 20, rng(4), -5, 5), "int32");
      const co = ref.alloc(15, "int32"), go = dev.alloc(15, "int32");
      ref.matmul(a.view([3, 4])[0], b.view([4, 5])[0], co);
      dev.matmul(a.view([3, 4])[1], b.view([4, 5])[1], go);
      await be.expectSame(co, go, "int32 matmul", { atol: 0, rtol: 0 });
    });
  });

  describe("gather and scatterAdd", () => {
    it("gather along dim 1 with negative indices", async () => {
      const { ref, dev } = be;
      const x = Pair.of(ref, dev, randomData("float32", 24, rng(5)), "float32");
      const idx = Pair.of(ref, dev, Int32Array.from([0, 5, -1, 2, 3, 3, 1, 0, -6, 4, 2, 1]), "int32");
      const co = ref.alloc(12, "float32"), go = dev.alloc(12, "float32");
      ref.gather(x.view([4, 6])[0], 1, idx.view([4, 3])[0], co);
      dev.gather(x.view([4, 6])[1], 1, idx.view([4, 3])[1], go);
      await be.expectSame(co, go, "gather dim 1", { atol: 0, rtol: 0 });
    });

    it("embedding lookup: gather rows with a stride-0 index", async () => {
      const { ref, dev } = be;
      const table = Pair.of(ref, dev, randomData("float32", 10 * 8, rng(6)), "float32");
      const ids = Pair.of(ref, dev, Int32Array.from([3, 9, 0, 3, 7]), "int32");
      const co = ref.alloc(40, "float32"), go = dev.alloc(40, "float32");
      ref.gather(table.view([10, 8])[0], 0, ids.view([5, 8], [1, 0])[0], co);
      dev.gather(table.view([10, 8])[1], 0, ids.view([5, 8], [1, 0])[1], go);
      await be.expectSame(co, go, "embedding gather", { atol: 0, rtol: 0 });
    });

    for (const dtype of ["float32", "int32"] as DType[])
      it(`scatterAdd ${dtype} with colliding indices (embedding backward)`, async () => {
        const { ref, dev } = be;
        const ids = Pair.of(ref, dev, Int32Array.from({ length: 200 }, (_, i) => (i * 7) % 10 - (i % 3 === 0 ? 10 : 0)), "int32");
        const src = Pair.of(ref, dev, randomData(dtype, 200 * 8, rng(7), -3, 3), dtype);
        const co = ref.alloc(80, dtype), go = dev.alloc(80, dtype);
        ref.fill(co, 0.5); dev.fill(go, 0.5);
        ref.scatterAdd(co, [10, 8], 0, ids.view([200, 8], [1, 0])[0], src.view([200, 8])[0]);
        dev.scatterAdd(go, [10, 8], 0, ids.view([200, 8], [1, 0])[1], src.view([200, 8])[1]);
        await be.expectSame(co, go, `scatterAdd ${dtype}`, { atol: 1e-4, rtol: 1e-5 });
      });

    it("scatterAdd along dim 1 from a transposed source", async () => {
      const { ref, dev } = be;
      const idx = Pair.of(ref, dev, Int32Array.from([0, 2, 2, 1, 1, 0, 2, 2, 0, 1, 1, 1]), "int32");
      const src = Pair.of(ref, dev, randomData("float32", 12, rng(8)), "float32");
      const co = ref.alloc(12, "float32"), go = dev.alloc(12, "float32");
      ref.fill(co, 0); dev.fill(go, 0);
      ref.scatterAdd(co, [4, 3], 1, idx.view([4, 3])[0], src.view([4, 3], [1, 4])[0]);
      dev.scatterAdd(go, [4, 3], 1, idx.view([4, 3])[1], src.view([4, 3], [1, 4])[1]);
      await be.expectSame(co, go, "scatterAdd dim 1");
    });
  });
});
