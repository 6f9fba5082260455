// test/backends/nn.test.ts
// Every backend against the reference for the network fast paths: conv2d and its gradients
// (stride, padding, dilation, groups, bias, strided input, split-K weight gradient), max and
// average pooling with their backward passes, softmax/log-softmax and the fused Adam step.

import * as assert from "node:assert/strict";
import type { Conv2dOpts, Pool2dOpts, View } from "../../runtime/tensor/backend";
import { Pair, numel, randomData, rng, forEachContractBackend, nnOps } from "../helpers/contract";

forEachContractBackend((be) => {
  function outSize(size: number, k: number, s: number, p: number, d: number, ceil = false): number {
    const span = size + 2 * p - d * (k - 1) - 1;
    let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    if (ceil && (out - 1) * s >= size + p) out--;
    return out;
  }

  interface ConvCase { name: string; x: number[]; w: number[]; opts: Conv2dOpts; bias: boolean; permuted?: boolean }
  const conv = (stride: number, padding: number, dilation = 1, groups = 1): Conv2dOpts =>
    ({ stride: [stride, stride], padding: [padding, padding], dilation: [dilation, dilation], groups });

  const CONV_CASES: ConvCase[] = [
    { name: "3x3 pad 1 with bias", x: [2, 3, 9, 9], w: [4, 3, 3, 3], opts: conv(1, 1), bias: true },
    { name: "stride 2, no bias, odd input", x: [2, 3, 11, 7], w: [5, 3, 3, 3], opts: conv(2, 1), bias: false },
    { name: "dilation 2, 5x5 kernel", x: [1, 2, 12, 12], w: [3, 2, 5, 5], opts: conv(1, 2, 2), bias: true },
    { name: "groups 2, 1x1 kernel", x: [2, 4, 5, 5], w: [6, 2, 1, 1], opts: conv(1, 0, 1, 2), bias: true },
    { name: "channels-last input View (permuted strides)", x: [2, 3, 6, 6], w: [4, 3, 3, 3], opts: conv(1, 1), bias: true, permuted: true },
    { name: "long K: the weight gradient splits K", x: [4, 2, 32, 32], w: [3, 2, 3, 3], opts: conv(1, 1), bias: true },
    { name: "stride 3 with 2x2 kernel (gaps in the input gradient)", x: [1, 2, 10, 10], w: [2, 2, 2, 2], opts: conv(3, 0), bias: false },
  ];

  describe("conv2d", () => {
    for (const c of CONV_CASES)
      it(`${c.name}: forward, grad input, grad weight, grad bias`, async () => {
        const { ref, dev } = be;
        const [N, C, H, W] = c.x, [O, , KH, KW] = c.w;
        const OH = outSize(H, KH, c.opts.stride[0], c.opts.padding[0], c.opts.dilation[0]);
        const OW = outSize(W, KW, c.opts.stride[1], c.opts.padding[1], c.opts.dilation[1]);
        const seed = numel(c.x) + numel(c.w);
        const x = Pair.of(ref, dev, randomData("float32", numel(c.x), rng(seed), -1, 1), "float32");
        const w = Pair.of(ref, dev, randomData("float32", numel(c.w), rng(seed + 1), -1, 1), "float32");
        const b = Pair.of(ref, dev, randomData("float32", O, rng(seed + 2), -1, 1), "float32");
        const go = Pair.of(ref, dev, randomData("float32", N * O * OH * OW, rng(seed + 3), -1, 1), "float32");
        // Channels-last storage read as NCHW: strides [H*W*C, 1, W*C, C].
        const xv = c.permuted ? x.view(c.x, [H * W * C, 1, W * C, C]) : x.view(c.x);
        const tol = { atol: 1e-4 * Math.sqrt(N * OH * OW * O) * 4, rtol: 1e-4 };
        const yc = ref.alloc(N * O * OH * OW, "float32"), yg = dev.alloc(N * O * OH * OW, "float32");
        nnOps(ref).conv2d(xv[0], w.view(c.w)[0], c.bias ? b.view([O])[0] : null, c.opts, yc);
        nnOps(dev).conv2d(xv[1], w.view(c.w)[1], c.bias ? b.view([O])[1] : null, c.opts, yg);
        await be.expectSame(yc, yg, "forward", tol);
        const gx = [ref.alloc(numel(c.x), "float32"), dev.alloc(numel(c.x), "float32")];
        const gw = [ref.alloc(numel(c.w), "float32"), dev.alloc(numel(c.w), "float32")];
        const gb = [ref.alloc(O, "float32"), dev.alloc(O, "float32")];
        const gov = go.view([N, O, OH, OW]);
        nnOps(ref).conv2dBackward(xv[0], w.view(c.w)[0], gov[0], c.opts, gx[0], gw[0], gb[0]);
        nnOps(dev).conv2dBackward(xv[1], w.view(c.w)[1], gov[1], c.opts, gx[1], gw[1], gb[1]);
        await be.expectSame(gx[0], gx[1], "grad input", tol);
        await be.expectSame(gw[0], gw[1], "grad weight", tol);
        await be.expectSame(gb[0], gb[1], "grad bias", tol);
      });

    it("conv2dBackward with only the weight gradient asked for", async () => {
      const { ref, dev } = be;
      const x = Pair.of(ref, dev, randomData("float32", 2 * 3 * 5 * 5, rng(1)), "float32");
      const w = Pair.of(ref, dev, randomData("float32", 4 * 3 * 3 * 3, rng(2)), "float32");
      const g = Pair.of(ref, dev, randomData("float32", 2 * 4 * 5 * 5, rng(3)), "float32");
      const gw = [ref.alloc(108, "float32"), dev.alloc(108, "float32")];
      nnOps(ref).conv2dBackward(x.view([2, 3, 5, 5])[0], w.view([4, 3, 3, 3])[0], g.view([2, 4, 5, 5])[0], conv(1, 1), null, gw[0], null);
      nnOps(dev).conv2dBackward(x.view([2, 3, 5, 5])[1], w.view([4, 3, 3, 3])[1], g.view([2, 4, 5, 5])[1], conv(1, 1), null, gw[1], null);
      await be.expectSame(gw[0], gw[1], "grad weight only", { atol: 1e-3 });
    });
  });

  const pool = (k: number, s: number, p: number, extra: Partial<Pool2dOpts> = {}): Pool2dOpts =>
    ({ kernel: [k, k], stride: [s, s], padding: [p, p], dilation: [1, 1], ceilMode: false, countIncludePad: true, ...extra });

  const POOL_CASES: { name: string; x: number[]; opts: Pool2dOpts }[] = [
    { name: "2x2 stride 2", x: [2, 3, 8, 8], opts: pool(2, 2, 0) },
    // 22 windows a row: a full 16-wide block, a partial one and an odd last column left out (#17).
    { name: "2x2 stride 2 on a wide, odd input", x: [1, 2, 6, 45], opts: pool(2, 2, 0) },
    { name: "3x3 stride 2 pad 1 (overlapping windows)", x: [2, 2, 9, 9], opts: pool(3, 2, 1) },
    { name: "ceil mode on an odd input", x: [1, 2, 7, 7], opts: pool(2, 2, 0, { ceilMode: true }) },
    { name: "3x3 stride 1 pad 1 without the padding in the count", x: [1, 2, 6, 5], opts: pool(3, 1, 1, { countIncludePad: false }) },
    { name: "dilation 2 (max only)", x: [1, 1, 9, 9], opts: pool(3, 1, 0, { dilation: [2, 2] }) },
  ];

  describe("pooling", () => {
    for (const c of POOL_CASES) {
      const [N, C, H, W] = c.x;
      const OH = outSize(H, c.opts.kernel[0], c.opts.stride[0], c.opts.padding[0], c.opts.dilation[0], c.opts.ceilMode);
      const OW = outSize(W, c.opts.kernel[1], c.opts.stride[1], c.opts.padding[1], c.opts.dilation[1], c.opts.ceilMode);
      const n = N * C * OH * OW;
      it(`maxPool2d ${c.name}: values, indices and backward`, async () => {
        const { ref, dev } = be;
        const x = Pair.of(ref, dev, randomData("float32", numel(c.x), rng(n)), "float32");
        const out = [ref.alloc(n, "float32"), dev.alloc(n, "float32")], idx = [ref.alloc(n, "int32"), dev.alloc(n, "int32")];
        nnOps(ref).maxPool2d(x.view(c.x)[0], c.opts, out[0], idx[0]);
        nnOps(dev).maxPool2d(x.view(c.x)[1], c.opts, out[1], idx[1]);
        await be.expectSame(out[0], out[1], "max values");
        const idxView = (i: 0 | 1): View => ({ buf: idx[i], shape: [N, C, OH, OW], strides: [C * OH * OW, OH * OW, OW, 1], offset: 0 });
        const g = Pair.of(ref, dev, randomData("float32", n, rng(n + 1)), "float32");
        const gx = [ref.alloc(numel(c.x), "float32"), dev.alloc(numel(c.x), "float32")];
        nnOps(ref).maxPool2dBackward(g.view([N, C, OH, OW])[0], idxView(0), c.x, gx[0]);
        nnOps(dev).maxPool2dBackward(g.view([N, C, OH, OW])[1], idxView(1), c.x, gx[1]);
        await be.expectSame(gx[0], gx[1], "max backward");
        await be.expectSame(idx[0], idx[1], "max indices", { atol: 0, rtol: 0 });
      });
      if (c.opts.dilation[0] !== 1) continue;
      it(`avgPool2d ${c.name}: forward and backward`, async () => {
        const { ref, dev } = be;
        const x = Pair.of(ref, dev, randomData("float32", numel(c.x), rng(n + 2)), "float32");
        const out = [ref.alloc(n, "float32"), dev.alloc(n, "float32")];
        nnOps(ref).avgPool2d(x.view(c.x)[0], c.opts, out[0]);
        nnOps(dev).avgPool2d(x.view(c.x)[1], c.opts, out[1]);
        await be.expectSame(out[0], out[1], "avg forward");
        const g = Pair.of(ref, dev, randomData("float32", n, rng(n + 3)), "float32");
        const gx = [ref.alloc(numel(c.x), "float32"), dev.alloc(numel(c.x), "float32")];
        nnOps(ref).avgPool2dBackward(g.view([N, C, OH, OW])[0], c.x, c.opts, gx[0]);
        nnOps(dev).avgPool2dBackward(g.view([N, C, OH, OW])[1], c.x, c.opts, gx[1]);
        await be.expectSame(gx[0], gx[1], "avg backward");
      });
    }

    it("maxPool2d of a channels-last View", async () => {
      const { ref, dev } = be;
      const x = Pair.of(ref, dev, randomData("float32", 2 * 3 * 6 * 6, rng(77)), "float32");
      const strides = [108, 1, 18, 3];
      const out = [ref.alloc(2 * 3 * 9, "float32"), dev.alloc(2 * 3 * 9, "float32")], idx = [ref.alloc(54, "int32"), dev.alloc(54, "int32")];
      nnOps(ref).maxPool2d(x.view([2, 3, 6, 6], strides)[0], pool(2, 2, 0), out[0], idx[0]);
      nnOps(dev).maxPool2d(x.view([2, 3, 6, 6], strides)[1], pool(2, 2, 0), out[1], idx[1]);
      await be.expectSame(out[0], out[1], "max channels-last");
      await be.expectSame(idx[0], idx[1], "indices channels-last", { atol: 0, rtol: 0 });
    });
  });

  describe("softmax and adam", () => {
    for (const log of [false, true])
      for (const [shape, dim, strides] of [[[4, 10], 1], [[4, 10], 0], [[3, 5, 7], 1], [[2, 1000], 1], [[6, 4], 1, [1, 6]]] as [number[], number, number[]?][])
        it(`${log ? "logSoftmax" : "softmax"} over dim ${dim} of [${shape}]${strides ? " (transposed)" : ""}`, async () => {
          const { ref, dev } = be;
          const x = Pair.of(ref, dev, randomData("float32", numel(shape), rng(numel(shape) + dim), -8, 8), "float32");
          const out = [ref.alloc(numel(shape), "float32"), dev.alloc(numel(shape), "float32")];
          ref.softmax!(x.view(shape, strides)[0], dim, out[0], log);
          dev.softmax!(x.view(shape, strides)[1], dim, out[1], log);
          await be.expectSame(out[0], out[1], "softmax");
        });

    it("softmax keeps huge logits finite", async () => {
      const { dev } = be;
      const x = dev.alloc(3, "float32");
      dev.write(x, Float32Array.from([1000, 1001, 999]));
      const out = dev.alloc(3, "float32");
      dev.softmax!({ buf: x, shape: [3], strides: [1], offset: 0 }, 0, out, false);
      const v = await dev.read(out);
      assert.ok(Math.abs(v[1] - 0.6652409) < 1e-5, `softmax([1000, 1001, 999])[1] = ${v[1]}`);
    });

    for (const decoupled of [false, true])
      it(`adamStep (${decoupled ? "AdamW" : "Adam with L2"}) over three steps matches the reference`, async () => {
        const { ref, dev } = be;
        const n = 1000;
        const p = Pair.of(ref, dev, randomData("float32", n, rng(1)), "float32");
        const m = Pair.of(ref, dev, new Float32Array(n), "float32");
        const v = Pair.of(ref, dev, new Float32Array(n), "float32");
        for (let step = 1; step <= 3; step++) {
          const g = Pair.of(ref, dev, randomData("float32", n, rng(10 + step)), "float32");
          const opts = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step, decoupled };
          ref.adamStep!(p.ref, g.ref, m.ref, v.ref, opts);
          dev.adamStep!(p.dev, g.dev, m.dev, v.dev, opts);
        }
        await be.expectSame(m.ref, m.dev, "m");
        await be.expectSame(v.ref, v.dev, "v");
        await be.expectSame(p.ref, p.dev, "param");
      });
  });
});
