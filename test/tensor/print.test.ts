// test/tensor/print.test.ts
// Tensors print like PyTorch (values, then a summary line with shape, dtype and device) through
// toString, util.inspect and the Jupyter display protocol.

import assert from "node:assert/strict";
import { inspect } from "node:util";
import { torch } from "../../runtime/tensor/index";

describe("printing", () => {
  it("2-D float with requiresGrad", () => {
    assert.equal(String(torch.tensor([[1, 2], [3, 4.5]], { requiresGrad: true })),
      "tensor([[1.0000, 2.0000],\n        [3.0000, 4.5000]], requiresGrad=true)\nshape=[2, 2], dtype=float32, device=cpu");
  });
  it("whole-number floats print as 1., results show their gradFn", () => {
    assert.equal(String(torch.tensor([1, 2]).mul(torch.tensor([1, 2], { requiresGrad: true }))),
      "tensor([1., 4.], gradFn=<MulBackward>)\nshape=[2], dtype=float32, device=cpu");
  });
  it("scientific notation when magnitudes differ widely", () => {
    assert.equal(String(torch.tensor([1e-5, 1, 100])), "tensor([1.0000e-05, 1.0000e+00, 1.0000e+02])\nshape=[3], dtype=float32, device=cpu");
  });
  it("summarises with ... above 1000 elements", () => {
    assert.equal(String(torch.arange(2000).reshape(2, 1000)),
      "tensor([[   0,    1,    2, ...,  997,  998,  999],\n        [1000, 1001, 1002, ..., 1997, 1998, 1999]])\nshape=[2, 1000], dtype=int32, device=cpu");
  });
  it("3-D ints, bools, scalars, non-finite values and empty tensors", () => {
    assert.equal(String(torch.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], { dtype: "int32" })),
      "tensor([[[1, 2],\n         [3, 4]],\n\n        [[5, 6],\n         [7, 8]]])\nshape=[2, 2, 2], dtype=int32, device=cpu");
    assert.equal(String(torch.tensor([true, false])), "tensor([ True, False])\nshape=[2], dtype=bool, device=cpu");
    assert.equal(String(torch.tensor(3.14159)), "tensor(3.1416)\nshape=[], dtype=float32, device=cpu");
    assert.equal(String(torch.tensor([NaN, Infinity, -1.5])), "tensor([    nan,     inf, -1.5000])\nshape=[3], dtype=float32, device=cpu");
    assert.equal(String(torch.zeros(0, 3)), "tensor([])\nshape=[0, 3], dtype=float32, device=cpu");
  });
  it("wraps long rows at 80 columns", () => {
    const lines = String(torch.linspace(0, 1, 30)).split("\n");
    assert.equal(lines[0], "tensor([0.0000, 0.0345, 0.0690, 0.1034, 0.1379, 0.1724, 0.2069, 0.2414, 0.2759,");
    assert.equal(lines[1], "        0.3103, 0.3448, 0.3793, 0.4138, 0.4483, 0.4828, 0.5172, 0.5517, 0.5862,");
    assert.ok(lines.every((l) => l.length <= 80));
  });
  it("util.inspect and the Jupyter display protocol show the same text", () => {
    const t = torch.ones(2);
    assert.equal(inspect(t), String(t));
    const bundle = (t as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]();
    // Other bundle entries (the display layer's HTML table) may be added; text/plain is ours.
    assert.equal(bundle["text/plain"], String(t));
  });
  it("toStringAsync gives the same text", async () => {
    const t = torch.tensor([[1, 2], [3, 4.5]]);
    assert.equal(await t.toStringAsync(), String(t));
  });
  it("a disposed tensor says so", () => {
    const t = torch.ones(2);
    t.dispose();
    assert.equal(String(t), "tensor(<disposed>)\nshape=[2], dtype=float32, device=cpu");
  });
});
