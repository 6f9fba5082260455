// test/browser/debugger.test.ts
// The Jupyter debugger as a person uses it in JupyterLab 4 (headless Chromium): turn the debugger
// on from the notebook toolbar, click the gutter to set a breakpoint, run the cell; the paused
// line is highlighted, the Variables panel lists the locals with a tensor's shape, "Render
// Variable" shows its statistics and heatmap, a page reload finds the paused state again (debugInfo),
// and Continue finishes the cell. Screenshots go to test-artifacts/debugger*.png.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { tempDir } from "../interop/helpers";
import { artifact, launchBrowser, offlinePage, startJupyter, writeNotebook, type JupyterServer } from "./jupyter";

declare const window: any;
declare const document: any;

const CELL = [
  "const w = torch.ones([3, 2]);",
  "let acc = 0;",
  "for (let i = 0; i < 3; i++) {",
  "  acc += w.sum().itemSync() * i;",
  "}",
  "acc",
].join("\n");
const BREAK_LINE = 4;

async function waitFor(page: Page, what: string, fn: () => unknown, timeout = 60_000): Promise<void> {
  try { await page.waitForFunction(fn, null, { timeout, polling: 200 }); } catch (err) {
    await page.screenshot({ path: artifact("debugger-failed.png") });
    throw new Error(`${what}: ${(err as Error).message.split("\n")[0]}`);
  }
}

