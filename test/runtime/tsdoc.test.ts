// test/runtime/tsdoc.test.ts
// Every public name a cell reaches through torch, Tensor, F, nn, optim, data, plot, display and
// progress has TSDoc that inspect (and `?name`) can show. Walks runtime/index.ts with the
// TypeScript 6 checker over the library's declaration files, as the kernel's checker sees it
// (runtime/declarations.ts: dist/ when built, else an emit cached by mtime): an inferred type that
// the declaration emit spells out (a spread `...module`, `Object.assign(a, b)`) loses its members'
// docs there, and this walk sees that. Objects (torch, F, torch.autograd, ...) are walked by their
// properties, namespaces (nn, optim, data, nn.init, ...) by their exports, classes (also those
// wrapped by callable()) by the public members they declare, and so are the classes that functions
// return (progress() -> ProgressBar, plot.live() -> TrainingCurve).
//
// The convention each name is held to:
// - a summary: the doc comment has text before its first tag;
// - an `@example` tag with a line or two of real cell code;
// - when a call signature (function, method, callable property, constructor) mentions a Tensor in
//   a parameter or its result (or, on Tensor, returns `this`), the text has a `Shapes:` line
//   as in PyTorch's docs: `Shapes: x: [N, C, H, W] -> [N, C, H_out, W_out]`.
// Exempt: names that start with `_` (and symbol-keyed members), and declarations tagged @internal.
import * as assert from "assert";
import * as path from "path";
import type * as TS from "typescript6";
import { runtimeDeclarations } from "../../runtime/declarations";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ts = require("typescript6") as typeof TS;
const ROOT = path.join(__dirname, "..", "..");
// The nine namespaces of issue 10, then the other globals of the tensor library and the display.
// Not walked yet: the cell-context globals (sleep, input, password, throwIfInterrupted) and comms.
const NAMESPACES = ["Tensor", "torch", "F", "nn", "optim", "data", "plot", "display", "progress",
  "TrainingCurve", "save", "load", "clearOutput", "tidy", "noGrad", "$display",
  "TensorError", "ShapeError", "DTypeError", "DeviceError", "AutogradError"];
// Base classes walked under their own name, wherever they come in the walk.
const publicClasses = new Set(["Tensor", "Module", "Optimizer", "LRScheduler", "Dataset"]);

export interface Finding { name: string; missing: string[] }

