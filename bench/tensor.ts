// bench/tensor.ts
// `npm run bench:tensor`: the native CPU backend's kernels and the engine's per-op autograd cost,
// side by side with peers measured in the same run, each in its own process with the same thread
// count: PyTorch (bench/peers/torch_bench.py, when a Python with torch is found),
// @tensorflow/tfjs-backend-wasm and -cpu (bench/peers/tfjs.ts). Prints one line per figure, then
// one JSON line: {"bench":"tensor","results":[{name, value, unit, vs: {peer: ratio}}]} where a
// ratio above 1 means tsgrad is ahead (throughput ours/theirs, or time theirs/ours).
// Cases (names shared with the peers): matmul_<n>_t<threads> (fp32 GFLOP/s, n = 128..2048),
// conv_<cin>to<cout>_fwd_bwd_t2 (ms for forward + weight, bias and (but for the first layer)
// input gradients, batch 64: 3x28x28 -> 64 and 64x14x14 -> 128, 3x3 pad 1, the course CNN's
// layers), add_16M_t2 (GB/s moved) and autograd_chain_t1 (us per op, forward + backward, for a
// chain of 1,000 ops on a 4-element tensor).
// Every figure is the fastest call of a case's time budget (timeBest in bench/peers/timing.ts),
// each side in turn, so on a busy machine the ratios stay noisy: the header prints the load average.
// Environment: BENCH_BUDGET (seconds per case, default 0.5), BENCH_PEERS (comma list, default
// "pytorch,tfjs-wasm,tfjs-cpu"), TSGRAD_TORCH_PYTHON (a python with torch).

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Storage, View } from "../runtime/tensor/backend";
import { CpuBackend, CpuStorage } from "../runtime/tensor/cpu";
import { loadNativeAddon, NativeCpuBackend } from "../runtime/tensor/cpu_native";
import { contiguousStrides, sizeOf } from "../runtime/tensor/shape";
import { torch } from "../runtime/tensor/index";
import { timeBest as timeit } from "./peers/timing";

const ROOT = path.resolve(__dirname, "..", "..");
const BUDGET = Number(process.env.BENCH_BUDGET ?? 0.5);
const PEERS = (process.env.BENCH_PEERS ?? "pytorch,tfjs-wasm,tfjs-cpu").split(",").filter(Boolean);

interface Spec { name: string; unit: string; higherIsBetter: boolean; threads: number; run: () => number }

function randView(shape: number[]): View {
  const d = new Float32Array(sizeOf(shape));
  for (let i = 0; i < d.length; i++) d[i] = Math.random() * 2 - 1;
  return { buf: new CpuStorage(d, "float32"), shape, strides: contiguousStrides(shape), offset: 0 };
}

