// bench/train_peers.ts
// The peers bench/train.ts measures tsgrad against, in the same run: PyTorch CPU (a Python
// subprocess, 2 threads) and tfjs-core on its cpu and wasm backends. Each builds the same two
// models (the CNN of the MNIST run and an MLP 784-256-256-10) and times forward + backward + Adam.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface PeerResult { samplesPerSec: number | null; note?: string }

const TORCH_SCRIPT = `
import json, sys, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(int(sys.argv[1])); torch.manual_seed(0)
def cnn():
    return nn.Sequential(nn.Conv2d(3, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(128 * 7 * 7, 1000), nn.ReLU(), nn.Linear(1000, 10))
def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
def bench(model, x, y, seconds):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    def step():
        loss = F.cross_entropy(model(x), y); opt.zero_grad(); loss.backward(); opt.step(); return loss.item()
    for _ in range(3): step()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds or n < 3:
        step(); n += 1
    return x.shape[0] * n / (time.perf_counter() - t0)
out = {"cnn": bench(cnn(), torch.rand(64, 3, 28, 28), torch.randint(0, 10, (64,)), float(sys.argv[2])),
       "mlp": bench(mlp(), torch.rand(128, 784), torch.randint(0, 10, (128,)), float(sys.argv[2])),
       "version": torch.__version__, "threads": torch.get_num_threads()}
print(json.dumps(out))
`;

/** Python with torch: TSGRAD_TORCH_PYTHON, else ~/.venvs/torch/bin/python; null when neither imports torch. */
export function torchPython(): string | null {
  const candidates = [process.env.TSGRAD_TORCH_PYTHON, path.join(os.homedir(), ".venvs/torch/bin/python")];
  for (const py of candidates) {
    if (!py || !fs.existsSync(py)) continue;
    const r = spawnSync(py, ["-c", "import torch"], { encoding: "utf8" });
    if (r.status === 0) return py;
  }
  return null;
}

export function benchTorch(threads: number, seconds: number): { cnn: PeerResult; mlp: PeerResult; version?: string } {
  const py = torchPython();
  if (!py) {
    const note = "no python with torch (set TSGRAD_TORCH_PYTHON or create ~/.venvs/torch)";
    return { cnn: { samplesPerSec: null, note }, mlp: { samplesPerSec: null, note } };
  }
  const r = spawnSync(py, ["-c", TORCH_SCRIPT, String(threads), String(seconds)], { encoding: "utf8" });
  if (r.status !== 0) {
    const note = `torch failed: ${(r.stderr || "").trim().split("\n").pop()}`;
    return { cnn: { samplesPerSec: null, note }, mlp: { samplesPerSec: null, note } };
  }
  const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
  return { cnn: { samplesPerSec: j.cnn }, mlp: { samplesPerSec: j.mlp }, version: j.version };
}

/** tfjs-core on `backend`: the CNN (NHWC, as tfjs wants) and the MLP, Adam lr 1e-3. */
export async function benchTfjs(backend: "cpu" | "wasm", model: "cnn" | "mlp", steps: number): Promise<PeerResult> {
  // Imported lazily: loading tfjs costs a second and prints a banner.
  const tf: any = await import("@tensorflow/tfjs-core");
  await import("@tensorflow/tfjs-core/dist/register_all_gradients.js" as string);
  await import("@tensorflow/tfjs-backend-cpu");
  await import("@tensorflow/tfjs-backend-wasm");
  await tf.setBackend(backend);
  await tf.ready();
  const v = (shape: number[], fanIn: number): any => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)));
  let batch: number, forward: (x: any) => any, x: any;
  if (model === "cnn") {
    batch = 64;
    const c1 = v([3, 3, 3, 64], 27), b1 = v([64], 27), c2 = v([3, 3, 64, 128], 576), b2 = v([128], 576);
    const f1 = v([128 * 7 * 7, 1000], 6272), fb1 = v([1000], 6272), f2 = v([1000, 10], 1000), fb2 = v([10], 1000);
    x = tf.randomUniform([batch, 28, 28, 3]);
    forward = (x) => {
      let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, c1, 1, "same"), b1)), 2, 2, "valid");
      h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, c2, 1, "same"), b2)), 2, 2, "valid");
      h = tf.relu(tf.add(tf.matMul(tf.reshape(h, [batch, -1]), f1), fb1));
      return tf.add(tf.matMul(h, f2), fb2);
    };
  } else {
    batch = 128;
    const w1 = v([784, 256], 784), b1 = v([256], 784), w2 = v([256, 256], 256), b2 = v([256], 256);
    const w3 = v([256, 10], 256), b3 = v([10], 256);
    x = tf.randomUniform([batch, 784]);
    forward = (x) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2)), w3), b3);
  }
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, "int32") as any, 10);
  const opt = tf.train.adam(1e-3);
  const step = () => tf.tidy(() => {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)) as any, true);
    return (loss as any).dataSync()[0];
  });
  try {
    step();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step();
    return { samplesPerSec: (batch * steps * 1000) / (performance.now() - t0) };
  } catch (e) {
    return { samplesPerSec: null, note: `tfjs-${backend} cannot train the ${model}: ${(e as Error).message.split("\n")[0]}` };
  }
}
