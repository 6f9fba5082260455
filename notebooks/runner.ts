// notebooks/runner.ts
// Runs one notebook headless through the real papermill CLI from .venv (kernel "tsgrad" from the
// notebook's metadata, parameters as `-p name value`), optionally renders it to HTML with the
// venv's nbconvert, and reads back what the notebook reported: the `tsgrad-metrics` JSON display
// its last cell emits, and the error of a failed cell. Used by run_all.ts (`npm start`) and by
// test/notebooks. Knows nothing about what the notebooks teach.
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ROOT } from "./build";
import { run as runProcess, type RunResult } from "./proc";

export const VENV = join(ROOT, ".venv");
export const venvBin = (name: string): string => join(VENV, "bin", name);

/** Environment for the Jupyter tools: the venv's kernelspec first, the venv's bin on PATH.
 * TSGRAD_JUPYTER_PATH (folders holding kernels/tsgrad/kernel.json, e.g. from
 * `node dist/kernel/main.js install --prefix DIR` as DIR/share/jupyter) goes before the venv's, to
 * run the notebooks on another build's kernel. */
export function jupyterEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${join(VENV, "bin")}:${process.env.PATH ?? ""}`,
    VIRTUAL_ENV: VENV,
    JUPYTER_PATH: [process.env.TSGRAD_JUPYTER_PATH, join(VENV, "share", "jupyter")].filter(Boolean).join(":"),
    JUPYTER_PLATFORM_DIRS: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    ...extra,
  };
}

export type Params = [name: string, value: string][];

export interface NotebookRun {
  notebook: string;
  output: string;
  html?: string;
  ok: boolean;
  seconds: number;
  /** What the notebook's `tsgrad-metrics` display said (last one wins per key). */
  metrics: Record<string, unknown>;
  /** ename: evalue of the first error output, when a cell failed. */
  error?: string;
  proc: RunResult;
}

interface Output { output_type: string; data?: Record<string, unknown>; metadata?: Record<string, unknown>; ename?: string; evalue?: string }
interface Notebook { cells: { cell_type: string; outputs?: Output[] }[] }

/** Metrics and the first error from an executed notebook. */
export function readResults(path: string): { metrics: Record<string, unknown>; error?: string } {
  const nb = JSON.parse(readFileSync(path, "utf8")) as Notebook;
  const metrics: Record<string, unknown> = {};
  let error: string | undefined;
  for (const cell of nb.cells) for (const o of cell.outputs ?? []) {
    if (o.output_type === "error" && error === undefined) error = `${o.ename}: ${o.evalue}`;
    const json = o.data?.["application/json"];
    if (o.metadata?.["tsgrad-metrics"] && json && typeof json === "object") Object.assign(metrics, json);
  }
  return { metrics, error };
}

/**
 * papermill <notebook> <outDir>/<name>.ipynb -p ... --cwd <outDir> (files the notebook writes,
 * such as checkpoints, land next to its output), then nbconvert --to html unless html is false.
 */
export async function runNotebook(notebook: string, outDir: string, params: Params = [],
  opts: { html?: boolean; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<NotebookRun> {
  const output = join(outDir, basename(notebook));
  const args = [notebook, output, "--cwd", outDir, "--no-progress-bar"];
  for (const [k, v] of params) args.push("-p", k, v);
  const proc = await runProcess(venvBin("papermill"), args, { timeoutMs: opts.timeoutMs ?? 600_000, env: jupyterEnv(opts.env) });
  const ok = proc.code === 0;
  const results = existsSync(output) ? readResults(output) : { metrics: {} };
  const run: NotebookRun = { notebook: basename(notebook, ".ipynb"), output, ok, seconds: proc.ms / 1000, proc, ...results };
  if (!ok && !run.error) run.error = lastLines(proc.stderr, 3);
  if (opts.html !== false && existsSync(output)) {
    const html = await runProcess(venvBin("jupyter"), ["nbconvert", "--to", "html", output, "--output-dir", outDir], { timeoutMs: 120_000, env: jupyterEnv() });
    if (html.code === 0) run.html = output.replace(/\.ipynb$/, ".html");
    else run.error = (run.error ? `${run.error}; ` : "") + `nbconvert failed: ${lastLines(html.stderr, 2)}`;
  }
  return run;
}

export function lastLines(text: string, n: number): string {
  return text.trim().split("\n").slice(-n).join(" | ");
}

/** Runs fn over items with at most `limit` in flight, keeping the input order in the result. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => { while (next < items.length) { const i = next++; out[i] = await fn(items[i], i); } };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
