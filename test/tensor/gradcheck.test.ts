// test/tensor/gradcheck.test.ts
// Every differentiable op against central finite differences on random float64 CPU inputs
// (torch.autograd.gradcheck), plus the failure message of gradcheck itself.

import assert from "node:assert/strict";
import { torch, F, type Tensor } from "../../runtime/tensor/index";
import { binaryOp, unary } from "../../runtime/tensor/ops_elementwise";
import { BINARY_NAMES, BINARY_OPS, UNARY_NAMES, UNARY_OPS } from "../../runtime/tensor/op_registry";
import { gradcheck, randLeaf } from "../helpers/gradcheck";

type Case = [name: string, fn: (...xs: Tensor[]) => Tensor | Tensor[], inputs: () => Tensor[]];

const R = (...shape: number[]) => () => [randLeaf(shape)];
const Rpos = (...shape: number[]) => () => [randLeaf(shape, 0.5, 2)];
/** Values kept away from 0 (kinks of abs/relu/reciprocal). */
const Raway = (...shape: number[]) => () => [randLeaf(shape, 0.2, 1).mul(torch.where(torch.rand(shape, { dtype: "float64" }).gt(0.5), 1, -1)).detach().requiresGrad_()];
const idx = (values: number[], shape = [values.length]) => torch.tensor(values, { dtype: "int32" }).reshape(shape);

/** Where finite differences of an op are well conditioned: its registry domain, narrowed. */
function gradDomain([lo, hi]: readonly [number, number]): [number, number] {
  return lo >= 0 ? [Math.max(lo, 0.5), Math.min(hi, 2)] : [Math.max(lo, -1), Math.min(hi, 1)];
}

// Every differentiable op of the registry (op_registry.ts), with its example parameters: an op
// added there is checked here without a line changed.
const UNARY: Case[] = [
  ...UNARY_NAMES.filter((op) => UNARY_OPS[op].grad !== null).map((op): Case => {
    const [p1, p2] = UNARY_OPS[op].params?.map((p) => p.example) ?? [];
    return [op, (x) => unary(op, x, p1, p2), () => [randLeaf([3, 4], ...gradDomain(UNARY_OPS[op].domain))]];
  }),
  ["clamp at its bounds", (x) => x.mul(2).clamp(-0.5, 0.7), () => [torch.tensor([-0.9, -0.3, 0.1, 0.2, 0.5, 0.8], { dtype: "float64", requiresGrad: true })]],
  ["pow scalar 3", (x) => x.pow(3), R(3, 4)], ["leakyRelu method", (x) => x.leakyRelu(0.1), Raway(3, 4)],
  ["gelu tanh method", (x) => x.gelu("tanh"), R(3, 4)],
  ["to float64 from float64 view", (x) => x.t().to("float64").mul(2), R(3, 4)],
];

const BINARY: Case[] = [
  ...BINARY_NAMES.filter((op) => BINARY_OPS[op].grad !== null).map((op): Case => {
    const [da, db] = BINARY_OPS[op].domain;
    return [`${op} broadcast`, (a, b) => binaryOp(op, a, b), () => [randLeaf([2, 3, 4], ...gradDomain(da)), randLeaf([3, 1], ...gradDomain(db))]];
  }),
  ...BINARY_NAMES.filter((op) => BINARY_OPS[op].scalarGrad).map((op): Case =>
    [`${op} scalar`, (a) => binaryOp(op, a, -1.5), () => [randLeaf([3, 4], ...gradDomain(BINARY_OPS[op].domain[0]))]]),
  ["add alpha", (a, b) => a.add(b, -2), () => [randLeaf([3, 4]), randLeaf([4])]],
  ["sub broadcast both ways", (a, b) => a.sub(b), () => [randLeaf([4, 1, 5]), randLeaf([1, 3, 5])]],
  ["where", (a, b) => torch.where(torch.tensor([[true, false, true, false]]), a, b), () => [randLeaf([3, 4]), randLeaf([3, 1])]],
  ["scalar ops", (a) => a.add(1.5).mul(-0.25).sub(2).div(3), R(3, 4)],
  ["lerp and addcmul-like", (a, b) => a.lerp(b, 0.3), () => [randLeaf([3, 4]), randLeaf([3, 4])]],
];

