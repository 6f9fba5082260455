// test/nn/fused.test.ts
// Fused ops (#17): nn.Sequential runs a Conv2d followed by a ReLU as one op (conv2dRelu: oneDNN's
// ReLU post-op on the native backend, conv2d then relu elsewhere), and with a MaxPool2d after
// them as one op (conv2dReluMaxPool2d: relu's mask applied to the pooled gradient); F.linear is one
// backend call where the backend has Backend.linear (bias and ReLU applied after the GEMM), and a
// Linear followed by a ReLU in nn.Sequential one op, whose two gradient products are one call where
// the backend has Backend.matmulPair. On every backend the fused
// result and every gradient equal the two ops run apart; the fusion steps aside for hooks and
// subclasses, and bad shapes still name conv2d.

import assert from "node:assert/strict";
import { torch } from "../../runtime/tensor/index";
import * as nn from "../../runtime/tensor/nn/index";
import { F } from "../../runtime/tensor/functional";
import type { Tensor } from "../../runtime/tensor/tensor";
import { forEachBackend } from "../helpers/backends";
import { getBackend } from "../../runtime/tensor/backend";
import { linearRelu as LA_linearRelu } from "../../runtime/tensor/ops_linalg";

const vals = async (t: Tensor) => Array.from(await t.data());
function close(a: number[], b: number[], what: string, tol = 1e-5): void {
  assert.equal(a.length, b.length, `${what}: length`);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tol * Math.max(1, Math.abs(v)), `${what}[${i}]: ${v} vs ${b[i]}`));
}

