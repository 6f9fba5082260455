// runtime/magics.ts
// IPython's habits in a TypeScript cell (issue 16): the one table of magics, and the rewrite of a
// cell into the TypeScript that runs it. Each magic line becomes a call into `__tsgMagic` (a cell
// global, magic_runtime.ts) on the same line, so the checker never sees magic syntax, the rest of
// the cell is checked as written, line numbers of diagnostics and tracebacks stay the cell's, and
// magics run in order with the code around them. %lsmagic, completion after `%` and the
// unknown-magic error all read the table below. Knows nothing about how cells are compiled or run.
import * as fs from "fs";
import * as path from "path";
import { forEachLine, stripLineComment } from "./cell_lines";
import { parseTimeitArgs, timeCell } from "./timing";
import type { CompleteResult, IsCompleteStatus } from "./io";

/** Line magics: `%name args`. Documentation is what %lsmagic and completion show. */
export const LINE_MAGICS = {
  time: "%time <statement>: CPU and wall time of one statement",
  timeit: "%timeit [-n N] [-r R] [-q] [-o] <statement>: mean ± std. dev. over repeated loops",
  env: "%env | %env NAME | %env NAME=value: show or set environment variables",
  cd: "%cd [dir]: change the working folder (home without an argument)",
  pwd: "%pwd: the working folder",
  who: "%who [type...]: the notebook's names (of those types: %who Tensor)",
  whos: "%whos [type...]: the notebook's names with type and value (a tensor: shape, dtype, device)",
  reset: "%reset [-f]: delete every name the notebook defined (-f: without asking)",
  nocheck: "%nocheck: run this cell without type checking",
  lsmagic: "%lsmagic: list the magics",
  load: "%load <file>: replace this cell by the file's contents",
  npm: "%npm install <pkg>...: install packages into the notebook's folder (others: npm <args> there)",
} as const;

/** Cell magics: `%%name args` on the cell's first line. */
export const CELL_MAGICS = {
  time: "%%time: CPU and wall time of the cell",
  timeit: "%%timeit [-n N] [-r R] [-q] [-o] [setup]: time the cell's body over repeated loops",
  nocheck: "%%nocheck: run the cell without type checking",
  html: "%%html: show the cell as HTML",
  markdown: "%%markdown: show the cell as Markdown",
  bash: "%%bash: run the cell as a bash script",
} as const;

export type LineMagic = keyof typeof LINE_MAGICS;
export type CellMagic = keyof typeof CELL_MAGICS;

/** Misuse of a magic: an unknown name, a missing argument. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(message: string) {
    super(message);
    this.stack = `UsageError: ${message}`;   // the kernel's frames say nothing to the user
  }
}

export function lsmagic(): string {
  return `Line magics:\n  ${Object.keys(LINE_MAGICS).map((n) => "%" + n).join("  ")}\n` +
    `Cell magics:\n  ${Object.keys(CELL_MAGICS).map((n) => "%%" + n).join("  ")}\n` +
    "Also: !cmd (shell), x = !cmd (its output lines), ?name / name? / name?? (documentation)\n";
}

function unknown(name: string, cell: boolean): UsageError {
  return new UsageError(`unknown magic ${cell ? "%%" : "%"}${name}. ` +
    `Line magics: ${Object.keys(LINE_MAGICS).map((n) => "%" + n).join(" ")}; ` +
    `cell magics: ${Object.keys(CELL_MAGICS).map((n) => "%%" + n).join(" ")}`);
}

export interface PreparedCell {
  /** TypeScript to compile and run: the cell with each magic line rewritten on its own line. */
  source: string;
  check: boolean;
  /** Set when the cell misuses a magic: nothing of it runs. */
  error?: Error;
  /** Wraps the cell's run (%%time). */
  around?: <T>(run: () => Promise<T>) => Promise<T>;
  /** The cell uses magics (so the is_complete of its TypeScript goes through `masked`). */
  magic: boolean;
  /** Same length as the cell, magic syntax blanked out: for completion and inspection positions. */
  masked: string;
}

const RT = "__tsgMagic";
const KEYWORDS = new Set(["typeof", "void", "delete", "new", "await", "this", "true", "false", "null", "undefined",
  "function", "class", "yield", "super", "import", "async", "NaN", "Infinity"]);
