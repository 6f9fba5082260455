// bench/gpu.ts
// `npm run bench:gpu`: the WebGPU backend against the CPU backend in the same run: fp32 matmul
// GFLOP/s (n = 512..4096; capped on a software adapter such as lavapipe, whose speed says nothing
// about a real GPU), the course CNN's training step in samples/s (conv3x3 3->64 pad 1, relu,
// maxpool 2, conv 64->128, relu, maxpool 2, flatten, linear 6272->1000, relu, linear 1000->10,
// cross-entropy, Adam; batch 64 of 3x28x28) and the latency of one small op with readback.
// Prints one line per figure, then one JSON line:
//   {"bench":"gpu","results":[{name, value, unit, vs: {cpu: ratio}}]}
// where a ratio above 1 means webgpu is ahead of the cpu backend.
// Environment: BENCH_GPU_SIZES (comma list of matmul n), BENCH_GPU_STEPS (timed CNN steps, default
// 3), BENCH_GPU_CPU=0 (skip the cpu side, e.g. on a GPU machine with a slow CPU), BENCH_BUDGET
// (seconds per matmul case, default 1).

import { adapterSummary, initWebGpu, shutdownWebGpu } from "../gpu/index";
import { getBackend, registerBackend, type Backend, type DeviceName, type View } from "../runtime/tensor/backend";
import { F, torch } from "../runtime/tensor/index";
import * as nn from "../runtime/tensor/nn/index";
import * as optim from "../runtime/tensor/optim/index";

interface Result { name: string; value: number; unit: string; vs: Record<string, number> }

const BUDGET = Number(process.env.BENCH_BUDGET ?? 1);
const STEPS = Number(process.env.BENCH_GPU_STEPS ?? 3);
const WITH_CPU = process.env.BENCH_GPU_CPU !== "0";
const now = () => performance.now() / 1000;

function randomView(be: Backend, n: number, seed: number): View {
  const data = new Float32Array(n * n);
  let s = seed;
  for (let i = 0; i < data.length; i++) { s = (s * 1103515245 + 12345) >>> 0; data[i] = s / 2 ** 32 - 0.5; }
  const buf = be.alloc(n * n, "float32");
  be.write(buf, data);
  return { buf, shape: [n, n], strides: [n, 1], offset: 0 };
}

/** Seconds per n x n matmul: one warm-up (compiles the pipeline), then repeats within the budget;
 * GPU work is timed to completion (sync). */
async function timeMatmul(be: Backend, n: number): Promise<number> {
  const a = randomView(be, n, 1), b = randomView(be, n, 2), c = be.alloc(n * n, "float32");
  be.matmul(a, b, c);
  await be.sync?.();
  let reps = 1, elapsed = 0;
  for (;;) {
    const t0 = now();
    for (let i = 0; i < reps; i++) be.matmul(a, b, c);
    await be.sync?.();
    elapsed = now() - t0;
    if (elapsed >= BUDGET / 4 || reps >= 64) break;
    reps *= 4;
  }
  for (const s of [a.buf, b.buf, c]) be.free(s);
  return elapsed / reps;
}

function cnn(): nn.Sequential {
  return nn.Sequential(
    nn.Conv2d(3, 64, 3, { padding: 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(64, 128, 3, { padding: 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(6272, 1000), nn.ReLU(), nn.Linear(1000, 10));
}

/** Samples/s of the CNN training step on `device`; reads the loss back each step, as a notebook does. */
async function cnnSamplesPerSecond(device: DeviceName, steps: number): Promise<number> {
  torch.manualSeed(0);
  const model = cnn().to(device);
  const opt = optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = torch.randn([64, 3, 28, 28], { device });
  const y = torch.randint(0, 10, [64], { device, dtype: "int32" });
  const step = async (): Promise<number> => {
    const loss = torch.tidy(() => {
      const l = F.crossEntropy(model.forward(x), y);
      opt.zeroGrad();
      l.backward();
      opt.step();
      return l;
    });
    const v = await loss.item();
    loss.dispose();
    return v;
  };
  await step();
  const t0 = now();
  for (let i = 0; i < steps; i++) await step();
  return (64 * steps) / (now() - t0);
}

/** Median seconds of one small op (16 elements, add) plus reading its value back. */
async function smallOpLatency(device: DeviceName): Promise<number> {
  const x = torch.ones([16], { device });
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = now();
    const y = x.add(1);
    await y.toArray();
    times.push(now() - t0);
    y.dispose();
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

function report(results: Result[], r: Result): void {
  results.push(r);
  const vs = Object.entries(r.vs).map(([k, v]) => `${v.toFixed(2)}x ${k}`).join(", ");
  console.log(`${r.name.padEnd(24)} ${r.value.toPrecision(4).padStart(10)} ${r.unit}${vs ? `  (${vs})` : ""}`);
}

async function main(): Promise<void> {
  const gpu = await initWebGpu();
  registerBackend("webgpu", () => gpu);
  const summary = adapterSummary();
  const software = /llvmpipe|lavapipe|swiftshader|software/i.test(summary);
  console.log(summary);
  if (software) console.log("note: software adapter (lavapipe): these figures check the path, not GPU speed");
  const cpu = getBackend("cpu");
  const results: Result[] = [];
  const sizes = (process.env.BENCH_GPU_SIZES ?? (software ? "512,1024" : "512,1024,2048,4096")).split(",").map(Number);
  for (const n of sizes) {
    const flops = 2 * n ** 3;
    const g = flops / (await timeMatmul(gpu, n)) / 1e9;
    const vs: Record<string, number> = {};
    if (WITH_CPU) vs.cpu = g / (flops / (await timeMatmul(cpu, n)) / 1e9);
    report(results, { name: `matmul_${n}`, value: g, unit: "GFLOP/s", vs });
  }
  const steps = software ? Math.min(STEPS, 2) : STEPS;
  const g = await cnnSamplesPerSecond("webgpu", steps);
  const vs: Record<string, number> = {};
  if (WITH_CPU) vs.cpu = g / (await cnnSamplesPerSecond("cpu", steps));
  report(results, { name: "cnn_train_step_b64", value: g, unit: "samples/s", vs });
  const lg = await smallOpLatency("webgpu");
  const lat: Record<string, number> = {};
  if (WITH_CPU) lat.cpu = (await smallOpLatency("cpu")) / lg;
  report(results, { name: "small_op_readback", value: lg * 1e3, unit: "ms", vs: lat });
  console.log(JSON.stringify({ bench: "gpu", adapter: summary, results }));
  shutdownWebGpu();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
