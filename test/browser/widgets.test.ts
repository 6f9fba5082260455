// test/browser/widgets.test.ts
// Widgets as a person uses them, in JupyterLab 4 and Notebook 7 in headless Chromium, with the
// widget manager jupyterlab_widgets installs and nothing else: dragging a slider changes the
// kernel-side value and its observer writes to an Output; interact re-runs its function; the
// control bar of a live curve pauses and then stops a running SYNCHRONOUS training loop; after a
// reload the views come back with the kernel's state (jupyter.widget.control); jslink ties two
// sliders in the browser.
// Screenshots go to test-artifacts/widgets-*.png. Runs this checkout's kernel (a kernelspec
// installed into a temporary prefix), whichever checkout the venv's kernelspec points at.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { ROOT, VENV, describeRun, run, tempDir } from "../interop/helpers";
import { artifact, launchBrowser, offlinePage, startJupyter, writeNotebook, type JupyterServer } from "./jupyter";

declare const window: any;
declare const document: any;

const CELLS = [
  'const s = widgets.IntSlider({ value: 2, min: 0, max: 10, description: "n" });\nconst out = widgets.Output();\n' +
  's.observe((c) => out.capture(() => console.log(`kernel sees ${c.new}`), { clear: true }), "value");\nwidgets.VBox({ children: [s, out] })',
  'widgets.interact(({ x }) => `x squared is ${x * x}`, { x: [0, 10, 1] })',
  'const busy = (ms: number) => { const e = performance.now() + ms; while (performance.now() < e); };\n' +
  'const curve = plot.live({ title: "steer me", controls: true, throttleMs: 100 });\nlet steps = 0; const t0 = Date.now();\n' +
  'for (const _ of curve.steps(progress(1e9, { desc: "training" }))) {\n  busy(5);\n  curve.log({ loss: 1 / (1 + steps / 100) });\n' +
  '  steps++;\n  if (Date.now() - t0 > 90_000) break;\n}\nconsole.log(`stopped=${curve.stopped} after ${steps} steps`);',
  'const a = widgets.IntSlider({ value: 1, description: "a" }), b = widgets.IntSlider({ value: 1, description: "b" });\n' +
  'widgets.jslink([a, "value"], [b, "value"]);\nwidgets.HBox({ children: [a, b] })',
];

/** Drag the handle of the slider inside `scope` to `frac` of its track. */
async function drag(page: Page, scope: string, frac: number): Promise<void> {
  const track = page.locator(`${scope} .noUi-target`).first();
  const handle = page.locator(`${scope} .noUi-handle`).first();
  await track.scrollIntoViewIfNeeded();
  const t = (await track.boundingBox())!, h = (await handle.boundingBox())!;
  await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 5; i++) await page.mouse.move(h.x + (t.x + t.width * frac - h.x) * (i / 5), h.y + h.height / 2);
  await page.mouse.up();
}

const cellText = (page: Page, k: number) => page.evaluate((i) => window.jupyterapp.shell.currentWidget.content.widgets[i].node.querySelector(".jp-OutputArea")?.innerText ?? "", k);

async function runCell(page: Page, k: number): Promise<void> {
  await page.evaluate((i) => {
    const w = window.jupyterapp.shell.currentWidget;
    w.content.activeCellIndex = i;
    window.__run = window.jupyterapp.commands.execute("notebook:run-cell");
  }, k);
}

