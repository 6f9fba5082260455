// test/tensor/native_abi.test.ts
// The native addon's op codes and parameter slots are generated from the op registry: the checked-in
// native/src/ops.h must be what native_abi.ts writes today (else: npm run gen:native), and the
// built addon must report the same ops (else: rebuild it).

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadNativeAddon } from "../../runtime/tensor/cpu";
import { BINARY_CODES, OPS_SIGNATURE, REDUCE_CODES, UNARY_CODES, nativeHeader } from "../../runtime/tensor/cpu/native_abi";
import { BINARY_NAMES, BINARY_OPS, REDUCE_NAMES, REDUCE_OPS, UNARY_NAMES, UNARY_OPS } from "../../runtime/tensor/op_registry";

describe("native ABI (generated from the op registry)", () => {
  it("native/src/ops.h is up to date (run `npm run gen:native` after changing the registry)", () => {
    const file = path.join(__dirname, "..", "..", "native", "src", "ops.h");
    assert.equal(fs.readFileSync(file, "utf8"), nativeHeader());
  });

  it("the built addon was compiled from this registry (rebuild it after gen:native)", () => {
    const { addon, error } = loadNativeAddon();
    assert.ok(addon, error ?? "no addon");
    assert.equal(addon.opsSignature, OPS_SIGNATURE);
  });

  it("every op not marked native: false has a native code, and codes are distinct", () => {
    for (const [names, table, codes] of [[UNARY_NAMES, UNARY_OPS, UNARY_CODES], [BINARY_NAMES, BINARY_OPS, BINARY_CODES],
      [REDUCE_NAMES, REDUCE_OPS, REDUCE_CODES]] as [string[], Record<string, { native?: false }>, Record<string, number | undefined>][]) {
      for (const op of names) assert.equal(codes[op] !== undefined, table[op].native !== false, op);
      const used = Object.values(codes);
      assert.equal(new Set(used).size, used.length);
    }
  });
});
