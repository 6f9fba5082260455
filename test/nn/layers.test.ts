import assert from "node:assert/strict";
import { torch } from "../../runtime/tensor/index";
import * as nn from "../../runtime/tensor/nn/index";
import { F } from "../../runtime/tensor/functional";

const vals = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());
const close = (a: number[], b: number[], tol = 1e-5) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tol, `[${i}] ${v} vs ${b[i]}`));

describe("nn layers", () => {
  beforeEach(() => torch.manualSeed(0));

  it("Conv2d: kernelSize positional or in options, stride/padding shape the output, bias optional", () => {
    const x = torch.randn(2, 3, 9, 9);
    assert.deepEqual(nn.Conv2d(3, 5, 3).forward(x).shape, [2, 5, 7, 7]);
    assert.deepEqual(nn.Conv2d(3, 5, { kernelSize: 3, padding: 1, stride: 2 }).forward(x).shape, [2, 5, 5, 5]);
    const c = nn.Conv2d(3, 4, [1, 3], { bias: false, padding: "same" });
    assert.equal(c.bias, null);
    assert.deepEqual(c.weight.shape, [4, 3, 1, 3]);
    assert.deepEqual(c.forward(x).shape, [2, 4, 9, 9]);
    assert.match(nn.Conv2d(3, 64, { kernelSize: 3, padding: 1 }).toString(), /Conv2d\(3, 64, kernelSize=\(3, 3\), stride=1, padding=1\)/);
    assert.throws(() => nn.Conv2d(3, 5, {}), /give kernelSize/);
  });

  it("pooling modules: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d", () => {
    const x = torch.arange(16, { dtype: "float32" }).reshape(1, 1, 4, 4);
    assert.deepEqual(vals(nn.MaxPool2d(2).forward(x)), [5, 7, 13, 15]);
    assert.deepEqual(vals(nn.AvgPool2d({ kernelSize: 2 }).forward(x)), [2.5, 4.5, 10.5, 12.5]);
    assert.deepEqual(vals(nn.AdaptiveAvgPool2d(1).forward(x)), [7.5]);
    assert.deepEqual(nn.MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 }).forward(torch.randn(1, 2, 8, 8)).shape, [1, 2, 4, 4]);
  });

  it("LayerNorm normalises the last dims; Embedding looks rows up and zeroes paddingIdx", () => {
    const ln = nn.LayerNorm(4);
    const y = vals(ln.forward(torch.tensor([[1, 2, 3, 4]])));
    const m = y.reduce((a, b) => a + b) / 4, v = y.reduce((a, b) => a + (b - m) ** 2, 0) / 4;
    close([m, v], [0, 1], 1e-3);
    const emb = nn.Embedding(10, 3, { paddingIdx: 0 });
    const out = emb.forward(torch.tensor([[0, 2], [2, 9]], { dtype: "int32" }));
    assert.deepEqual(out.shape, [2, 2, 3]);
    assert.deepEqual(vals(out).slice(0, 3), [0, 0, 0]);
    assert.deepEqual(vals(out).slice(3, 6), vals(emb.weight.select(0, 2)));
    out.sum().backward();
    assert.deepEqual(vals(emb.weight.grad!.select(0, 0)), [0, 0, 0]);
    assert.deepEqual(vals(emb.weight.grad!.select(0, 2)), [2, 2, 2]);
  });

  it("activations match their functional forms", () => {
    const x = torch.randn(10);
    const pairs: [nn.Module, ReturnType<typeof torch.randn>][] = [
      [nn.ReLU(), x.relu()], [nn.LeakyReLU(0.2), x.leakyRelu(0.2)], [nn.GELU(), F.gelu(x)], [nn.GELU("tanh"), x.gelu("tanh")],
      [nn.SiLU(), x.silu()], [nn.Sigmoid(), x.sigmoid()], [nn.Tanh(), x.tanh()], [nn.Softmax(0), x.softmax(0)], [nn.ELU(), x.elu()],
    ];
    for (const [m, want] of pairs) close(vals(m.forward(x)), vals(want));
  });

  it("BatchNorm2d: per-channel batch statistics in training, shape errors name the layer", () => {
    const bn = nn.BatchNorm2d(2);
    const y = bn.forward(torch.randn(4, 2, 3, 3).mul(5).add(3));
    const perChannel = y.permute(1, 0, 2, 3).reshape(2, -1);
    close(vals(perChannel.mean(1)), [0, 0], 1e-4);
    assert.throws(() => bn.forward(torch.randn(4, 3, 2, 2)), /BatchNorm2d\(2\): input \[4, 3, 2, 2\] has 3 channels/);
    assert.throws(() => bn.forward(torch.randn(4, 2)), /expected 4D input/);
  });

  it("Sequential, ModuleList and Flatten compose", () => {
    const seq = nn.Sequential(nn.Flatten(), nn.Linear(12, 3));
    assert.deepEqual(seq.forward(torch.randn(5, 3, 2, 2)).shape, [5, 3]);
    assert.equal(seq.length, 2);
    assert.ok(seq.at(-1) instanceof nn.Linear);
    const list = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)]);
    assert.deepEqual(list.namedParameters().map(([n]) => n), ["0.weight", "0.bias", "1.weight", "1.bias"]);
    assert.equal([...list].length, 2);
    assert.throws(() => list.forward(), /no forward/);
  });
});

describe("nn containers", () => {
  it("ModuleDict registers by name and refuses names that shadow Module methods", () => {
    const d = nn.ModuleDict({ enc: nn.Linear(2, 3), dec: nn.Linear(3, 2) });
    assert.deepEqual(d.keys(), ["enc", "dec"]);
    assert.deepEqual(d.namedParameters().map(([n]) => n), ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]);
    assert.throws(() => nn.ModuleDict({ train: nn.ReLU() }), /"train" is not a usable name/);
  });
});
