// A TypeScript ESM consumer (.mts): the "import" condition of package.json exports, type-checked.
import { torch, nn } from "tsgrad";
const y = nn.Linear(2, 3).forward(torch.ones([1, 2]));
export const shape: readonly number[] = y.shape;
