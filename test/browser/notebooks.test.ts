// What a person sees: figures, a live training curve, a progress bar, a confusion matrix and an
// image grid, run in JupyterLab 4 and Notebook 7 in headless Chromium, then executed by
// papermill and exported by nbconvert to HTML opened offline, and the executed notebook opened
// untrusted. Assertions read the DOM (plotly's graph divs and the static images); screenshots go
// to test-artifacts/ for a person to look at.
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { describeRun, jupyterEnv, run, tempDir, venvBin } from "../interop/helpers";
import { artifact, launchBrowser, offlinePage, startJupyter, writeNotebook, type JupyterServer } from "./jupyter";

// The callbacks below run in the page; the project compiles without the DOM library, so the two
// browser globals they use are declared here, for this file only.
declare const window: any;
declare const document: any;
declare const atob: (s: string) => string;

const STEPS = 200;
const CELLS = [
  'plot.line({ train: [3, 2, 1.5, 1.2, 1.0], val: [3.2, 2.4, 1.9, 1.7, 1.6] }, { title: "static", xlabel: "epoch", ylabel: "loss" })',
  `const curve = plot.live({ title: "live", y: ["loss", "accuracy"] });\nfor (let i = 0; i < ${STEPS}; i++) {\n` +
  `  curve.log({ "train/loss": 2 / (i + 1), "train/acc": i / ${STEPS} });\n` +
  `  if (i % 50 === 49) curve.log({ "val/loss": 2.2 / (i + 1), "val/acc": i / ${STEPS + 20} }, i);\n  await sleep(15);\n}`,
  'for (const i of progress(30, { desc: "epoch" })) { await sleep(10); }',
  'plot.confusionMatrix([0, 1, 2, 2, 1, 0], [0, 1, 2, 1, 1, 0], { classes: ["cat", "dog", "bird"] })',
  'plot.images(Array.from({ length: 8 }, (_, n) => Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) =>\n' +
  '  ((x - 14) ** 2 + (y - 14) ** 2 < (3 + n) ** 2 ? 1 : 0)))), { labels: [0, 1, 2, 3, 4, 5, 6, 7], cols: 8, title: "digits" })',
];
/** Points per trace of each plot, in order: static, live (train/val loss, train/val accuracy), confusion, images. */
const EXPECTED = [[5, 5], [STEPS, 4, STEPS, 4], [3], [1]];

type Counts = number[][];
/** Uncaught errors from our output scripts or plotly.js (the frontends' own are not ours to judge). */
const ours = (errors: string[]) => errors.filter((e) => /plotly|tsgrad|newPlot/i.test(e));
/** Points per trace of every plotly graph div under `sel`, in document order. */
function plotCounts(page: Page, sel = "body"): Promise<Counts> {
  return page.evaluate((s) => [...document.querySelectorAll(`${s} .js-plotly-plot`)].map((gd: any) =>
    ((gd.data ?? []) as { y?: unknown[]; z?: unknown[]; source?: string }[])
      .map((t) => (t.source ? 1 : (t.y ?? t.z ?? []).length))), sel);
}

/** Open a notebook in JupyterLab (/lab/tree/...) or Notebook 7 (/notebooks/...), run all cells and
 * watch the live curve (cell 1) while it runs. Returns the point counts seen on the way. */
async function runInFrontend(page: Page, server: JupyterServer, path: string): Promise<number[]> {
  await page.goto(`${server.url}${path}?token=${server.token}`);
  await page.waitForFunction(() => window.jupyterapp !== undefined, null, { timeout: 60_000 });
  const kernel = await page.evaluate(async () => {
    const app = window.jupyterapp;
    await app.restored;
    for (let i = 0; i < 300 && !(app.shell.currentWidget && app.shell.currentWidget.sessionContext); i++) await new Promise((r) => setTimeout(r, 100));
    const w = app.shell.currentWidget;
    await w.context.ready; await w.sessionContext.ready;
    for (let i = 0; i < 600 && w.sessionContext.session?.kernel?.status !== "idle"; i++) await new Promise((r) => setTimeout(r, 100));
    // The first cell alone first, as a person would: its output carries plotly.js (4.8 MB), which
    // the page parses before it can draw; then the rest, watched while the live curve runs.
    w.content.activeCellIndex = 0;
    await app.commands.execute("notebook:run-cell-and-select-next");
    for (let i = 0; i < 600 && !window.Plotly; i++) await new Promise((r) => setTimeout(r, 100));
    window.__runAll = app.commands.execute("notebook:run-all-below");
    return w.sessionContext.session?.kernel?.name;
  });
  assert.equal(kernel, "tsgrad");
  const seen: number[] = [];
  for (let i = 0; i < 600; i++) {
    const s = await page.evaluate(() => {
      const w = window.jupyterapp.shell.currentWidget;
      const cell = w.content.widgets[1];
      const gds = cell.node.querySelectorAll(".js-plotly-plot");
      const done = w.content.widgets.every((c: any) => c.model.executionCount !== null) && w.sessionContext.session.kernel.status === "idle";
      // Points of the first series: from plotly.js once it has loaded, before that from the static
      // SVG the same output shows (plotly.js is 4.8 MB for the page to parse first).
      let n = gds.length ? (gds[0].data?.[0]?.y?.length ?? 0) : -1;
      const img = cell.node.querySelector("img.tsgrad-static");
      if (n < 0 && img) {
        const svg = atob(img.src.split(",")[1]);
        const d = /class="trace line"[^>]* d="([^"]*)"/.exec(svg);
        n = d ? (d[1].match(/[ML]/g) ?? []).length : -1;
      }
      return { n, plots: gds.length + (gds.length ? 0 : cell.node.querySelectorAll("img.tsgrad-static").length), done };
    });
    assert.ok(s.plots <= 1, "the live curve redraws in place (one figure in its output)");
    if (s.n >= 0 && seen[seen.length - 1] !== s.n) seen.push(s.n);
    if (s.done) break;
    await page.waitForTimeout(100);
  }
  await page.evaluate(() => window.__runAll);
  console.log(`      ${path}: live curve seen with ${seen.join(", ")} points`);
  await page.waitForFunction((n) => document.querySelectorAll(".jp-OutputArea .js-plotly-plot").length >= n, EXPECTED.length, { timeout: 30_000 });
  return seen;
}

