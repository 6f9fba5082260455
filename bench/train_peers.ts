// bench/train_peers.ts
// The peers bench/train.ts measures tsgrad against, in the same run: PyTorch CPU (a Python
// subprocess that stays up, so that its rounds alternate with tsgrad's: its default Adam and
// Adam(fused=True), as two peers) and tfjs-core on its cpu and wasm backends. Each builds the same two models (the CNN of the MNIST run and an MLP
// 784-256-256-10) and times forward + backward + Adam + reading the loss, cycling through the
// same number of distinct batches as tsgrad (RING). Every peer runs in its own process with the
// thread count tsgrad uses and its own default environment (bench/peers/env.ts).
// tfjs runs in its own process (bench/train_tfjs.ts).

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as readline from "node:readline";
import * as fs from "node:fs";
import * as path from "node:path";
import { peerEnv, RING, TORCH_HINT, torchPython } from "./peers/env";

export interface PeerResult { samplesPerSec: number | null; note?: string }

const TORCH_SCRIPT = `
# PyTorch's side of bench/train.ts, as a server: the same models, batch sizes, batches per ring
# and Adam (PyTorch's default, and fused=True). bench/train.ts sends one JSON command per line and
# reads one JSON line back, so that its rounds alternate between tsgrad and PyTorch:
#   {"op": "train", "model": "cnn" | "mlp", "fused": bool, "seconds": s}: steps of that model,
#     built and warmed up (3 steps) on first use and kept, for at least s seconds (at least one
#     step): {"steps": n, "seconds": t};
#   {"op": "infer", "seconds": s}: the mean seconds of a batch-1 forward under no_grad, the result
#     read into a list, timed as bench/peers/timing.ts timeit: {"cnn": t, "mlp": t}.
import json, sys, time, torch, torch.nn as nn, torch.nn.functional as F
threads, ring = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads); torch.manual_seed(0)
def cnn():
    return nn.Sequential(nn.Conv2d(3, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(128 * 7 * 7, 1000), nn.ReLU(), nn.Linear(1000, 10))
def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
MODELS = {"cnn": (cnn, (64, 3, 28, 28)), "mlp": (mlp, (128, 784))}
def trainer(name, fused):
    make, shape = MODELS[name]
    model = make()
    batches = [(torch.rand(*shape), torch.randint(0, 10, (shape[0],))) for _ in range(ring)]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=fused)
    i = 0
    def step():
        nonlocal i
        x, y = batches[i % ring]; i += 1
        loss = F.cross_entropy(model(x), y); opt.zero_grad(); loss.backward(); opt.step(); return loss.item()
    for _ in range(3): step()
    return step
def infer(model, shape, seconds):
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
steps = {}
print(json.dumps({"version": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["op"] == "train":
        key = (cmd["model"], bool(cmd["fused"]))
        if key not in steps: steps[key] = trainer(cmd["model"], True if cmd["fused"] else None)
        step, n, t0 = steps[key], 0, time.perf_counter()
        while time.perf_counter() - t0 < cmd["seconds"] or n < 1:
            step(); n += 1
        out = {"steps": n, "seconds": time.perf_counter() - t0}
    else:
        out = {m: infer(make(), (1,) + shape[1:], cmd["seconds"]) for m, (make, shape) in MODELS.items()}
    print(json.dumps(out), flush=True)
`;

/** PyTorch's training steps and batch-1 inference, in a process that stays up for the whole run
 * so that bench/train.ts can alternate rounds of its steps with tsgrad's (TORCH_SCRIPT). */
export class TorchTrainer {
  private constructor(private readonly child: ChildProcess, private readonly lines: AsyncIterator<string>,
    private readonly lastWords: () => Promise<string>, readonly version: string, readonly threads: number) {}

  /** The started peer, or why it could not start (no Python with torch, or torch failed). */
  static async start(threads: number): Promise<TorchTrainer | string> {
    const py = torchPython();
    if (!py) return `no python with torch (${TORCH_HINT})`;
    const child = spawn(py, ["-c", TORCH_SCRIPT, String(threads), String(RING)], { env: peerEnv(threads), stdio: ["pipe", "pipe", "pipe"] });
    let err = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => { err += d; });
    child.stdin!.on("error", () => { /* the process ended: the next read reports why */ });
    // Its last words: stdout can end before the stderr it wrote on the way out has been read, so
    // wait for 'close' (every stream drained; 2 s at most) before quoting it.
    const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
    const lastWords = async (): Promise<string> => {
      await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]);
      return err.trim().split("\n").pop() || "no output";
    };
    const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) return `torch failed: ${await lastWords()}`;
    const hello = JSON.parse(first.value) as { version: string; threads: number };
    return new TorchTrainer(child, lines, lastWords, hello.version, hello.threads);
  }

  /** Steps of PyTorch's `model` with its default or fused Adam for at least `seconds`. */
  train(model: "cnn" | "mlp", fused: boolean, seconds: number): Promise<{ steps: number; seconds: number }> {
    return this.ask({ op: "train", model, fused, seconds });
  }

  /** Mean seconds of a batch-1 forward of each model. */
  infer(seconds: number): Promise<{ cnn: number; mlp: number }> {
    return this.ask({ op: "infer", seconds });
  }

  close(): void { this.child.stdin!.end(); }

  private async ask<T>(cmd: object): Promise<T> {
    this.child.stdin!.write(JSON.stringify(cmd) + "\n");
    const r = await this.lines.next();
    if (r.done) throw new Error(`torch failed: ${await this.lastWords()}`);
    return JSON.parse(r.value) as T;
  }
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
