// runtime/tensor/errors.ts
// The error classes the tensor engine throws. Each message is one sentence naming the op and the
// values involved; a likely fix goes last after "hint:" (STYLE.md §5). Rendering to Jupyter
// (ename/evalue/traceback) is runtime/'s job.

export class TensorError extends Error {
  constructor(message: string, hint?: string) {
    super(hint ? `${message}\nhint: ${hint}` : message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit: broadcasting, matmul inner dimensions, bad dims or sizes. */
export class ShapeError extends TensorError {}
/** A dtype the op does not accept (e.g. float indices, bool matmul). */
export class DTypeError extends TensorError {}
/** Operands on different devices, or a device that is not available. */
export class DeviceError extends TensorError {}
/** Misuse of autograd: backward on a non-scalar, a freed graph, a tensor changed in place. */
export class AutogradError extends TensorError {}
