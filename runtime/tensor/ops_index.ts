// runtime/tensor/ops_index.ts
// Indexing ops with their gradients: indexSelect, gather, scatterAdd, pad, embedding, and
// writeSlice (writing a tensor into a slice of another), which cat, pad and the gradients of
// slicing use. Everything goes through the backend's gather/scatterAdd (or its optional assign).

import type { View } from "./backend";
import { noGrad, record, type BackwardFn } from "./autograd";
import { DTypeError, ShapeError } from "./errors";
import { assignViewK, castK, fromData, full, gatherK, sameDevice, scatterAddK } from "./kernels";
import { formatShape, normalizeDim } from "./shape";
import type { Tensor } from "./tensor";

/** Index tensors are int32; float tensors holding whole numbers (torch.tensor([0, 2])) are converted. */
export function asIndex(op: string, index: Tensor): Tensor {
  if (index.dtype === "int32") return index;
  if (index.dtype === "bool") throw new DTypeError(`${op}: index must be an integer tensor, got bool`, "use where() or maskedFill() for boolean masks");
  return castK(index, "int32");
}

/**
 * Write src into target (a whole contiguous tensor) at positions start, start+step, ... along dim;
 * the other dims of src must match target's. Uses the backend's assign when it has one, else
 * scatterAdd of src into target (which must then hold zeros in that slice).
 */
export function writeSlice(target: Tensor, dim: number, start: number, step: number, src: Tensor): void {
  sameDevice("writeSlice", target, src);
  const len = src.shape[dim];
  const strides = target.strides.slice();
  strides[dim] *= step;
  if (!assignViewK(target, { buf: target.buf, shape: src.shape, strides, offset: target.offset + start * target.strides[dim] }, src)) {
    const idx = new Int32Array(len);
    for (let i = 0; i < len; i++) idx[i] = start + i * step;
    const it = fromData(idx, [len], "int32", target.device);
    const istrides = src.shape.map(() => 0);
    istrides[dim] = 1;
    scatterAddK(target, dim, { buf: it.buf, shape: src.shape, strides: istrides, offset: 0 }, src);
    it.dispose();
  }
  target._handle.version++;
}

/** zeros(shape) with src added at index along dim (torch.zeros(shape).scatter_add_(dim, index, src)). Differentiable in src. */
export function scatterAddNew(shape: readonly number[], dim: number, index: Tensor, src: Tensor): Tensor {
  const out = full(shape, 0, src.dtype, src.device);
  scatterAddK(out, dim, index, src);
  const node = record("scatterAdd", [src], out, scatterBackward, dim);
  if (node) node.save(index);
  return out;
}

const scatterBackward: BackwardFn = (g, [index], node) => [gather(g, node.ctx as number, index)];

