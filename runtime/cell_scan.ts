// runtime/cell_scan.ts
// A quick look at a cell's top-level declarations without TypeScript's parser (issue 10): which
// names the cell declares, of what kind, and which it exports, as cell_source.ts's analyzeCell
// finds them. It lets the compiler send the cell to the checker at once, while the syntax worker
// parses, analyses and transpiles it on its own thread (before, the check waited ~0.4 ms for the
// worker's analysis). It is a guess: the compiler compares it with the worker's analysis and checks
// again when they differ, so a wrong guess costs time, never a wrong answer. It answers undefined
// (no guess: the compiler waits for the analysis) for what it does not follow: imports, export
// lists and defaults, destructuring, several declarators in one statement, `declare global`,
// `using`, and text it cannot tokenize.
import type { CellAnalysis, DeclKind } from "./cell_source";

export type Declarations = Pick<CellAnalysis, "names" | "exported">;

type Token = { kind: "word" | "punct" | "value"; text: string; depth: number; newlineBefore: boolean };

/** Words after which a `/` starts a regular expression, not a division. */
const BEFORE_REGEX = new Set(["return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "yield", "await", "instanceof"]);
const KIND: Record<string, DeclKind> = { function: "function", class: "class", enum: "enum", namespace: "namespace", module: "namespace", interface: "type", type: "type" };

/** The cell's top-level declarations, or undefined where the scan does not follow the cell. */
export function scanDeclarations(source: string): Declarations | undefined {
  const tokens = tokenize(source);
  if (!tokens) return undefined;
  const names = new Map<string, DeclKind>();
  const exported = new Set<string>();
  const add = (name: string, kind: DeclKind, isExported: boolean) => {
    names.delete(name); names.set(name, kind);
    if (isExported) exported.add(name);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.depth !== 0 || t.kind !== "word" || !statementStart(tokens, i)) continue;
    let j = i;
    let isExported = false, declared = false;
    if (tokens[j].text === "export") {
      isExported = true;
      j++;
      if (!tokens[j] || tokens[j].kind !== "word" || tokens[j].text === "default" || tokens[j].text === "import" || tokens[j].text === "as") return undefined;
    }
    if (tokens[j].text === "import") {
      // `import(...)` and `import.meta` are expressions; anything else is an import declaration.
      const next = tokens[j + 1]?.text;
      if (next === "(" || next === ".") continue;
      return undefined;
    }
    if (tokens[j].text === "declare") { declared = true; j++; }
    if (tokens[j]?.text === "abstract") j++;
    if (tokens[j]?.text === "async" && tokens[j + 1]?.text === "function" && !tokens[j + 1].newlineBefore) j++;
    const word = tokens[j];
    if (!word || word.kind !== "word") { if (isExported || declared) return undefined; continue; }
    if (word.text === "using" || word.text === "global" || (word.text === "await" && tokens[j + 1]?.text === "using")) return undefined;
    if (word.text === "const" || word.text === "let" || word.text === "var") {
      if (word.text === "const" && tokens[j + 1]?.text === "enum") {
        const name = tokens[j + 2];
        if (name?.kind !== "word") return undefined;
        add(name.text, "enum", isExported);
        i = j + 2;
        continue;
      }
      const name = tokens[j + 1];
      // `let` alone, destructuring, or a name that is not one: the scan does not follow it.
      if (!name || name.kind !== "word" || name.newlineBefore && word.text === "let") return undefined;
      if (severalDeclarators(tokens, j + 2)) return undefined;
      add(name.text, word.text === "const" || declared ? "const" : "let", isExported);
      i = j + 1;
      continue;
    }
    const kind = KIND[word.text];
    if (!kind) { if (isExported || declared) return undefined; continue; }
    let k = j + 1;
    if (word.text === "function" && tokens[k]?.text === "*") k++;
    const name = tokens[k];
    // `type = 1` (a variable called type), `module "x"`, an anonymous export: not a declaration here.
    if (!name || name.kind !== "word" || name.depth !== 0) { if (isExported || declared) return undefined; continue; }
    if ((word.text === "type" || word.text === "interface" || word.text === "namespace" || word.text === "module") && name.newlineBefore) continue;
    if (kind === "type") {
      if (!names.has(name.text)) add(name.text, "type", isExported);
      else if (isExported) exported.add(name.text);
    } else {
      add(name.text, kind, isExported);
    }
    i = k;
  }
  return { names, exported };
}

/** A declaration statement from token `from` on has a comma at its own depth before it ends (a
 * comma inside the type annotation's angle brackets, `Map<string, number>`, does not count). */
function severalDeclarators(tokens: Token[], from: number): boolean {
  let angles = 0, inType = true;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.depth !== 0) continue;
    if (t.text === ";") return false;
    if (t.kind === "word" && t.newlineBefore && statementStart(tokens, i)) return false;
    if (inType && t.text === "=" && tokens[i + 1]?.text !== ">") inType = false;
    else if (inType && t.text === "<") angles++;
    else if (inType && t.text === ">" && tokens[i - 1]?.text !== "=") angles--;
    else if (t.text === "," && !(inType && angles > 0)) return true;
  }
  return false;
}

