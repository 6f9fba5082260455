// runtime/syntax.ts
// Pure syntax helpers over TypeScript 6's parser, used where it is loaded (syntax_worker.ts):
// cell diagnostics in cell coordinates, and the names declared around a position.
import type * as TS from "typescript6";

export interface CellDiagnostic { line: number; column: number; code: number; message: string }

/** Offsets at which each line of `text` starts. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** A diagnostic at offset `d.start` of the cell as `line:column` (1-based), clamped to the cell. */
export function toCellDiagnostic(d: { start: number; code: number; message: string }, lines: number[], cellLength: number): CellDiagnostic {
  const start = Math.min(d.start, cellLength);
  let line = 0;
  while (line + 1 < lines.length && lines[line + 1] <= start) line++;
  return { line: line + 1, column: start - lines[line] + 1, code: d.code, message: d.message };
}

/** The parser's own errors of a parsed cell. */
export function syntaxDiagnostics(ts: typeof TS, sf: TS.SourceFile): CellDiagnostic[] {
  const parsed = (sf as unknown as { parseDiagnostics?: TS.Diagnostic[] }).parseDiagnostics ?? [];
  const lines = lineStarts(sf.text);
  return parsed.map((d) => toCellDiagnostic({ start: d.start ?? 0, code: d.code,
    message: ts.flattenDiagnosticMessageText(d.messageText, "\n") }, lines, sf.text.length));
}

/** Names declared in the scopes that enclose `pos` (the cell's top level, enclosing functions'
 * parameters and bodies, blocks, loop heads, catch clauses), with a kind for each. */
export function localNames(ts: typeof TS, sf: TS.SourceFile, pos: number): Map<string, string> {
  const names = new Map<string, string>();
  const bind = (n: TS.BindingName | undefined, kind: string) => {
    if (!n) return;
    if (ts.isIdentifier(n)) { names.set(n.text, kind); return; }
    for (const el of n.elements) if (!ts.isOmittedExpression(el)) bind(el.name, kind);
  };
  const declare = (st: TS.Node) => {
    if (ts.isVariableStatement(st)) {
      const kind = st.declarationList.flags & ts.NodeFlags.Const ? "const" : "let";
      for (const d of st.declarationList.declarations) bind(d.name, kind);
    } else if (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)
      || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isModuleDeclaration(st)) {
      const kind = ts.isFunctionDeclaration(st) ? "function" : ts.isClassDeclaration(st) ? "class"
        : ts.isEnumDeclaration(st) ? "enum" : ts.isModuleDeclaration(st) ? "module" : "interface";
      if (st.name && ts.isIdentifier(st.name)) names.set(st.name.text, kind);
    } else if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) names.set(c.name.text, "module");
      const nb = c.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) names.set(nb.name.text, "module");
      else if (nb) for (const el of nb.elements) names.set(el.name.text, "module");
    }
  };
  const visit = (node: TS.Node): void => {
    if (pos < node.pos || pos > node.end) return;
    if (ts.isSourceFile(node) || ts.isBlock(node) || ts.isModuleBlock(node)) node.statements.forEach(declare);
    if (ts.isFunctionLike(node)) for (const p of node.parameters) bind(p.name, "parameter");
    if ((ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node)) && node.initializer
      && ts.isVariableDeclarationList(node.initializer)) {
      for (const d of node.initializer.declarations) bind(d.name, "let");
    }
    if (ts.isCatchClause(node)) bind(node.variableDeclaration?.name, "let");
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return names;
}
