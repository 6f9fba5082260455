// runtime/index.ts
// What a cell sees with nothing imported: every export of this file except `runtimeHooks`
// becomes a global of the notebook (DESIGN §1, §6), typed for the checker from this file too.
// The one file that wires the display, the tensor library, plots and gpu together; others send
// small additions here. `runtimeHooks` is what the evaluator calls around each cell.
import { setDisplaySink, flushDisplays } from "./display/sink";
import { installTensorRepr } from "./display/reprs";
import { currentIO } from "./cell_context";
import { Tensor } from "./tensor/index";
import { hasBackend, registerBackend } from "./tensor/backend";

export { display, clearOutput, $display, type DisplayHandle, type Displayable, type MimeBundle } from "./display/display";
export { sleep, input, password, throwIfInterrupted } from "./cell_context";
export { comms, type Comm } from "./comms";

// The tensor library (DESIGN §6): torch, nn, F, optim, data, save/load.
export { torch, Tensor, F, tidy, noGrad, ShapeError, DTypeError, DeviceError, AutogradError, TensorError } from "./tensor/index";
export * as nn from "./tensor/nn/index";
export * as optim from "./tensor/optim/index";
export * as data from "./tensor/data/index";
export { save, load } from "./tensor/io/index";

// Plots, live training curves and progress bars (DESIGN §7).
export { plot } from "./display/plot";
export { progress } from "./display/progress";
export { TrainingCurve } from "./display/training_curve";

/** The WebGPU backend, started the first time a cell mentions "webgpu" (Dawn is slow to load). */
async function startWebGpu(): Promise<void> {
  if (hasBackend("webgpu")) return;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const gpu = require("../gpu/index") as typeof import("../gpu/index");
    const backend = await gpu.initWebGpu();
    registerBackend("webgpu", () => backend);
  } catch {
    // No adapter (or no gpu module): the cell's own use of "webgpu" reports a DeviceError.
  }
}

/** Called by the evaluator; not a cell global. */
export const runtimeHooks = {
  /** Once, before the first cell: route figures, curves and progress bars to the running cell,
   * and give tensors their rich (HTML) display. */
  install(): void {
    setDisplaySink((bundle, opts) => currentIO()?.display(bundle, opts.metadata ?? {},
      { displayId: opts.displayId, update: opts.update }));
    installTensorRepr(Tensor.prototype);
  },
  /** Before a cell runs: start what the cell needs (the WebGPU device when it mentions webgpu). */
  async prepareCell(source: string): Promise<void> {
    if (source.includes("webgpu")) await startWebGpu();
  },
  /** After a cell, before its reply: push the final state of live displays. */
  afterCell(): void {
    flushDisplays();
  },
};