const REDUCE: Case[] = [
  ["sum all", (x) => x.sum(), R(3, 4, 5)], ["sum dim", (x) => x.sum(1), R(3, 4, 5)], ["sum dims keepdim", (x) => x.sum([0, 2], true), R(3, 4, 5)],
  ["mean", (x) => x.mean(-1), R(3, 4, 5)], ["prod", (x) => x.prod(1), Rpos(3, 4)],
  ["prod with zeros", (x) => x.prod(1), () => [torch.tensor([[0, 2, 3], [1, 0, 0], [2, 0.5, 4]], { dtype: "float64", requiresGrad: true })]],
  ["amax", (x) => x.amax(1), R(4, 7)], ["amin keepdim", (x) => x.amin(0, true), R(4, 7)],
  ["max all", (x) => x.max(), R(4, 5)], ["max dim values", (x) => x.max(1).values, R(4, 5)], ["min dim keepdim", (x) => x.min(0, true).values, R(4, 5)],
  ["var unbiased", (x) => x.var(1), R(5, 6)], ["var population", (x) => x.var(0, { unbiased: false }), R(5, 6)], ["std", (x) => x.std(1), R(5, 6)],
  ["logsumexp", (x) => x.logsumexp(1), R(4, 6)], ["softmax", (x) => x.softmax(-1), R(4, 6)], ["softmax dim 0", (x) => x.softmax(0), R(4, 3, 2)],
  ["logSoftmax", (x) => x.logSoftmax(1), R(4, 6)], ["cumsum", (x) => x.cumsum(1), R(3, 5)], ["cumsum dim 0", (x) => x.cumsum(0), R(3, 5)],
  ["norm", (x) => x.norm(), R(3, 5)], ["norm p=1 dim", (x) => x.norm(1, 1), Raway(3, 5)], ["norm p=3", (x) => x.norm(3), R(3, 5)],
  ["topk", (x) => x.topk(2, 1).values, R(3, 5)], ["sort descending", (x) => x.sort(0, true).values, R(4, 3)],
];

const VIEWS: Case[] = [
  ["reshape", (x) => x.reshape(4, 6), R(2, 3, 4)], ["view -1", (x) => x.view(-1, 3), R(2, 3, 4)],
  ["reshape of a transpose (copies)", (x) => x.t().reshape(-1), R(3, 4)],
  ["transpose", (x) => x.transpose(0, 2), R(2, 3, 4)], ["permute", (x) => x.permute(2, 0, 1), R(2, 3, 4)],
  ["expand", (x) => x.expand(2, 3, 4), R(3, 1)], ["narrow", (x) => x.narrow(1, 1, 3), R(5, 6)],
  ["slice with step", (x) => x.slice(1, 1, undefined, 2), R(3, 7)], ["select", (x) => x.select(0, -1), R(3, 4)],
  ["squeeze/unsqueeze", (x) => x.unsqueeze(1).squeeze(), R(3, 4)], ["flatten", (x) => x.flatten(1), R(2, 3, 4)],
  ["cat", (a, b) => torch.cat([a, b], 0), () => [randLeaf([2, 3]), randLeaf([4, 3])]],
  ["cat dim 1", (a, b) => torch.cat([a, b], 1), () => [randLeaf([2, 3]), randLeaf([2, 1])]],
  ["stack", (a, b) => torch.stack([a, b], 1), () => [randLeaf([2, 3]), randLeaf([2, 3])]],
  ["split/chunk", (x) => { const [a, b] = x.chunk(2, 1); return a.mul(b); }, R(3, 4)],
  ["indexSelect", (x) => x.indexSelect(0, idx([4, 0, 4, 2])), R(5, 4)],
  ["gather", (x) => x.gather(1, idx([0, 4, 1, 1, 3, 2], [3, 2])), R(3, 5)],
  ["pad", (x) => F.pad(x, [1, 2, 0, 1]), R(2, 3, 4)], ["pad with value and cropping", (x) => F.pad(x, [-1, 2], { value: 3 }), R(2, 4)],
  ["clone/contiguous", (x) => x.t().contiguous().clone(), R(3, 4)],
];

