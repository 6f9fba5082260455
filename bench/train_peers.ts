// bench/train_peers.ts
// The peers bench/train.ts measures tsgrad against, in the same run: PyTorch CPU (a Python
// subprocess: its default Adam and Adam(fused=True), as two peers) and tfjs-core on its cpu and
// wasm backends. Each builds the same two models (the CNN of the MNIST run and an MLP
// 784-256-256-10) and times forward + backward + Adam + reading the loss, cycling through the
// same number of distinct batches as tsgrad (RING). Every peer runs in its own process with the
// thread count tsgrad uses and its own default environment (bench/peers/env.ts).
// tfjs runs in its own process (bench/train_tfjs.ts).

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { peerEnv, RING, TORCH_HINT, torchPython } from "./peers/env";

export interface PeerResult { samplesPerSec: number | null; note?: string }

const TORCH_SCRIPT = `
# PyTorch's side of bench/train.ts: the same models, batch sizes, batches per ring and Adam (as
# PyTorch's default, and with fused=True); samples/s as JSON; and the mean seconds of a batch-1
# forward under no_grad (infer), timed as bench/peers/timing.ts timeit.
import json, sys, time, torch, torch.nn as nn, torch.nn.functional as F
threads, seconds, ring = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads); torch.manual_seed(0)
def cnn():
    return nn.Sequential(nn.Conv2d(3, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(128 * 7 * 7, 1000), nn.ReLU(), nn.Linear(1000, 10))
def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
def bench(model, shape, fused):
    batches = [(torch.rand(*shape), torch.randint(0, 10, (shape[0],))) for _ in range(ring)]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=fused)
    i = 0
    def step():
        nonlocal i
        x, y = batches[i % ring]; i += 1
        loss = F.cross_entropy(model(x), y); opt.zero_grad(); loss.backward(); opt.step(); return loss.item()
    for _ in range(3): step()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds or n < 3:
        step(); n += 1
    return shape[0] * n / (time.perf_counter() - t0)
def infer(model, shape):
    # Mean seconds of one batch-1 forward under no_grad, the result read into a Python list.
    model.eval()
    inputs = [torch.rand(*shape) for _ in range(ring)]
    i = 0
    def call():
        nonlocal i
        with torch.no_grad():
            out = model(inputs[i % ring]).tolist()
        i += 1
        return out
    call()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds or n < 2:
        call(); n += 1
    return (time.perf_counter() - t0) / n
out = {"version": torch.__version__, "threads": torch.get_num_threads()}
out["infer"] = {"cnn": infer(cnn(), (1, 3, 28, 28)), "mlp": infer(mlp(), (1, 784))}
for fused in (None, True):
    key = "fused" if fused else "default"
    out[key] = {"cnn": bench(cnn(), (64, 3, 28, 28), fused), "mlp": bench(mlp(), (128, 784), fused)}
print(json.dumps(out))
`;

type Models = { cnn: PeerResult; mlp: PeerResult };

/** PyTorch with its default Adam (for-loop on CPU) and with Adam(fused=True). */
export function benchTorch(threads: number, seconds: number):
  { default: Models; fused: Models; infer?: { cnn: number | null; mlp: number | null }; version?: string; threads?: number } {
  const py = torchPython();
  const failed = (note: string) => ({ cnn: { samplesPerSec: null, note }, mlp: { samplesPerSec: null, note } });
  if (!py) { const f = failed(`no python with torch (${TORCH_HINT})`); return { default: f, fused: f }; }
  const r = spawnSync(py, ["-c", TORCH_SCRIPT, String(threads), String(seconds), String(RING)], { encoding: "utf8", env: peerEnv(threads) });
  if (r.status !== 0) { const f = failed(`torch failed: ${(r.stderr || "").trim().split("\n").pop()}`); return { default: f, fused: f }; }
  const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
  const models = (k: string): Models => ({ cnn: { samplesPerSec: j[k].cnn }, mlp: { samplesPerSec: j[k].mlp } });
  return { default: models("default"), fused: models("fused"), infer: j.infer, version: j.version, threads: j.threads };
}

/** Repository root (holds package.json), from bench/ or dist/bench/. */
export function repoRoot(): string {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, "package.json")) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

/** Run benchTfjs in a child process (node --import tsx), so tfjs's gradients load and its
 * allocations do not disturb the tsgrad measurement. */
export function benchTfjsProcess(backend: "cpu" | "wasm", model: "cnn" | "mlp", steps: number, threads: number,
  opts: { warmup?: number; timeoutMs?: number } = {}): PeerResult {
  const warmup = opts.warmup ?? 1, timeoutMs = opts.timeoutMs ?? 600000;
  const root = repoRoot();
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "bench", "train_tfjs.ts"), backend, model, String(steps), String(warmup), String(threads)],
    { cwd: root, encoding: "utf8", timeout: timeoutMs, env: peerEnv(threads) });
  const last = (r.stdout || "").trim().split("\n").pop() ?? "";
  try { return JSON.parse(last) as PeerResult; } catch { /* reported below */ }
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT")
    return { samplesPerSec: null, note: `tfjs-${backend} ${model}: ${steps + warmup} steps did not finish within ${timeoutMs / 1000} s` };
  const why = (r.stderr || "").trim().split("\n").filter((l) => /Error/.test(l))[0] ?? String(r.error ?? r.signal ?? "no output");
  return { samplesPerSec: null, note: `tfjs-${backend} ${model} failed: ${why}` };
}
