import assert from "node:assert/strict";
import { plot } from "../../runtime/display/plot";
import { PLOTLY_MIME, plotlyLoaderBundle } from "../../runtime/display/plotly";
import { $display } from "../../runtime/display/protocol";
import { captureDisplays } from "./capture";
import { parseXml } from "./xml";

describe("plotly bundles", () => {
  it("a figure's bundle: plotly JSON, HTML with the SVG as an <img>, SVG, and a text summary", () => {
    const fig = plot.line({ train: [1, 0.5, 0.25], val: [1.2, 0.8, 0.7] }, { title: "loss" });
    const b = fig.bundle();
    assert.deepEqual(Object.keys(b).sort(), ["application/vnd.plotly.v1+json", "image/svg+xml", "text/html", "text/plain"]);
    assert.equal(b["text/plain"], 'Figure("loss": 2 traces: train (3 points), val (3 points))');
    const json = b[PLOTLY_MIME] as { data: { y: number[] }[]; layout: { title: { text: string } } };
    assert.deepEqual(json.data.map((t) => t.y), [[1, 0.5, 0.25], [1.2, 0.8, 0.7]]);
    assert.equal(json.layout.title.text, "loss");
    const html = b["text/html"] as string;
    const src = /<img class="tsgrad-static"[^>]* src="data:image\/svg\+xml;base64,([^"]+)"/.exec(html);
    assert.ok(src, "static SVG image in the HTML");
    assert.equal(Buffer.from(src[1], "base64").toString("utf8"), b["image/svg+xml"]);
    parseXml(b["image/svg+xml"] as string);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(html.includes("window.Plotly.newPlot"));
  });

  it("HTML carries no premature </script> even when names contain one", () => {
    const html = plot.line({ "</script><b>x": [1, 2] }).bundle()["text/html"] as string;
    const body = html.slice(html.indexOf("<script"), html.lastIndexOf("</script>"));
    assert.ok(!body.slice(8).toLowerCase().includes("</script"), "only the closing tag");
  });

  it("live bundles leave out the plotly mimetype", () => {
    const b = plot.line([1, 2]).bundle({ plotlyMime: false });
    assert.ok(!(PLOTLY_MIME in b) && "text/html" in b && "image/svg+xml" in b);
  });

  it("the loader defines window.Plotly from the embedded plotly.js and is sent once per session", () => {
    const loader = plotlyLoaderBundle()["text/html"] as string;
    assert.ok(loader.length > 3_000_000, "plotly.js inline");
    assert.ok(loader.includes("if (!window.Plotly)"));
    assert.equal((loader.match(/<\/script/gi) ?? []).length, 1);
    const cap = captureDisplays();
    try {
      const a = plot.bar([1, 2])[$display]();
      const b = plot.line([3, 4])[$display]();
      assert.equal(cap.sent.length, 1, "only the loader went through the sink");
      assert.equal(cap.sent[0].bundle["text/html"], loader);
      assert.ok(a["text/html"] && b["text/html"]);
    } finally { cap.restore(); }
  });

  it("outside a kernel nothing is sent and figures still have their bundle", () => {
    const b = plot.bar(["a"], [1])[$display]();
    assert.ok(typeof b["text/html"] === "string");
  });
});
