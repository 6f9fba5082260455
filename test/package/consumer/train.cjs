// A CommonJS consumer: requires tsgrad by name and trains one step on a fixed batch; prints the
// loss before and after as JSON.
const { torch, nn, optim, F } = require("tsgrad");
torch.manualSeed(0);
const model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2));
const opt = optim.Adam(model.parameters(), { lr: 1e-2 });
const x = torch.randn([16, 4]), y = torch.randint(0, 2, [16], { dtype: "int32" });
const loss = F.crossEntropy(model.forward(x), y);
opt.zeroGrad(); loss.backward(); opt.step();
const after = torch.noGrad(() => F.crossEntropy(model.forward(x), y));
console.log(JSON.stringify({ before: loss.itemSync(), after: after.itemSync() }));
