// runtime/compiler.ts
// TypeScript cell -> JavaScript, with type checking by a CheckService (check_service.ts): the
// native TypeScript 7 checker in its own process (tsgo.ts), or TypeScript 6 in process where the
// native one cannot start (ts_inprocess.ts).
//
// What the checker sees stays the same size however many cells ran (issue 10):
// - the cells that still own a live name, each in a slot file (a module, so its names shadow
//   earlier cells' and can be declared again). A slot makes the names it owns globals through an
//   import of itself: `import * as __tsgrad_self from ".../__tsgrad_cell_12"; declare global {
//   export import model = __tsgrad_self.model; }` (an alias keeps every meaning: value, type,
//   namespace, and its TSDoc). A name has one owner, the cell that declared it last; a cell whose
//   names were all declared again frees its slot. The pool of slots doubles when full.
// - the checker's cost per cell grows with its files, not with what they hold (each file is one
//   more to carry into every snapshot and to merge into the globals of every new checker): 300
//   cells in 300 slots cost ~1.5 ms more a cell than 300 declarations in one. So settled cells
//   share slots: once COMPACT_AT cells sit one per slot, all but the newest move into one slot
//   (compact()). Only cells without imports or exports share (a slot's import list must not change).
// - a cell that declares names is checked in the slot it will take, already owning its names, so
//   running it commits what was checked with no further change; a cell that fails its check gives
//   the slot and the names back. A cell that declares nothing is checked in `__tsgrad_cell_check.ts`.
// The native checker updates its program in place for one changed file a request (tsgo.ts), so a
// cell that declares only new names costs one file change and one diagnostics request; declaring a
// name again also rewrites the slot that owned it. (The first design kept the globals in scope
// files over 16 slots each: three file changes a cell, ~2 ms more a cell.)
// The cell globals (display, torch, ...) come from a generated `declare global` file over
// runtime/index.ts. Parsing, the rewrite (cell_source.ts) and the transpile stay in process with
// TypeScript 6's syntax API, loaded on first use. Running the JavaScript is evaluator.ts's job.
import * as path from "path";
import * as fs from "fs";
import type * as TS from "typescript6";
import { runtimeDeclarations } from "./declarations";
import { trackedLets, type CellAnalysis, type DeclKind } from "./cell_source";
import { scanDeclarations, type Declarations } from "./cell_scan";
import { SyntaxWorker } from "./syntax_worker";
import { lineStarts, toCellDiagnostic, type CellDiagnostic } from "./syntax";
import type { IsCompleteStatus } from "./io";
import { CELL_PREFIX, VirtualFiles, type CheckService, type ServiceCompletion, type ServiceDiagnostic } from "./check_service";
import type { ProjectConfig } from "./ts_inprocess";
import type { CompleteResult, InspectResult } from "./io";

let tsModule: typeof TS | undefined;
/** TypeScript 6's JS API on this thread: the in-process fallback checker, and the syntax work where
 * no worker thread can run (~180 ms, ~40 MB). */
export function loadTypeScript(): typeof TS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (tsModule ??= require("typescript6") as typeof TS);
}

export type { CellDiagnostic } from "./syntax";

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
  /** "native" (default unless TSGRAD_CHECKER=inprocess) or "inprocess". */
  checker?: "native" | "inprocess";
}

/** Cell slots to start with (see the file comment). */
const SLOTS = 64;
/** The name a slot imports itself as, to make its names globals. */
const SELF = "__tsgrad_self";
const EMPTY_MODULE = "export {};\n";
/** Settled cells one per slot that make compact() move them into one slot, all but the newest
 * KEEP_APART (a cell run again soon frees its slot, which is cheaper than rewriting a shared one). */
const COMPACT_AT = 40;
const KEEP_APART = 8;
/** Compiled cells kept for repeats of the same text in the same scope (bounded, least recent out). */
const COMPILE_CACHE_SIZE = 200;
/** A cell the checker holds: its text as the checker sees it (without the globals), its slot, the
 * names it declares, and whether it may share a slot (compact()). */
interface HeldCell { text: string; slot: number; names: string[]; shares: boolean }

/** Whether a committed cell may share a slot with others: nothing in it may change the slot's
 * imports (an import of any kind, `require`, a reference directive) or its exports, or declare
 * outside it. A word test: a cell that only mentions one of these words keeps a slot of its own. */
