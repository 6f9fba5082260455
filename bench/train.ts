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
// distinct batches and reads the loss back each step; tsgrad and PyTorch (a process that stays up)
// are timed in alternating rounds, so that a machine whose speed drifts over the run (a shared VM)
// slows every side alike. tfjs-cpu is one JavaScript thread and
// tfjs-wasm's threaded build does not start in Node, so their ratios are labelled "vs 1 thread".
// Rows beside the two steps (#17): the CNN step's effective GFLOP/s (samples/s x the multiply-add
// FLOPs of its conv and linear layers, forward and backward, counted from the layer shapes as a
// direct convolution does them: the second convolution runs Winograd, which does 2.25x fewer
// multiplications, so this can pass the machine's rate) and its fraction of the same run's
// matmul_1024 GFLOP/s; batch-1 inference latency of both models
// (forward under noGrad, result read back; vs = peer / ours, above 1 = tsgrad faster); storages
// the CPU pool had to create per steady training step (CpuBackend.freshAllocations, counted over
// steps after warm-up); and the CNN step's samples/s at BENCH_THREADS over 1 thread, both timed in
// alternating rounds on one model.
// The last line is one JSON object: {"bench":"train","results":[...]}.
// Before the timed rounds every side trains each model for the same warm-up time; the rows keep
// its samples/s apart ("warmup").
// Env: TSGRAD_BENCH_SECONDS (timing budget per case, default 5), TSGRAD_BENCH_WARMUP_S (each
// side's warm-up per model, default 0.4 x the budget), BENCH_THREADS,
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
import { CpuBackend, NativeCpuBackend } from "../runtime/tensor/cpu";
import { benchTfjsProcess, TorchTrainer, type PeerResult } from "./train_peers";
import { runFor, timeit } from "./peers/timing";

