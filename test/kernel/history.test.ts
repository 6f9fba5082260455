// test/kernel/history.test.ts
// History lives on disk: the kernel holds only a recent window in memory, and range, search and
// long tails read the file, so nothing of the kind grows with the number of cells run (issue 10).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { History } from "../../kernel/history";

describe("kernel/history", function () {
  this.timeout(30000);
  it("keeps a bounded window in memory, and finds every entry of a long session from the file", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsgrad-history-"));
    try {
      const h = new History(dir);
      await h.ready;
      for (let i = 1; i <= 5000; i++) h.append(i, `const c${i} = ${i};`, i % 2 ? String(i) : null);
      await new Promise((r) => setTimeout(r, 50));
      const held = (h as unknown as { entries: unknown[] }).entries.length;
      assert.ok(held <= 2000, `${held} entries in memory`);
      assert.deepStrictEqual(await h.range(0, 1, 3, true), [[h.session, 1, ["const c1 = 1;", "1"]], [h.session, 2, ["const c2 = 2;", null]]]);
      assert.deepStrictEqual(await h.search("const c1 = *", 2, false, false), [[h.session, 1, "const c1 = 1;"]]);
      assert.deepStrictEqual(await h.search("const c17 = 17;", null, false, false), [[h.session, 17, "const c17 = 17;"]]);
      assert.strictEqual((await h.tail(4500, false)).length, 4500);
      assert.deepStrictEqual(await h.tail(1, false), [[h.session, 5000, "const c5000 = 5000;"]]);
      await h.close();
      const next = new History(dir);
      await next.ready;
      assert.strictEqual(next.session, h.session + 1);
      assert.deepStrictEqual(await next.range(-1, 4999, null, false), [[h.session, 4999, "const c4999 = 4999;"], [h.session, 5000, "const c5000 = 5000;"]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
