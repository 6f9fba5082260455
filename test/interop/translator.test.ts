// test/interop/translator.test.ts
// The papermill translator's own unit tests (python/tsgrad_papermill), run with the venv's
// Python in a fresh interpreter, so they also prove that importing papermill registers it.
import assert from "node:assert/strict";
import { PY_TESTS, PYTHON, assertInstalled, describeRun, run } from "./helpers";

describe("interop: papermill translator (python unittest)", () => {
  before(assertInstalled);

  it("registers for kernel tsgrad and language typescript, writes TypeScript literals, inspects parameters cells", async () => {
    const r = await run(PYTHON, ["-m", "unittest", "-v", "test_translator"], { cwd: PY_TESTS, timeoutMs: 60_000 });
    assert.equal(r.code, 0, describeRun(r));
    const ran = /Ran (\d+) tests?/.exec(r.stderr);
    assert.ok(ran && Number(ran[1]) >= 10, describeRun(r));
    assert.match(r.stderr, /\nOK\s*$/, "no skips or failures expected\n" + describeRun(r));
  });
});