forEachBackend((device) => describe("conv2d + ReLU fused (#17)", () => {
  for (const [cin, cout, name] of [[3, 16, "16 channels (blocked on the native backend)"], [2, 5, "5 channels"]] as const) {
    it(`Sequential(Conv2d, ReLU) equals relu(conv(x)): output and gradients, ${name}`, async () => {
      torch.manualSeed(1);
      const conv = nn.Conv2d(cin, cout, { kernelSize: 3, padding: 1 }).to(device);
      const model = nn.Sequential(conv, nn.ReLU());
      const x = torch.randn([2, cin, 6, 6], { device }).requiresGrad_();
      const g = torch.randn([2, cout, 6, 6], { device });
      const fused = model.forward(x);
      assert.equal(fused.gradFn?.name, "conv2d_relu", "the fused op ran");
      fused.backward(g);
      const got = await Promise.all([fused, x.grad!, conv.weight.grad!, conv.bias!.grad!].map(vals));
      x.grad = conv.weight.grad = conv.bias!.grad = null;
      const apart = F.relu(F.conv2d(x, conv.weight, conv.bias, { padding: 1 }));
      apart.backward(g);
      const want = await Promise.all([apart, x.grad!, conv.weight.grad!, conv.bias!.grad!].map(vals));
      ["output", "x.grad", "weight.grad", "bias.grad"].forEach((w, i) => close(want[i], got[i], w, 1e-4));
      assert.ok(want[0].some((v) => v === 0) && want[0].some((v) => v > 0), "the ReLU cut some outputs and kept others");
    });
  }

  const POOLS: [string, number, number, { kernelSize: number; stride?: number; padding?: number }][] = [
    ["16 channels, 2x2 pool (blocked on the native backend)", 16, 8, { kernelSize: 2 }],
    ["16 channels, odd size, 2x2 pool", 16, 7, { kernelSize: 2 }],
    ["5 channels, 3x3 stride-2 pool with padding", 5, 8, { kernelSize: 3, stride: 2, padding: 1 }],
  ];
  for (const [name, cout, hw, pool] of POOLS) {
    it(`Sequential(Conv2d, ReLU, MaxPool2d) equals the three ops apart: output and gradients, ${name}`, async () => {
      torch.manualSeed(2);
      const conv = nn.Conv2d(3, cout, { kernelSize: 3, padding: 1 }).to(device);
      const model = nn.Sequential(conv, nn.ReLU(), nn.MaxPool2d(pool));
      // Shifted down so that some whole windows are <= 0: their gradient must be 0, as relu's.
      const x = torch.randn([2, 3, hw, hw], { device }).sub(0.5).requiresGrad_();
      const fused = model.forward(x);
      assert.equal(fused.gradFn?.name, "conv2d_relu_maxpool2d", "the fused op ran");
      const g = torch.randn(fused.shape as number[], { device });
      fused.backward(g);
      const got = await Promise.all([fused, x.grad!, conv.weight.grad!, conv.bias!.grad!].map(vals));
      x.grad = conv.weight.grad = conv.bias!.grad = null;
      const apart = F.maxPool2d(F.relu(F.conv2d(x, conv.weight, conv.bias, { padding: 1 })), pool);
      apart.backward(g);
      const want = await Promise.all([apart, x.grad!, conv.weight.grad!, conv.bias!.grad!].map(vals));
      ["output", "x.grad", "weight.grad", "bias.grad"].forEach((w, i) => close(want[i], got[i], w, 1e-4));
      assert.ok(want[0].some((v) => v === 0), "some windows pooled a 0 (all inputs cut by the ReLU)");
    });
  }

  for (const [name, bias, transposedInput] of [["with bias", true, false], ["without bias", false, false], ["of a transposed input", true, true]] as const) {
    it(`Sequential(Linear, ReLU) and F.linear equal matmul, add and relu apart: outputs and gradients, ${name}`, async () => {
      torch.manualSeed(3);
      const fc = nn.Linear(20, 24, { bias }).to(device);
      const raw = torch.randn(transposedInput ? [20, 6] : [6, 20], { device });
      const x = (transposedInput ? raw.t() : raw).requiresGrad_();
      const g = torch.randn([6, 24], { device });
      const params = () => [x.grad!, fc.weight.grad!, ...(bias ? [fc.bias!.grad!] : [])];
      const fusedOut = nn.Sequential(fc, nn.ReLU()).forward(x);
      const be = getBackend(device);
      if (be.linear) assert.equal(fusedOut.gradFn?.name, "linear_relu", "the fused op ran");
      // Where the backend has matmulPair, the two gradient products go to it in one call.
      const pair = be.matmulPair;
      let pairs = 0;
      if (pair) be.matmulPair = (...args) => { pairs++; return pair.apply(be, args); };
      try { fusedOut.backward(g); } finally { if (pair) be.matmulPair = pair; }
      assert.equal(pairs, pair ? 1 : 0);
      const got = await Promise.all([fusedOut, ...params()].map(vals));
      x.grad = fc.weight.grad = null; if (fc.bias) fc.bias.grad = null;
      const lin = F.linear(x, fc.weight, fc.bias);
      const apartOut = F.relu(bias ? x.matmul(fc.weight.t()).add(fc.bias!) : x.matmul(fc.weight.t()));
      close(await vals(apartOut), await vals(F.relu(lin)), "F.linear");
      apartOut.backward(g);
      const want = await Promise.all([apartOut, ...params()].map(vals));
      want.forEach((w, i) => close(w, got[i], `#${i}`, 1e-4));
    });
  }

  it("F.linear: the fused ReLU keeps NaN, and bad shapes still name matmul", async () => {
    const w = torch.tensor([[1, 0], [0, 1]], { device }), b = torch.tensor([0, -1], { device });
    // Row 0 holds a NaN, so both its outputs are NaN (NaN * 0 is NaN); row 1: relu([-2, 2]).
    const out = await vals(LA_linearRelu(torch.tensor([[NaN, 0.5], [-2, 3]], { device }), w, b));
    assert.ok(Number.isNaN(out[0]) && Number.isNaN(out[1]), `NaN stays NaN: ${out}`);
    assert.deepEqual(out.slice(2), [0, 2]);
    assert.throws(() => F.linear(torch.zeros([2, 5], { device }), torch.zeros([3, 4], { device })), { name: "ShapeError", message: /matmul: cannot multiply \[2, 5\] by \[4, 3\]/ });
  });

  it("a NaN or infinity in the input stays NaN through the fused ReLU, as torch.relu keeps it (conv and a large Linear)", async () => {
    // A NaN input pixel makes NaN every output whose window covers it, in every channel; +inf
    // next to -inf in the same window gives inf - inf = NaN.
    torch.manualSeed(4);
    for (const bad of [[NaN], [Infinity, -Infinity]]) {
      const xs = Array.from({ length: 2 * 16 * 6 * 6 }, () => Math.random() - 0.5);
      bad.forEach((v, i) => { xs[2 * 36 + 14 + i] = v; });  // batch 0, channel 2, row 2, columns 2(, 3)
      const x = torch.tensor(xs, { device }).reshape([2, 16, 6, 6]);
      const conv = nn.Conv2d(16, 16, { kernelSize: 3, padding: 1 }).to(device);
      const y = nn.Sequential(conv, nn.ReLU()).forward(x);
      const got = await vals(y), want = await vals(F.relu(F.conv2d(x, conv.weight, conv.bias, { padding: 1 })));
      const nan = (v: number[]) => v.map((u, i) => (Number.isNaN(u) ? i : -1)).filter((i) => i >= 0);
      assert.ok(nan(want).length > 0, "the unfused ops give NaN");
      assert.deepEqual(nan(got), nan(want), `NaN where relu(conv2d(x)) has it (${bad})`);
    }
    const xs = Array.from({ length: 64 * 600 }, () => Math.random());
    xs[5] = NaN;
    const fc = nn.Linear(600, 400).to(device);
    const out = await vals(nn.Sequential(fc, nn.ReLU()).forward(torch.tensor(xs, { device }).reshape([64, 600])));
    assert.ok(out.slice(0, 400).every(Number.isNaN), "row 0 (the NaN's row) is NaN throughout");
    assert.ok(out.slice(400).every((v) => v >= 0), "the other rows are ReLU's");
  });

  it("a forward hook on the Conv2d sees its output before the ReLU: no fusion then", async () => {
    const conv = nn.Conv2d(3, 16, { kernelSize: 3, padding: 1 }).to(device);
    let seen: Tensor | null = null;
    const h = conv.registerForwardHook((_m, _in, out) => { seen = out as Tensor; });
    const y = nn.Sequential(conv, nn.ReLU()).forward(torch.randn([1, 3, 5, 5], { device }));
    h.remove();
    assert.ok(seen !== null && (await vals(seen)).some((v) => v < 0), "the hook got the conv output, negatives included");
    assert.ok((await vals(y)).every((v) => v >= 0));
    assert.equal(y.gradFn?.name, "relu");
  });

  it("a Conv2d subclass with its own forward runs that forward", async () => {
    class Doubled extends nn.Conv2d { forward(x: Tensor): Tensor { return super.forward(x).mul(2); } }
    const conv = new Doubled(3, 16, { kernelSize: 3, padding: 1 }).to(device);
    const x = torch.randn([1, 3, 5, 5], { device });
    close(await vals(F.relu(conv.forward(x))), await vals(nn.Sequential(conv, nn.ReLU()).forward(x)), "subclass");
  });

  it("bad shapes still name conv2d", () => {
    const model = nn.Sequential(nn.Conv2d(3, 16, { kernelSize: 3 }), nn.ReLU()).to(device);
    assert.throws(() => model.forward(torch.zeros([1, 4, 5, 5], { device })), { name: "ShapeError", message: /conv2d: input has 4 channels/ });
  });
}));
