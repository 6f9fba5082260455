// torch.webgpu as a Node script and a cell see it: init once, then device "webgpu" works.
// Runs on lavapipe where there is no GPU (install.sh installs it), so it never skips.
import assert from "node:assert/strict";
import { DeviceError, TensorError, torch } from "../../runtime/index";

describe("torch.webgpu", () => {
  it("init returns a one-line adapter summary and makes device webgpu usable", async () => {
    assert.equal(await torch.webgpu.isAvailable(), true);
    const summary = await torch.webgpu.init();
    assert.match(summary, /^webgpu: .*backend/);
    assert.ok(!summary.includes("\n"));
    assert.equal(torch.webgpu.info(), summary);
    const a = torch.tensor([[1, 2], [3, 4]], { device: "webgpu" });
    assert.equal(a.device, "webgpu");
    assert.deepEqual(await a.matmul(a).toArray(), [[7, 10], [15, 22]]);
  });

  it("memory counts live buffers and bytes, and dispose returns them", async () => {
    await torch.webgpu.init();
    const before = torch.webgpu.memory();
    const t = torch.ones([1024], { device: "webgpu" });
    const during = torch.webgpu.memory();
    assert.equal(during.buffers, before.buffers + 1);
    assert.ok(during.bytes >= before.bytes + 4096);
    t.dispose();
    assert.deepEqual(torch.webgpu.memory(), before);
  });

  it("an error the WebGPU backend throws is the tensor library's DeviceError (instanceof works)", async () => {
    await torch.webgpu.init();
    assert.throws(() => torch.zeros([2 ** 31], { device: "webgpu" }), (e: unknown) =>
      e instanceof DeviceError && e instanceof TensorError && /^webgpu: a tensor of 2147483648 elements/.test((e as Error).message));
  });
});
