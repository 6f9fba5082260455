// runtime/tensor/errors.ts
// The error classes the tensor engine throws. Each message is one sentence naming the op and the
// values involved; a likely fix goes last after "hint:" (STYLE.md §5). Rendering to Jupyter
// (ename/evalue/traceback) is runtime/'s job. gpu/ throws these too, so `instanceof` holds from a
// cell whatever the device.

/** Base class of the tensor library's errors; the message names the op and the values, a likely fix follows "hint:".
 * @example try { torch.zeros(2, 3).matmul(torch.zeros(2, 3)); } catch (e) { if (e instanceof TensorError) console.log(e.name); } */
export class TensorError extends Error {
  constructor(message: string, hint?: string) {
    super(hint ? `${message}\nhint: ${hint}` : message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit: broadcasting, matmul inner dimensions, bad dims or sizes.
 * @example torch.zeros(4, 3).add(torch.zeros(4)); // ShapeError: add: shapes [4, 3] and [4] cannot broadcast ... */
export class ShapeError extends TensorError {}
/** A dtype the op does not accept (e.g. float indices, bool matmul).
 * @example torch.tensor(["a"] as any); // DTypeError: tensor: cannot make a tensor from string values */
export class DTypeError extends TensorError {}
/** Operands on different devices, or a device that is not available.
 * @example torch.zeros(2).add(torch.zeros(2, { device: "webgpu" })); // DeviceError: ... different devices */
export class DeviceError extends TensorError {}
/** Misuse of autograd: backward on a non-scalar, a freed graph, a tensor changed in place.
 * @example torch.randn(8, 10, { requiresGrad: true }).mul(2).backward(); // AutogradError: backward() on a tensor of shape [8, 10] ... */
export class AutogradError extends TensorError {}