function canShare(source: string): boolean {
  return !/\b(import|export|require|declare)\b|^\s*\/\/\//m.test(source);
}

/** Warns once per process when the native checker cannot start. */
let fallbackLogged = false;

export class CellCompiler {
  private readonly files: VirtualFiles;
  private service: CheckService;
  private readonly packageRoot = findPackageRoot();
  private readonly compileCache = new Map<string, CompiledCell>();
  /** Parse, analysis and transpile, on a worker thread that is replaced now and then (syntax_worker.ts). */
  private readonly syntax = new SyntaxWorker(() => loadTypeScript());
  /** Live names of earlier cells: the cell that declared each last, and how. */
  private readonly chain = new Map<string, { cell: number; kind: DeclKind }>();
  /** Slot files, by slot number. */
  private readonly slots: string[] = [];
  /** The cells the checker holds, by id: those owning a live name, one that forget() may bring
   * back, and the staged one. */
  private readonly cells = new Map<number, HeldCell>();
  /** The cells in each slot, by slot number: none, one, or several that compact() moved together. */
  private readonly slotCells: number[][] = [];
  private nextCell = 0;
  private compacting: NodeJS.Immediate | undefined;
  /** What the last commit replaced: name -> the earlier declaration (undefined: none). */
  private lastCommit: Map<string, { cell: number; kind: DeclKind } | undefined> | undefined;
  /** The cell being checked in its slot, already owning its names; `prev` is what it took them from. */
  private staged: { source: string; cell: number; prev: Map<string, { cell: number; kind: DeclKind } | undefined> } | undefined;
  /** Bumped whenever the names earlier cells make visible change; part of the compile cache key. */
  private scopeVersion = 0;
  /** Runtime globals that a cell's live name hides (left out of the globals file). */
  private shadowed: string[] = [];
  /** Where cell files live: the notebook's folder, so npm imports resolve from there. */
  private dir: string;
  private readonly config: ProjectConfig;
  private readonly configFile: string;
  /** Lists the slots (`/// <reference path>` each): the project's root files stay five, so the
   * checker's answer to each update, which lists them, stays small (it listed every slot: 18 KB a
   * cell at 400 cells, decoded on this thread). */
  private readonly slotsFile: string;
  private readonly globalsFile: string;
  /** Node's types: the files of its globals (console, timers, process, Buffer, URL, ...) until a cell
   * needs the rest (a built-in import, or a name Node declares elsewhere); all of @types/node is
   * 190 of the 250 ms the checker takes to open its project. */
  private readonly nodeTypesFile: string;
  private allNodeTypes = false;
  private checkFile: string;
  private editFile: string;

  constructor(private readonly cfg: CompilerConfig, cwd = process.cwd()) {
    this.dir = path.resolve(cwd);
    const runtimeDir = path.dirname(cfg.globalsModule);
    this.files = new VirtualFiles(this.packageRoot, runtimeDeclarations(loadTypeScript, runtimeDir, this.packageRoot));
    this.globalsFile = path.join(runtimeDir, "__tsgrad_globals__.d.ts");
    this.files.set(this.globalsFile, globalsDeclaration(cfg));
    this.nodeTypesFile = path.join(runtimeDir, "__tsgrad_node__.d.ts");
    this.files.set(this.nodeTypesFile, nodeReferences(this.nodeTypesRoot(), NODE_GLOBAL_TYPES));
    // The project file lives beside the runtime, so it never moves with the notebook's folder.
    this.configFile = path.join(runtimeDir, "__tsgrad_tsconfig__.json");
    this.slotsFile = path.join(runtimeDir, "__tsgrad_slots__.d.ts");
    [this.checkFile, this.editFile] = this.placeIn(this.dir);
    this.config = { compilerOptions: this.compilerOptions(), files: [] };
    this.freeSlot();
    this.writeConfig();
    this.files.set(this.checkFile, EMPTY_MODULE);
    this.files.set(this.editFile, EMPTY_MODULE);
    this.service = this.startService(cfg.checker ?? (process.env.TSGRAD_CHECKER === "inprocess" ? "inprocess" : "native"));
    this.syntax.start();
  }

  /** Which checker runs the checks: "tsgo" or "typescript 6.x (in process)". */
  get checkerName(): string { return this.service.name; }

