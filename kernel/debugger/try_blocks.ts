// kernel/debugger/try_blocks.ts
// Whether a position in TypeScript/JavaScript text sits inside a `try { ... }` block: the
// "uncaught" exception filter's test for whether the user's own code catches an exception (V8
// calls every exception in a cell caught, since the runtime awaits each cell in a try). A scan of
// braces that skips strings and comments: good for code people write, not a parser.

export function insideTry(text: string, line: number, column: number): boolean {
  const stack: boolean[] = [];
  let l = 0, c = 0;
  for (let i = 0; i < text.length; i++) {
    if (l > line || (l === line && c >= column)) break;
    const ch = text[i];
    if (ch === "\n") { l++; c = 0; continue; }
    c++;
    if (ch === "/" && text[i + 1] === "/") { const e = text.indexOf("\n", i); i = (e < 0 ? text.length : e) - 1; c--; continue; }
    if (ch === "/" && text[i + 1] === "*") {
      const e = text.indexOf("*/", i + 2), end = e < 0 ? text.length : e + 2;
      for (let j = i; j < end; j++) if (text[j] === "\n") { l++; c = 0; } else c++;
      i = end - 1; continue;
    }
    if (ch === "\"" || ch === "'" || ch === "`") {
      let j = i + 1;
      for (; j < text.length && text[j] !== ch; j++) { if (text[j] === "\\") j++; if (text[j] === "\n") { l++; c = 0; } }
      c += j - i; i = j; continue;
    }
    if (ch === "{") stack.push(/\btry\s*$/.test(text.slice(Math.max(0, i - 12), i)));
    else if (ch === "}") stack.pop();
  }
  return stack.includes(true);
}
