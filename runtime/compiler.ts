// runtime/compiler.ts
// TypeScript cell -> JavaScript, with type checking through one long-lived LanguageService.
// Each cell is its own virtual module next to the notebook; it sees earlier cells through a
// header appended after its text (`import { model } from "./__tsgrad_cell_3"`, and
// `declare let n: typeof import("./__tsgrad_cell_2").n` for assignable names), so a name can be
// declared again in a later cell and positions in the cell text are never shifted. The cell
// globals (display, torch, ...) come from a generated `declare global` file over runtime/index.ts.
// The `typescript` module is loaded on first use, never at import time (kernel startup budget).
// Running the JavaScript is evaluator.ts's job; the rewriting itself is in cell_source.ts.
import * as path from "path";
import * as fs from "fs";
import type * as TS from "typescript6";
import { runtimeDeclarations, type Declarations } from "./declarations";
import { analyzeCell, cellTransformer, trackedLets, type CellAnalysis, type DeclKind } from "./cell_source";
import type { CompleteResult, InspectResult } from "./io";

let tsModule: typeof TS | undefined;
/** The compiler module, loaded on first use (it costs ~200 ms and ~40 MB). */
export function loadTypeScript(): typeof TS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (tsModule ??= require("typescript6") as typeof TS);
}

export interface CellDiagnostic { line: number; column: number; code: number; message: string }

export interface CompiledCell {
  /** Body of the cell's async function (see cell_source.ts). */
  js: string;
  /** Source map of `js` back to the cell text (version 3 JSON). */
  sourceMap?: string;
  analysis: CellAnalysis;
  /** Names passed, in order, to `__tsg.end(result, values)`. */
  tracked: string[];
  /** The body is a generator's (top-level awaits became yields; see CellAnalysis.mode). */
  generator?: boolean;
  diagnostics: CellDiagnostic[];
}

/** The folder holding package.json of tsgrad (runtime/ in a checkout, dist/runtime/ when built). */
export function findPackageRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const pj = path.join(dir, "package.json");
    try {
      if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, "utf8")).name === "tsgrad") return dir;
    } catch { /* unreadable package.json: keep walking */ }
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(from, "..");
    dir = up;
  }
}

export interface CompilerConfig {
  /** Names runtime/index.ts exports to cells (typed from that module). */
  globalNames: string[];
  /** Module whose exports are the cell globals, without extension. */
  globalsModule: string;
  /** Module a cell gets for `import ... from "tslab"`, without extension. */
  tslabModule?: string;
}

const CELL_PREFIX = "__tsgrad_cell_";

interface VirtualFile { text: string; version: number }

export class CellCompiler {
  private readonly ts = loadTypeScript();
  private readonly files = new Map<string, VirtualFile>();
  private readonly roots = new Set<string>();
  private lsInstance: TS.LanguageService | undefined;
  private program: TS.Program | undefined;
  private readonly host: TS.CompilerHost;
  private readonly sourceCache = new Map<string, TS.SourceFile>();
  private readonly compileCache = new Map<string, CompiledCell>();
  private readonly options: TS.CompilerOptions;
  private readonly packageRoot = findPackageRoot();
  private readonly resolutionCache: TS.ModuleResolutionCache;
  /** Live names of earlier cells: which cell file declares each, and how. */
  private readonly chain = new Map<string, { file: string; kind: DeclKind }>();
  private readonly checkCache = new Map<string, CellDiagnostic[]>();
  private dir: string;
  /** The notebook's folder of the cell being compiled: npm imports resolve from here. */
  private cwd: string;
  private globalsFile: string;
  private serial = 0;
  private readonly nodeTypesRoot: string;
  private readonly nodeTypesFile: string;
  /** All of @types/node is in the program (a cell imported a built-in or needed a name outside the globals). */
  private allNodeTypes = false;

