// test/tensor/tensor.test.ts
// The Tensor itself on every backend: creation, dtypes, views sharing storage, broadcasting,
// in-place ops and versions, comparisons, topk/sort, readback, device moves and the error
// messages users meet (asserted word for word).

import assert from "node:assert/strict";
import { torch, F } from "../../runtime/tensor/index";
import { BACKENDS, forEachBackend } from "../helpers/backends";
import { setBackendInstance } from "../../runtime/tensor/backend";
import { assertClose } from "../helpers/gradcheck";

forEachBackend((device) => {
  const opts = { device };
  describe("creation", () => {
    it("tensor from nested arrays infers shape; numbers are float32, booleans bool", async () => {
      const t = torch.tensor([[1, 2, 3], [4, 5, 6]], opts);
      assert.deepEqual(t.shape, [2, 3]);
      assert.equal(t.dtype, "float32");
      assert.equal(t.device, device);
      assert.deepEqual(await t.toArray(), [[1, 2, 3], [4, 5, 6]]);
      assert.equal(torch.tensor([true, false], opts).dtype, "bool");
      assert.deepEqual(await torch.tensor([true, false], opts).toArray(), [true, false]);
      assert.equal(await torch.tensor(2.5, opts).item(), 2.5);
      assert.deepEqual(torch.tensor(2.5, opts).shape, []);
    });
    it("prints the same on every device through toStringAsync", async () => {
      assert.equal(await torch.tensor([1, 2.5], opts).toStringAsync(), `tensor([1.0000, 2.5000])\nshape=[2], dtype=float32, device=${device}`);
    });
    it("tensor from a typed array keeps its dtype", async () => {
      const t = torch.tensor(new Int32Array([1, -2, 3]), opts);
      assert.equal(t.dtype, "int32");
      assert.deepEqual(Array.from(await t.data()), [1, -2, 3]);
    });
    it("rejects ragged nested arrays", () => {
      assert.throws(() => torch.tensor([[1, 2], [3]], opts), { name: "ShapeError", message: "tensor: ragged nested array: expected 2 elements at [1], got 1" });
    });
    it("zeros/ones/full/eye/arange/linspace", async () => {
      assert.deepEqual(await torch.zeros(2, 3, opts).toArray(), [[0, 0, 0], [0, 0, 0]]);
      assert.deepEqual(await torch.ones([2], opts).toArray(), [1, 1]);
      assert.deepEqual(await torch.full([2], 7, opts).toArray(), [7, 7]);
      assert.deepEqual(await torch.eye(2, 3, opts).toArray(), [[1, 0, 0], [0, 1, 0]]);
      const a = torch.arange(5, opts);
      assert.equal(a.dtype, "int32");
      assert.deepEqual(await a.toArray(), [0, 1, 2, 3, 4]);
      assertClose(await torch.arange(0, 1, 0.25, opts).toArray(), [0, 0.25, 0.5, 0.75]);
      assertClose(await torch.linspace(0, 1, 5, opts).toArray(), [0, 0.25, 0.5, 0.75, 1]);
      assert.deepEqual(await torch.zerosLike(a).toArray(), [0, 0, 0, 0, 0]);
      assert.deepEqual(await torch.fullLike(torch.ones(2, opts), 3).toArray(), [3, 3]);
    });
    it("random tensors repeat under the same seed and have the right statistics", async () => {
      torch.manualSeed(42);
      const a = Array.from(await torch.randn([4000], opts).data());
      torch.manualSeed(42);
      const b = Array.from(await torch.randn([4000], opts).data());
      assert.deepEqual(a, b);
      const mean = a.reduce((s, v) => s + v, 0) / a.length;
      const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
      assert.ok(Math.abs(mean) < 0.06 && Math.abs(variance - 1) < 0.08, `mean ${mean} var ${variance}`);
      const u = await torch.rand([4000], opts).data();
      assert.ok(u.every((v) => v >= 0 && v < 1));
      const r = await torch.randint(3, 7, [1000], opts).data();
      assert.ok(r.every((v) => v >= 3 && v < 7) && new Set(r).size === 4);
      const p = await torch.randperm(10, opts).data();
      assert.deepEqual(Array.from(p).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });
    it("uniform_ and normal_ fill in place from the generator", async () => {
      torch.manualSeed(1);
      const w = torch.empty(3, 3, opts).uniform_(-0.1, 0.1);
      assert.ok((await w.data()).every((v) => v >= -0.1 && v < 0.1));
      assert.equal(w.version, 1);
      const n = torch.zeros(1000, opts).normal_(5, 0.1);
      assertClose(await n.mean().item(), 5, 0.02);
    });
  });

  describe("views", () => {
    it("share storage: writing through a view changes the base", async () => {
      const base = torch.zeros(2, 3, opts);
      base.narrow(1, 1, 2).fill_(5);
      base.t().select(0, 0).add_(1);
      assert.deepEqual(await base.toArray(), [[1, 5, 5], [1, 5, 5]]);
    });
    it("reshape/view/transpose/permute/expand/narrow/slice/squeeze/unsqueeze/flatten launch no kernel", async () => {
      const x = torch.arange(24, opts).float().reshape(2, 3, 4);
      const before = x._backend().memory().buffers;
      const vs = [x.view(6, 4), x.transpose(0, 2), x.permute(2, 0, 1), x.narrow(2, 1, 2), x.slice(1, 0, 3, 2),
        x.unsqueeze(0), x.unsqueeze(0).squeeze(0), x.flatten(), x.select(0, 1), x.reshape(-1, 12), x.narrow(0, 0, 1).expand(5, 3, 4), x.mT];
      assert.equal(x._backend().memory().buffers, before);
      for (const v of vs) assert.equal(v.buf, x.buf);
      assert.deepEqual(await x.transpose(0, 2).narrow(0, 1, 1).toArray(), [[[1, 13], [5, 17], [9, 21]]]);
      assert.deepEqual(await x.slice(2, 1, undefined, 2).select(0, 0).toArray(), [[1, 3], [5, 7], [9, 11]]);
      assert.deepEqual(x.flatten(1).shape, [2, 12]);
      assert.deepEqual(x.narrow(0, 0, 1).expand(-1, 3, -1).shape, [1, 3, 4]);
      assert.throws(() => x.expand(-1, 2, 3, 4), { name: "ShapeError", message: /^expand: invalid size in \[-1, 2, 3, 4\]/ });
    });
    it("view() refuses a layout it cannot express; reshape() copies", async () => {
      const x = torch.arange(6, opts).reshape(2, 3).t();
      assert.throws(() => x.view(6), { name: "ShapeError", message: /^view: shape \[6\] is not compatible with the memory layout of a tensor of shape \[3, 2\] and strides \[1, 3\]/ });
      assert.deepEqual(await x.reshape(6).toArray(), [0, 3, 1, 4, 2, 5]);
      assert.notEqual(x.reshape(6).buf, x.buf);
      assert.equal(x.contiguous().isContiguous(), true);
    });
    it("cat/stack/split/chunk/unbind", async () => {
      const a = torch.tensor([[1, 2]], opts), b = torch.tensor([[3, 4], [5, 6]], opts);
      assert.deepEqual(await torch.cat([a, b], 0).toArray(), [[1, 2], [3, 4], [5, 6]]);
      assert.deepEqual(await torch.stack([a, a], 2).toArray(), [[[1, 1], [2, 2]]]);
      const parts = torch.cat([a, b]).split([1, 2]);
      assert.deepEqual(await parts[1].toArray(), [[3, 4], [5, 6]]);
      assert.deepEqual((await Promise.all(b.unbind(1).map((t) => t.toArray()))), [[3, 5], [4, 6]]);
      assert.deepEqual(b.chunk(2, 0).map((t) => t.shape), [[1, 2], [1, 2]]);
      assert.throws(() => torch.cat([a, torch.ones(2, 3, opts)], 0), { name: "ShapeError", message: "cat: tensor 1 has shape [2, 3], which does not match [1, 2] outside dimension 0" });
    });
  });

  describe("broadcasting and element-wise", () => {
    it("broadcasts [2,1] + [3]", async () => {
      const out = torch.tensor([[1], [2]], opts).add(torch.tensor([10, 20, 30], opts));
      assert.deepEqual(out.shape, [2, 3]);
      assert.deepEqual(await out.toArray(), [[11, 21, 31], [12, 22, 32]]);
    });
    it("names both shapes on mismatch", () => assert.throws(
      () => torch.zeros([4, 3], opts).add(torch.zeros([4], opts)),
      { name: "ShapeError", message: "add: shapes [4, 3] and [4] cannot broadcast (3 vs 4 at dimension 1)" }));
    it("works on strided, broadcast and offset views", async () => {
      const x = torch.arange(12, opts).float().reshape(3, 4);
      const y = x.t().narrow(0, 1, 2).mul(x.select(1, 0).unsqueeze(0));
      assert.deepEqual(await y.toArray(), [[0, 20, 72], [0, 24, 80]]);
    });
    it("dtype promotion: int with float gives float, int division gives float, comparisons give bool", async () => {
      const i = torch.tensor([1, 2, 3], { ...opts, dtype: "int32" });
      assert.equal(i.add(1).dtype, "int32");
      assert.equal(i.add(0.5).dtype, "float32");
      assert.equal(i.add(torch.ones(3, opts)).dtype, "float32");
      assert.equal(i.div(2).dtype, "float32");
      assertClose(await i.div(2).toArray(), [0.5, 1, 1.5]);
      const c = i.gt(1);
      assert.equal(c.dtype, "bool");
      assert.deepEqual(await c.toArray(), [false, true, true]);
      assert.deepEqual(await c.logicalAnd(i.lt(3)).toArray(), [false, true, false]);
      assert.deepEqual(await c.logicalNot().toArray(), [true, false, false]);
      assert.deepEqual(await i.eq(torch.tensor([1, 0, 3], { ...opts, dtype: "int32" })).toArray(), [true, false, true]);
    });
    it("unary math on float32 matches Math", async () => {
      const v = [-1.5, -0.3, 0.2, 1.7];
      const x = torch.tensor(v, opts);
      assertClose(await x.exp().toArray(), v.map(Math.exp), 1e-5, 1e-5);
      assertClose(await x.tanh().toArray(), v.map(Math.tanh), 1e-5, 1e-5);
      assertClose(await x.abs().sqrt().toArray(), v.map((a) => Math.sqrt(Math.abs(a))), 1e-5, 1e-5);
      assertClose(await x.round().toArray(), [-2, -0, 0, 2]);
      assertClose(await torch.tensor([0.5, 1.5, 2.5, -0.5], opts).round().toArray(), [0, 2, 2, -0]);
      assertClose(await x.clamp(-1, 1).toArray(), [-1, -0.3, 0.2, 1]);
      assertClose(await x.clamp(null, 0).toArray(), [-1.5, -0.3, 0, 0]);
    });
    it("where and maskedFill", async () => {
      const x = torch.tensor([1, -2, 3], opts);
      assert.deepEqual(await torch.where(x.gt(0), x, 0).toArray(), [1, 0, 3]);
      assert.deepEqual(await x.maskedFill(x.lt(0), 9).toArray(), [1, 9, 3]);
      assert.deepEqual(await x.where(x.gt(0), torch.tensor([7, 8, 9], opts)).toArray(), [1, 8, 3]);
    });
    it("in-place ops write the same storage and bump the version", async () => {
      const x = torch.ones(2, 2, opts);
      const v0 = x.version;
      x.add_(1).mul_(torch.tensor([1, 3], opts)).sub_(0.5).div_(2);
      assert.equal(x.version, v0 + 4);
      assert.deepEqual(await x.toArray(), [[0.75, 2.75], [0.75, 2.75]]);
      x.zero_();
      assert.deepEqual(await x.toArray(), [[0, 0], [0, 0]]);
      x.copy_(torch.tensor([5, 6], opts));
      assert.deepEqual(await x.toArray(), [[5, 6], [5, 6]]);
      x.clamp_(0, 5.5);
      assert.deepEqual(await x.toArray(), [[5, 5.5], [5, 5.5]]);
      x.addcmul_(torch.ones(2, 2, opts), torch.full([2, 2], 2, opts), 0.5).addcdiv_(torch.ones(2, 2, opts), torch.full([2, 2], 4, opts));
      assert.deepEqual(await x.toArray(), [[6.25, 6.75], [6.25, 6.75]]);
      assert.throws(() => torch.ones(2, opts).add_(torch.ones(3, 2, opts)), { name: "ShapeError" });
    });
  });

  describe("reductions and sorting", () => {
    it("sum/mean/amax/argmax/max with indices", async () => {
      const x = torch.tensor([[1, 5, 2], [7, 0, 7]], opts);
      assert.equal(await x.sum().item(), 22);
      assert.deepEqual(await x.sum(0).toArray(), [8, 5, 9]);
      assert.deepEqual(await x.mean(1, true).toArray(), [[8 / 3], [14 / 3]].map((r) => r.map((v) => Math.fround(v))));
      assert.deepEqual(await x.amax(1).toArray(), [5, 7]);
      assert.deepEqual(await x.argmax(1).toArray(), [1, 0]);
      assert.equal(await x.argmax().item(), 3);
      const { values, indices } = x.min(1);
      assert.deepEqual(await values.toArray(), [1, 0]);
      assert.deepEqual(await indices.toArray(), [0, 1]);
      assert.equal(indices.dtype, "int32");
      assert.equal(await x.prod(1).select(0, 0).item(), 10);
      assert.equal(await x.gt(0).all().item(), 0);
      assert.equal(await x.gt(0).any().item(), 1);
    });
    it("var/std with correction; logsumexp; cumsum; norm", async () => {
      const x = torch.tensor([[1, 2, 3, 4]], opts);
      assertClose(await x.var(1).toArray(), [5 / 3]);
      assertClose(await x.var(1, { correction: 0 }).toArray(), [1.25]);
      assertClose(await x.std().item(), Math.sqrt(5 / 3));
      assertClose(await x.logsumexp(1).toArray(), [Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(4))]);
      assert.deepEqual(await x.cumsum(1).toArray(), [[1, 3, 6, 10]]);
      assertClose(await x.norm().item(), Math.sqrt(30));
      assertClose(await torch.tensor([1000, 1000], opts).logsumexp(0).item(), 1000 + Math.log(2));
    });
    it("softmax rows sum to one; logSoftmax is stable for large logits", async () => {
      const x = torch.tensor([[1, 2, 3], [1000, 1000, 1000]], opts);
      assertClose(await x.softmax(1).sum(1).toArray(), [1, 1]);
      assertClose(await x.logSoftmax(1).select(0, 1).toArray(), [-Math.log(3), -Math.log(3), -Math.log(3)]);
    });
    if (device === "cpu") it("topk and sort (values and int32 indices, stable)", async () => {
      const x = torch.tensor([[3, 1, 2, 3], [0, 5, -1, 2]], opts);
      const top = x.topk(2);
      assert.deepEqual(await top.values.toArray(), [[3, 3], [5, 2]]);
      assert.deepEqual(await top.indices.toArray(), [[0, 3], [1, 3]]);
      const s = x.sort(1);
      assert.deepEqual(await s.values.toArray(), [[1, 2, 3, 3], [-1, 0, 2, 5]]);
      assert.deepEqual(await s.indices.toArray(), [[1, 2, 0, 3], [2, 0, 3, 1]]);
      assert.deepEqual(await x.topk(1, 0, false).values.toArray(), [[0, 1, -1, 2]]);
    });
  });

  describe("matmul and errors", () => {
    it("matmul: names both shapes on mismatch", () => assert.throws(
      () => torch.zeros([32, 784], opts).matmul(torch.zeros([256, 10], opts)),
      { name: "ShapeError", message: "matmul: cannot multiply [32, 784] by [256, 10] (inner dimensions 784 != 256)" }));
    it("matmul: 1-D, batched and broadcast batch forms", async () => {
      const a = torch.tensor([[1, 2], [3, 4]], opts), v = torch.tensor([1, 1], opts);
      assert.deepEqual(await a.matmul(v).toArray(), [3, 7]);
      assert.deepEqual(await v.matmul(a).toArray(), [4, 6]);
      assert.equal(await v.matmul(v).item(), 2);
      const batched = torch.stack([a, a.mul(2)]).matmul(torch.eye(2, opts));
      assert.deepEqual(batched.shape, [2, 2, 2]);
      assert.deepEqual(await batched.select(0, 1).toArray(), [[2, 4], [6, 8]]);
      assert.deepEqual(await a.t().matmul(a).toArray(), [[10, 14], [14, 20]]);
    });
    it("reading a multi-element tensor as an item", async () => {
      await assert.rejects(() => torch.ones(2, opts).item(), { name: "ShapeError", message: /item: only a one-element tensor converts to a number; this one has shape \[2\]/ });
    });
    it("dimension out of range", () => assert.throws(() => torch.ones(2, 3, opts).sum(2),
      { name: "ShapeError", message: "sum: dimension 2 is out of range for a tensor with 2 dimensions (expected -2 to 1)" }));
    it("index ops, one-hot, padding and losses with integer targets", async () => {
      const x = torch.tensor([[1, 2, 3], [4, 5, 6]], opts);
      assert.deepEqual(await x.indexSelect(1, torch.tensor([2, 0], { ...opts, dtype: "int32" })).toArray(), [[3, 1], [6, 4]]);
      assert.deepEqual(await F.pad(x, [1, 0], { value: -1 }).toArray(), [[-1, 1, 2, 3], [-1, 4, 5, 6]]);
      assert.deepEqual(await F.oneHot(torch.tensor([2, 0], { ...opts, dtype: "int32" }), 3).toArray(), [[0, 0, 1], [1, 0, 0]]);
      assertClose(await F.crossEntropy(torch.zeros(2, 4, opts), torch.tensor([1, 3], opts)).item(), Math.log(4));
    });
  });
});

