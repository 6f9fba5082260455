// bench/tensor.ts
// `npm run bench:tensor`: tsgrad's public API on the default (native) CPU backend, side by side
// with peers measured in the same run, each in its own process with the same thread count and
// its own default environment: PyTorch (bench/peers/torch_bench.py, when a Python with torch is
// found), @tensorflow/tfjs-backend-wasm and -cpu (bench/peers/tfjs.ts). Prints one line per
// figure, then one JSON line: {"bench":"tensor","results":[{name, value, unit, vs: {peer: ratio}}]}
// where a ratio above 1 means tsgrad is ahead (throughput ours/theirs, or time theirs/ours).
// Headline cases, public API on both sides (names shared with the peers; <t> = threads):
//   matmul_<n>_t<t>       torch.matmul(a, b), a new [n, n] output each call (fp32 GFLOP/s)
//   conv_<cin>to<cout>_fwd_bwd_t<t>   F.conv2d(x, w, b, padding 1) then y.backward(g), gradients
//                         cleared before each call (ms): batch 64, 3x28x28 -> 64 (no input
//                         gradient, as a first layer) and 64x14x14 -> 128, the course CNN's layers
//   add_16M_t<t>          torch.add(a, b) into a new tensor (GB/s moved: two reads, one write)
//   autograd_chain_t1     forward + backward of 1,000 tiny ops on a 4-element tensor (us per op)
// Backend-level rows (backend_*) call the native backend's kernels into pooled outputs: what
// tsgrad's engine adds on top of them is the difference from the public rows. No peer is
// measured at that level, so they carry no ratio.
// Fairness (#12): one thread setting, BENCH_THREADS (default: every core), drives tsgrad and every
// peer (plus a 1-thread matmul row). Each timed call gets inputs other than the previous call's
// (a ring of RING distinct input sets per case, on every side). Nothing is read back on either
// side (CPU results are in memory; tfjs-wasm/cpu run eagerly). tfjs-backend-wasm's threaded build
// cannot start in Node (its workers load from blob: URLs), so its rows say "vs 1 thread".
// Every figure is the fastest call of a case's time budget (timeBest in bench/peers/timing.ts),
// each side in turn, so on a busy machine the ratios stay noisy: the header prints the load average.
// Environment: BENCH_BUDGET (seconds per case, default 0.5), BENCH_THREADS, BENCH_PEERS (comma
// list, default "pytorch,tfjs-wasm,tfjs-cpu"), TSGRAD_TORCH_PYTHON (a python with torch).

// First: peers/env captures the environment before tsgrad's runtime loads.
import { benchThreads, busyNote, peerEnv, RING, RING_LARGE, TORCH_HINT, torchPython } from "./peers/env";
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import type { Storage, View } from "../runtime/tensor/backend";
import { CpuBackend, CpuStorage } from "../runtime/tensor/cpu";
import { loadNativeAddon, NativeCpuBackend } from "../runtime/tensor/cpu";
import { contiguousStrides, sizeOf } from "../runtime/tensor/shape";
import { getBackend } from "../runtime/tensor/backend";
import { torch, F, type Tensor } from "../runtime/tensor/index";
import { timeBest as timeit } from "./peers/timing";

const ROOT = path.resolve(__dirname, "..", "..");
const BUDGET = Number(process.env.BENCH_BUDGET ?? 0.5);
const THREADS = benchThreads();
const PEERS = (process.env.BENCH_PEERS ?? "pytorch,tfjs-wasm,tfjs-cpu").split(",").filter(Boolean);

interface Spec { name: string; unit: string; higherIsBetter: boolean; threads: number; backendLevel?: boolean; run: () => number }

function randView(shape: number[]): View {
  const d = new Float32Array(sizeOf(shape));
  for (let i = 0; i < d.length; i++) d[i] = Math.random() * 2 - 1;
  return { buf: new CpuStorage(d, "float32"), shape, strides: contiguousStrides(shape), offset: 0 };
}

/** Calls fn with the next of `RING` input sets each time, so no call repeats the previous one's work. */
function ring<T>(make: () => T, fn: (inputs: T) => void, size = RING): () => void {
  const sets = Array.from({ length: size }, make);
  let i = 0;
  return () => fn(sets[i++ % size]);
}

const CONVS = [[3, 64, 28], [64, 128, 14]] as const;

