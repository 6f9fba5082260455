// bench/train.ts — `npm run bench:train`
// Samples per second of one training step (forward, backward, Adam) for the MNIST CNN
// (conv3x3 3->64, relu, pool, conv3x3 64->128, relu, pool, linear 6272->1000, relu, linear 1000->10;
// batch 64 of 3x28x28) and an MLP 784-256-256-10 (batch 128), for tsgrad on the default CPU backend
// and, in the same run, PyTorch CPU (2 threads) and tfjs-core cpu/wasm. Ratios are tsgrad / peer
// (above 1 = tsgrad ahead). The last line is one JSON object: {"bench":"train","results":[...]}.
// Env: TSGRAD_BENCH_SECONDS (timing budget per case, default 5), TSGRAD_TORCH_PYTHON,
// BENCH_TFJS_CPU_CNN_S (how long tfjs-cpu may take for its one CNN step, default 900).

import { torch } from "../runtime/tensor/index";
import { getBackend } from "../runtime/tensor/backend";
import type { Tensor } from "../runtime/tensor/tensor";
import * as nn from "../runtime/tensor/nn/index";
import * as optim from "../runtime/tensor/optim/index";
import { F } from "../runtime/tensor/functional";
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

/** samples/s of forward + backward + Adam on one fixed batch, timed as every bench here times
 * (bench/peers/timing.ts: a warm-up step, then steps for `seconds`, at least two). */
function benchTsgrad(model: nn.Module, x: Tensor, y: Tensor, seconds: number): number {
  const opt = optim.Adam(model.parameters(), { lr: 1e-3 });
  const step = () => torch.tidy(() => {
    const loss = F.crossEntropy(model.forward(x), y);
    opt.zeroGrad(); loss.backward(); opt.step();
    return loss.itemSync();
  });
  return x.shape[0] / timeit(step, seconds);
}

const ratio = (a: number | null, b: number | null) => (a && b ? Number((a / b).toFixed(3)) : null);
const fmt = (v: number | null) => (v === null ? "n/a" : v >= 100 ? v.toFixed(0) : v.toFixed(1));

async function main(): Promise<void> {
  const seconds = Number(process.env.TSGRAD_BENCH_SECONDS ?? 5);
  torch.manualSeed(0);
  const backend = getBackend("cpu").constructor.name;
  const ours = {
    cnn: benchTsgrad(mnistCnn(), torch.rand(64, 3, 28, 28), torch.randint(0, 10, [64], { dtype: "int32" }), seconds),
    mlp: benchTsgrad(mlp(), torch.rand(128, 784), torch.randint(0, 10, [128], { dtype: "int32" }), seconds),
  };
  const pt = benchTorch(2, seconds);
  // tfjs-cpu trains the CNN extremely slowly (minutes per step on this machine): time one step,
  // with no warm-up. tfjs-wasm has no Conv2DBackpropFilter, so its CNN attempt reports that.
  const tf = {
    cpu: { cnn: benchTfjsProcess("cpu", "cnn", 1, { warmup: 0, timeoutMs: 1000 * Number(process.env.BENCH_TFJS_CPU_CNN_S ?? 900) }), mlp: benchTfjsProcess("cpu", "mlp", 10) },
    wasm: { cnn: benchTfjsProcess("wasm", "cnn", 2), mlp: benchTfjsProcess("wasm", "mlp", 20) },
  };
  const results = (["cnn", "mlp"] as const).map((m) => {
    const peers: Record<string, PeerResult> = { pytorch: pt[m], "tfjs-cpu": tf.cpu[m], "tfjs-wasm": tf.wasm[m] };
    return {
      // name/value/unit/vs as every bench's last line; the rest says what was measured.
      name: m === "cnn" ? "train_step_cnn_b64" : "train_step_mlp_b128",
      value: Number(ours[m].toFixed(1)),
      unit: "samples/s",
      model: m === "cnn" ? "cnn 3x28x28 conv64-conv128-fc1000 (batch 64)" : "mlp 784-256-256-10 (batch 128)",
      batch: m === "cnn" ? 64 : 128,
      tsgrad: Number(ours[m].toFixed(1)),
      peers: Object.fromEntries(Object.entries(peers).map(([k, v]) => [k, v.samplesPerSec === null ? null : Number(v.samplesPerSec.toFixed(1))])),
      vs: Object.fromEntries(Object.entries(peers).map(([k, v]) => [k, ratio(ours[m], v.samplesPerSec)])),
      notes: Object.entries(peers).filter(([, v]) => v.note).map(([k, v]) => `${k}: ${v.note}`),
    };
  });
  console.log(`bench:train — samples/s of one training step (forward, backward, Adam); tsgrad on ${backend}${pt.version ? `, torch ${pt.version}` : ""}`);
  console.log(`${"model".padEnd(48)}${"tsgrad".padStart(10)}${"torch".padStart(10)}${"tfjs-cpu".padStart(10)}${"tfjs-wasm".padStart(10)}   vs torch`);
  for (const r of results)
    console.log(`${r.model.padEnd(48)}${fmt(r.tsgrad).padStart(10)}${fmt(r.peers.pytorch).padStart(10)}${fmt(r.peers["tfjs-cpu"]).padStart(10)}${fmt(r.peers["tfjs-wasm"]).padStart(10)}   ${r.vs.pytorch ?? "n/a"}x`);
  for (const r of results) for (const n of r.notes) console.log(`note (${r.batch === 64 ? "cnn" : "mlp"}): ${n}`);
  console.log(JSON.stringify({ bench: "train", backend, seconds, results }));
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
