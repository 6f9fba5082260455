// test/tensor/native.test.ts
// The native CPU backend (cpu/native.ts + native/) against the reference CpuBackend (cpu/reference.ts) where
// the addon has its own paths beyond the backend contract suite (test/backends/, which runs every
// element-wise op of the registry on it): GEMM layouts, reductions' dim groups, conv and pooling
// shapes, relu's fused backward, loading, threads and guard regions. Fails, never skips, when the
// addon is not built: CI must run the native backend, not silently the fallback.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Conv2dOpts, Pool2dOpts, ReduceOp, Storage, View } from "../../runtime/tensor/backend";
import { CpuBackend, CpuStorage, dataOf } from "../../runtime/tensor/cpu";
import { checkOpsSignature, createCpuBackend, loadNativeAddon, NativeCpuBackend } from "../../runtime/tensor/cpu";
import { contiguousStrides, sizeOf, windowOutSize } from "../../runtime/tensor/shape";
import type { RefTensor } from "../helpers/torch_ref";
import { F, torch } from "../../runtime/tensor/index";
import { getBackend } from "../../runtime/tensor/backend";

const ref = new CpuBackend();
let nat: NativeCpuBackend;

// Deterministic uniform(-1, 1) values (mulberry32).
let seed = 1234;
function rnd(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296 * 2 - 1;
}

function storage(n: number, f: () => number = rnd): CpuStorage {
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = f();
  return new CpuStorage(d, "float32");
}
function view(buf: Storage, shape: number[], strides = contiguousStrides(shape), offset = 0): View {
  return { buf, shape, strides, offset };
}
function rand(shape: number[], f?: () => number): View {
  return view(storage(sizeOf(shape), f), shape);
}
/** The last two dims of a fresh [.., b, a] array seen as [.., a, b] (a transposed View). */
function randT(shape: number[]): View {
  const r = shape.length, stored = shape.slice();
  [stored[r - 2], stored[r - 1]] = [shape[r - 1], shape[r - 2]];
  const v = rand(stored), s = v.strides.slice();
  [s[r - 2], s[r - 1]] = [s[r - 1], s[r - 2]];
  return view(v.buf, shape, s);
}
/** An offset, non-contiguous window: every other column of a wider array, starting at element 3. */
function randStrided(shape: number[]): View {
  const r = shape.length, wide = shape.slice();
  wide[r - 1] = shape[r - 1] * 2;
  const buf = storage(sizeOf(wide) + 3);
  const s = contiguousStrides(wide);
  s[r - 1] = 2;
  return view(buf, shape, s, 3);
}

function out(n: number, dtype: "float32" | "int32" | "bool" = "float32"): [Storage, Storage] {
  return [ref.alloc(n, dtype), ref.alloc(n, dtype)];
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 1e-5, atol = 1e-5): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    if (g === w) continue;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) {
      assert.fail(`${what}: element ${i}: native ${g}, reference ${w}`);
    }
  }
}