async function steer(page: Page, path: string, name: string): Promise<void> {
  await page.goto(`${path}`);
  await page.waitForFunction(() => window.jupyterapp !== undefined, null, { timeout: 60_000 });
  await page.evaluate(async () => {
    const app = window.jupyterapp;
    await app.restored;
    for (let i = 0; i < 300 && !(app.shell.currentWidget && app.shell.currentWidget.sessionContext); i++) await new Promise((r) => setTimeout(r, 100));
    const w = app.shell.currentWidget;
    await w.context.ready; await w.sessionContext.ready;
    for (let i = 0; i < 600 && w.sessionContext.session?.kernel?.status !== "idle"; i++) await new Promise((r) => setTimeout(r, 100));
  });

  // 1. A slider: dragging it changes the kernel-side value; the observer writes into an Output.
  await runCell(page, 0);
  const cell0 = ".jp-Notebook .jp-Cell:nth-child(1)";
  await page.locator(`${cell0} .widget-slider .noUi-handle`).first().waitFor({ timeout: 60_000 });
  await drag(page, cell0, 0.8);
  // The observer runs for each value the drag passes; the last one it prints is where it stopped.
  await page.waitForFunction(() => {
    const node = window.jupyterapp.shell.currentWidget.content.widgets[0].node;
    const m = /kernel sees (\d+)/.exec(node.innerText);
    return m && m[1] === node.querySelector(".widget-readout")?.innerText;
  }, null, { timeout: 20_000 }).catch(() => undefined);
  const seen = Number(/kernel sees (\d+)/.exec(await cellText(page, 0))?.[1]);
  const shown = Number(await page.locator(`${cell0} .widget-readout`).first().innerText());
  assert.ok(seen >= 6 && seen === shown, `the kernel saw ${seen}, the slider shows ${shown}`);
  await page.locator(cell0).scrollIntoViewIfNeeded();
  await page.screenshot({ path: artifact(`widgets-${name}-slider.png`) });

  // 2. interact: its function runs at once and again when the control moves.
  await runCell(page, 1);
  await page.waitForFunction(() => /x squared is 25/.test(window.jupyterapp.shell.currentWidget.content.widgets[1].node.innerText), null, { timeout: 30_000 });
  await drag(page, ".jp-Notebook .jp-Cell:nth-child(2)", 0.2);
  // The drag passes several values; wait until the output shows the one it stopped at.
  await page.waitForFunction(() => {
    const node = window.jupyterapp.shell.currentWidget.content.widgets[1].node;
    const m = /x squared is (\d+)/.exec(node.innerText);
    const x = Number(node.querySelector(".widget-readout")?.innerText);
    return m && m[1] !== "25" && Number(m[1]) === x * x;
  }, null, { timeout: 20_000 });
  assert.equal(await page.locator(".jp-Notebook .jp-Cell:nth-child(2) .widget-slider").count(), 1, "interact's box shows once");
  const x = Number(await page.locator(".jp-Notebook .jp-Cell:nth-child(2) .widget-readout").first().innerText());
  assert.match(await cellText(page, 1), new RegExp(`x squared is ${x * x}\\b`));
  await page.screenshot({ path: artifact(`widgets-${name}-interact.png`) });

  // 3. A synchronous training loop: Pause holds it, Resume lets it go on, Stop ends it.
  await runCell(page, 2);
  const cell2 = ".jp-Notebook .jp-Cell:nth-child(3)";
  const button = (label: string) => page.locator(`${cell2} button.jupyter-button`, { hasText: label }).first();
  await button("Pause").waitFor({ timeout: 60_000 });
  const progressText = () => page.evaluate(() => window.jupyterapp.shell.currentWidget.content.widgets[2].node.querySelector(".tsgrad-progress")?.textContent ?? "");
  await page.waitForFunction(() => /training:.* [1-9]\d*\/1000000000/.test(window.jupyterapp.shell.currentWidget.content.widgets[2].node.textContent), null, { timeout: 30_000 });
  await page.waitForTimeout(1000);
  await button("Pause").click();
  await button("Resume").waitFor({ timeout: 10_000 });
  await page.waitForTimeout(500);
  const held = await progressText();
  await page.waitForTimeout(1500);
  assert.equal(await progressText(), held, "the loop went on while paused");
  await page.locator(cell2).scrollIntoViewIfNeeded();
  await page.screenshot({ path: artifact(`widgets-${name}-paused.png`) });
  await button("Resume").click();
  await page.waitForFunction((h) => {
    const el = window.jupyterapp.shell.currentWidget.content.widgets[2].node.querySelector(".tsgrad-progress");
    return el && el.textContent !== h;
  }, held, { timeout: 10_000 });
  const t0 = Date.now();
  await button("Stop").click();
  await page.waitForFunction(() => /stopped=true after \d+ steps/.test(window.jupyterapp.shell.currentWidget.content.widgets[2].node.textContent), null, { timeout: 10_000 });
  const ms = Date.now() - t0;
  assert.ok(ms < 3000, `the loop ended ${ms} ms after Stop`);
  await page.evaluate(() => window.__run);
  await page.waitForTimeout(500);
  await page.screenshot({ path: artifact(`widgets-${name}-stopped.png`) });

  // 4. jslink: the browser keeps two sliders together, without the kernel.
  await runCell(page, 3);
  const cell3 = ".jp-Notebook .jp-Cell:nth-child(4)";
  await page.locator(`${cell3} .widget-slider .noUi-handle`).nth(1).waitFor({ timeout: 30_000 });
  await drag(page, cell3, 0.6);
  await page.waitForFunction(() => {
    const r = [...window.jupyterapp.shell.currentWidget.content.widgets[3].node.querySelectorAll(".widget-readout")].map((e: any) => e.innerText);
    return r.length === 2 && r[0] !== "1" && r[0] === r[1];
  }, null, { timeout: 10_000 });

  // 5. A reload: the saved outputs name models the page no longer has; the widget manager asks
  // the kernel for them (jupyter.widget.control) and the views come back with the kernel's state.
  await page.evaluate(() => window.jupyterapp.commands.execute("docmanager:save"));
  await page.reload();
  await page.waitForFunction(() => window.jupyterapp !== undefined, null, { timeout: 60_000 });
  await page.waitForFunction(() => {
    const w = window.jupyterapp.shell.currentWidget;
    const cells = w?.content?.widgets;
    return cells && cells[0].node.querySelector(".widget-readout") && /Stopped/.test(cells[2].node.textContent);
  }, null, { timeout: 60_000 });
  assert.equal(Number(await page.locator(`${cell0} .widget-readout`).first().innerText()), shown, "the slider came back with the kernel's value");
  await page.screenshot({ path: artifact(`widgets-${name}-reloaded.png`) });
}