function specs(backend: NativeCpuBackend): Spec[] {
  const out: Spec[] = [];
  for (const t of [1, 2]) {
    for (const n of [128, 512, 1024, 2048]) {
      out.push({ name: `matmul_${n}_t${t}`, unit: "GFLOP/s", higherIsBetter: true, threads: t, run: () => {
        const a = randView([n, n]), b = randView([n, n]), c = backend.alloc(n * n, "float32");
        const s = timeit(() => backend.matmul(a, b, c), BUDGET);
        backend.free(c);
        return 2 * n ** 3 / s / 1e9;
      } });
    }
  }
  for (const [cin, cout, hw] of [[3, 64, 28], [64, 128, 14]]) {
    out.push({ name: `conv_${cin}to${cout}_fwd_bwd_t2`, unit: "ms", higherIsBetter: false, threads: 2, run: () => {
      const x = randView([64, cin, hw, hw]), w = randView([cout, cin, 3, 3]), bias = randView([cout]);
      const g = randView([64, cout, hw, hw]);
      const opts = { stride: [1, 1] as [number, number], padding: [1, 1] as [number, number], dilation: [1, 1] as [number, number], groups: 1 };
      const step = (): void => {
        // As a training step: fresh outputs from the pool each time, returned after use.
        const y = backend.alloc(64 * cout * hw * hw, "float32");
        const gx: Storage | null = cin === 3 ? null : backend.alloc(64 * cin * hw * hw, "float32");
        const gw = backend.alloc(cout * cin * 9, "float32"), gb = backend.alloc(cout, "float32");
        backend.conv2d(x, w, bias, opts, y);
        backend.conv2dBackward(x, w, g, opts, gx, gw, gb);
        for (const s of [y, gx, gw, gb]) if (s) backend.free(s);
      };
      return timeit(step, BUDGET) * 1e3;
    } });
  }
  out.push({ name: "add_16M_t2", unit: "GB/s", higherIsBetter: true, threads: 2, run: () => {
    const n = 16 * 1024 * 1024, a = randView([n]), b = randView([n]), c = backend.alloc(n, "float32");
    const s = timeit(() => backend.binary("add", a, b, c), BUDGET);
    backend.free(c);
    return 3 * 4 * n / s / 1e9;
  } });
  out.push({ name: "autograd_chain_t1", unit: "us/op", higherIsBetter: false, threads: 1, run: () => {
    const x = torch.randn([4]).requiresGrad_();
    const chain = (): void => torch.tidy(() => {
      let y = x;
      for (let i = 0; i < 500; i++) y = y.mul(1.0001).add(0.0001);
      y.sum().backward();
      x.grad = null;
    });
    for (let i = 0; i < 20; i++) chain(); // let V8 optimise the op paths first, as a training loop would
    return timeit(chain, BUDGET) / 1000 * 1e6;
  } });
  return out;
}

// ---- peers ----

type PeerResults = { results: Record<string, number>; errors?: Record<string, string>; threads?: number; blas?: unknown; torch?: string };

function torchPython(): string | null {
  const candidates = [process.env.TSGRAD_TORCH_PYTHON, path.join(os.homedir(), ".venvs", "torch", "bin", "python"), "python3"];
  for (const py of candidates) {
    if (!py || (py.includes(path.sep) && !fs.existsSync(py))) continue;
    const r = spawnSync(py, ["-c", "import torch"], { stdio: "ignore" });
    if (r.status === 0) return py;
  }
  return null;
}

function lastJson(stdout: string): PeerResults | null {
  const line = stdout.trim().split("\n").pop() ?? "";
  try { return JSON.parse(line) as PeerResults; } catch { return null; }
}

function runPeer(peer: string, threads: number, cases: string[], py: string | null): PeerResults | string {
  let cmd: string, args: string[];
  if (peer === "pytorch") {
    if (!py) return "no python with torch (set TSGRAD_TORCH_PYTHON or: python3 -m venv ~/.venvs/torch && ~/.venvs/torch/bin/pip install torch)";
    cmd = py;
    args = [path.join(ROOT, "bench", "peers", "torch_bench.py"), String(threads), String(BUDGET), cases.join(",")];
  } else {
    cmd = process.execPath;
    args = ["--import", "tsx", path.join(ROOT, "bench", "peers", "tfjs.ts"), peer.replace("tfjs-", ""), String(threads), String(BUDGET), cases.join(",")];
  }
  // Same thread count everywhere: OpenMP/MKL inside PyTorch read these too. OPENBLAS_CORETYPE /
  // OPENBLAS_L2_SIZE are passed through unchanged: PyPI's torch does its GEMM in MKL (BLAS_INFO=mkl)
  // and its convolutions in oneDNN, so they only reach numpy's bundled OpenBLAS, which no case
  // uses; the peer reports its thread pools (threadpoolctl) and they are printed below.
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: "utf8", maxBuffer: 16 << 20 });
  const res = lastJson(r.stdout ?? "");
  if (r.status !== 0 || !res) return `${peer} failed: ${(r.stderr || r.stdout || "").trim().split("\n").pop()}`;
  return res;
}