  constructor(private readonly config: CompilerConfig, cwd = process.cwd()) {
    const ts = this.ts;
    this.dir = path.resolve(cwd);
    this.cwd = this.dir;
    this.options = {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2023.d.ts"], types: [], typeRoots: [path.join(this.packageRoot, "node_modules", "@types")],
      strict: true, noImplicitAny: false, skipLibCheck: true, noEmit: true, esModuleInterop: true,
      allowJs: false, resolveJsonModule: true, allowImportingTsExtensions: true, experimentalDecorators: false,
    };
    this.globalsFile = path.join(path.dirname(config.globalsModule), "__tsgrad_globals__.d.ts");
    this.setFile(this.globalsFile, globalsDeclaration(config));
    this.roots.add(this.globalsFile);
    // Node's types: the globals' files only (console, timers, process, Buffer, URL, ...) until a cell
    // needs the rest (see needsAllNodeTypes); all of @types/node is 2.2 MB of text, most of the first
    // check's time and ~70 MB of the kernel's memory.
    this.nodeTypesRoot = path.join(this.packageRoot, "node_modules", "@types", "node");
    this.nodeTypesFile = path.join(path.dirname(config.globalsModule), "__tsgrad_node__.d.ts");
    this.setFile(this.nodeTypesFile, nodeReferences(this.nodeTypesRoot, NODE_GLOBAL_TYPES));
    this.roots.add(this.nodeTypesFile);
    this.resolutionCache = ts.createModuleResolutionCache(this.packageRoot, (s) => s, this.options);
    // The library's types come from .d.ts files standing in for its .ts sources (see declarations.ts).
    const decls: Declarations | undefined = runtimeDeclarations(ts, path.dirname(config.globalsModule), this.packageRoot, this.options);
    const hidden = (f: string) => !!decls && f.endsWith(".ts") && !f.endsWith(".d.ts") && decls.has(f.slice(0, -3) + ".d.ts");
    const fileExists = (f: string) => this.files.has(f) || !!decls?.has(f) || (!hidden(f) && ts.sys.fileExists(f));
    const readFile = (f: string) => this.files.get(f)?.text ?? decls?.get(f) ?? (hidden(f) ? undefined : ts.sys.readFile(f));
    const resolutionHost: TS.ModuleResolutionHost = { fileExists, readFile, directoryExists: ts.sys.directoryExists,
      realpath: ts.sys.realpath, getCurrentDirectory: () => this.packageRoot, getDirectories: ts.sys.getDirectories };
    // Checks use createProgram over a host that keeps every parsed file (lib, @types/node, earlier
    // cells): a new program for a small cell then costs ~2 ms, where a LanguageService's
    // per-file bookkeeping costs several times that. The LanguageService (completion, inspect)
    // is built on first use.
    const host = ts.createCompilerHost(this.options);
    const runtimeDir = path.dirname(config.globalsModule) + path.sep;
    const parse = host.getSourceFile.bind(host);
    host.getSourceFile = (file, languageVersion) => {
      const v = this.files.get(file);
      const key = v ? `${file}\0${v.version}` : file;
      let sf = this.sourceCache.get(key);
      if (!sf) {
        let d = decls?.get(file);
        // The library's .d.ts say `/// <reference types="node" />`; Node's types come from
        // __tsgrad_node__.d.ts instead (only the globals' files unless a cell needs more).
        if (d === undefined && !v && file.startsWith(runtimeDir) && file.endsWith(".d.ts")) d = ts.sys.readFile(file);
        if (d !== undefined) d = d.replace(NODE_REFERENCE, "");
        sf = v ? ts.createSourceFile(file, v.text, languageVersion, false, ts.ScriptKind.TS)
          : d !== undefined ? ts.createSourceFile(file, d, languageVersion, false, ts.ScriptKind.TS)
          : parse(file, languageVersion);
        if (sf) this.sourceCache.set(key, sf);
      }
      return sf;
    };
    host.fileExists = fileExists;
    host.readFile = readFile;
    host.getCurrentDirectory = () => this.packageRoot;
    // Shares package.json lookups between programs (TypeScript asks each file's package scope for
    // its module format on every new program).
    host.getModuleResolutionCache = () => this.resolutionCache;
    host.resolveModuleNameLiterals = (literals, containingFile, redirected, options) => literals.map((lit) =>
      this.resolve(lit.text, containingFile, options, resolutionHost, redirected));
    this.host = host;
    this.lsHost = {
      getScriptFileNames: () => [...this.roots],
      getScriptVersion: (f) => String(this.files.get(f)?.version ?? 0),
      getScriptSnapshot: (f) => {
        const t = readFile(f);
        return t === undefined ? undefined : ts.ScriptSnapshot.fromString(t);
      },
      getCurrentDirectory: () => this.packageRoot,
      getCompilationSettings: () => this.options,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists, readFile,
      readDirectory: ts.sys.readDirectory, directoryExists: ts.sys.directoryExists, getDirectories: ts.sys.getDirectories,
      realpath: ts.sys.realpath,
      resolveModuleNameLiterals: (literals, containingFile, redirected, options) => literals.map((lit) =>
        this.resolve(lit.text, containingFile, options, resolutionHost, redirected)),
    };
  }

