// test/backends/elementwise.test.ts
// The element-wise contract, on every backend against the reference: every op of the registry
// (op_registry.ts), so an op added there is tested here without a line changed, and an op a backend
// has no kernel for fails. Contiguous, transposed, broadcast (stride 0), offset and scalar Views,
// sizes on both sides of the native backend's small-tensor cutoff, NaN and ±Infinity, int32 and
// bool where the dtype rule allows them; then where, copy with dtype conversion, fill and assign.

import * as assert from "node:assert/strict";
import type { DType, View } from "../../runtime/tensor/backend";
import { BINARY_NAMES, BINARY_OPS, UNARY_NAMES, UNARY_OPS, writesBool } from "../../runtime/tensor/op_registry";
import { Pair, contiguous, forEachContractBackend, numel, randomData, rng } from "../helpers/contract";

const N = NaN, I = Infinity;

/** Geometries over a [24, 25] storage (plus a spare element for offsets): all but the scalar hold
 * more elements than the native backend runs in TypeScript (64). */
const LAYOUTS: { name: string; shape: number[]; strides: number[]; offset: number }[] = [
  { name: "contiguous [24, 25]", shape: [24, 25], strides: [25, 1], offset: 0 },
  { name: "transposed [25, 24]", shape: [25, 24], strides: [1, 25], offset: 0 },
  { name: "broadcast [3, 24, 25] (stride 0)", shape: [3, 24, 25], strides: [0, 25, 1], offset: 0 },
  { name: "offset slice [20, 12]", shape: [20, 12], strides: [25, 2], offset: 1 },
  { name: "small [3, 5]", shape: [3, 5], strides: [5, 1], offset: 0 },
  { name: "scalar []", shape: [], strides: [], offset: 3 },
];
const STORAGE = 601;

/** NaN, ±Infinity among ordinary values, tiled past the native cutoff: NaN first, last and between. */
const SPECIAL_ROW = [N, I, -I, 0, 1.5, -2, 0.5, N, 3, -0.25, I, -I, 2.5, -1, 0, 0.75, N];
const SPECIAL = Array.from({ length: 8 }, () => SPECIAL_ROW).flat();

const argsOf = (op: keyof typeof UNARY_OPS): number[] => UNARY_OPS[op].params?.map((p) => p.example) ?? [];
const label = (op: string, args: number[]) => `${op}${args.length ? `(${args.join(", ")})` : ""}`;

