// test/interop/nbconvert.test.ts
// `jupyter nbconvert --execute --to html` on the installed kernelspec: the static HTML page a
// person opens shows each rich output (HTML inline, markdown rendered, SVG and PNG as data URLs),
// and the kernel's language reaches the page's code cells.
import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES, assertInstalled, describeRun, run, tempDir, venvBin } from "./helpers";

describe("interop: nbconvert --execute --to html", function () {
  this.timeout(120_000);
  before(assertInstalled);

  it("renders html, markdown, svg and png outputs of an executed TypeScript notebook", async () => {
    const dir = tempDir("nbconvert");
    copyFileSync(join(FIXTURES, "tslab.ipynb"), join(dir, "tslab.ipynb"));
    const r = await run(venvBin("jupyter"), ["nbconvert", "--execute", "--to", "html", "tslab.ipynb"], { cwd: dir });
    assert.equal(r.code, 0, describeRun(r));
    const html = readFileSync(join(dir, "tslab.html"), "utf8");
    assert.match(html, /<b>bold<\/b>/, "text/html inline");
    assert.match(html, /<h1[^>]*>Title/, "text/markdown rendered");
    // nbconvert 7 puts SVG in an <img> data URL (no script can run from it).
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
    assert.ok(html.includes(`src="data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}"`), "image/svg+xml");
    assert.match(html, /<img [^>]*src="data:image\/png;base64,iVBORw0KGgo/, "image/png as a data URL");
    assert.match(html, /<i>step 2<\/i>/, "newDisplay's final state");
    assert.doesNotMatch(html, /<pre>step 1/, "the updated display replaced its first bundle");
    assert.match(html, /class="highlight hl-typescript"/, "code cells highlighted as TypeScript");
  });
});
