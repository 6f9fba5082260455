// bench/peers/tfjs.ts
// TensorFlow.js's side of `npm run bench:tensor` (@tensorflow/tfjs-backend-wasm or -cpu): the same
// cases as bench/tensor.ts, measured the same way, printed as one JSON object on the last line.
// Run in its own process by bench/tensor.ts, from source through tsx (tfjs-core's Node bundle has
// no gradients; its ESM gradient files need tsx's extensionless resolution):
//   node --import tsx bench/peers/tfjs.ts <wasm|cpu> <threads> <budget seconds> <case,case,...>
// A case the backend cannot run (tfjs-backend-wasm has no Conv2DBackpropFilter kernel) is
// reported under "errors".
// NOTE: under Node the wasm backend runs its single-threaded SIMD build: its threaded build starts
// its workers from blob: URLs, which Node's worker_threads refuse (ERR_WORKER_PATH; tried with
// WASM_HAS_MULTITHREAD_SUPPORT forced on), so every wasm figure is one thread; it says so in
// "threads" and bench/tensor.ts labels those ratios "vs 1 thread".

import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-backend-cpu";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import { timeBest as timeit } from "./timing";
import { RING, RING_LARGE } from "./env";

async function main(): Promise<void> {
  const [backend, threadsArg, budgetArg, casesArg] = process.argv.slice(2);
  const threads = Number(threadsArg), budget = Number(budgetArg);
  const cases = new Set(casesArg.split(","));
  if (backend === "wasm") {
    const dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    wasm.setWasmPaths(dist + path.sep);
    wasm.setThreadsCount(threads);
  }
  await tf.setBackend(backend);
  await tf.ready();
  const results: Record<string, number> = {};
  const errors: Record<string, string> = {};
  const measure = (name: string, fn: () => number): void => {
    if (!cases.has(name)) return;
    try { results[name] = fn(); } catch (e) { errors[name] = (e as Error).message.split("\n")[0]; }
  };
  const t = threads;

  // Inputs cycle through RING sets as on tsgrad's side; nothing is read back: the cpu and wasm
  // backends run each kernel when it is called, so disposing the result is all a call needs.
  const ring = <T>(make: () => T, fn: (inputs: T) => void, size = RING): (() => void) => {
    const sets = Array.from({ length: size }, make);
    let i = 0;
    return () => fn(sets[i++ % size]);
  };

  for (const n of [128, 512, 1024, 2048]) {
    measure(`matmul_${n}_t${t}`, () => {
      const step = ring(() => [tf.randomNormal([n, n]), tf.randomNormal([n, n])], ([a, b]) => tf.matMul(a, b).dispose());
      return 2 * n ** 3 / timeit(step, budget) / 1e9;
    });
  }

  for (const [cin, cout, hw] of [[3, 64, 28], [64, 128, 14]]) {
    measure(`conv_${cin}to${cout}_fwd_bwd_t${t}`, () => {
      // tfjs is NHWC. Forward and all gradients through tf.grads, as a training step runs them;
      // sum(y * g) makes the incoming gradient exactly g (its own cost is a small share).
      const w = tf.randomNormal([3, 3, cin, cout]) as tf.Tensor4D, bias = tf.randomNormal([cout]);
      const loss = (g: tf.Tensor) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor): tf.Scalar =>
        tf.sum(tf.mul(tf.add(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, "same"), bb), g));
      const step = ring(() => ({ x: tf.randomNormal([64, hw, hw, cin]), g: tf.randomNormal([64, hw, hw, cout]) }), ({ x, g }) => tf.tidy(() => {
        if (cin === 3) tf.grads((ww: tf.Tensor, bb: tf.Tensor) => loss(g)(x, ww, bb))([w, bias]);
        else tf.grads(loss(g))([x, w, bias]);
      }));
      return timeit(step, budget) * 1e3;
    });
  }

  measure(`add_16M_t${t}`, () => {
    const n = 16 * 1024 * 1024;
    const step = ring(() => [tf.randomNormal([n]), tf.randomNormal([n])], ([a, b]) => tf.add(a, b).dispose(), RING_LARGE);
    return 3 * 4 * n / timeit(step, budget) / 1e9;
  });

  measure(`autograd_chain_t${t}`, () => {
    const f = (v: tf.Tensor): tf.Tensor => {
      let y = v;
      for (let i = 0; i < 500; i++) y = tf.add(tf.mul(y, 1.0001), 0.0001);
      return tf.sum(y);
    };
    const grad = tf.grad(f);
    const run = ring(() => tf.randomNormal([4]), (x) => tf.tidy(() => { grad(x); }));
    for (let i = 0; i < 5; i++) run(); // JIT warm-up, as for tsgrad
    return timeit(run, budget) / 1000 * 1e6;
  });

  const usedThreads = backend === "wasm" ? wasm.getThreadsCount() : 1;
  console.log(JSON.stringify({ backend, threads: usedThreads, results, errors }));
}

main().catch((e) => { console.error(e); process.exit(1); });
