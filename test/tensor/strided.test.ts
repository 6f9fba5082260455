// test/tensor/strided.test.ts
// Every kernel on strided, offset and broadcast views gives what it gives on a contiguous copy of
// the same values: permuted, stepped, narrowed and expanded views of random tensors, on every
// backend. (The contiguous path is the simple loop; the strided paths are where bugs hide.)

import assert from "node:assert/strict";
import { torch, F, type Tensor } from "../../runtime/tensor/index";
import { forEachBackend } from "../helpers/backends";
import { assertClose } from "../helpers/gradcheck";

/** A [2, 3, 4]-shaped view that is not contiguous: a permuted, stepped, offset window of a larger tensor. */
function stridedView(device: string): Tensor {
  const base = torch.randn([5, 9, 3], { device: device as "cpu" });
  return base.permute(2, 0, 1).narrow(0, 1, 2).slice(1, 1, 4).slice(2, 0, 8, 2);
}

async function same(got: Tensor, want: Tensor, what: string): Promise<void> {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  assertClose(await got.toArray(), await want.toArray(), 1e-5, 1e-5, what);
}

type Op = [string, (x: Tensor, y: Tensor) => Tensor];
const OPS: Op[] = [
  ["exp", (x) => x.exp()], ["relu", (x) => x.relu()], ["gelu", (x) => x.gelu()], ["clamp", (x) => x.clamp(-0.3, 0.4)],
  ["add", (x, y) => x.add(y)], ["mul broadcast row", (x, y) => x.mul(y.select(1, 0).unsqueeze(1))],
  ["div by expanded", (x, y) => x.div(y.narrow(2, 0, 1).expand(2, 3, 4).abs().add(1))],
  ["maximum", (x, y) => x.maximum(y)], ["gt", (x, y) => x.gt(y)], ["scalar sub", (x) => x.sub(0.5)],
  ["where", (x, y) => torch.where(x.gt(0), x, y)],
  ["sum dim 1", (x) => x.sum(1)], ["sum dims 0,2", (x) => x.sum([0, 2])], ["amax", (x) => x.amax(-1)],
  ["argmax dim 0", (x) => x.argmax(0)], ["prod", (x) => x.prod(2)], ["mean all", (x) => x.mean()],
  ["cumsum", (x) => x.cumsum(1)], ["softmax", (x) => x.softmax(1)], ["logSoftmax", (x) => x.logSoftmax(2)],
  ["matmul", (x, y) => x.matmul(y.transpose(1, 2))], ["matmul broadcast", (x, y) => x.matmul(y.select(0, 1).t())],
  ["gather", (x) => x.gather(2, torch.tensor([[[3, 0], [1, 1], [2, 0]], [[0, 0], [3, 2], [1, 3]]], { dtype: "int32", device: x.device }))],
  ["indexSelect", (x) => x.indexSelect(1, torch.tensor([2, 0, 2], { dtype: "int32", device: x.device }))],
  ["cat", (x, y) => torch.cat([x, y], 1)], ["pad", (x) => F.pad(x, [1, 1, 0, 2])],
  ["conv2d", (x, y) => F.conv2d(x.unsqueeze(0), y.narrow(1, 0, 2).narrow(2, 1, 2).unsqueeze(0), null, { padding: 1 })],
  ["maxPool2d", (x) => F.maxPool2d(x.unsqueeze(0), { kernelSize: 2, stride: 1 })],
  ["avgPool2d", (x) => F.avgPool2d(x.unsqueeze(0), { kernelSize: [2, 2], stride: 1 })],
  ["layerNorm", (x) => F.layerNorm(x, [4])],
];

forEachBackend((device) => {
  describe("strided views", () => {
    for (const [name, fn] of OPS) {
      it(`${name}: a strided view gives the same as its contiguous copy`, async () => {
        torch.manualSeed(11);
        const x = stridedView(device), y = stridedView(device);
        assert.equal(x.isContiguous(), false);
        await same(fn(x, y), fn(x.contiguous(), y.contiguous()), name);
      });
    }
    it("gradients through strided views match those through contiguous copies", async () => {
      torch.manualSeed(12);
      const base = torch.randn([5, 9, 3], { device, requiresGrad: true });
      const v = base.permute(2, 0, 1).slice(2, 0, 8, 2);
      v.exp().mul(v.sum(1, true)).sum().backward();
      const g1 = await base.grad!.toArray();
      const base2 = base.detach().clone().requiresGrad_();
      const c = base2.permute(2, 0, 1).slice(2, 0, 8, 2).contiguous();
      c.exp().mul(c.sum(1, true)).sum().backward();
      assertClose(g1, await base2.grad!.toArray(), 1e-4, 1e-4, "grad");
    });
    it("copy_ into a strided view writes only that window", async () => {
      const base = torch.zeros([3, 4], { device });
      base.t().slice(0, 1, 4, 2).copy_(torch.tensor([[1, 2, 3], [4, 5, 6]], { device }));
      assert.deepEqual(await base.toArray(), [[0, 1, 0, 4], [0, 2, 0, 5], [0, 3, 0, 6]]);
    });
  });
});
