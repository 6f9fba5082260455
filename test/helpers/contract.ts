// test/helpers/contract.ts
// The backend contract suite's helpers: every backend in test/helpers/backends.ts is run against
// the reference CPU backend (cpu/reference.ts) through the Backend interface with the same random data in
// both, Views over it, and closeness checks that name the first element that differs.
//   forEachContractBackend((be) => it("...", async () => { const { ref, dev } = be; ... }));

import * as assert from "node:assert/strict";
import type { Backend, DType, Storage, View } from "../../runtime/tensor/backend";
import { getBackend } from "../../runtime/tensor/backend";
import type { TypedArray } from "../../runtime/tensor/dtype";
import { arrayFor } from "../../runtime/tensor/dtype";
import * as composed from "../../runtime/tensor/composed";
import { CpuBackend } from "../../runtime/tensor/cpu";
import { selectedBackends } from "./backends";

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

/** The same data in a storage of the reference and of the backend under test. */
export class Pair {
  constructor(readonly ref: Storage, readonly dev: Storage, readonly data: TypedArray) {}
  static of(ref: Backend, dev: Backend, data: TypedArray, dtype: DType): Pair {
    const r = ref.alloc(data.length, dtype), d = dev.alloc(data.length, dtype);
    ref.write(r, data);
    dev.write(d, data);
    return new Pair(r, d, data);
  }
  /** Views onto both storages with the same geometry. */
  view(shape: readonly number[], strides?: readonly number[], offset = 0): [View, View] {
    const s = strides ?? contiguous(shape);
    return [{ buf: this.ref, shape, strides: s, offset }, { buf: this.dev, shape, strides: s, offset }];
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
export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol: Tol = {}, name = "the backend"): void {
  const atol = tol.atol ?? 1e-4, rtol = tol.rtol ?? 1e-4;
  assert.equal(got.length, want.length, `${what}: length ${got.length} vs ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    if (!Number.isFinite(w) && g === w) continue;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w)))
      assert.fail(`${what}: element ${i} is ${g} on ${name}, ${w} on the reference (atol ${atol}, rtol ${rtol})`);
  }
}

type NnOps = Required<Pick<Backend, "conv2d" | "conv2dBackward" | "maxPool2d" | "maxPool2dBackward" | "avgPool2d" | "avgPool2dBackward">>;

/** b's convolution and pooling fast paths, or where b leaves them out the engine's composition of
 * them from b's core (runtime/tensor/composed.ts), as kernels.ts picks. */
export function nnOps(b: Backend): NnOps {
  return {
    conv2d: (x, w, bias, o, out) => (b.conv2d ? b.conv2d(x, w, bias, o, out) : composed.conv2d(b, x, w, bias, o, out)),
    conv2dBackward: (x, w, g, o, gx, gw, gb) => (b.conv2dBackward ? b.conv2dBackward(x, w, g, o, gx, gw, gb) : composed.conv2dBackward(b, x, w, g, o, gx, gw, gb)),
    maxPool2d: (x, o, out, idx) => (b.maxPool2d ? b.maxPool2d(x, o, out, idx) : composed.maxPool2d(b, x, o, out, idx)),
    maxPool2dBackward: (g, idx, s, gx) => (b.maxPool2dBackward ? b.maxPool2dBackward(g, idx, s, gx) : composed.maxPool2dBackward(b, g, idx, s, gx)),
    avgPool2d: (x, o, out) => (b.avgPool2d ? b.avgPool2d(x, o, out) : composed.avgPool2d(b, x, o, out)),
    avgPool2dBackward: (g, s, o, gx) => (b.avgPool2dBackward ? b.avgPool2dBackward(g, s, o, gx) : composed.avgPool2dBackward(b, g, s, o, gx)),
  };
}

/** The reference backend and the backend under test, filled in before the suite's tests run. */
export interface ContractBackends {
  /** The TypeScript reference (cpu/reference.ts): a fresh instance. */
  ref: Backend;
  /** The backend under test: the instance the engine uses for its device. */
  dev: Backend;
  /** Its name in test/helpers/backends.ts ("cpu-ref", "cpu", "webgpu"). */
  name: string;
  /** Read both outputs and compare; the storages are freed afterwards. */
  expectSame(r: Storage, d: Storage, what: string, tol?: Tol): Promise<void>;
}

/**
 * Define `body` once per backend of test/helpers/backends.ts (the reference itself included, so a
 * kernel missing from it fails too), inside a describe named after it. WebGPU fails, never skips,
 * where no adapter is available: install.sh installs lavapipe for exactly this.
 */
export function forEachContractBackend(body: (be: ContractBackends) => void): void {
  for (const b of selectedBackends()) {
    describe(`[${b.name}]`, function () {
      const be: ContractBackends = {
        ref: null as unknown as Backend, dev: null as unknown as Backend, name: b.name,
        async expectSame(r, d, what, tol) {
          const [dv, rv] = [await be.dev.read(d), await be.ref.read(r)];
          assert.equal(dv.constructor.name, rv.constructor.name, `${what}: ${dv.constructor.name} vs ${rv.constructor.name}`);
          assertClose(dv, rv, what, tol, b.name);
          be.dev.free(d);
          be.ref.free(r);
        },
      };
      before(async function () {
        this.timeout(60000);
        be.ref = new CpuBackend();
        be.dev = (await b.create()) ?? getBackend(b.device);
      });
      // Validation errors arrive asynchronously (WebGPU); sync() surfaces the first one in the test that caused it.
      afterEach(async () => { await be.dev?.sync?.(); });
      body(be);
    });
  }
}
