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
// - An interrupted cell keeps what its lets had reached (issue 11, as ipykernel). breakOnSigint ends
//   a synchronous loop without running any `finally`, and a register dies with its frame, so each
//   assignment to a tracked let also stores the value on one object (`__tsgL.s = s += i`, a field
//   store: the loop stays near function speed, where a context slot would box every double); the
//   evaluator re-exports those values when the cell fails or is interrupted.
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

/** A cell's text parsed as every part of the compiler reads it: TypeScript, ES2022, with parents. */
export function parseCell(ts: typeof TS, source: string): TS.SourceFile {
  return ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

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
    // Latest values of tracked lets (`__tsgL = __tsg.l`), written by every assignment at top level.
    const latest = f.createUniqueName("__tsgL");
    const mirrored = new Set(tracked.filter((n) => n !== "__proto__"));
    let stores = 0;
    const store = (name: string, value: TS.Expression): TS.Expression => {
      stores++;
      return f.createParenthesizedExpression(f.createAssignment(f.createPropertyAccessExpression(latest, name), value));
    };
    const noneHidden: ReadonlySet<string> = new Set();
    /** Whether `name` is a tracked let here: not hidden by a block's own declaration. */
    const mirrors = (name: string, hidden: ReadonlySet<string>): boolean => mirrored.has(name) && !hidden.has(name);
    /** The tracked let `node` names, if it is one. */
    const mirror = (node: TS.Node, hidden: ReadonlySet<string>): string | undefined =>
      ts.isIdentifier(node) && mirrors(node.text, hidden) ? node.text : undefined;
    const isStep = (node: TS.Node): node is TS.PrefixUnaryExpression | TS.PostfixUnaryExpression =>
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken);
    /** `x++` whose value nobody reads: `(__tsgL.x = ++x)`. */
    const unusedStep = (node: TS.Expression, hidden: ReadonlySet<string>): TS.Expression | undefined => {
      if (!isStep(node) || !ts.isPostfixUnaryExpression(node)) return undefined;
      const name = mirror(node.operand, hidden);
      return name === undefined ? undefined : store(name, f.createPrefixUnaryExpression(node.operator, node.operand));
    };
    // import("x") goes through the cell's loader (notebook folder first, then the kernel's packages).
    // A top-level `await x` becomes `__tsg.c(await x)`, which throws Interrupted once the cell was
    // interrupted: the kernel answers an interrupt at once, and this stops the cell's own loop at
    // its next await instead of letting it run on behind the next cell.
    const rewrite = (depth: number, hidden = noneHidden) => (node: TS.Node): TS.Node => {
      const visit = rewrite(depth, hidden);
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        return f.updateCallExpression(node, f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_PARAM), "import"),
          undefined, ts.visitNodes(node.arguments, visit) as TS.NodeArray<TS.Expression>);
      }
      if (depth === 0 && ts.isAwaitExpression(node)) {
        const operand = ts.visitNode(node.expression, visit) as TS.Expression;
        const inner = a.mode === "generator" ? f.createYieldExpression(undefined, operand)
          : f.updateAwaitExpression(node, operand);
        return ts.setTextRange(f.createCallExpression(
          f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_PARAM), "c"), undefined, [inner]), node);
      }
      if (ts.isFunctionLike(node) || ts.isClassLike(node)) return ts.visitEachChild(node, rewrite(depth + 1), ctx);
      if (depth > 0 || mirrored.size === 0) return ts.visitEachChild(node, visit, ctx);
      return mirrorAssignments(node, hidden) ?? ts.visitEachChild(node, rewrite(depth, hides(node, hidden)), ctx);
    };
    /** Top-level assignments to tracked lets also store the value on __tsgL (see the file's top). */
    const mirrorAssignments = (node: TS.Node, hidden: ReadonlySet<string>): TS.Node | undefined => {
      const visit = rewrite(0, hidden);
      if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
          node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
        const name = mirror(node.left, hidden);
        if (name !== undefined) return store(name, ts.visitEachChild(node, visit, ctx));
        if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
        const names = assignedNames(ts, node.left).filter((n) => mirrors(n, hidden));
        if (names.length === 0) return undefined;
        // `[a, b] = v` -> `[([a, b] = v), __tsgL.a = a, __tsgL.b = b][0]`: the assignment's value, then the stores.
        return f.createElementAccessExpression(f.createArrayLiteralExpression([
          f.createParenthesizedExpression(ts.visitEachChild(node, visit, ctx)),
          ...names.map((n) => store(n, f.createIdentifier(n)))]), 0);
      }
      if (isStep(node)) {
        const name = mirror(node.operand, hidden);
        if (name === undefined) return undefined;
        if (ts.isPrefixUnaryExpression(node)) return store(name, node);
        // `x++` read: `[x++, __tsgL.x = x][0]`.
        return f.createElementAccessExpression(f.createArrayLiteralExpression([node, store(name, f.createIdentifier(name))]), 0);
      }
      if (ts.isExpressionStatement(node)) {
        const step = unusedStep(node.expression, hidden);
        return step && f.updateExpressionStatement(node, step);
      }
      if (ts.isForStatement(node) && node.incrementor) {
        const own = hides(node, hidden);
        const step = unusedStep(node.incrementor, own);
        if (!step) return undefined;
        const inner = rewrite(0, own);
        return f.updateForStatement(node, ts.visitNode(node.initializer, inner) as TS.ForInitializer | undefined,
          ts.visitNode(node.condition, inner) as TS.Expression | undefined, step, ts.visitNode(node.statement, inner) as TS.Statement);
      }
      if ((ts.isForOfStatement(node) || ts.isForInStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) {
        const names = assignedNames(ts, node.initializer).filter((n) => mirrors(n, hidden));
        if (names.length === 0) return undefined;
        const body = f.createBlock([...names.map((n) => f.createExpressionStatement(store(n, f.createIdentifier(n)))),
          ts.visitNode(node.statement, visit) as TS.Statement]);
        const expr = ts.visitNode(node.expression, visit) as TS.Expression;
        return ts.isForOfStatement(node) ? f.updateForOfStatement(node, node.awaitModifier, node.initializer, expr, body)
          : f.updateForInStatement(node, node.initializer, expr, body);
      }
      return undefined;
    };
    /** `hidden` plus the tracked names a block, `for (let ...)` or `catch (e)` declares for itself. */
    const hides = (node: TS.Node, hidden: ReadonlySet<string>): ReadonlySet<string> => {
      const own = ownDeclarations(ts, node).filter((n) => mirrored.has(n) && !hidden.has(n));
      return own.length === 0 ? hidden : new Set([...hidden, ...own]);
    };
    const visitTop = rewrite(0);
    const statements = a.hasDynamicImport || a.hasAwait || mirrored.size > 0
      ? f.createNodeArray(sf.statements.map((st, i) => i === a.lastExpression && ts.isExpressionStatement(st)
        // The value of the last expression is shown: a trailing `x++` keeps its own value.
        ? f.updateExpressionStatement(st, ts.visitNode(st.expression, visitTop) as TS.Expression)
        : ts.visitNode(st, visitTop) as TS.Statement))
      : sf.statements;
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
    if (stores > 0) {
      out.unshift(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(latest,
        undefined, undefined, f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_PARAM), "l"))], ts.NodeFlags.Const)));
    }
    return f.updateSourceFile(sf, out);
  };
}

