// test/gpu/device.test.ts
// Acquiring the WebGPU device: the one-line adapter summary, the XDG_RUNTIME_DIR default, the
// message when there is no adapter (a child process with no Vulkan driver), and a lost device
// (a child process that destroys its device, then reacquires).

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { adapterSummary, initWebGpu } from "../../gpu/index";

const PROBE = path.join(__dirname, "fixtures", "device_probe.ts");

function probe(mode: string, env: NodeJS.ProcessEnv = process.env): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = spawnSync(process.execPath, ["--import", "tsx", PROBE, mode], { env, encoding: "utf8", timeout: 60000 });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  assert.ok(line.startsWith("{"), `probe ${mode} printed no JSON (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line);
}

describe("webgpu device", () => {
  it("adapterSummary is one line naming the adapter, the backend and the limits", async () => {
    await initWebGpu();
    const s = adapterSummary();
    assert.ok(!s.includes("\n"));
    assert.match(s, /^webgpu: .+ backend (vulkan|metal|d3d12).*maxBuffer \d+ MiB, maxStorageBinding \d+ MiB/);
  });

  it("initWebGpu returns the same cached backend every time", async () => {
    assert.equal(await initWebGpu(), await initWebGpu());
  });

  it("no adapter: DeviceError says to use the cpu and why; isAvailable is false; cpu still works", function () {
    this.timeout(60000);
    const r = probe("no-adapter", { ...process.env, VK_ICD_FILENAMES: "/nonexistent/icd.json", VK_DRIVER_FILES: "/nonexistent/icd.json" });
    assert.equal(r.available, false);
    assert.equal(r.error?.name, "DeviceError");
    assert.equal(r.error.isDeviceError, true, "instanceof the tensor library's DeviceError");
    assert.equal(r.error.isTensorError, true);
    assert.match(r.error.message, /^webgpu: no adapter available on this machine; use device "cpu" \(.*Vulkan.*\)\nhint: /);
    assert.equal(r.cpuSum, 6);
  });

  it("lost device: ops throw a DeviceError naming the loss; reacquire() gives a working device", function () {
    this.timeout(60000);
    const r = probe("lost");
    assert.equal(r.error?.name, "DeviceError");
    assert.equal(r.error.isDeviceError, true, "instanceof the tensor library's DeviceError");
    assert.match(r.error.message, /webgpu: the device was lost \(destroyed.*\nhint: call torch\.webgpu\.reacquire\(\)/);
    assert.deepStrictEqual(r.after, [-5, -6]);
    assert.equal(r.sameObject, false);
  });

  it("float64 is a DTypeError that says to use the cpu", async () => {
    const be = await initWebGpu();
    assert.throws(() => be.alloc(4, "float64"), { name: "DTypeError", message: /webgpu: float64 is not supported.*\nhint: use \.to\("cpu"\)/s });
  });

  it("sets a private XDG_RUNTIME_DIR when the environment has none", function () {
    this.timeout(60000);
    const env = { ...process.env };
    delete env.XDG_RUNTIME_DIR;
    const r = probe("xdg", env);
    assert.match(r.xdg, /tsgrad-xdg-\d+$/);
    assert.equal(fs.statSync(r.xdg).mode & 0o777, 0o700);
  });
});
