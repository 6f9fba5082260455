import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { torch } from "../../runtime/tensor/index";
import * as nn from "../../runtime/tensor/nn/index";
import * as optim from "../../runtime/tensor/optim/index";

// PyTorch outputs for options torch-ops.json does not cover; regenerate with fixtures/gen_torch_extra.py.
const ref = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "torch_extra.json"), "utf8"));
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase()).replace(/^T_max$/, "tMax").replace(/^tMax$/, "tMax");
const opts = (kw: Record<string, unknown>) => Object.fromEntries(Object.entries(kw).map(([k, v]) => [k === "T_max" ? "tMax" : camel(k), v]));
const tensorOf = (r: { shape: number[]; data: number[] }) => torch.tensor(Float32Array.from(r.data)).reshape(r.shape);

function close(got: ArrayLike<number>, want: number[], what: string, atol = 1e-5, rtol = 1e-4) {
  for (let i = 0; i < want.length; i++)
    if (!(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]))) assert.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
}

describe("optimizer options match PyTorch (fixtures/torch_extra.json)", () => {
  for (const c of ref.optimizers) {
    for (const fused of [true, false]) {
      if (!fused && !c.optimizer.startsWith("Adam")) continue;
      const label = `${c.optimizer}(${JSON.stringify(c.kwargs)})${c.optimizer.startsWith("Adam") ? (fused ? "" : " tensor ops") : ""}`;
      it(`${label}: 5 steps`, () => {
        const p = nn.Parameter(tensorOf(c.param));
        const opt = (optim as any)[c.optimizer]([p], { ...opts(c.kwargs), fused });
        c.grads.forEach((g: any, k: number) => {
          p.grad = tensorOf(g);
          opt.step();
          close(p.dataSync(), c.trajectory[k].data, `${label} step ${k + 1}`);
        });
      });
    }
  }
});

describe("lr schedulers match PyTorch (fixtures/torch_extra.json)", () => {
  for (const c of ref.schedulers) {
    it(`${c.scheduler}(${JSON.stringify(c.kwargs)}) on ${c.optimizer}: lr and momentum per step`, () => {
      const p = nn.Parameter(torch.zeros(1));
      const opt = c.optimizer === "SGD" ? optim.SGD([p], { lr: 0.1, momentum: 0.9 }) : optim.Adam([p], { lr: 0.1 });
      const s = (optim.lrScheduler as any)[c.scheduler](opt, opts(c.kwargs));
      for (let i = 0; i < c.lrs.length; i++) {
        close(s.getLastLr(), [c.lrs[i]], `${c.scheduler} lr at step ${i}`, 1e-9, 1e-6);
        const g = opt.paramGroups[0] as any;
        close([g.momentum ?? g.betas[0]], [c.momentum[i]], `${c.scheduler} momentum at step ${i}`, 1e-9, 1e-6);
        p.grad = torch.zeros(1);
        opt.step(); s.step();
      }
    });
  }

  it("ReduceLROnPlateau: lr after each metric", () => {
    const p = nn.Parameter(torch.zeros(1));
    const opt = optim.SGD([p], { lr: 1 });
    const s = optim.ReduceLROnPlateau(opt, opts(ref.plateau.kwargs));
    const lrs = ref.plateau.metrics.map((m: number) => { s.step(m); return opt.paramGroups[0].lr; });
    close(lrs, ref.plateau.lrs, "lr");
  });
});

describe("optimizer behaviour", () => {
  it("param groups keep their own hyper-parameters; stateDict lists params by index", () => {
    const a = nn.Parameter(torch.ones(2)), b = nn.Parameter(torch.ones(3));
    const opt = optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    a.grad = torch.ones(2); b.grad = torch.ones(3);
    opt.step();
    close(a.dataSync(), [0.9, 0.9], "a"); close(b.dataSync(), [0.5, 0.5, 0.5], "b");
    const sd = opt.stateDict();
    assert.deepEqual(sd.paramGroups.map((g) => [g.lr, g.params]), [[0.1, [0]], [0.5, [1]]]);
    assert.deepEqual(Object.keys(sd.state), ["0", "1"]);
    assert.throws(() => optim.SGD([a, a], { lr: 1 }).addParamGroup({ params: [a] }), /more than one parameter group/);
  });

  it("zeroGrad drops gradients; a parameter without a gradient is left alone", () => {
    const a = nn.Parameter(torch.ones(2)), b = nn.Parameter(torch.ones(2));
    const opt = optim.Adam([a, b], { lr: 0.1 });
    a.grad = torch.ones(2);
    opt.step();
    assert.deepEqual(Array.from(b.dataSync()), [1, 1]);
    assert.ok(a.dataSync()[0] < 1);
    opt.zeroGrad();
    assert.equal(a.grad, null);
  });

  it("step() inside torch.tidy keeps the optimiser state alive", () => {
    const a = nn.Parameter(torch.ones(4));
    const opt = optim.Adam([a], { lr: 0.1, fused: false });
    for (let i = 0; i < 3; i++) torch.tidy(() => { a.grad = torch.ones(4); opt.step(); });
    const st = opt.stateDict().state[0];
    assert.equal(st.step, 3);
    assert.ok(!(st.expAvg as any).isDisposed);
    close((st.expAvg as any).dataSync(), [1 - 0.9 ** 3, 1 - 0.9 ** 3, 1 - 0.9 ** 3, 1 - 0.9 ** 3], "expAvg");
  });
});
