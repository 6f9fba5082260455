// runtime/is_complete.ts
// is_complete_request for TypeScript: scans brackets, strings, templates and comments, then
// parses. Used by consoles to decide whether Enter runs the cell or opens a new line.
// Runs where TypeScript 6 is loaded: the kernel calls it through syntax_worker.ts.
import type * as TS from "typescript6";
import type { IsCompleteStatus } from "./io";
import { parseCell } from "./cell_source";

/** is_complete: "incomplete" (with indent) while brackets, strings, templates or comments are
 * open or the code ends mid-expression; "invalid" for errors more typing cannot fix. */
export function isCompleteCode(ts: typeof TS, code: string): IsCompleteStatus {
  if (code.trim() === "") return { status: "complete" };
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, false, ts.LanguageVariant.Standard, code);
  let depth = 0;
  let unterminated = false;
  let negative = false;
  let templateDepth = 0;
  scanner.setOnError(() => { /* counted via token flags below */ });
  for (let tok = scanner.scan(); tok !== ts.SyntaxKind.EndOfFileToken; tok = scanner.scan()) {
    if (scanner.isUnterminated()) unterminated = true;
    switch (tok) {
      case ts.SyntaxKind.OpenBraceToken: case ts.SyntaxKind.OpenParenToken: case ts.SyntaxKind.OpenBracketToken:
        depth++; break;
      case ts.SyntaxKind.CloseBraceToken:
        if (templateDepth > 0) {
          const t = scanner.reScanTemplateToken(false);
          if (scanner.isUnterminated()) unterminated = true;
          if (t === ts.SyntaxKind.TemplateTail) templateDepth--;
          break;
        }
        depth--; if (depth < 0) negative = true; break;
      case ts.SyntaxKind.CloseParenToken: case ts.SyntaxKind.CloseBracketToken:
        depth--; if (depth < 0) negative = true; break;
      case ts.SyntaxKind.TemplateHead: templateDepth++; break;
      default: break;
    }
  }
  if (negative) return { status: "invalid" };
  const lastLine = code.split("\n").pop() ?? "";
  const baseIndent = /^\s*/.exec(lastLine)![0];
  if (unterminated || templateDepth > 0) return { status: "incomplete", indent: "" };
  if (depth > 0) return { status: "incomplete", indent: baseIndent + "  " };
  const sf = parseCell(ts, code);
  const errs = (sf as unknown as { parseDiagnostics?: TS.Diagnostic[] }).parseDiagnostics ?? [];
  if (errs.length === 0) return { status: "complete" };
  const end = code.trimEnd().length;
  if (errs.every((e) => (e.start ?? 0) >= end)) return { status: "incomplete", indent: baseIndent };
  return { status: "invalid" };
}
