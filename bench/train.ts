// bench/train.ts — `npm run bench:train`
// Samples per second of one training step (forward, backward, Adam, reading the loss) for the
// MNIST CNN (conv3x3 3->64, relu, pool, conv3x3 64->128, relu, pool, linear 6272->1000, relu,
// linear 1000->10; batch 64 of 3x28x28) and an MLP 784-256-256-10 (batch 128), through the public
// API on both sides (F.crossEntropy, loss.backward(), optim.Adam; F.cross_entropy, torch.optim.Adam):
// tsgrad on the default CPU backend and, in the same run, PyTorch CPU with its default Adam
// ("pytorch") and with Adam(fused=True) ("pytorch_fused"; tsgrad's Adam is one fused pass), and
// tfjs-core cpu/wasm. Ratios are tsgrad / peer (above 1 = tsgrad ahead).
// Fairness (#12): BENCH_THREADS (default: every core) sets tsgrad's threads and each peer's; each
// peer runs in its own default environment (bench/peers/env.ts); every side cycles through RING
// distinct batches and reads the loss back each step. tfjs-cpu is one JavaScript thread and
// tfjs-wasm's threaded build does not start in Node, so their ratios are labelled "vs 1 thread".
// The last line is one JSON object: {"bench":"train","results":[...]}.
// Env: TSGRAD_BENCH_SECONDS (timing budget per case, default 5), BENCH_THREADS,
// TSGRAD_TORCH_PYTHON, BENCH_TFJS_CPU_CNN_S (how long tfjs-cpu may take for its one CNN step,
// default 900), BENCH_PEERS (comma list, default "pytorch,tfjs-cpu,tfjs-wasm").

// First: peers/env captures the environment before tsgrad's runtime loads.
import { benchThreads, busyNote, RING } from "./peers/env";
import * as os from "node:os";
import { torch } from "../runtime/tensor/index";
import { getBackend } from "../runtime/tensor/backend";
import type { Tensor } from "../runtime/tensor/tensor";
import * as nn from "../runtime/tensor/nn/index";
import * as optim from "../runtime/tensor/optim/index";
import { F } from "../runtime/tensor/functional";
import { NativeCpuBackend } from "../runtime/tensor/cpu";
import { benchTorch, benchTfjsProcess, type PeerResult } from "./train_peers";
import { timeit } from "./peers/timing";

