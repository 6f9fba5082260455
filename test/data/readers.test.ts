import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import {
  readMnistPackage, mnistPackageSplit, readIdx, encodeIdxU8, readMnistIdx, readCifar10Batch, readCifar10,
} from "../../runtime/tensor/data/readers";
import { twoMoonsArrays, spiralsArrays } from "../../runtime/tensor/data/synthetic";

describe("data readers", () => {
  it("mnist package: 10,000 digits of 784 values in [0, 1] with every class present", () => {
    const { images, labels } = readMnistPackage();
    assert.equal(labels.length, 10000);
    assert.equal(images.length, 10000 * 784);
    const counts = new Array(10).fill(0);
    for (const l of labels) counts[l]++;
    assert.ok(counts.every((c) => c > 800), `class counts ${counts}`);
    let min = Infinity, max = -Infinity;
    for (const v of images) { if (v < min) min = v; if (v > max) max = v; }
    assert.equal(min, 0); assert.equal(max, 1);
  });

  it("mnist package split: 8,000 train and 2,000 test, disjoint and fixed", () => {
    const tr = mnistPackageSplit(true), te = mnistPackageSplit(false);
    assert.equal(tr.length, 8000); assert.equal(te.length, 2000);
    const seen = new Set(tr);
    assert.ok(Array.from(te).every((i) => !seen.has(i)));
    assert.deepEqual(Array.from(mnistPackageSplit(true).slice(0, 5)), Array.from(tr.slice(0, 5)));
  });

  it("idx: reads what encodeIdxU8 writes, plain and gzipped", () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 7);
    const bytes = encodeIdxU8([2, 3, 4], data);
    for (const b of [bytes, zlib.gzipSync(bytes)]) {
      const r = readIdx(b);
      assert.deepEqual(r.shape, [2, 3, 4]);
      assert.deepEqual(Array.from(r.data), Array.from(data));
    }
  });

  it("idx: rejects a file that is not IDX and one that is truncated", () => {
    assert.throws(() => readIdx(Uint8Array.from([1, 2, 3, 4])), /bad magic/);
    const bytes = encodeIdxU8([10, 10], new Uint8Array(100));
    assert.throws(() => readIdx(bytes.subarray(0, 50)), /needs 100/);
  });

  it("mnist idx folder: images scaled to [0, 1], labels as int32", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsgrad-idx-"));
    const px = Uint8Array.from({ length: 3 * 28 * 28 }, (_, i) => i % 256);
    fs.writeFileSync(path.join(dir, "t10k-images-idx3-ubyte.gz"), zlib.gzipSync(encodeIdxU8([3, 28, 28], px)));
    fs.writeFileSync(path.join(dir, "t10k-labels-idx1-ubyte"), encodeIdxU8([3], Uint8Array.from([7, 2, 1])));
    const r = readMnistIdx(dir, false);
    assert.deepEqual(r.shape, [1, 28, 28]);
    assert.deepEqual(Array.from(r.labels), [7, 2, 1]);
    assert.equal(r.images[255], 1); assert.equal(r.images[256], 0);
    assert.throws(() => readMnistIdx(dir, true), /no train-images-idx3-ubyte/);
    fs.rmSync(dir, { recursive: true });
  });

  it("cifar-10: records of 1 label byte + 3072 pixel bytes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsgrad-cifar-"));
    const buf = new Uint8Array(2 * 3073);
    buf[0] = 3; buf[1] = 255; buf[3073] = 9; buf[3073 + 3072] = 51;
    fs.writeFileSync(path.join(dir, "test_batch.bin"), buf);
    const b = readCifar10Batch(buf);
    assert.deepEqual(Array.from(b.labels), [3, 9]);
    const r = readCifar10(dir, false);
    assert.deepEqual(r.shape, [3, 32, 32]);
    assert.equal(r.images[0], 1); assert.ok(Math.abs(r.images[2 * 3072 - 1] - 0.2) < 1e-6);
    assert.throws(() => readCifar10Batch(buf.subarray(1)), /whole number/);
    fs.rmSync(dir, { recursive: true });
  });

  it("twoMoons: two balanced classes, same points for the same seed", () => {
    const a = twoMoonsArrays(200, { noise: 0.1, seed: 3 }), b = twoMoonsArrays(200, { noise: 0.1, seed: 3 });
    assert.deepEqual(Array.from(a.x), Array.from(b.x));
    assert.equal(Array.from(a.y).filter((v) => v === 1).length, 100);
    const c = twoMoonsArrays(200, { noise: 0.1, seed: 4 });
    assert.notDeepEqual(Array.from(a.x), Array.from(c.x));
  });

  it("spirals: n points per class with radius in [0, 1]", () => {
    const s = spiralsArrays(50, { classes: 3, seed: 1 });
    assert.equal(s.n, 150);
    for (let i = 0; i < s.n; i++) assert.ok(Math.hypot(s.x[2 * i], s.x[2 * i + 1]) <= 1 + 1e-6);
    assert.deepEqual([0, 1, 2].map((c) => Array.from(s.y).filter((v) => v === c).length), [50, 50, 50]);
  });
});