  private lsHost: TS.LanguageServiceHost;
  private get ls(): TS.LanguageService {
    return (this.lsInstance ??= this.ts.createLanguageService(this.lsHost, this.sharedRegistry()));
  }

  /** A document registry that hands the LanguageService the files the checker already parsed
   * (lib, @types/node, the runtime's .d.ts, earlier cells) instead of parsing them a second time
   * (~60 MB). Files are never updated in place: a changed file is parsed afresh, so no cached
   * tree is mutated by an incremental parse. */
  private sharedRegistry(): TS.DocumentRegistry {
    const ts = this.ts;
    const get = (fileName: string, snapshot: TS.IScriptSnapshot, version: string, kind: TS.ScriptKind | undefined,
      opts: TS.CreateSourceFileOptions | TS.ScriptTarget): TS.SourceFile => {
      const v = this.files.get(fileName);
      const shared = !v || String(v.version) === version ? this.host.getSourceFile(fileName, opts) : undefined;
      const sf = shared ?? ts.createLanguageServiceSourceFile(fileName, snapshot, opts, version, true, kind);
      (sf as { version?: string }).version = version;
      return sf;
    };
    return {
      acquireDocument: (f, _s, snap, ver, kind, opts) => get(f, snap, ver, kind, opts ?? ts.ScriptTarget.ES2022),
      acquireDocumentWithKey: (f, _p, _s, _k, snap, ver, kind, opts) => get(f, snap, ver, kind, opts ?? ts.ScriptTarget.ES2022),
      updateDocument: (f, _s, snap, ver, kind, opts) => get(f, snap, ver, kind, opts ?? ts.ScriptTarget.ES2022),
      updateDocumentWithKey: (f, _p, _s, _k, snap, ver, kind, opts) => get(f, snap, ver, kind, opts ?? ts.ScriptTarget.ES2022),
      getKeyForCompilationSettings: () => "tsgrad" as TS.DocumentRegistryBucketKey,
      releaseDocument: () => {},
      releaseDocumentWithKey: () => {},
      reportStats: () => "{}",
    } as TS.DocumentRegistry;
  }

  private resolve(name: string, containingFile: string, options: TS.CompilerOptions, host: TS.ModuleResolutionHost,
    redirected: TS.ResolvedProjectReference | undefined): TS.ResolvedModuleWithFailedLookupLocations {
    const ts = this.ts;
    if (name === "tslab" && this.config.tslabModule) name = this.config.tslabModule;
    const isCell = path.basename(containingFile).startsWith(CELL_PREFIX);
    // A cell imports from the notebook's current folder (earlier cells: from beside it).
    const from = isCell && !name.startsWith(`./${CELL_PREFIX}`) ? path.join(this.cwd, "__tsgrad_resolve__.ts") : containingFile;
    const first = ts.resolveModuleName(name, from, options, host, this.resolutionCache, redirected);
    if (first.resolvedModule || !isCell) return first;
    // Cells also import the kernel's own dependencies (issue: "resolved from the notebook's folder
    // upward and from the kernel's own dependencies").
    return ts.resolveModuleName(name, path.join(this.packageRoot, "__tsgrad_resolve__.ts"), options, host,
      this.resolutionCache, redirected);
  }

  private setFile(file: string, text: string): void {
    const old = this.files.get(file);
    if (old?.text === text) return;
    this.files.set(file, { text, version: (old?.version ?? 0) + 1 });
  }

  /** The notebook's folder for the next cells (npm imports resolve from there). */
  setCwd(cwd: string | undefined): void {
    if (cwd) this.cwd = path.resolve(cwd);
  }

  parse(source: string): TS.SourceFile {
    return this.ts.createSourceFile("cell.ts", source, this.ts.ScriptTarget.ES2022, true, this.ts.ScriptKind.TS);
  }

