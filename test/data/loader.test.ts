import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { torch } from "../../runtime/tensor/index";
import type { Tensor } from "../../runtime/tensor/tensor";
import * as data from "../../runtime/tensor/data/index";

const ints = (t: Tensor) => Array.from(t.dataSync());

class Squares extends data.Dataset<[number, number]> {
  get length() { return 10; }
  getItem(i: number): [number, number] { return [i, i * i]; }
}
class SlowSquares extends data.Dataset<[Tensor, number]> {
  get length() { return 6; }
  async getItem(i: number): Promise<[Tensor, number]> {
    await new Promise((r) => setTimeout(r, 1));
    return [torch.tensor([i, 10 - i]), i % 2];
  }
}

describe("data.DataLoader", () => {
  it("TensorDataset: batches rows in order, last batch short unless dropLast", () => {
    const x = torch.arange(10).reshape(10, 1), y = torch.arange(10, { dtype: "int32" });
    const ds = data.TensorDataset(x, y);
    assert.equal(ds.length, 10);
    const loader = data.DataLoader(ds, { batchSize: 4 });
    assert.equal(loader.length, 3);
    const batches = [...loader];
    assert.deepEqual(batches.map(([bx]) => bx.shape), [[4, 1], [4, 1], [2, 1]]);
    assert.deepEqual(ints(batches[2][1]), [8, 9]);
    assert.equal([...data.DataLoader(ds, { batchSize: 4, dropLast: true })].length, 2);
  });

  it("shuffle: a seeded generator gives the same order; every sample appears once per epoch", () => {
    const ds = data.TensorDataset(torch.arange(20, { dtype: "int32" }));
    const order = (seed: number) => [...data.DataLoader(ds, { batchSize: 8, shuffle: true, generator: seed })].flatMap(([b]) => ints(b));
    assert.deepEqual(order(1), order(1));
    assert.notDeepEqual(order(1), order(2));
    assert.deepEqual(order(1).slice().sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
    const loader = data.DataLoader(ds, { batchSize: 20, shuffle: true, generator: 5 });
    const [e1] = [...loader][0], [e2] = [...loader][0];
    assert.notDeepEqual(ints(e1), ints(e2), "a new permutation each epoch");
  });

  it("default collate stacks numbers and tensors position by position; collateFn replaces it", () => {
    const [[i, sq]] = [...data.DataLoader(new Squares(), { batchSize: 3 })];
    assert.equal(i.dtype, "int32");
    assert.deepEqual(ints(i), [0, 1, 2]); assert.deepEqual(ints(sq), [0, 1, 4]);
    const sums = [...data.DataLoader(new Squares(), { batchSize: 5, collateFn: (s) => s.reduce((a, [, b]) => a + b, 0) })];
    assert.deepEqual(sums, [0 + 1 + 4 + 9 + 16, 25 + 36 + 49 + 64 + 81]);
  });

  it("for await prefetches async samples; sync iteration of an async data set explains itself", async () => {
    const loader = data.DataLoader(new SlowSquares(), { batchSize: 4 });
    const got: number[][] = [];
    for await (const [x, y] of loader) { got.push(ints(x)); assert.equal(y.dtype, "int32"); }
    assert.deepEqual(got, [[0, 10, 1, 9, 2, 8, 3, 7], [4, 6, 5, 5]]);
    assert.throws(() => [...loader], /for await/);
  });

  it("for await builds the next batch while the loop body awaits", async () => {
    const built: number[] = [];
    class Tracked extends data.Dataset<number> {
      get length() { return 6; }
      getItem(i: number) { built.push(i); return i; }
    }
    const loader = data.DataLoader(new Tracked(), { batchSize: 2, prefetch: 1 });
    const afterAwait: number[] = [];
    for await (const _b of loader) {
      await new Promise((r) => setTimeout(r, 5));   // the "training step" awaits (e.g. loss.item())
      afterAwait.push(built.length);
    }
    // While the body of batch k awaited, batch k+1 (2 more samples) was built; without the
    // lookahead this would read [2, 4, 6].
    assert.deepEqual(afterAwait, [4, 6, 6]);
    const lazy: number[] = [];
    built.length = 0;
    for await (const _b of data.DataLoader(new Tracked(), { batchSize: 2, prefetch: 0 })) {
      await new Promise((r) => setTimeout(r, 5));
      lazy.push(built.length);
    }
    assert.deepEqual(lazy, [2, 4, 6]);
    assert.ok(built.length === 6);
  });

  it("randomSplit: sizes or fractions, disjoint, reproducible", () => {
    const ds = data.TensorDataset(torch.arange(10, { dtype: "int32" }));
    const [a, b] = data.randomSplit(ds, [0.7, 0.3], 0);
    assert.deepEqual([a.length, b.length], [7, 3]);
    const all = [...a.indices, ...b.indices].sort((p, q) => p - q);
    assert.deepEqual(all, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const [c] = data.randomSplit(ds, [7, 3], 0);
    assert.deepEqual(Array.from(c.indices), Array.from(a.indices));
    const [[batch]] = [...data.DataLoader(a, { batchSize: 7 })];
    assert.deepEqual(ints(batch), Array.from(a.indices));
    assert.throws(() => data.randomSplit(ds, [5, 4]), /sum to 9/);
  });
});

describe("data sets and transforms", () => {
  it("MNIST: 8,000 train / 2,000 test from the mnist package; channels 3 repeats the digit", () => {
    const test = data.MNIST({ train: false });
    assert.equal(test.length, 2000);
    const [x, y] = test.getItem(0);
    assert.deepEqual(x.shape, [1, 28, 28]); assert.equal(y.dtype, "int32");
    const rgb = data.MNIST({ train: true, limit: 16, channels: 3 });
    assert.equal(rgb.length, 16);
    const [bx] = rgb.getBatch(Int32Array.of(0, 1));
    assert.deepEqual(bx.shape, [2, 3, 28, 28]);
    const v = bx.dataSync();
    assert.deepEqual(Array.from(v.subarray(0, 784)), Array.from(v.subarray(784 * 2, 784 * 3)));
    assert.deepEqual(data.MNIST({ limit: 4, flatten: true }).getItem(0)[0].shape, [784]);
  });

  it("transforms: normalize per channel, flip mirrors, crop with padding keeps the size", () => {
    const img = torch.arange(2 * 2 * 3, { dtype: "float32" }).reshape(2, 2, 3);
    const n = data.transforms.normalize([0, 6], [1, 2])(img);
    assert.deepEqual(ints(n), [0, 1, 2, 3, 4, 5, 0, 0.5, 1, 1.5, 2, 2.5]);
    const f = data.transforms.randomHorizontalFlip(1)(img);
    assert.deepEqual(ints(f).slice(0, 3), [2, 1, 0]);
    const crop = data.transforms.randomCrop(2, { padding: 1, generator: 3 });
    const c = crop(img);
    assert.deepEqual(c.shape, [2, 2, 2]);
    const pipeline = data.transforms.compose([data.transforms.randomCrop(28, { padding: 2, generator: 0 }), data.transforms.normalize(0.1307, 0.3081)]);
    const ds = data.MNIST({ train: false, limit: 8, transform: pipeline });
    const [bx] = ds.getBatch(Int32Array.of(0, 1, 2));
    assert.deepEqual(bx.shape, [3, 1, 28, 28]);
    assert.ok(Math.min(...Array.from(bx.dataSync())) < -0.4, "normalized");
  });

  it("MNIST from IDX files and CIFAR10 from binary batches in a folder", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsgrad-ds-"));
    fs.writeFileSync(path.join(dir, "train-images-idx3-ubyte"), data.encodeIdxU8([3, 28, 28], new Uint8Array(3 * 784).fill(255)));
    fs.writeFileSync(path.join(dir, "train-labels-idx1-ubyte"), data.encodeIdxU8([3], Uint8Array.of(4, 5, 6)));
    const m = data.MNIST({ root: dir, channels: 3, limit: 2 });
    assert.equal(m.length, 2);
    const [x, y] = m.getBatch(Int32Array.of(0, 1));
    assert.deepEqual(x.shape, [2, 3, 28, 28]); assert.deepEqual(ints(y), [4, 5]);
    assert.equal(x.dataSync()[3 * 784 - 1], 1);
    const rec = new Uint8Array(3073 * 4);
    for (let i = 0; i < 4; i++) rec[i * 3073] = i + 1;
    fs.mkdirSync(path.join(dir, "cifar-10-batches-bin"));
    fs.writeFileSync(path.join(dir, "cifar-10-batches-bin", "data_batch_1.bin"), rec);
    const c = data.CIFAR10({ root: dir });
    assert.equal(c.length, 4);
    assert.deepEqual(c.getItem(2)[0].shape, [3, 32, 32]);
    assert.deepEqual(ints(c.getItem(2)[1]), [3]);
    fs.rmSync(dir, { recursive: true });
  });

  it("twoMoons and spirals: data sets with .x and .y for full-batch training", () => {
    const moons = data.twoMoons(100, { noise: 0.1, seed: 0 });
    assert.deepEqual(moons.x.shape, [100, 2]); assert.deepEqual(moons.y.shape, [100]);
    assert.equal(ints(moons.y).filter((v) => v === 1).length, 50);
    const sp = data.spirals(30, { classes: 3, seed: 1 });
    assert.deepEqual(sp.x.shape, [90, 2]);
    assert.equal([...data.DataLoader(sp, { batchSize: 32 })].length, 3);
  });
});
