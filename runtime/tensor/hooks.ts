// runtime/tensor/hooks.ts
// One hook the host (runtime/index.ts) may set: called each time an op makes a tensor
// (kernels.ts empty()), so a long training loop in async code stops at its next op when the
// notebook interrupts it. The tensor library knows nothing about cells; with no hook set the
// cost is one branch.
let opHook: (() => void) | undefined;

/** Runs `fn` before every op's output is allocated; it may throw to stop the op. undefined removes it. */
export function setOpHook(fn: (() => void) | undefined): void { opHook = fn; }

/** Called by kernels.ts at op dispatch. */
export function opDispatched(): void { if (opHook !== undefined) opHook(); }
