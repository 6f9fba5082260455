// runtime/shell.ts
// Child processes for the magics (issue 16): `!cmd`, `x = !cmd`, `%%bash` and `%npm`. Output is
// streamed to the running cell as it arrives (the main thread is free while a child runs), an
// interrupt kills the child, and a non-zero exit is a ShellError naming the code. After
// `%npm install pkg`, the package's types come from @types/pkg when it ships none.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { currentCell, currentIO } from "./cell_context";
import { Interrupted } from "./errors";
import { UsageError } from "./magics";

/** A shell command, %%bash script or npm run that exited with a non-zero code. */
export class ShellError extends Error {
  override name = "ShellError";
  constructor(readonly command: string, readonly code: number | null, signal: NodeJS.Signals | null, detail = "") {
    super(`${command.length > 80 ? command.slice(0, 77) + "..." : command}: ` +
      (code !== null ? `exited with code ${code}` : `killed by ${signal}`) + (detail ? `\n${detail}` : ""));
  }
}

interface RunOptions {
  /** Where stdout goes: streamed to the cell (default) or collected. */
  capture?: boolean;
  /** The cell's stderr is also collected (npm's error, for the ShellError). */
  keepStderr?: boolean;
  cwd?: string;
  /** Nothing is streamed to the cell (a best-effort step whose failure is expected). */
  quiet?: boolean;
}

interface RunResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs argv[0] with argv[1..], streaming to the calling cell; resolves when it exits. */
function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const ctx = currentCell();
  const io = currentIO();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd ?? process.cwd(), stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => { if (opts.capture || opts.quiet) stdout += d; else io?.stream("stdout", d); });
    child.stderr.setEncoding("utf8").on("data", (d: string) => { if (opts.keepStderr || opts.quiet) stderr += d; if (!opts.quiet) io?.stream("stderr", d); });
    let interrupted = false;
    const stop = () => { interrupted = true; child.kill("SIGTERM"); };
    ctx?.onInterrupt.add(stop);
    child.on("error", (err) => { ctx?.onInterrupt.delete(stop); reject(err); });
    child.on("close", (code, signal) => {
      ctx?.onInterrupt.delete(stop);
      if (interrupted) reject(new Interrupted());
      else resolve({ code, signal, stdout, stderr });
    });
  });
}

const SHELL = fs.existsSync("/bin/bash") ? "/bin/bash" : "/bin/sh";

/** `!cmd`: runs in a shell, output streamed; a non-zero exit throws ShellError. */
export async function sh(command: string): Promise<void> {
  const r = await run([SHELL, "-c", command]);
  if (r.code !== 0) throw new ShellError(command, r.code, r.signal);
}

/** `x = !cmd`: the command's stdout as lines (stderr still streams). As IPython, the exit code
 * is not an error here: `files = !ls *.nothing` is an empty list. */
export async function capture(command: string): Promise<string[]> {
  const r = await run([SHELL, "-c", command], { capture: true });
  const lines = r.stdout.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** `%%bash`: the cell body as a bash script. */
export async function bash(script: string): Promise<void> {
  const r = await run(["bash", "-c", script]);
  if (r.code !== 0) throw new ShellError("%%bash", r.code, r.signal);
}

/** npm's own error lines ("npm error 404 ..."), the part worth repeating in the error message. */
function npmError(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => /^npm (error|ERR!)/.test(l) && !/A complete log of this run|^npm (error|ERR!)( \d+)?\s*$/.test(l));
  return lines.slice(0, 8).join("\n");
}

/** npm beside the node running the kernel (a frontend may start it with a bare PATH), else PATH's. */
const NPM = [path.join(path.dirname(process.execPath), "npm")].find((f) => fs.existsSync(f)) ?? "npm";

const INSTALL = new Set(["install", "i", "add", "in", "isntall"]);

/** Whether an installed package ships its own declarations. */
function shipsTypes(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Record<string, unknown>;
    if (pkg.types || pkg.typings) return true;
    if (JSON.stringify(pkg.exports ?? {}).includes("\"types\"")) return true;
    const main = typeof pkg.main === "string" ? pkg.main.replace(/\.[cm]?js$/, "") : "index";
    return fs.existsSync(path.join(dir, main + ".d.ts")) || fs.existsSync(path.join(dir, "index.d.ts"));
  } catch { return false; }
}

/** `pkg@^1.2` / `@scope/pkg@1` -> the package name; undefined for paths, URLs and git specs. */
export function packageName(spec: string): string | undefined {
  const m = /^(@[a-z0-9][\w.-]*\/[a-z0-9][\w.-]*|[a-z0-9][\w.-]*)(?:@.*)?$/i.exec(spec);
  return m ? m[1] : undefined;
}

/** `%npm install pkg...` installs into `cwd` (the notebook's folder: `--prefix`, so a package.json
 * further up is left alone), streaming npm's output; then @types/pkg for a package that ships no
 * types. Other npm commands run as given, in `cwd`. */
export async function npm(args: string, cwd = process.cwd()): Promise<void> {
  const argv = args.trim().split(/\s+/).filter(Boolean);
  if (argv.length === 0) throw new UsageError("%npm: say what to run, e.g. %npm install left-pad");
  const installing = INSTALL.has(argv[0]);
  const full = installing ? [NPM, ...argv, "--prefix", cwd, "--no-fund", "--no-audit"] : [NPM, ...argv];
  const r = await run(full, { cwd, keepStderr: true });
  if (r.code !== 0) throw new ShellError(`npm ${argv.join(" ")}`, r.code, r.signal, npmError(r.stderr));
  if (!installing) return;
  const io = currentIO();
  for (const spec of argv.slice(1).filter((a) => !a.startsWith("-"))) {
    const name = packageName(spec);
    if (!name || name.startsWith("@types/") || shipsTypes(path.join(cwd, "node_modules", name))) continue;
    const typesName = `@types/${name.startsWith("@") ? name.slice(1).replace("/", "__") : name}`;
    const t = await run([NPM, "install", typesName, "--prefix", cwd, "--no-fund", "--no-audit"], { cwd, quiet: true })
      .catch((err: unknown) => { if (err instanceof Interrupted) throw err; return undefined; });
    io?.stream("stdout", t?.code === 0 ? `added types from ${typesName}\n`
      : `${name} ships no types and ${typesName} was not found: its imports are typed any\n`);
  }
}