const NN: Case[] = [
  ["matmul 2d", (a, b) => a.matmul(b), () => [randLeaf([4, 5]), randLeaf([5, 3])]],
  ["matmul vector-matrix", (a, b) => a.matmul(b), () => [randLeaf([5]), randLeaf([5, 3])]],
  ["matmul matrix-vector", (a, b) => a.matmul(b), () => [randLeaf([3, 5]), randLeaf([5])]],
  ["matmul dot", (a, b) => a.matmul(b), () => [randLeaf([5]), randLeaf([5])]],
  ["matmul broadcast batch", (a, b) => a.matmul(b), () => [randLeaf([2, 1, 3, 4]), randLeaf([3, 4, 2])]],
  ["matmul transposed operands", (a, b) => a.t().matmul(b.t()), () => [randLeaf([4, 3]), randLeaf([2, 4])]],
  ["linear", (x, w, b) => F.linear(x, w, b), () => [randLeaf([6, 5]), randLeaf([3, 5]), randLeaf([3])]],
  ["conv2d pad 1", (x, w, b) => F.conv2d(x, w, b, { padding: 1 }), () => [randLeaf([2, 2, 5, 5]), randLeaf([3, 2, 3, 3]), randLeaf([3])]],
  ["conv2d stride 2", (x, w) => F.conv2d(x, w, null, { stride: 2 }), () => [randLeaf([1, 2, 7, 6]), randLeaf([2, 2, 3, 2])]],
  ["conv2d groups+dilation", (x, w) => F.conv2d(x, w, null, { padding: 2, dilation: 2, groups: 2 }), () => [randLeaf([1, 4, 5, 5]), randLeaf([4, 2, 3, 3])]],
  ["maxPool2d", (x) => F.maxPool2d(x, { kernelSize: 2, stride: 2 }), R(1, 2, 4, 4)],
  ["maxPool2d pad", (x) => F.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }), R(1, 1, 5, 5)],
  ["avgPool2d", (x) => F.avgPool2d(x, { kernelSize: 2 }), R(1, 2, 4, 4)],
  ["avgPool2d pad", (x) => F.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }), R(1, 1, 5, 5)],
  ["adaptiveAvgPool2d 1", (x) => F.adaptiveAvgPool2d(x, 1), R(2, 2, 3, 3)],
  ["adaptiveAvgPool2d uneven", (x) => F.adaptiveAvgPool2d(x, [2, 3]), R(1, 1, 5, 4)],
  ["batchNorm training", (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), () => [randLeaf([4, 3, 2, 2]), randLeaf([3]), randLeaf([3])]],
  ["batchNorm eval", (x, w, b) => F.batchNorm(x, torch.tensor([0.1, -0.2, 0.3], { dtype: "float64" }), torch.tensor([1.5, 0.5, 2], { dtype: "float64" }), { weight: w, bias: b }), () => [randLeaf([4, 3]), randLeaf([3]), randLeaf([3])]],
  ["layerNorm", (x, w, b) => F.layerNorm(x, [5], w, b), () => [randLeaf([3, 4, 5]), randLeaf([5]), randLeaf([5])]],
  ["embedding", (w) => F.embedding(idx([1, 3, 3, 0], [2, 2]), w), R(5, 4)],
  ["dropout (fixed seed)", (x) => { torch.manualSeed(3); return F.dropout(x, 0.4); }, R(4, 5)],
];

