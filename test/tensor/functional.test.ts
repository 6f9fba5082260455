// test/tensor/functional.test.ts
// F beyond the reference file: batch norm's running statistics (training updates them in place,
// eval uses them), crossEntropy's weight/ignoreIndex/probability targets against the formulas,
// dropout's scaling, and conv2d's argument checks. Runs on every backend.

import assert from "node:assert/strict";
import { torch, F } from "../../runtime/tensor/index";
import { forEachBackend } from "../helpers/backends";
import { assertClose } from "../helpers/gradcheck";

forEachBackend((device) => {
  const opts = { device };
  describe("F", () => {
    it("batchNorm in training updates running stats in place (unbiased variance, momentum 0.1)", async () => {
      const x = torch.tensor([[1, 10], [2, 20], [3, 30], [6, 40]], opts);
      const rm = torch.zeros(2, opts), rv = torch.ones(2, opts);
      const y = F.batchNorm(x, rm, rv, { training: true });
      assertClose(await rm.toArray(), [0.1 * 3, 0.1 * 25]);
      assertClose(await rv.toArray(), [0.9 + 0.1 * (14 / 3), 0.9 + 0.1 * (500 / 3)]);
      assertClose(await y.mean(0).toArray(), [0, 0]);
      assertClose(await y.square().mean(0).toArray(), [1, 1], 1e-3);
    });
    it("batchNorm in eval normalises with the running stats and changes nothing", async () => {
      const x = torch.tensor([[[[1]], [[2]]]], opts);
      const rm = torch.tensor([1, 0], opts), rv = torch.tensor([4, 1], opts);
      const y = F.batchNorm(x, rm, rv, { weight: torch.tensor([2, 1], opts), bias: torch.tensor([0, 1], opts), eps: 0 });
      assertClose(await y.reshape(-1).toArray(), [0, 3]);
      assert.deepEqual(await rm.toArray(), [1, 0]);
    });
    it("crossEntropy with class weights and ignoreIndex follows PyTorch's weighted mean", async () => {
      const logits = [[1, 2, 0.5], [0.1, -1, 2], [3, 0, 0]];
      const target = [2, -100, 0], w = [0.5, 1, 2];
      const lsm = (r: number[]) => { const m = Math.max(...r), s = Math.log(r.reduce((a, v) => a + Math.exp(v - m), 0)) + m; return r.map((v) => v - s); };
      const num = -(w[2] * lsm(logits[0])[2] + w[0] * lsm(logits[2])[0]), den = w[2] + w[0];
      const got = F.crossEntropy(torch.tensor(logits, opts), torch.tensor(target, { ...opts, dtype: "int32" }), { weight: torch.tensor(w, opts) });
      assertClose(await got.item(), num / den, 1e-5, 1e-5);
      const none = F.crossEntropy(torch.tensor(logits, opts), torch.tensor(target, { ...opts, dtype: "int32" }), { reduction: "none" });
      assertClose(await none.toArray(), [-lsm(logits[0])[2], 0, -lsm(logits[2])[0]], 1e-5, 1e-5);
    });
    it("crossEntropy with probability targets", async () => {
      const p = [[0.2, 0.8], [1, 0]], x = [[0, 1], [2, 0]];
      const lsm = (r: number[]) => { const s = Math.log(Math.exp(r[0]) + Math.exp(r[1])); return r.map((v) => v - s); };
      const want = -(p[0][0] * lsm(x[0])[0] + p[0][1] * lsm(x[0])[1] + p[1][0] * lsm(x[1])[0]) / 2;
      assertClose(await F.crossEntropy(torch.tensor(x, opts), torch.tensor(p, opts)).item(), want, 1e-5, 1e-5);
    });
    it("crossEntropy names the target shape when it does not fit", () => {
      assert.throws(() => F.crossEntropy(torch.zeros(4, 3, opts), torch.zeros([5], { ...opts, dtype: "int32" })),
        { name: "ShapeError", message: "crossEntropy: target of shape [5] does not match input [4, 3] (expected [4])" });
    });
    it("dropout keeps about 1-p of the values, scaled by 1/(1-p); eval is the identity", async () => {
      torch.manualSeed(7);
      const x = torch.ones(10000, opts);
      const y = await F.dropout(x, 0.25).data();
      const kept = y.filter((v) => v !== 0);
      assert.ok(Math.abs(kept.length / 10000 - 0.75) < 0.02, `kept ${kept.length}`);
      assertClose(Array.from(kept.slice(0, 5)), [4 / 3, 4 / 3, 4 / 3, 4 / 3, 4 / 3]);
      assert.equal(F.dropout(x, 0.25, false), x);
    });
    it("conv2d checks channels and names the shapes", () => {
      assert.throws(() => F.conv2d(torch.zeros(1, 3, 5, 5, opts), torch.zeros(4, 2, 3, 3, opts)),
        { name: "ShapeError", message: "conv2d: input has 3 channels but weight [4, 2, 3, 3] with groups=1 expects 2" });
    });
    it("layerNorm normalises the last dims", async () => {
      const y = F.layerNorm(torch.tensor([[1, 2, 3, 4], [2, 2, 2, 6]], opts), [4]);
      assertClose(await y.mean(1).toArray(), [0, 0]);
      assertClose(await y.square().mean(1).toArray(), [1, 1], 1e-3);
    });
  });
});