function specs(backend: NativeCpuBackend): Spec[] {
  const out: Spec[] = [];
  for (const t of [...new Set([1, THREADS])]) {
    for (const n of t === 1 ? [1024] : [128, 512, 1024, 2048]) {
      out.push({ name: `matmul_${n}_t${t}`, unit: "GFLOP/s", higherIsBetter: true, threads: t, run: () => {
        const step = ring(() => [torch.randn([n, n]), torch.randn([n, n])], ([a, b]) => torch.matmul(a, b).dispose());
        return 2 * n ** 3 / timeit(step, BUDGET) / 1e9;
      } });
    }
  }
  for (const [cin, cout, hw] of CONVS) {
    out.push({ name: `conv_${cin}to${cout}_fwd_bwd_t${THREADS}`, unit: "ms", higherIsBetter: false, threads: THREADS, run: () => {
      const w = torch.randn([cout, cin, 3, 3]).requiresGrad_(), bias = torch.randn([cout]).requiresGrad_();
      const step = ring(() => ({ x: torch.randn([64, cin, hw, hw]).requiresGrad_(cin !== 3), g: torch.randn([64, cout, hw, hw]) }), ({ x, g }) => {
        x.grad = w.grad = bias.grad = null; // as optimizer.zeroGrad(): each call computes fresh gradients
        torch.tidy(() => F.conv2d(x, w, bias, { padding: 1 }).backward(g));
      });
      return timeit(step, BUDGET) * 1e3;
    } });
  }
  out.push({ name: `add_16M_t${THREADS}`, unit: "GB/s", higherIsBetter: true, threads: THREADS, run: () => {
    const n = 16 * 1024 * 1024;
    const step = ring(() => [torch.randn([n]), torch.randn([n])], ([a, b]) => torch.add(a, b).dispose(), RING_LARGE);
    return 3 * 4 * n / timeit(step, BUDGET) / 1e9;
  } });
  out.push({ name: "autograd_chain_t1", unit: "us/op", higherIsBetter: false, threads: 1, run: () => {
    const chain = ring(() => torch.randn([4]).requiresGrad_(), (x: Tensor) => torch.tidy(() => {
      let y = x;
      for (let i = 0; i < 500; i++) y = y.mul(1.0001).add(0.0001);
      y.sum().backward();
      x.grad = null;
    }));
    for (let i = 0; i < 20; i++) chain(); // let V8 optimise the op paths first, as a training loop would
    return timeit(chain, BUDGET) / 1000 * 1e6;
  } });

  // Backend level: the native kernels alone, into pooled outputs (no peer at this level).
  out.push({ name: `backend_matmul_1024_t${THREADS}`, unit: "GFLOP/s", higherIsBetter: true, threads: THREADS, backendLevel: true, run: () => {
    const n = 1024, c = backend.alloc(n * n, "float32");
    const step = ring(() => [randView([n, n]), randView([n, n])], ([a, b]) => backend.matmul(a, b, c));
    const s = timeit(step, BUDGET);
    backend.free(c);
    return 2 * n ** 3 / s / 1e9;
  } });
  for (const [cin, cout, hw] of CONVS) {
    out.push({ name: `backend_conv_${cin}to${cout}_fwd_bwd_t${THREADS}`, unit: "ms", higherIsBetter: false, threads: THREADS, backendLevel: true, run: () => {
      const w = randView([cout, cin, 3, 3]), bias = randView([cout]);
      const opts = { stride: [1, 1] as [number, number], padding: [1, 1] as [number, number], dilation: [1, 1] as [number, number], groups: 1 };
      const step = ring(() => ({ x: randView([64, cin, hw, hw]), g: randView([64, cout, hw, hw]) }), ({ x, g }) => {
        const y = backend.alloc(64 * cout * hw * hw, "float32");
        const gx: Storage | null = cin === 3 ? null : backend.alloc(64 * cin * hw * hw, "float32");
        const gw = backend.alloc(cout * cin * 9, "float32"), gb = backend.alloc(cout, "float32");
        backend.conv2d(x, w, bias, opts, y);
        backend.conv2dBackward(x, w, g, opts, gx, gw, gb);
        for (const s of [y, gx, gw, gb]) if (s) backend.free(s);
      });
      return timeit(step, BUDGET) * 1e3;
    } });
  }
  return out;
}

// ---- peers ----

type PeerResults = { results: Record<string, number>; errors?: Record<string, string>; threads?: number; blas?: unknown; torch?: string };

function lastJson(stdout: string): PeerResults | null {
  const line = stdout.trim().split("\n").pop() ?? "";
  try { return JSON.parse(line) as PeerResults; } catch { return null; }
}

