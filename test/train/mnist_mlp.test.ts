import assert from "node:assert/strict";
import { torch } from "../../runtime/tensor/index";
import type { Tensor } from "../../runtime/tensor/tensor";
import * as nn from "../../runtime/tensor/nn/index";
import * as optim from "../../runtime/tensor/optim/index";
import * as data from "../../runtime/tensor/data/index";
import { F } from "../../runtime/tensor/functional";

async function accuracy(model: nn.Module, loader: Iterable<[Tensor, Tensor]>): Promise<number> {
  model.eval();
  let right = 0, total = 0;
  torch.noGrad(() => {
    for (const [x, y] of loader) {
      right += model.forward(x).argmax(1).eq(y).sum().itemSync();
      total += y.shape[0];
    }
  });
  model.train();
  return right / total;
}

describe("training", () => {
  it("an MLP reaches 95% on the held-out 2,000 digits of the mnist package", async function () {
    this.timeout(180000);  // about 20 s of CPU; the margin is for a loaded machine
    torch.manualSeed(0);
    const norm = data.transforms.normalize(0.1307, 0.3081);
    const train = data.MNIST({ train: true, flatten: true, transform: norm });
    const test = data.MNIST({ train: false, flatten: true, transform: norm });
    const loader = data.DataLoader(train, { batchSize: 64, shuffle: true, generator: 0 });
    const model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.1), nn.Linear(256, 10));
    const opt = optim.Adam(model.parameters(), { lr: 1e-3 });
    const sched = optim.StepLR(opt, { stepSize: 3, gamma: 0.3 });
    const t0 = Date.now();
    const losses: number[] = [];
    for (let epoch = 0; epoch < 5; epoch++) {
      for await (const [x, y] of loader) {
        const loss = F.crossEntropy(model.forward(x), y);
        opt.zeroGrad(); loss.backward(); opt.step();
        losses.push(await loss.item());
      }
      sched.step();
    }
    const acc = await accuracy(model, data.DataLoader(test, { batchSize: 500 }));
    const first = losses.slice(0, 20).reduce((a, b) => a + b) / 20, last = losses.slice(-20).reduce((a, b) => a + b) / 20;
    console.log(`      MLP: ${losses.length} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s, loss ${first.toFixed(3)} -> ${last.toFixed(3)}, test accuracy ${(acc * 100).toFixed(2)}%`);
    assert.ok(last < 0.5 * first, `loss fell from ${first} to ${last}`);
    assert.ok(acc >= 0.95, `test accuracy ${acc}`);
  });
});
