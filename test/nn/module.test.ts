import assert from "node:assert/strict";
import { torch } from "../../runtime/tensor/index";
import type { Tensor } from "../../runtime/tensor/tensor";
import * as nn from "../../runtime/tensor/nn/index";
import { F } from "../../runtime/tensor/functional";

class MLP extends nn.Module {
  layers: nn.Linear[];
  constructor(hidden: number) {
    super();
    this.layers = [nn.Linear(2, hidden), nn.Linear(hidden, 2)];
  }
  forward(x: Tensor): Tensor { return this.layers[1].forward(this.layers[0].forward(x).relu()); }
}

class Net extends nn.Module {
  features = nn.Sequential(nn.Conv2d(3, 4, { kernelSize: 3, padding: 1 }), nn.BatchNorm2d(4), nn.ReLU());
  head = nn.Linear(4 * 8 * 8, 10);
  scale = 2;
  forward(x: Tensor): Tensor { return this.head.forward(this.features.forward(x).flatten(1)).mul(this.scale); }
}

describe("nn.Module", () => {
  beforeEach(() => torch.manualSeed(0));

  it("names parameters by field path, in assignment order, including array fields", () => {
    assert.deepEqual(new MLP(32).namedParameters().map(([n, p]) => `${n} ${p.shape.join("x")}`),
      ["layers.0.weight 32x2", "layers.0.bias 32", "layers.1.weight 2x32", "layers.1.bias 2"]);
    const net = new Net();
    assert.deepEqual(net.namedParameters().map(([n]) => n),
      ["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "head.weight", "head.bias"]);
    assert.deepEqual(net.namedChildren().map(([n]) => n), ["features", "head"]);
    assert.deepEqual(net.namedModules().map(([n]) => n), ["", "features", "features.0", "features.1", "features.2", "head"]);
    assert.equal(net.parameters().length, 6);
  });

  it("layers can be built with or without new, and instanceof holds", () => {
    const a = nn.Linear(3, 4), b = new nn.Linear(3, 4);
    assert.ok(a instanceof nn.Linear && b instanceof nn.Linear && a instanceof nn.Module);
    assert.equal(a.constructor.name, "Linear");
    const p = nn.Parameter(torch.zeros(2));
    assert.ok(p instanceof nn.Parameter && p instanceof torch.Tensor && p.requiresGrad);
    assert.ok(!(torch.zeros(2) instanceof nn.Parameter));
  });

  it("stateDict holds parameters and running-stat buffers; loadStateDict copies them back", () => {
    const a = new Net(), b = new Net();
    a.train();
    a.forward(torch.randn(2, 3, 8, 8));
    const sd = a.stateDict();
    assert.deepEqual(Object.keys(sd), ["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
      "features.1.runningMean", "features.1.runningVar", "features.1.numBatchesTracked", "head.weight", "head.bias"]);
    assert.equal(sd["features.1.numBatchesTracked"].itemSync(), 1);
    b.loadStateDict(sd);
    for (const [k, v] of Object.entries(b.stateDict())) assert.deepEqual(Array.from(v.dataSync()), Array.from(sd[k].dataSync()), k);
    const x = torch.randn(2, 3, 8, 8);
    a.eval(); b.eval();
    assert.deepEqual(Array.from(a.forward(x).dataSync()), Array.from(b.forward(x).dataSync()));
  });

  it("loadStateDict names missing keys and size mismatches (StateDictError)", () => {
    const sd = new MLP(64).stateDict();
    delete sd["layers.1.bias"];
    assert.throws(() => new MLP(32).loadStateDict(sd), (e: Error) => {
      assert.equal(e.name, "StateDictError");
      assert.match(e.message, /^loadStateDict\(MLP\): missing "layers\.1\.bias"; size mismatch for "layers\.0\.weight": \[64, 2\] in checkpoint, \[32, 2\] in model/);
      return true;
    });
    const extra = { ...new MLP(32).stateDict(), "layers.2.weight": torch.zeros(1) };
    assert.throws(() => new MLP(32).loadStateDict(extra), /unexpected "layers\.2\.weight"/);
    const r = new MLP(32).loadStateDict(extra, { strict: false });
    assert.deepEqual(r.unexpectedKeys, ["layers.2.weight"]);
  });

  it("train/eval: dropout is inactive in eval, batch norm uses running stats in eval", () => {
    const d = nn.Dropout(0.5);
    const x = torch.ones(1000);
    const trained = d.forward(x).dataSync();
    assert.ok(Array.from(trained).some((v) => v === 0) && Array.from(trained).some((v) => v === 2));
    d.eval();
    assert.deepEqual(Array.from(d.forward(x).dataSync()), Array.from(x.dataSync()));
    const bn = nn.BatchNorm1d(3, { momentum: 0.5 });
    const batch = torch.tensor([[1, 2, 3], [3, 6, 9]]);
    bn.forward(batch);
    assertAll(bn.runningMean!.dataSync(), [1, 2, 3]);         // 0.5*0 + 0.5*mean
    assertAll(bn.runningVar!.dataSync(), [1.5, 4.5, 9.5]);     // 0.5*1 + 0.5*unbiased var
    bn.eval();
    const y = bn.forward(torch.tensor([[1, 2, 3]])).dataSync();
    assertAll(y, [0, 0, 0].map((_, i) => ([1, 2, 3][i] - [1, 2, 3][i]) / Math.sqrt([1.5, 4.5, 9.5][i] + 1e-5)));
    assert.ok(!new Net().eval().modules().some((m) => m.training));
  });

  it("forward hooks run for forward() and call(); pre-hooks can replace the input; remove() detaches", () => {
    const lin = nn.Linear(2, 2);
    const seen: number[][] = [];
    const h = lin.registerForwardHook((_m, _in, out) => { seen.push(out.shape as number[]); });
    const pre = lin.registerForwardPreHook((_m, [x]) => [(x as Tensor).mul(0)]);
    const out = lin.call(torch.ones(1, 2));
    lin.forward(torch.ones(3, 2));
    assert.deepEqual(seen, [[1, 2], [3, 2]]);
    assertAll(out.dataSync(), Array.from(lin.bias!.dataSync()));
    h.remove(); pre.remove();
    nn.Sequential(lin).forward(torch.ones(1, 2));
    assert.equal(seen.length, 2);
  });

  it("default init: Linear and Conv2d weights and biases lie within 1/sqrt(fanIn)", () => {
    const lin = nn.Linear(400, 50), conv = nn.Conv2d(16, 8, 3);
    for (const [w, b, fanIn] of [[lin.weight, lin.bias!, 400], [conv.weight, conv.bias!, 16 * 9]] as const) {
      const bound = 1 / Math.sqrt(fanIn);
      const wd = Array.from(w.dataSync()), bd = Array.from(b.dataSync());
      assert.ok(wd.every((v) => Math.abs(v) <= bound) && bd.every((v) => Math.abs(v) <= bound));
      assert.ok(Math.max(...wd.map(Math.abs)) > 0.9 * bound, "uses the whole range");
    }
  });

  it("nn.init: gains, xavier bounds and kaiming std", () => {
    assert.equal(nn.init.calculateGain("relu"), Math.SQRT2);
    assert.equal(nn.init.calculateGain("tanh"), 5 / 3);
    assert.ok(Math.abs(nn.init.calculateGain("leaky_relu", 0.2) - Math.sqrt(2 / 1.04)) < 1e-12);
    const w = torch.zeros(200, 300);
    nn.init.xavierUniform_(w);
    const a = Math.sqrt(6 / 500);
    assert.ok(Array.from(w.dataSync()).every((v) => Math.abs(v) <= a));
    nn.init.kaimingNormal_(w, { nonlinearity: "relu" });
    const std = Math.sqrt(Array.from(w.dataSync()).reduce((s, v) => s + v * v, 0) / w.numel());
    assert.ok(Math.abs(std - Math.sqrt(2 / 300)) / Math.sqrt(2 / 300) < 0.03, `std ${std}`);
    nn.init.constant_(w, 3);
    assert.equal(w.dataSync()[7], 3);
  });

  it("zeroGrad, apply and requiresGrad_ reach every parameter", () => {
    const net = new MLP(4);
    net.forward(torch.randn(3, 2)).sum().backward();
    assert.ok(net.parameters().every((p) => p.grad !== null));
    net.zeroGrad();
    assert.ok(net.parameters().every((p) => p.grad === null));
    const kinds: string[] = [];
    nn.Sequential(nn.Linear(1, 1), nn.ReLU()).apply((m) => kinds.push(m.constructor.name));
    assert.deepEqual(kinds, ["Linear", "ReLU", "Sequential"]);
    net.requiresGrad_(false);
    assert.ok(net.parameters().every((p) => !p.requiresGrad));
  });

  it("summary: output shapes and parameter counts of the MNIST CNN", () => {
    const cnn = nn.Sequential(
      nn.Conv2d(3, 64, { kernelSize: 3, padding: 1 }), nn.ReLU(), nn.MaxPool2d(2),
      nn.Conv2d(64, 128, { kernelSize: 3, padding: 1 }), nn.ReLU(), nn.MaxPool2d(2),
      nn.Flatten(), nn.Linear(128 * 7 * 7, 1000), nn.ReLU(), nn.Linear(1000, 10));
    const s = cnn.summary([1, 3, 28, 28]);
    assert.equal(s.totalParams, (3 * 64 * 9 + 64) + (64 * 128 * 9 + 128) + (6272 * 1000 + 1000) + (1000 * 10 + 10));
    assert.deepEqual(s.rows.map((r) => r.outputShape), [[1, 10], [1, 64, 28, 28], [1, 64, 28, 28], [1, 64, 14, 14],
      [1, 128, 14, 14], [1, 128, 14, 14], [1, 128, 7, 7], [1, 6272], [1, 1000], [1, 1000], [1, 10]]);
    assert.match(s.toString(), /Total params: 6,358,658/);
    assert.match(s.toString(), /└─Conv2d \(3\)\s+\[1, 128, 14, 14\]\s+73,856/);
  });

  it("loss modules agree with F and carry their options", () => {
    const logits = torch.randn(4, 5), y = torch.tensor([0, 4, 2, 1], { dtype: "int32" });
    const a = nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits, y).itemSync();
    assert.equal(a, F.crossEntropy(logits, y, { labelSmoothing: 0.1 }).itemSync());
    const ign = nn.CrossEntropyLoss({ ignoreIndex: 4 }).forward(logits, y).itemSync();
    const manual = F.crossEntropy(logits.indexSelect(0, torch.tensor([0, 2, 3], { dtype: "int32" })), torch.tensor([0, 2, 1], { dtype: "int32" })).itemSync();
    assert.ok(Math.abs(ign - manual) < 1e-6);
    const p = torch.rand(6), q = torch.rand(6);
    assert.equal(nn.MSELoss().forward(p, q).itemSync(), p.sub(q).square().mean().itemSync());
    assert.equal(nn.L1Loss({ reduction: "sum" }).forward(p, q).itemSync(), p.sub(q).abs().sum().itemSync());
  });

  it("clipGradNorm_ returns the total norm and scales gradients down to maxNorm", () => {
    const a = nn.Parameter(torch.zeros(2)), b = nn.Parameter(torch.zeros(1));
    a.grad = torch.tensor([3, 0]); b.grad = torch.tensor([4]);
    const total = nn.utils.clipGradNorm_([a, b], 1);
    assert.ok(Math.abs(total.itemSync() - 5) < 1e-6);
    assertAll(a.grad.dataSync(), [0.6, 0]); assertAll(b.grad.dataSync(), [0.8]);
    nn.utils.clipGradValue_([a, b], 0.7);
    assertAll(a.grad.dataSync(), [0.6, 0]); assertAll(b.grad.dataSync(), [0.7]);
    const pen = nn.utils.l1Penalty([nn.Parameter(torch.tensor([-1, 2])), nn.Parameter(torch.tensor([3]))], 0.5);
    assert.equal(pen.itemSync(), 3);
  });
});

function assertAll(got: ArrayLike<number>, want: number[], tol = 1e-5) {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= tol, `[${i}] ${got[i]} vs ${want[i]}`);
}
