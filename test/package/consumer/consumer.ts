// A TypeScript (CommonJS) consumer: type-checked by test/package/package.test.ts, never run.
import { torch, nn, optim, F, type Tensor } from "tsgrad";
const model: nn.Module = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2));
const opt = optim.Adam(model.parameters(), { lr: 1e-2 });
const x: Tensor = torch.randn([16, 4]);
const loss = F.crossEntropy(model.forward(x), torch.randint(0, 2, [16], { dtype: "int32" }));
opt.zeroGrad(); loss.backward(); opt.step();
export const value: Promise<number> = loss.item();
// @ts-expect-error: Adam takes an options object, not a number
optim.Adam(model.parameters(), 0.1);