  private placeIn(dir: string): [string, string] {
    return [path.join(dir, `${CELL_PREFIX}check.ts`), path.join(dir, `${CELL_PREFIX}edit.ts`)];
  }

  /** Where slot `i` goes now: the notebook's folder (a cell's imports resolve from its file's folder). */
  private slotFile(i: number): string {
    return path.join(this.dir, `${CELL_PREFIX}${i}.ts`);
  }

  /** The project's root files: the globals, the cell being checked, the one being edited, the list of slots. */
  private writeConfig(): void {
    this.writeSlotList();
    this.config.files = [this.globalsFile, this.nodeTypesFile, this.checkFile, this.editFile, this.slotsFile];
    this.setFile(this.configFile, JSON.stringify(this.config));
  }

  private writeSlotList(): void {
    this.setFile(this.slotsFile, this.slots.map((f) => `/// <reference path=${JSON.stringify(f)} />`).join("\n") + "\nexport {};\n");
  }

  private compilerOptions(): Record<string, unknown> {
    const typeRoots = path.join(this.packageRoot, "node_modules", "@types");
    const paths: Record<string, string[]> = {};
    if (this.cfg.tslabModule) paths.tslab = [this.cfg.tslabModule];
    return {
      target: "es2022", module: "preserve", moduleResolution: "bundler", lib: ["es2023"],
      types: [], typeRoots: [typeRoots],
      strict: true, noImplicitAny: false, skipLibCheck: true, noEmit: true, esModuleInterop: true,
      allowJs: false, resolveJsonModule: true, allowImportingTsExtensions: true, paths,
    };
  }

