// gpu/index.ts
// The WebGPU device as the rest of tsgrad sees it: initWebGpu() acquires the adapter and device
// once per process and returns the cached WebGpuBackend; isAvailable() asks without throwing;
// adapterSummary() is one line for torch.webgpu.info(). runtime/index.ts registers the backend:
//   const be = await initWebGpu(); registerBackend("webgpu", () => be);
// A lost device makes every op throw a DeviceError until reacquire() builds a new device (old
// tensors are gone then).

import { WebGpuBackend } from "./backend";
import { GpuContext, InitOptions, acquire, describe } from "./device";
import { DeviceError } from "../runtime/tensor/errors";

export { WebGpuBackend } from "./backend";
export { DeviceError, DTypeError } from "../runtime/tensor/errors";
export type { InitOptions } from "./device";

let pending: Promise<WebGpuBackend> | null = null;
let current: WebGpuBackend | null = null;

/** The process's WebGPU backend, created on the first call. Rejects with a DeviceError naming why
 * when there is no adapter (then CPU work is unaffected and a later call tries again). */
export function initWebGpu(opts: InitOptions = {}): Promise<WebGpuBackend> {
  if (current && !current.ctx.lost) return Promise.resolve(current);
  if (current?.ctx.lost) return Promise.reject(current.ctx.lost);
  pending ??= acquire(opts).then(
    (ctx: GpuContext) => (current = new WebGpuBackend(ctx)),
    (e: unknown) => { pending = null; throw e; },
  );
  return pending;
}

/** True when an adapter and device can be had on this machine. Never throws. */
export async function isAvailable(): Promise<boolean> {
  try {
    await initWebGpu();
    return true;
  } catch {
    return false;
  }
}

/** One line about the adapter in use: vendor, architecture, device, backend and limits. */
export function adapterSummary(): string {
  if (!current) return "webgpu: not initialised (await torch.webgpu.init())";
  return describe(current.ctx);
}

/** The backend if initWebGpu() has resolved, else null. */
export function currentBackend(): WebGpuBackend | null {
  return current;
}

/** Drop the current device (lost or not) and acquire a new one. Tensors of the old device are gone. */
export async function reacquire(opts: InitOptions = {}): Promise<WebGpuBackend> {
  shutdownWebGpu();
  return initWebGpu(opts);
}

/** Destroy the device so the process can exit (Dawn keeps Node alive while a device lives). */
export function shutdownWebGpu(): void {
  const be = current;
  current = null;
  pending = null;
  if (!be) return;
  be.pool.trim();
  if (!be.ctx.lost) {
    be.ctx.lost = new DeviceError("webgpu: the device was shut down", "call torch.webgpu.init() again");
    be.ctx.device.destroy();
  }
}
