// An ESM consumer: imports tsgrad by name, checks that it is the same instance as require("tsgrad")
// (one library per process), and trains one step; prints JSON.
import { createRequire } from "node:module";
import * as tsgrad from "tsgrad";
import { torch, nn, optim, F } from "tsgrad";
const cjs = createRequire(import.meta.url)("tsgrad");
torch.manualSeed(0);
const model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2));
const opt = optim.Adam(model.parameters(), { lr: 1e-2 });
const x = torch.randn([16, 4]), y = torch.randint(0, 2, [16], { dtype: "int32" });
const loss = F.crossEntropy(model.forward(x), y);
opt.zeroGrad(); loss.backward(); opt.step();
const after = torch.noGrad(() => F.crossEntropy(model.forward(x), y));
console.log(JSON.stringify({
  before: await loss.item(), after: await after.item(), sameInstance: cjs.torch === torch,
  esmNames: Object.keys(tsgrad).filter((k) => k !== "default" && k !== "__esModule").sort(),
  cjsNames: Object.keys(cjs).filter((k) => k !== "__esModule").sort(),
}));
