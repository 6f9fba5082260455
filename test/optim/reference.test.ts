import assert from "node:assert/strict";
import { torch } from "../../runtime/tensor/index";
import type { Tensor } from "../../runtime/tensor/tensor";
import * as nn from "../../runtime/tensor/nn/index";
import * as optim from "../../runtime/tensor/optim/index";
import { F } from "../../runtime/tensor/functional";
import { loadReference } from "../helpers/torch_ref";

interface Ref { shape: number[]; dtype: string; data: number[] }
const ref = loadReference();
const cases: any[] = ref.cases;
const t = (r: Ref, requiresGrad = false) =>
  torch.tensor(r.dtype === "int32" || r.dtype === "int64" ? Int32Array.from(r.data) : Float32Array.from(r.data), { requiresGrad }).reshape(r.shape);

function assertClose(got: ArrayLike<number>, want: number[], atol: number, rtol: number, what: string) {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= atol + rtol * Math.abs(want[i])))
      assert.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]} (|err| ${err.toExponential(2)})`);
  }
}
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
function options(kwargs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [camel(k), v]));
}

describe("optimizers match PyTorch (torch-ops.json)", () => {
  for (const c of cases.filter((c) => c.op === "optimizer")) {
    for (const fused of [true, false]) {
      const label = `${c.optimizer}(${JSON.stringify(c.kwargs)})${c.optimizer.startsWith("Adam") ? (fused ? " fused" : " tensor ops") : ""}`;
      if (!fused && !c.optimizer.startsWith("Adam")) continue;
      it(`${label}: ${c.trajectory.length} steps follow the reference trajectory`, () => {
        const p = nn.Parameter(t(c.param));
        const Opt = (optim as any)[c.optimizer];
        const opt = Opt([p], { ...options(c.kwargs), fused });
        c.grads.forEach((g: Ref, k: number) => {
          p.grad = t(g);
          opt.step();
          assertClose(p.dataSync(), c.trajectory[k].data, 1e-4, 1e-4, `${label} step ${k + 1}`);
        });
      });
    }
  }
});

class RefNet extends nn.Module {
  conv1 = nn.Conv2d(3, 8, { kernelSize: 3, padding: 1 });
  conv2 = nn.Conv2d(8, 16, { kernelSize: 3, padding: 1 });
  fc1 = nn.Linear(16 * 7 * 7, 32);
  fc2 = nn.Linear(32, 10);
  forward(x: Tensor): Tensor {
    x = F.maxPool2d(this.conv1.forward(x).relu(), 2);
    x = F.maxPool2d(this.conv2.forward(x).relu(), 2);
    return this.fc2.forward(this.fc1.forward(x.flatten(1)).relu());
  }
}

describe("model_step matches PyTorch (torch-ops.json)", () => {
  const c = cases.find((c) => c.op === "model_step");
  it("has the model the test builds", () => assert.match(c.model, /conv3x3\(3->8,p1\) relu maxpool2 conv3x3\(8->16,p1\) relu maxpool2 flatten linear\(784->32\) relu linear\(32->10\); cross_entropy; Adam lr=0.001, 3 steps/));
  for (const fused of [true, false]) {
    it(`CNN + Adam${fused ? "" : " (tensor ops)"}: losses, first gradients and weights after 3 steps within 1e-3`, () => {
      const model = new RefNet();
      const sd: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.state_dict)) sd[k] = t(v as Ref);
      model.loadStateDict(sd);
      const x = t(c.x), y = t(c.y);
      const opt = optim.Adam(model.parameters(), { lr: 1e-3, fused });
      const params = Object.fromEntries(model.namedParameters());
      for (let step = 0; step < 3; step++) {
        const loss = F.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        assertClose([loss.itemSync()], [c.losses[step]], 0, 1e-3, `loss ${step + 1}`);
        if (step === 0) for (const [k, g] of Object.entries(c.first_grads))
          assertClose(params[k].grad!.dataSync(), (g as Ref).data, 1e-6, 1e-3, `grad ${k}`);
        opt.step();
      }
      for (const [k, w] of Object.entries(c.final_state_dict))
        assertClose(params[k].dataSync(), (w as Ref).data, 1e-6, 1e-3, `final ${k}`);
    });
  }
});
