// bench/train_tfjs.ts
// TensorFlow.js's side of bench/train.ts, in its own process from source through tsx (tfjs-core's
// Node bundle has no gradients; its ESM gradient files need tsx's extensionless resolution):
//   node --import tsx bench/train_tfjs.ts <cpu|wasm> <cnn|mlp> <steps> [warm-up steps, default 1] [threads]
// Cycles through RING batches as tsgrad does, and reads the loss back each step as every side
// does. The wasm backend runs one thread whatever is asked (bench/peers/tfjs.ts says why); the
// result says how many in "threads".
// Prints {"samplesPerSec": n, "threads": t} or {"samplesPerSec": null, "note": why} as its last line.

import * as path from "node:path";
import * as tfCore from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-backend-cpu";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import type { PeerResult } from "./train_peers";
import { RING } from "./peers/env";

const tf: any = tfCore;

/** tfjs-core on `backend`: the CNN (NHWC, as tfjs wants) and the MLP, Adam lr 1e-3. */
async function benchTfjs(backend: "cpu" | "wasm", model: "cnn" | "mlp", steps: number, warmup: number, threads: number): Promise<PeerResult & { threads?: number }> {
  if (backend === "wasm") {
    const dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    wasm.setWasmPaths(dist + path.sep);
    wasm.setThreadsCount(threads);
  }
  await tf.setBackend(backend);
  await tf.ready();
  const v = (shape: number[], fanIn: number): any => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)));
  let batch: number, forward: (x: any) => any, xs: any[];
  if (model === "cnn") {
    batch = 64;
    const c1 = v([3, 3, 3, 64], 27), b1 = v([64], 27), c2 = v([3, 3, 64, 128], 576), b2 = v([128], 576);
    const f1 = v([128 * 7 * 7, 1000], 6272), fb1 = v([1000], 6272), f2 = v([1000, 10], 1000), fb2 = v([10], 1000);
    xs = Array.from({ length: RING }, () => tf.randomUniform([batch, 28, 28, 3]));
    forward = (x) => {
      let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, c1, 1, "same"), b1)), 2, 2, "valid");
      h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, c2, 1, "same"), b2)), 2, 2, "valid");
      h = tf.relu(tf.add(tf.matMul(tf.reshape(h, [batch, -1]), f1), fb1));
      return tf.add(tf.matMul(h, f2), fb2);
    };
  } else {
    batch = 128;
    const w1 = v([784, 256], 784), b1 = v([256], 784), w2 = v([256, 256], 256), b2 = v([256], 256);
    const w3 = v([256, 10], 256), b3 = v([10], 256);
    xs = Array.from({ length: RING }, () => tf.randomUniform([batch, 784]));
    forward = (x) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2)), w3), b3);
  }
  const ys = Array.from({ length: RING }, () => tf.oneHot(tf.randomUniform([batch], 0, 10, "int32") as any, 10));
  const opt = tf.train.adam(1e-3);
  let i = 0;
  const step = () => tf.tidy(() => {
    const x = xs[i % RING], y = ys[i % RING];
    i++;
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)) as any, true);
    return (loss as any).dataSync()[0];
  });
  try {
    for (let i = 0; i < warmup; i++) step();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step();
    return { samplesPerSec: (batch * steps * 1000) / (performance.now() - t0), threads: backend === "wasm" ? wasm.getThreadsCount() : 1 };
  } catch (e) {
    return { samplesPerSec: null, note: `tfjs-${backend} cannot train the ${model}: ${(e as Error).message.split("\n")[0]}` };
  }
}


const [backend, model, steps, warmup, threads] = process.argv.slice(2);
benchTfjs(backend as "cpu" | "wasm", model as "cnn" | "mlp", Number(steps), Number(warmup ?? 1), Number(threads ?? 1))
  .then((r) => console.log(JSON.stringify(r)), (e) => console.log(JSON.stringify({ samplesPerSec: null, note: String(e) })));
