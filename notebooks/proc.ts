// notebooks/proc.ts
// The one process runner: runs a command to completion (killed after a hard timeout) and collects
// its output. notebooks/runner.ts (`npm start`) and the tests (test/interop/helpers.ts, which
// give it their Jupyter environment) both use it; it knows nothing of notebooks or Jupyter.
import { spawn } from "node:child_process";
import { ROOT } from "./build";

export interface RunResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }
export interface RunOptions {
  /** Default: the repository root. */
  cwd?: string;
  /** Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** SIGKILL after this long; default 120 s. */
  timeoutMs?: number;
  /** Written to the child's stdin, which is then closed (empty by default). */
  input?: string;
}

/** Runs a command to completion (or kills it after timeoutMs) and collects its output. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
    child.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", (err) => { clearTimeout(timer); reject(err); });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
    // A child that exits before reading its input would fail the write with EPIPE: not our error.
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

/** A short description of a failed run for assertion messages. */
export function describeRun(r: RunResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ""} after ${r.ms.toFixed(0)} ms\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-6000)}`;
}
