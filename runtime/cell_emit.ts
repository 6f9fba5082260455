// runtime/cell_emit.ts
// A cell's JavaScript and source map, from the tree the syntax worker has already parsed (issue 10:
// cell latency). TypeScript 6's transpileModule parses the text again and builds a program and a
// type checker for the one file on every call, only so that its transforms may ask the checker's
// emit resolver questions. For an ES2022 emit of most cells they ask none: the resolver answers
// enums' values, namespaces' exports and which imports are used (cell_source.ts has already turned
// the cell's imports into globals). Measured over 2,000 distinct cells in one process, parse and
// analysis included: transpileModule 1.25-1.36 ms p50 and 5.1-5.4 ms of CPU a cell (its garbage and
// V8's recompiling of it on helper threads), this path 0.39-0.40 ms and 1.6 ms.
//
// emitDirect runs the same transforms (ts.getTransformers with the same options) through
// ts.transformNodes and prints with the same printer and source map generator. Its resolver answers
// what needs no checker and throws for the rest, and emitCell then does the cell again through
// transpileModule: enums, namespaces, and whatever else asks. Decorators and auto-accessors go
// there at once, since the class transforms ask about them what only a checker knows (a class
// that refers to itself). These are TypeScript 6 internals, not its public API: the version is
// pinned, and the tests compare both paths' text and source map on every code cell of the teaching
// notebooks and on a corpus of TypeScript's syntax (test/runtime/cell_emit.test.ts).
import type * as TS from "typescript6";
import { cellTransformer, parseCell, type CellAnalysis } from "./cell_source";

export interface EmittedCell { js: string; sourceMap?: string }

/** The internals emitDirect uses, present in TypeScript 6's runtime but not in its typings. */
type Transformer = TS.TransformerFactory<TS.SourceFile>;
type Transformed = TS.TransformationResult<TS.SourceFile> & { emitNodeWithNotification: unknown; isEmitNotificationEnabled: unknown };
interface Internals {
  getTransformers(options: TS.CompilerOptions): { scriptTransformers: Transformer[] };
  transformNodes(resolver: object, host: object, factory: TS.NodeFactory, options: TS.CompilerOptions,
    nodes: TS.SourceFile[], transformers: Transformer[], allowDtsFiles: boolean): Transformed;
  createSourceMapGenerator(host: object, file: string, sourceRoot: string, sourcesDirectoryPath: string,
    options: TS.CompilerOptions): { toString(): string };
  createTextWriter(newLine: string): { getText(): string; writeLine(): void };
}

/** What the resolver cannot answer without a checker: emitCell takes the cell to transpileModule. */
class NeedsChecker extends Error {}

/** Cells whose class transforms would ask the resolver what only a checker knows. */
const CLASS_TRANSFORMS = /@|\baccessor\b/;

/** How many cells each path emitted, for tests and probes. */
export const emitCounts = { direct: 0, program: 0 };

const compilerOptions = (ts: typeof TS): TS.CompilerOptions => ({
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true,
  esModuleInterop: true, inlineSources: false, removeComments: false, alwaysStrict: false,
  useDefineForClassFields: true,
});

/** The cell's JavaScript: the rewrite (cell_source.ts), then TypeScript's emit. `sf` is the cell
 * parsed as analyzeCell saw it (it is transformed, so not reused after). */
export function emitCell(ts: typeof TS, source: string, analysis: CellAnalysis, sf?: TS.SourceFile): EmittedCell {
  if (!CLASS_TRANSFORMS.test(source)) {
    const parsed = sf ?? parseCell(ts, source);
    const direct = emitDirect(ts, parsed, analysis);
    if (direct) return direct;
  }
  return emitWithProgram(ts, source, analysis);
}

/** TypeScript's emit of the parsed cell without a program, or undefined where it needs a checker. */
export function emitDirect(ts: typeof TS, sf: TS.SourceFile, analysis: CellAnalysis): EmittedCell | undefined {
  const internals = ts as unknown as Internals;
  const options: TS.CompilerOptions = {
    ...compilerOptions(ts), isolatedModules: true, noCheck: true, noLib: true, noResolve: true };
  const host = {
    getCompilerOptions: () => options, getCurrentDirectory: () => "", getCanonicalFileName: (f: string) => f,
    useCaseSensitiveFileNames: () => true, getCommonSourceDirectory: () => "",
    getEmitModuleFormatOfFile: () => ts.ModuleKind.ESNext,
  };
  // A program's resolver knows the file's globals, plus `globalThis` and `undefined` (noLib): the
  // printer already avoids every identifier of the file when it makes a unique name.
  const hasGlobalName = (name: string) => name === "globalThis" || name === "undefined";
  const resolver = new Proxy({}, {
    get: (_, key) => key === "hasGlobalName" ? hasGlobalName
      // Without decorators and auto-accessors (CLASS_TRANSFORMS), an ES2022 emit leaves classes
      // as written, whatever the checker's flags say.
      : key === "hasNodeCheckFlag" ? () => false
      : () => { throw new NeedsChecker(String(key)); },
  });
  let result: Transformed | undefined;
  try {
    result = internals.transformNodes(resolver, host, ts.factory, options, [sf],
      [cellTransformer(ts, analysis), ...internals.getTransformers(options).scriptTransformers], false);
    const printerOptions = { removeComments: false, module: options.module, target: options.target, sourceMap: true };
    const printer = ts.createPrinter(printerOptions as TS.PrinterOptions,
      { onEmitNode: result.emitNodeWithNotification, isEmitNotificationEnabled: result.isEmitNotificationEnabled,
        substituteNode: result.substituteNode, hasGlobalName } as TS.PrintHandlers);
    const map = internals.createSourceMapGenerator(host, "cell.js", "", "", options);
    const writer = internals.createTextWriter("\n");
    const write = printer as unknown as { writeFile(sf: TS.SourceFile, writer: object, map: object): void };
    write.writeFile(result.transformed[0], writer, map);
    writer.writeLine();
    emitCounts.direct++;
    return { js: dropEmptyExport(writer.getText()), sourceMap: map.toString() };
  } catch (err) {
    // A question for the checker, or an internal that changed shape: transpileModule does it.
    if (err instanceof NeedsChecker || err instanceof TypeError) return undefined;
    throw err;
  } finally {
    result?.dispose();
  }
}

/** transpileModule: a program and a checker for the one file. */
export function emitWithProgram(ts: typeof TS, source: string, analysis: CellAnalysis): EmittedCell {
  const out = ts.transpileModule(source, {
    fileName: "cell.ts", reportDiagnostics: false,
    // ESNext keeps the module transform out: the CommonJS one would rewrite names of imports
    // that cell_source.ts has already turned into globals.
    compilerOptions: compilerOptions(ts),
    transformers: { before: [cellTransformer(ts, analysis)] },
  });
  emitCounts.program++;
  return { js: dropEmptyExport(out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n")), sourceMap: out.sourceMapText };
}

/** A cell with imports is a module: ESNext output ends in `export {};`, which a function body cannot hold. */
function dropEmptyExport(js: string): string {
  return js.replace(/^export \{\s*\};?[ \t]*$/gm, "");
}
