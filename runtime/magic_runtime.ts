// runtime/magic_runtime.ts
// What a rewritten magic line calls (issue 16): the cell global `__tsgMagic` (exported through
// runtime/index.ts, so the checker types it; completion hides `__tsg` names). One function per
// line magic, typed over the table in magics.ts so a magic without an implementation fails the
// build. Help and %reset need the evaluator: it attaches itself as the MagicHost. Pager and
// set_next_input payloads are kept per cell until the evaluator takes them for execute_reply.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { currentCell, currentIO, type CellContext } from "./cell_context";
import type { InspectResult } from "./io";
import { LINE_MAGICS, UsageError, lsmagic, type LineMagic } from "./magics";
import { bash, capture, npm, sh } from "./shell";
import { timeEnd, timeStart, timeit } from "./timing";

/** What the evaluator lends the magics. */
export interface MagicHost {
  inspect(code: string, cursorPos: number, detailLevel: number): InspectResult;
  /** Forget every name the notebook defined (values and types). */
  reset(): void;
  /** Packages were installed or removed: the checker looks them up afresh. */
  packagesChanged(): void;
}

let host: MagicHost | undefined;
export function setMagicHost(h: MagicHost): void { host = h; }

/** Names cells defined on globalThis, in the order first defined (the evaluator reports each). */
const userNames = new Set<string>();
export function noteUserName(name: string): void { userNames.add(name); }
export function forgetUserNames(): string[] {
  const names = [...userNames];
  userNames.clear();
  return names;
}

/** Execute-reply payloads of each running cell ("page", "set_next_input"). */
const payloads = new WeakMap<CellContext, Record<string, unknown>[]>();
function addPayload(p: Record<string, unknown>): void {
  const ctx = currentCell();
  if (!ctx) return;
  const list = payloads.get(ctx) ?? [];
  list.push(p);
  payloads.set(ctx, list);
}
export function takePayload(ctx: CellContext): Record<string, unknown>[] | undefined {
  const list = payloads.get(ctx);
  payloads.delete(ctx);
  return list;
}

function say(text: string): void {
  currentIO()?.stream("stdout", text.endsWith("\n") ? text : text + "\n");
}

/** The live user names, sorted; each with its value (a throwing getter reads as the error).
 * `types` ("Tensor number"): only names whose %whos type is one of them, as IPython's `%who int`. */
function userValues(types = ""): [string, unknown][] {
  const g = globalThis as Record<string, unknown>;
  const only = new Set(types.split(/[\s,]+/).filter(Boolean));
  return [...userNames].filter((n) => Object.prototype.hasOwnProperty.call(g, n)).sort()
    .map((n): [string, unknown] => { try { return [n, g[n]]; } catch (err) { return [n, err]; } })
    .filter(([, v]) => only.size === 0 || only.has(describe(v)[0]));
}

/** The value a dotted name reads in the notebook (`nn.Linear`), without evaluating code. */
function lookup(name: string): unknown {
  let v: unknown = globalThis;
  for (const part of name.split(".")) {
    if (v === null || v === undefined) return undefined;
    try { v = (v as Record<string, unknown>)[part]; } catch { return undefined; }
  }
  return v;
}

/** Type and a one-line summary of a value, for %whos. A tensor: shape, dtype and device. */
function describe(value: unknown): [string, string] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Tensor } = require("./tensor/index") as typeof import("./tensor/index");
  if (value instanceof Tensor) return ["Tensor", `[${value.shape.join(", ")}] ${value.dtype} ${value.device}`];
  if (value === null) return ["null", "null"];
  const t = typeof value;
  if (t === "function") {
    const f = value as { name: string; length: number };
    return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? ["class", f.name] : ["function", `${f.name}(${f.length} args)`];
  }
  if (t !== "object") {
    const s = t === "string" ? JSON.stringify(value) : String(value);
    return [t, s.length > 60 ? s.slice(0, 57) + "..." : s];
  }
  const name = (value as object).constructor?.name ?? "Object";
  if (Array.isArray(value)) return [name, `length ${value.length}`];
  if (value instanceof Map || value instanceof Set) return [name, `size ${value.size}`];
  if (ArrayBuffer.isView(value)) return [name, `length ${(value as unknown as ArrayLike<number>).length}`];
  if (value instanceof Error) return [name, value.message];
  const keys = Object.keys(value as object);
  return [name, keys.length ? `{ ${keys.slice(0, 5).join(", ")}${keys.length > 5 ? ", ..." : ""} }` : "{}"];
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => c === r.length - 1 ? cell : cell.padEnd(widths[c])).join("   ");
  return [line(rows[0]), "-".repeat(widths.reduce((a, b) => a + b + 3, -3)), ...rows.slice(1).map(line)].join("\n");
}