const target = () => idx([0, 4, 2, 2, 1, 3]);
const LOSSES: Case[] = [
  ["crossEntropy", (x) => F.crossEntropy(x, target()), R(6, 5)],
  ["crossEntropy labelSmoothing + weight + ignoreIndex", (x) => F.crossEntropy(x, idx([0, 4, -100, 2, 1, 3]), { labelSmoothing: 0.1, weight: torch.tensor([1, 2, 0.5, 1, 3], { dtype: "float64" }) }), R(6, 5)],
  ["crossEntropy sum", (x) => F.crossEntropy(x, target(), { reduction: "sum" }), R(6, 5)],
  ["crossEntropy none", (x) => F.crossEntropy(x, target(), { reduction: "none" }), R(6, 5)],
  ["crossEntropy probabilities", (x, p) => F.crossEntropy(x, p), () => [randLeaf([4, 3]), randLeaf([4, 3], 0, 1)]],
  ["crossEntropy [N, C, d]", (x) => F.crossEntropy(x, idx([0, 2, 1, 1, 0, 2], [2, 3])), R(2, 3, 3)],
  ["nllLoss", (x) => F.nllLoss(x.logSoftmax(1), target()), R(6, 5)],
  ["mseLoss", (a, b) => F.mseLoss(a, b), () => [randLeaf([4, 3]), randLeaf([4, 3])]],
  ["l1Loss", (a, b) => F.l1Loss(a, b), () => [randLeaf([4, 3]), randLeaf([4, 3])]],
  ["smoothL1Loss", (a, b) => F.smoothL1Loss(a, b, { beta: 0.5 }), () => [randLeaf([4, 3], -2, 2), randLeaf([4, 3])]],
  ["binaryCrossEntropy", (p, y) => F.binaryCrossEntropy(p, y), () => [randLeaf([4, 3], 0.1, 0.9), randLeaf([4, 3], 0, 1)]],
  ["binaryCrossEntropyWithLogits", (x, y) => F.binaryCrossEntropyWithLogits(x, y), () => [randLeaf([4, 3], -3, 3), randLeaf([4, 3], 0, 1)]],
  ["binaryCrossEntropyWithLogits posWeight", (x, y) => F.binaryCrossEntropyWithLogits(x, y, { posWeight: torch.tensor([1, 2, 3], { dtype: "float64" }) }), () => [randLeaf([4, 3], -3, 3), randLeaf([4, 3], 0, 1)]],
  ["klDiv batchmean", (x, t) => F.klDiv(x, t, { reduction: "batchmean" }), () => [randLeaf([4, 5]), randLeaf([4, 5], 0.05, 1)]],
];

describe("gradcheck: autograd matches finite differences (float64, cpu)", () => {
  before(() => torch.manualSeed(0));
  for (const [group, cases] of [["unary", UNARY], ["binary", BINARY], ["reductions", REDUCE], ["views and indexing", VIEWS], ["nn ops", NN], ["losses", LOSSES]] as const) {
    describe(group, () => {
      for (const [name, fn, inputs] of cases) it(`gradcheck ${name}`, () => assert.equal(gradcheck(fn, inputs(), { eps: 1e-6, atol: 1e-5, rtol: 1e-3 }), true));
    });
  }

  it("reports a wrong gradient as a Jacobian mismatch naming output and input", () => {
    class Wrong extends torch.autograd.Function {
      forward(a: Tensor, b: Tensor) { return a.mul(b); }
      backward(g: Tensor) { return [g.mul(2), g.mul(3)]; }
    }
    const a = torch.tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const b = torch.tensor([3, 4], { dtype: "float64", requiresGrad: true });
    assert.throws(() => gradcheck((x, y) => Wrong.apply(x, y), [a, b]), (e: Error) => {
      assert.equal(e.name, "AutogradError");
      assert.equal(e.message, "Jacobian mismatch for output 0 with respect to input 0\nnumerical: [3, 0, 0, 4]\nanalytical: [2, 0, 0, 2]");
      return true;
    });
  });
});
