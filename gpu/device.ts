// gpu/device.ts
// Acquires the WebGPU adapter and device through Dawn (the `webgpu` npm package, ESM, loaded
// with a dynamic import from this CommonJS build), once per process. Reports a missing adapter
// or a lost device as a DeviceError that says what to do. Knows nothing about kernels.
/// <reference types="@webgpu/types" />

import * as fs from "node:fs";
import * as os from "node:os";
import { DeviceError } from "../runtime/tensor/errors";

export interface InitOptions {
  /** Extra Dawn options, e.g. ["backend=vulkan"] or ["adapter=llvmpipe"] (see webgpu's README). */
  dawnOptions?: string[];
  powerPreference?: "high-performance" | "low-power";
}

export interface GpuContext {
  gpu: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
  /** Set when the device is lost; every later op throws it. */
  lost: DeviceError | null;
  /** First uncaptured validation/out-of-memory error since the last check. */
  pendingError: DeviceError | null;
}

const NO_ADAPTER = 'webgpu: no adapter available on this machine; use device "cpu"';

/** Vulkan's loader and Mesa want a private runtime dir; kernels started by Jupyter may lack one. */
export function ensureRuntimeDir(): void {
  if (process.env.XDG_RUNTIME_DIR) return;
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  const dir = `${os.tmpdir()}/tsgrad-xdg-${uid}`;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  process.env.XDG_RUNTIME_DIR = dir;
}

let gpuModule: Promise<{ create(opts: string[]): GPU; globals: object }> | null = null;

function loadDawn(): Promise<{ create(opts: string[]): GPU; globals: object }> {
  // A real import() even in CommonJS output: "webgpu" is an ES module.
  gpuModule ??= import("webgpu") as unknown as Promise<{ create(opts: string[]): GPU; globals: object }>;
  return gpuModule;
}

function whyNoAdapter(): string {
  const icdDirs = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"];
  const icds = icdDirs.flatMap((d) => { try { return fs.readdirSync(d); } catch { return []; } });
  if (process.platform === "linux" && icds.length === 0)
    return "no Vulkan driver is installed (no ICD in /usr/share/vulkan/icd.d)";
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES)
    return `Vulkan found no usable device (VK_ICD_FILENAMES/VK_DRIVER_FILES=${process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES})`;
  return `Dawn found no usable adapter (Vulkan ICDs present: ${icds.join(", ") || "none"})`;
}

const INSTALL_HINT = "run scripts/install.d/50-webgpu.sh as root (Mesa lavapipe from bookworm-backports), or use a machine with a GPU driver";

/** requestAdapter + requestDevice with the adapter's own limits, so big buffers fit. */
export async function acquire(opts: InitOptions = {}): Promise<GpuContext> {
  ensureRuntimeDir();
  let mod;
  try {
    mod = await loadDawn();
  } catch (e) {
    throw new DeviceError(`${NO_ADAPTER} (the webgpu npm package failed to load: ${(e as Error).message})`, INSTALL_HINT);
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create(opts.dawnOptions ?? []);
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? "high-performance" });
  } catch (e) {
    throw new DeviceError(`${NO_ADAPTER} (requestAdapter failed: ${(e as Error).message})`, INSTALL_HINT);
  }
  if (!adapter) throw new DeviceError(`${NO_ADAPTER} (${whyNoAdapter()})`, INSTALL_HINT);
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  });
  const ctx: GpuContext = { gpu, adapter, device, lost: null, pendingError: null };
  device.lost.then((info) => {
    if (ctx.device !== device) return;
    ctx.lost ??= new DeviceError(`webgpu: the device was lost (${info.reason}: ${info.message || "no message"}); its tensors are gone`,
      "call torch.webgpu.reacquire() (or initWebGpu again) and recreate the tensors, or use device \"cpu\"");
  });
  device.addEventListener("uncapturederror", (ev) => {
    const err = (ev as GPUUncapturedErrorEvent).error;
    ctx.pendingError ??= new DeviceError(`webgpu: ${err.constructor?.name ?? "error"}: ${err.message}`);
  });
  return ctx;
}

/** One line: vendor, architecture, device, backend, and the limits that bound tensor sizes. */
export function describe(ctx: GpuContext): string {
  const i = ctx.adapter.info;
  const l = ctx.device.limits;
  const backend = { linux: "vulkan", darwin: "metal", win32: "d3d12" }[process.platform as string] ?? process.platform;
  const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;
  return `webgpu: ${i.vendor || "?"} ${i.architecture || "?"} ${i.device || "?"} (${i.description || "no description"}), ` +
    `backend ${backend}; maxBuffer ${mib(l.maxBufferSize)}, maxStorageBinding ${mib(l.maxStorageBufferBindingSize)}, ` +
    `workgroup storage ${l.maxComputeWorkgroupStorageSize} B, invocations ${l.maxComputeInvocationsPerWorkgroup}, ` +
    `workgroups/dim ${l.maxComputeWorkgroupsPerDimension}`;
}