  /** Imports that give a cell the names of earlier cells it does not redeclare. Plain imports
   * cost the checker nothing until a name is used (a `declare let x: typeof import(..).x` would
   * infer every earlier variable's type for every cell); assigning to an imported `let` is
   * allowed by dropping TS2632 for those names (see typeCheck). */
  private header(own: Map<string, DeclKind>): string {
    const byFile = new Map<string, string[]>();
    const lines: string[] = [];
    for (const [name, { file }] of this.chain) {
      if (own.has(name)) continue;
      const rel = "./" + path.basename(file, ".ts");
      if (!byFile.has(rel)) byFile.set(rel, []);
      byFile.get(rel)!.push(name);
    }
    for (const [rel, names] of byFile) lines.push(`import { ${names.join(", ")} } from ${JSON.stringify(rel)};`);
    return lines.join("\n");
  }

  private checkedText(source: string, a: CellAnalysis): string {
    const exports = [...a.names.keys()].filter((n) => !a.exported.has(n));
    return `${source}\n;\n${this.header(a.names)}\nexport { ${exports.join(", ")} };\n`;
  }

  /** Type-checks and compiles a cell. `check: false` reports syntax errors only. */
  compile(source: string, opts: { check: boolean }): CompiledCell {
    const ts = this.ts;
    const sf = this.parse(source);
    const analysis = analyzeCell(ts, sf);
    // Same text with the same earlier cells in view: same diagnostics and JavaScript.
    const key = `${opts.check ? 1 : 0}\0${this.cwd}\0${source}\0${opts.check ? this.header(analysis.names) : ""}`;
    const hit = this.compileCache.get(key);
    if (hit) return { ...hit, analysis };
    const compiled = this.compileUncached(source, sf, analysis, opts);
    if (this.compileCache.size > 500) this.compileCache.clear();
    this.compileCache.set(key, compiled);
    return compiled;
  }

