import assert from "node:assert/strict";
import { figureToSvg, decimate, pngSize } from "../../runtime/display/svg";
import { plot } from "../../runtime/display/plot";
import { byClass, allElements, parseXml, pathPoints, pathSegments } from "./xml";

const svgOf = (f: { toSVG(): string }) => parseXml(f.toSVG());

describe("svg", () => {
  it("line: one path per series with every point, a legend entry each, valid XML", () => {
    const root = svgOf(plot.line({ train: [3, 2, 1, 0.5], val: [3.5, 2.5, 2, 1.8] }, { title: "loss", xlabel: "epoch", ylabel: "loss" }));
    assert.equal(root.name, "svg");
    assert.equal(root.attrs.xmlns, "http://www.w3.org/2000/svg");
    const lines = byClass(root, "line");
    assert.equal(lines.length, 2);
    assert.deepEqual(lines.map((l) => pathPoints(l.attrs.d)), [4, 4]);
    assert.equal(byClass(root, "legend-item").length, 2);
    assert.equal(byClass(root, "title")[0].text, "loss");
    assert.deepEqual(byClass(root, "axis-title").map((e) => e.text), ["epoch", "loss"]);
    assert.ok(byClass(root, "tick").length >= 6);
  });

  it("a single series has no legend", () => {
    assert.equal(byClass(svgOf(plot.line([1, 2, 3])), "legend-item").length, 0);
  });

  it("NaN splits a line into segments instead of drawing through it", () => {
    const [l] = byClass(svgOf(plot.line([1, 2, NaN, 4, 5])), "line");
    assert.equal(pathSegments(l.attrs.d), 2);
    assert.equal(pathPoints(l.attrs.d), 4);
  });

  it("log y: ticks are powers of ten and points stay inside the plot", () => {
    const root = svgOf(plot.line([100, 10, 1, 0.1, 0.01], { logY: true }));
    const labels = byClass(root, "tick").map((t) => t.text);
    for (const v of ["0.01", "0.1", "1", "10", "100"]) assert.ok(labels.includes(v), `${v} in ${labels}`);
    const ys = byClass(root, "line")[0].attrs.d.split(/[ML]/).filter(Boolean).map((p) => Number(p.split(" ")[1]));
    for (let i = 1; i < ys.length; i++) assert.ok(Math.abs((ys[i] - ys[i - 1]) - (ys[1] - ys[0])) <= 1.5, "equal steps per decade (tenths of a px)");
  });

  it("scatter with labels: one marker group per class, one circle per point", () => {
    const pts = Array.from({ length: 30 }, (_, i) => [Math.cos(i), Math.sin(i)]);
    const root = svgOf(plot.scatter(pts, { labels: pts.map((_, i) => i % 3), classes: ["a", "b", "c"] }));
    assert.equal(byClass(root, "markers").length, 3);
    assert.equal(byClass(root, "point").length, 30);
    assert.deepEqual(byClass(root, "legend-item").map((g) => g.children[1].text), ["a", "b", "c"]);
  });

  it("bar and histogram: one rect per bar, heights follow the values", () => {
    const bars = byClass(svgOf(plot.bar(["a", "b", "c"], [1, 3, 2])), "bar");
    assert.equal(bars.length, 3);
    const h = bars.map((b) => Number(b.attrs.height));
    assert.ok(Math.abs(h[1] / h[0] - 3) < 0.02 && Math.abs(h[2] / h[0] - 2) < 0.02);
    const hist = plot.histogram([0, 0.1, 0.2, 0.9, 1], { bins: 5 });
    assert.equal(byClass(svgOf(hist), "bar").length, 5);
    assert.deepEqual(hist.data[0].y, [2, 1, 0, 0, 2]);
  });

  it("heatmap: a cell per entry and its count written in it", () => {
    const root = svgOf(plot.confusionMatrix([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 0], { classes: ["x", "y", "z"] }));
    assert.equal(byClass(root, "cell").length, 9);
    const texts = allElements(byClass(root, "cell-labels")[0]).slice(1).map((e) => e.text);
    assert.deepEqual(texts, ["1", "0", "1", "0", "1", "0", "0", "1", "2"]);   // rows: true class
  });

  it("images: the grid PNG is embedded and sized to its pixels", () => {
    const batch = Array.from({ length: 6 }, () => Array.from({ length: 8 }, () => new Array(8).fill(0.5)));
    const fig = plot.images(batch, { labels: [0, 1, 2, 3, 4, 5], cols: 3 });
    const [img] = byClass(svgOf(fig), "image");
    const { width, height } = pngSize(img.attrs.href);
    assert.equal(width, 3 * 8 + 4 * 2);
    assert.ok(Math.abs(Number(img.attrs.width) / Number(img.attrs.height) - width / height) < 0.01);
    assert.equal(byClass(svgOf(fig), "annotation").length, 6);
  });

  it("escapes names and titles so the document stays valid", () => {
    const root = svgOf(plot.line({ "a<b & \"c\"": [1, 2], "</svg>": [2, 1] }, { title: "x < y & z\u0001" }));
    assert.equal(byClass(root, "title")[0].text, "x &lt; y &amp; z");
    assert.equal(byClass(root, "line").length, 2);
  });

  it("decimate keeps long series under the limit with their extremes", () => {
    const xs = Array.from({ length: 10000 }, (_, i) => i);
    const ys = xs.map((i) => Math.sin(i / 50) + (i === 4321 ? 10 : 0));
    const [dx, dy] = decimate(xs, ys, 1000);
    assert.ok(dx.length <= 1000 && dx.length > 400, `${dx.length}`);
    assert.ok(dy.includes(10 + Math.sin(4321 / 50)));
    assert.equal(dx[dx.length - 1], 9999);
    assert.ok(byClass(parseXml(figureToSvg({ data: [{ type: "scatter", x: xs, y: ys }], layout: {} })), "line")[0].attrs.d.length < 40000);
  });
});
