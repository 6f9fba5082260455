// test/interop/helpers.ts
// What the interop tests share: paths into the repo and its .venv, an environment that makes
// every Jupyter tool find the kernelspec install.sh put into the venv (not some other copy), and
// the process runner (notebooks/proc.ts) with that environment. The tools themselves are real.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describeRun, run as runProcess, type RunOptions, type RunResult } from "../../notebooks/proc";

export const ROOT = resolve(__dirname, "..", "..");
export const VENV = join(ROOT, ".venv");
export const PYTHON = join(VENV, "bin", "python");
export const FIXTURES = join(ROOT, "test", "fixtures", "notebooks");
export const PY_TESTS = join(__dirname, "python");
export const KERNEL_NAME = "tsgrad";
export const KERNEL_DIR = join(VENV, "share", "jupyter", "kernels", KERNEL_NAME);

export const venvBin = (name: string): string => join(VENV, "bin", name);

const tempDirs: string[] = [];
process.once("exit", () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the OS temp dir, removed when the test process exits (set
 * TSGRAD_KEEP_TEMP=1 to keep them for a post-mortem). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tsgrad-${prefix}-`));
  if (process.env.TSGRAD_KEEP_TEMP !== "1") tempDirs.push(dir);
  return dir;
}

/** Environment for Jupyter tools: the venv's kernelspec first (JUPYTER_PATH outranks the user
 * folder, which another checkout may have pointed elsewhere), a private history file for the
 * kernel, and the venv's bin on PATH as if it were activated. */
export function jupyterEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${join(VENV, "bin")}:${process.env.PATH ?? ""}`,
    VIRTUAL_ENV: VENV,
    JUPYTER_PATH: join(VENV, "share", "jupyter"),
    JUPYTER_PLATFORM_DIRS: "1",
    TSGRAD_DATA_DIR: tempDir("data"),
    PYTHONDONTWRITEBYTECODE: "1",
    ...extra,
  };
}

/** Fails with a clear message when install.sh has not set up what these tests run against. */
export function assertInstalled(): void {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run ./install.sh (scripts/install.d/40-python.sh)`);
  const spec = join(KERNEL_DIR, "kernel.json");
  if (!existsSync(spec)) throw new Error(`${spec} is missing: run ./install.sh`);
  const argv = (JSON.parse(readFileSync(spec, "utf8")) as { argv: string[] }).argv;
  const main = join(ROOT, "dist", "kernel", "main.js");
  if (!argv.includes(main)) throw new Error(`${spec} runs ${argv.join(" ")}, not this checkout's ${main}: run ./install.sh`);
  if (!existsSync(main)) throw new Error(`${main} is missing: npm run build`);
}

export { describeRun, type RunResult };

/** Runs a command to completion (or kills it after timeoutMs) with jupyterEnv() unless opts.env. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runProcess(cmd, args, { ...opts, env: opts.env ?? jupyterEnv() });
}

// Notebook JSON, as much of nbformat 4 as the tests read.
export interface NbOutput {
  output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown>;
  ename?: string; evalue?: string; traceback?: string[]; execution_count?: number | null;
  metadata?: Record<string, unknown>;
}
export interface NbCell { cell_type: string; source: string | string[]; outputs?: NbOutput[]; metadata: Record<string, unknown>; execution_count?: number | null }
export interface Notebook { cells: NbCell[]; metadata: Record<string, unknown> }

export const readNotebook = (path: string): Notebook => JSON.parse(readFileSync(path, "utf8")) as Notebook;
export const joinText = (t: string | string[] | undefined): string => (Array.isArray(t) ? t.join("") : t ?? "");
export const codeCells = (nb: Notebook): NbCell[] => nb.cells.filter((c) => c.cell_type === "code");
