// test/interop/tslab_compat.test.ts
// Notebooks written for tslab run unchanged on tsgrad: `import * as tslab from "tslab"` and its
// display API (display.html/markdown/svg/png/..., newDisplay() updating one output in place).
// The fixture runs through nbclient on the installed kernelspec; we check the saved mime types.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  FIXTURES, PY_TESTS, PYTHON, assertInstalled, codeCells, describeRun, joinText, readNotebook, run, tempDir,
  type NbCell, type NbOutput,
} from "./helpers";

const PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const displays = (c: NbCell): NbOutput[] => (c.outputs ?? []).filter((o) => o.output_type === "display_data");
const value = (o: NbOutput, mime: string) => {
  const v = o.data?.[mime];
  return typeof v === "string" || Array.isArray(v) ? joinText(v as string | string[]).trim() : v;
};

describe("interop: tslab notebooks run unchanged", function () {
  this.timeout(120_000);
  let cells: NbCell[];

  before(async () => {
    assertInstalled();
    const out = join(tempDir("tslab"), "out.ipynb");
    const r = await run(PYTHON, [join(PY_TESTS, "run_nbclient.py"), join(FIXTURES, "tslab.ipynb"), out], { cwd: FIXTURES });
    assert.equal(r.code, 0, describeRun(r));
    cells = codeCells(readNotebook(out));
  });

  it('import * as tslab from "tslab" type checks and runs', () => {
    assert.equal(cells[0].execution_count, 1);
    assert.deepEqual(cells[0].outputs?.filter((o) => o.output_type === "error"), []);
  });

  it("display.html / markdown / svg give text/html, text/markdown, image/svg+xml", () => {
    const d = displays(cells[1]);
    assert.equal(d.length, 3, JSON.stringify(cells[1].outputs));
    assert.equal(value(d[0], "text/html"), "<b>bold</b>");
    assert.equal(value(d[1], "text/markdown"), "# Title");
    assert.match(String(value(d[2], "image/svg+xml")), /^<svg[\s\S]*<rect width="10" height="10"\/><\/svg>$/);
  });

  it("display.png / jpeg carry base64 bytes; text, latex, javascript and raw keep their mime types", () => {
    const d = displays(cells[2]);
    assert.equal(d.length, 6, JSON.stringify(cells[2].outputs));
    assert.equal(value(d[0], "image/png"), PNG_B64);
    assert.equal(value(d[1], "image/jpeg"), PNG_B64);
    assert.equal(value(d[2], "text/plain"), "plain words");
    assert.equal(value(d[3], "text/latex"), "$x^2$");
    assert.equal(value(d[4], "text/javascript") ?? value(d[4], "application/javascript"), "console.log(1)");
    assert.equal(value(d[5], "text/csv"), "a,b\n1,2");
  });

  it("newDisplay() updates its one output in place (update_display_data)", () => {
    const d = displays(cells[3]);
    assert.equal(d.length, 1, JSON.stringify(cells[3].outputs));
    assert.equal(value(d[0], "text/html"), "<i>step 2</i>");
    assert.equal(d[0].data?.["text/plain"], undefined, "the update replaced the first bundle");
  });

  it("tslab.versions names tslab, typescript and node", () => {
    const r = (cells[4].outputs ?? []).find((o) => o.output_type === "execute_result");
    const text = String(r && value(r, "text/plain"));
    for (const key of ["tslab", "typescript", "node"]) assert.match(text, new RegExp(`${key}: '`), text);
  });
});
