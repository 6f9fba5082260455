// gpu/buffers.ts
// Device memory for the WebGPU backend: GpuStorage (the backend's Storage) and a pool of
// GPUBuffers keyed by size class, so a training loop that frees and re-allocates the same shapes
// every step creates no new buffers after the first. Staging buffers for readback are pooled the
// same way. Knows nothing about kernels or command encoding.
/// <reference types="@webgpu/types" />

import type { DType, Storage } from "../runtime/tensor/backend";

/** WGSL has no 8-bit storage: every dtype here (float32, int32, bool as u32) is 4 bytes. */
export const ELEMENT_BYTES = 4;

export class GpuStorage implements Storage {
  /** Id of the unsubmitted batch that last bound this buffer (see queue.ts); 0 when none. */
  batch = 0;
  freed = false;
  constructor(
    readonly length: number,
    readonly dtype: DType,
    readonly buffer: GPUBuffer,
    /** The pool's size class, in bytes (>= length * 4). */
    readonly capacity: number,
    /** Which device generation made it (a reacquired device cannot use old buffers). */
    readonly generation: number,
  ) {}
}

/** Round up to a size class: powers of two up to 1 MiB, then multiples of 1/8 of the power of two
 * below, so the pool wastes at most 12.5% on big tensors and keys stay few. */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (b <= 1 << 20) return 2 ** Math.ceil(Math.log2(b));
  const p = 2 ** Math.floor(Math.log2(b));
  const step = p / 8;
  return Math.ceil(b / step) * step;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly staging = new Map<number, GPUBuffer[]>();
  /** GPUBuffers ever created for storages: flat once a loop's sizes are all pooled. */
  created = 0;
  liveBuffers = 0;
  liveBytes = 0;
  pooledBytes = 0;

  constructor(private readonly device: GPUDevice, private readonly usage: number) {}

  acquire(bytes: number): { buffer: GPUBuffer; capacity: number } {
    const capacity = sizeClass(bytes);
    const pooled = this.free.get(capacity)?.pop();
    if (pooled) this.pooledBytes -= capacity;
    if (!pooled) this.created++;
    const buffer = pooled ?? this.device.createBuffer({ size: capacity, usage: this.usage });
    this.liveBuffers++;
    this.liveBytes += capacity;
    return { buffer, capacity };
  }

  release(buffer: GPUBuffer, capacity: number): void {
    this.liveBuffers--;
    this.liveBytes -= capacity;
    let list = this.free.get(capacity);
    if (!list) this.free.set(capacity, (list = []));
    list.push(buffer);
    this.pooledBytes += capacity;
  }

  /** MAP_READ staging buffer of at least `bytes`; give it back with releaseStaging when unmapped. */
  acquireStaging(bytes: number): { buffer: GPUBuffer; capacity: number } {
    const capacity = sizeClass(bytes);
    const buffer = this.staging.get(capacity)?.pop() ??
      this.device.createBuffer({ size: capacity, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    return { buffer, capacity };
  }

  releaseStaging(buffer: GPUBuffer, capacity: number): void {
    let list = this.staging.get(capacity);
    if (!list) this.staging.set(capacity, (list = []));
    if (list.length < 4) list.push(buffer);
    else buffer.destroy();
  }

  /** Destroy pooled (not live) buffers: after a big model, to give memory back to the driver. */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    for (const list of this.staging.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.staging.clear();
    this.pooledBytes = 0;
  }
}
