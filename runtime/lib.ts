// runtime/lib.ts
// The package entry: what `import { torch, nn, optim } from "tsgrad"` gives a Node script (CommonJS
// through dist/runtime/lib.js, ESM through dist/runtime/lib.mjs, which re-exports this file so both
// share one instance). The same library a notebook cell sees (runtime/index.ts) minus what only a
// running kernel uses (cell input, comms, the evaluator's hooks). Outside a kernel, display() and
// plots send nothing.
export { torch, Tensor, F, nn, optim, data, save, load, tidy, noGrad } from "./index";
export { ShapeError, DTypeError, DeviceError, AutogradError, TensorError } from "./index";
export { display, plot, progress, TrainingCurve, type DisplayHandle, type Displayable, type MimeBundle } from "./index";
// Widgets build their models in a Node script too; they reach a frontend only inside a kernel.
export { widgets } from "./index";
