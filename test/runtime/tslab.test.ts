// test/runtime/tslab.test.ts
// tslab notebooks run unchanged: `import * as tslab from "tslab"` gets our shim, typed and at
// run time, and its display API sends the same mime data tslab sends.
import * as assert from "assert";
import { Evaluator } from "../../runtime/evaluator";
import { plain, run } from "./recording_io";

describe("runtime/tslab compatibility", function () {
  this.timeout(60000);
  let ev: Evaluator;
  before(async () => { ev = new Evaluator(); await ev.warmUp(); });

  it("tslab.display.* sends one mime type each, as tslab does", async () => {
    const { out, io } = await run(ev, "import * as tslab from 'tslab';\n" +
      "tslab.display.html('<b>b</b>'); tslab.display.markdown('# m'); tslab.display.svg('<svg/>');\n" +
      "tslab.display.png(new Uint8Array([1, 2, 3])); tslab.display.text('t'); tslab.display.javascript('1');\n" +
      "tslab.display.latex('$x$'); tslab.display.jpeg(new Uint8Array([255])); tslab.display.raw('text/csv', 'a,b');");
    plain(out);
    assert.deepStrictEqual(io.displays().map((d) => d.bundle), [
      { "text/html": "<b>b</b>" }, { "text/markdown": "# m" }, { "image/svg+xml": "<svg/>" }, { "image/png": "AQID" },
      { "text/plain": "t" }, { "text/javascript": "1" }, { "text/latex": "$x$" }, { "image/jpeg": "/w==" }, { "text/csv": "a,b" },
    ]);
    assert.ok(io.displays().every((d) => !d.update));
  });

  it("tslab.newDisplay() overwrites its single output", async () => {
    const { out, io } = await run(ev, "import * as tslab from 'tslab';\nconst d = tslab.newDisplay();\n" +
      "d.text('one'); d.html('<i>two</i>'); d.text('three');");
    plain(out);
    const ds = io.displays();
    assert.deepStrictEqual(ds.map((d) => [d.bundle, !!d.update]),
      [[{ "text/plain": "one" }, false], [{ "text/html": "<i>two</i>" }, true], [{ "text/plain": "three" }, true]]);
    assert.ok(ds[0].displayId && ds.every((d) => d.displayId === ds[0].displayId));
  });

  it("versions and named imports work, and the shim's types catch misuse", async () => {
    const { out } = await run(ev, "import { display as tsd, versions } from 'tslab';\n" +
      "typeof tsd.html + ' ' + /^v\\d+/.test(versions.node)");
    assert.strictEqual(plain(out), "'function true'");
    const bad = await run(ev, "import * as tslab from 'tslab';\ntslab.display.html(42);");
    assert.ok(bad.out.status === "error" && bad.out.ename === "TSError" && /TS2345/.test(bad.out.evalue), JSON.stringify(bad.out));
  });
});
