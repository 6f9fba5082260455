// runtime/tsgo.ts
// The native TypeScript 7 checker (tsgo) in its own process, through `typescript/unstable/sync`.
// This is the only file that imports that API: it is unstable, so a change of it touches one file.
// What it offers the compiler is CheckService (check_service.ts): push file changes, then ask
// for one file's diagnostics, completions at a position, or what a name at a position is.
// Files come from the compiler's VirtualFiles through the API's file-system callbacks; anything
// else falls back to the real disk inside the server.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { requireWithCodeCache } from "./code_cache";
import type { CheckService, ServiceCompletion, ServiceDiagnostic, ServiceSymbolInfo, VirtualFiles } from "./check_service";

import type { Symbol as Sym } from "typescript/unstable/sync" with { "resolution-mode": "import" };

type Sync = typeof import("typescript/unstable/sync", { with: { "resolution-mode": "import" } });
type Api = InstanceType<Sync["API"]>;
type Snapshot = ReturnType<Api["updateSnapshot"]>;
type Project = NonNullable<ReturnType<Snapshot["getProject"]>>;
type Checker = Project["checker"];
type RawDiagnostic = ReturnType<Project["program"]["getSemanticDiagnostics"]>[number];

/** The pinned native compiler's version (package.json: "typescript": "7.0.2"). */
export function nativeVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("typescript/package.json") as { version: string }).version;
}

/** The API: from the build's single file (scripts/bundle_tsgo_api.js) when it was made from the
 * installed version, else from the package's own modules. */