  private startService(kind: "native" | "inprocess"): CheckService {
    if (kind === "native") {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { NativeCheckService } = require("./tsgo") as typeof import("./tsgo");
        return new NativeCheckService(this.files, this.configFile);
      } catch (err) {
        this.logFallback(err);
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { InProcessCheckService } = require("./ts_inprocess") as typeof import("./ts_inprocess");
    return new InProcessCheckService(loadTypeScript(), this.files, this.config, path.dirname(this.configFile));
  }

  private logFallback(err: unknown): void {
    if (fallbackLogged) return;
    fallbackLogged = true;
    process.stderr.write(`tsgrad: the native TypeScript checker could not start (${(err as Error)?.message ?? err}); ` +
      "checking cells with TypeScript 6 in process (slower)\n");
  }

  /** Runs fn on the checker; if the native one died, carries on with the in-process one. */
  private withService<T>(fn: (s: CheckService) => T): T {
    try {
      return fn(this.service);
    } catch (err) {
      if (this.service.name !== "tsgo") throw err;
      this.logFallback(err);
      try { this.service.close(); } catch { /* already gone */ }
      this.service = this.startService("inprocess");
      return fn(this.service);
    }
  }

  private setFile(file: string, text: string): void {
    const change = this.files.set(file, text);
    if (change) this.service?.changed(file, change);
  }

  private deleteFile(file: string): void {
    if (this.files.delete(file)) this.service.changed(file, "deleted");
  }

  /** The notebook's folder for the next cells (npm imports resolve from there). */
  setCwd(cwd: string | undefined): void {
    if (!cwd || path.resolve(cwd) === this.dir) return;
    this.dir = path.resolve(cwd);
    // The check and edit files and the free slots move with it (a cell's imports resolve from its
    // file's folder); cells already committed keep their place.
    this.unstage();
    const [check, edit] = this.placeIn(this.dir);
    for (const f of [this.checkFile, this.editFile]) this.deleteFile(f);
    [this.checkFile, this.editFile] = [check, edit];
    this.setFile(check, EMPTY_MODULE);
    this.setFile(edit, EMPTY_MODULE);
    for (let i = 0; i < this.slots.length; i++) {
      if (this.slotCells[i].length) continue;
      this.deleteFile(this.slots[i]);
      this.slots[i] = this.slotFile(i);
      this.setFile(this.slots[i], this.emptySlot(i));
    }
    this.writeConfig();
    this.compileCache.clear();
  }

  /** is_complete for a cell's code (is_complete.ts, on the syntax worker). */
  isComplete(code: string): IsCompleteStatus {
    return this.syntax.run("isComplete", code);
  }

  /** A cell as the checker sees it: its own text, then an export of its names (a module, so it may
   * declare a name again; in a slot, the slot's globals are aliases of these exports). */
  private cellText(source: string, a: Declarations): string {
    const exports = [...a.names.keys()].filter((n) => !a.exported.has(n));
    return `${source}\n;\nexport { ${exports.join(", ")} };\n`;
  }

  /** Type-checks and compiles a cell. `check: false` reports syntax errors only. */
  compile(source: string, opts: { check: boolean }): CompiledCell {
    // Same text with the same earlier cells in view: same diagnostics and JavaScript.
    const key = `${opts.check ? this.scopeVersion : "-"}\0${this.dir}\0${source}`;
    const hit = this.compileCache.get(key);
    if (hit) {
      this.compileCache.delete(key);
      this.compileCache.set(key, hit);
      return hit;
    }
    const compiled = this.compileUncached(source, opts);
    if (this.compileCache.size >= COMPILE_CACHE_SIZE) this.compileCache.delete(this.compileCache.keys().next().value!);
    this.compileCache.set(key, compiled);
    return compiled;
  }

  private compileUncached(source: string, opts: { check: boolean }): CompiledCell {
    const guess = opts.check ? scanDeclarations(source) : undefined;
    if (guess) return this.compileGuessed(source, guess);
    // The syntax worker parses and analyses; the checker only sees cells that parsed, and checks
    // while the worker transpiles (two cores: ~2 ms of a cell's round trip).
    const { analysis, diagnostics: syntax } = this.syntax.run("analyze", source);
    if (syntax.length) return { js: "", analysis, tracked: [], diagnostics: syntax };
    const transpiled = this.syntax.begin("transpile", source, analysis);
    let diagnostics: CellDiagnostic[] = [];
    let out: { js: string; sourceMap?: string };
    try {
      if (opts.check) diagnostics = this.typeCheck(source, analysis);
    } finally {
      out = transpiled();   // always taken: the worker answers one request at a time
      if (diagnostics.length) this.unstage();
    }
    if (diagnostics.length) return { js: "", analysis, tracked: [], diagnostics };
    return { ...out, analysis, tracked: trackedLets(analysis), diagnostics, generator: analysis.mode === "generator" };
  }

  /** A cell whose declarations a quick scan found (cell_scan.ts): the checker checks it with
   * them while the worker parses, analyses and transpiles it, in one request. When the worker's
   * analysis finds other declarations, the cell is checked again with those. */
  private compileGuessed(source: string, guess: Declarations): CompiledCell {
    const pending = this.syntax.begin("compile", source);
    let diagnostics: CellDiagnostic[];
    try {
      diagnostics = this.typeCheckOnce(source, guess);
    } catch (err) {
      pending();
      this.unstage();
      throw err;
    }
    const { analysis, diagnostics: syntax, js, sourceMap } = pending();
    if (syntax.length) {
      this.unstage();
      return { js: "", analysis, tracked: [], diagnostics: syntax };
    }
    if (sameDeclarations(guess, analysis)) {
      diagnostics = this.recheckMissing(source, analysis, diagnostics);
    } else {
      this.unstage();
      diagnostics = this.typeCheck(source, analysis);
    }
    if (diagnostics.length) {
      this.unstage();
      return { js: "", analysis, tracked: [], diagnostics };
    }
    return { js: js!, sourceMap, analysis, tracked: trackedLets(analysis), diagnostics, generator: analysis.mode === "generator" };
  }

  private nodeTypesRoot(): string {
    return path.join(this.packageRoot, "node_modules", "@types", "node");
  }

  private typeCheck(source: string, analysis: CellAnalysis): CellDiagnostic[] {
    if (!this.allNodeTypes && analysis.imports.some((i) => isBuiltin(i.spec))) this.useAllNodeTypes();
    return this.recheckMissing(source, analysis, this.typeCheckOnce(source, analysis));
  }

  /** A name Node declares outside its globals' files (NodeJS.ReadableStream, require, fetch, ...):
   * the cell is checked again with all of @types/node before the name is reported missing. */
  private recheckMissing(source: string, analysis: Declarations, result: CellDiagnostic[]): CellDiagnostic[] {
    if (this.allNodeTypes || !result.some((d) => MISSING_NAME.has(d.code))) return result;
    this.useAllNodeTypes();
    return this.typeCheckOnce(source, analysis);
  }

  /** From now on the checker sees all of @types/node. */
  private useAllNodeTypes(): void {
    this.allNodeTypes = true;
    this.setFile(this.nodeTypesFile, nodeReferences(this.nodeTypesRoot(), ["index.d.ts"]));
    this.compileCache.clear();
    this.memberLists.clear();
  }

  private typeCheckOnce(source: string, analysis: Declarations): CellDiagnostic[] {
    let file = this.checkFile;
    const text = this.cellText(source, analysis);
    if (analysis.names.size) file = this.slots[this.stage(source, analysis, text)];
    else this.setFile(this.checkFile, text);
    const t0 = performance.now();
    // What is reported past the cell's text is about the slot's globals: a cell's name that is also
    // a global of the runtime or the language (a class ShapeError) stays the cell's own there.
    const found = this.withService((s) => s.diagnostics(file)).filter((d) => d.start < text.length);
    // TSGRAD_PROFILE=1: one line per type check on stderr.
    if (process.env.TSGRAD_PROFILE) process.stderr.write(`tsgrad check (${this.service.name}): ${(performance.now() - t0).toFixed(1)} ms\n`);
    const lines = lineStarts(source);
    return found.filter((d) => !this.isLetAssignment(d)).map((d) => toCellDiagnostic(d, lines, source.length));
  }

  /** TS2632 "Cannot assign to 'n' because it is an import." for a `let` of an earlier cell: allowed
   * (slots make earlier cells' names globals through aliases). */
  private isLetAssignment(d: ServiceDiagnostic): boolean {
    if (d.code !== 2632) return false;
    const m = /'([^']+)'/.exec(d.message);
    return !!m && this.chain.get(m[1])?.kind === "let";
  }

  /** Puts a cell into a free slot, owning its names (taken from the cells that declared them
   * before), as it will be once committed; returns the slot. The same cell again: the same slot. */
  private stage(source: string, analysis: Declarations, text = this.cellText(source, analysis)): number {
    if (this.staged?.source === source) return this.slotOf(this.staged.cell);
    this.unstage();
    const slot = this.freeSlot();
    const cell = this.nextCell++;
    const prev = new Map<string, { cell: number; kind: DeclKind } | undefined>();
    const touched = new Set<number>([slot]);
    for (const [name, kind] of analysis.names) {
      const before = this.chain.get(name);
      prev.set(name, before);
      if (before) touched.add(this.slotOf(before.cell));
      this.chain.delete(name);
      this.chain.set(name, { cell, kind });
    }
    this.cells.set(cell, { text, slot, names: [...analysis.names.keys()], shares: false });
    this.slotCells[slot] = [cell];
    this.staged = { source, cell, prev };
    this.writeSlots(touched);
    return slot;
  }

  /** The slot a held cell sits in. */
  private slotOf(cell: number): number {
    return this.cells.get(cell)!.slot;
  }

  /** Gives a staged cell's slot and names back (its check failed, or it will not run). */
  private unstage(): void {
    const staged = this.staged;
    if (!staged) return;
    this.staged = undefined;
    const slot = this.slotOf(staged.cell);
    const touched = new Set<number>([slot]);
    for (const [name, before] of staged.prev) {
      this.chain.delete(name);
      if (before) { this.chain.set(name, before); touched.add(this.slotOf(before.cell)); }
    }
    this.cells.delete(staged.cell);
    this.slotCells[slot] = [];
    this.writeSlots(touched);
  }

  /** Makes a run cell's declarations visible to the cells after it. */
  commit(source: string, analysis: CellAnalysis): void {
    if (analysis.names.size === 0) { this.unstage(); return; }
    // Checked, it is staged already; compiled without a check or from the cache, it is staged now.
    this.stage(source, analysis);
    this.cells.get(this.staged!.cell)!.shares = canShare(source);
    this.lastCommit = this.staged!.prev;
    this.staged = undefined;
    this.releaseUnowned();
    this.scopeVersion++;
    this.compacting ??= setImmediate(() => {
      this.compacting = undefined;
      if (this.compact()) this.withService((s) => s.sync());
    }).unref();
  }

  /** A slot that holds no cell, adding slots (twice as many) when none is free. */
  private freeSlot(): number {
    for (let i = 0; i < this.slots.length; i++) if (!this.slotCells[i]?.length) return i;
    const first = this.slots.length;
    for (let i = first; i < Math.max(SLOTS, 2 * first); i++) {
      this.slots.push(this.slotFile(i));
      this.slotCells[i] = [];
      this.setFile(this.slots[i], this.emptySlot(i));
    }
    this.writeSlotList();
    return first;
  }

  /** Cells that own a live name, or that forget() may bring back. */
  private owners(): Set<number> {
    const keep = new Set<number>();
    for (const { cell } of this.chain.values()) keep.add(cell);
    for (const prev of this.lastCommit?.values() ?? []) if (prev) keep.add(prev.cell);
    return keep;
  }

  /** Drops the cells that own no live name and that forget() cannot bring back. */
  private releaseUnowned(): void {
    const keep = this.owners();
    const touched = new Set<number>();
    for (const [cell, held] of this.cells) {
      if (keep.has(cell) || cell === this.staged?.cell) continue;
      this.cells.delete(cell);
      this.slotCells[held.slot] = this.slotCells[held.slot].filter((c) => c !== cell);
      touched.add(held.slot);
    }
    if (touched.size) this.writeSlots(touched);
  }

  /** Moves settled cells into one slot once COMPACT_AT of them sit one per slot (see the file
   * comment), into the oldest one's slot, whose import of itself stays as it was. A cell moves when
   * it may share (no imports or exports) and still owns every name it declared, so no two cells in
   * a slot declare the same name. It runs after the cell that committed (in the kernel, after its
   * reply), and sends its changes at once (~35 file changes, 40-60 ms), so no cell waits on them
   * unless one comes in meanwhile. Returns whether it moved any. */
  private compact(): boolean {
    const settled = [...this.cells].filter(([cell, held]) => held.shares && this.slotCells[held.slot].length === 1 &&
      held.names.every((n) => this.chain.get(n)?.cell === cell));
    if (settled.length < COMPACT_AT) return false;
    const moving = settled.slice(0, -KEEP_APART);
    const slot = moving[0][1].slot;
    const touched = new Set<number>();
    for (const [, held] of moving) {
      touched.add(held.slot);
      this.slotCells[held.slot] = [];
      held.slot = slot;
    }
    this.slotCells[slot] = moving.map(([cell]) => cell);
    this.writeSlots(touched);
    return true;
  }

  /** Rewrites the given slots: each holds its cells' texts, then makes the live names they own globals. */
  private writeSlots(slots: Iterable<number>): void {
    // A cell's name that is also a runtime global (a class ShapeError of its own) hides the runtime's.
    const shadowed = this.cfg.globalNames.filter((n) => this.chain.has(n));
    if (shadowed.join() !== this.shadowed.join()) {
      this.shadowed = shadowed;
      this.setFile(this.globalsFile, globalsDeclaration(this.cfg, new Set(shadowed)));
    }
    const owned = new Map<number, string[]>();
    for (const slot of slots) owned.set(slot, []);
    for (const [name, { cell }] of this.chain) owned.get(this.slotOf(cell))?.push(`  export import ${name} = ${SELF}.${name};`);
    for (const [slot, aliases] of owned) {
      const texts = this.slotCells[slot].map((c) => this.cells.get(c)!.text);
      this.setFile(this.slots[slot], (texts.length ? texts.join("") : EMPTY_MODULE) + this.globals(slot, aliases));
    }
  }

  /** A slot's import of itself and its global block. Every slot has both, empty or not: a changed
   * import list, or a `declare global` that comes or goes, makes the native checker build its
   * program afresh (every module looked up again, 30-200 ms, growing with the slots), where a
   * changed file is otherwise updated in place. */
  private globals(slot: number, aliases: string[] = []): string {
    return [`import * as ${SELF} from ${JSON.stringify(this.slots[slot].slice(0, -3))};`, "declare global {", ...aliases, "}", ""].join("\n");
  }

  private emptySlot(slot: number): string {
    return EMPTY_MODULE + this.globals(slot);
  }

  /** After the last committed cell threw: its declarations of `names` never ran, so later cells
   * see the earlier cell's declaration of each again, or none (a type error, like Python's
   * NameError), instead of a name that type-checks but is undefined at run time. */
  forget(names: Iterable<string>): void {
    const before = this.lastCommit;
    if (!before) return;
    const touched = new Set<number>();
    for (const name of names) {
      if (!before.has(name)) continue;
      const prev = before.get(name);
      const now = this.chain.get(name);
      if (now) touched.add(this.slotOf(now.cell));
      this.chain.delete(name);
      if (prev) { this.chain.set(name, prev); touched.add(this.slotOf(prev.cell)); }
    }
    if (touched.size) { this.writeSlots(touched); this.scopeVersion++; }
  }

  /** Starts the checker's project (lib files, Node's types, the runtime's declarations) and checks
   * one small cell, so the first real cell is fast. */
  async warmUp(): Promise<void> {
    // The checker's project opens first (lib files, Node's types, the runtime's declarations), while
    // the syntax worker loads TypeScript 6 on its own thread; then one cell goes through both.
    this.withService((s) => s.diagnostics(this.checkFile));
    await this.syntax.ready();
    this.compile("const __tsgrad_warm: number = [1].map((x) => x + 1)[0]; __tsgrad_warm", { check: true });
    this.compileCache.clear();
    // It checked in a slot, as a cell that declares a name does; it never runs: give the slot back
    // and let the checker see that now, not when the first cell comes.
    this.unstage();
    this.withService((s) => s.diagnostics(this.checkFile));
  }

  private edit(code: string): string {
    this.setFile(this.editFile, `${code}\n;\nexport {};\n`);
    return this.editFile;
  }

  complete(code: string, cursor: number): CompleteResult {
    let start = cursor;
    while (start > 0 && /[\w$]/.test(code[start - 1])) start--;
    const prefix = code.slice(start, cursor);
    const file = this.edit(code);
    const found = this.withService((s) => s.completions(file, cursor)) ?? this.namesInScope(code, cursor);
    // The public API only: no `_`-names unless the user typed the underscore, nothing @internal.
    const entries = found
      .filter((e) => e.name.startsWith(prefix) && !e.internal && !e.name.startsWith("__tsg") && !e.name.startsWith(CELL_PREFIX)
        && (!e.name.startsWith("_") || prefix.startsWith("_")))
      .sort((x, y) => x.sortText.localeCompare(y.sortText) || x.name.localeCompare(y.name));
    return {
      matches: entries.map((e) => e.name), cursor_start: start, cursor_end: cursor,
      metadata: { _jupyter_types_experimental: entries.map((e) => ({ start, end: cursor, text: e.name, type: this.kindOf(e.name, e.kind) })) },
    };
  }

  /** Members of a fixed expression (`globalThis`, the runtime module), asked of the checker once. */
  private readonly memberLists = new Map<string, ServiceCompletion[]>();
  private membersOf(expr: string, header = ""): ServiceCompletion[] {
    let list = this.memberLists.get(expr);
    if (!list) {
      const text = `${header}${expr}.`;
      const file = this.edit(text);
      list = this.withService((s) => s.completions(file, text.length)) ?? [];
      this.memberLists.set(expr, list);
    }
    return list;
  }

  /** Completions at a bare identifier where the checker gives none: the cell's own names in the
   * scopes around the cursor, earlier cells' names, the runtime's globals, Node's and the
   * language's globals, and keywords; ordered as TypeScript orders them (locals first). */
  private namesInScope(code: string, cursor: number): ServiceCompletion[] {
    const out = new Map<string, ServiceCompletion>();
    const add = (name: string, kind: string, sortText: string, internal = false) => {
      if (!out.has(name)) out.set(name, { name, kind, sortText, internal });
    };
    for (const [name, kind] of this.syntax.run("localNames", code, cursor)) add(name, kind, "10");
    for (const [name, { kind }] of this.chain) add(name, kind, "11");
    const runtime = this.membersOf("__tsgrad_rt", `import * as __tsgrad_rt from ${JSON.stringify(this.cfg.globalsModule)};\n`);
    const globals = new Set(this.cfg.globalNames);
    for (const e of runtime) if (globals.has(e.name)) add(e.name, e.kind, "12", e.internal);
    for (const e of this.membersOf("globalThis")) add(e.name, e.kind, "15", e.internal);
    for (const k of KEYWORDS) add(k, "keyword", "16");
    return [...out.values()];
  }

  /** Names of earlier cells reach the cell as aliases: report what they were declared as. */
  private kindOf(name: string, kind: string): string {
    const k = this.chain.get(name)?.kind;
    if (k) return k === "import" ? "module" : k;
    return KIND_NAMES[kind] ?? kind;
  }

  inspect(code: string, cursor: number): InspectResult {
    let pos = cursor;
    if (pos > 0 && !/[\w$]/.test(code[pos] ?? "") && /[\w$]/.test(code[pos - 1])) pos--;
    if (!/[\w$]/.test(code[pos] ?? "")) return { found: false, data: {}, metadata: {} };
    const file = this.edit(code);
    const info = this.withService((s) => s.symbolAt(file, pos));
    if (!info) return { found: false, data: {}, metadata: {} };
    let sig = info.signature;
    if (this.chain.get(info.name)?.kind === "const") sig = sig.replace(/^let /, "const ");
    const tags = info.tags.map((t) => `@${t.name}${t.text ? " " + t.text : ""}`);
    const plain = [sig, info.doc, ...tags].filter(Boolean).join("\n\n");
    const markdown = ["```ts\n" + sig + "\n```", info.doc, ...tags.map((t) => `*${t}*`)].filter(Boolean).join("\n\n");
    return { found: true, data: { "text/plain": plain, "text/markdown": markdown }, metadata: {} };
  }

  /** Packages were installed (%npm): module lookups and completions are made afresh. */
  packagesChanged(): void {
    this.service.invalidate();
    this.compileCache.clear();
    this.memberLists.clear();
  }

  /** Stops the checker's process (the kernel calls this on shutdown; it also ends with the kernel). */
  close(): void {
    if (this.compacting) clearImmediate(this.compacting);
    this.service.close();
    this.syntax.close();
  }
}

