// runtime/cell_source.ts
// What a cell declares and how it is rewritten to run: the syntactic half of the compiler.
// analyzeCell() lists a cell's top-level names, imports and last expression; cellTransformer()
// turns the cell into the body of an async function that exports each declaration to globalThis
// right after it runs. Type checking lives in compiler.ts; running in evaluator.ts.
//
// Why this shape (issue: top-level code at function speed, closures see later changes):
// - A cell's top-level `let s` stays a plain local of the cell function, so V8 keeps it in a
//   register; tslab turns such variables into object properties and runs loops 57x slower.
// - After each declaration a call `__tsg.x("s", s)` copies the value to globalThis, and the cell's
//   end copies once more (`__tsg.end`), so later cells see final values.
// - A `let` captured by a closure of the same cell is context-allocated by V8 anyway; for those we
//   define an accessor on globalThis (`__tsg.a`) so later cells and the closure share one binding.
import type * as TS from "typescript6";

/** One binding an import statement introduces. kind "side" binds nothing. */
export interface ImportBinding {
  spec: string;
  kind: "side" | "namespace" | "default" | "named" | "equals";
  local?: string;
  imported?: string;
  typeOnly: boolean;
}

export type DeclKind = "let" | "const" | "function" | "class" | "enum" | "namespace" | "type" | "import";

export interface CellAnalysis {
  /** Top-level names in declaration order, with the kind of their (last) declaration. */
  names: Map<string, DeclKind>;
  /** Names declared with an `export` modifier in the cell (already exported for the checker). */
  exported: Set<string>;
  imports: ImportBinding[];
  /** `let`/`var` names referenced inside a nested function or class of the same cell. */
  captured: Set<string>;
  /** Index of the last statement when it is an expression statement. */
  lastExpression: number;
  /** The cell calls import("..."). */
  hasDynamicImport: boolean;
  /** The cell may await at top level. */
  hasAwait: boolean;
  /** How the cell runs: "generator" when it awaits at top level (each step between awaits then
   * runs under breakOnSigint, so a synchronous loop after an await still stops on SIGINT),
   * "async" when it needs an async function (`for await`, `await using`), else "plain". */
  mode: "plain" | "generator" | "async";
}

/** `let`/`var` names the cell's end re-exports by value (not captured: no accessor). */
export function trackedLets(a: CellAnalysis): string[] {
  return [...a.names.keys()].filter((n) => a.names.get(n) === "let" && !a.captured.has(n));
}

export const RUNTIME_PARAM = "__tsg";

function hasModifier(ts: typeof TS, node: TS.Node, kind: TS.SyntaxKind): boolean {
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  return !!mods?.some((m) => m.kind === kind);
}

function bindingNames(ts: typeof TS, name: TS.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) { out.push(name.text); return; }
  for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(ts, el.name, out);
}

export function analyzeCell(ts: typeof TS, sf: TS.SourceFile): CellAnalysis {
  const names = new Map<string, DeclKind>();
  const exported = new Set<string>();
  const imports: ImportBinding[] = [];
  const letNames = new Set<string>();
  const add = (n: string, k: DeclKind, node: TS.Node) => {
    names.delete(n); names.set(n, k);
    if (hasModifier(ts, node, ts.SyntaxKind.ExportKeyword)) exported.add(n);
  };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      const spec = (st.moduleSpecifier as TS.StringLiteral).text;
      const clause = st.importClause;
      if (!clause) { imports.push({ spec, kind: "side", typeOnly: false }); continue; }
      const typeOnly = clause.isTypeOnly;
      if (clause.name) {
        imports.push({ spec, kind: "default", local: clause.name.text, typeOnly });
        names.set(clause.name.text, "import");
      }
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) {
        imports.push({ spec, kind: "namespace", local: nb.name.text, typeOnly });
        names.set(nb.name.text, "import");
      } else if (nb) {
        for (const el of nb.elements) {
          imports.push({ spec, kind: "named", local: el.name.text,
            imported: (el.propertyName ?? el.name).text, typeOnly: typeOnly || el.isTypeOnly });
          names.set(el.name.text, "import");
        }
      }
      if (!clause.name && !nb) imports.push({ spec, kind: "side", typeOnly });
    } else if (ts.isImportEqualsDeclaration(st)) {
      const ref = st.moduleReference;
      if (ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression)) {
        imports.push({ spec: ref.expression.text, kind: "equals", local: st.name.text, typeOnly: st.isTypeOnly });
      }
      add(st.name.text, "import", st);
    } else if (ts.isVariableStatement(st)) {
      // `declare let` is a type-only statement: nothing runs, so nothing is re-exported at the end.
      const isConst = (st.declarationList.flags & ts.NodeFlags.Const) !== 0
        || hasModifier(ts, st, ts.SyntaxKind.DeclareKeyword);
      const out: string[] = [];
      for (const d of st.declarationList.declarations) bindingNames(ts, d.name, out);
      for (const n of out) {
        add(n, isConst ? "const" : "let", st);
        if (isConst) letNames.delete(n); else letNames.add(n);
      }
    } else if (ts.isFunctionDeclaration(st) && st.name) {
      add(st.name.text, "function", st);
    } else if (ts.isClassDeclaration(st) && st.name) {
      add(st.name.text, "class", st);
    } else if (ts.isEnumDeclaration(st)) {
      add(st.name.text, "enum", st);
    } else if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name)) {
      add(st.name.text, "namespace", st);
    } else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
      if (!names.has(st.name.text)) add(st.name.text, "type", st);
      else if (hasModifier(ts, st, ts.SyntaxKind.ExportKeyword)) exported.add(st.name.text);
    }
  }
  const captured = new Set<string>();
  if (letNames.size > 0) {
    const visit = (node: TS.Node, depth: number): void => {
      if (depth > 0 && ts.isIdentifier(node) && letNames.has(node.text)) captured.add(node.text);
      const nested = ts.isFunctionLike(node) || ts.isClassLike(node);
      ts.forEachChild(node, (c) => visit(c, nested ? depth + 1 : depth));
    };
    visit(sf, 0);
  }
  const last = sf.statements.length - 1;
  const lastExpression = last >= 0 && ts.isExpressionStatement(sf.statements[last]) ? last : -1;
  const hasDynamicImport = /\bimport\s*\(/.test(sf.text);
  const hasAwait = /\bawait\b/.test(sf.text);
  const mode = hasAwait ? awaitMode(ts, sf) : "plain";
  return { names, exported, imports, captured, lastExpression, hasDynamicImport, hasAwait, mode };
}

