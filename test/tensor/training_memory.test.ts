// test/tensor/training_memory.test.ts
// Training loops keep memory flat: an MLP and a small CNN trained with nn + optim (Adam, SGD with
// momentum) leave backend.memory() unchanged after warm-up, with every step in torch.tidy() and
// with no tidy at all (the garbage collector reclaims what nobody disposed); gradients replaced by
// zeroGrad() inside tidy are freed when it closes; and a long synchronous loop keeps process RSS flat.

import assert from "node:assert/strict";
import { torch, F, type Tensor } from "../../runtime/tensor/index";
import * as nn from "../../runtime/tensor/nn/index";
import * as optim from "../../runtime/tensor/optim/index";
import { getBackend, type DeviceName } from "../../runtime/tensor/backend";
import { forEachBackend, trackAll } from "../helpers/backends";

const gc = (globalThis as { gc?: () => void }).gc;


/** Let the collector take unreachable tensors and run their finalizers. */
async function settle(): Promise<void> {
  assert.ok(gc, "mocha runs with --expose-gc (.mocharc.cjs)");
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Setup { model: nn.Module & { forward(x: Tensor): Tensor }; opt: optim.Optimizer<{ lr: number }>; x: Tensor; y: Tensor }

function mlp(device: DeviceName, opt: "adam" | "sgd"): Setup {
  torch.manualSeed(0);
  const model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 5)).to(device);
  const o = opt === "adam" ? optim.Adam(model.parameters(), { lr: 1e-3 }) : optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  return { model, opt: o, x: torch.randn([16, 20], { device }), y: torch.randint(0, 5, [16], { device }) };
}

function cnn(device: DeviceName): Setup {
  torch.manualSeed(0);
  const model = nn.Sequential(
    nn.Conv2d(3, 4, 3, { padding: 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(4, 8, 3, { padding: 1 }), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    nn.Linear(8 * 2 * 2, 16), nn.ReLU(), nn.Linear(16, 10)).to(device);
  return { model, opt: optim.Adam(model.parameters(), { lr: 1e-3 }), x: torch.randn([4, 3, 8, 8], { device }), y: torch.randint(0, 10, [4], { device }) };
}

function step(s: Setup): Tensor {
  s.opt.zeroGrad();
  const loss = F.crossEntropy(s.model.forward(s.x), s.y);
  loss.backward();
  s.opt.step();
  return loss;
}

forEachBackend((device) => {
  describe("training loops keep backend memory flat", () => {
    trackAll(device);
    const mem = () => getBackend(device).memory();

    const cases: [string, () => Setup][] = [
      ["an MLP with Adam", () => mlp(device, "adam")],
      ["an MLP with SGD and momentum", () => mlp(device, "sgd")],
      ["a CNN with Adam", () => cnn(device)],
    ];
    for (const [name, make] of cases) {
      it(`${name}, each step in tidy`, async () => {
        const s = make();
        const tidyStep = async () => {
          const loss = torch.tidy(() => step(s));
          const v = await loss.item();
          loss.dispose();
          return v;
        };
        for (let i = 0; i < 2; i++) await tidyStep();
        const warm = mem();
        let last = 0;
        for (let i = 0; i < 4; i++) last = await tidyStep();
        assert.deepEqual(mem(), warm);
        assert.ok(Number.isFinite(last));
      });

      it(`${name}, no tidy: the collector reclaims what was not disposed`, async () => {
        const s = make();
        for (let i = 0; i < 2; i++) await step(s).item();
        await settle();
        const warm = mem();
        for (let i = 0; i < 4; i++) await step(s).item();
        await settle();
        assert.deepEqual(mem(), warm);
      });
    }

    it("gradients dropped by zeroGrad() inside tidy are freed when it closes; kept ones stay valid", async () => {
      const w = torch.ones([64], { device, requiresGrad: true });
      const before = mem().buffers;
      torch.tidy(() => { w.mul(2).sum().backward(); });
      assert.equal(mem().buffers, before + 1);       // the gradient
      const g = w.grad!;
      torch.tidy(() => { w.grad = null; });
      assert.equal(g.isDisposed, true);
      assert.equal(mem().buffers, before);
      torch.tidy(() => { w.mul(3).sum().backward(); });
      const kept = torch.tidy(() => { const old = w.grad!; w.grad = null; return old; });
      assert.equal(kept.isDisposed, false);          // returned from tidy: the caller owns it
      const total = kept.sum();
      assert.equal(await total.item(), 3 * 64);
      total.dispose();
      kept.dispose();
      assert.equal(mem().buffers, before);
    });
  });
});

forEachBackend((device) => {
  describe("backward spends little memory", () => {
    trackAll(device);
    const live = () => getBackend(device).memory().buffers;

    it("returns spent intermediate gradients to the pool at once, without tidy", async () => {
      const x = torch.randn([64], { device, requiresGrad: true });
      let y = x;
      for (let i = 0; i < 12; i++) y = y.mul(1.5).add(0.5);
      const loss = y.sum();
      const before = live();
      loss.backward();
      // x.grad and the implicit root gradient; the 24 node gradients in between are freed.
      assert.ok(live() - before <= 2, `${live() - before} buffers more after backward`);
      const want = 1.5 ** 12;
      for (const v of await x.grad!.data()) assert.ok(Math.abs(v - want) < 1e-3 * want);
    });

    it("gives linear's weight a contiguous gradient without copying it", async () => {
      const w = torch.randn([6, 5], { device, requiresGrad: true }), b = torch.zeros([6], { device, requiresGrad: true });
      const x = torch.randn([4, 5], { device });
      const loss = F.linear(x, w, b).square().sum();
      const backend = getBackend(device) as { copy(...a: unknown[]): void };
      const copy = backend.copy;
      let copies = 0;
      backend.copy = function (this: unknown, ...a: unknown[]) { copies++; return copy.apply(this, a); };
      try { loss.backward(); } finally { backend.copy = copy; }
      assert.equal(copies, 0);
      assert.equal(w.grad!.isContiguous(), true);
      // dL/dW = (2 y)^T x with y = x W^T + b
      const y = torch.noGrad(() => F.linear(x, w, b));
      const want = await torch.noGrad(() => y.mul(2).t().matmul(x)).data(), got = await w.grad!.data();
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-4 * (1 + Math.abs(want[i])));
    });
  });
});

describe("a long synchronous training loop", () => {
  it("keeps process RSS within 10% after warm-up (2,000 MLP steps, no tidy)", async function () {
    this.timeout(600_000); // ~15 s on a quiet 2-core machine; minutes when the cores are shared
    const model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10));
    const opt = optim.Adam(model.parameters(), { lr: 1e-3 });
    const big: Setup = { model, opt, x: torch.randn(128, 784), y: torch.randint(0, 10, [128]) };
    // Synchronous: no await inside, so no finalizer callback can run; only the collector helps.
    // RSS moves with the collector's rhythm: compare the highest sample just after warm-up
    // (steps 200-400) with the lowest of the last 200 steps; a leak lifts the whole curve.
    let warm = 0, end = Infinity;
    for (let i = 0; i < 2000; i++) {
      step(big);
      if (i % 20 === 0) {
        const rss = process.memoryUsage().rss;
        if (i >= 200 && i < 400) warm = Math.max(warm, rss);
        if (i >= 1800) end = Math.min(end, rss);
      }
    }
    assert.ok(end <= warm * 1.1, `RSS ${(warm / 2 ** 20).toFixed(0)} MiB after warm-up, ${(end / 2 ** 20).toFixed(0)} MiB at 2,000 steps`);
  });
});
