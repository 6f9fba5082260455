// gpu/errors.ts
// The errors the WebGPU backend throws. gpu/ may import only runtime/tensor/{backend,dtype,shape}
// (STYLE.md §0), so these mirror runtime/tensor/errors.ts by name: the notebook shows the class
// name as `ename`, and "DeviceError: webgpu: ..." reads the same from either file.

export class GpuError extends Error {
  constructor(message: string, hint?: string) {
    super(hint ? `${message}\nhint: ${hint}` : message);
    this.name = new.target.name;
  }
}

/** No adapter, a lost device, or a validation error reported by the driver. */
export class DeviceError extends GpuError {}
/** A dtype WebGPU cannot hold (float64) or an op cannot take. */
export class DTypeError extends GpuError {}