/** x + zeros.scatterAdd(dim, index, src) (torch.Tensor.scatter_add, out of place). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normalizeDim("scatterAdd", dim, x.ndim);
  return x.add(scatterAddNew(x.shape, d, asIndex("scatterAdd", index), src));
}

export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim("gather", dim, x.ndim);
  const idx = asIndex("gather", index);
  sameDevice("gather", x, idx);
  if (idx.ndim !== x.ndim) throw new ShapeError(`gather: index has ${idx.ndim} dimensions but input has ${x.ndim} (shapes ${formatShape(idx.shape)} and ${formatShape(x.shape)})`);
  for (let i = 0; i < x.ndim; i++) if (i !== d && idx.shape[i] > x.shape[i])
    throw new ShapeError(`gather: index shape ${formatShape(idx.shape)} is larger than input shape ${formatShape(x.shape)} at dimension ${i}`);
  const out = gatherView(x, d, idx, idx.shape);
  const node = record("gather", [x], out, gatherBackward, d);
  if (node) node.save(idx);
  return out;
}

function gatherView(x: Tensor, dim: number, index: View, shape: readonly number[]): Tensor {
  const out = full(shape, 0, x.dtype, x.device);
  gatherK(x, dim, index, out);
  return out;
}

const gatherBackward: BackwardFn = (g, [idx], node) => [scatterAddNew(node.shapes[0], node.ctx as number, idx, g)];

export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim("indexSelect", dim, x.ndim);
  let idx = asIndex("indexSelect", index);
  sameDevice("indexSelect", x, idx);
  if (idx.ndim > 1) throw new ShapeError(`indexSelect: index must be 1-D, got shape ${formatShape(idx.shape)}`);
  if (idx.ndim === 0) idx = idx.reshape([1]);
  const shape = x.shape.slice();
  shape[d] = idx.shape[0];
  // The index as a View of the output's shape: stride 0 everywhere but along dim.
  const strides = shape.map(() => 0);
  strides[d] = idx.strides[0];
  const iv = idx._view(shape, strides, idx.offset);
  const out = gatherView(x, d, iv, shape);
  const node = record("indexSelect", [x], out, gatherBackward, d);
  if (node) node.save(iv);
  return out;
}

export type PadMode = "constant";

/** torch.nn.functional.pad with mode "constant": pad = [left, right, top, bottom, ...] from the last dim backwards. */
export function pad(x: Tensor, padding: readonly number[], value = 0): Tensor {
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim)
    throw new ShapeError(`pad: padding ${formatShape(padding)} must have an even length of at most ${2 * x.ndim} for a tensor of shape ${formatShape(x.shape)}`);
  const out = noGrad(() => {
    let cur = x;
    for (let k = 0; k < padding.length / 2; k++) {
      const d = x.ndim - 1 - k, lo = padding[2 * k], hi = padding[2 * k + 1];
      if (lo < 0 || hi < 0) cur = cur.narrow(d, Math.max(-lo, 0), cur.shape[d] - Math.max(-lo, 0) - Math.max(-hi, 0));
      const shape = cur.shape.slice();
      shape[d] += Math.max(lo, 0) + Math.max(hi, 0);
      const assign = !!cur._backend().assign;
      // Without assign, writeSlice adds into the target: start from zeros and add `value` outside.
      let next = full(shape, assign ? value : 0, cur.dtype, cur.device);
      writeSlice(next, d, Math.max(lo, 0), 1, cur);
      if (!assign && value !== 0) {
        const outside = full(shape, 1, cur.dtype, cur.device);
        writeSlice(outside, d, Math.max(lo, 0), 1, full(cur.shape, -1, cur.dtype, cur.device));
        next = next.add(outside.mul(value));
      }
      cur = next;
    }
    return cur;
  });
  record("pad", [x], out, padBackward, padding.slice());
  return out;
}

const padBackward: BackwardFn = (g, _s, node) => {
  const padding = node.ctx as number[], shape = node.shapes[0];
  let cur = g;
  for (let k = 0; k < padding.length / 2; k++) {
    const d = shape.length - 1 - k, lo = padding[2 * k], hi = padding[2 * k + 1];
    if (lo >= 0 && hi >= 0) cur = cur.narrow(d, lo, cur.shape[d] - lo - hi);
    else cur = pad(cur.narrow(d, Math.max(lo, 0), cur.shape[d] - Math.max(lo, 0) - Math.max(hi, 0)), padVec(shape.length, d, Math.max(-lo, 0), Math.max(-hi, 0)));
  }
  return [cur];
};

function padVec(rank: number, d: number, lo: number, hi: number): number[] {
  const k = rank - 1 - d, out = new Array(2 * (k + 1)).fill(0);
  out[2 * k] = lo;
  out[2 * k + 1] = hi;
  return out;
}

/** Rows of weight picked by integer indices: out shape [...indices.shape, embeddingDim]. */
export function embedding(indices: Tensor, weight: Tensor): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(`embedding: weight must be 2-D [numEmbeddings, embeddingDim], got ${formatShape(weight.shape)}`);
  const flat = asIndex("embedding", indices).reshape([-1]);
  return indexSelect(weight, 0, flat).reshape([...indices.shape, weight.shape[1]]);
}
