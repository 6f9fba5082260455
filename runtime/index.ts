// runtime/index.ts
// What a cell sees with nothing imported: every export of this file except `runtimeHooks`
// becomes a global of the notebook (DESIGN §1, §6), typed for the checker from this file too.
// The one file that wires the display, the tensor library, plots and gpu together; others send
// small additions here. `runtimeHooks` is what the evaluator calls around each cell.
import { setDisplaySink, flushDisplays } from "./display/sink";
import { currentIO } from "./cell_context";

export { display, clearOutput, $display, type DisplayHandle, type Displayable, type MimeBundle } from "./display/display";
export { sleep, input, password, throwIfInterrupted } from "./cell_context";
export { comms, type Comm } from "./comms";

/** Called by the evaluator; not a cell global. */
export const runtimeHooks = {
  /** Once, before the first cell: route figures, curves and progress bars to the running cell. */
  install(): void {
    setDisplaySink((bundle, opts) => currentIO()?.display(bundle, opts.metadata ?? {},
      { displayId: opts.displayId, update: opts.update }));
  },
  /** Before a cell runs: start what the cell needs (the WebGPU device when it mentions webgpu). */
  async prepareCell(source: string): Promise<void> {
    void source;
  },
  /** After a cell, before its reply: push the final state of live displays. */
  afterCell(): void {
    flushDisplays();
  },
};
