// runtime/cell_lines.ts
// Which lines of a cell start at a statement position, for the magics (magics.ts): a `%`, `!` or
// `?` line inside a template literal, a block comment or an open bracket, or one that continues
// an expression (`a &&` then `!b`), is TypeScript and is left alone. A small lexer that follows
// strings, templates with `${}` nesting, comments and regular expressions line by line; the
// lines the caller claims as magics are skipped, so their text never confuses it.

const TEMPLATE = -1;
/** After one of these, a line continues the expression (so `!x` there is TypeScript's not). */
const CONTINUES = new Set([..."=+-*/%&|^!~?:,([<>."]);
/** After one of these (or at the start), `/` begins a regular expression, not a division. */
const REGEX_AFTER = new Set(["", ..."(,=:[!&|?{};+-*%<>~^"]);

export interface LinePosition {
  /** Not inside a template literal, block comment, or parentheses/brackets, and not continuing
   * an expression from the line before. */
  statement: boolean;
  /** Depth of open braces (0 at the top level of the cell). */
  braces: number;
}

interface LexState { block: boolean; stack: number[]; depth: number; braces: number; last: string }

/** Calls `visit` for each line with its position; when visit returns true the line is a magic
 * (the lexer skips it and takes it as a complete statement). */
export function forEachLine(lines: readonly string[], visit: (line: string, index: number, at: LinePosition) => boolean): void {
  const st: LexState = { block: false, stack: [], depth: 0, braces: 0, last: "" };
  lines.forEach((line, i) => {
    const statement = !st.block && st.stack.length === 0 && st.depth === 0 && !CONTINUES.has(st.last);
    if (visit(line, i, { statement, braces: st.braces })) st.last = ";";
    else lexLine(line, st);
  });
}

/** Lexes one line into `st`; returns where a `//` comment starts, or -1. */
function lexLine(s: string, st: LexState): number {
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (st.block) {
      const end = s.indexOf("*/", i);
      if (end < 0) return -1;
      st.block = false;
      i = end + 2;
      continue;
    }
    const top = st.stack.length ? st.stack[st.stack.length - 1] : undefined;
    if (top === TEMPLATE) {
      if (c === "\\") i += 2;
      else if (c === "`") { st.stack.pop(); st.last = "a"; i++; }
      else if (c === "$" && s[i + 1] === "{") { st.stack.push(0); i += 2; }
      else i++;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") { i++; continue; }
    if (c === "/" && s[i + 1] === "/") return i;
    if (c === "/" && s[i + 1] === "*") { st.block = true; i += 2; continue; }
    if (c === "'" || c === "\"") { i = skipQuoted(s, i, c); st.last = "a"; continue; }
    if (c === "`") { st.stack.push(TEMPLATE); i++; continue; }
    if (c === "/" && REGEX_AFTER.has(st.last)) { i = skipRegex(s, i); st.last = "a"; continue; }
    if (c === "{") {
      if (top !== undefined) st.stack[st.stack.length - 1]++;
      else st.braces++;
    } else if (c === "}") {
      if (top === 0) { st.stack.pop(); i++; continue; }   // end of `${...}`: back in the template
      if (top !== undefined) st.stack[st.stack.length - 1]--;
      else st.braces = Math.max(0, st.braces - 1);
    } else if (c === "(" || c === "[") st.depth++;
    else if (c === ")" || c === "]") st.depth = Math.max(0, st.depth - 1);
    // `x++`, `y--` and a generic's `Map<K, V>` end a statement; `=>` continues it.
    const ends = /[\w$]/.test(c) || ((c === "+" || c === "-") && s[i - 1] === c) || (c === ">" && s[i - 1] !== "=");
    st.last = ends ? "a" : c;
    i++;
  }
  return -1;
}

/** Index after a '...' or "..." string (strings end at the line's end at the latest). */
function skipQuoted(s: string, i: number, quote: string): number {
  for (i++; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === quote) return i + 1;
  }
  return s.length;
}

function skipRegex(s: string, i: number): number {
  let inClass = false;
  for (i++; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") i++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) return i + 1;
  }
  return s.length;
}

/** `code // comment` -> `code`: the statement of a %time/%timeit line, which the rewrite wraps
 * (a comment left in would swallow the closing of the wrapper). */
export function stripLineComment(s: string): string {
  const at = lexLine(s, { block: false, stack: [], depth: 0, braces: 0, last: "" });
  return (at < 0 ? s : s.slice(0, at)).trimEnd();
}
