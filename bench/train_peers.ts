// bench/train_peers.ts
// The peers bench/train.ts measures tsgrad against, in the same run: PyTorch CPU (a Python
// subprocess, 2 threads) and tfjs-core on its cpu and wasm backends. Each builds the same two
// models (the CNN of the MNIST run and an MLP 784-256-256-10) and times forward + backward + Adam.
// tfjs runs in its own process (bench/train_tfjs.ts).

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface PeerResult { samplesPerSec: number | null; note?: string }

const TORCH_SCRIPT = `
# PyTorch's side of bench/train.ts: the same models, batch sizes and Adam; samples/s as JSON.
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

/** Repository root (holds package.json), from bench/ or dist/bench/. */
export function repoRoot(): string {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, "package.json")) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

/** Run benchTfjs in a child process (node --import tsx), so tfjs's gradients load and its
 * allocations do not disturb the tsgrad measurement. */
export function benchTfjsProcess(backend: "cpu" | "wasm", model: "cnn" | "mlp", steps: number, opts: { warmup?: number; timeoutMs?: number } = {}): PeerResult {
  const warmup = opts.warmup ?? 1, timeoutMs = opts.timeoutMs ?? 600000;
  const root = repoRoot();
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "bench", "train_tfjs.ts"), backend, model, String(steps), String(warmup)],
    { cwd: root, encoding: "utf8", timeout: timeoutMs });
  const last = (r.stdout || "").trim().split("\n").pop() ?? "";
  try { return JSON.parse(last) as PeerResult; } catch { /* reported below */ }
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT")
    return { samplesPerSec: null, note: `tfjs-${backend} ${model}: ${steps + warmup} steps did not finish within ${timeoutMs / 1000} s` };
  const why = (r.stderr || "").trim().split("\n").filter((l) => /Error/.test(l))[0] ?? String(r.error ?? r.signal ?? "no output");
  return { samplesPerSec: null, note: `tfjs-${backend} ${model} failed: ${why}` };
}
