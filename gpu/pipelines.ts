// gpu/pipelines.ts
// Compiled compute pipelines, cached by a key the WGSL generators build from (op, dtypes, rank,
// contiguity, aliasing): the WGSL text is generated and compiled once per key, then reused.
// Binding 0 is always the read-only parameter block (shapes, strides, offsets, scalars); the
// other bindings are the kernel's storages in order, read-only or read-write.
/// <reference types="@webgpu/types" />

export type Access = "read" | "rw";

/** What a WGSL generator returns: the source and the access of bindings 1..n. */
export interface KernelSource {
  code: string;
  bindings: Access[];
  /** Threads per workgroup along x (the dispatch helpers use it to size grids). */
  workgroupSize: number;
}

export interface Pipeline {
  key: string;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  source: KernelSource;
}

export class PipelineCache {
  private readonly cache = new Map<string, Pipeline>();
  compiled = 0;

  constructor(private readonly device: GPUDevice) {}

  get(key: string, build: () => KernelSource): Pipeline {
    let p = this.cache.get(key);
    if (p) return p;
    const source = build();
    const entries: GPUBindGroupLayoutEntry[] = [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "read-only-storage" } },
      ...source.bindings.map((a, i): GPUBindGroupLayoutEntry => ({
        binding: i + 1, visibility: GPUShaderStage.COMPUTE,
        buffer: { type: a === "rw" ? "storage" : "read-only-storage" },
      })),
    ];
    const layout = this.device.createBindGroupLayout({ label: key, entries });
    const module = this.device.createShaderModule({ label: key, code: source.code });
    const pipeline = this.device.createComputePipeline({
      label: key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: "main" },
    });
    p = { key, pipeline, layout, source };
    this.cache.set(key, p);
    this.compiled++;
    return p;
  }

  get size(): number {
    return this.cache.size;
  }
}