/** Walks the cell globals of runtime/index.ts and lists every public name with what its doc lacks. */
export function auditDocs(): { checked: string[]; findings: Finding[] } {
  const runtimeDir = path.join(ROOT, "runtime");
  const options: TS.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true, types: ["node"],
  };
  const decls = runtimeDeclarations(() => ts, runtimeDir, ROOT);
  assert.ok(decls, "no declaration files for runtime/");
  // The .ts sources are hidden behind their .d.ts, as in the kernel (runtime/compiler.ts).
  const hidden = (f: string) => f.endsWith(".ts") && !f.endsWith(".d.ts") && decls.has(f.slice(0, -3) + ".d.ts");
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => decls.has(f) || (!hidden(f) && ts.sys.fileExists(f));
  host.readFile = (f) => decls.get(f) ?? (hidden(f) ? undefined : ts.sys.readFile(f));
  host.getSourceFile = (f, v) => decls.has(f) ? ts.createSourceFile(f, decls.get(f)!, v, true) : getSourceFile(f, v);
  const indexFile = path.join(runtimeDir, "index.d.ts");
  const program = ts.createProgram([indexFile], options, host);
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(indexFile)!;
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(index)!);
  const seen = new Set<TS.Symbol>();
  const seenClasses = new Set<TS.Symbol>();
  const checked: string[] = [];
  const findings: Finding[] = [];

  const resolve = (s: TS.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const isInternal = (s: TS.Symbol) => (s.declarations ?? []).some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === "internal"));
  const isPrivate = (d: TS.Declaration) => {
    const m = ts.getCombinedModifierFlags(d);
    return (m & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 || (!!(d as TS.NamedDeclaration).name && ts.isPrivateIdentifier((d as TS.NamedDeclaration).name!));
  };
  const mentionsTensor = (t: TS.Type) => /\b(Tensor|Parameter)\b/.test(checker.typeToString(t, undefined, ts.TypeFormatFlags.NoTruncation));
  // On Tensor, a method returning `this` (add_, requiresGrad_) counts too.
  const signatureMentionsTensor = (sig: TS.Signature, onTensor: boolean, at: TS.Node) =>
    mentionsTensor(sig.getReturnType()) || (onTensor && checker.typeToString(sig.getReturnType()) === "this") ||
    sig.getParameters().some((p) => mentionsTensor(checker.getTypeOfSymbolAtLocation(p, at)));

  function audit(name: string, sym: TS.Symbol, type: TS.Type, at: TS.Node, onTensor: boolean): void {
    checked.push(name);
    const missing: string[] = [];
    const summary = ts.displayPartsToString(sym.getDocumentationComment(checker)).trim();
    const tags = sym.getJsDocTags(checker);
    if (!summary) missing.push("a summary");
    if (!tags.some((t) => t.name === "example")) missing.push("an @example");
    const sigs = [...type.getCallSignatures(), ...type.getConstructSignatures()];
    if (sigs.some((s) => signatureMentionsTensor(s, onTensor, at)) && !/Shapes:/.test(summary))
      missing.push("a Shapes: line");
    if (missing.length) findings.push({ name, missing });
  }

  /** Public members a class declares itself or inherits from a base that is not public itself
   * (nn.BatchNorm2d from BatchNorm); those of public bases are walked with their own class. */
  function walkInstance(prefix: string, instance: TS.Type, classDecl: TS.Node, at: TS.Node): void {
    const onTensor = prefix === "Tensor";
    const mine = (d: TS.Node) => d.parent === classDecl || (ts.isClassDeclaration(d.parent) && !!d.parent.name &&
      !seenClasses.has(checker.getSymbolAtLocation(d.parent.name)!) && !publicClasses.has(d.parent.name.text));
    for (const p of instance.getProperties()) {
      if (p.name.startsWith("_") || isInternal(p)) continue;
      const decls = (p.declarations ?? []).filter(mine);
      if (!decls.length || decls.some(isPrivate) || decls.some((d) => ts.isConstructorDeclaration(d))) continue;
      audit(`${prefix}.${p.name}`, p, checker.getTypeOfSymbolAtLocation(p, at), at, onTensor);
    }
  }

  function walk(name: string, sym0: TS.Symbol, at: TS.Node, inObject: boolean): void {
    const sym = resolve(sym0);
    const base = name.split(".").pop()!;
    if (base.startsWith("_") || isInternal(sym0) || isInternal(sym)) return;
    const type = checker.getTypeOfSymbolAtLocation(sym, at);
    if (sym.flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule) && !(sym.flags & ts.SymbolFlags.Variable)) {
      if (seen.has(sym)) return;
      seen.add(sym);
      for (const e of checker.getExportsOfModule(sym)) {
        const typeOnly = (e.declarations ?? []).some((d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly));
        if (!typeOnly && resolve(e).flags & ts.SymbolFlags.Value) walk(`${name}.${e.name}`, e, at, false);
      }
      return;
    }
    if (!(sym.flags & ts.SymbolFlags.Value)) return;
    audit(name, inObject ? sym0 : sym, type, at, false);
    if (seen.has(sym)) return;
    seen.add(sym);
    // A class, or a callable() wrapper of one: its instance members.
    const ctor = type.getConstructSignatures()[0];
    if (ctor) {
      const instance = ctor.getReturnType();
      const classSym = instance.getSymbol();
      if (!classSym || seenClasses.has(classSym)) return;
      seenClasses.add(classSym);
      const classDecl = classSym?.declarations?.find((d) => ts.isClassDeclaration(d));
      if (classDecl) walkInstance(name, instance, classDecl, at);
      return;
    }
    // An object of functions (torch, F, torch.autograd, plot, display; nn.init = a module): its
    // properties. (In a .d.ts an object literal's type is a type literal.)
    const parts = type.isIntersection() ? type.types : [type];
    const literal = parts.some((t) => (t.getSymbol()?.flags ?? 0) & (ts.SymbolFlags.TypeLiteral | ts.SymbolFlags.ObjectLiteral));
    const module = parts.some((t) => (t.getSymbol()?.flags ?? 0) & ts.SymbolFlags.ValueModule);
    if (literal || module) for (const p of type.getProperties()) {
      if (p.name.startsWith("_") || p.name === "prototype" || !p.declarations?.length) continue;
      if (!(p.flags & ts.SymbolFlags.Value) || isInternal(p)) continue;
      if ((p.declarations ?? []).some((d) => !d.getSourceFile().fileName.startsWith(runtimeDir))) continue;   // Function.prototype members of plot/display
      walk(`${name}.${p.name}`, p, at, literal);
    }
    // A function returning an instance of a class of the library (progress -> ProgressBar,
    // plot.live -> TrainingCurve): that class's members, once.
    for (const sig of type.getCallSignatures()) {
      const ret = sig.getReturnType(), classSym = ret.getSymbol();
      const classDecl = classSym?.declarations?.find((d) => ts.isClassDeclaration(d));
      if (!classSym || !classDecl || seenClasses.has(classSym) || !classDecl.getSourceFile().fileName.startsWith(runtimeDir)) continue;
      seenClasses.add(classSym);
      walkInstance(`${name}()`, ret, classDecl, at);
    }
  }

  for (const n of NAMESPACES) {
    const sym = exports.find((e) => e.name === n);
    assert.ok(sym, `runtime/index.ts exports no ${n}`);
    walk(n, sym, index, false);
  }
  return { checked, findings };
}

describe("TSDoc of the cell API", function () {
  this.timeout(60000);
  it("every public name of torch, Tensor, F, nn, optim, data, plot, display and progress has a summary, an @example and its shapes", () => {
    const { checked, findings } = auditDocs();
    assert.ok(checked.length > 300, `only ${checked.length} names walked: the walk lost a namespace`);
    const lines = findings.map((f) => `${f.name}: lacks ${f.missing.join(", ")}`);
    assert.deepStrictEqual(lines, [], `${lines.length} of ${checked.length} public names lack docs:\n${lines.join("\n")}`);
  });
});
