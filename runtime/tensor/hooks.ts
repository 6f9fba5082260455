// runtime/tensor/hooks.ts
// One hook the host (runtime/index.ts) may set: called each time an op makes a tensor
// (kernels.ts empty()), so a long training loop in async code stops at its next op when the
// notebook interrupts it. The tensor library knows nothing about cells; with no hook set the
// cost is one branch. The hook is a ScopedSetting (state.ts), so it has one owner like the other
// process-wide settings.
import { ScopedSetting } from "./state";

const opHook = new ScopedSetting<(() => void) | undefined>("op hook", undefined);

/** Runs `fn` before every op's output is allocated; it may throw to stop the op. undefined removes it. */
export function setOpHook(fn: (() => void) | undefined): void { opHook.set(fn); }

/** Called by kernels.ts at op dispatch. */
export function opDispatched(): void { const h = opHook.value; if (h !== undefined) h(); }
