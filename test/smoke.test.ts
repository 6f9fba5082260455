import assert from "node:assert/strict";
import { promote } from "../runtime/tensor/dtype";
describe("dtype", () => {
  it("promote: int32 with float32 gives float32", () => assert.equal(promote("int32", "float32"), "float32"));
});
