// test/interop/jupyter_kernel_test.test.ts
// jupyter_kernel_test (the Jupyter project's conformance suite) against the installed tsgrad
// kernelspec, started by jupyter_client as every frontend starts it. The samples live in
// python/test_jupyter_kernel.py; here we run it and read unittest's verbose report, so each
// jupyter_kernel_test case is a line we can check: all pass, and the only skips are features
// tsgrad does not offer (listed below with the reason).
import assert from "node:assert/strict";
import { PY_TESTS, PYTHON, assertInstalled, describeRun, run } from "./helpers";

/** jupyter_kernel_test cases tsgrad deliberately does not support. */
const UNSUPPORTED: Record<string, string> = {};

describe("interop: jupyter_kernel_test", () => {
  before(assertInstalled);

  it("passes every case the kernel supports, with no unexpected skip", async () => {
    const r = await run(PYTHON, ["-m", "unittest", "-v", "test_jupyter_kernel"], { cwd: PY_TESTS, timeoutMs: 180_000 });
    const report = r.stderr;
    // "test_execute_stdout (test_jupyter_kernel.TsgradKernelTests.test_execute_stdout) ... ok", and
    // for subtests "  test_completion (...) (text='Math.SQRT') ... FAIL"
    const results = new Map<string, string>();
    for (const m of report.matchAll(/^\s*(test_\w+) \([\w.]+\)(?: \(.*?\))? \.\.\. (ok|FAIL|ERROR|skipped.*)$/gm)) {
      const prev = results.get(m[1]);
      if (!prev || prev === "ok") results.set(m[1], m[2]);   // a failing or skipped subtest wins
    }
    assert.ok(results.size >= 12, `expected the full suite, parsed ${results.size}\n${describeRun(r)}`);
    for (const [name, status] of results) {
      if (name in UNSUPPORTED) assert.match(status, /^skipped/, `${name} now runs: drop it from UNSUPPORTED`);
      else assert.equal(status, "ok", `${name}: ${status}\n${describeRun(r)}`);
    }
    assert.equal(r.code, 0, describeRun(r));
    const summary = /Ran (\d+) tests[\s\S]*\n(OK.*)$/.exec(report.trim());
    assert.ok(summary, describeRun(r));
    const skipped = Number(/skipped=(\d+)/.exec(summary[2])?.[1] ?? 0);
    assert.equal(skipped, Object.keys(UNSUPPORTED).length, `skips: ${summary[2]}\n${describeRun(r)}`);
  });
});