// tfjs-cpu's plain-JS kernels: a 2048 matmul or a batch-64 convolution step takes 10 s and more
// a call (minutes for one case on a busy 2-core machine), so those cases are left out for it.
const TOO_SLOW: Record<string, RegExp> = { "tfjs-cpu": /^(matmul_2048_|conv_)/ };

function main(): void {
  const { addon, error } = loadNativeAddon();
  if (!addon) throw new Error(`bench:tensor needs the native addon: ${error}`);
  const backend = new NativeCpuBackend(addon);
  const all = specs(backend);
  console.log(`bench:tensor  tsgrad native (${backend.nativeVersion}), ${os.cpus().length} CPUs, budget ${BUDGET}s/case, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);

  const ours: Record<string, number> = {};
  for (const s of all) {
    backend.setNumThreads(s.threads);
    ours[s.name] = s.run();
    console.log(`tsgrad ${s.name}: ${ours[s.name].toPrecision(4)} ${s.unit}`);
  }
  backend.setNumThreads(os.cpus().length >= 2 ? 2 : 1);

  // Per-call floor: an empty N-API call, and a 1024-float add natively and in the reference.
  {
    const ref = new CpuBackend(), a = randView([1024]), b = randView([1024]), c = backend.alloc(1024, "float32");
    const per = (f: () => void): number => timeit(() => { for (let i = 0; i < 10000; i++) f(); }, 0.1) / 10000 * 1e9;
    console.log(`per call: empty N-API call ${per(() => addon.noop()).toFixed(0)} ns, add of 1024 floats ` +
      `${per(() => backend.binary("add", a, b, c)).toFixed(0)} ns native, ${per(() => ref.binary("add", a, b, c)).toFixed(0)} ns reference`);
    backend.free(c);
  }

  const py = PEERS.includes("pytorch") ? torchPython() : null;
  const theirs: Record<string, Record<string, number>> = {};
  const notes: string[] = [];
  for (const peer of PEERS) {
    theirs[peer] = {};
    for (const t of [1, 2]) {
      const cases = all.filter((s) => s.threads === t && !TOO_SLOW[peer]?.test(s.name)).map((s) => s.name);
      const res = runPeer(peer, t, cases, py);
      if (typeof res === "string") { notes.push(`${peer} (t${t}): ${res}`); continue; }
      Object.assign(theirs[peer], res.results);
      console.log(`${peer} t${t}: ${Object.entries(res.results).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(", ")}`);
      for (const [k, v] of Object.entries(res.errors ?? {})) notes.push(`${peer} ${k}: ${v}`);
      if (res.blas) notes.push(`${peer} ${res.torch ?? ""} t${t} thread pools: ${JSON.stringify(res.blas)}`);
      if (res.threads !== undefined && res.threads !== t) notes.push(`${peer} ran with ${res.threads} thread(s) where ${t} were asked`);
    }
  }

  const results = all.map((s) => {
    const vs: Record<string, number | null> = {};
    for (const peer of PEERS) {
      const v = theirs[peer][s.name];
      vs[peer] = v === undefined ? null : Number((s.higherIsBetter ? ours[s.name] / v : v / ours[s.name]).toFixed(3));
    }
    return { name: s.name, value: Number(ours[s.name].toPrecision(4)), unit: s.unit, vs };
  });

  if (py) console.log(`pytorch: ${py}`);
  for (const r of results) {
    const peers = Object.entries(r.vs).map(([p, v]) => {
      const raw = theirs[p][r.name];
      return `${p} ${v === null ? "n/a" : `${v.toFixed(2)}x (${raw.toPrecision(4)})`}`;
    }).join("  ");
    console.log(`${r.name.padEnd(28)} ${String(r.value).padStart(9)} ${r.unit.padEnd(8)} ${peers}`);
  }
  for (const n of new Set(notes)) console.log(`note: ${n}`);
  console.log(JSON.stringify({ bench: "tensor", results }));
}

main();