/** Identifiers an assignment target writes: `x`, `[a, [b = 1], ...c]`, `{ p, q: r }`. */
function assignedNames(ts: typeof TS, target: TS.Node, out: string[] = []): string[] {
  if (ts.isIdentifier(target)) out.push(target.text);
  else if (ts.isParenthesizedExpression(target) || ts.isSpreadElement(target) || ts.isSpreadAssignment(target)) assignedNames(ts, target.expression, out);
  else if (ts.isArrayLiteralExpression(target)) for (const el of target.elements) assignedNames(ts, el, out);
  else if (ts.isObjectLiteralExpression(target)) {
    for (const p of target.properties) {
      if (ts.isShorthandPropertyAssignment(p)) out.push(p.name.text);
      else if (ts.isPropertyAssignment(p) || ts.isSpreadAssignment(p)) assignedNames(ts, ts.isPropertyAssignment(p) ? p.initializer : p, out);
    }
  } else if (ts.isBinaryExpression(target) && target.operatorToken.kind === ts.SyntaxKind.EqualsToken) assignedNames(ts, target.left, out);
  return out;
}

/** Names a block (or switch body, `for (let ...)`, `catch (e)`) declares for itself, hiding a top-level let. */
function ownDeclarations(ts: typeof TS, node: TS.Node): string[] {
  const out: string[] = [];
  const lexical = (list: TS.VariableDeclarationList) => {
    if (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using)) for (const d of list.declarations) bindingNames(ts, d.name, out);
  };
  const statements = (sts: readonly TS.Statement[]) => {
    for (const st of sts) {
      if (ts.isVariableStatement(st)) lexical(st.declarationList);
      else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) out.push(st.name.text);
    }
  };
  if (ts.isBlock(node)) statements(node.statements);
  else if (ts.isCaseBlock(node)) for (const c of node.clauses) statements(c.statements);
  else if ((ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node)) && node.initializer &&
    ts.isVariableDeclarationList(node.initializer)) lexical(node.initializer);
  else if (ts.isCatchClause(node) && node.variableDeclaration) bindingNames(ts, node.variableDeclaration.name, out);
  return out;
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