export function mnistCnn(): nn.Module {
  return nn.Sequential(
    nn.Conv2d(3, 64, { kernelSize: 3, padding: 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(64, 128, { kernelSize: 3, padding: 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(128 * 7 * 7, 1000), nn.ReLU(), nn.Linear(1000, 10));
}

function mlp(): nn.Module {
  return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10));
}

/** One training step (forward, cross-entropy, backward, Adam, the loss read back) on RING batches in turn. */
function trainingStep(model: nn.Module, shape: number[]): () => number {
  const batches = Array.from({ length: RING }, () => [torch.rand(shape), torch.randint(0, 10, [shape[0]], { dtype: "int32" })]);
  const opt = optim.Adam(model.parameters(), { lr: 1e-3 });
  let i = 0;
  return () => torch.tidy(() => {
    const [x, y] = batches[i++ % RING];
    const loss = F.crossEntropy(model.forward(x), y);
    opt.zeroGrad(); loss.backward(); opt.step();
    return loss.itemSync();
  });
}

type Side = "tsgrad" | "pytorch" | "pytorch_fused";
type Model = "cnn" | "mlp";
const SHAPES: Record<Model, number[]> = { cnn: [64, 3, 28, 28], mlp: [128, 784] };

/** samples/s of every side's training step, timed in TRAIN_ROUNDS rounds that alternate between
 * the sides (tsgrad, PyTorch's default Adam, its fused Adam; the order reversed every other round),
 * each side given seconds / TRAIN_ROUNDS a round after a warm-up of `warmup` seconds (at least 3
 * steps; the same for every side, and its samples/s kept apart): on a shared machine the cores'
 * speed drifts over a run, and every side sees the same drift. Then the storages the CPU pool had
 * to create per tsgrad step over STEADY more steps. */
async function trainRounds(torchPeer: TorchTrainer | null, seconds: number, warmup: number):
  Promise<Record<Model, { samplesPerSec: Record<Side, number | null>; warmupSamplesPerSec: Record<Side, number | null>; allocsPerStep: number }>> {
  const out = {} as Awaited<ReturnType<typeof trainRounds>>;
  for (const m of ["cnn", "mlp"] as const) {
    const peer = torchFailure ? null : torchPeer;
    const step = trainingStep(m === "cnn" ? mnistCnn() : mlp(), SHAPES[m]);
    const run: Record<Side, ((s: number) => Promise<{ steps: number; seconds: number }>) | null> = {
      tsgrad: async (budget) => {
        const { calls, seconds } = runFor(step, budget, 3);
        return { steps: calls, seconds };
      },
      pytorch: peer ? (budget) => peer.train(m, false, budget) : null,
      pytorch_fused: peer ? (budget) => peer.train(m, true, budget) : null,
    };
    const sides = (Object.keys(run) as Side[]).filter((k) => run[k]);
    const zero = () => ({ tsgrad: 0, pytorch: 0, pytorch_fused: 0 });
    const steps = zero(), spent = zero(), warmSteps = zero(), warmSpent = zero();
    // Round -1 is the warm-up: tsgrad's first ~2,000 MLP steps in a process run up to twice as
    // slow while V8 optimises the step's JavaScript; PyTorch's first steps build its caches.
    for (let r = -1; r < TRAIN_ROUNDS; r++) {
      for (const side of r % 2 ? sides.slice().reverse() : sides) {
        if (!run[side]) continue;
        try {
          const t = await run[side](r < 0 ? warmup : seconds / TRAIN_ROUNDS);
          if (r < 0) { warmSteps[side] += t.steps; warmSpent[side] += t.seconds; } else { steps[side] += t.steps; spent[side] += t.seconds; }
        } catch (e) {
          // PyTorch failed (its process reported why): tsgrad's rounds go on without it.
          torchFailure = (e as Error).message;
          run.pytorch = run.pytorch_fused = null;
        }
      }
    }
    const cpu = getBackend("cpu") as CpuBackend;
    const before = cpu.freshAllocations;
    for (let s = 0; s < STEADY; s++) step();
    const perSec = (side: Side, n: Record<Side, number>, t: Record<Side, number>) => (run[side] ? SHAPES[m][0] * n[side] / t[side] : null);
    const rates = (n: Record<Side, number>, t: Record<Side, number>) =>
      ({ tsgrad: perSec("tsgrad", n, t), pytorch: perSec("pytorch", n, t), pytorch_fused: perSec("pytorch_fused", n, t) });
    out[m] = {
      samplesPerSec: rates(steps, spent),
      warmupSamplesPerSec: rates(warmSteps, warmSpent),
      allocsPerStep: (cpu.freshAllocations - before) / STEADY,
    };
  }
  return out;
}
const TRAIN_ROUNDS = 4;
/** Why PyTorch's process stopped answering, once it has (the rows then carry it as their note). */
let torchFailure: string | null = null;
const STEADY = 8;

/** samples/s of the same training step on `threads` threads and on one, timed in alternating
 * rounds (seconds / SCALING_ROUNDS each, a warm-up step at each count first): on a shared machine
 * the second core's share drifts over a run, and both figures see the same drift. */
function scalingTsgrad(cpu: NativeCpuBackend, threads: number, shape: number[], seconds: number): { many: number; one: number } {
  const step = trainingStep(mnistCnn(), shape);
  const spent = { many: 0, one: 0 }, steps = { many: 0, one: 0 };
  for (const side of ["many", "one"] as const) { cpu.setNumThreads(side === "many" ? threads : 1); step(); }
  for (let r = 0; r < SCALING_ROUNDS; r++) {
    for (const side of ["many", "one"] as const) {
      cpu.setNumThreads(side === "many" ? threads : 1);
      const t = runFor(step, seconds / SCALING_ROUNDS);
      steps[side] += t.calls; spent[side] += t.seconds;
    }
  }
  cpu.setNumThreads(threads);
  return { many: shape[0] * steps.many / spent.many, one: shape[0] * steps.one / spent.one };
}
const SCALING_ROUNDS = 4;

/** Mean seconds of one batch-1 forward under noGrad, its output read into a JS array. */
function inferTsgrad(model: nn.Module, shape: number[], seconds: number): number {
  model.eval();
  const inputs = Array.from({ length: RING }, () => torch.rand(shape));
  let i = 0;
  return timeit(() => torch.tidy(() => torch.noGrad(() => model.forward(inputs[i++ % RING]).toArraySync())), seconds);
}

/** GFLOP/s of torch.matmul on [1024, 1024] operands (as bench:tensor's matmul_1024). */
function matmulGflops(seconds: number): number {
  const n = 1024;
  const sets = Array.from({ length: RING }, () => [torch.randn([n, n]), torch.randn([n, n])]);
  let i = 0;
  return 2 * n ** 3 / timeit(() => { const [a, b] = sets[i++ % RING]; torch.matmul(a, b).dispose(); }, seconds) / 1e9;
}

/** FLOPs per sample of one training step of a Sequential, from its layers' shapes: 2 x MACs of
 * each Conv2d and Linear forward, once more for the weight gradient and once more for the input
 * gradient, which the first layer skips (its input needs none, so none is computed). Element-wise
 * ops, pooling and Adam are not counted. */
export function trainFlopsPerSample(model: nn.Module, sampleShape: number[]): number {
  let x: Tensor = torch.zeros([1, ...sampleShape]), total = 0, first = true;
  torch.noGrad(() => {
    for (const layer of model.children()) {
      const y = layer.forward(x);
      let fwd = 0;
      if (layer instanceof nn.Conv2d) {
        const [o, cg, kh, kw] = layer.weight.shape;
        fwd = 2 * o * cg * kh * kw * y.shape[2] * y.shape[3];
      } else if (layer instanceof nn.Linear) fwd = 2 * layer.inFeatures * layer.outFeatures;
      if (fwd > 0) { total += fwd * (first ? 2 : 3); first = false; }
      x = y;
    }
  });
  return total;
}

const ratio = (a: number | null, b: number | null) => (a && b ? Number((a / b).toFixed(3)) : null);
const round = (v: number, digits = 1) => Number(v.toFixed(digits));
const fmt = (v: number | null) => (v === null ? "n/a" : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const PEERS = (process.env.BENCH_PEERS ?? "pytorch,tfjs-cpu,tfjs-wasm").split(",").filter(Boolean);
const skipped = (name: string): PeerResult => ({ samplesPerSec: null, note: `${name} not asked for (BENCH_PEERS)` });

async function main(): Promise<void> {
  const seconds = Number(process.env.TSGRAD_BENCH_SECONDS ?? 5);
  const warmup = Number(process.env.TSGRAD_BENCH_WARMUP_S ?? seconds * 0.4);
  const threads = benchThreads();
  const cpu = getBackend("cpu");
  if (cpu instanceof NativeCpuBackend) cpu.setNumThreads(threads);
  torch.manualSeed(0);
  const backend = cpu.constructor.name;
  const CNN_SAMPLE = [3, 28, 28];
  const torchPeer = PEERS.includes("pytorch") ? await TorchTrainer.start(threads) : skipped("pytorch").note!;
  const peer = typeof torchPeer === "string" ? null : torchPeer;
  let trained: Awaited<ReturnType<typeof trainRounds>>, ptInfer: { cnn: number | null; mlp: number | null } = { cnn: null, mlp: null };
  try {
    trained = await trainRounds(peer, seconds, warmup);
    if (peer && !torchFailure) ptInfer = await peer.infer(seconds).catch((e: Error) => { torchFailure = e.message; return ptInfer; });
  } finally {
    peer?.close();
  }
  const ours = { cnn: trained.cnn.samplesPerSec.tsgrad!, mlp: trained.mlp.samplesPerSec.tsgrad! };
  const torchResult = (m: Model, side: "pytorch" | "pytorch_fused"): PeerResult =>
    typeof torchPeer === "string" ? { samplesPerSec: null, note: torchPeer }
      : trained[m].samplesPerSec[side] === null ? { samplesPerSec: null, note: torchFailure ?? "torch failed" }
      : { samplesPerSec: trained[m].samplesPerSec[side] };
  const pt = {
    default: { cnn: torchResult("cnn", "pytorch"), mlp: torchResult("mlp", "pytorch") },
    fused: { cnn: torchResult("cnn", "pytorch_fused"), mlp: torchResult("mlp", "pytorch_fused") },
    version: peer?.version, threads: peer?.threads,
  };
  const gemm = matmulGflops(seconds);
  const latency = { cnn: inferTsgrad(mnistCnn(), [1, ...CNN_SAMPLE], seconds), mlp: inferTsgrad(mlp(), [1, 784], seconds) };
  const scaling = threads > 1 && cpu instanceof NativeCpuBackend ? scalingTsgrad(cpu, threads, [64, ...CNN_SAMPLE], seconds) : null;
  const cnnFlops = trainFlopsPerSample(mnistCnn(), CNN_SAMPLE);
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
      warmup: { seconds: round(warmup, 3), samplesPerSec: Object.fromEntries(Object.entries(trained[m].warmupSamplesPerSec).map(([k, v]) => [k, v === null ? null : round(v)])) },
      notes: Object.entries(peers).filter(([, v]) => v.note).map(([k, v]) => `${k}: ${v.note}`),
    };
  });
  const cnnGflops = ours.cnn * cnnFlops / 1e9;
  const wino = cpu instanceof NativeCpuBackend && cpu.convWinograd;
  const extra = [
    { name: "matmul_1024", value: round(gemm), unit: "GFLOP/s", vs: {}, what: "torch.matmul [1024,1024] @ [1024,1024], this run" },
    { name: "train_step_cnn_b64_gflops", value: round(cnnGflops), unit: "GFLOP/s", vs: { pytorch: ratio(ours.cnn, pt.default.cnn.samplesPerSec), pytorch_fused: ratio(ours.cnn, pt.fused.cnn.samplesPerSec) },
      what: `CNN samples/s x ${(cnnFlops / 1e6).toFixed(1)} MFLOP per sample (conv + linear, forward + both gradients, counted as direct convolution${wino ? "; the second convolution runs Winograd, 2.25x fewer multiplications" : ""})`, flopPerSample: cnnFlops },
    { name: "train_step_cnn_b64_of_matmul", value: Number((cnnGflops / gemm).toFixed(3)), unit: "fraction", vs: {}, what: `train_step_cnn_b64_gflops / matmul_1024 (target 0.6${wino ? "; effective: Winograd counted as direct" : ""})` },
    ...(["cnn", "mlp"] as const).map((m) => ({
      name: `infer_${m}_b1`, value: round(latency[m] * 1e3, 4), unit: "ms", vs: { pytorch: ratio(ptInfer[m], latency[m]) },
      what: "batch-1 forward under noGrad, result read back; vs = pytorch / tsgrad (above 1 = tsgrad faster)",
      tsgrad: round(latency[m] * 1e3, 4), peers: { pytorch: ptInfer[m] === null ? null : round(ptInfer[m]! * 1e3, 4) },
    })),
    ...(["cnn", "mlp"] as const).map((m) => ({
      name: `train_step_${m}_fresh_allocs`, value: trained[m].allocsPerStep, unit: "allocations/step", vs: {},
      what: `storages the CPU pool had to create per step, over ${STEADY} steps after warm-up and the timed steps`,
    })),
    ...(scaling === null ? [] : [{
      name: `train_step_cnn_b64_scaling_t1_t${threads}`, value: Number((scaling.many / scaling.one).toFixed(3)), unit: "x", vs: {},
      what: `CNN samples/s on ${threads} threads / on 1 thread, the same model timed in ${SCALING_ROUNDS} alternating rounds of each`,
      samplesPerSec: { t1: round(scaling.one), [`t${threads}`]: round(scaling.many) },
    }]),
  ];
  console.log(`bench:train — samples/s of one training step (forward, backward, Adam, loss read back); ${threads} thread(s) for every side; ` +
    `tsgrad on ${backend}${pt.version ? `, torch ${pt.version} (${pt.threads} threads)` : ""}`);
  const cols = ["tsgrad", "pytorch", "pytorch_fused", "tfjs-cpu", "tfjs-wasm"];
  console.log(`${"model".padEnd(48)}${cols.map((c) => c.padStart(14)).join("")}   vs pytorch / fused`);
  for (const r of results) {
    const cells = [fmt(r.tsgrad), ...cols.slice(1).map((c) => fmt(r.peers[c]) + (r.labels?.[c] ? "*" : ""))];
    console.log(`${r.model.padEnd(48)}${cells.map((c) => c.padStart(14)).join("")}   ${r.vs.pytorch ?? "n/a"}x / ${r.vs.pytorch_fused ?? "n/a"}x`);
  }
  for (const r of results) {
    const w = r.warmup.samplesPerSec;
    console.log(`  first ${round(warmup, 3)} s (warm-up, not in the figures above)`.padEnd(48) + [w.tsgrad, w.pytorch, w.pytorch_fused].map((v) => fmt(v).padStart(14)).join(""));
  }
  if (results.some((r) => r.labels)) console.log("* vs 1 thread: tfjs-cpu is one JavaScript thread; tfjs-wasm's threaded build does not start in Node");
  for (const r of results) for (const n of r.notes) console.log(`note (${r.batch === 64 ? "cnn" : "mlp"}): ${n}`);
  for (const r of extra) {
    const peer = "peers" in r && r.peers ? `   pytorch ${r.peers.pytorch ?? "n/a"} ${r.unit}, vs ${r.vs.pytorch ?? "n/a"}x` : "";
    console.log(`${r.name.padEnd(48)}${String(r.value).padStart(14)} ${r.unit}${peer}`);
  }
  const busy = busyNote();
  if (busy) console.log(`note: ${busy}`);
  console.log(JSON.stringify({ bench: "train", backend, threads, seconds, load: os.loadavg()[0], results: [...results, ...extra] }));
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
