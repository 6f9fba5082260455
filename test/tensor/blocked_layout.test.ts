// test/tensor/blocked_layout.test.ts
// Blocked activations on the native CPU backend (#17, cpu/native.ts): convolutions with 16k output
// channels leave their output in oneDNN's nChw16c layout, ReLU, its backward and 2x2 max pooling
// keep it, and anything else turns the storage back to NCHW when it reads it (dataOf). Every case
// runs once on the native backend and once on the reference (cpu/reference.ts), from the same
// numbers, and checks first that the blocked layout was really taken, so that a regression to
// the plain path cannot pass unnoticed.

import * as assert from "node:assert/strict";
import { getBackend, setBackendInstance, type Backend } from "../../runtime/tensor/backend";
import { CpuBackend, CpuStorage, NativeCpuBackend } from "../../runtime/tensor/cpu";
import { torch } from "../../runtime/tensor/index";
import { F } from "../../runtime/tensor/functional";
import type { Tensor } from "../../runtime/tensor/tensor";

const reference = new CpuBackend();
const native = getBackend("cpu");

function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 * 2 - 1; });
}
const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const make = (shape: number[], seed: number, grad = false) =>
  torch.tensor(values(numel(shape), seed)).reshape(shape).requiresGrad_(grad);
const isBlocked = (t: Tensor) => (t.buf as CpuStorage).blocked !== null;

/** fn on the reference backend, then on the native one; both results as flat number arrays. */
function onBoth<T>(fn: (native: boolean) => T, read: (r: T) => number[][]): [number[][], number[][]] {
  const run = (be: Backend, isNative: boolean) => {
    setBackendInstance("cpu", be);
    try { return read(fn(isNative)); } finally { setBackendInstance("cpu", native); }
  };
  return [run(reference, false), run(native, true)];
}
function assertNear(a: number[][], b: number[][], what: string, tol = 1e-4): void {
  assert.equal(a.length, b.length);
  a.forEach((xs, i) => {
    assert.equal(xs.length, b[i].length, `${what} #${i}: length`);
    const scale = Math.max(1, ...xs.map(Math.abs));
    xs.forEach((x, j) => {
      if (Number.isNaN(x)) assert.ok(Number.isNaN(b[i][j]), `${what} #${i}[${j}]: NaN vs ${b[i][j]}`);
      else assert.ok(Math.abs(x - b[i][j]) <= tol * scale, `${what} #${i}[${j}]: reference ${x}, native ${b[i][j]}`);
    });
  });
}
const flat = (t: Tensor): number[] => Array.from(t.dataSync());

describe("blocked activations on the native CPU backend (#17)", () => {
  before(function () { if (!(native instanceof NativeCpuBackend)) this.skip(); });

  it("a CNN training step (conv, relu, pool, conv, relu, pool, linear) equals the reference: loss and every gradient", () => {
    const [r, n] = onBoth((isNative) => {
      const x = make([2, 3, 12, 12], 1);
      const w1 = make([16, 3, 3, 3], 2, true), b1 = make([16], 3, true);
      const w2 = make([32, 16, 3, 3], 4, true), b2 = make([32], 5, true);
      const fc = make([5, 32 * 3 * 3], 6, true);
      const h1 = F.relu(F.conv2d(x, w1, b1, { padding: 1 }));
      const p1 = F.maxPool2d(h1, 2);
      const h2 = F.relu(F.conv2d(p1, w2, b2, { padding: 1 }));
      const p2 = F.maxPool2d(h2, 2);
      if (isNative) for (const t of [h1, p1, h2, p2]) assert.ok(isBlocked(t), "activations stay blocked on the native backend");
      const logits = p2.flatten(1).matmul(fc.T);
      const loss = F.crossEntropy(logits, torch.tensor([1, 3], { dtype: "int32" }));
      loss.backward();
      return [loss, w1.grad!, b1.grad!, w2.grad!, b2.grad!, fc.grad!, logits];
    }, (ts) => ts.map(flat));
    assertNear(r, n, "loss, grads, logits");
  });

  it("an input that needs a gradient gets it (conv's data gradient, blocked) and reads back in NCHW", () => {
    const [r, n] = onBoth((isNative) => {
      const x = make([2, 16, 6, 6], 7, true), w = make([32, 16, 3, 3], 8, true);
      const y = F.maxPool2d(F.relu(F.conv2d(x, w, null, { padding: 1 })), 2);
      if (isNative) assert.ok(isBlocked(y));
      y.backward(make([2, 32, 3, 3], 9));
      if (isNative) assert.ok(isBlocked(x.grad!), "conv2dBackward leaves gx blocked");
      return [x.grad!, w.grad!];
    }, (ts) => ts.map(flat));
    assertNear(r, n, "grads");
  });

  it("a blocked output reads back through views, toArray, reductions and element-wise ops", () => {
    const reads: ((y: Tensor) => Tensor | number[])[] = [
      (y) => y.permute(0, 2, 3, 1).contiguous(),
      (y) => y.slice(1, 3, 9).contiguous(),
      (y) => y.reshape([2, -1]).sum(1),
      (y) => y.sum([0, 2, 3]),
      (y) => y.add(torch.ones([16, 1, 1])),
      (y) => (y.toArraySync() as number[][][][]).flat(3),
      (y) => y.relu_(),
      (y) => { const { values: v, indices } = F.maxPool2dWithIndices(y, { kernelSize: 2 }); return [...flat(v), ...flat(indices)]; },
      (y) => F.maxPool2d(y, { kernelSize: 3, stride: 1, padding: 1 }),
      (y) => F.avgPool2d(y, 2),
    ];
    reads.forEach((read, i) => {
      const [r, n] = onBoth((isNative) => {
        const y = F.conv2d(make([2, 3, 6, 6], 10 + i), make([16, 3, 3, 3], 20 + i), make([16], 30 + i), { padding: 1 });
        if (isNative) assert.ok(isBlocked(y), "the conv output is blocked before it is read");
        return read(y);
      }, (t) => [Array.isArray(t) ? t : flat(t)]);
      assertNear(r, n, `read #${i}`);
    });
  });

  it("2x2 pooling of a blocked input with an odd size: the last row and column get no gradient", () => {
    const [r, n] = onBoth((isNative) => {
      const x = make([2, 16, 7, 9], 50, true), w = make([16, 16, 3, 3], 51, true);
      const h = F.relu(F.conv2d(x, w, null, { padding: 1 }));
      const y = F.maxPool2d(h, 2);
      if (isNative) assert.ok(isBlocked(y));
      y.backward(make([2, 16, 3, 4], 52));
      return [y, x.grad!, w.grad!];
    }, (ts) => ts.map(flat));
    assertNear(r, n, "pool of odd sizes");
  });

  it("channels that do not fill whole blocks of 16 stay in NCHW", () => {
    const y = F.conv2d(make([1, 3, 5, 5], 40), make([24, 3, 3, 3], 41), null, { padding: 1 });
    assert.equal(isBlocked(y), false);
  });
});
