// runtime/index.ts
// What a cell sees with nothing imported: every export of this file except `runtimeHooks`
// becomes a global of the notebook (DESIGN §1, §6), typed for the checker from this file too.
// The one file that wires the display, the tensor library, plots and gpu together; others send
// small additions here. `runtimeHooks` is what the evaluator calls around each cell.
import { setDisplaySink, flushDisplays } from "./display/sink";
import { installTensorRepr } from "./display/reprs";
import { currentIO, throwIfInterruptedFast } from "./cell_context";
import { pollComms } from "./comms";
import { setOpHook } from "./tensor/hooks";
import { settleState } from "./tensor/state";
import { Tensor, torch as tensorTorch } from "./tensor/index";
import { hasBackend, registerBackend } from "./tensor/backend";

export { display, clearOutput, $display, type DisplayHandle, type Displayable, type MimeBundle } from "./display/display";
export { sleep, input, password, throwIfInterrupted } from "./cell_context";
export { comms, type Comm } from "./comms";
// What rewritten magic lines call (magics.ts); `__tsg` names stay out of completion.
export { magicRuntime as __tsgMagic } from "./magic_runtime";
export * as widgets from "./widgets/index";

// The tensor library (DESIGN §6): torch, nn, F, optim, data, save/load.
export { Tensor, F, tidy, noGrad, ShapeError, DTypeError, DeviceError, AutogradError, TensorError } from "./tensor/index";
export * as nn from "./tensor/nn/index";
export * as optim from "./tensor/optim/index";
export * as data from "./tensor/data/index";
export { save, load } from "./tensor/io/index";

// Plots, live training curves and progress bars (DESIGN §7).
export { plot } from "./display/plot";
export { progress } from "./display/progress";
export { TrainingCurve } from "./display/training_curve";

// gpu/ is loaded on first use: Dawn is slow to load and most cells never touch it.
let gpuModule: typeof import("../gpu/index") | undefined;
function gpu(): typeof import("../gpu/index") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (gpuModule ??= require("../gpu/index") as typeof import("../gpu/index"));
}

/** Acquire the WebGPU device and register it as "webgpu". On failure the device name stays
 * registered to a factory that throws the reason ('webgpu: no adapter available on this machine;
 * use device "cpu"' and why), so a later use reports it rather than "no backend registered". */
async function startWebGpu(): Promise<void> {
  try {
    const backend = await gpu().initWebGpu(); // cached: acquired once per process
    registerBackend("webgpu", () => backend);
    webgpuStarted = true;
  } catch (e) {
    registerBackend("webgpu", () => { throw e; });
    throw e;
  }
}

/** Set once the WebGPU device is in use (see runtimeHooks.breakOnSigint). */
let webgpuStarted = false;

/** torch.webgpu: the WebGPU device. A cell that mentions "webgpu" gets it started before it runs;
 * a Node script calls `await torch.webgpu.init()` first.
 * @example await torch.webgpu.init(); const g = torch.randn(1024, 1024, { device: "webgpu" }); */
const webgpu = {
  /** Acquire adapter and device once; returns the one-line adapter summary.
   * @example console.log(await torch.webgpu.init()); */
  async init(): Promise<string> { await startWebGpu(); return gpu().adapterSummary(); },
  /** Whether an adapter can be had here; never throws.
   * @example if (await torch.webgpu.isAvailable()) torch.setDefaultDevice("webgpu"); */
  isAvailable: (): Promise<boolean> => gpu().isAvailable(),
  /** One line: vendor, architecture, device, backend type, limits.
   * @example torch.webgpu.info(); */
  info: (): string => gpu().adapterSummary(),
  /** Live GPU buffers and bytes (both 0 before init).
   * @example const { buffers, bytes } = torch.webgpu.memory(); */
  memory: (): { buffers: number; bytes: number } => gpu().currentBackend()?.memory() ?? { buffers: 0, bytes: 0 },
  /** After a lost device: acquire a new one and register it.
   * @example await torch.webgpu.reacquire(); */
  async reacquire(): Promise<string> {
    const backend = await gpu().reacquire();
    registerBackend("webgpu", () => backend);
    return gpu().adapterSummary();
  },
};
// Typed by name: an inferred type would be spelled out in index.d.ts without the members' docs.
/** torch: creating tensors (tensor, zeros, randn, arange, ...), math as functions (add, matmul, softmax, cat, ...),
 * random seeds (manualSeed), grad modes (noGrad), memory (tidy, dispose), devices (setDefaultDevice, webgpu),
 * autograd (autograd.grad, gradcheck). Names are PyTorch's in camelCase; keyword arguments go in an options object last.
 * @example torch.manualSeed(0); const x = torch.randn(4, 3); const y = torch.matmul(x, x.t()); */
export const torch: typeof tensorTorch & {
  /** torch.webgpu: the WebGPU device. A cell that mentions "webgpu" gets it started before it runs;
   * a Node script calls `await torch.webgpu.init()` first.
   * @example await torch.webgpu.init(); const g = torch.randn(1024, 1024, { device: "webgpu" }); */
  webgpu: typeof webgpu;
} = Object.assign(tensorTorch, { webgpu });

/** Called by the evaluator; not a cell global. */
export const runtimeHooks = {
  /** Once, before the first cell: route figures, curves and progress bars to the running cell,
   * and give tensors their rich (HTML) display. */
  install(): void {
    setDisplaySink((bundle, opts) => currentIO()?.display(bundle, opts.metadata ?? {},
      { displayId: opts.displayId, update: opts.update }));
    installTensorRepr(Tensor.prototype);
    // An interrupted cell's async training loop stops at its next tensor op (a synchronous one
    // stops through breakOnSigint already).
    setOpHook(throwIfInterruptedFast);
  },
  /** Before a cell runs: start what the cell needs (the WebGPU device when it mentions webgpu). */
  async prepareCell(source: string): Promise<void> {
    // Widget changes that came past the shell queue (runtime/comms.ts) apply before the cell reads them.
    pollComms();
    if (source.includes("webgpu") && !hasBackend("webgpu")) await startWebGpu().catch(() => undefined);
  },
  /** Whether SIGINT may end the cell's JavaScript at once (vm's breakOnSigint). Not once WebGPU is
   * in use: Dawn's bindings abort the whole process when V8 terminates JavaScript during one of
   * their calls (node-addon-api: "Error::Error napi_define_properties"), which a synchronous
   * training loop is inside most of the time. Interrupts then go through the shared flag: a loop
   * stops at its next tensor op (setOpHook above) or top-level await, cleanly; a loop that does
   * neither is not interrupted (issue 11). Keeping both would take a watchdog registered after the
   * main thread's for the duration of each Dawn call: Node hands a SIGINT to the most recent one. */
  breakOnSigint(): boolean {
    return !webgpuStarted;
  },
  /** After a cell, before its reply, however it ended: put back the tensor library's
   * process-wide state an interrupted or failed operation left (tensor/state.ts), then push the
   * final state of live displays. */
  afterCell(): void {
    const errors = settleState();
    flushDisplays();
    if (errors.length) throw new AggregateError(errors, errors.map((e) => e.message).join("; "));
  },
};
