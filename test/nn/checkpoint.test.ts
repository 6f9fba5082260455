import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { torch } from "../../runtime/tensor/index";
import type { Tensor } from "../../runtime/tensor/tensor";
import * as nn from "../../runtime/tensor/nn/index";
import * as optim from "../../runtime/tensor/optim/index";
import { F } from "../../runtime/tensor/functional";
import { save, load, loadMetadata } from "../../runtime/tensor/io/index";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "tsgrad-ckpt-"));
const vals = (t: Tensor) => Array.from(t.dataSync());

function makeNet() {
  return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3));
}
function trainSteps(model: nn.Module, opt: { zeroGrad(): void; step(): void }, n: number, seed: number) {
  torch.manualSeed(seed);
  for (let i = 0; i < n; i++) {
    const x = torch.randn(16, 4), y = torch.randint(0, 3, [16], { dtype: "int32" });
    const loss = F.crossEntropy(model.forward(x), y);
    opt.zeroGrad(); loss.backward(); opt.step();
  }
}

describe("checkpoints (safetensors)", () => {
  it("module state round-trips through a file, buffers and metadata included", async () => {
    const dir = tmp(), file = path.join(dir, "net.safetensors");
    torch.manualSeed(0);
    const a = makeNet();
    trainSteps(a, optim.SGD(a.parameters(), { lr: 0.1 }), 2, 1);
    await save(a.stateDict(), file, { metadata: { epoch: 2 } });
    assert.equal(loadMetadata(file).epoch, "2");
    const b = makeNet();
    b.loadStateDict(load(file));
    for (const [k, v] of Object.entries(a.stateDict())) assert.deepEqual(vals(b.stateDict()[k]), vals(v), k);
    assert.equal(b.stateDict()["1.numBatchesTracked"].dtype, "int32");
    fs.rmSync(dir, { recursive: true });
  });

  for (const name of ["Adam", "SGD", "RMSprop", "Adagrad"] as const) {
    it(`${name} state round-trips: resuming from a checkpoint continues exactly like the uninterrupted run`, async () => {
      const dir = tmp();
      const opts: Record<string, object> = { Adam: { lr: 1e-2 }, SGD: { lr: 0.1, momentum: 0.9 }, RMSprop: { lr: 1e-2, momentum: 0.5 }, Adagrad: { lr: 0.1 } };
      torch.manualSeed(0);
      const ref = makeNet();
      const init = ref.stateDict();
      const initCopy = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, v.clone()]));
      const refOpt = (optim as any)[name](ref.parameters(), opts[name]);
      trainSteps(ref, refOpt, 3, 1); trainSteps(ref, refOpt, 2, 2);

      const m = makeNet();
      m.loadStateDict(initCopy);
      const o = (optim as any)[name](m.parameters(), opts[name]);
      trainSteps(m, o, 3, 1);
      await save(m.stateDict(), path.join(dir, "model.safetensors"));
      await save(o.stateDict(), path.join(dir, "optim.safetensors"));

      const m2 = makeNet();
      m2.loadStateDict(load(path.join(dir, "model.safetensors")));
      const o2 = (optim as any)[name](m2.parameters(), { lr: 123 });
      o2.loadStateDict(load(path.join(dir, "optim.safetensors")));
      assert.equal(o2.paramGroups[0].lr, (opts[name] as any).lr);
      trainSteps(m2, o2, 2, 2);
      for (const [k, v] of Object.entries(ref.stateDict())) {
        const got = vals(m2.stateDict()[k]), want = vals(v);
        got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= 1e-6 + 1e-5 * Math.abs(want[i]), `${k}[${i}] ${g} vs ${want[i]}`));
      }
      fs.rmSync(dir, { recursive: true });
    });
  }

  it("nested state keeps numbers, arrays and strings; files without tsgrad structure load flat", async () => {
    const dir = tmp(), file = path.join(dir, "s.safetensors");
    await save({ step: 3, betas: [0.9, 0.999], name: "x", inf: Infinity, t: { w: torch.tensor([1, 2]) } }, file);
    const s = load<any>(file);
    assert.deepEqual([s.step, s.betas, s.name, s.inf], [3, [0.9, 0.999], "x", Infinity]);
    assert.deepEqual(vals(s.t.w), [1, 2]);
  });

  it("PyTorch's safetensors reads a tsgrad checkpoint and writes one tsgrad loads (.venv python)", async function () {
    const py = path.resolve(".venv/bin/python");
    const check = fs.existsSync(py) && spawnSync(py, ["-c", "import safetensors, numpy"]).status === 0;
    if (!check) throw new Error(`${py} with safetensors and numpy is required (install.sh creates it)`);
    const dir = tmp();
    torch.manualSeed(3);
    const net = makeNet();
    const sd = net.stateDict();
    await save(sd, path.join(dir, "ts.safetensors"), { metadata: { producer: "tsgrad" } });
    fs.writeFileSync(path.join(dir, "expected.json"), JSON.stringify(Object.fromEntries(Object.entries(sd).map(([k, v]) =>
      [k, { shape: v.shape, dtype: v.dtype, data: vals(v) }]))));
    const script = `
import json, sys, numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file
d = sys.argv[1]
got = load_file(d + "/ts.safetensors")
want = json.load(open(d + "/expected.json"))
assert sorted(got) == sorted(want), (sorted(got), sorted(want))
kinds = {"float32": np.float32, "int32": np.int32}
for k, w in want.items():
    a = got[k]
    assert a.dtype == kinds[w["dtype"]], (k, a.dtype)
    assert list(a.shape) == w["shape"], (k, a.shape)
    assert np.array_equal(a.ravel(), np.array(w["data"], dtype=a.dtype)), k
with safe_open(d + "/ts.safetensors", "np") as f:
    assert f.metadata()["producer"] == "tsgrad"
out = {k: np.asarray(v * 2 if v.dtype == np.float32 else v + 1) for k, v in got.items()}
out["extra.f64"] = np.array([[1.5, -2.25]], dtype=np.float64)
out["extra.i64"] = np.array([7, -8], dtype=np.int64)
out["extra.bool"] = np.array([True, False, True])
save_file(out, d + "/py.safetensors", metadata={"producer": "python"})
print("ok")
`;
    const r = spawnSync(py, ["-c", script, dir], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const back = load<Record<string, Tensor>>(path.join(dir, "py.safetensors"));
    for (const [k, v] of Object.entries(sd)) {
      const want = v.dtype === "float32" ? vals(v).map((x) => Math.fround(x * 2)) : vals(v).map((x) => x + 1);
      assert.deepEqual(vals(back[k]), want, k);
      assert.equal(back[k].dtype, v.dtype);
    }
    assert.equal(back["extra.f64"].dtype, "float64"); assert.deepEqual(back["extra.f64"].shape, [1, 2]);
    assert.deepEqual(vals(back["extra.f64"]), [1.5, -2.25]);
    assert.equal(back["extra.i64"].dtype, "int32"); assert.deepEqual(vals(back["extra.i64"]), [7, -8]);
    assert.equal(back["extra.bool"].dtype, "bool"); assert.deepEqual(vals(back["extra.bool"]), [1, 0, 1]);
    assert.equal(loadMetadata(path.join(dir, "py.safetensors")).producer, "python");
    fs.rmSync(dir, { recursive: true });
  });
});
