// runtime/tensor/data/index.ts
// What `data` is in a cell: torch.utils.data (Dataset, TensorDataset, DataLoader, randomSplit),
// torchvision-style transforms and data sets (MNIST from the `mnist` package or IDX files,
// CIFAR10 binary batches), toy sets (twoMoons, spirals) and the raw readers.

import { callable } from "../nn/module";
import * as D from "./dataset";
import * as DL from "./dataloader";
import * as transformsNs from "./transforms";

export { Dataset, ArrayDataset, randomSplit } from "./dataset";
export const TensorDataset = callable(D.TensorDataset);
export type TensorDataset = D.TensorDataset;
export const Subset = callable(D.Subset);
export type Subset<T> = D.Subset<T>;
export const DataLoader = callable(DL.DataLoader);
export type DataLoader<T = any, B = any> = DL.DataLoader<T, B>;
export { defaultCollate } from "./dataloader";
export type { DataLoaderOptions } from "./dataloader";
export { MNIST, CIFAR10, twoMoons, spirals } from "./datasets";
export type { MnistOptions, MNISTDataset, CIFAR10Dataset } from "./datasets";
export {
  readMnistPackage, readIdx, readIdxFile, encodeIdxU8, readMnistIdx, readCifar10Batch, readCifar10, CIFAR10_CLASSES,
} from "./readers";
export { Generator, randperm } from "./random";
/** torchvision.transforms: normalize, randomCrop, randomHorizontalFlip, compose. */
export const transforms = transformsNs;
export type { Transform, Sample } from "./transforms";
