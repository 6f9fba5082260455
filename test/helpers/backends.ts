// test/helpers/backends.ts
// Run a suite once per backend: forEachBackend((device, name) => describe(...)). The list below
// is the one place a backend joins the tests: "cpu-ref" is the TypeScript reference (cpu/reference.ts),
// "cpu" the default CPU backend (the native one once its addon is built; not repeated when it is
// the reference itself). The WebGPU helper adds its entry to BACKENDS (device "webgpu").
// TSGRAD_TEST_BACKENDS=cpu-ref,webgpu limits a run to some of them.

import type { Backend, DeviceName } from "../../runtime/tensor/backend";
import { getBackend, setBackendInstance } from "../../runtime/tensor/backend";
import { CpuBackend } from "../../runtime/tensor/cpu";
import { initWebGpu } from "../../gpu/index";
import "../../runtime/tensor/index"; // registers the default "cpu" factory

export interface TestBackend {
  name: string;
  device: DeviceName;
  /** The backend instance to install for the suite; null leaves the registered one in place. */
  create(): Backend | null | Promise<Backend | null>;
  /** false: do not run (e.g. "cpu" when it is the reference itself). */
  enabled?(): boolean;
  /** Run only the backend contract suite (test/backends/), not every forEachBackend suite. */
  contractOnly?: boolean;
}

const reference = new CpuBackend();

/** The reference without its convolution and pooling fast paths: the engine composes them from
 * the core (runtime/tensor/composed.ts), as it would for a new backend that has only the core. */
const coreOnly: Backend = Object.assign(new CpuBackend(), {
  conv2d: undefined, conv2dBackward: undefined, maxPool2d: undefined, maxPool2dBackward: undefined,
  avgPool2d: undefined, avgPool2dBackward: undefined,
});

export const BACKENDS: TestBackend[] = [
  { name: "cpu-ref", device: "cpu", create: () => reference },
  { name: "cpu", device: "cpu", create: () => null, enabled: () => getBackend("cpu").constructor !== CpuBackend },
  // WebGPU (gpu/): lavapipe where there is no GPU (installed by scripts/install.d/50-webgpu.sh),
  // so it runs in CI and fails, never skips, when no adapter can be had.
  { name: "webgpu", device: "webgpu", create: () => initWebGpu() },
  { name: "cpu-core", device: "cpu", create: () => coreOnly, contractOnly: true },
];

/** Add a backend to every forEachBackend suite (call at module load, before the suites are defined). */
export function addTestBackend(b: TestBackend): void {
  BACKENDS.push(b);
}

/** The backends this run tests (all, or those TSGRAD_TEST_BACKENDS names). */
export function selectedBackends(): TestBackend[] {
  const only = process.env.TSGRAD_TEST_BACKENDS?.split(",").map((s) => s.trim()).filter(Boolean);
  return BACKENDS.filter((b) => (!only || only.includes(b.name)) && (b.enabled ? b.enabled() : true));
}

/**
 * Define `body` once per backend inside a describe named after it; the backend is installed as
 * the device's instance for the duration of that describe. Create tensors inside `it`/hooks.
 */
export function forEachBackend(body: (device: DeviceName, name: string) => void): void {
  for (const b of selectedBackends().filter((x) => !x.contractOnly)) {
    describe(`[${b.name}]`, function () {
      let previous: Backend | null = null;
      before(async function () {
        const inst = await b.create();
        if (inst) {
          try { previous = getBackend(b.device); } catch { previous = null; }
          setBackendInstance(b.device, inst);
        }
      });
      after(function () {
        if (previous) setBackendInstance(b.device, previous);
      });
      body(b.device, b.name);
    });
  }
}

/** Count every buffer of `device`'s backend for the enclosing suite, small ones included
 * (CpuBackend leaves arrays under `untrackedBelow` elements to V8 by default). */
export function trackAll(device: DeviceName): void {
  let saved: number | undefined;
  before(() => {
    const b = getBackend(device) as { untrackedBelow?: number };
    saved = b.untrackedBelow;
    if (saved !== undefined) b.untrackedBelow = 0;
  });
  after(() => {
    const b = getBackend(device) as { untrackedBelow?: number };
    if (saved !== undefined) b.untrackedBelow = saved;
  });
}