const KEYWORDS = ["abstract", "as", "async", "await", "break", "case", "catch", "class", "const", "continue", "debugger",
  "declare", "default", "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if",
  "import", "in", "instanceof", "interface", "keyof", "let", "namespace", "new", "null", "of", "readonly", "return",
  "satisfies", "super", "switch", "this", "throw", "true", "try", "type", "typeof", "undefined", "var", "void",
  "while", "yield"];

/** The @types/node files that declare Node's globals (index.d.ts's list, less the modules). */
const NODE_GLOBAL_TYPES = [
  "compatibility/index.d.ts", "globals.typedarray.d.ts", "buffer.buffer.d.ts", "globals.d.ts",
  "web-globals/abortcontroller.d.ts", "web-globals/domexception.d.ts", "web-globals/events.d.ts",
  "buffer.d.ts", "console.d.ts", "events.d.ts", "process.d.ts", "timers.d.ts", "url.d.ts", "util.d.ts", "perf_hooks.d.ts",
];
/** "Cannot find name/namespace/module ..." (incl. the "do you need @types/node" variants). */
const MISSING_NAME = new Set([2304, 2552, 2580, 2582, 2591, 2503, 2592, 2307, 2694]);

function nodeReferences(root: string, files: string[]): string {
  const existing = files.filter((f) => fs.existsSync(path.join(root, f)));
  return existing.map((f) => `/// <reference path=${JSON.stringify(path.join(root, f))} />`).join("\n") + "\nexport {};\n";
}

/** The same names, of the same kinds, and the same exported (order aside). */
function sameDeclarations(a: Declarations, b: Declarations): boolean {
  if (a.names.size !== b.names.size || a.exported.size !== b.exported.size) return false;
  for (const [name, kind] of a.names) if (b.names.get(name) !== kind) return false;
  for (const name of a.exported) if (!b.exported.has(name)) return false;
  return true;
}

function isBuiltin(spec: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("module") as typeof import("module")).isBuiltin(spec);
}

/** Kind names Jupyter frontends know, for the checkers' own names. */
const KIND_NAMES: Record<string, string> = { variable: "var", constant: "const", field: "property", "enum member": "enum" };

/** The ambient file that types the cell globals: each export of runtime/index.ts becomes a global
 * alias with all its meanings (value, type, namespace), so `nn.Linear` works as a type too. */
function globalsDeclaration(config: CompilerConfig, hidden = new Set<string>()): string {
  const names = config.globalNames.filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && !hidden.has(n));
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