describe("browser: the debugger in JupyterLab 4", function () {
  this.timeout(240_000);
  let server: JupyterServer, browser: Browser, root: string;
  const errors: string[] = [];

  before(async () => {
    root = tempDir("browser-debug");
    writeNotebook(join(root, "debug.ipynb"), [CELL]);
    [server, browser] = await Promise.all([startJupyter(root), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("breakpoint from the gutter, highlighted paused line, tensor shape in Variables, Continue finishes", async () => {
    const page = await offlinePage(browser, errors);
    await page.goto(`${server.url}/lab/tree/debug.ipynb?token=${server.token}`);
    await page.waitForFunction(() => window.jupyterapp !== undefined, null, { timeout: 60_000 });
    await page.evaluate(async () => {
      const app = window.jupyterapp;
      await app.restored;
      for (let i = 0; i < 300 && !(app.shell.currentWidget && app.shell.currentWidget.sessionContext); i++) await new Promise((r) => setTimeout(r, 100));
      const w = app.shell.currentWidget;
      await w.context.ready; await w.sessionContext.ready;
    });
    await waitFor(page, "kernel idle", () => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === "idle");

    // The bug button in the notebook toolbar turns the debugger on (JupyterLab checks kernel_info
    // and the kernelspec's metadata.debugger before it enables the button).
    const bug = page.locator(".jp-DebuggerBugButton").first();
    await bug.waitFor({ state: "visible", timeout: 60_000 });
    await waitFor(page, "bug button enabled", () => !document.querySelector(".jp-DebuggerBugButton")?.closest("button, jp-button")?.disabled);
    await bug.click();
    await waitFor(page, "debugger on", () => document.querySelector(".jp-DebuggerBugButton")?.closest("[aria-pressed]")?.getAttribute("aria-pressed") === "true"
      || document.querySelector(".jp-DebuggerBugButton[aria-pressed=true]") !== null);
    await waitFor(page, "breakpoint gutter", () => document.querySelectorAll(".jp-Cell .cm-breakpoint-gutter .cm-gutterElement").length > 6, 30_000);

    // A click in the breakpoint gutter, on the line inside the loop.
    const gutter = page.locator(".jp-Cell .cm-breakpoint-gutter .cm-gutterElement");
    const lines = await gutter.count();
    await gutter.nth(lines - 6 + BREAK_LINE - 1).click();
    await waitFor(page, "breakpoint listed", () => document.querySelector(".jp-DebuggerBreakpoint-line")?.textContent?.trim() === "4", 15_000);
    assert.ok(await page.locator(".jp-Cell .cm-breakpoint-icon").count() >= 1, "a breakpoint marker in the gutter");

    await page.evaluate(() => {
      const app = window.jupyterapp;
      app.shell.currentWidget.content.activeCellIndex = 0;
      window.__run = app.commands.execute("notebook:run-cell");
    });
    await waitFor(page, "paused line highlighted", () => document.querySelector(".jp-DebuggerEditor-highlight") !== null);
    const highlighted = await page.locator(".jp-Cell .jp-DebuggerEditor-highlight").first().innerText();
    assert.match(highlighted, /acc \+= w\.sum\(\)\.itemSync\(\) \* i;/);

    // The panel fills in as its requests answer: wait for both locals (innerText, which separates
    // the rows; textContent runs a name into its value).
    await waitFor(page, "Variables panel lists the tensor and acc", () => {
      const text: string = document.querySelector(".jp-DebuggerVariables")?.innerText ?? "";
      return /Tensor \[3, 2\] float32 cpu/.test(text) && /\bacc\b/.test(text) && /\bw\b/.test(text);
    });
    const vars = await page.locator(".jp-DebuggerVariables").first().innerText();
    assert.match(vars, /\bw\b/);
    assert.match(vars, /\bacc\b/);
    assert.doesNotMatch(vars, /__tsg|__dirname/, "the cell function's own parameters are not the user's locals");
    assert.match(vars, /Tensor \[3, 2\] float32 cpu/);
    await page.screenshot({ path: artifact("debugger.png") });

    // "Render Variable" on the tensor: richInspectVariables' statistics and heatmap in a tab.
    await page.evaluate(() => { void window.jupyterapp.commands.execute("debugger:render-mime-variable", { name: "w" }); });
    await waitFor(page, "rendered tensor", () => document.querySelector('img[alt="heatmap 3x2"]') !== null, 30_000);
    assert.match(await page.locator("body").innerText(), /mean\s+1(\.0+)?/);
    await page.screenshot({ path: artifact("debugger-render-variable.png") });
    await page.evaluate(() => {
      const app = window.jupyterapp;
      const nb = [...app.shell.widgets("main")].find((w: any) => w.title.label === "debug.ipynb");
      app.shell.activateById(nb.id);
    });

    // A page reload while paused: debugInfo gives the breakpoints and the stopped thread back,
    // and JupyterLab shows the paused line again.
    await page.reload();
    await page.waitForFunction(() => window.jupyterapp !== undefined, null, { timeout: 60_000 });
    await page.evaluate(async () => { await window.jupyterapp.restored; });
    await waitFor(page, "paused line highlighted after reload", () => document.querySelector(".jp-Cell .jp-DebuggerEditor-highlight") !== null);
    await waitFor(page, "breakpoint listed after reload", () => document.querySelector(".jp-DebuggerBreakpoint-line")?.textContent?.trim() === "4", 30_000);
    await page.screenshot({ path: artifact("debugger-reloaded.png") });

    // A second click removes the breakpoint; Continue (the call stack's toolbar) finishes the cell.
    await gutter.nth(lines - 6 + BREAK_LINE - 1).click();
    await waitFor(page, "breakpoint removed", () => document.querySelector(".jp-DebuggerBreakpoint-line") === null, 15_000);
    await page.locator("#jp-debugger-sidebar [data-command='debugger:continue'], .jp-SidePanel [data-command='debugger:continue']").first().click();
    // The cell ran to its end (its output went to the page before the reload): the kernel is idle,
    // nothing is highlighted, and the Variables panel's globals hold the final value.
    await waitFor(page, "cell finished", () => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === "idle"
      && document.querySelector(".jp-DebuggerEditor-highlight") === null);
    await waitFor(page, "final value in Variables", () => /acc\W*18/.test(document.querySelector(".jp-DebuggerVariables")?.textContent ?? ""), 30_000);
    // Run again with no breakpoint: the debugger stays on and the cell gives the same result.
    await page.evaluate(() => { void window.jupyterapp.commands.execute("notebook:run-cell"); });
    await waitFor(page, "cell output", () => {
      const cell = window.jupyterapp.shell.currentWidget.content.widgets[0];
      return cell.model.executionCount !== null && /\b18\b/.test(cell.node.querySelector(".jp-OutputArea")?.textContent ?? "");
    });
    await page.screenshot({ path: artifact("debugger-continued.png") });
    assert.deepEqual(errors.filter((e) => /debug/i.test(e)), []);
    await page.close();
  });
});
