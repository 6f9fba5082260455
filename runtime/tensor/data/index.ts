// runtime/tensor/data/index.ts
// What `data` is in a cell: torch.utils.data (Dataset, TensorDataset, DataLoader, randomSplit),
// torchvision-style transforms and data sets (MNIST from the `mnist` package or IDX files,
// CIFAR10 binary batches), toy sets (twoMoons, spirals) and the raw readers.

import { callable } from "../nn/module";
import * as D from "./dataset";
import * as DL from "./dataloader";
import * as transformsNs from "./transforms";

export { Dataset, ArrayDataset, randomSplit } from "./dataset";
/** Samples are the i-th rows of each tensor (torch.utils.data.TensorDataset); all tensors need the same first dim.
 * Shapes: tensors `[N, *]` -> samples: a list of rows `[*]`; batches: a list of `[B, *]`.
 * @example const ds = data.TensorDataset(x, y); const loader = data.DataLoader(ds, { batchSize: 32, shuffle: true }); */
export const TensorDataset = callable(D.TensorDataset);
export type TensorDataset = D.TensorDataset;
interface DataLoaderConstructor {
  new <T, B = DL.Collated<T>>(dataset: D.Dataset<T>, opts?: DL.DataLoaderOptions<T, B>): DL.DataLoader<T, B>;
  <T, B = DL.Collated<T>>(dataset: D.Dataset<T>, opts?: DL.DataLoaderOptions<T, B>): DL.DataLoader<T, B>;
  readonly prototype: DL.DataLoader;
}
/** data.DataLoader(dataset, { batchSize, shuffle, generator, dropLast, collateFn, device, prefetch }).
 * Shapes: samples `[*]` -> batches `[B, *]` with the default collate.
 * @example for (const [x, y] of data.DataLoader(data.TensorDataset(X, Y), { batchSize: 32, shuffle: true })) console.log(x.shape, y.shape); */
export const DataLoader = callable(DL.DataLoader) as unknown as DataLoaderConstructor;
export type DataLoader<T = any, B = DL.Collated<T>> = DL.DataLoader<T, B>;
interface SubsetConstructor {
  new <T>(dataset: D.Dataset<T>, indices: Int32Array): D.Subset<T>;
  <T>(dataset: D.Dataset<T>, indices: Int32Array): D.Subset<T>;
  readonly prototype: D.Subset<unknown>;
}
/** A view of a data set restricted to some indices (torch.utils.data.Subset).
 * @example const firstHundred = data.Subset(ds, Int32Array.from({ length: 100 }, (_, i) => i)); */
export const Subset = callable(D.Subset) as unknown as SubsetConstructor;
export type Subset<T> = D.Subset<T>;
export { defaultCollate } from "./dataloader";
export type { DataLoaderOptions, Collated } from "./dataloader";
export { MNIST, CIFAR10, twoMoons, spirals } from "./datasets";
export type { MnistOptions, MNISTDataset, CIFAR10Dataset } from "./datasets";
export {
  readMnistPackage, readIdx, readIdxFile, encodeIdxU8, readMnistIdx, readCifar10Batch, readCifar10, CIFAR10_CLASSES,
} from "./readers";
export { Generator, randperm } from "./random";
/** torchvision.transforms: normalize, randomCrop, randomHorizontalFlip, compose.
 * @example const t = data.transforms.compose([data.transforms.randomHorizontalFlip(), data.transforms.normalize(0.5, 0.5)]); */
export const transforms = transformsNs;
export type { Transform, Sample } from "./transforms";