  private compileUncached(source: string, sf: TS.SourceFile, analysis: CellAnalysis, opts: { check: boolean }): CompiledCell {
    const ts = this.ts;
    const diagnostics = opts.check ? this.typeCheck(source, analysis) : syntaxDiagnostics(ts, sf);
    if (diagnostics.length) return { js: "", analysis, tracked: [], diagnostics };
    const out = ts.transpileModule(source, {
      fileName: "cell.ts", reportDiagnostics: false,
      // ESNext keeps the module transform out: the CommonJS one would rewrite names of imports
      // that cell_source.ts has already turned into globals.
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true,
        esModuleInterop: true, inlineSources: false, removeComments: false, alwaysStrict: false,
        useDefineForClassFields: true },
      transformers: { before: [cellTransformer(ts, analysis)] },
    });
    // A cell with imports is a module: ESNext output ends in `export {};`, which a function body cannot hold.
    const js = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n").replace(/^export \{\s*\};?[ \t]*$/gm, "");
    return { js, sourceMap: out.sourceMapText, analysis, tracked: trackedLets(analysis), diagnostics,
      generator: analysis.mode === "generator" };
  }

  private typeCheck(source: string, analysis: CellAnalysis): CellDiagnostic[] {
    if (!this.allNodeTypes && analysis.imports.some((i) => isBuiltin(i.spec))) this.useAllNodeTypes();
    const result = this.typeCheckOnce(source, analysis);
    // A name Node declares outside its globals' files (NodeJS.ReadableStream, require, fetch, ...):
    // check again with all of @types/node before reporting it missing.
    if (!this.allNodeTypes && result.some((d) => MISSING_NAME.has(d.code))) {
      this.useAllNodeTypes();
      return this.typeCheckOnce(source, analysis);
    }
    return result;
  }

  /** From now on the program holds all of @types/node. */
  private useAllNodeTypes(): void {
    this.allNodeTypes = true;
    this.setFile(this.nodeTypesFile, nodeReferences(this.nodeTypesRoot, ["index.d.ts"]));
    this.dropStale(this.nodeTypesFile);
    this.checkCache.clear();
    this.compileCache.clear();
  }

  private typeCheckOnce(source: string, analysis: CellAnalysis): CellDiagnostic[] {
    const text = this.checkedText(source, analysis);
    const cached = this.checkCache.get(this.cwd + "\0" + text);
    if (cached) return cached;
    const file = path.join(this.dir, `${CELL_PREFIX}check.ts`);
    this.setFile(file, text);
    const t0 = performance.now();
    const program = this.ts.createProgram({ rootNames: [...this.roots, file], options: this.options, host: this.host,
      oldProgram: this.program });
    this.program = program;
    this.dropStale(file);
    const sf = program.getSourceFile(file)!;
    const all = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    // TSGRAD_PROFILE=1: one line per type check on stderr (ms, files in the program).
    if (process.env.TSGRAD_PROFILE) {
      process.stderr.write(`tsgrad check: ${(performance.now() - t0).toFixed(1)} ms, ${program.getSourceFiles().length} files\n`);
    }
    const result = all.filter((d) => d.category === this.ts.DiagnosticCategory.Error && !this.isLetAssignment(d))
      .map((d) => toCellDiagnostic(this.ts, d, sf, source.length));
    if (this.checkCache.size > 200) this.checkCache.clear();
    this.checkCache.set(this.cwd + "\0" + text, result);
    return result;
  }

  /** TS2632 "Cannot assign to 'n' because it is an import." for a `let` of an earlier cell: allowed. */
  private isLetAssignment(d: TS.Diagnostic): boolean {
    if (d.code !== 2632) return false;
    const m = /'([^']+)'/.exec(this.ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    return !!m && this.chain.get(m[1])?.kind === "let";
  }

  /** Forgets parsed versions of a virtual file other than its current one. */
  private dropStale(file: string): void {
    const current = `${file}\0${this.files.get(file)?.version}`;
    for (const key of this.sourceCache.keys()) if (key.startsWith(file + "\0") && key !== current) this.sourceCache.delete(key);
  }

  /** Makes a run cell's declarations visible to the cells after it. */
  commit(source: string, analysis: CellAnalysis): void {
    this.lastCommit = undefined;
    if (analysis.names.size === 0) return;
    const file = path.join(this.dir, `${CELL_PREFIX}${++this.serial}.ts`);
    this.lastCommit = new Map([...analysis.names.keys()].map((n) => [n, this.chain.get(n)]));
    // Not a root: cells after it import it, so the root list (and TypeScript's reuse of the
    // previous program's module resolutions) stays the same from cell to cell.
    this.setFile(file, this.checkedText(source, analysis));
    for (const [name, kind] of analysis.names) {
      this.chain.delete(name);
      this.chain.set(name, { file, kind: kind === "let" ? "let" : kind });
    }
  }

  /** What the last commit replaced: name -> the earlier cell's declaration (undefined: none). */
  private lastCommit: Map<string, { file: string; kind: DeclKind } | undefined> | undefined;

  /** After the last committed cell threw: its declarations of `names` never ran, so later cells
   * see the earlier cell's declaration of each again, or none (a type error, like Python's
   * NameError), instead of a name that type-checks but is undefined at run time. */
  forget(names: Iterable<string>): void {
    const before = this.lastCommit;
    if (!before) return;
    for (const name of names) {
      if (!before.has(name)) continue;
      const prev = before.get(name);
      this.chain.delete(name);
      if (prev) this.chain.set(name, prev);
    }
    this.checkCache.clear();
    this.compileCache.clear();
  }

  /** Loads lib files and builds the first program, so the first real cell is fast. */
  warmUp(): void {
    this.compile("const __tsgrad_warm: number = [1].map((x) => x + 1)[0]; __tsgrad_warm", { check: true });
    this.checkCache.clear();
  }

  private scratch(code: string): string {
    const a = analyzeCell(this.ts, this.parse(code));
    const file = path.join(this.dir, `${CELL_PREFIX}edit.ts`);
    this.setFile(file, `${code}\n;\n${this.header(a.names)}\nexport {};\n`);
    this.dropStale(file);
    this.roots.add(file);
    return file;
  }

  complete(code: string, cursor: number): CompleteResult {
    const file = this.scratch(code);
    let start = cursor;
    while (start > 0 && /[\w$]/.test(code[start - 1])) start--;
    const prefix = code.slice(start, cursor);
    const info = this.ls.getCompletionsAtPosition(file, cursor, { includeCompletionsWithInsertText: false });
    this.roots.delete(file);
    const entries = (info?.entries ?? [])
      .filter((e) => e.name.startsWith(prefix) && !e.name.startsWith("__tsg") && !e.name.startsWith(CELL_PREFIX))
      .sort((x, y) => x.sortText.localeCompare(y.sortText) || x.name.localeCompare(y.name));
    return {
      matches: entries.map((e) => e.name), cursor_start: start, cursor_end: cursor,
      metadata: { _jupyter_types_experimental: entries.map((e) => ({ start, end: cursor, text: e.name, type: this.kindOf(e) })) },
    };
  }

  /** Names of earlier cells reach the cell as imports ("alias"): report what they were declared as. */
  private kindOf(e: TS.CompletionEntry): string {
    if (e.kind !== "alias") return e.kind;
    const k = this.chain.get(e.name)?.kind;
    return k === "let" ? "let" : k === "const" ? "const" : k === "import" ? "module" : k ?? e.kind;
  }

  inspect(code: string, cursor: number): InspectResult {
    const file = this.scratch(code);
    let pos = cursor;
    if (pos > 0 && !/[\w$]/.test(code[pos] ?? "") && /[\w$]/.test(code[pos - 1])) pos--;
    const info = this.ls.getQuickInfoAtPosition(file, pos);
    this.roots.delete(file);
    if (!info) return { found: false, data: {}, metadata: {} };
    const ts = this.ts;
    // Names of earlier cells reach this cell as imports: show the declaration, not the alias.
    const sig = ts.displayPartsToString(info.displayParts).replace(/^\(alias\) /, "").replace(/\nimport [\w$]+$/, "");
    const doc = ts.displayPartsToString(info.documentation);
    const tags = (info.tags ?? []).map((t) => `@${t.name}${t.text ? " " + ts.displayPartsToString(t.text) : ""}`);
    const plain = [sig, doc, ...tags].filter(Boolean).join("\n\n");
    const markdown = ["```ts\n" + sig + "\n```", doc, ...tags.map((t) => `*${t}*`)].filter(Boolean).join("\n\n");
    return { found: true, data: { "text/plain": plain, "text/markdown": markdown }, metadata: {} };
  }
}