forEachContractBackend((be) => {
  describe("unary: every registry op", () => {
    for (const op of UNARY_NAMES) {
      const spec = UNARY_OPS[op];
      const [p1, p2] = argsOf(op);
      if (spec.dtype === "bool") {
        it(`${op} reads bool and writes bool`, async () => {
          const { ref, dev } = be;
          const x = Pair.of(ref, dev, randomData("bool", STORAGE, rng(4)), "bool");
          for (const l of LAYOUTS) {
            const [rv, dv] = x.view(l.shape, l.strides, l.offset);
            const n = numel(l.shape);
            const ro = ref.alloc(n, "bool"), d = dev.alloc(n, "bool");
            ref.unary(op, rv, ro);
            dev.unary(op, dv, d);
            await be.expectSame(ro, d, `${op} on ${l.name}`, { atol: 0, rtol: 0 });
          }
        });
        continue;
      }
      it(`${label(op, argsOf(op))} matches the reference on every layout`, async () => {
        const { ref, dev } = be;
        const [lo, hi] = spec.domain;
        const x = Pair.of(ref, dev, randomData("float32", STORAGE, rng(op.length * 7 + lo), lo, hi), "float32");
        if (op === "round") { x.data.set([2.5, -0.5, 1.5, 0.5, -1.5], 0); ref.write(x.ref, x.data); dev.write(x.dev, x.data); }
        for (const l of LAYOUTS) {
          const [rv, dv] = x.view(l.shape, l.strides, l.offset);
          const n = numel(l.shape);
          const ro = ref.alloc(n, "float32"), d = dev.alloc(n, "float32");
          ref.unary(op, rv, ro, p1, p2);
          dev.unary(op, dv, d, p1, p2);
          await be.expectSame(ro, d, `${op} on ${l.name}`);
        }
      });

      it(`${label(op, argsOf(op))} of NaN and ±Infinity`, async () => {
        const { ref, dev } = be;
        const x = Pair.of(ref, dev, Float32Array.from(SPECIAL), "float32");
        const ro = ref.alloc(SPECIAL.length, "float32"), d = dev.alloc(SPECIAL.length, "float32");
        ref.unary(op, x.view([SPECIAL.length])[0], ro, p1, p2);
        dev.unary(op, x.view([SPECIAL.length])[1], d, p1, p2);
        await be.expectSame(ro, d, op);
      });

      if (spec.dtype === "keep")
        it(`${op} stays integral on int32`, async () => {
          const { ref, dev } = be;
          const x = Pair.of(ref, dev, randomData("int32", STORAGE, rng(3), -50, 50), "int32");
          const [rv, dv] = x.view([25, 24], [1, 25]);
          const ro = ref.alloc(600, "int32"), d = dev.alloc(600, "int32");
          ref.unary(op, rv, ro, p1, p2);
          dev.unary(op, dv, d, p1, p2);
          await be.expectSame(ro, d, `${op} int32`, { atol: 0, rtol: 0 });
        });
    }

    // Parameters at the edges: unbounded clamp sides, integer and zero exponents, a large tensor.
    for (const [op, p1, p2] of [["clamp", 0, I], ["clamp", -I, 1], ["pow_scalar", 3], ["pow_scalar", 0], ["pow_scalar", 2]] as const)
      it(`${label(op, p2 === undefined ? [p1] : [p1, p2])} of ordinary values, NaN and ±Infinity`, async () => {
        const { ref, dev } = be;
        const data = [...SPECIAL, ...randomData("float32", 200, rng(9), -3, 3)];
        const x = Pair.of(ref, dev, Float32Array.from(data), "float32");
        const ro = ref.alloc(data.length, "float32"), d = dev.alloc(data.length, "float32");
        ref.unary(op, x.view([data.length])[0], ro, p1, p2);
        dev.unary(op, x.view([data.length])[1], d, p1, p2);
        await be.expectSame(ro, d, op);
      });

    it("a large contiguous tensor (threads on the native backend)", async () => {
      const { ref, dev } = be;
      const x = Pair.of(ref, dev, randomData("float32", 70000, rng(5), -3, 3), "float32");
      for (const op of ["exp", "relu", "gelu"] as const) {
        const ro = ref.alloc(70000, "float32"), d = dev.alloc(70000, "float32");
        ref.unary(op, x.view([70000])[0], ro);
        dev.unary(op, x.view([70000])[1], d);
        await be.expectSame(ro, d, op);
      }
    });
  });

  describe("binary: every registry op", () => {
    // [4, 1, 25] against [24, 25] broadcast to [4, 24, 25]; b read transposed from a [25, 24] storage.
    const shape = [4, 24, 25];
    function operands(dtype: DType, seed: number, [alo, ahi]: readonly number[], [blo, bhi]: readonly number[]) {
      const { ref, dev } = be;
      const a = Pair.of(ref, dev, randomData(dtype, 100, rng(seed), alo, ahi), dtype);
      const b = Pair.of(ref, dev, randomData(dtype, 600, rng(seed + 1), blo, bhi), dtype);
      return { a, b, av: a.view(shape, [25, 0, 1]), bv: b.view(shape, [0, 1, 24]) };
    }

    for (const op of BINARY_NAMES) {
      const spec = BINARY_OPS[op];
      const [da, db] = spec.domain;
      if (spec.dtype === "logical") {
        it(`${op} on bool`, async () => {
          const { ref, dev } = be;
          const { av, bv } = operands("bool", 31, [0, 1], [0, 1]);
          const ro = ref.alloc(2400, "bool"), d = dev.alloc(2400, "bool");
          ref.binary(op, av[0], bv[0], ro);
          dev.binary(op, av[1], bv[1], d);
          await be.expectSame(ro, d, op, { atol: 0, rtol: 0 });
        });
        continue;
      }
      const out: DType = writesBool(op) ? "bool" : "float32";

      it(`${op} over broadcast and transposed float32 views`, async () => {
        const { ref, dev } = be;
        const { a, b, av, bv } = operands("float32", 11 + op.length, da, db);
        if (spec.dtype === "bool") {
          // Equal values on purpose, so eq/le/ge see ties.
          b.data.set(Float32Array.from({ length: 600 }, (_, i) => (i % 3) - 1)); ref.write(b.ref, b.data); dev.write(b.dev, b.data);
          a.data.set(Float32Array.from({ length: 100 }, (_, i) => (i % 4) - 1.5 + (i % 2) * 0.5)); ref.write(a.ref, a.data); dev.write(a.dev, a.data);
        }
        const n = numel(shape);
        const ro = ref.alloc(n, out), d = dev.alloc(n, out);
        ref.binary(op, av[0], bv[0], ro);
        dev.binary(op, av[1], bv[1], d);
        await be.expectSame(ro, d, op);
      });

      for (const s of [2, -0.5])
        it(`${op} with scalar ${s}`, async () => {
          const { ref, dev } = be;
          const x = Pair.of(ref, dev, randomData("float32", 600, rng(21), da[0], da[1]), "float32");
          const [xr, xd] = x.view([24, 25], [1, 24]);
          const ro = ref.alloc(600, out), d = dev.alloc(600, out);
          ref.binary(op, xr, s, ro);
          dev.binary(op, xd, s, d);
          await be.expectSame(ro, d, `${op} scalar ${s}`);
        });

      if (spec.dtype === "promote" && op !== "pow" || spec.dtype === "bool")
        it(`${op} on int32 views`, async () => {
          const { ref, dev } = be;
          const { av, bv } = operands("int32", 5, [-20, 20], [-20, 20]);
          const o: DType = writesBool(op) ? "bool" : "int32";
          const ro = ref.alloc(2400, o), d = dev.alloc(2400, o);
          ref.binary(op, av[0], bv[0], ro);
          dev.binary(op, av[1], bv[1], d);
          await be.expectSame(ro, d, `${op} int32`, { atol: 0, rtol: 0 });
        });

      it(`${op} over every pair of NaN, ±Infinity and finite values`, async () => {
        const { ref, dev } = be;
        // Every pair of {NaN, +Inf, -Inf, 0, 1.5, -2}, both ways round, tiled past the native cutoff.
        const V = [N, I, -I, 0, 1.5, -2];
        const A = Array.from({ length: 3 }, () => V.flatMap((x) => V.map(() => x))).flat();
        const B = Array.from({ length: 3 }, () => V.flatMap(() => V)).flat();
        const a = Pair.of(ref, dev, Float32Array.from(A), "float32"), b = Pair.of(ref, dev, Float32Array.from(B), "float32");
        const ro = ref.alloc(A.length, out), d = dev.alloc(A.length, out);
        ref.binary(op, a.view([A.length])[0], b.view([A.length])[0], ro);
        dev.binary(op, a.view([A.length])[1], b.view([A.length])[1], d);
        await be.expectSame(ro, d, op, { atol: 1e-4, rtol: 1e-4 });
        // A scalar right-hand side: NaN and a finite value.
        for (const s of [N, 1.5]) {
          const rs = ref.alloc(A.length, out), ds = dev.alloc(A.length, out);
          ref.binary(op, a.view([A.length])[0], s, rs);
          dev.binary(op, a.view([A.length])[1], s, ds);
          await be.expectSame(rs, ds, `${op} with scalar ${s}`);
        }
      });
    }

    it("int32 + float32 promotes to float32", async () => {
      const { ref, dev } = be;
      const a = Pair.of(ref, dev, randomData("int32", 120, rng(8), -9, 9), "int32");
      const b = Pair.of(ref, dev, randomData("float32", 10, rng(9)), "float32");
      const [ar, ad] = a.view([12, 10]), [br, bd] = b.view([12, 10], [0, 1]);
      const ro = ref.alloc(120, "float32"), d = dev.alloc(120, "float32");
      ref.binary("add", ar, br, ro);
      dev.binary("add", ad, bd, d);
      await be.expectSame(ro, d, "int32 + float32");
    });

    it("int32 tensor with an integer scalar stays int32; int32 / 7 writes float32", async () => {
      const { ref, dev } = be;
      const x = Pair.of(ref, dev, randomData("int32", 100, rng(22), -100, 100), "int32");
      const [xr, xd] = x.view([100]);
      for (const op of ["add", "mul", "sub"] as const) {
        const ro = ref.alloc(100, "int32"), d = dev.alloc(100, "int32");
        ref.binary(op, xr, 3, ro);
        dev.binary(op, xd, 3, d);
        await be.expectSame(ro, d, `${op} int32 scalar`, { atol: 0, rtol: 0 });
      }
      const ro = ref.alloc(100, "float32"), d = dev.alloc(100, "float32");
      ref.binary("div", xr, 7, ro);
      dev.binary("div", xd, 7, d);
      await be.expectSame(ro, d, "div int32 scalar", { atol: 1e-6, rtol: 1e-6 });
    });

    it("in place: out is the first operand's buffer", async () => {
      const { ref, dev } = be;
      const a = Pair.of(ref, dev, randomData("float32", 120, rng(40)), "float32");
      const b = Pair.of(ref, dev, randomData("float32", 10, rng(41)), "float32");
      const [ar, ad] = a.view([12, 10]), [br, bd] = b.view([12, 10], [0, 1]);
      ref.binary("add", ar, br, a.ref);
      dev.binary("add", ad, bd, a.dev);
      await be.expectSame(a.ref, a.dev, "a += b");
    });

    it("a large contiguous pair (threads on the native backend)", async () => {
      const { ref, dev } = be;
      const a = Pair.of(ref, dev, randomData("float32", 70000, rng(42)), "float32");
      const b = Pair.of(ref, dev, randomData("float32", 70000, rng(43)), "float32");
      for (const op of ["add", "mul", "maximum", "gt"] as const) {
        const out: DType = writesBool(op) ? "bool" : "float32";
        const ro = ref.alloc(70000, out), d = dev.alloc(70000, out);
        ref.binary(op, a.view([70000])[0], b.view([70000])[0], ro);
        dev.binary(op, a.view([70000])[1], b.view([70000])[1], d);
        await be.expectSame(ro, d, op);
      }
    });
  });

  describe("PyTorch's NaN rules, absolutely", () => {
    it("maximum, minimum, relu, clamp and leaky_relu keep NaN", async () => {
      const { dev } = be;
      const n = 96; // past the native cutoff
      const tile = (v: number[]) => Float32Array.from({ length: n }, (_, i) => v[i % 4]);
      const run = async (f: (o: ReturnType<typeof dev.alloc>) => void) => {
        const o = dev.alloc(n, "float32");
        f(o);
        const r = Array.from(await dev.read(o));
        dev.free(o);
        return r.slice(0, 4);
      };
      const a = dev.alloc(n, "float32"), b = dev.alloc(n, "float32");
      dev.write(a, tile([N, 1, N, 2]));
      dev.write(b, tile([1.5, N, N, 1.5]));
      const va: View = { buf: a, shape: [n], strides: [1], offset: 0 }, vb: View = { buf: b, shape: [n], strides: [1], offset: 0 };
      const same = (got: number[], want: number[], what: string) =>
        want.forEach((w, i) => assert.ok(Object.is(got[i], w), `${what}: element ${i} is ${got[i]}, PyTorch gives ${w}`));
      same(await run((o) => dev.binary("maximum", va, vb, o)), [N, N, N, 2], "maximum");
      same(await run((o) => dev.binary("minimum", va, vb, o)), [N, N, N, 1.5], "minimum");
      same(await run((o) => dev.binary("maximum", va, 1.5, o)), [N, 1.5, N, 2], "maximum(x, 1.5)");
      same(await run((o) => dev.binary("minimum", vb, N, o)), [N, N, N, N], "minimum(x, NaN)");
      same(await run((o) => dev.unary("relu", va, o)), [N, 1, N, 2], "relu");
      same(await run((o) => dev.unary("clamp", va, o, 0, 1.5)), [N, 1, N, 1.5], "clamp");
      same(await run((o) => dev.unary("leaky_relu", va, o, 0.1)), [N, 1, N, 2], "leaky_relu");
    });
  });

  describe("where, copy, fill, assign", () => {
    it("where with a broadcast bool condition and mixed layouts", async () => {
      const { ref, dev } = be;
      const c = Pair.of(ref, dev, randomData("bool", 17, rng(50)), "bool");
      const a = Pair.of(ref, dev, randomData("float32", 255, rng(51)), "float32");
      const b = Pair.of(ref, dev, randomData("float32", 15, rng(52)), "float32");
      const [cr, cd] = c.view([15, 17], [0, 1]), [ar, ad] = a.view([15, 17], [1, 15]), [br, bd] = b.view([15, 17], [1, 0]);
      const ro = ref.alloc(255, "float32"), d = dev.alloc(255, "float32");
      ref.where(cr, ar, br, ro);
      dev.where(cd, ad, bd, d);
      await be.expectSame(ro, d, "where");
    });

    it("where on contiguous operands and a scalar broadcast", async () => {
      const { ref, dev } = be;
      const c = Pair.of(ref, dev, randomData("bool", 300, rng(53)), "bool");
      const a = Pair.of(ref, dev, randomData("float32", 300, rng(54)), "float32");
      const z = Pair.of(ref, dev, Float32Array.from([0]), "float32");
      for (const [name, b] of [["contiguous", a.view([300])], ["scalar b", z.view([300], [0])]] as [string, [View, View]][]) {
        const ro = ref.alloc(300, "float32"), d = dev.alloc(300, "float32");
        ref.where(c.view([300])[0], a.view([300])[0], b[0], ro);
        dev.where(c.view([300])[1], a.view([300])[1], b[1], d);
        await be.expectSame(ro, d, `where ${name}`, { atol: 0, rtol: 0 });
      }
    });

    const CASTS: [DType, DType][] = [
      ["float32", "int32"], ["int32", "float32"], ["float32", "bool"], ["bool", "float32"], ["int32", "bool"],
      ["bool", "int32"], ["float32", "float32"], ["int32", "int32"], ["bool", "bool"],
    ];
    for (const [from, to] of CASTS)
      it(`copy ${from} -> ${to} from a transposed view`, async () => {
        const { ref, dev } = be;
        const x = Pair.of(ref, dev, randomData(from, 600, rng(60), -4, 4), from);
        if (from === "float32") { x.data.set([-2.7, 0, 2.7]); ref.write(x.ref, x.data); dev.write(x.dev, x.data); }
        const [xr, xd] = x.view([25, 24], [1, 25]);
        const ro = ref.alloc(600, to), d = dev.alloc(600, to);
        ref.copy(xr, ro);
        dev.copy(xd, d);
        await be.expectSame(ro, d, `copy ${from}->${to}`, { atol: 0, rtol: 0 });
      });

    for (const [dtype, value] of [["float32", -1.25], ["int32", 7], ["bool", 1]] as [DType, number][])
      it(`fill ${dtype} with ${value}`, async () => {
        const { ref, dev } = be;
        const ro = ref.alloc(1001, dtype), d = dev.alloc(1001, dtype);
        ref.fill(ro, value);
        dev.fill(d, value);
        await be.expectSame(ro, d, `fill ${dtype}`, { atol: 0, rtol: 0 });
      });

    it("assign writes a broadcast source into a strided window", async () => {
      const { ref, dev } = be;
      const dst = Pair.of(ref, dev, randomData("float32", 35, rng(70)), "float32");
      const src = Pair.of(ref, dev, randomData("float32", 3, rng(71)), "float32");
      const dv: [View, View] = dst.view([3, 4], [1, 7], 2);
      const sv: [View, View] = src.view([3, 4], [1, 0]);
      ref.assign!(dv[0], sv[0]);
      dev.assign!(dv[1], sv[1]);
      await be.expectSame(dst.ref, dst.dev, "assign");
    });

    it("write converts a host array of another type as the reference does", async () => {
      const { ref, dev } = be;
      const cases: [DType, ArrayLike<number> & { length: number }][] = [
        ["float32", Int32Array.from([1, -2, 300])], ["int32", Float32Array.from([1.5, -2.7, 3])],
        ["int32", Uint8Array.from([0, 7, 255])], ["bool", Int32Array.from([0, 5, -1])],
      ];
      for (const [dtype, data] of cases) {
        const r = ref.alloc(3, dtype), d = dev.alloc(3, dtype);
        ref.write(r, data as never);
        dev.write(d, data as never);
        await be.expectSame(r, d, `write ${data.constructor.name} into ${dtype}`, { atol: 0, rtol: 0 });
      }
    });

    it("write and read round-trip every dtype", async () => {
      const { dev } = be;
      for (const dtype of ["float32", "int32", "bool"] as DType[]) {
        const data = randomData(dtype, 13, rng(80), -1000, 1000);
        const s = dev.alloc(13, dtype);
        dev.write(s, data);
        assert.deepStrictEqual(await dev.read(s), data);
        dev.free(s);
      }
    });
  });
});

it("contiguous() of the test geometry is row-major", () => assert.deepStrictEqual(contiguous([2, 3, 4]), [12, 4, 1]));
