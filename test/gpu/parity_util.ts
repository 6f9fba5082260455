// test/gpu/parity_util.ts
// Helpers for testing the WebGPU backend against the reference CPU backend through the Backend
// interface: the same random data in both, Views over it, and closeness checks that name the
// first element that differs.

import * as assert from "node:assert/strict";
import type { Backend, DType, Storage, View } from "../../runtime/tensor/backend";
import type { TypedArray } from "../../runtime/tensor/dtype";
import { arrayFor } from "../../runtime/tensor/dtype";
import { CpuBackend } from "../../runtime/tensor/cpu";
import { initWebGpu } from "../../gpu/index";

/** Deterministic uniform [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomData(dtype: DType, n: number, r: () => number, lo = -2, hi = 2): TypedArray {
  const out = arrayFor(dtype, n);
  for (let i = 0; i < n; i++) {
    const u = lo + (hi - lo) * r();
    out[i] = dtype === "bool" ? (u > (lo + hi) / 2 ? 1 : 0) : dtype === "int32" ? Math.round(u) : u;
  }
  return out;
}

/** The same data in a storage of each backend. */
export class Pair {
  constructor(readonly cpu: Storage, readonly gpu: Storage, readonly data: TypedArray) {}
  static of(cpu: Backend, gpu: Backend, data: TypedArray, dtype: DType): Pair {
    const c = cpu.alloc(data.length, dtype), g = gpu.alloc(data.length, dtype);
    cpu.write(c, data);
    gpu.write(g, data);
    return new Pair(c, g, data);
  }
  /** Views onto both storages with the same geometry. */
  view(shape: readonly number[], strides?: readonly number[], offset = 0): [View, View] {
    const s = strides ?? contiguous(shape);
    return [{ buf: this.cpu, shape, strides: s, offset }, { buf: this.gpu, shape, strides: s, offset }];
  }
}

export function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let p = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = p; p *= shape[i]; }
  return s;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export interface Tol { atol?: number; rtol?: number }

/** |got - want| <= atol + rtol * |want| elementwise (torch-ops.json's float32 rule by default);
 * NaN matches NaN and infinities must match exactly. */
export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol: Tol = {}): void {
  const atol = tol.atol ?? 1e-4, rtol = tol.rtol ?? 1e-4;
  assert.equal(got.length, want.length, `${what}: length ${got.length} vs ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    if (!Number.isFinite(w) && g === w) continue;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w)))
      assert.fail(`${what}: element ${i} is ${g} on webgpu, ${w} on cpu (atol ${atol}, rtol ${rtol})`);
  }
}

/** Read both outputs and compare; the storages are freed afterwards. */
export async function expectSame(cpu: Backend, gpu: Backend, c: Storage, g: Storage, what: string, tol?: Tol): Promise<void> {
  const [gv, cv] = [await gpu.read(g), await cpu.read(c)];
  assert.equal(gv.constructor.name, cv.constructor.name, `${what}: ${gv.constructor.name} vs ${cv.constructor.name}`);
  assertClose(gv, cv, what, tol);
  gpu.free(g);
  cpu.free(c);
}

/** The reference CPU backend and the process's WebGPU backend, for a describe block. Fails (never
 * skips) where no adapter is available: install.sh installs lavapipe for exactly this. */
export function useBackends(): { cpu: Backend; gpu: Backend } {
  const ctx = {} as { cpu: Backend; gpu: Backend };
  before(async function () {
    this.timeout(60000);
    ctx.cpu = new CpuBackend();
    ctx.gpu = await initWebGpu();
  });
  // Validation errors arrive asynchronously; sync() surfaces the first one in the test that caused it.
  afterEach(async () => { await ctx.gpu?.sync?.(); });
  return ctx;
}
