// test/tensor/nan.test.ts
// NaN propagates as in PyTorch on every backend: relu, leaky_relu, clamp, maximum/minimum, max/min
// and amax/amin reductions (whole tensor, along a dim, long rows split across threads), argmax/argmin
// (the index of the first NaN) and max pooling all return NaN where an input is NaN (CPU backends).

import assert from "node:assert/strict";
import { torch, F } from "../../runtime/tensor/index";
import { forEachBackend } from "../helpers/backends";

const N = NaN;
const same = (got: ArrayLike<number>, want: number[], what: string) => {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++)
    assert.ok(Object.is(got[i], want[i]) || got[i] === Math.fround(want[i]), `${what}: element ${i} is ${got[i]}, PyTorch gives ${want[i]}`);
};

// CPU backends only: WGSL lets an implementation assume there are no NaNs, so WebGPU's max/min
// and pooling may drop them (reported, not asserted).
forEachBackend((device) => {
  if (device !== "cpu") return;
  describe("NaN propagates as in PyTorch", () => {
    const t = (v: number[], shape?: number[]) => { const x = torch.tensor(v, { device }); return shape ? x.reshape(shape) : x; };
    const vals = async (x: ReturnType<typeof t>) => Array.from(await x.data());

    it("relu, leaky_relu and clamp return NaN for NaN", async () => {
      // Long enough for native kernels (their small-tensor path is JS) and short.
      for (const n of [4, 1000]) {
        const v = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? N : i % 4 === 1 ? -1 : 2));
        const x = t(v);
        same(await vals(x.relu()), v.map((a) => (a !== a ? N : Math.max(a, 0))), `relu n=${n}`);
        same(await vals(F.leakyRelu(x, 0.1)), v.map((a) => (a !== a ? N : a < 0 ? a * 0.1 : a)), `leaky_relu n=${n}`);
        same(await vals(x.clamp(0, 1)), v.map((a) => (a !== a ? N : Math.min(Math.max(a, 0), 1))), `clamp n=${n}`);
        same(await vals(x.clamp(0)), v.map((a) => (a !== a ? N : Math.max(a, 0))), `clamp(min) n=${n}`);
      }
    });

    it("maximum and minimum return NaN when either side is NaN", async () => {
      for (const n of [4, 1000]) {
        const a = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? N : i % 4 === 1 ? 1 : 2));
        const b = Array.from({ length: n }, (_, i) => (i % 4 === 2 ? N : 1.5));
        const want = (f: (x: number, y: number) => number) => a.map((x, i) => (x !== x || b[i] !== b[i] ? N : f(x, b[i])));
        same(await vals(torch.maximum(t(a), t(b))), want(Math.max), `maximum n=${n}`);
        same(await vals(torch.minimum(t(a), t(b))), want(Math.min), `minimum n=${n}`);
        same(await vals(torch.maximum(t(b), t(a))), want(Math.max), `maximum swapped n=${n}`);
      }
    });

    it("max/min/amax/amin reductions and argmax/argmin see NaN", async () => {
      const rows = [[1, N, 3], [4, 5, 6], [N, 0, N]];
      const x = t(rows.flat(), [3, 3]);
      assert.ok(Number.isNaN(await x.max().item()));
      assert.ok(Number.isNaN(await x.min().item()));
      same(await vals(torch.amax(x, 1)), [N, 6, N], "amax dim 1");
      same(await vals(torch.amin(x, 0)), [N, N, N], "amin dim 0");
      same(await vals(torch.amax(t([1, 2, 3, 4], [2, 2]), 0)), [3, 4], "amax without NaN");
      same(await vals(x.argmax(1)), [1, 2, 0], "argmax dim 1");
      same(await vals(x.argmin(0)), [2, 0, 2], "argmin dim 0");
      // A long row (split across threads natively) and a long column with one NaN far in.
      const long = new Array(300000).fill(1);
      long[250001] = N;
      assert.ok(Number.isNaN(await t(long).max().item()), "max of a long row");
      assert.ok(Number.isNaN(await t(long).min().item()), "min of a long row");
      assert.equal(await t(long).argmax().item(), 250001);
      const cols = await vals(torch.amax(t(long, [1000, 300]), 0));  // element 250001 is row 833, column 101
      same([cols[101], cols[0], cols[299]], [N, 1, 1], "amax of long columns");
    });

    it("max pooling returns NaN for a window holding NaN", async () => {
      const x = t([1, N, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, N], [1, 1, 4, 4]);
      same(await vals(F.maxPool2d(x, 2)), [N, 8, 14, N], "maxPool2d 2x2");
    });
  });
});