function toCellDiagnostic(ts: typeof TS, d: TS.Diagnostic, sf: TS.SourceFile, cellLength: number): CellDiagnostic {
  const start = Math.min(d.start ?? 0, cellLength);
  const { line, character } = sf.getLineAndCharacterOfPosition(start);
  return { line: line + 1, column: character + 1, code: d.code, message: ts.flattenDiagnosticMessageText(d.messageText, "\n") };
}

function syntaxDiagnostics(ts: typeof TS, sf: TS.SourceFile): CellDiagnostic[] {
  const parsed = (sf as unknown as { parseDiagnostics?: TS.Diagnostic[] }).parseDiagnostics ?? [];
  return parsed.map((d) => toCellDiagnostic(ts, d, sf, sf.text.length));
}

/** The ambient file that types the cell globals: each export of runtime/index.ts becomes a global
 * alias with all its meanings (value, type, namespace), so `nn.Linear` works as a type too. */
function globalsDeclaration(config: CompilerConfig): string {
  const names = config.globalNames.filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  return [
    `import * as __tsgrad_rt from ${JSON.stringify(config.globalsModule)};`,
    "declare global {",
    ...names.map((n) => `  export import ${n} = __tsgrad_rt.${n};`),
    "}",
    "export {};",
    "",
  ].join("\n");
}

/** Formats diagnostics as the notebook shows them: `cell [4] 2:9 - message (TS2552)`. */
export function formatDiagnostic(d: CellDiagnostic, executionCount: number): string {
  const code = d.code ? ` (TS${d.code})` : "";
  return `cell [${executionCount}] ${d.line}:${d.column} - ${d.message}${code}`;
}

const NODE_REFERENCE = /^\/\/\/\s*<reference\s+types="node"\s*\/>[ \t]*$/gm;
/** The @types/node files that declare Node's globals (index.d.ts's list, less the modules). */
const NODE_GLOBAL_TYPES = [
  "compatibility/index.d.ts", "globals.typedarray.d.ts", "buffer.buffer.d.ts", "globals.d.ts",
  "web-globals/abortcontroller.d.ts", "web-globals/domexception.d.ts", "web-globals/events.d.ts",
  "buffer.d.ts", "console.d.ts", "events.d.ts", "process.d.ts", "timers.d.ts", "url.d.ts", "util.d.ts", "perf_hooks.d.ts",
];
/** "Cannot find name/namespace/module ..." (incl. the "do you need @types/node" variants). */
const MISSING_NAME = new Set([2304, 2552, 2580, 2582, 2591, 2503, 2592, 2307, 2694]);

function nodeReferences(root: string, files: string[]): string {
  return files.map((f) => `/// <reference path=${JSON.stringify(path.join(root, f))} />`).join("\n") + "\nexport {};\n";
}

function isBuiltin(spec: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("module") as typeof import("module")).isBuiltin(spec);
}