describe("browser: widgets", function () {
  this.timeout(300_000);
  let server: JupyterServer, browser: Browser, root: string;
  const errors: string[] = [];

  before(async () => {
    root = tempDir("browser-widgets");
    const prefix = join(root, ".kernel");
    const r = await run(process.execPath, [join(ROOT, "dist", "kernel", "main.js"), "install", "--prefix", prefix]);
    assert.equal(r.code, 0, describeRun(r));
    writeNotebook(join(root, "lab.ipynb"), CELLS);
    writeNotebook(join(root, "nb7.ipynb"), CELLS);
    [server, browser] = await Promise.all([
      startJupyter(root, { kernelspecs: `${join(prefix, "share", "jupyter")}:${join(VENV, "share", "jupyter")}` }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** On failure: a screenshot, the notebook's text and the server log, for the post-mortem. */
  async function steerOrExplain(page: Page, path: string, name: string): Promise<void> {
    try { await steer(page, path, name); } catch (err) {
      await page.screenshot({ path: artifact(`widgets-${name}-failed.png`) }).catch(() => undefined);
      const text = await page.evaluate(() => document.querySelector(".jp-Notebook")?.innerHTML.slice(0, 4000)).catch(() => "");
      process.stderr.write(`--- page errors\n${errors.join("\n")}\n--- notebook\n${text}\n--- server\n${server.log().slice(-3000)}\n`);
      throw err;
    }
  }

  it("JupyterLab 4: slider -> kernel -> Output, interact re-runs, Pause holds and Stop ends a synchronous loop", async () => {
    const page = await offlinePage(browser, errors);
    await steerOrExplain(page, `${server.url}/lab/tree/lab.ipynb?token=${server.token}`, "jupyterlab");
    assert.deepEqual(errors.filter((e) => /widget/i.test(e)), []);
    await page.close();
  });

  it("Notebook 7: the same", async () => {
    const page = await offlinePage(browser, errors);
    await steerOrExplain(page, `${server.url}/notebooks/nb7.ipynb?token=${server.token}`, "notebook7");
    assert.deepEqual(errors.filter((e) => /widget/i.test(e)), []);
    await page.close();
  });
});