/** Token i can begin a statement: the first, after `;` or `}`, or on a new line after a token
 * that can end an expression. */
function statementStart(tokens: Token[], i: number): boolean {
  if (i === 0) return true;
  const prev = tokens[i - 1];
  if (prev.text === ";" || prev.text === "}") return true;
  if (!tokens[i].newlineBefore) return false;
  return prev.kind !== "punct" || prev.text === ")" || prev.text === "]";
}

/** Words, values and punctuation, each with its bracket depth; strings, templates, comments and
 * regular expressions skipped whole. Undefined for unbalanced brackets or an unclosed literal. */
function tokenize(s: string): Token[] | undefined {
  const out: Token[] = [];
  const stack: string[] = [];   // open brackets; "`" marks a template's ${
  let newline = false;
  let i = 0;
  const push = (kind: Token["kind"], text: string) => { out.push({ kind, text, depth: stack.length, newlineBefore: newline }); newline = false; };
  const regexAllowed = () => {
    const p = out[out.length - 1];
    if (!p) return true;
    if (p.kind === "value") return false;
    if (p.kind === "word") return BEFORE_REGEX.has(p.text);
    return p.text !== ")" && p.text !== "]" && p.text !== "}";
  };
  /** Skips a template from after its opening backtick (or a `}` closing a ${) to its end or next ${. */
  const template = (): boolean => {
    for (; i < s.length; i++) {
      const c = s[i];
      if (c === "\\") { i++; continue; }
      if (c === "`") { i++; return true; }
      if (c === "$" && s[i + 1] === "{") { i += 2; stack.push("`"); return true; }
    }
    return false;
  };
  while (i < s.length) {
    const c = s[i];
    if (c === "\n") { newline = true; i++; continue; }
    if (c === " " || c === "\t" || c === "\r") { i++; continue; }
    if (c === "/" && s[i + 1] === "/") { while (i < s.length && s[i] !== "\n") i++; continue; }
    if (c === "/" && s[i + 1] === "*") {
      const end = s.indexOf("*/", i + 2);
      if (end < 0) return undefined;
      if (s.slice(i, end).includes("\n")) newline = true;
      i = end + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== c; j++) { if (s[j] === "\\") j++; else if (s[j] === "\n") return undefined; }
      if (j >= s.length) return undefined;
      push("value", s.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === "`") {
      i++;
      push("value", "`");
      if (!template()) return undefined;
      continue;
    }
    if (c === "/" && regexAllowed()) {
      let j = i + 1, inClass = false;
      for (; j < s.length; j++) {
        const d = s[j];
        if (d === "\\") { j++; continue; }
        if (d === "\n") return undefined;
        if (d === "[") inClass = true;
        else if (d === "]") inClass = false;
        else if (d === "/" && !inClass) break;
      }
      if (j >= s.length) return undefined;
      j++;
      while (j < s.length && /[a-z]/i.test(s[j])) j++;
      push("value", s.slice(i, j));
      i = j;
      continue;
    }
    if (/[A-Za-z_$\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < s.length && /[\w$\u0080-\uffff]/.test(s[j])) j++;
      push("word", s.slice(i, j));
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(s[i + 1] ?? ""))) {
      let j = i + 1;
      while (j < s.length && /[\w.]/.test(s[j])) j++;
      push("value", s.slice(i, j));
      i = j;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") { push("punct", c); stack.push(c); i++; continue; }
    if (c === ")" || c === "]" || c === "}") {
      const open = stack.pop();
      if (open === "`" && c === "}") { i++; if (!template()) return undefined; continue; }
      if (open !== { ")": "(", "]": "[", "}": "{" }[c]) return undefined;
      push("punct", c);
      i++;
      continue;
    }
    push("punct", c);
    i++;
  }
  return stack.length === 0 ? out : undefined;
}