function awaitMode(ts: typeof TS, sf: TS.SourceFile): CellAnalysis["mode"] {
  let awaits = false;
  let asyncOnly = false;
  const visit = (node: TS.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isAwaitExpression(node)) awaits = true;
    if (ts.isForOfStatement(node) && node.awaitModifier) asyncOnly = true;
    if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing) asyncOnly = true;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return asyncOnly ? "async" : awaits ? "generator" : "plain";
}

/** Rewrites a cell for the runtime: drops import/export syntax (the evaluator binds imports before
 * the cell runs), exports each top-level declaration after it runs, returns the last expression. */
export function cellTransformer(ts: typeof TS, a: CellAnalysis): TS.TransformerFactory<TS.SourceFile> {
  return (ctx) => (sf) => {
    const f = ctx.factory;
    const call = (fn: string, args: TS.Expression[]) => f.createExpressionStatement(
      f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_PARAM), fn), undefined, args));
    const exportValue = (name: string, kind: DeclKind) => call("x", [
      f.createStringLiteral(name), f.createIdentifier(name), kind === "let" ? f.createTrue() : f.createFalse()]);
    const exportAccessor = (name: string) => {
      const v = f.createUniqueName("v");
      return call("a", [
        f.createStringLiteral(name),
        f.createArrowFunction(undefined, undefined, [], undefined, undefined, f.createIdentifier(name)),
        f.createArrowFunction(undefined, undefined, [f.createParameterDeclaration(undefined, undefined, v)], undefined,
          undefined, f.createAssignment(f.createIdentifier(name), v)),
      ]);
    };
    const out: TS.Statement[] = [];
    // Function declarations are hoisted: export them before anything runs, as a failing cell
    // would still have defined them.
    for (const st of sf.statements) {
      if (ts.isFunctionDeclaration(st) && st.name && st.body && !hasModifier(ts, st, ts.SyntaxKind.DeclareKeyword)) {
        out.push(exportValue(st.name.text, "function"));
      }
    }
    const stripExport = <T extends TS.Node>(node: T): TS.ModifierLike[] | undefined => {
      const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
      const decorators = ts.canHaveDecorators(node) ? ts.getDecorators(node) ?? [] : [];
      const kept = (mods ?? []).filter((m) => m.kind !== ts.SyntaxKind.ExportKeyword && m.kind !== ts.SyntaxKind.DefaultKeyword);
      const all = [...decorators, ...kept];
      return all.length ? all : undefined;
    };
    const tracked = trackedLets(a);
    const endArgs = () => f.createArrayLiteralExpression(tracked.map((n) => f.createIdentifier(n)));
    // import("x") goes through the cell's loader (notebook folder first, then the kernel's packages).
    // A top-level `await x` becomes `__tsg.c(await x)`, which throws Interrupted once the cell was
    // interrupted: the kernel answers an interrupt at once, and this stops the cell's own loop at
    // its next await instead of letting it run on behind the next cell.
    const rewrite = (depth: number) => (node: TS.Node): TS.Node => {
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        return f.updateCallExpression(node, f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_PARAM), "import"),
          undefined, ts.visitNodes(node.arguments, rewrite(depth)) as TS.NodeArray<TS.Expression>);
      }
      if (depth === 0 && ts.isAwaitExpression(node)) {
        const operand = ts.visitNode(node.expression, rewrite(depth)) as TS.Expression;
        const inner = a.mode === "generator" ? f.createYieldExpression(undefined, operand)
          : f.updateAwaitExpression(node, operand);
        return ts.setTextRange(f.createCallExpression(
          f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_PARAM), "c"), undefined, [inner]), node);
      }
      return ts.visitEachChild(node, rewrite(ts.isFunctionLike(node) || ts.isClassLike(node) ? depth + 1 : depth), ctx);
    };
    const statements = a.hasDynamicImport || a.hasAwait
      ? ts.visitNodes(sf.statements, rewrite(0)) as TS.NodeArray<TS.Statement> : sf.statements;
    statements.forEach((st, i) => {
      if (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) return;
      if (ts.isImportEqualsDeclaration(st)) {
        if (ts.isExternalModuleReference(st.moduleReference)) return;
        out.push(f.createVariableStatement(undefined, f.createVariableDeclarationList(
          [f.createVariableDeclaration(st.name, undefined, undefined,
            entityToExpression(ts, f, st.moduleReference))], ts.NodeFlags.Const)));
        out.push(exportValue(st.name.text, "const"));
        return;
      }
      if (ts.isExportAssignment(st)) {
        if (i === a.lastExpression || i === sf.statements.length - 1) {
          out.push(f.createReturnStatement(endCall(f, st.expression, endArgs())));
          return;
        }
        out.push(f.createExpressionStatement(st.expression));
        return;
      }
      if (hasModifier(ts, st, ts.SyntaxKind.DeclareKeyword)) return;
      if (ts.isVariableStatement(st)) {
        out.push(f.updateVariableStatement(st, stripExport(st) as TS.Modifier[] | undefined, st.declarationList));
        const declared: string[] = [];
        for (const d of st.declarationList.declarations) bindingNames(ts, d.name, declared);
        for (const n of declared) {
          if (a.captured.has(n)) out.push(exportAccessor(n));
          else out.push(exportValue(n, a.names.get(n) === "let" ? "let" : "const"));
        }
        return;
      }
      if (ts.isFunctionDeclaration(st)) {
        out.push(f.updateFunctionDeclaration(st, stripExport(st), st.asteriskToken, st.name, st.typeParameters,
          st.parameters, st.type, st.body));
        return;
      }
      if (ts.isClassDeclaration(st)) {
        out.push(f.updateClassDeclaration(st, stripExport(st), st.name, st.typeParameters, st.heritageClauses, st.members));
        if (st.name) out.push(exportValue(st.name.text, "class"));
        return;
      }
      if (ts.isEnumDeclaration(st)) {
        out.push(f.updateEnumDeclaration(st, stripExport(st) as TS.Modifier[] | undefined, st.name, st.members));
        out.push(exportValue(st.name.text, "enum"));
        return;
      }
      if (ts.isModuleDeclaration(st)) {
        out.push(f.updateModuleDeclaration(st, stripExport(st) as TS.Modifier[] | undefined, st.name, st.body));
        // A namespace holding only types emits no variable: export it only when it exists.
        if (ts.isIdentifier(st.name)) {
          out.push(f.createIfStatement(f.createStrictInequality(f.createTypeOfExpression(f.createIdentifier(st.name.text)),
            f.createStringLiteral("undefined")), exportValue(st.name.text, "namespace")));
        }
        return;
      }
      if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) return;
      if (i === a.lastExpression && ts.isExpressionStatement(st)) {
        out.push(ts.setTextRange(f.createReturnStatement(endCall(f, st.expression, endArgs())), st));
        return;
      }
      out.push(st);
    });
    if (a.lastExpression < 0) out.push(f.createExpressionStatement(endCall(f, undefined, endArgs())));
    return f.updateSourceFile(sf, out);
  };
}

function endCall(f: TS.NodeFactory, value: TS.Expression | undefined, tracked: TS.Expression): TS.Expression {
  // `__tsg.end(hasValue, value, [tracked lets])`: the value is an argument, not an object-literal
  // property (that would name an anonymous function "v"), and is evaluated before the lets.
  const args: TS.Expression[] = [value ? f.createTrue() : f.createFalse(), value ?? f.createVoidZero(), tracked];
  return f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_PARAM), "end"), undefined, args);
}

function entityToExpression(ts: typeof TS, f: TS.NodeFactory, e: TS.EntityName): TS.Expression {
  return ts.isIdentifier(e) ? f.createIdentifier(e.text)
    : f.createPropertyAccessExpression(entityToExpression(ts, f, e.left), e.right.text);
}