export function mnistCnn(): nn.Module {
  return nn.Sequential(
    nn.Conv2d(3, 64, { kernelSize: 3, padding: 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(64, 128, { kernelSize: 3, padding: 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(128 * 7 * 7, 1000), nn.ReLU(), nn.Linear(1000, 10));
}

function mlp(): nn.Module {
  return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10));
}

/** samples/s of forward + backward + Adam on RING batches in turn, timed as every bench here
 * times (bench/peers/timing.ts: a warm-up step, then steps for `seconds`, at least two). */
function benchTsgrad(model: nn.Module, shape: number[], seconds: number): number {
  const batches = Array.from({ length: RING }, () => [torch.rand(shape), torch.randint(0, 10, [shape[0]], { dtype: "int32" })]);
  const opt = optim.Adam(model.parameters(), { lr: 1e-3 });
  let i = 0;
  const step = () => torch.tidy(() => {
    const [x, y] = batches[i++ % RING];
    const loss = F.crossEntropy(model.forward(x), y);
    opt.zeroGrad(); loss.backward(); opt.step();
    return loss.itemSync();
  });
  return shape[0] / timeit(step, seconds);
}

const ratio = (a: number | null, b: number | null) => (a && b ? Number((a / b).toFixed(3)) : null);
const fmt = (v: number | null) => (v === null ? "n/a" : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const PEERS = (process.env.BENCH_PEERS ?? "pytorch,tfjs-cpu,tfjs-wasm").split(",").filter(Boolean);
const skipped = (name: string): PeerResult => ({ samplesPerSec: null, note: `${name} not asked for (BENCH_PEERS)` });

async function main(): Promise<void> {
  const seconds = Number(process.env.TSGRAD_BENCH_SECONDS ?? 5);
  const threads = benchThreads();
  const cpu = getBackend("cpu");
  if (cpu instanceof NativeCpuBackend) cpu.setNumThreads(threads);
  torch.manualSeed(0);
  const backend = cpu.constructor.name;
  const ours = {
    cnn: benchTsgrad(mnistCnn(), [64, 3, 28, 28], seconds),
    mlp: benchTsgrad(mlp(), [128, 784], seconds),
  };
  const pt = PEERS.includes("pytorch") ? benchTorch(threads, seconds)
    : { default: { cnn: skipped("pytorch"), mlp: skipped("pytorch") }, fused: { cnn: skipped("pytorch"), mlp: skipped("pytorch") } };
  // tfjs-cpu trains the CNN extremely slowly (minutes per step on this machine): time one step,
  // with no warm-up. tfjs-wasm has no Conv2DBackpropFilter, so its CNN attempt reports that.
  const tfjs = (b: "cpu" | "wasm", m: "cnn" | "mlp", steps: number, opts = {}) =>
    PEERS.includes(`tfjs-${b}`) ? benchTfjsProcess(b, m, steps, threads, opts) : skipped(`tfjs-${b}`);
  const tf = {
    cpu: { cnn: tfjs("cpu", "cnn", 1, { warmup: 0, timeoutMs: 1000 * Number(process.env.BENCH_TFJS_CPU_CNN_S ?? 900) }), mlp: tfjs("cpu", "mlp", 10) },
    wasm: { cnn: tfjs("wasm", "cnn", 2), mlp: tfjs("wasm", "mlp", 20) },
  };
  const results = (["cnn", "mlp"] as const).map((m) => {
    const peers: Record<string, PeerResult & { threads?: number }> = {
      pytorch: pt.default[m], pytorch_fused: pt.fused[m], "tfjs-cpu": tf.cpu[m], "tfjs-wasm": tf.wasm[m],
    };
    const labels = Object.fromEntries(Object.entries(peers)
      .filter(([k, v]) => k.startsWith("tfjs") && v.samplesPerSec !== null && threads !== 1)
      .map(([k, v]) => [k, `vs ${v.threads ?? 1} thread`]));
    return {
      // name/value/unit/vs as every bench's last line; the rest says what was measured.
      name: m === "cnn" ? "train_step_cnn_b64" : "train_step_mlp_b128",
      value: Number(ours[m].toFixed(1)),
      unit: "samples/s",
      vs: Object.fromEntries(Object.entries(peers).map(([k, v]) => [k, ratio(ours[m], v.samplesPerSec)])),
      ...(Object.keys(labels).length ? { labels } : {}),
      model: m === "cnn" ? "cnn 3x28x28 conv64-conv128-fc1000 (batch 64)" : "mlp 784-256-256-10 (batch 128)",
      batch: m === "cnn" ? 64 : 128,
      threads,
      tsgrad: Number(ours[m].toFixed(1)),
      peers: Object.fromEntries(Object.entries(peers).map(([k, v]) => [k, v.samplesPerSec === null ? null : Number(v.samplesPerSec.toFixed(1))])),
      notes: Object.entries(peers).filter(([, v]) => v.note).map(([k, v]) => `${k}: ${v.note}`),
    };
  });
  console.log(`bench:train — samples/s of one training step (forward, backward, Adam, loss read back); ${threads} thread(s) for every side; ` +
    `tsgrad on ${backend}${pt.version ? `, torch ${pt.version} (${pt.threads} threads)` : ""}`);
  const cols = ["tsgrad", "pytorch", "pytorch_fused", "tfjs-cpu", "tfjs-wasm"];
  console.log(`${"model".padEnd(48)}${cols.map((c) => c.padStart(14)).join("")}   vs pytorch / fused`);
  for (const r of results) {
    const cells = [fmt(r.tsgrad), ...cols.slice(1).map((c) => fmt(r.peers[c]) + (r.labels?.[c] ? "*" : ""))];
    console.log(`${r.model.padEnd(48)}${cells.map((c) => c.padStart(14)).join("")}   ${r.vs.pytorch ?? "n/a"}x / ${r.vs.pytorch_fused ?? "n/a"}x`);
  }
  if (results.some((r) => r.labels)) console.log("* vs 1 thread: tfjs-cpu is one JavaScript thread; tfjs-wasm's threaded build does not start in Node");
  for (const r of results) for (const n of r.notes) console.log(`note (${r.batch === 64 ? "cnn" : "mlp"}): ${n}`);
  const busy = busyNote();
  if (busy) console.log(`note: ${busy}`);
  console.log(JSON.stringify({ bench: "train", backend, threads, seconds, load: os.loadavg()[0], results }));
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