function env(args: string): unknown {
  if (!args) return { ...process.env };
  const m = /^([A-Za-z_]\w*)(?:\s*=\s*|\s+)(.*)$/.exec(args);
  if (!m) return process.env[args];
  process.env[m[1]] = m[2];
  say(`env: ${m[1]}=${m[2]}`);
  return undefined;
}

let previousDir: string | undefined;
function cd(args: string): void {
  let dir = args.replace(/^(['"])(.*)\1$/, "$2") || os.homedir();
  if (dir === "-") {
    if (!previousDir) throw new UsageError("%cd -: no previous folder");
    dir = previousDir;
  }
  dir = dir.replace(/^~(?=$|\/)/, os.homedir());
  const from = process.cwd();
  try { process.chdir(path.resolve(dir)); } catch { throw new UsageError(`%cd: no such folder: ${dir}`); }
  previousDir = from;
  say(process.cwd());
}

async function reset(args: string): Promise<void> {
  if (!/(^|\s)-f(\s|$)/.test(args)) {
    const io = currentIO();
    const answer = await io?.input("Once deleted, variables cannot be recovered. Proceed (y/[n])? ", false)
      .catch(() => { throw new UsageError("%reset: this frontend cannot ask; use %reset -f"); });
    if (!/^y/i.test(answer ?? "")) { say("Nothing done."); return; }
  }
  if (!host) throw new UsageError("%reset: no evaluator attached");
  host.reset();
}

function load(args: string): void {
  const file = args.replace(/^(['"])(.*)\1$/, "$2");
  if (!file) throw new UsageError("%load: give a file, e.g. %load helpers.ts");
  let text: string;
  try { text = fs.readFileSync(path.resolve(file), "utf8"); } catch (err) {
    throw new UsageError(`%load: cannot read ${file}: ${(err as Error).message}`);
  }
  // As IPython: the frontend replaces this cell's text by the file, to edit and run.
  addPayload({ source: "set_next_input", text: `// %load ${args}\n${text.replace(/\n$/, "")}`, replace: true });
}

/** One implementation per line magic in the table (%time, %timeit and %nocheck are rewritten
 * into other calls before they run). */
const LINE: Record<Exclude<LineMagic, "time" | "timeit" | "nocheck">, (args: string) => unknown> = {
  env,
  cd,
  pwd: () => process.cwd(),
  who: (type) => {
    const names = userValues(type).map(([n]) => n);
    say(names.length ? names.join("\t") : "Interactive namespace is empty.");
  },
  whos: (type) => {
    const rows = userValues(type).map(([n, v]) => [n, ...describe(v)]);
    say(rows.length ? table([["Variable", "Type", "Data/Info"], ...rows]) : "Interactive namespace is empty.");
  },
  reset,
  lsmagic: () => say(lsmagic()),
  load,
  npm: async (args) => {
    try { return await npm(args); } finally { host?.packagesChanged(); }
  },
};

/** The cell global the rewritten magics call. */
export const magicRuntime = {
  async line(name: string, args: string): Promise<unknown> {
    const fn = (LINE as Record<string, (args: string) => unknown>)[name];
    if (!fn) throw new UsageError(`%${name}: ${name in LINE_MAGICS ? "not a line of its own" : "unknown magic"}`);
    return await fn(args);
  },
  timeStart, timeEnd, timeit, sh, capture, bash,
  html(body: string): void { currentIO()?.display({ "text/html": body, "text/plain": "[HTML]" }, {}, {}); },
  markdown(body: string): void { currentIO()?.display({ "text/markdown": body, "text/plain": body }, {}, {}); },
  /** `?name`, `name?` (detail 0) and `name??` (detail 1): the pager, as inspect_request shows it. */
  help(name: string, detail: number): void {
    const r = host?.inspect(name, name.length, detail);
    // An unresolved name comes back from the checker as a bare "any".
    if (!r?.found || r.data["text/plain"] === "any") { say(`Object \`${name}\` not found.`); return; }
    let data = r.data;
    // name??: also the source, as IPython (the JavaScript that runs: a cell's code is compiled).
    const value = detail > 0 ? lookup(name) : undefined;
    const src = typeof value === "function" ? Function.prototype.toString.call(value) : "";
    if (src && !src.includes("[native code]")) {
      data = { "text/plain": `${data["text/plain"]}\n\nSource:\n${src}`,
        "text/markdown": `${data["text/markdown"] ?? ""}\n\n**Source:**\n\n\`\`\`js\n${src}\n\`\`\`` };
    }
    addPayload({ source: "page", data, start: 0 });
  },
};