function loadApi(): Sync {
  const bundled = path.join(__dirname, "tsgo_api.cjs");
  if (fs.existsSync(bundled)) {
    const loaded = requireWithCodeCache<Sync & { bundledVersion?: string }>(bundled);
    if (loaded.exports.bundledVersion === nativeVersion()) {
      // The cache is written once the server runs: it then holds the functions a start calls.
      setImmediate(() => loaded.save()).unref();
      return loaded.exports;
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("typescript/unstable/sync") as Sync;
}

/** Replaced snapshots held at most before they are released at once (each holds a program). */
const STALE_SNAPSHOTS = 8;
/** Up to this many changed files go one snapshot each (each updated in place, ~1 ms); more go in
 * one, which builds the program afresh (35 slots moved together: 110-250 ms one, 40-60 ms one by one). */
const ONE_BY_ONE = 128;

/** SymbolFlags of TypeScript 7 (stable since 5.x; only these are read). */
const FLAG = {
  Variable: 3, BlockScopedVariable: 2, Property: 4, EnumMember: 8, Function: 16, Class: 32, Interface: 64,
  Enum: 384, ValueModule: 512, NamespaceModule: 1024, Method: 8192, GetAccessor: 32768, SetAccessor: 65536,
  TypeAlias: 524288, Alias: 2097152,
} as const;

/** LSP CompletionItemKind (what the server reports) -> the kind names Jupyter frontends show. */
const COMPLETION_KIND: Record<number, string> = {
  1: "text", 2: "method", 3: "function", 4: "constructor", 5: "field", 6: "variable", 7: "class", 8: "interface",
  9: "module", 10: "property", 11: "unit", 12: "value", 13: "enum", 14: "keyword", 15: "snippet", 16: "color",
  17: "file", 18: "reference", 19: "folder", 20: "enum member", 21: "constant", 22: "struct", 23: "event",
  24: "operator", 25: "type parameter",
};

export class NativeCheckService implements CheckService {
  readonly name = "tsgo";
  private readonly api: Api;
  private snapshot: Snapshot | undefined;
  private readonly pending = { changed: new Set<string>() };
  /** Whether a library symbol is marked @internal, by its first declaration (stable across snapshots). */
  private readonly internal = new Map<string, boolean>();

  /** Spawns the server at once (it starts while the kernel goes on loading); nothing blocks until the first request. */
  constructor(private readonly files: VirtualFiles, private readonly configFile: string) {
    const { API } = loadApi();
    // The server inherits the environment when it is spawned, here and now: give it a soft memory
    // limit for its Go heap (measured over 1,300 cells: 133 MB without, 85 MB with), and take it
    // back out at once so nothing else the kernel starts sees it. TSGRAD_CHECKER_MEMLIMIT overrides.
    const saved = { GOMEMLIMIT: process.env.GOMEMLIMIT, TSGRAD_TSGO_EXE: process.env.TSGRAD_TSGO_EXE };
    process.env.GOMEMLIMIT = process.env.TSGRAD_CHECKER_MEMLIMIT ?? saved.GOMEMLIMIT ?? "64MiB";
    const exe = serverExe();
    process.env.TSGRAD_TSGO_EXE = exe.real;
    try {
      this.api = this.spawn(API, files, configFile, exe.spawn);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  }

  private spawn(API: Sync["API"], files: VirtualFiles, configFile: string, tsserverPath: string): Api {
    return new API({
      tsserverPath,
      cwd: path.dirname(configFile),
      fs: {
        // undefined: the server reads the disk itself; null: the file does not exist.
        readFile: (f) => files.readFile(f),
        fileExists: (f) => files.fileExists(f),
        directoryExists: (d) => files.directoryExists(d),
        realpath: (f) => files.realpath(f),
        getAccessibleEntries: (d) => files.entries(d),
      },
    });
  }

  changed(file: string, kind: "changed" | "created" | "deleted"): void {
    // Every change goes as "changed": a "created" or "deleted" file makes the server drop its
    // module resolutions and look up every import of the program again (~460 lookups through the
    // file callbacks, 30-90 ms). Slot files exist from the start (empty) and are changed, never
    // created; the files that do come and go (new slots, a moved folder) come with a change of the
    // project file, which rebuilds the program anyway.
    void kind;
    this.pending.changed.add(file);
  }

  private invalidateAll = false;
  invalidate(): void { this.invalidateAll = true; }

  /** Snapshots a newer one replaced, released after the cell (see retire()). */
  private readonly stale: Snapshot[] = [];
  private releasing: NodeJS.Immediate | undefined;

  /** Releases a replaced snapshot once the current turn of the event loop is over: in the kernel,
   * after the cell's reply has gone, so its round trip (~0.2 ms) is off the cell's path. A caller
   * that never yields (a script compiling in a loop) releases them here, a few at a time. */
  private retire(previous: Snapshot): void {
    this.stale.push(previous);
    if (this.stale.length > STALE_SNAPSHOTS) this.releaseStale();
    this.releasing ??= setImmediate(() => this.releaseStale()).unref();
  }

  private releaseStale(): void {
    if (this.releasing) clearImmediate(this.releasing);
    this.releasing = undefined;
    for (const s of this.stale.splice(0)) {
      try { s.dispose(); } catch { /* the server may be gone; close() reports that */ }
    }
  }

  /** The current project, after sending the changes made since the last request. One file per
   * snapshot: the server updates a program for one changed file in place, but builds it afresh,
   * resolving every module again (~500 file lookups, 20-50 ms), when two files change at once. */
  private project(): Project {
    if (!this.snapshot) this.snapshot = this.api.updateSnapshot({ openProjects: [this.configFile] });
    if (this.invalidateAll) {
      this.invalidateAll = false;
      this.pending.changed.clear();
      const previous = this.snapshot;
      this.snapshot = this.api.updateSnapshot({ fileChanges: { invalidateAll: true } });
      this.retire(previous);
    }
    const changed = [...this.pending.changed];
    this.pending.changed.clear();
    // The project file changed (the notebook's folder moved), so the program is built afresh
    // anyway, or more files changed than go one by one: every change goes in one snapshot.
    if (changed.includes(this.configFile) || changed.length > ONE_BY_ONE) {
      const previous = this.snapshot;
      this.snapshot = this.api.updateSnapshot({ fileChanges: { changed } });
      this.retire(previous);
      changed.length = 0;
    }
    for (const file of changed) {
      const previous = this.snapshot;
      this.snapshot = this.api.updateSnapshot({ fileChanges: { changed: [file] } });
      this.retire(previous);
    }
    const project = this.snapshot.getProject(this.configFile);
    if (!project) throw new Error(`tsgo: no project for ${this.configFile}`);
    return project;
  }

  sync(): void {
    this.project();
  }

  diagnostics(file: string): ServiceDiagnostic[] {
    const program = this.project().program;
    // Semantic only (grammar errors the checker finds included): one request a cell, not two.
    return program.getSemanticDiagnostics(file)
      .filter((d) => d.category === 1 && d.fileName === file)
      .map((d) => ({ start: d.pos, code: d.code, message: flatten(d) }));
  }

  completions(file: string, position: number): ServiceCompletion[] | undefined {
    const checker = this.project().checker;
    let info: ReturnType<Checker["getCompletionsAtPosition"]>;
    try {
      info = checker.getCompletionsAtPosition(file, position, { includeSymbol: true });
    } catch (err) {
      // 7.0.2 completes members only: at a bare identifier its server asks for an auto-import
      // registry that the API does not build. The compiler then lists the names in scope itself.
      if (/needs auto imports/.test((err as Error)?.message ?? "")) return undefined;
      throw err;
    }
    return (info?.entries ?? []).map((e) => ({
      name: e.name, sortText: e.sortText ?? "", kind: COMPLETION_KIND[e.kind ?? 1] ?? "text",
      internal: e.symbol ? this.isInternal(checker, e.symbol) : false,
    }));
  }

  /** @internal in the symbol's TSDoc. Library symbols are looked up once (the answer is cached by
   * declaration); a cell's own symbols are looked up each time, since a cell can change them. */
  private isInternal(checker: Checker, sym: Sym): boolean {
    const decl = sym.declarations[0];
    const key = decl ? `${decl.path}#${decl.index}` : undefined;
    const cacheable = key !== undefined && !this.files.isCellFile(decl!.path);
    if (cacheable && this.internal.has(key!)) return this.internal.get(key!)!;
    const internal = checker.getJsDocTagsOfSymbol(sym).some((t) => t.name === "internal");
    if (cacheable) this.internal.set(key!, internal);
    return internal;
  }

  symbolAt(file: string, position: number): ServiceSymbolInfo | undefined {
    const checker = this.project().checker;
    let sym: Sym | undefined = checker.getSymbolAtPosition(file, position);
    if (!sym) return undefined;
    const name = sym.name;
    if (sym.flags & FLAG.Alias) {
      const target = checker.getAliasedSymbol(sym);
      if (!checker.isUnknownSymbol(target)) sym = target;
    }
    const type = checker.getTypeOfSymbol(sym);
    const typeText = type ? checker.typeToString(type, undefined, TYPE_FORMAT) : "";
    const doc = checker.getDocumentationCommentOfSymbol(sym);
    const tags = checker.getJsDocTagsOfSymbol(sym).map((t) => ({ name: t.name, text: t.text ?? "" }));
    // Members read as `Math.max`, `Tensor.add`, as in TypeScript's own hover.
    const parent = sym.flags & (FLAG.Method | FLAG.Property | FLAG.GetAccessor | FLAG.SetAccessor) ? sym.getParent()?.name : undefined;
    const shown = parent && !parent.startsWith("__") && !parent.startsWith('"') ? `${parent}.${name}` : name;
    return { name, kind: symbolKind(sym.flags), type: typeText, signature: signatureText(shown, sym.flags, typeText), doc, tags };
  }

  close(): void {
    this.releaseStale();
    try { this.snapshot?.dispose(); } catch { /* the server may be gone already */ }
    try { this.api.close(); } catch { /* idem */ }
  }
}

/** The server binary, and what to spawn for it. Jupyter interrupts a kernel by sending SIGINT to
 * its process group (jupyter_client's killpg), and the server, a child in that group, would take it
 * and cancel its work (a panic in its next snapshot). So it runs in a session of its own, through
 * `setsid` where there is one, via a small script the API can be pointed at (it spawns a path, with
 * arguments of its own). */
function serverExe(): { real: string; spawn: string } {
  const real = platformExe() ?? packageExe();
  if (process.platform === "win32") return { real, spawn: real };
  const script = "#!/bin/sh\n# tsgrad: the TypeScript checker in a session of its own (runtime/tsgo.ts)\n" +
    "if command -v setsid >/dev/null 2>&1; then exec setsid \"$TSGRAD_TSGO_EXE\" \"$@\"; fi\nexec \"$TSGRAD_TSGO_EXE\" \"$@\"\n";
  const file = path.join(os.tmpdir(), `tsgrad-tsgo-${process.getuid?.() ?? "user"}.sh`);
  try {
    if (fs.readFileSync(file, "utf8") !== script) throw new Error("stale");
  } catch {
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(tmp, script, { mode: 0o755 });
    fs.renameSync(tmp, file);
  }
  return { real, spawn: file };
}

/** The binary in the platform's package, where the package's own lookup (lib/getExePath.js) finds
 * it on an installed package; undefined elsewhere. getExePath.js is an ES module: loading it was the
 * only ES module of the kernel's start, and its loader took ~9 ms of the main thread. */
export function platformExe(): string | undefined {
  if (process.platform === "win32") return undefined;
  try {
    const pkg = path.dirname(require.resolve("typescript/package.json"));
    const platform = path.dirname(require.resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`, { paths: [pkg] }));
    const exe = path.join(platform, "lib", "tsc");
    return fs.existsSync(exe) ? exe : undefined;
  } catch {
    return undefined;
  }
}

/** The package's own lookup of its binary. */
export function packageExe(): string {
  const pkg = path.dirname(require.resolve("typescript/package.json"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(pkg, "lib", "getExePath.js")) as { default: () => string }).default();
}

/** TypeFormatFlags: NoTruncation | UseFullyQualifiedType would print import paths; NoTruncation only. */
const TYPE_FORMAT = 1;

function flatten(d: RawDiagnostic, indent = ""): string {
  const chain = (d.messageChain ?? []).map((c) => "\n" + flatten(c, indent + "  ")).join("");
  return indent + d.text + chain;
}

function symbolKind(flags: number): string {
  if (flags & FLAG.Class) return "class";
  if (flags & FLAG.Interface) return "interface";
  if (flags & FLAG.TypeAlias) return "type";
  if (flags & FLAG.Enum) return "enum";
  if (flags & FLAG.Function) return "function";
  if (flags & FLAG.Method) return "method";
  if (flags & (FLAG.GetAccessor | FLAG.SetAccessor | FLAG.Property)) return "property";
  if (flags & FLAG.EnumMember) return "enum member";
  if (flags & (FLAG.ValueModule | FLAG.NamespaceModule)) return "namespace";
  if (flags & FLAG.BlockScopedVariable) return "let";
  if (flags & FLAG.Variable) return "var";
  return "name";
}

/** `function f(x: number): string`, `class Linear`, `let x: number[]`, as a hover shows them. */
function signatureText(name: string, flags: number, type: string): string {
  if (flags & (FLAG.Function | FLAG.Method)) {
    // One signature `<T>(a: T) => R` reads as `name<T>(a: T): R`; overloads stay as the type literal.
    const prefix = flags & FLAG.Function ? "function " : "(method) ";
    const split = splitSignature(type);
    return split ? `${prefix}${name}${split.head}: ${split.ret}` : `${prefix}${name}: ${type}`;
  }
  if (flags & FLAG.Class) return `class ${name}`;
  if (flags & FLAG.Interface) return `interface ${name}`;
  if (flags & FLAG.TypeAlias) return `type ${name} = ${type}`;
  if (flags & FLAG.Enum) return `enum ${name}`;
  if (flags & (FLAG.ValueModule | FLAG.NamespaceModule)) return `namespace ${name}`;
  if (flags & (FLAG.GetAccessor | FLAG.SetAccessor | FLAG.Property)) return `(property) ${name}: ${type}`;
  return `${flags & FLAG.BlockScopedVariable ? "let" : "var"} ${name}: ${type}`;
}

/** `<T>(a: (x: T) => void) => R` -> head `<T>(a: (x: T) => void)`, ret `R`, by bracket depth. */
function splitSignature(type: string): { head: string; ret: string } | undefined {
  let depth = 0;
  let sawParams = false;
  for (let i = 0; i < type.length; i++) {
    const c = type[i];
    if (c === "(" || c === "<" || c === "[" || c === "{") {
      if (depth === 0 && c === "{") return undefined;
      if (depth === 0 && c === "(") sawParams = true;
      depth++;
    } else if (c === ")" || c === "]" || c === "}" || (c === ">" && type[i - 1] !== "=")) {
      depth--;
      if (depth === 0 && c === ")" && sawParams && type.startsWith(" => ", i + 1)) {
        return { head: type.slice(0, i + 1), ret: type.slice(i + 5) };
      }
    }
  }
  return undefined;
}
