// runtime/tensor/io/index.ts
// Checkpoints: save/load in the safetensors format (readable by PyTorch), plus the raw codec.

export { save, load, saveBytes, saveBytesAsync, loadBytes, loadMetadata } from "./checkpoint";
export type { SaveOptions, LoadOptions } from "./checkpoint";
export { encodeSafetensors, decodeSafetensors } from "./safetensors";
export type { RawTensor } from "./safetensors";
