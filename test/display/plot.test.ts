import assert from "node:assert/strict";
import { plot } from "../../runtime/display/plot";
import { confusionMatrixCounts, histogramCounts } from "../../runtime/display/plot";
import { $display } from "../../runtime/display/protocol";
import { decodePng } from "./png_decode";

/** A CPU tensor as runtime/display sees one: shape, dtype and a synchronous read (duck typing). */
function tensorLike(data: number[], shape: number[]) {
  return { shape, dtype: "float32", device: "cpu", dataSync: () => Float32Array.from(data), toArray: async () => data };
}

describe("plot helpers", () => {
  it("histogram counts every value once, the maximum in the last bin", () => {
    const { counts, edges } = histogramCounts([0, 1, 2, 3, 4, 4], 4);
    assert.deepEqual(counts, [1, 1, 1, 3]);
    assert.deepEqual(edges, [0, 1, 2, 3, 4]);
  });

  it("confusion matrix from class ids and from logits (argmax)", () => {
    assert.deepEqual(confusionMatrixCounts([1, 0, 1], [1, 1, 0]), [[0, 1], [1, 1]]);
    const logits = tensorLike([0.1, 0.9, 0.8, 0.2, 0.3, 0.7], [3, 2]);
    assert.deepEqual(confusionMatrixCounts(logits, [1, 1, 0]), [[0, 1], [1, 1]]);
    const fig = plot.confusionMatrix(logits, [1, 1, 0], { classes: ["no", "yes"] });
    assert.deepEqual(fig.data[0].x, ["no", "yes"]);
    assert.equal(fig.data[0].texttemplate, "%{z}");
    assert.equal((fig.layout.yaxis as { autorange: string }).autorange, "reversed");
    assert.match(fig.layout.title!.text, /accuracy 33\.3%/);
    assert.throws(() => confusionMatrixCounts([1, 2], [1]), /2 predictions but 1 labels/);
  });

  it("line accepts tensors, records of series and [series, points] arrays", () => {
    assert.deepEqual(plot.line(tensorLike([1, 2, 3], [3])).data[0].y, [1, 2, 3]);
    assert.deepEqual(plot.line([[1, 2], [3, 4]]).data.map((t) => t.y), [[1, 2], [3, 4]]);
    const f = plot.line({ a: [1], b: tensorLike([2], [1]) }, { x: [10], logY: true });
    assert.deepEqual(f.data.map((t) => [t.name, t.x]), [["a", [10]], ["b", [10]]]);
    assert.equal((f.layout.yaxis as { type: string }).type, "log");
  });

  it("image: [C,H,W] in [0,1] becomes an upscaled RGB PNG", () => {
    const d = Array.from({ length: 3 * 4 * 5 }, (_, i) => (i % 20) / 19);
    const fig = plot.image(tensorLike(d, [3, 4, 5]));
    const b = fig[$display]();
    const png = decodePng(Buffer.from(b["image/png"] as string, "base64"));
    assert.deepEqual([png.width, png.height, png.channels], [5, 4, 3]);
    assert.equal(png.pixels[0], 0);                            // red channel, pixel (0,0)
    assert.equal(png.pixels[3 * 19], 255);                      // pixel 19: value 1
    assert.match(b["text/html"] as string, /<img class="tsgrad-image"[^>]*width="40" height="32"/);
    assert.equal(b["text/plain"], "Image(4×5, RGB)");
  });

  it("image: [H,W] in [0,255] stays gray; other ranges are min-max scaled", () => {
    const g = plot.image([[0, 255], [128, 64]]);
    assert.deepEqual(Array.from(decodePng(g.png).pixels), [0, 255, 128, 64]);
    const s = plot.image([[-1, 1], [0, 3]]);
    assert.deepEqual(Array.from(decodePng(s.png).pixels), [0, 128, 64, 255]);
  });

  it("image overlay: a colormapped heatmap blended with alpha", () => {
    const o = plot.image([[0, 0], [0, 0]], { overlay: [[0, 1], [0, 0]], cmap: "gray", alpha: 0.5 });
    const px = decodePng(o.png).pixels;
    assert.deepEqual(Array.from(px.slice(0, 6)), [0, 0, 0, 128, 128, 128]);
  });

  it("images: a batch [N,1,H,W] becomes one grid picture with a caption per sample", () => {
    const n = 10, d = Array.from({ length: n * 6 * 6 }, (_, i) => (i % 7) / 6);
    const fig = plot.images(tensorLike(d, [n, 1, 6, 6]), { labels: tensorLike([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10]), classes: ["zero", "one"], cols: 5 });
    assert.equal(fig.data.length, 1);
    assert.equal(fig.data[0].type, "image");
    const anns = fig.layout.annotations!;
    assert.equal(anns.length, 10);
    assert.deepEqual(anns.slice(0, 3).map((a) => a.text), ["zero", "one", "2"]);
    const png = decodePng(Buffer.from(fig.data[0].source!.split(",")[1], "base64"));
    assert.equal(png.width, 5 * 6 + 6 * 2);
  });

  it("errors name the function and the shape", () => {
    assert.throws(() => plot.image(tensorLike(new Array(30).fill(0), [2, 3, 5])), /plot.image: expected an image of shape .* got \[2, 3, 5\]/);
    assert.throws(() => plot.heatmap([1, 2, 3]), /plot.heatmap: expected a 2-D array \[rows, cols\], got \[3\]/);
    assert.throws(() => plot.heatmap([[1]], { cmap: "nope" }), /unknown colormap "nope"/);
    const gpu = { shape: [2], device: "webgpu", toArray: async () => [1, 2] };
    assert.throws(() => plot.line(gpu), /cannot read a webgpu tensor synchronously; pass await t.toArray\(\)/);
  });

  it("plot(traces, layout) wraps raw plotly traces", () => {
    const f = plot([{ type: "scatter", x: [1, 2], y: [3, 4], mode: "markers" }], { title: { text: "raw" } });
    assert.equal(String(f), 'Figure("raw": 1 trace: 2 points)');
  });
});
