// test/browser/jupyter.ts
// What the browser tests share: a Jupyter server (JupyterLab 4 + Notebook 7 from .venv) on
// 127.0.0.1 with a random port and token and private config/settings/workspace folders, headless
// Debian Chromium through playwright-core with every non-local request refused (the machines
// have no internet: what a page needs must be in the notebook), and notebook files to open.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { jupyterEnv, tempDir, venvBin, assertInstalled, ROOT } from "../interop/helpers";

export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = join(ROOT, "test-artifacts");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
  });
}

export interface JupyterServer { url: string; token: string; root: string; proc: ChildProcess; log: () => string; stop(): Promise<void> }

/** `jupyter lab` serving `root`; one server answers both /lab (JupyterLab) and /notebooks (Notebook 7).
 * The tsgrad kernelspec is the venv's (install.sh's), unless `opts.kernelspecs` or TSGRAD_KERNELSPECS
 * names another share/jupyter folder: a second checkout runs these tests against its own build with
 * `node dist/kernel/main.js install --prefix P` and TSGRAD_KERNELSPECS=P/share/jupyter. */
export async function startJupyter(root: string, opts: { kernelspecs?: string } = {}): Promise<JupyterServer> {
  const kernelspecs = opts.kernelspecs ?? process.env.TSGRAD_KERNELSPECS;
  if (!kernelspecs) assertInstalled();
  const port = await freePort(), token = randomBytes(16).toString("hex");
  const home = tempDir("jupyter-home");
  const env = jupyterEnv({
    ...(kernelspecs ? { JUPYTER_PATH: kernelspecs } : {}),
    JUPYTER_CONFIG_DIR: join(home, "config"), JUPYTER_RUNTIME_DIR: join(home, "runtime"),
    JUPYTERLAB_SETTINGS_DIR: join(home, "settings"), JUPYTERLAB_WORKSPACES_DIR: join(home, "workspaces"),
  });
  // No "get Jupyter news?" toast over the screenshots.
  const settings = join(home, "settings", "@jupyterlab", "apputils-extension");
  mkdirSync(settings, { recursive: true });
  writeFileSync(join(settings, "notification.jupyterlab-settings"), JSON.stringify({ fetchNews: "false" }));
  const proc = spawn(venvBin("jupyter"), ["lab", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0",
    `--IdentityProvider.token=${token}`, `--ServerApp.root_dir=${root}`, "--LabApp.expose_app_in_browser=True",
    "--JupyterNotebookApp.expose_app_in_browser=True", "--allow-root", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
  { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d) => { out += d; });
  proc.stderr!.on("data", (d) => { out += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jupyter lab exited ${proc.exitCode}\n${out.slice(-3000)}`);
    try {
      const r = await fetch(`${url}/api/status?token=${token}`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { proc.kill("SIGKILL"); throw new Error(`jupyter lab did not start in 90 s\n${out.slice(-3000)}`); }
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url, token, root, proc, log: () => out,
    stop: () => new Promise<void>((resolve) => {
      const done = () => { rmSync(home, { recursive: true, force: true }); resolve(); };
      if (proc.exitCode !== null) return done();
      const t = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      proc.once("exit", () => { clearTimeout(t); done(); });
      proc.kill("SIGTERM");
    }),
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run ./install.sh (scripts/install.d/60-browser.sh)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"] });
}

/** A page that may load only from the loopback server, file: and data: URLs; errors are collected. */
export async function offlinePage(browser: Browser, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.route("**/*", (r) => {
    const u = r.request().url();
    return /^(file:|data:|blob:|http:\/\/127\.0\.0\.1[:/])/.test(u) ? r.continue() : r.abort();
  });
  page.on("pageerror", (e) => errors.push(`${e.message}\n${e.stack ?? ""}`));
  return page;
}

export function writeNotebook(path: string, cells: string[]): void {
  const nb = {
    cells: cells.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { name: "tsgrad", display_name: "TypeScript (tsgrad)", language: "typescript" },
      language_info: { name: "typescript" } },
    nbformat: 4, nbformat_minor: 5,
  };
  writeFileSync(path, JSON.stringify(nb, null, 1));
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
