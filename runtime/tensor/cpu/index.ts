// runtime/tensor/cpu/index.ts
// The CPU backends: the TypeScript reference (reference.ts: loops over TypedArrays, every dtype and
// layout; the backend every other one is tested against) and the default native one (native.ts:
// the same storage, heavy float32 kernels in the N-API addon in native/, op codes from
// native_abi.ts). createCpuBackend() picks native when its addon loads.

export { CpuBackend, CpuStorage, dataOf, contiguousData, viewIsContiguous } from "./reference";
export { NativeCpuBackend, checkOpsSignature, createCpuBackend, loadNativeAddon, type NativeAddon } from "./native";
