// test/gpu/memory.test.ts
// GPU memory stays flat over a long loop: after the first iterations every size class is pooled,
// so live buffers and bytes return to the baseline each iteration and no GPUBuffer is created.

import * as assert from "node:assert/strict";
import type { Storage, View } from "../../runtime/tensor/backend";
import { initWebGpu } from "../../gpu/index";
import type { WebGpuBackend } from "../../gpu/backend";

const v = (buf: Storage, shape: number[]): View => {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return { buf, shape, strides, offset: 0 };
};

/** One "training step" worth of allocations: forward, a loss, a gradient, an update; all freed. */
function step(be: WebGpuBackend, w: Storage, x: Storage): void {
  const h = be.alloc(32 * 16, "float32");
  be.matmul(v(x, [32, 64]), v(w, [64, 16]), h);
  const r = be.alloc(32 * 16, "float32");
  be.unary("relu", v(h, [32, 16]), r);
  const s = be.alloc(32 * 16, "float32");
  be.softmax(v(r, [32, 16]), 1, s, true);
  const loss = be.alloc(1, "float32");
  be.reduce("sum", v(s, [32, 16]), [0, 1], loss);
  const gw = be.alloc(64 * 16, "float32");
  be.matmul({ buf: x, shape: [64, 32], strides: [1, 64], offset: 0 }, v(r, [32, 16]), gw);
  be.binary("mul", v(gw, [64, 16]), 1e-3, gw);
  be.binary("sub", v(w, [64, 16]), v(gw, [64, 16]), w);
  for (const t of [h, r, s, loss, gw]) be.free(t);
}

describe("webgpu memory", () => {
  it("a 300-step loop keeps live buffers, bytes and created buffers flat", async function () {
    this.timeout(120000);
    const be = await initWebGpu();
    const w = be.alloc(64 * 16, "float32"), x = be.alloc(32 * 64, "float32");
    be.fill(w, 0.01); be.fill(x, 1);
    for (let i = 0; i < 5; i++) step(be, w, x);
    await be.sync();
    const base = be.memory(), created = be.pool.created;
    for (let i = 0; i < 300; i++) {
      step(be, w, x);
      if (i % 50 === 0) await be.read(w);
    }
    await be.sync();
    assert.deepStrictEqual(be.memory(), base);
    assert.equal(be.pool.created, created, "no new GPUBuffers after warm-up");
    be.free(w); be.free(x);
    assert.equal(be.memory().buffers, base.buffers - 2);
  });

  it("memory() counts a live buffer until free() and ignores a second free()", async () => {
    const be = await initWebGpu();
    const before = be.memory();
    const s = be.alloc(1000, "int32");
    assert.equal(be.memory().buffers, before.buffers + 1);
    assert.ok(be.memory().bytes >= before.bytes + 4000);
    be.free(s); be.free(s);
    assert.deepStrictEqual(be.memory(), before);
  });

  it("a freed storage cannot be used again", async () => {
    const be = await initWebGpu();
    const s = be.alloc(4, "float32");
    be.free(s);
    assert.throws(() => be.fill(s, 1), { name: "DeviceError", message: /used after free\(\)/ });
  });
});

describe("webgpu limits", () => {
  it("a tensor larger than the adapter's storage binding is a DeviceError naming both sizes", async () => {
    const be = await initWebGpu();
    const max = be.ctx.device.limits.maxStorageBufferBindingSize;
    const n = Math.floor(max / 4) + 1;
    assert.throws(() => be.alloc(n, "float32"), { name: "DeviceError", message: /exceeds this adapter's largest storage binding \(\d+ MiB\)\nhint: / });
  });
});