function runPeer(peer: string, threads: number, cases: string[], py: string | null): PeerResults | string {
  let cmd: string, args: string[];
  if (peer === "pytorch") {
    if (!py) return `no python with torch (${TORCH_HINT})`;
    cmd = py;
    args = [path.join(ROOT, "bench", "peers", "torch_bench.py"), String(threads), String(BUDGET), cases.join(",")];
  } else {
    cmd = process.execPath;
    args = ["--import", "tsx", path.join(ROOT, "bench", "peers", "tfjs.ts"), peer.replace("tfjs-", ""), String(threads), String(BUDGET), cases.join(",")];
  }
  // The peer's own default environment plus the shared thread count (peerEnv); it reports its
  // thread pools (threadpoolctl) and they are printed below.
  const r = spawnSync(cmd, args, { cwd: ROOT, env: peerEnv(threads), encoding: "utf8", maxBuffer: 16 << 20 });
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
  const backend = getBackend("cpu") as NativeCpuBackend;
  if (!(backend instanceof NativeCpuBackend)) throw new Error("bench:tensor: the default cpu backend is not the native one");
  const all = specs(backend);
  console.log(`bench:tensor  tsgrad native (${backend.nativeVersion}), ${os.cpus().length} CPUs, ${THREADS} thread(s) for every side, ` +
    `budget ${BUDGET}s/case, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);

  const ours: Record<string, number> = {};
  for (const s of all) {
    backend.setNumThreads(s.threads);
    ours[s.name] = s.run();
    console.log(`tsgrad ${s.name}: ${ours[s.name].toPrecision(4)} ${s.unit}`);
  }
  backend.setNumThreads(THREADS);

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
  const peerThreads: Record<string, Record<number, number>> = {};
  const notes: string[] = [];
  const publicSpecs = all.filter((s) => !s.backendLevel);
  for (const peer of PEERS) {
    theirs[peer] = {};
    peerThreads[peer] = {};
    for (const t of [...new Set(publicSpecs.map((s) => s.threads))]) {
      const cases = publicSpecs.filter((s) => s.threads === t && !TOO_SLOW[peer]?.test(s.name)).map((s) => s.name);
      const res = runPeer(peer, t, cases, py);
      if (typeof res === "string") { notes.push(`${peer} (t${t}): ${res}`); continue; }
      Object.assign(theirs[peer], res.results);
      peerThreads[peer][t] = res.threads ?? t;
      console.log(`${peer} t${t}: ${Object.entries(res.results).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(", ")}`);
      for (const [k, v] of Object.entries(res.errors ?? {})) notes.push(`${peer} ${k}: ${v}`);
      if (res.blas) notes.push(`${peer} ${res.torch ?? ""} t${t} thread pools: ${JSON.stringify(res.blas)}`);
      if (res.threads !== undefined && res.threads !== t) notes.push(`${peer} ran with ${res.threads} thread(s) where ${t} were asked: its ratios are vs ${res.threads} thread(s)`);
    }
  }

  const results = all.map((s) => {
    const vs: Record<string, number | null> = {};
    const labels: Record<string, string> = {};
    if (!s.backendLevel) for (const peer of PEERS) {
      const v = theirs[peer][s.name];
      vs[peer] = v === undefined ? null : Number((s.higherIsBetter ? ours[s.name] / v : v / ours[s.name]).toFixed(3));
      const used = peerThreads[peer][s.threads];
      if (v !== undefined && used !== undefined && used !== s.threads) labels[peer] = `vs ${used} thread${used === 1 ? "" : "s"}`;
    }
    return { name: s.name, value: Number(ours[s.name].toPrecision(4)), unit: s.unit, vs,
      ...(s.backendLevel ? { level: "backend" } : {}), ...(Object.keys(labels).length ? { labels } : {}) };
  });

  if (py) console.log(`pytorch: ${py}`);
  for (const r of results) {
    const peers = Object.entries(r.vs).map(([p, v]) => {
      const raw = theirs[p][r.name];
      return `${p} ${v === null ? "n/a" : `${v.toFixed(2)}x (${raw.toPrecision(4)})${r.labels?.[p] ? ` ${r.labels[p]}` : ""}`}`;
    }).join("  ");
    console.log(`${r.name.padEnd(32)} ${String(r.value).padStart(9)} ${r.unit.padEnd(8)} ${r.level === "backend" ? "backend level: no peer" : peers}`);
  }
  const busy = busyNote();
  if (busy) notes.push(busy);
  for (const n of new Set(notes)) console.log(`note: ${n}`);
  console.log(JSON.stringify({ bench: "tensor", threads: THREADS, load: os.loadavg()[0], results }));
}

main();
