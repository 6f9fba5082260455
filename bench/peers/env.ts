// bench/peers/env.ts
// What every benchmark shares about its peers (#12): one thread setting for tsgrad and every peer,
// the environment a peer process starts with, how many distinct input sets a timed case cycles
// through, and where PyTorch is found.
//   BENCH_THREADS   threads for tsgrad and for each peer; default: every core of this machine
//   TSGRAD_TORCH_PYTHON   a python with torch; else ~/.venvs/torch/bin/python, else python3
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The environment this process started with, captured when the benchmark loads (before tsgrad's
 * native addon does), so that nothing tsgrad sets can reach a peer. */
const STARTED_WITH: Readonly<NodeJS.ProcessEnv> = Object.freeze({ ...process.env });

/** Timed calls cycle through this many distinct input sets, on every side, so that no call
 * repeats the work of the one before it; RING_LARGE for inputs of 64 MB each (add_16M). */
export const RING = 4;
export const RING_LARGE = 2;

export function benchThreads(): number {
  const n = Number(process.env.BENCH_THREADS);
  return Number.isInteger(n) && n > 0 ? n : os.cpus().length;
}

/** A peer's environment: the one the user started the benchmark with, plus the thread count every
 * side uses (OpenMP and MKL inside PyTorch read these; the peers also set it through their APIs).
 * Variables tsgrad sets for itself (TSGRAD_*) are left out. */
export function peerEnv(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(STARTED_WITH)) if (!k.startsWith("TSGRAD_") || k === "TSGRAD_TORCH_PYTHON") env[k] = v;
  return { ...env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
}

export const TORCH_HINT = "set TSGRAD_TORCH_PYTHON or: python3 -m venv ~/.venvs/torch && ~/.venvs/torch/bin/pip install torch";

/** A python that imports torch, or null. */
export function torchPython(): string | null {
  const candidates = [process.env.TSGRAD_TORCH_PYTHON, path.join(os.homedir(), ".venvs", "torch", "bin", "python"), "python3"];
  for (const py of candidates) {
    if (!py || (py.includes(path.sep) && !fs.existsSync(py))) continue;
    const r = spawnSync(py, ["-c", "import torch"], { stdio: "ignore", env: peerEnv(1) });
    if (r.status === 0) return py;
  }
  return null;
}

/** A warning when the machine is busy (1-minute load average above half its cores): PyTorch's
 * default OpenMP threads spin while they wait, and on oversubscribed cores that costs it many
 * times more than it costs tsgrad (whose addon's threads spin for about 90 us, then sleep), so ratios measured then overstate
 * tsgrad's lead. Measured on 2 cores at load 6: PyTorch's MLP step, 2 threads, ran 18x slower than
 * on 1 thread, and 9x faster with OMP_WAIT_POLICY=passive. Null on a quiet machine. */
export function busyNote(): string | null {
  const load = os.loadavg()[0], cores = os.cpus().length;
  if (load <= cores / 2) return null;
  return `the machine is busy (load average ${load.toFixed(1)} on ${cores} cores): PyTorch's spinning OpenMP threads lose far more ` +
    "to contention than tsgrad's, so the ratios overstate tsgrad's lead; measure on a quiet machine";
}
