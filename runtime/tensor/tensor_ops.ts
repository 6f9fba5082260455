// runtime/tensor/tensor_ops.ts
// The ops Tensor's methods delegate to, as interfaces over the tensor type T. tensor.ts depends on
// these, not on ops_*.ts; index.ts installs the implementations (installTensorOps in tensor.ts),
// so the ops, which import Tensor, and Tensor form no import cycle. Signatures mirror ops_*.ts;
// tsc checks them against the implementations where index.ts installs them.

import type { BinaryOp, DeviceName, UnaryOp } from "./backend";
import type { DType, TypedArray } from "./dtype";
import type { Shape } from "./shape";

/** Nested arrays of numbers or booleans, as toArray() returns them. */
export type NestedArray = number | boolean | NestedArray[];

/** Options of var()/std(): correction (or unbiased, PyTorch's older spelling) and keepdim. */
export interface VarOptions { correction?: number; unbiased?: boolean; keepdim?: boolean }

type Dims = number | readonly number[] | undefined;

export interface ElementwiseOps<T> {
  unary(op: UnaryOp, x: T, p?: number, p2?: number): T;
  add(a: T, b: T | number, alpha?: number): T;
  sub(a: T, b: T | number, alpha?: number): T;
  mul(a: T, b: T | number): T;
  div(a: T, b: T | number): T;
  pow(a: T, b: T | number): T;
  maximum(a: T, b: T): T;
  minimum(a: T, b: T): T;
  clamp(x: T, min?: number | null, max?: number | null): T;
  compare(op: BinaryOp, a: T, b: T | number): T;
  where(cond: T, a: T | number, b: T | number): T;
  logicalNot(x: T): T;
  cast(x: T, dtype: DType): T;
  fullLike(x: T, value: number, dtype?: DType): T;
  itemOf(t: T, data: TypedArray): number;
  inplace<S extends T>(x: S, compute: () => T, fast?: BinaryOp, other?: T | number, alpha?: number): S;
  fillInPlace<S extends T>(x: S, value: number): S;
  copyInPlace<S extends T>(x: S, src: T): S;
  randomInPlace<S extends T>(x: S, kind: "uniform" | "normal", a: number, b: number): S;
}

export interface ReduceOps<T> {
  sum(x: T, dim?: Dims, keepdim?: boolean): T;
  mean(x: T, dim?: Dims, keepdim?: boolean): T;
  prod(x: T, dim?: number, keepdim?: boolean): T;
  amax(x: T, dim: Dims, keepdim: boolean, name: string): T;
  amin(x: T, dim: Dims, keepdim: boolean, name: string): T;
  all(x: T): T;
  any(x: T): T;
  argExtreme(x: T, op: "argmax" | "argmin", dim: number | undefined, keepdim: boolean): T;
  maxWithIndices(x: T, dim: number, keepdim: boolean, which: "max" | "min"): { values: T; indices: T };
  variance(x: T, dim: Dims, opts: VarOptions): T;
  norm(x: T, p: number, dim: Dims, keepdim: boolean): T;
  logsumexp(x: T, dim: number | readonly number[], keepdim: boolean): T;
  softmax(x: T, dim: number, log: boolean): T;
  cumsum(x: T, dim: number): T;
  sort(x: T, dim: number, descending: boolean): { values: T; indices: T };
  topk(x: T, k: number, dim: number, largest: boolean, sorted: boolean): { values: T; indices: T };
}

export interface ViewOps<T> {
  reshape(x: T, shape: readonly number[]): T;
  view(x: T, shape: readonly number[]): T;
  flatten(x: T, startDim: number, endDim: number): T;
  unflatten(x: T, dim: number, sizes: readonly number[]): T;
  squeeze(x: T, dim?: number | readonly number[]): T;
  unsqueeze(x: T, dim: number): T;
  permute(x: T, dims: readonly number[]): T;
  transpose(x: T, dim0: number, dim1: number): T;
  t(x: T): T;
  expand(x: T, sizes: readonly number[]): T;
  narrow(x: T, dim: number, start: number, length: number): T;
  select(x: T, dim: number, index: number): T;
  slice(x: T, dim: number, start?: number, end?: number, step?: number): T;
  chunk(x: T, chunks: number, dim: number): T[];
  split(x: T, splitSize: number | readonly number[], dim: number): T[];
  unbind(x: T, dim: number): T[];
  clone(x: T): T;
  contiguousCopy(x: T): T;
  toDevice(x: T, device: DeviceName): T;
  toDeviceAsync(x: T, device: DeviceName): Promise<T>;
  dimIndex(op: string, dim: number, rank: number): number;
  shapeArg(args: readonly (number | readonly number[])[]): number[];
  nest(data: TypedArray, shape: Shape, dtype: DType): NestedArray;
}

export interface IndexOps<T> {
  gather(x: T, dim: number, index: T): T;
  indexSelect(x: T, dim: number, index: T): T;
}

export interface LinalgOps<T> {
  matmul(a: T, b: T): T;
}

export interface PrintOps<T> {
  formatTensor(t: T): string;
  formatTensorAsync(t: T): Promise<string>;
}

/** Everything Tensor's methods call, by module. */
export interface TensorOps<T> {
  E: ElementwiseOps<T>;
  R: ReduceOps<T>;
  V: ViewOps<T>;
  X: IndexOps<T>;
  LA: LinalgOps<T>;
  P: PrintOps<T>;
}
