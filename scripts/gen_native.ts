// scripts/gen_native.ts
// Writes native/src/ops.h from the op registry (runtime/tensor/cpu/native_abi.ts nativeHeader()):
// run after adding or removing an op (npm run gen:native), then rebuild the addon.
import * as fs from "node:fs";
import * as path from "node:path";
import { nativeHeader } from "../runtime/tensor/cpu/native_abi";

const file = path.join(__dirname, "..", "native", "src", "ops.h");
fs.writeFileSync(file, nativeHeader());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
