// gpu/queue.ts
// Batches work: every op is encoded as a dispatch into one open compute pass of one command
// encoder, and the batch is submitted only when values are read, when sync() is called, or when
// many dispatches are pending. Per-dispatch parameters go into one arena (a storage buffer written
// once per submit), so a dispatch costs a bind group and no buffer creation.
// On lavapipe a dispatch with readback costs ~0.1 ms and one inside a batch ~20 us (DESIGN.md §5).
/// <reference types="@webgpu/types" />

import { BufferPool, ELEMENT_BYTES, GpuStorage } from "./buffers";
import { DeviceError } from "../runtime/tensor/errors";
import type { Pipeline } from "./pipelines";

const ARENA_BYTES = 1 << 20;
const MAX_PENDING = 2048;

/** Parameters of one dispatch, as 32-bit words (floats stored as their bits). */
export class Params {
  private readonly words: number[] = [];
  private static readonly f = new Float32Array(1);
  private static readonly u = new Uint32Array(Params.f.buffer);
  u32(...xs: number[]): this { for (const x of xs) this.words.push(x >>> 0); return this; }
  i32(x: number): this { this.words.push(x | 0); return this; }
  f32(x: number): this { Params.f[0] = x; this.words.push(Params.u[0]); return this; }
  get length(): number { return this.words.length; }
  toArray(): readonly number[] { return this.words; }
}

export class CommandQueue {
  /** Id of the batch being recorded; storages bound in it carry this id until it is submitted. */
  batchId = 1;
  dispatches = 0;
  submits = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private passPipeline: Pipeline | null = null;
  private pending = 0;
  private readonly arena: GPUBuffer;
  private readonly arenaWords = new Uint32Array(ARENA_BYTES / 4);
  private arenaUsed = 0; // bytes
  private readonly align: number;
  private readonly maxWorkgroups: number;
  /** Staging buffers of reads that have not called mapAsync yet (see settle()). */
  private readonly unmapped = new Set<{ buffer: GPUBuffer; capacity: number }>();

  constructor(private readonly device: GPUDevice, private readonly pool: BufferPool) {
    this.arena = device.createBuffer({ size: ARENA_BYTES, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.align = Math.max(16, device.limits.minStorageBufferOffsetAlignment);
    this.maxWorkgroups = device.limits.maxComputeWorkgroupsPerDimension;
  }

  private getEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  private getPass(): GPUComputePassEncoder {
    this.pass ??= this.getEncoder().beginComputePass();
    return this.pass;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
    this.passPipeline = null;
  }

  /** [x, y, 1] workgroups covering `threads` threads, x within the per-dimension limit. Kernels
   * recover the linear id as gid.x + gid.y * num_workgroups.x * workgroupSize. */
  grid(threads: number, workgroupSize: number): [number, number, number] {
    const groups = Math.ceil(threads / workgroupSize);
    if (groups <= this.maxWorkgroups) return [groups, 1, 1];
    const y = Math.ceil(groups / this.maxWorkgroups);
    return [Math.ceil(groups / y), y, 1];
  }

  dispatch(p: Pipeline, storages: readonly GpuStorage[], params: Params, groups: readonly [number, number, number]): void {
    if (groups[0] === 0 || groups[1] === 0 || groups[2] === 0) return;
    if (groups.some((g) => g > this.maxWorkgroups))
      throw new DeviceError(`webgpu: ${p.key}: ${groups.join(" x ")} workgroups exceed the limit of ${this.maxWorkgroups} per dimension`,
        "the tensor is too large for one dispatch on this adapter; split the batch");
    const words = Math.max(1, params.length);
    if (this.arenaUsed + words * 4 > ARENA_BYTES || this.pending >= MAX_PENDING) this.flush();
    const offset = this.arenaUsed;
    this.arenaWords.set(params.toArray(), offset / 4);
    this.arenaUsed = Math.ceil((offset + words * 4) / this.align) * this.align;
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.arena, offset, size: words * 4 } }];
    for (let i = 0; i < storages.length; i++) {
      const s = storages[i];
      s.batch = this.batchId;
      entries.push({ binding: i + 1, resource: { buffer: s.buffer, offset: 0, size: Math.max(1, s.length) * ELEMENT_BYTES } });
    }
    const bindGroup = this.device.createBindGroup({ layout: p.layout, entries });
    const pass = this.getPass();
    if (this.passPipeline !== p) { pass.setPipeline(p.pipeline); this.passPipeline = p; }
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    this.pending++;
    this.dispatches++;
  }

  /** Buffer-to-buffer copy in stream order (ends the open compute pass). */
  copy(src: GPUBuffer, srcOffset: number, dst: GpuStorage | GPUBuffer, dstOffset: number, bytes: number): void {
    this.endPass();
    const target = dst instanceof GpuStorage ? dst.buffer : dst;
    if (dst instanceof GpuStorage) dst.batch = this.batchId;
    this.getEncoder().copyBufferToBuffer(src, srcOffset, target, dstOffset, bytes);
    this.pending++;
  }

  /** Submit everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    if (this.arenaUsed > 0) this.device.queue.writeBuffer(this.arena, 0, this.arenaWords.buffer, 0, this.arenaUsed);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.pending = 0;
    this.arenaUsed = 0;
    this.batchId++;
    this.submits++;
  }

  /** Host data into a storage, ordered after the work already recorded that uses it. */
  write(dst: GpuStorage, data: ArrayBufferView, bytes: number): void {
    // queue.writeBuffer runs before the unsubmitted batch; if that batch touches dst, submit it first.
    if (dst.batch === this.batchId) this.flush();
    this.device.queue.writeBuffer(dst.buffer, 0, data.buffer, data.byteOffset, bytes);
  }

  /** Copy `bytes` of `src` to a staging buffer, submit, and map it. */
  async read(src: GpuStorage, bytes: number): Promise<ArrayBuffer> {
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.pool.acquireStaging(size);
    this.unmapped.add(staging);
    this.copy(src.buffer, 0, staging.buffer, 0, size);
    this.flush();
    const mapped = staging.buffer.mapAsync(GPUMapMode.READ, 0, size);
    this.unmapped.delete(staging);
    try {
      await mapped;
      return staging.buffer.getMappedRange(0, size).slice(0);
    } finally {
      // Mapped or not (a lost device rejects mapAsync), the buffer goes back unmapped.
      if (staging.buffer.mapState === "mapped") staging.buffer.unmap();
      this.pool.releaseStaging(staging.buffer, staging.capacity);
    }
  }

  /** After an operation was cut short: submit what is recorded, and give back the staging buffers
   * of reads that stopped before mapAsync (a read already mapping finishes by itself). */
  settle(): void {
    this.flush();
    for (const s of this.unmapped) this.pool.releaseStaging(s.buffer, s.capacity);
    this.unmapped.clear();
  }

  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
  }
}
