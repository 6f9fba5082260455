// runtime/lib.mts
// The package's ESM entry (package.json "exports" → "import"): re-exports the CommonJS build of
// runtime/lib.ts, so an ESM and a CommonJS importer in one process share one library instance
// (one backend registry, one default device, one native addon) rather than two copies.
export * from "./lib.js";
