// runtime/tensor/data/tensors.ts
// The few tensor-engine calls the data package makes, in one place: typed array <-> tensor,
// stacking samples, and row selection.

import type { DeviceName } from "../backend";
import type { DType, TypedArray } from "../dtype";
import { Tensor } from "../tensor";
import { fromData, getDefaultDevice } from "../kernels";
import { stack } from "../ops_view";
import { noGrad } from "../autograd";
import type { Sample } from "./transforms";

export function fromArray(data: TypedArray, shape: number[], dtype: DType, device?: DeviceName): Tensor {
  return fromData(data, shape, dtype, device ?? getDefaultDevice());
}

export function stack0(ts: Tensor[]): Tensor { return stack(ts, 0); }

export function indexSelect0(t: Tensor, indices: Int32Array): Tensor {
  return noGrad(() => t.indexSelect(0, fromData(indices, [indices.length], "int32", t.device)));
}

/** A float32 host copy of a (CPU) tensor, for transforms. */
export function sampleToArray(x: Tensor): Sample {
  const d = x.to("float32").dataSync();
  return { data: d instanceof Float32Array ? d.slice() : Float32Array.from(d), shape: x.shape.slice() };
}

export function arrayToSample(s: Sample, device: DeviceName): Tensor {
  return fromData(s.data, s.shape, "float32", device);
}