async function screenshotCells(page: Page, name: string): Promise<void> {
  for (const [i, part] of [[1, "top"], [4, "bottom"]] as const) {
    await page.evaluate((k) => window.jupyterapp.shell.currentWidget.content.widgets[k].node.scrollIntoView({ block: "center" }), i);
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifact(`${name}-${part}.png`) });
  }
}

describe("browser: figures and live curves as a person sees them", function () {
  this.timeout(240_000);
  let server: JupyterServer, browser: Browser, root: string;
  const errors: string[] = [];

  before(async () => {
    root = tempDir("browser-nb");
    writeNotebook(join(root, "plots.ipynb"), CELLS);
    copyFileSync(join(root, "plots.ipynb"), join(root, "lab.ipynb"));
    copyFileSync(join(root, "plots.ipynb"), join(root, "nb7.ipynb"));
    [server, browser] = await Promise.all([startJupyter(root), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("JupyterLab 4: plots drawn by plotly.js, the live curve redrawn in place while the cell runs", async () => {
    const page = await offlinePage(browser, errors);
    const seen = await runInFrontend(page, server, "/lab/tree/lab.ipynb");
    assert.deepEqual(await plotCounts(page, ".jp-OutputArea"), EXPECTED);
    assert.ok(seen.filter((n) => n > 0 && n < STEPS).length >= 2, `intermediate redraws: ${seen}`);
    assert.equal(seen[seen.length - 1], STEPS);
    assert.match(await page.locator(".tsgrad-progress").first().innerText(), /epoch: 100% .*30\/30/);
    await screenshotCells(page, "jupyterlab");
    assert.deepEqual(ours(errors), []);
    await page.close();
  });

  it("Notebook 7: the same notebook draws the same plots", async () => {
    const page = await offlinePage(browser, errors);
    const seen = await runInFrontend(page, server, "/notebooks/nb7.ipynb");
    assert.deepEqual(await plotCounts(page, ".jp-OutputArea"), EXPECTED);
    assert.ok(seen.filter((n) => n > 0 && n < STEPS).length >= 2, `intermediate redraws: ${seen}`);
    await screenshotCells(page, "notebook7");
    assert.deepEqual(ours(errors), []);
    await page.close();
  });

  it("papermill + nbconvert HTML opened offline: one embedded plotly.js draws every plot, the final curve kept", async () => {
    const out = join(root, "executed.ipynb");
    const pm = await run(venvBin("papermill"), [join(root, "plots.ipynb"), out, "-k", "tsgrad"], { env: jupyterEnv(), timeoutMs: 180_000 });
    assert.equal(pm.code, 0, describeRun(pm));
    const html = join(root, "executed.html");
    const nc = await run(venvBin("jupyter"), ["nbconvert", "--to", "html", out, "--output", "executed"], { env: jupyterEnv(), cwd: root });
    assert.equal(nc.code, 0, describeRun(nc));
    assert.equal(readFileSync(html, "utf8").split("if (!window.Plotly)").length - 1, 1, "plotly.js embedded once");
    const page = await offlinePage(browser, errors);
    await page.goto(`file://${html}`);
    await page.waitForFunction((n) => document.querySelectorAll(".js-plotly-plot").length >= n, EXPECTED.length, { timeout: 60_000 });
    assert.deepEqual(await plotCounts(page), EXPECTED);
    assert.match(await page.locator(".tsgrad-progress").first().innerText(), /epoch: 100%/);
    await page.screenshot({ path: artifact("nbconvert.png"), fullPage: true });
    assert.deepEqual(ours(errors), []);
    await page.close();
  });

  it("the executed notebook opened untrusted in JupyterLab shows the static SVG of every figure", async () => {
    const page = await offlinePage(browser, errors);
    await page.goto(`${server.url}/lab/tree/executed.ipynb?token=${server.token}`);
    await page.waitForFunction(() => document.querySelectorAll(".jp-OutputArea img.tsgrad-static").length >= 4, null, { timeout: 60_000 });
    await page.waitForTimeout(1000);
    const imgs = await page.evaluate(() => [...document.querySelectorAll(".jp-OutputArea img.tsgrad-static")].map((im: any) => {
      return { loaded: im.complete && im.naturalWidth > 0, src: im.src.slice(0, 25) };
    }));
    assert.equal(imgs.length, 4);
    assert.ok(imgs.every((i) => i.loaded && i.src === "data:image/svg+xml;base64"), JSON.stringify(imgs));
    assert.equal((await plotCounts(page)).length, 0, "no scripts ran in an untrusted notebook");
    await page.evaluate(() => window.jupyterapp.shell.currentWidget.content.widgets[1].node.scrollIntoView({ block: "start" }));
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifact("jupyterlab-untrusted.png") });
    await page.close();
  });
});
