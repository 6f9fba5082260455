import assert from "node:assert/strict";
import { torch, Tensor } from "../../runtime/tensor/index";
import * as nn from "../../runtime/tensor/nn/index";
import { TensorDataset } from "../../runtime/tensor/data/dataset";
import { datasetGrid, installDatasetRepr, installModuleRepr, installTensorRepr, summaryBundle, tensorHtml } from "../../runtime/display/reprs";
import { Dataset } from "../../runtime/tensor/data/dataset";

const $display = Symbol.for("Jupyter.display");

describe("reprs", () => {
  it("a 2-D tensor gets an HTML table shaded by value, keeping its own text", () => {
    installTensorRepr(Tensor.prototype);
    installTensorRepr(Tensor.prototype);                     // idempotent
    const t = torch.tensor([[1, -2], [3, 4]]);
    const b = (t as unknown as { [$display](): Record<string, string> })[$display]();
    assert.equal(b["text/plain"], String(t));
    const html = b["text/html"];
    assert.equal((html.match(/<td /g) ?? []).length, 4);
    assert.match(html, /tensor \[2, 2\] float32 on cpu/);
    assert.match(html, />-2<\/td>/);
    assert.equal((torch.zeros([2, 2, 2]) as unknown as { [$display](): Record<string, string> })[$display]()["text/html"], undefined);
  });

  it("large tensors show their corners with an ellipsis", () => {
    const html = tensorHtml(torch.arange(0, 400).reshape([20, 20]))!;
    assert.equal((html.match(/<tr>/g) ?? []).length, 13);
    assert.ok(html.includes("…") && html.includes(">399</td>") && !html.includes(">200</td>"));
  });

  it("model summary: a Module as a table of leaf layers with parameter counts", () => {
    const m = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2));
    const b = summaryBundle(m);
    assert.match(b["text/plain"] as string, /Total parameters: 23/);
    const html = b["text/html"] as string;
    assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 3 + 1);
    assert.match(html, /Linear/);
    const s = nn.summary(m, [1, 4]);
    assert.match(summaryBundle(s)["text/plain"] as string, /Total parameters: 23, trainable: 23/);
  });

  it("a data set as an image grid captioned with class names", () => {
    const x = torch.rand([6, 1, 5, 5]), y = torch.tensor([0, 1, 2, 0, 1, 2], { dtype: "int32" });
    const fig = datasetGrid(new TensorDataset(x, y), { n: 4, classes: ["a", "b", "c"] });
    assert.deepEqual(fig.layout.annotations!.map((a) => a.text), ["a", "b", "c", "a"]);
  });

  it("installed reprs: a model shows its summary, an image data set its samples", () => {
    // Installed on the real prototypes for this test only: other suites share this process.
    try {
      installModuleRepr(nn.Module.prototype);
      const m = nn.Sequential(nn.Linear(2, 2));
      const mb = (m as unknown as { [$display](): Record<string, string> })[$display]();
      assert.match(mb["text/plain"], /Total parameters: 6/);
      installDatasetRepr(Dataset.prototype);
      const ds = new TensorDataset(torch.rand([3, 4, 4]), torch.tensor([0, 1, 0], { dtype: "int32" }));
      const db = (ds as unknown as { [$display](): Record<string, unknown> })[$display]();
      assert.equal(db["text/plain"], "TensorDataset(3 samples)");
      assert.ok("image/svg+xml" in db);
      const pts = new TensorDataset(torch.rand([3, 2]), torch.tensor([0, 1, 0], { dtype: "int32" }));
      assert.deepEqual(Object.keys((pts as unknown as { [$display](): Record<string, unknown> })[$display]()), ["text/plain"]);
    } finally {
      delete (nn.Module.prototype as unknown as Record<symbol, unknown>)[$display];
      delete (Dataset.prototype as unknown as Record<symbol, unknown>)[$display];
    }
  });
});