const NAME = "[A-Za-z_$][\\w$]*";
const HELP_BEFORE = new RegExp(`^(\\?\\??)\\s*(${NAME}(?:\\.${NAME})*)\\s*$`);
const HELP_AFTER = new RegExp(`^(${NAME}(?:\\.${NAME})*)\\s*(\\?\\??)\\s*$`);
const CAPTURE = new RegExp(`^((?:(?:const|let|var)\\s+)?${NAME}\\s*(?::\\s*string\\s*\\[\\s*\\]\\s*)?=\\s*)!(.*)$`);
const blank = (s: string) => " ".repeat(s.length);

/** `!word ...` is a shell command unless it reads as TypeScript's `!` on a name the cell can see
 * (`!done && go()`); `!sleep 1` is a command, since `sleep 1` is no expression. */
function isShell(rest: string, code: string): boolean {
  if (!/^[^\s(!=]/.test(rest)) return false;
  const word = new RegExp(`^${NAME}`).exec(rest)?.[0];
  if (!word) return true;
  return !isKnown(word, code) || !isExpression("!" + rest);
}

/** Whether `name` is one the cell can see: a keyword value, a global, or declared in the cell. */
function isKnown(name: string, code: string): boolean {
  return KEYWORDS.has(name) || name in globalThis ||
    new RegExp(`\\b(?:const|let|var|function\\*?|class|enum)\\s+${name.replace(/\$/g, "\\$")}\\b`).test(code);
}

/** A shell command as a TypeScript string: `{expr}` and `$name` of the notebook's names are
 * interpolated, as IPython does (`!ls {dir}`, `!echo $n`), and checked like any code; anything
 * else (`$HOME`, `${HOME}`, awk's `{print $1}`, find's `{}`, `$$`) reaches the shell as typed. */
function shellString(cmd: string, code: string): string {
  let out = "";
  let interpolated = false;
  const lit = (c: string) => { out += c === "\\" || c === "`" || c === "$" ? "\\" + c : c; };
  for (let i = 0; i < cmd.length;) {
    const brace = cmd[i] === "{" && cmd[i - 1] !== "$" ? /^\{([^{}]+)\}/.exec(cmd.slice(i)) : null;
    const head = brace ? new RegExp(`^\\s*(${NAME})`).exec(brace[1])?.[1] : undefined;
    if (brace && head && isKnown(head, code) && isExpression(brace[1])) {
      out += `\${${brace[1]}}`;
      interpolated = true;
      i += brace[0].length;
      continue;
    }
    const dollar = cmd[i] === "$" ? new RegExp(`^\\$(${NAME})`).exec(cmd.slice(i)) : null;
    if (dollar && isKnown(dollar[1], code)) {
      out += `\${${dollar[1]}}`;
      interpolated = true;
      i += dollar[0].length;
      continue;
    }
    lit(cmd[i]);
    i++;
  }
  return interpolated ? `\`${out}\`` : JSON.stringify(cmd);
}

/** One statement of TypeScript, with no parse errors, that is an expression. */
function isExpression(stmt: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = (require("./compiler") as typeof import("./compiler")).loadTypeScript();
  const sf = ts.createSourceFile("stmt.ts", stmt, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const errs = (sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
  return errs.length === 0 && sf.statements.length === 1 && ts.isExpressionStatement(sf.statements[0]);
}

const hasAwait = (s: string) => /\bawait\b/.test(s);
const loopHead = (isAsync: boolean) =>
  `${isAsync ? "async " : ""}(__tsgN: number) => { for (let __tsgI = 0; __tsgI < __tsgN; __tsgI++) {`;

/** One rewritten line magic: its TypeScript, and how much of the line is magic syntax (blanked
 * in `masked`; the rest is TypeScript at its own columns). */
function lineMagic(name: string, args: string, out: { check: boolean }): { ts: string; magicChars?: number } {
  if (!(name in LINE_MAGICS)) throw unknown(name, false);
  const magic = name as LineMagic;
  if (magic === "nocheck") { out.check = false; return { ts: "" }; }
  if (magic === "time") {
    const stmt = stripLineComment(args).replace(/;\s*$/, "");
    if (!stmt) throw new UsageError("%time: give a statement to time, e.g. %time model.forward(x)");
    return isExpression(stmt) ? { ts: `${RT}.timeStart(); (await ${RT}.timeEnd((${stmt}))).v;` }
      : { ts: `${RT}.timeStart(); ${stmt}; void (await ${RT}.timeEnd());` };
  }
  if (magic === "timeit") {
    const { opts, rest } = parseTimeitArgs(args);
    const stmt = stripLineComment(rest).replace(/;\s*$/, "");
    if (!stmt) throw new UsageError("%timeit: give a statement to time, e.g. %timeit a.matmul(b)");
    return { ts: `await ${RT}.timeit(${JSON.stringify(opts)}, ${loopHead(hasAwait(stmt))} ${stmt}; } });`, magicChars: args.length - rest.length };
  }
  return { ts: `await ${RT}.line(${JSON.stringify(magic)}, ${JSON.stringify(args.trim())});` };
}

/** Rewrites the line-level magics of `lines` (all but a cell magic's header) in place. */
function rewriteLines(lines: string[], masked: string[], code: string, out: { check: boolean; magic: boolean }): void {
  forEachLine(lines.slice(), (line, i, at) => {
    if (!at.statement) return false;
    const indent = /^\s*/.exec(line)![0];
    const t = line.slice(indent.length);
    let ts: string | undefined;
    let keep = 0;   // characters at the end of the line that stay TypeScript in `masked`
    const m = /^%(%?)([A-Za-z_]\w*)(?:\s(.*))?$/.exec(t);
    if (m) {
      if (m[1]) throw new UsageError(`%%${m[2]}: a cell magic goes on the cell's first line`);
      const r = lineMagic(m[2], m[3] ?? "", out);
      ts = r.ts;
      if (m[2] === "time" || m[2] === "timeit") keep = Math.max(0, (m[3] ?? "").length - (r.magicChars ?? 0));
    } else if (at.braces === 0) {
      const help = HELP_BEFORE.exec(t) ?? HELP_AFTER.exec(t);
      const capture = CAPTURE.exec(t);
      if (t.startsWith("!") && isShell(t.slice(1), code)) ts = `await ${RT}.sh(${shellString(t.slice(1).trim(), code)});`;
      else if (capture && isShell(capture[2], code)) {
        ts = `${capture[1]}await ${RT}.capture(${shellString(capture[2].trim(), code)});`;
        keep = -1;
      } else if (help) {
        const [name, marks] = help[1].startsWith("?") ? [help[2], help[1]] : [help[1], help[2]];
        ts = `await ${RT}.help(${JSON.stringify(name)}, ${marks.length - 1});`;
      }
    }
    if (ts === undefined) return false;
    out.magic = true;
    lines[i] = indent + ts;
    // x = !cmd stays `x = []` for completion and is_complete.
    masked[i] = keep < 0 ? line.replace(/!.*$/, (s) => "[]" + blank(s.slice(2))) : blank(line.slice(0, line.length - keep)) + line.slice(line.length - keep);
    return true;
  });
}

/** The cell as TypeScript to run (see PreparedCell). Never throws: misuse comes back as `error`. */
export function prepareCell(code: string, typecheck: boolean): PreparedCell {
  const out = { check: typecheck, magic: false };
  if (/^\s*(\/\/[^\n]*\n\s*)*\/\/\s*@ts-nocheck/.test(code)) out.check = false;
  const lines = code.split("\n");
  const masked = lines.slice();
  try {
    const head = lines.findIndex((l) => l.trim() !== "");
    const cm = head >= 0 ? /^\s*%%([A-Za-z_]\w*)(?:\s+(.*))?$/.exec(lines[head]) : null;
    if (cm) return { ...cellMagic(cm[1], cm[2] ?? "", lines, masked, head, code, out), magic: true };
    rewriteLines(lines, masked, code, out);
    return { source: lines.join("\n"), check: out.check, magic: out.magic, masked: masked.join("\n") };
  } catch (err) {
    return { source: "", check: false, error: err as Error, magic: true, masked: blank(code) };
  }
}

function cellMagic(name: string, args: string, lines: string[], masked: string[], head: number, code: string,
  out: { check: boolean; magic: boolean }): Omit<PreparedCell, "magic"> {
  if (!(name in CELL_MAGICS)) throw unknown(name, true);
  const magic = name as CellMagic;
  const body = lines.slice(head + 1).join("\n");
  masked[head] = blank(lines[head]);
  if (magic === "html" || magic === "markdown" || magic === "bash") {
    const call = magic === "bash" ? `await ${RT}.bash(${JSON.stringify(body)});` : `${RT}.${magic}(${JSON.stringify(body)});`;
    return { source: call, check: false, masked: code.replace(/[^\n]/g, " ") };
  }
  const rest = lines.slice(head + 1);
  const restMasked = rest.slice();
  rewriteLines(rest, restMasked, code, out);
  lines.splice(head + 1, rest.length, ...rest);
  masked.splice(head + 1, rest.length, ...restMasked);
  lines[head] = "";
  const result = (): Omit<PreparedCell, "magic"> => ({ source: lines.join("\n"), check: out.check, masked: masked.join("\n") });
  if (magic === "nocheck") { out.check = false; return result(); }
  if (magic === "time") return { ...result(), around: timeCell };
  // %%timeit: the body becomes the loop of a closure; its setup (the rest of the first line) runs once.
  if (rest.join("").trim() === "") throw new UsageError("%%timeit: the cell has nothing to time");
  const { opts, rest: setup } = parseTimeitArgs(args);
  const isAsync = hasAwait(rest.join("\n")) || hasAwait(setup);
  lines[head] = `await ${RT}.timeit(${JSON.stringify(opts)}, ${isAsync ? "await (async " : "("}() => { ${stripLineComment(setup)}; ` +
    `return ${loopHead(isAsync)}`;
  lines[lines.length - 1] += "\n} }; })());";
  return result();
}

/** complete_request at a `%` / `%%` token at a line's start: magic names; otherwise undefined. */
export function completeMagic(code: string, cursor: number): CompleteResult | undefined {
  const lineStart = code.lastIndexOf("\n", cursor - 1) + 1;
  const file = /^\s*%(load|cd)\s+(\S*)$/.exec(code.slice(lineStart, cursor));
  if (file) return completePath(file[2], cursor, file[1] === "cd");
  const m = /^(\s*)(%%?)(\w*)$/.exec(code.slice(lineStart, cursor));
  if (!m) return undefined;
  const start = lineStart + m[1].length;
  const word = m[3];
  const names = [
    ...(m[2] === "%" ? Object.keys(LINE_MAGICS).filter((n) => n.startsWith(word)).map((n) => "%" + n) : []),
    ...Object.keys(CELL_MAGICS).filter((n) => n.startsWith(word)).map((n) => "%%" + n),
  ];
  return {
    matches: names, cursor_start: start, cursor_end: cursor,
    metadata: { _jupyter_types_experimental: names.map((text) => ({ start, end: cursor, text, type: "magic" })) },
  };
}

/** `%load he` / `%cd sr`: files (folders for %cd) of the working folder that start so. */
function completePath(typed: string, cursor: number, foldersOnly: boolean): CompleteResult {
  const slash = typed.lastIndexOf("/");
  const dir = slash >= 0 ? typed.slice(0, slash + 1) : "";
  let names: string[] = [];
  try {
    names = fs.readdirSync(path.resolve(dir || "."), { withFileTypes: true })
      .filter((e) => e.name.startsWith(typed.slice(slash + 1)) && (!foldersOnly || e.isDirectory()))
      .map((e) => dir + e.name + (e.isDirectory() ? "/" : "")).sort();
  } catch { /* no such folder: nothing to offer */ }
  const start = cursor - typed.length;
  return { matches: names, cursor_start: start, cursor_end: cursor,
    metadata: { _jupyter_types_experimental: names.map((text) => ({ start, end: cursor, text, type: "path" })) } };
}

/** is_complete with magics: a cell magic whose body is not TypeScript (%%bash, %%html,
 * %%markdown) ends with a blank line, as in IPython's console; otherwise the TypeScript left
 * once magic syntax is blanked out decides. */
export function isCompleteCell(code: string, isCompleteCode: (code: string) => IsCompleteStatus): IsCompleteStatus {
  const cm = /^\s*%%([A-Za-z_]\w*)/.exec(code);
  if (cm && (cm[1] === "html" || cm[1] === "markdown" || cm[1] === "bash")) {
    return /\n[ \t]*\n$/.test(code) ? { status: "complete" } : { status: "incomplete", indent: "" };
  }
  const cell = prepareCell(code, false);
  if (cell.error) return { status: "invalid" };
  if (cm && cell.masked.trim() === "") return { status: "incomplete", indent: "" };
  return isCompleteCode(cell.magic ? cell.masked : code);
}
