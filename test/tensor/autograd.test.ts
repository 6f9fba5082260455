// test/tensor/autograd.test.ts
// Autograd behaviour: accumulation into leaves, retainGraph and freed graphs, hooks, retainGrad,
// noGrad/enableGrad, detach, autograd.grad (with createGraph for second derivatives), custom
// functions, and the errors users meet (asserted word for word).

import assert from "node:assert/strict";
import { torch, type Tensor } from "../../runtime/tensor/index";
import { assertClose } from "../helpers/gradcheck";

const leaf = (v: number[] | number[][]) => torch.tensor(v, { requiresGrad: true });

describe("autograd", () => {
  it("accumulates gradients into .grad across backward calls", () => {
    const x = leaf([1, 2, 3]);
    x.mul(2).sum().backward();
    x.mul(x).sum().backward();
    assertClose(x.grad!.toArraySync(), [4, 6, 8]);
  });

  it("sums gradients from every path to a leaf (diamond graph)", () => {
    const x = leaf([1, 2]);
    const a = x.mul(3), b = x.square();
    a.add(b).add(x).sum().backward();
    assertClose(x.grad!.toArraySync(), [3 + 2 + 1, 3 + 4 + 1]);
  });

  it("gives each leaf its own gradient storage when one gradient feeds two leaves", () => {
    const x = leaf([1, 2]), y = leaf([3, 4]);
    x.add(y).sum().backward();
    x.grad!.mul_(10);
    assertClose(y.grad!.toArraySync(), [1, 1]);
  });

  it("a branch that passes no gradient does not stall the rest of the graph", () => {
    class StopGradient extends torch.autograd.Function {
      forward(x: Tensor) { return x.mul(1); }
      backward() { return [null]; }
    }
    const x = leaf([1, 2]);
    const h = x.mul(3);
    const y = StopGradient.apply(h.exp()).sum().add(h.sum());
    y.backward();
    assertClose(x.grad!.toArraySync(), [3, 3]);
  });

  it("isLeaf, gradFn and requiresGrad of results", () => {
    const x = leaf([1]), c = torch.tensor([2]);
    const y = x.mul(c);
    assert.equal(x.isLeaf, true);
    assert.equal(y.isLeaf, false);
    assert.equal(y.requiresGrad, true);
    assert.equal(y.gradFn!.name, "mul");
    assert.equal(c.mul(2).requiresGrad, false);
  });

  it("backward on a scalar leaf writes ones", () => {
    const x = torch.tensor(3, { requiresGrad: true });
    x.backward();
    assert.equal(x.grad!.itemSync(), 1);
  });

  it("backward(grad) on a non-scalar uses the given gradient", () => {
    const x = leaf([1, 2, 3]);
    x.mul(x).backward(torch.tensor([1, 0.5, 2]));
    assertClose(x.grad!.toArraySync(), [2, 2, 12]);
  });

  it("retainGraph allows a second backward through the same graph", () => {
    const x = leaf([1, 2]);
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    assertClose(x.grad!.toArraySync(), [2 * Math.E, 2 * Math.exp(2)], 1e-5, 1e-5);
  });

  it("a second backward without retainGraph names the op and the fix", () => {
    const x = leaf([1, 2]);
    const y = x.exp().sum();
    y.backward();
    assert.throws(() => y.backward(), {
      name: "AutogradError",
      message: "exp: backward through the graph a second time, but its saved tensors were freed by the first backward()\nhint: pass { retainGraph: true } to the first backward() (or autograd.grad) to backward twice",
    });
  });

  it("backward() on a non-scalar without a gradient", () => {
    const x = torch.randn([8, 10], { requiresGrad: true });
    assert.throws(() => x.mul(2).backward(), {
      name: "AutogradError",
      message: "backward() on a tensor of shape [8, 10]; pass a gradient or reduce first: loss.mean().backward()",
    });
  });

  it("backward() on a tensor that does not require grad", () => {
    assert.throws(() => torch.ones(1).backward(), { name: "AutogradError", message: /does not require grad/ });
  });

  it("in-place change of a tensor saved for backward raises at backward time", () => {
    const x = leaf([1, 2, 3]);
    const y = x.mul(2);
    const z = y.mul(y);
    y.add_(1);
    assert.throws(() => z.sum().backward(), {
      name: "AutogradError",
      message: "mul: a tensor of shape [3] saved for backward was modified by an in-place operation (version 0 when saved, now 1)\nhint: use the out-of-place form (x = x.add(y) rather than x.add_(y)) or clone() the tensor before changing it",
    });
  });

  it("in-place ops on non-leaf tensors are differentiated", () => {
    const x = leaf([1, 2, 3]);
    const y = x.mul(2);
    y.add_(1).mul_(3);
    y.sum().backward();
    assertClose(x.grad!.toArraySync(), [6, 6, 6]);
  });

  it("in-place on a leaf that requires grad is refused outside noGrad, allowed inside", () => {
    const w = leaf([1, 2]);
    assert.throws(() => w.add_(1), { name: "AutogradError", message: /leaf tensor that requires grad is being used in an in-place operation/ });
    torch.noGrad(() => w.sub_(torch.tensor([0.5, 0.5])));
    assertClose(w.toArraySync(), [0.5, 1.5]);
    assert.equal(w.version, 1);
  });

  it("in-place writes through a view of a tensor with history are refused while recording", () => {
    const y = leaf([1, 2, 3]).mul(2);
    assert.throws(() => y.narrow(0, 0, 2).add_(1), {
      name: "AutogradError",
      message: "add_: in-place operation on a view of a tensor that requires grad\nhint: build the result out of place (torch.cat, torch.where, F.pad) or clone() the view first",
    });
    const c = y.narrow(0, 0, 2).clone().add_(1);
    assert.equal(c.requiresGrad, true);
    torch.noGrad(() => y.narrow(0, 0, 1).zero_());
    assert.deepEqual(y.toArraySync(), [0, 4, 6]);
  });

  it("noGrad records nothing and restores the mode, also after a throw", () => {
    const x = leaf([1]);
    const y = torch.noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    assert.throws(() => torch.noGrad(() => { throw new Error("boom"); }));
    assert.equal(torch.isGradEnabled(), true);
    const z = torch.noGrad(() => torch.enableGrad(() => x.mul(2)));
    assert.equal(z.requiresGrad, true);
  });

  it("detach shares storage and cuts the graph", () => {
    const x = leaf([1, 2]);
    const d = x.mul(1).detach();
    assert.equal(d.requiresGrad, false);
    const v = x.detach();
    torch.noGrad(() => v.fill_(7));
    assertClose(x.toArraySync(), [7, 7]);
  });

  it("requiresGrad_ turns a tensor into a leaf that receives gradients", () => {
    const x = torch.tensor([2, 3]).requiresGrad_();
    x.pow(2).sum().backward();
    assertClose(x.grad!.toArraySync(), [4, 6]);
    assert.throws(() => torch.tensor([1], { dtype: "int32" }).requiresGrad_(), { name: "AutogradError" });
  });

  it("tensor hooks see the gradient and may replace it (leaf and non-leaf), and can be removed", () => {
    const x = leaf([1, 2]);
    const seen: number[][] = [];
    const h = x.registerHook((g) => { seen.push(g.toArraySync() as number[]); });
    const y = x.mul(3);
    y.registerHook((g) => g.mul(2));
    y.sum().backward();
    assert.deepEqual(seen, [[6, 6]]);
    assertClose(x.grad!.toArraySync(), [6, 6]);
    h.remove();
    x.mul(1).sum().backward();
    assert.equal(seen.length, 1);
  });

  it("gradient clipping through a hook (clamp) and saliency via input grad", () => {
    const img = torch.tensor([[0.5, -1], [2, 0]], { requiresGrad: true });
    img.registerHook((g) => g.clamp(-1, 1));
    img.mul(torch.tensor([[3, -3], [0.5, 0]])).sum().backward();
    assertClose(img.grad!.toArraySync(), [[1, -1], [0.5, 0]]);
    assertClose(img.grad!.abs().amax().itemSync(), 1);
  });

  it("retainGrad keeps the gradient of a non-leaf", () => {
    const x = leaf([1, 2]);
    const y = x.mul(2).retainGrad();
    y.square().sum().backward();
    assertClose(y.grad!.toArraySync(), [4, 8]);
    assertClose(x.grad!.toArraySync(), [8, 16]);
  });

  it("autograd.grad returns gradients without touching .grad", () => {
    const x = leaf([1, 2]), w = leaf([3, 4]);
    const y = x.mul(w).sum();
    const [gx, gw] = torch.autograd.grad(y, [x, w]);
    assertClose(gx!.toArraySync(), [3, 4]);
    assertClose(gw!.toArraySync(), [1, 2]);
    assert.equal(x.grad, null);
    assert.equal(w.grad, null);
  });

  it("autograd.grad with gradOutputs and a non-leaf input", () => {
    const x = leaf([1, 2]);
    const h = x.mul(2);
    const y = h.square();
    const [gh] = torch.autograd.grad(y, h, { gradOutputs: torch.tensor([1, 10]) });
    assertClose(gh!.toArraySync(), [4, 80]);
  });

  it("autograd.grad with createGraph gives second derivatives", () => {
    const x = leaf([1, 2, 3]);
    const y = x.pow(3).sum();
    const [g] = torch.autograd.grad(y, x, { createGraph: true });
    assertClose(g!.toArraySync(), [3, 12, 27]);
    const [g2] = torch.autograd.grad(g!.sum(), x);
    assertClose(g2!.toArraySync(), [6, 12, 18]);
  });

  it("autograd.grad refuses unused inputs unless allowUnused", () => {
    const x = leaf([1]), z = leaf([2]);
    const y = x.mul(2).sum();
    assert.throws(() => torch.autograd.grad(y, [x, z], { retainGraph: true }), { name: "AutogradError", message: /not used/ });
    const [gx, gz] = torch.autograd.grad(y, [x, z], { allowUnused: true });
    assertClose(gx!.toArraySync(), [2]);
    assert.equal(gz, null);
  });

  it("a custom autograd.Function uses its own backward", () => {
    class ClipGrad extends torch.autograd.Function {
      forward(x: Tensor) { return x.mul(1); }
      backward(g: Tensor) { return [g.clamp(-0.5, 0.5)]; }
    }
    const x = leaf([1, 2]);
    ClipGrad.apply(x).mul(torch.tensor([3, -0.25])).sum().backward();
    assertClose(x.grad!.toArraySync(), [0.5, -0.25]);
  });

  it("walks a 10,000-op chain without recursion", () => {
    const x = leaf([1]);
    let y: Tensor = x;
    for (let i = 0; i < 10000; i++) y = y.add(1);
    y.sum().backward();
    assertClose(x.grad!.toArraySync(), [1]);
  });

  it("gradients reach leaves through views, broadcasting and integer-indexed gathers", () => {
    const w = leaf([[1, 2, 3], [4, 5, 6]]);
    const logits = w.t().matmul(torch.tensor([[1], [1]])).squeeze(1).add(torch.tensor(1));
    const loss = logits.gather(0, torch.tensor([2, 0], { dtype: "int32" })).sum();
    loss.backward();
    assertClose(w.grad!.toArraySync(), [[1, 0, 1], [1, 0, 1]]);
  });
});
