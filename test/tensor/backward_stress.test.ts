// test/tensor/backward_stress.test.ts
// backward() frees each spent gradient at once, and a leaf takes over a gradient nothing else holds;
// neither may free a tensor someone still uses ("tensor of shape [] was disposed"). Checked by:
// - gradients that hooks, retainGrad or autograd.grad hold while they pass unchanged to the next node;
// - notebook 03's training loop (MLP with L2/L1 penalties, dropout, batch norm; tidy per step;
//   `await loss.item()` between steps; forced garbage collections at seeded random points);
// - penalties summed from many scalar and vector parameters;
// - seeded random graphs (views, broadcasting, shared inputs, pass-through gradients, penalties),
//   whose .grad, retained and captured gradients must equal those of createGraph (which frees
//   and takes over nothing), step after step, with and without zeroGrad.

import assert from "node:assert/strict";
import { torch, F, type Tensor } from "../../runtime/tensor/index";
import * as nn from "../../runtime/tensor/nn/index";
import * as optim from "../../runtime/tensor/optim/index";

const gc = (globalThis as { gc?: () => void }).gc;

/** A small seeded generator (the graphs must be rebuilt identically). */
class Rng {
  constructor(private s: number) {}
  next(): number { this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0; return this.s / 4294967296; }
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]; }
}

const values = (t: Tensor): number[] => Array.from(t.dataSync() as Float32Array);

function assertValuesClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++)
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-3 * (1 + Math.abs(expected[i])), `${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
}

describe("backward frees spent gradients, never one still in use", () => {
  describe("gradients held outside the pass", () => {
    const leaf = (n: number) => torch.randn([n], { requiresGrad: true });

    it("a retained gradient that passes unchanged to the node below stays readable", () => {
      const x = leaf(3);
      const y = x.mul(2).add(1);  // add(1) hands its gradient to mul unchanged
      y.retainGrad();
      y.square().sum().backward();
      assertValuesClose(values(y.grad!), values(y.mul(2)), "y.grad");
    });

    it("a retained scalar (shape []) gradient stays readable", () => {
      const x = leaf(4);
      const s = x.square().sum(), t = s.add(0);
      t.retainGrad();
      t.mul(3).backward();
      assert.equal(t.grad!.itemSync(), 3);
    });

    it("a gradient a node hook keeps stays readable", () => {
      const x = leaf(3);
      const y = x.mul(2).add(1);
      const seen: Tensor[] = [];
      y.registerHook((g) => { seen.push(g); });
      y.square().sum().backward();
      assertValuesClose(values(seen[0]), values(y.mul(2)), "hooked gradient");
    });

    it("a tensor a hook returns and keeps is not freed or taken over as .grad", () => {
      const x = leaf(3), w = leaf(3);
      const fixed = torch.ones([3]);
      w.registerHook(() => fixed);
      x.mul(2).add(1).mul(w).sum().backward();
      w.grad!.mul_(5);
      assert.deepEqual(values(fixed), [1, 1, 1]);
      x.mul(2).add(1).mul(w).sum().backward();
      assertValuesClose(values(w.grad!), [6, 6, 6], "w.grad");
    });

    it("a gradient a leaf hook keeps, also handed to a node, stays readable", () => {
      const w = leaf(3), x = leaf(3);
      const seen: Tensor[] = [];
      w.registerHook((g) => { seen.push(g); return g.mul(1); });
      x.mul(2).add(w).mul(3).sum().backward();
      assert.deepEqual(values(seen[0]), [3, 3, 3]);
    });

    it("autograd.grad of an intermediate whose gradient passes unchanged stays readable", () => {
      const x = leaf(3);
      const y = x.mul(2).add(1);
      const [gy, gx] = torch.autograd.grad(y.square().sum(), [y, x]);
      assertValuesClose(values(gy!), values(y.mul(2)), "dL/dy");
      assertValuesClose(values(gx!), values(y.mul(4)), "dL/dx");
    });
  });

  describe("notebook 03's training loop", () => {
    type Variant = "baseline" | "l2" | "l1" | "dropout" | "batchnorm";
    const variants: Variant[] = ["baseline", "l2", "l1", "dropout", "batchnorm"];

    function makeModel(v: Variant, inputs: number, hidden: number): nn.Module & { forward(x: Tensor): Tensor } {
      const block = (i: number, o: number) => v === "dropout" ? [nn.Linear(i, o), nn.ReLU(), nn.Dropout(0.5)]
        : v === "batchnorm" ? [nn.Linear(i, o), nn.BatchNorm1d(o), nn.ReLU()] : [nn.Linear(i, o), nn.ReLU()];
      return nn.Sequential(...block(inputs, hidden), ...block(hidden, hidden), nn.Linear(hidden, 10));
    }

    function penalty(v: Variant, model: nn.Module): Tensor | null {
      const weights = model.namedParameters().filter(([n]) => n.endsWith("weight")).map(([, p]) => p);
      if (v === "l2") return nn.utils.l2Penalty(weights, 1e-3);
      if (v === "l1") return nn.utils.l1Penalty(weights, 1e-4);
      return null;
    }

    it("trains every variant in one process, with collections at random points, without a freed tensor", async () => {
      assert.ok(gc, "mocha runs with --expose-gc (.mocharc.cjs)");
      const r = new Rng(3);
      const maybeGc = (p: number) => { if (r.next() < p) gc!(); };
      torch.manualSeed(0);
      const X = torch.randn([90, 24]), Y = X.narrow(1, 0, 10).argmax(1);  // a learnable rule
      const models: nn.Module[] = [];
      for (let round = 0; round < 2; round++) {
        for (const v of variants) {
          torch.manualSeed(round);
          const model = makeModel(v, 24, 16);
          const opt = optim.Adam(model.parameters(), { lr: 1e-2 });
          const losses: number[] = [];
          for (let epoch = 0; epoch < 3; epoch++) {
            for (let b = 0; b < 90; b += 20) {  // the last batch is short
              const x = X.narrow(0, b, Math.min(20, 90 - b)), y = Y.narrow(0, b, Math.min(20, 90 - b));
              const loss = torch.tidy(() => {
                let l = F.crossEntropy(model.forward(x), y);
                maybeGc(0.1);
                const p = penalty(v, model);
                if (p) l = l.add(p);
                opt.zeroGrad(); l.backward(); maybeGc(0.1); opt.step();
                return l;
              });
              maybeGc(0.1);
              losses.push(await loss.item());
            }
            model.eval();
            const [l, right] = torch.noGrad(() => torch.tidy(() => {
              const out = model.forward(X);
              return [F.crossEntropy(out, Y, { reduction: "sum" }), out.argmax(1).eq(Y).sum()];
            }));
            maybeGc(0.3);
            assert.ok(Number.isFinite(await l.item()) && (await right.item()) >= 0);
            model.train();
            await new Promise((res) => setImmediate(res));
          }
          assert.ok(losses.every(Number.isFinite), `${v}: losses ${losses}`);
          const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
          const first = mean(losses.slice(0, 5)), last = mean(losses.slice(-5));
          assert.ok(last < first, `${v}: the loss did not fall (epoch means ${first} -> ${last})`);
          for (const p of model.parameters()) assert.ok(p.grad !== null && !p.grad.isDisposed, `${v}: a parameter's .grad was freed`);
          models.push(model);
        }
      }
      // Earlier models (their last gradients included) are still intact.
      for (const m of models) for (const p of m.parameters()) values(p.grad!);
    });
  });

  it("penalties summed from many scalar and vector parameters give every parameter its gradient", () => {
    torch.manualSeed(1);
    const scalars = Array.from({ length: 24 }, () => nn.Parameter(torch.randn([])));
    const vectors = Array.from({ length: 8 }, (_, i) => nn.Parameter(torch.randn([i + 1])));
    const all = [...scalars, ...vectors];
    const opt = optim.SGD(all, { lr: 0.01 });
    for (let step = 0; step < 20; step++) {
      torch.tidy(() => {
        opt.zeroGrad(step % 2 === 0);
        const base = scalars.reduce((a, s) => a.add(s.mul(2)), torch.zeros([]));
        const loss = base.add(nn.utils.l2Penalty(all, 0.5)).add(nn.utils.l1Penalty(scalars, 0.1)).add(scalars[0]);
        loss.backward();
        if (step % 5 === 0 && gc) gc();
        for (const [i, s] of scalars.entries()) {
          const v = s.itemSync();
          assertValuesClose([s.grad!.itemSync()], [2 + v + 0.1 * Math.sign(v) + (i === 0 ? 1 : 0)], `step ${step}: scalar ${i}`);
        }
        for (const [i, p] of vectors.entries()) assertValuesClose(values(p.grad!), values(p), `step ${step}: vector ${i}`);
        opt.step();
      });
    }
  });

  describe("random graphs: every gradient equals createGraph's, step after step", () => {
    const broadcastable = (a: readonly number[], b: readonly number[]) => {
      for (let i = 1; i <= Math.min(a.length, b.length); i++) {
        const x = a[a.length - i], y = b[b.length - i];
        if (x !== y && x !== 1 && y !== 1) return false;
      }
      return true;
    };

    /** The same graph for the same seed; `watched` are intermediates that get a hook or retainGrad
     * when `hooks` (and are captured by autograd.grad otherwise). */
    function build(seed: number, leaves: Tensor[], consts: Tensor[], hooks: boolean, stash: Tensor[]): { loss: Tensor; watched: Tensor[] } {
      const r = new Rng(seed);
      const pool: Tensor[] = [...leaves, ...consts];
      const watched: Tensor[] = [];
      const nOps = 6 + r.int(14);
      for (let k = 0; k < nOps; k++) {
        const a = r.pick(pool);
        let out: Tensor;
        switch (r.int(16)) {
          case 0: out = a.square(); break;
          case 1: out = a.mul(0.5 + r.next()); break;
          case 2: out = a.add(r.int(2)); break;  // its gradient passes through unchanged
          case 3: out = a.sub(1).neg(); break;
          case 4: out = a.tanh(); break;
          case 5: out = a.sum(); break;
          case 6: out = a.mean(); break;
          case 7: out = a.reshape(-1); break;
          case 8: out = a.ndim === 2 ? a.t() : a.unsqueeze(0); break;
          case 9: out = a.ndim === 0 ? a.expand(2, 3) : a.ndim === 1 ? a.expand(3, a.shape[0]) : a.view(a.shape as number[]); break;
          case 10: out = a.clone(); break;
          case 11: out = a.detach(); break;
          case 12: out = a.ndim === 2 && a.shape[0] > 1 ? a.sum(0) : a.mul(a); break;
          case 13: { const m = a.ndim === 2 ? a : a.reshape(1, -1); out = m.matmul(m.t()); break; }
          default: {
            const b = r.pick(pool.filter((c) => broadcastable(a.shape, c.shape)));
            out = r.pick([() => a.add(b), () => a.mul(b), () => a.sub(b), () => b.add(a), () => a.add(a)])();
          }
        }
        const watch = r.int(4) === 0, retain = r.int(2) === 0;
        if (watch && out.requiresGrad) {
          if (hooks) {
            if (retain) out.retainGrad();
            else out.registerHook((g) => { stash.push(g); });
          }
          watched.push(out);
        }
        pool.push(out);
      }
      const results = pool.filter((t) => t.requiresGrad && !leaves.includes(t));
      const terms = results.filter((_, i) => i === results.length - 1 || r.int(4) === 0).map((t) => t.sum());
      let loss = terms.length ? terms.reduce((x, y) => x.add(y)) : leaves[0].sum();
      if (r.int(2)) loss = loss.add(nn.utils.l2Penalty(leaves, 1e-2));
      if (r.int(2)) loss = loss.add(nn.utils.l1Penalty(leaves, 1e-3));
      if (r.int(3) === 0) loss = loss.mul(0.5);
      if (r.int(3) === 0) loss = loss.add(leaves[0]);
      if (r.int(4) === 0) loss = loss.add(0);
      return { loss, watched };
    }

    function run(seed0: number, steps: number, hooks: boolean): void {
      const r = new Rng(seed0 * 7919);
      torch.manualSeed(seed0);
      const leaves = [torch.randn([], { requiresGrad: true }), torch.randn([3], { requiresGrad: true }),
        torch.randn([2, 3], { requiresGrad: true }), torch.randn([3, 2], { requiresGrad: true })];
      const consts = [torch.randn([2, 3]), torch.full([], 0.5)];
      let expected: (number[] | null)[] = leaves.map(() => null);
      for (let step = 0; step < steps; step++) {
        const seed = seed0 * 100003 + step;
        const ref = torch.tidy(() => {
          const { loss, watched } = build(seed, leaves, consts, false, []);
          return torch.autograd.grad(loss, [...leaves, ...watched], { createGraph: true, allowUnused: true }).map((g) => (g ? values(g) : null));
        });
        if (!hooks) torch.tidy(() => {
          const { loss, watched } = build(seed, leaves, consts, false, []);
          const gs = torch.autograd.grad(loss, [...leaves, ...watched], { allowUnused: true });
          gs.forEach((g, i) => { if (g) assertValuesClose(values(g), ref[i]!, `seed ${seed0} step ${step}: autograd.grad input ${i}`); });
        });
        const accumulate = r.int(3) === 0;
        const stash: Tensor[] = [];
        torch.tidy(() => {
          if (!accumulate) {
            if (r.int(2)) for (const l of leaves) l.grad = null;
            else for (const l of leaves) if (l.grad) torch.noGrad(() => l.grad!.zero_());
            expected = expected.map(() => null);
          }
          if (gc && r.int(5) === 0) gc();
          const { loss, watched } = build(seed, leaves, consts, hooks, stash);
          loss.backward();
          watched.forEach((w, i) => {
            if (w.grad) assertValuesClose(values(w.grad), ref[leaves.length + i] ?? [], `seed ${seed0} step ${step}: retained gradient ${i}`);
          });
          for (const g of stash) values(g);
        });
        leaves.forEach((l, i) => {
          const add = ref[i];
          if (add) expected[i] = expected[i] ? expected[i]!.map((v, j) => v + add[j]) : add;
          if (expected[i]) assertValuesClose(l.grad ? values(l.grad) : [], expected[i]!, `seed ${seed0} step ${step}: .grad of leaf ${i}`);
        });
      }
    }

    it("plain backward and autograd.grad (30 graphs x 20 steps)", () => {
      for (let s = 1; s <= 30; s++) run(s, 20, false);
    });

    it("with hooks and retainGrad on random intermediates (30 graphs x 20 steps)", () => {
      for (let s = 1; s <= 30; s++) run(s, 20, true);
    });
  });
});