describe("native cpu backend", () => {
  before(() => {
    const { addon, error } = loadNativeAddon();
    assert.ok(addon, `the native addon must load here: ${error}`);
    const b = createCpuBackend();
    assert.ok(b instanceof NativeCpuBackend, "createCpuBackend() returns the native backend");
    nat = b;
  });

  it("loads the addon and reports oneDNN", () => {
    assert.match(nat.nativeVersion, /^oneDNN \d+\.\d+/);
    assert.ok(nat.getNumThreads() >= 1);
  });

  describe("when the addon cannot load", () => {
    const ROOT = path.resolve(__dirname, "..", "..");
    const probe = (env: Record<string, string>) => spawnSync(process.execPath, ["--import", "tsx", "-e",
      "const m = require('./runtime/tensor/cpu/native.ts'); try { console.log(m.createCpuBackend().constructor.name) } catch (e) { console.log('threw: ' + e.message) }"],
      { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });

    it("falls back to the reference with one warning line that says how to fix it", () => {
      const r = probe({ TSGRAD_NATIVE_ADDON: "/nonexistent/tsgrad_native.node", TSGRAD_REQUIRE_NATIVE: "" });
      assert.equal(r.stdout.trim(), "CpuBackend");
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^tsgrad: warning: .*not built .*run \.\/install\.sh .*node-gyp rebuild/);
    });
    it("names the loader's reason for a broken addon file", () => {
      const bad = path.join(os.tmpdir(), `tsgrad-broken-${process.pid}.node`);
      fs.writeFileSync(bad, "not a shared object");
      try {
        const r = probe({ TSGRAD_NATIVE_ADDON: bad, TSGRAD_REQUIRE_NATIVE: "" });
        assert.match(r.stderr, /failed to load \(.*\); run \.\/install\.sh/);
      } finally { fs.unlinkSync(bad); }
    });
    it("throws instead when TSGRAD_REQUIRE_NATIVE=1", () => {
      const r = probe({ TSGRAD_NATIVE_ADDON: "/nonexistent/tsgrad_native.node", TSGRAD_REQUIRE_NATIVE: "1" });
      assert.match(r.stdout, /^threw: tsgrad: native addon not built/);
    });
  });

  describe("matmul", () => {
    const cases: [string, () => [View, View]][] = [];
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [17, 33, 9], [64, 128, 65], [1, 300, 10], [200, 1, 3]]) {
      cases.push([`[${m},${k}]@[${k},${n}]`, () => [rand([m, k]), rand([k, n])]]);
      cases.push([`[${m},${k}]^T@[${k},${n}]`, () => [randT([m, k]), rand([k, n])]]);
      cases.push([`[${m},${k}]@[${k},${n}]^T`, () => [rand([m, k]), randT([k, n])]]);
      cases.push([`[${m},${k}]^T@[${k},${n}]^T`, () => [randT([m, k]), randT([k, n])]]);
    }
    cases.push(["batched [2,3,5,7]@[2,3,7,4]", () => [rand([2, 3, 5, 7]), rand([2, 3, 7, 4])]]);
    cases.push(["batched with b broadcast over batch (stride 0)", () => {
      const b = rand([7, 4]);
      return [rand([6, 5, 7]), view(b.buf, [6, 7, 4], [0, 4, 1])];
    }]);
    cases.push(["batch dims that do not collapse (permuted)", () => {
      const a = rand([3, 2, 5, 7]);
      return [view(a.buf, [2, 3, 5, 7], [35, 70, 7, 1]), rand([2, 3, 7, 4])];
    }]);
    cases.push(["offset and strided operand (copied)", () => [randStrided([9, 11]), rand([11, 5])]]);
    cases.push(["broadcast rows (stride 0, copied)", () => {
      const a = rand([1, 13]);
      return [view(a.buf, [4, 13], [0, 1]), randT([13, 6])];
    }]);
    cases.push(["large [130,257]@[257,129]^T", () => [rand([130, 257]), randT([257, 129])]]);
    // x @ W^T with a large W and n >= 4m runs as (W @ x^T)^T (gemm.cpp swapWins, #17), 1 or >= 16 rows.
    cases.push(["Linear-like [20,600]@[600,520]^T (computed transposed)", () => [rand([20, 600]), randT([600, 520])]]);
    cases.push(["Linear-like [1,700]@[700,400]^T (computed transposed)", () => [rand([1, 700]), randT([700, 400])]]);
    // x @ W^T with 16 rows or more and enough FLOPs runs on oneDNN's matmul primitive (gemm.cpp linearForward).
    cases.push(["Linear-like [64,600]@[600,400]^T (matmul primitive)", () => [rand([64, 600]), randT([600, 400])]]);
    cases.push(["Linear-like, rows of a wider array: [48,300] of [48,350] @ [300,700]^T (matmul primitive)", () => {
      const wide = rand([48, 350]);
      return [view(wide.buf, [48, 300], [350, 1], 7), randT([300, 700])];
    }]);
    cases.push(["Linear-like, batched: [3,17,600]@[600,520]^T broadcast", () => {
      const w = randT([600, 520]);
      return [rand([3, 17, 600]), view(w.buf, [3, 600, 520], [0, ...w.strides])];
    }]);
    for (const [name, make] of cases) {
      it(name, () => {
        const [a, b] = make();
        const r = a.shape.length, k = a.shape[r - 1];
        const shape = [...a.shape.slice(0, r - 1), b.shape[r - 1]];
        const [o1, o2] = out(sizeOf(shape));
        nat.matmul(a, b, o1);
        ref.matmul(a, b, o2);
        assertClose(dataOf(o1), dataOf(o2), name, 1e-4, 1e-5 * Math.sqrt(k));
      });
    }
  });

  describe("linear (#17: GEMM with bias and ReLU in one call)", () => {
    // [rows, in] @ [out, in]^T: small products take dnnl_sgemm and the epilogue, large ones with
    // 16 rows or more oneDNN's matmul primitive with bias and ReLU as its own (gemm.cpp).
    for (const [m, k, n] of [[6, 20, 24], [64, 600, 400], [1, 700, 400], [130, 257, 260]]) {
      for (const [bias, relu] of [[true, true], [true, false], [false, true], [false, false]]) {
        it(`[${m},${k}] @ [${n},${k}]^T${bias ? " + bias" : ""}${relu ? ", ReLU" : ""}`, () => {
          const x = rand([m, k]), wT = randT([k, n]), b = bias ? rand([n]) : null;
          const [got, want] = out(m * n);
          assert.equal(nat.linear(x, wT, b, relu, got), true);
          ref.matmul(x, wT, want);
          const w = dataOf(want) as Float32Array, bv = b ? dataOf(b.buf) as Float32Array : null;
          for (let i = 0; i < m * n; i++) {
            const v = w[i] + (bv ? bv[i % n] : 0);
            w[i] = relu ? Math.max(v, 0) : v;
          }
          assertClose(dataOf(got), w, "linear", 1e-4, 1e-5 * Math.sqrt(k));
          if (relu) assert.ok(w.some((v) => v === 0) && w.some((v) => v > 0), "the ReLU cut some outputs and kept others");
        });
      }
    }
  });

  describe("matmulPair (#17: a Linear's two gradient products in one call)", () => {
    // Small pairs run side by side on two threads, large ones one after the other (gemm.cpp
    // PAIR_FLOPS); either way each output equals its own matmul, whatever the operands' layouts.
    const pairs: [string, () => [View, View, View, View]][] = [
      ["g @ W and g^T @ x, as a Linear's backward hands them over", () => {
        const g = rand([128, 256]);
        return [g, rand([256, 200]), view(g.buf, [256, 128], [1, 256]), rand([128, 200])];
      }],
      ["tiny products (the plain loop)", () => [rand([3, 4]), rand([4, 5]), randT([6, 2]), rand([2, 7])]],
      ["transposed and offset operands", () => [randT([40, 30]), randT([30, 50]), view(storage(25 * 11), [20, 11], [11, 1], 33), randT([11, 9])]],
      ["large products, one after the other on every thread", () => [rand([256, 512]), rand([512, 600]), randT([300, 512]), rand([512, 520])]],
    ];
    for (const threads of [2, 1]) {
      for (const [name, make] of pairs) {
        it(`${name}, ${threads} thread(s)`, () => {
          const before = nat.getNumThreads();
          nat.setNumThreads(threads);
          try {
            const [a, b, c, d] = make();
            const [o1, want1] = out(a.shape[0] * b.shape[1]), [o2, want2] = out(c.shape[0] * d.shape[1]);
            assert.equal(nat.matmulPair(a, b, o1, c, d, o2), true);
            ref.matmul(a, b, want1);
            ref.matmul(c, d, want2);
            assertClose(dataOf(o1), dataOf(want1), `${name}: first`, 1e-4, 1e-5 * Math.sqrt(a.shape[1]));
            assertClose(dataOf(o2), dataOf(want2), `${name}: second`, 1e-4, 1e-5 * Math.sqrt(c.shape[1]));
          } finally {
            nat.setNumThreads(before);
          }
        });
      }
    }
    it("declines what GEMM cannot take as it lies (a broadcast row, every other column) and batched operands", () => {
      const row = rand([1, 13]);
      const [o1] = out(4 * 6), [o2] = out(4 * 6);
      assert.equal(nat.matmulPair(view(row.buf, [4, 13], [0, 1]), rand([13, 6]), o1, rand([4, 13]), rand([13, 6]), o2), false);
      assert.equal(nat.matmulPair(rand([4, 13]), rand([13, 6]), o1, randStrided([4, 13]), rand([13, 6]), o2), false);
      assert.equal(nat.matmulPair(rand([2, 4, 13]), rand([2, 13, 6]), o1, rand([4, 13]), rand([13, 6]), o2), false);
    });
  });

  describe("reduce", () => {
    const shapes: [string, () => View][] = [
      ["[3,4,5,6] contiguous", () => rand([3, 4, 5, 6])],
      ["[3,4,5,6] strided", () => randStrided([3, 4, 5, 6])],
      ["[2,1,7,1,9] with size-1 dims", () => rand([2, 1, 7, 1, 9])],
    ];
    const axesList = [[3], [0], [1], [1, 2], [0, 2, 3], [0, 1, 2, 3], [0, 3], [2]];
    for (const op of ["sum", "max", "min", "argmax", "argmin"] as ReduceOp[]) {
      it(`${op} over leading, trailing, middle and outer+inner axes`, () => {
        for (const [name, make] of shapes) {
          const x = make();
          for (const axes of axesList) {
            if (axes.some((a) => a >= x.shape.length)) continue;
            if (op.startsWith("arg") && axes.length > 1) continue;
            const n = sizeOf(x.shape.filter((_, d) => !axes.includes(d)));
            const dt = op.startsWith("arg") ? "int32" : "float32";
            const [o1, o2] = out(n, dt);
            nat.reduce(op, x, axes, o1);
            ref.reduce(op, x, axes, o2);
            assertClose(dataOf(o1), dataOf(o2), `${op} ${name} axes ${axes}`, 1e-5, 1e-5);
          }
        }
      });
    }
    it("max propagates NaN and argmax points at it, as the reference", () => {
      const x = rand([4, 9]);
      dataOf(x.buf)[12] = NaN;
      for (const op of ["max", "min", "argmax", "argmin", "sum"] as ReduceOp[]) {
        for (const axes of [[1], [0]]) {
          if (op.startsWith("arg") && axes[0] === 0) continue;
          const [o1, o2] = out(axes[0] === 1 ? 4 : 9, op.startsWith("arg") ? "int32" : "float32");
          nat.reduce(op, x, axes, o1);
          ref.reduce(op, x, axes, o2);
          assertClose(dataOf(o1), dataOf(o2), `${op} axes ${axes}`);
        }
      }
    });
    it("reduces 1M elements (one row split across threads) to float32 precision, NaN included", () => {
      const x = rand([1 << 20]);
      for (const op of ["sum", "max", "min"] as ReduceOp[]) {
        const [o1, o2] = out(1);
        nat.reduce(op, x, [0], o1);
        ref.reduce(op, x, [0], o2);
        assertClose(dataOf(o1), dataOf(o2), op, 1e-6, 1e-3);
      }
      dataOf(x.buf)[700001] = NaN;
      const [o1, o2] = out(1);
      nat.reduce("max", x, [0], o1);
      ref.reduce("max", x, [0], o2);
      assert.ok(Number.isNaN(dataOf(o1)[0]) && Number.isNaN(dataOf(o2)[0]));
    });
  });

  it("softmax and log-softmax over the last dim (native) and dim 1 (reference path)", () => {
    for (const [x, dim] of [[rand([7, 33]), 1], [rand([2, 5, 3]), 1], [randStrided([4, 6]), 1]] as [View, number][]) {
      for (const log of [false, true]) {
        const [o1, o2] = out(sizeOf(x.shape));
        nat.softmax(x, dim, o1, log);
        ref.softmax(x, dim, o2, log);
        assertClose(dataOf(o1), dataOf(o2), `softmax log=${log} ${x.shape}`, 1e-5, 1e-6);
      }
    }
  });

  it("copy makes transposed, broadcast and offset views contiguous", () => {
    const b = rand([5]);
    for (const x of [randT([31, 17]), randStrided([3, 4, 5]), view(b.buf, [3, 5], [0, 1]), rand([10])]) {
      const [o1, o2] = out(sizeOf(x.shape));
      nat.copy(x, o1);
      ref.copy(x, o2);
      assert.deepEqual(dataOf(o1), dataOf(o2));
    }
  });

  describe("conv2d", () => {
    const conv = (s: number, p: number, d = 1): Conv2dOpts => ({ stride: [s, s], padding: [p, p], dilation: [d, d], groups: 1 });
    const cases: [string, number[], number[], Conv2dOpts, boolean][] = [
      ["3x3 pad 1 (the course CNN, small batch)", [2, 3, 12, 10], [8, 3, 3, 3], conv(1, 1), true],
      ["stride 2, no padding, odd sizes", [3, 5, 9, 7], [4, 5, 3, 3], conv(2, 0), true],
      ["dilation 2, no bias", [1, 4, 11, 11], [6, 4, 3, 3], conv(1, 2, 2), false],
      ["5x3 kernel, stride [2,1], pad [2,0]", [2, 2, 10, 9], [3, 2, 5, 3], { stride: [2, 1], padding: [2, 0], dilation: [1, 1], groups: 1 }, true],
      ["1x1 kernel", [2, 16, 5, 5], [8, 16, 1, 1], conv(1, 0), true],
    ];
    for (const [name, xs, ws, opts, withBias] of cases) {
      it(`forward and gradients: ${name}`, () => {
        const x = rand(xs), w = rand(ws), bias = withBias ? rand([ws[0]]) : null;
        const oh = windowOutSize(xs[2], ws[2], opts.stride[0], opts.padding[0], opts.dilation[0]);
        const ow = windowOutSize(xs[3], ws[3], opts.stride[1], opts.padding[1], opts.dilation[1]);
        const ys = [xs[0], ws[0], oh, ow];
        const [y1, y2] = out(sizeOf(ys));
        nat.conv2d(x, w, bias, opts, y1);
        ref.conv2d(x, w, bias, opts, y2);
        const k = xs[1] * ws[2] * ws[3];
        assertClose(dataOf(y1), dataOf(y2), `${name} forward`, 1e-4, 1e-5 * Math.sqrt(k));
        const gy = rand(ys);
        const [gx1, gx2] = out(sizeOf(xs)), [gw1, gw2] = out(sizeOf(ws)), [gb1, gb2] = out(ws[0]);
        nat.conv2dBackward(x, w, gy, opts, gx1, gw1, gb1);
        ref.conv2dBackward(x, w, gy, opts, gx2, gw2, gb2);
        assertClose(dataOf(gx1), dataOf(gx2), `${name} grad input`, 1e-4, 1e-4);
        assertClose(dataOf(gw1), dataOf(gw2), `${name} grad weight`, 1e-4, 1e-4);
        assertClose(dataOf(gb1), dataOf(gb2), `${name} grad bias`, 1e-4, 1e-4);
      });
    }
    it("takes a non-contiguous input and a broadcast gradient, and only the gradients asked for", () => {
      const opts = conv(1, 1);
      const xw = rand([2, 3, 8, 12]);
      const x = view(xw.buf, [2, 3, 8, 6], [288, 96, 12, 2], 1);
      const w = rand([4, 3, 3, 3]);
      const g1 = rand([1]);
      const gy = view(g1.buf, [2, 4, 8, 6], [0, 0, 0, 0]);
      const [gw1, gw2] = out(4 * 27), [gb1, gb2] = out(4);
      nat.conv2dBackward(x, w, gy, opts, null, gw1, null);
      ref.conv2dBackward(x, w, gy, opts, null, gw2, null);
      assertClose(dataOf(gw1), dataOf(gw2), "grad weight only", 1e-4, 1e-4);
      nat.conv2dBackward(x, w, gy, opts, null, null, gb1);
      ref.conv2dBackward(x, w, gy, opts, null, null, gb2);
      assertClose(dataOf(gb1), dataOf(gb2), "grad bias only", 1e-4, 1e-4);
    });
  });

  describe("conv2d through Winograd (3x3, stride 1, 16k channels, 64 or more 4x4 output tiles)", () => {
    const opts: Conv2dOpts = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 };
    afterEach(() => { nat.convWinograd = true; });
    // oneDNN 2.6 has Winograd kernels for AVX-512 (F, BW, DQ, VL) only; elsewhere every pass runs
    // directly, and the same results must come out.
    const flags = /^flags\s*:(.*)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1].split(/\s+/) ?? [];
    const W = ["avx512f", "avx512bw", "avx512dq", "avx512vl"].every((f) => flags.includes(f)) ? 1 : 0;
    const maxAbs = (a: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i])); return m; };
    // Winograd's error is a few ulps of a 4x4 tile's largest term, not of each output.
    const closeToTile = (got: ArrayLike<number>, want: ArrayLike<number>, what: string) =>
      assertClose(got, want, what, 1e-4, 2e-6 * maxAbs(want));
    /** Forward (with bias) and both gradients on the native backend, with the passes that ran Winograd. */
    function run(x: View, w: View, bias: View | null, gy: View | null) {
      const ys = [x.shape[0], w.shape[0], x.shape[2], x.shape[3]];
      const y = ref.alloc(sizeOf(ys), "float32");
      nat.conv2d(x, w, bias, opts, y);
      const fwd = nat.lastConvWinograd;
      const g = gy ?? rand(ys);
      const gx = ref.alloc(sizeOf(x.shape), "float32"), gw = ref.alloc(sizeOf(w.shape), "float32"), gb = ref.alloc(w.shape[0], "float32");
      nat.conv2dBackward(x, w, g, opts, gx, gw, gb);
      return { y: dataOf(y), gx: dataOf(gx), gw: dataOf(gw), gb: dataOf(gb), fwd, bwd: nat.lastConvWinograd, gy: g, ys };
    }

    it("runs the forward and both gradients through Winograd, within float32 rounding of the reference", () => {
      const x = rand([8, 32, 12, 12]), w = rand([48, 32, 3, 3]), bias = rand([48]);
      const r = run(x, w, bias, null);
      assert.equal(r.fwd, W * 1, "the forward ran Winograd");
      assert.equal(r.bwd, W * (2 | 4), "both gradients ran Winograd");
      const y = out(sizeOf(r.ys))[0], gx = out(sizeOf(x.shape))[0], gw = out(sizeOf(w.shape))[0], gb = out(48)[0];
      ref.conv2d(x, w, bias, opts, y);
      ref.conv2dBackward(x, w, r.gy, opts, gx, gw, gb);
      closeToTile(r.y, dataOf(y), "forward");
      closeToTile(r.gx, dataOf(gx), "grad input");
      closeToTile(r.gw, dataOf(gw), "grad weight");
      assertClose(r.gb, dataOf(gb), "grad bias", 1e-4, 1e-4);
    });

    it("agrees with PyTorch's direct convolution on the reference's Winograd case (test/fixtures), within the file's tolerance", () => {
      const file = JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "fixtures", "torch-ops.json"), "utf8")) as
        { cases: { op: string; note?: string; inputs: RefTensor[]; outputs: RefTensor[]; cotangents: RefTensor[]; grads: RefTensor[] }[] };
      const c = file.cases.find((k) => k.op === "conv2d" && k.note?.includes("Winograd"));
      assert.ok(c, "the fixture has a conv2d case meant for Winograd");
      const t = (r: RefTensor) => view(new CpuStorage(Float32Array.from(r.data), "float32"), r.shape);
      const r = run(t(c.inputs[0]), t(c.inputs[1]), t(c.inputs[2]), t(c.cotangents[0]));
      assert.deepEqual([r.fwd, r.bwd], [W * 1, W * 6], "every pass ran Winograd");
      assertClose(r.y, c.outputs[0].data, "forward", 1e-4, 1e-4);
      assertClose(r.gx, c.grads[0].data, "grad input", 1e-4, 1e-4);
      assertClose(r.gw, c.grads[1].data, "grad weight", 1e-4, 1e-4);
      assertClose(r.gb, c.grads[2].data, "grad bias", 1e-4, 1e-4);
    });

    it("with convWinograd off runs the direct kernel, and the two agree within rounding", () => {
      const x = rand([8, 16, 12, 12]), w = rand([16, 16, 3, 3]), bias = rand([16]), gy = rand([8, 16, 12, 12]);
      const wino = run(x, w, bias, gy);
      nat.convWinograd = false;
      const direct = run(x, w, bias, gy);
      assert.deepEqual([wino.fwd, wino.bwd, direct.fwd, direct.bwd], [W * 1, W * 6, 0, 0]);
      closeToTile(wino.y, direct.y, "forward");
      closeToTile(wino.gx, direct.gx, "grad input");
      closeToTile(wino.gw, direct.gw, "grad weight");
    });

    it("torch.backends.cpu.convWinograd switches it on the default CPU backend", () => {
      const cpu = getBackend("cpu") as NativeCpuBackend;
      const x = torch.rand([8, 16, 12, 12]), w = torch.rand([16, 16, 3, 3]);
      try {
        torch.backends.cpu.convWinograd = false;
        assert.equal(torch.backends.cpu.convWinograd, false);
        F.conv2d(x, w, null, { padding: 1 }).dispose();
        assert.equal(cpu.lastConvWinograd, 0);
        torch.backends.cpu.convWinograd = true;
        F.conv2d(x, w, null, { padding: 1 }).dispose();
        assert.equal(cpu.lastConvWinograd, W);
      } finally {
        torch.backends.cpu.convWinograd = true;
        torch.dispose([x, w]);
      }
    });

    it("keeps the direct kernel for 3 input channels, a batch of one, and stride 2, where Winograd loses or does not apply", () => {
      for (const [xs, ws] of [[[64, 3, 12, 12], [16, 3, 3, 3]], [[1, 64, 14, 14], [128, 64, 3, 3]]]) {
        const r = run(rand(xs), rand(ws), null, null);
        assert.deepEqual([r.fwd, r.bwd], [0, 0], `x ${xs}, w ${ws}`);
      }
      const strided: Conv2dOpts = { ...opts, stride: [2, 2] };
      nat.conv2d(rand([8, 32, 12, 12]), rand([32, 32, 3, 3]), null, strided, ref.alloc(8 * 32 * 36, "float32"));
      assert.equal(nat.lastConvWinograd, 0, "stride 2");
    });

    it("runs a pass directly when a value it reads is inf, NaN or 2^50 or more, so inf and NaN land where the direct kernel puts them", () => {
      const shape = [8, 16, 12, 12], wshape = [16, 16, 3, 3];
      const cases: [string, (x: Float32Array, w: Float32Array, gy: Float32Array) => void, number, number][] = [
        // what is planted, the forward's Winograd bit, the backward's bits
        ["inf in x", (x) => { x[100] = Infinity; }, 0, 2],
        ["NaN in w", (_x, w) => { w[7] = NaN; }, 0, 4],
        ["2^50 in x", (x) => { x[5] = 2 ** 50; }, 0, 2],
        ["-inf in the output gradient", (_x, _w, gy) => { gy[9] = -Infinity; }, 1, 0],
      ];
      for (const [what, plant, fwdBit, bwdBits] of cases) {
        const x = rand(shape), w = rand(wshape), gy = rand(shape);
        plant(dataOf(x.buf) as Float32Array, dataOf(w.buf) as Float32Array, dataOf(gy.buf) as Float32Array);
        const wino = run(x, w, null, gy);
        assert.deepEqual([wino.fwd, wino.bwd], [W * fwdBit, W * bwdBits], what);
        nat.convWinograd = false;
        const direct = run(x, w, null, gy);
        nat.convWinograd = true;
        // A pass that ran directly gives the direct kernel's bits; NaN and inf in the same places.
        if (!fwdBit) assert.deepEqual(wino.y, direct.y, `${what}: forward`);
        if (!(bwdBits & 2)) assert.deepEqual(wino.gx, direct.gx, `${what}: grad input`);
        if (!(bwdBits & 4)) assert.deepEqual(wino.gw, direct.gw, `${what}: grad weight`);
      }
    });
  });

  describe("pooling", () => {
    const pool = (k: number, s: number, p: number, ceil = false, inc = true, d = 1): Pool2dOpts =>
      ({ kernel: [k, k], stride: [s, s], padding: [p, p], dilation: [d, d], ceilMode: ceil, countIncludePad: inc });
    const cases: [string, number[], Pool2dOpts][] = [
      ["2x2 stride 2", [2, 3, 8, 10], pool(2, 2, 0)],
      ["2x2 stride 2 on odd sizes", [1, 2, 7, 9], pool(2, 2, 0)],
      ["3x3 stride 2 pad 1", [2, 2, 9, 8], pool(3, 2, 1)],
      ["3x3 stride 2 ceil mode", [1, 3, 10, 10], pool(3, 2, 0, true)],
      ["3x3 pad 1 without padding in the count", [1, 2, 6, 7], pool(3, 1, 1, false, false)],
      ["dilation 2 (max only)", [1, 2, 9, 9], pool(2, 1, 1, false, true, 2)],
    ];
    for (const [name, xs, opts] of cases) {
      it(`max and avg, forward and backward: ${name}`, () => {
        const x = rand(xs);
        const oh = windowOutSize(xs[2], opts.kernel[0], opts.stride[0], opts.padding[0], opts.dilation[0], opts.ceilMode);
        const ow = windowOutSize(xs[3], opts.kernel[1], opts.stride[1], opts.padding[1], opts.dilation[1], opts.ceilMode);
        const ys = [xs[0], xs[1], oh, ow];
        const [y1, y2] = out(sizeOf(ys)), [i1, i2] = out(sizeOf(ys), "int32");
        nat.maxPool2d(x, opts, y1, i1);
        ref.maxPool2d(x, opts, y2, i2);
        assertClose(dataOf(y1), dataOf(y2), `${name} max`);
        assert.deepEqual(dataOf(i1), dataOf(i2), `${name} indices`);
        const gy = rand(ys);
        const [g1, g2] = out(sizeOf(xs));
        nat.maxPool2dBackward(gy, view(i1, ys), xs, g1);
        ref.maxPool2dBackward(gy, view(i2, ys), xs, g2);
        assertClose(dataOf(g1), dataOf(g2), `${name} max backward`);
        if (opts.dilation[0] !== 1) return;
        const [a1, a2] = out(sizeOf(ys));
        nat.avgPool2d(x, opts, a1);
        ref.avgPool2d(x, opts, a2);
        assertClose(dataOf(a1), dataOf(a2), `${name} avg`);
        const [ga1, ga2] = out(sizeOf(xs));
        nat.avgPool2dBackward(gy, xs, opts, ga1);
        ref.avgPool2dBackward(gy, xs, opts, ga2);
        assertClose(dataOf(ga1), dataOf(ga2), `${name} avg backward`);
      });
    }
    it("#17: 2x2 max pool of a ReLU output (ties at 0 keep the first index) over wide rows", () => {
      const xs = [2, 3, 4, 70];
      const x = rand(xs);
      const d = dataOf(x.buf);
      for (let i = 0; i < d.length; i++) d[i] = Math.max(0, d[i] - 0.5);
      d[3] = NaN; d[75] = -Infinity;
      const opts = pool(2, 2, 0);
      const ys = [2, 3, 2, 35];
      const [y1, y2] = out(sizeOf(ys)), [i1, i2] = out(sizeOf(ys), "int32");
      nat.maxPool2d(x, opts, y1, i1);
      ref.maxPool2d(x, opts, y2, i2);
      assertClose(dataOf(y1), dataOf(y2), "max");
      assert.deepEqual(dataOf(i1), dataOf(i2));
    });
    it("max pool propagates NaN and keeps its index", () => {
      const x = rand([1, 1, 4, 4]);
      dataOf(x.buf)[5] = NaN;
      const opts = pool(2, 2, 0);
      const [y1, y2] = out(4), [i1, i2] = out(4, "int32");
      nat.maxPool2d(x, opts, y1, i1);
      ref.maxPool2d(x, opts, y2, i2);
      assertClose(dataOf(y1), dataOf(y2), "max");
      assert.deepEqual(dataOf(i1), dataOf(i2));
    });
  });

  it("gives the same results on 1 and 2 threads (large enough to run in parallel)", () => {
    const threads = nat.getNumThreads();
    const x = rand([4, 8, 20, 20]), w = rand([16, 8, 3, 3]), g = rand([4, 16, 20, 20]);
    const a = rand([300, 200]), b = randT([200, 150]), big = rand([200000]);
    const opts: Conv2dOpts = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 };
    const run = (): Float32Array[] => {
      const y = ref.alloc(4 * 16 * 400, "float32"), gx = ref.alloc(4 * 8 * 400, "float32"), gw = ref.alloc(16 * 72, "float32");
      const mm = ref.alloc(300 * 150, "float32"), s = ref.alloc(300, "float32"), e = ref.alloc(200000, "float32");
      nat.conv2d(x, w, null, opts, y);
      nat.conv2dBackward(x, w, g, opts, gx, gw, null);
      nat.matmul(a, b, mm);
      nat.reduce("sum", a, [1], s);
      nat.unary("exp", big, e);
      return [y, gx, gw, mm, s, e].map((t) => dataOf(t) as Float32Array);
    };
    try {
      nat.setNumThreads(1);
      const one = run();
      nat.setNumThreads(2);
      const two = run();
      one.forEach((o, i) => assertClose(two[i], o, `output ${i}`, 1e-5, 1e-5));
    } finally {
      nat.setNumThreads(threads);
    }
  });

  it("relu's fused backward equals where(y > 0, g, 0) on contiguous, strided and NaN inputs", () => {
    for (const [name, y, g] of [
      ["contiguous", rand([37, 41]), rand([37, 41])],
      ["transposed y, strided g", randT([23, 19]), randStrided([23, 19])],
      ["NaN and zeros in y", rand([300], () => [0, -0, NaN, 1, -1][Math.floor((rnd() + 1) * 2.5) % 5]), rand([300])],
    ] as [string, View, View][]) {
      const [o1, o2] = out(sizeOf(y.shape)), [c] = out(sizeOf(y.shape), "bool");
      assert.equal(nat.reluBackward(y, g, o1), true, name);
      ref.binary("gt", y, 0, c);
      ref.where(view(c, [...y.shape]), g, view(storage(1, () => 0), [...y.shape], y.shape.map(() => 0)), o2);
      assertClose(dataOf(o1), dataOf(o2), name, 0, 0);
    }
  });

  it("an addon built from another op registry is refused (its op codes would name other ops)", () => {
    const addon = loadNativeAddon().addon!;
    checkOpsSignature(addon);
    assert.throws(() => checkOpsSignature({ ...addon, opsSignature: "unary:neg,abs;binary:add;reduce:sum" }), /another op registry/);
    assert.throws(() => checkOpsSignature({ ...addon, opsSignature: undefined }), /stale build/);
  });

  it("writes only inside its outputs: random odd shapes and strided views, guard regions untouched", () => {
    // Each output lies in the middle of a larger array whose padding holds a sentinel; a kernel
    // that writes past either end (wrong ld, batch stride or offset) changes the padding.
    const PAD = 64, SENTINEL = 12345.5;
    const guarded = (n: number): [Float32Array, Storage] => {
      const whole = new Float32Array(n + 2 * PAD).fill(SENTINEL);
      return [whole, new CpuStorage(whole.subarray(PAD, PAD + n), "float32")];
    };
    const checkPad = (whole: Float32Array, what: string) => {
      for (let i = 0; i < PAD; i++) {
        assert.equal(whole[i], SENTINEL, `${what}: wrote ${PAD - i} elements before the output`);
        assert.equal(whole[whole.length - 1 - i], SENTINEL, `${what}: wrote ${PAD - i} elements past the output`);
      }
    };
    const int = (lo: number, hi: number) => lo + Math.floor(((rnd() + 1) / 2) * (hi - lo + 1));
    const pick = (shape: number[]): View => [rand, randT, randStrided][int(0, 2)](shape);
    for (let t = 0; t < 24; t++) {
      const batch = t % 3 === 0 ? [int(2, 3)] : [];
      const m = int(1, 70), k = int(1, 90), n = int(1, 70);
      const a = pick([...batch, m, k]), b = pick([...batch, k, n]);
      const [whole, o] = guarded(sizeOf(batch) * m * n), [o2] = out(sizeOf(batch) * m * n);
      nat.matmul(a, b, o);
      ref.matmul(a, b, o2);
      const what = `matmul [${[...batch, m, k]}]@[${[...batch, k, n]}]`;
      checkPad(whole, what);
      assertClose(dataOf(o), dataOf(o2), what, 1e-4, 1e-5 * Math.sqrt(k));
    }
    for (let t = 0; t < 6; t++) {
      const s = int(1, 2), p = int(0, 2), kh = int(1, 4), kw = int(1, 4);
      const xs = [int(1, 3), int(1, 5), int(kh + 1, 13), int(kw + 1, 11)], ws = [int(1, 7), xs[1], kh, kw];
      const opts: Conv2dOpts = { stride: [s, s], padding: [p, p], dilation: [1, 1], groups: 1 };
      const ys = [xs[0], ws[0], windowOutSize(xs[2], kh, s, p, 1), windowOutSize(xs[3], kw, s, p, 1)];
      const x = rand(xs), w = rand(ws), bias = rand([ws[0]]), gy = rand(ys);
      const [wy, y] = guarded(sizeOf(ys)), [wgx, gx] = guarded(sizeOf(xs)), [wgw, gw] = guarded(sizeOf(ws)), [wgb, gb] = guarded(ws[0]);
      nat.conv2d(x, w, bias, opts, y);
      nat.conv2dBackward(x, w, gy, opts, gx, gw, gb);
      const what = `conv x [${xs}] w [${ws}] stride ${s} pad ${p}`;
      checkPad(wy, `${what} forward`); checkPad(wgx, `${what} grad input`);
      checkPad(wgw, `${what} grad weight`); checkPad(wgb, `${what} grad bias`);
      const [y2] = out(sizeOf(ys));
      ref.conv2d(x, w, bias, opts, y2);
      assertClose(dataOf(y), dataOf(y2), `${what} forward`, 1e-4, 1e-4);
    }
  });

  it("survives SIGPROF during oneDNN calls (node --cpu-prof): heap intact", function () {
    this.timeout(60000);
    // oneDNN 2.6's JIT kernels corrupted the glibc heap when a signal landed mid-call (the process
    // aborted in free); the addon now holds asynchronous signals during every oneDNN call.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsgrad-prof-"));
    const script = `
      const { loadNativeAddon, NativeCpuBackend } = require(${JSON.stringify(path.resolve(__dirname, "../../runtime/tensor/cpu"))});
      const be = new NativeCpuBackend(loadNativeAddon().addon);
      const v = (shape) => { const st = []; let s = 1; for (let i = shape.length - 1; i >= 0; i--) { st[i] = s; s *= shape[i]; }
        return { buf: be.alloc(s, "float32"), shape, strides: st, offset: 0 }; };
      for (const t of [1, 2]) {
        be.setNumThreads(t);
        for (let i = 0; i < 40; i++) {
          const a = v([128, 784]), b = v([784, 256]), c = be.alloc(128 * 256, "float32");
          be.matmul(a, b, c);
          const x = v([8, 3, 16, 16]), w = v([8, 3, 3, 3]), y = be.alloc(8 * 8 * 16 * 16, "float32");
          const o = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 };
          be.conv2d(x, w, null, o, y);
          be.conv2dBackward(x, w, { buf: y, shape: [8, 8, 16, 16], strides: [2048, 256, 16, 1], offset: 0 }, o,
            be.alloc(8 * 3 * 256, "float32"), be.alloc(8 * 27, "float32"), null);
        }
      }
      console.log("done");`;
    try {
      const r = spawnSync(process.execPath, ["--cpu-prof", "--cpu-prof-interval", "100", "--cpu-prof-dir", dir, "--import", "tsx", "-e", script],
        { encoding: "utf8", timeout: 55000 });
      assert.equal(r.status, 0, `child exited with ${r.status} (${r.signal}): ${r.stderr.slice(-500)}`);
      assert.match(r.stdout, /done/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const decoupled of [false, true]) {
    it(`adamStep matches the reference (${decoupled ? "AdamW" : "Adam with L2"}) over three steps`, () => {
      const n = 40001;
      const p1 = storage(n), g = storage(n), m1 = storage(n, () => 0), v1 = storage(n, () => 0);
      const p2 = new CpuStorage(dataOf(p1).slice(), "float32"), m2 = storage(n, () => 0), v2 = storage(n, () => 0);
      for (let step = 1; step <= 3; step++) {
        const opts = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step, decoupled };
        nat.adamStep(p1, g, m1, v1, opts);
        ref.adamStep(p2, g, m2, v2, opts);
      }
      assertClose(dataOf(p1), dataOf(p2), "param", 1e-5, 1e-6);
      assertClose(dataOf(v1), dataOf(v2), "v", 1e-5, 1e-9);
    });
  }
});
