// test/tensor/memory.test.ts
// Memory: dispose() and tidy() free at once (views keep the storage alive until the last one
// goes), unreachable tensors are freed by the garbage collector, autograd keeps what backward
// needs, and a training-like loop keeps backend.memory() flat.

import assert from "node:assert/strict";
import { torch, F, type Tensor } from "../../runtime/tensor/index";
import { forEachBackend, trackAll } from "../helpers/backends";
import { getBackend } from "../../runtime/tensor/backend";
import { CpuBackend } from "../../runtime/tensor/cpu";


forEachBackend((device) => {
  const live = () => getBackend(device).memory().buffers;
  const opts = { device };

  describe("dispose and tidy", () => {
    trackAll(device);

    it("dispose frees at once; a view keeps the storage until it is disposed too", () => {
      const before = live();
      const x = torch.ones(4, opts);
      const v = x.reshape(2, 2);
      assert.equal(live(), before + 1);
      x.dispose();
      assert.equal(live(), before + 1);
      assert.equal(x.isDisposed, true);
      v.dispose();
      assert.equal(live(), before);
      assert.throws(() => x.add(1), /was disposed/);
    });

    it("tidy disposes what the function created except what it returns", async () => {
      const before = live();
      const kept = torch.ones(3, opts);
      const out = torch.tidy(() => {
        const a = kept.mul(2), b = a.add(1), c = b.exp();
        void c;
        return { result: b.sum(), list: [a] };
      });
      assert.equal(live(), before + 3);
      assert.equal(await out.result.item(), 9);
      assert.equal(out.list[0].isDisposed, false);
      assert.equal(kept.isDisposed, false);
    });

    it("nested tidy hands returned tensors to the outer scope; keep() survives both", () => {
      const before = live();
      let inner: Tensor | null = null, kept: Tensor | null = null;
      torch.tidy(() => {
        inner = torch.tidy(() => torch.ones(2, opts).add(1));
        kept = torch.keep(torch.zeros(2, opts));
      });
      assert.equal(inner!.isDisposed, true);
      assert.equal(kept!.isDisposed, false);
      assert.equal(live(), before + 1);
    });

    it("tidy around an async function disposes after the promise settles", async () => {
      const before = live();
      const result = await torch.tidy(async () => {
        const a = torch.ones(2, opts).mul(3);
        await new Promise((r) => setTimeout(r, 1));
        return a.sum();
      });
      assert.equal(await result.item(), 6);
      assert.ok(live() <= before + 2, `${live()} live buffers, started with ${before}`);
    });

    it("backward works on a loss returned from tidy: saved tensors outlive disposal", async () => {
      const w = torch.ones(3, { ...opts, requiresGrad: true });
      const loss = torch.tidy(() => w.mul(torch.tensor([1, 2, 3], opts)).square().sum());
      loss.backward();
      assert.deepEqual(await w.grad!.toArray(), [2, 8, 18]);
    });

    it("gradients assigned by backward inside tidy are kept", async () => {
      const w = torch.ones(2, { ...opts, requiresGrad: true });
      torch.tidy(() => { w.mul(3).sum().backward(); });
      assert.equal(w.grad!.isDisposed, false);
      assert.deepEqual(await w.grad!.toArray(), [3, 3]);
    });

    it("a training-like loop in tidy keeps memory flat", async () => {
      const w = torch.randn([8, 4], { ...opts, requiresGrad: true }), b = torch.zeros([4], { ...opts, requiresGrad: true });
      const x = torch.randn(16, 8, opts), y = torch.randint(0, 4, [16], opts);
      const step = () => torch.tidy(() => {
        const loss = F.crossEntropy(F.linear(x, w.t(), b).relu(), y);
        w.grad?.dispose(); b.grad?.dispose();
        w.grad = null; b.grad = null;
        loss.backward();
        torch.noGrad(() => { w.sub_(w.grad!.mul(0.1)); b.sub_(b.grad!.mul(0.1)); });
        return loss;
      });
      step().dispose();
      const after1 = live();
      for (let i = 0; i < 5; i++) step().dispose();
      assert.equal(live(), after1);
    });
  });
});

describe("garbage collection", () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  trackAll("cpu");
  it("unreachable tensors are returned to the backend", async function () {
    assert.ok(gc, "mocha runs with --expose-gc (.mocharc.cjs)");
    const backend = getBackend("cpu");
    const before = backend.memory().buffers;
    (() => { for (let i = 0; i < 100; i++) torch.ones(10).add(i); })();
    assert.ok(backend.memory().buffers >= before + 100);
    for (let i = 0; i < 10 && backend.memory().buffers > before + 5; i++) {
      gc!();
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(backend.memory().buffers <= before + 5, `${backend.memory().buffers - before} buffers still live`);
  });
});

describe("small CPU arrays", () => {
  it("are not counted by memory() by default; large ones are; the collector frees both", () => {
    const b = new CpuBackend();
    const small = b.alloc(100, "float32"), large = b.alloc(b.untrackedBelow, "float32");
    assert.equal(b.collectsItself(small), true);
    assert.equal(b.collectsItself(large), true);
    assert.deepEqual(b.memory(), { buffers: 1, bytes: 4 * b.untrackedBelow });
    b.free(small);
    b.free(large);
    assert.deepEqual(b.memory(), { buffers: 0, bytes: 0 });
  });
});

describe("counting CPU storages", () => {
  it("stops at CpuBackend.maxCounted (finalizer cells stay bounded in a synchronous loop); frees stay consistent", () => {
    const b = new CpuBackend(), saved = CpuBackend.maxCounted;
    CpuBackend.maxCounted = 3;
    try {
      const bufs = Array.from({ length: 5 }, () => b.alloc(b.untrackedBelow, "float32"));
      assert.equal(b.memory().buffers, 3);
      for (const s of bufs) b.free(s);
      assert.deepEqual(b.memory(), { buffers: 0, bytes: 0 });
      const again = b.alloc(b.untrackedBelow, "float32");
      assert.equal(b.memory().buffers, 1);
      b.free(again);
    } finally {
      CpuBackend.maxCounted = saved;
    }
  });
});