describe("devices", () => {
  it("mixing devices names both and how to move one (real webgpu backend)", async () => {
    const gpu = BACKENDS.find((b) => b.device === "webgpu");
    assert.ok(gpu, "test/helpers/backends.ts lists a webgpu backend");
    const inst = await gpu.create();
    if (inst) setBackendInstance("webgpu", inst);
    const a = torch.ones(2), b = torch.ones(2, { device: "webgpu" });
    assert.throws(() => a.mul(b), {
      name: "DeviceError",
      message: 'mul: operands are on different devices (cpu, webgpu); move one with .to("webgpu")',
    });
    assert.throws(() => b.to("cpu"), { name: "DeviceError", message: /^to: reading webgpu memory is asynchronous; use await t.toAsync\("cpu"\)/ });
    assert.deepEqual(await a.mul(await b.toAsync("cpu")).toArray(), [1, 1]);
    assert.deepEqual(await a.to("webgpu").mul(b).toArray(), [1, 1]);
  });
  it("to() with the same device or dtype returns the tensor itself; dtype casts truncate toward zero", async () => {
    const x = torch.tensor([1.7, -1.7]);
    assert.equal(x.to("cpu"), x);
    assert.equal(x.to("float32"), x);
    assert.deepEqual(await x.to("int32").toArray(), [1, -1]);
    assert.deepEqual(await x.to("bool").toArray(), [true, true]);
    assert.equal(x.double().dtype, "float64");
  });
  it("setDefaultDevice decides where creation ops put tensors", () => {
    const prev = torch.getDefaultDevice();
    torch.setDefaultDevice("cpu");
    assert.equal(torch.zeros(1).device, "cpu");
    torch.setDefaultDevice(prev);
  });
});
