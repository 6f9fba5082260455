// runtime/evaluator.ts
// Runs cells for the kernel (EvaluatorApi in io.ts). Each cell is type-checked (compiler.ts),
// rewritten into a function body (cell_source.ts: async, or a generator stepped under
// breakOnSigint when it awaits at top level) and run in the MAIN realm with
// vm.Script.runInThisContext({ breakOnSigint }), so typed arrays, Errors and Promises made in
// cells are the classes the tensor library checks with instanceof, and a busy synchronous loop
// stops on SIGINT. Declarations become globals (globalThis) so later cells see them.
// Knows nothing about ZeroMQ or Jupyter messages: output goes through CellIO.
import * as vm from "vm";
import * as path from "path";
import { SourceMap } from "module";
import type {
  CellIO, CommIO, CompleteResult, EvaluatorApi, ExecuteOptions, InspectResult, IsCompleteStatus, MimeBundle, Outcome,
} from "./io";
import type { CellCompiler, CompiledCell } from "./compiler";
import { Interrupted, TSError, toJupyterError, type Frame } from "./errors";
import {
  cellStorage, currentCell, interruptCell, interruptSignal, isInterrupted, newCellContext, setInterruptBuffer,
  type CellContext,
} from "./cell_context";
import { toMimeBundle } from "./display/display";
import { comms } from "./comms";
import { ModuleLoader } from "./loader";
import { installConsole } from "./console";
import { completeMagic, isCompleteCell, prepareCell } from "./magics";
import { forgetUserNames, noteUserName, setMagicHost, takePayload } from "./magic_runtime";

export interface EvaluatorOptions {
  /** Type-check cells (default: on unless TSGRAD_TYPECHECK=0). */
  typecheck?: boolean;
  /** Folder npm imports resolve from when ExecuteOptions.cwd is not given. */
  cwd?: string;
  /** Shared memory (>= 4 bytes) another thread sets to 1 to interrupt; see interruptBuffer. */
  interruptBuffer?: SharedArrayBuffer;
}

/** What a traceback (and a debugger attached later) needs of a cell that ran: its source map is
 * parsed on the first frame that needs it. */
interface CellRecord { executionCount: number; sourceMap?: string; map?: SourceMap; lines: number; code?: string }
/** Runs remembered for tracebacks and the debugger (a frame of an older one reads `an earlier cell`):
 * memory stays flat however many cells run. */
const MAX_CELL_RECORDS = 2000;

/** A cell script as the debugger sees it (kernel/debugger/): its text and source map. */
export interface DebugScript { url: string; code: string; sourceMap?: string }

/** Globals the kernel itself relies on: a cell may declare these names, but only for itself. */
const PROTECTED = new Set([
  "process", "console", "Buffer", "globalThis", "global", "require", "module", "exports", "setTimeout", "setInterval",
  "setImmediate", "clearTimeout", "clearInterval", "clearImmediate", "queueMicrotask", "Object", "Array", "Function",
  "Promise", "Error", "Symbol", "JSON", "Reflect", "Proxy", "Math", "Number", "String", "Boolean", "Map", "Set",
  "WeakMap", "WeakSet", "Date", "RegExp", "undefined", "NaN", "Infinity", "eval",
]);

const ARGS = Symbol.for("tsgrad.cellArgs");
const SCRIPT_PREFIX = "tsgrad-cell-";
/** Source of the runtime's own files: their frames never show in a traceback. */
const RUNTIME_DIR = __dirname;

export class Evaluator implements EvaluatorApi {
  private compiler: CellCompiler | undefined;
  private loader: ModuleLoader | undefined;
  private hooks: { install(): void; prepareCell(s: string): Promise<void>; afterCell(): void; breakOnSigint(): boolean } | undefined;
  private readonly cells = new Map<string, CellRecord>();
  /** The cell being executed (from compile to end); interrupt() stops it in any phase. */
  private running: { ctx: CellContext; stop: (err: Error) => void; stopped: Promise<never> } | undefined;
  private serial = 0;
  private readonly typecheck: boolean;
  private readonly cwd: string;
  private ready: Promise<void> | undefined;
  /** Set while a debugger is attached: awaited before each cell script runs, so the debugger can
   * place breakpoints in it. Unset, a cell pays nothing for the debugger. */
  debugHook: ((script: DebugScript) => Promise<void>) | undefined;

  constructor(opts: EvaluatorOptions = {}) {
    this.typecheck = opts.typecheck ?? process.env.TSGRAD_TYPECHECK !== "0";
    this.cwd = opts.cwd ?? process.cwd();
    if (opts.interruptBuffer) setInterruptBuffer(opts.interruptBuffer);
    comms.onError = (err) => this.reportAsync(err);
    setMagicHost({ inspect: (c, p, d) => this.inspect(c, p, d), reset: () => this.reset(),
      packagesChanged: () => this.compiler?.packagesChanged() });
    // What the debugger calls on this thread (tensor summaries, rich views): loaded on first use.
    Object.defineProperty(globalThis, Symbol.for("tsgrad.debug"), { configurable: true, get: () => require("./debug_inspect") });
  }

  /** The cell scripts run so far that a debugger attaching now should know about. */
  debugCells(): DebugScript[] {
    const out: DebugScript[] = [];
    for (const [url, rec] of this.cells) {
      if (rec.code !== undefined) out.push({ url, code: rec.code, sourceMap: rec.sourceMap });
    }
    return out;
  }

  /** Preloads the compiler and the cell globals; the kernel calls this after kernel_info so the
   * first cell does not pay for it. Safe to call more than once. */
  warmUp(): Promise<void> {
    this.ready ??= new Promise<void>((resolve) => setImmediate(() => {
      (async () => this.ensureCompiler().warmUp())().catch((err) => this.reportAsync(err)).finally(resolve);
    }));
    return this.ready;
  }

  setCommIO(io: CommIO): void { comms.setIO(io); }

  /** Shared memory another thread writes to interrupt the running cell: the kernel's socket
   * thread does `Atomics.store(new Int32Array(buffer), 0, 1)` on interrupt_request (then raises
   * SIGINT for a synchronous loop). Needed for loops that await settled promises: they never
   * yield to the event loop, so no SIGINT handler on this thread runs. */
  get interruptBuffer(): SharedArrayBuffer { return interruptSignal.buffer as SharedArrayBuffer; }

  private ensureRuntime(): void {
    if (this.hooks) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const index = require("./index") as Record<string, unknown> & { runtimeHooks: NonNullable<Evaluator["hooks"]> };
    this.hooks = index.runtimeHooks;
    for (const name of Object.keys(index)) {
      if (name === "runtimeHooks") continue;
      Object.defineProperty(globalThis, name, { value: index[name], writable: true, configurable: true, enumerable: false });
    }
    this.hooks.install();
    installConsole(() => cellStorage.getStore()?.io ?? this.running?.ctx.io, () => cellStorage.getStore()?.io);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { findPackageRoot } = require("./compiler") as typeof import("./compiler");
    const tslab = () => require("./tslab_compat");
    this.loader = new ModuleLoader(findPackageRoot(), { tslab });
  }

  private ensureCompiler(): CellCompiler {
    this.ensureRuntime();
    if (!this.compiler) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { CellCompiler } = require("./compiler") as typeof import("./compiler");
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const names = Object.keys(require("./index")).filter((n) => n !== "runtimeHooks");
      this.compiler = new CellCompiler({
        globalNames: names, globalsModule: path.join(RUNTIME_DIR, "index"), tslabModule: path.join(RUNTIME_DIR, "tslab_compat"),
      }, this.cwd);
    }
    return this.compiler;
  }

  async execute(code: string, io: CellIO, opts: ExecuteOptions): Promise<Outcome> {
    const cell = prepareCell(code, this.typecheck);
    const { source, check } = cell;
    const cwd = opts.cwd ?? this.cwd;
    this.ensureRuntime();
    const ctx = this.begin(io, opts.executionCount);
    try {
      // The first cell (and the first after %reset) waits for the warm-up, which waits for the
      // syntax worker without blocking this thread; an interrupt meanwhile stops the cell.
      if (!this.compiler) this.ready = undefined;
      await this.warmUp();
      const compiler = this.ensureCompiler();
      compiler.setCwd(cwd);
      if (cell.error) throw cell.error;
      await this.hooks!.prepareCell(source);
      const compiled = compiler.compile(source, { check });
      if (compiled.diagnostics.length) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { formatDiagnostic } = require("./compiler") as typeof import("./compiler");
        const lines = compiled.diagnostics.map((d) => formatDiagnostic(d, opts.executionCount));
        const err = new TSError(lines);
        return { status: "error", ename: err.name, evalue: err.message, traceback: [`TSError: ${lines[0]}`, ...lines.slice(1)] };
      }
      compiler.commit(source, compiled.analysis);
      const progress: CellProgress = { reached: new Set<string>(), latest: {} };
      let value: unknown;
      try {
        const run = () => this.run(compiled, ctx, cwd, progress, code);
        value = (await (cell.around ? cell.around(run) : run()))?.v;
      } catch (err) {
        // Names declared after the point where the cell failed were never defined; those it
        // reached keep the values they had when it stopped.
        const types = new Set(["type", "import"]);
        compiler.forget([...compiled.analysis.names].filter(([n, kind]) => !types.has(kind) && !progress.reached.has(n)).map(([n]) => n));
        keepReached(compiled.tracked, progress);
        throw err;
      }
      const payload = takePayload(ctx);
      const extra = payload ? { payload } : {};
      if (value === undefined || opts.silent) return { status: "ok", ...extra };
      return { status: "ok", result: await toMimeBundle(value), ...extra };
    } catch (err) {
      return this.errorOutcome(err);
    } finally {
      this.running = undefined;
      try { this.hooks!.afterCell(); } catch (err) { this.reportAsync(err); }
    }
  }

  /** Runs a compiled cell; resolves with its last expression's value, boxed (a promise value
   * must not be adopted), or undefined when the cell ends in a statement. */
  private async run(compiled: CompiledCell, ctx: CellContext, cwd: string, progress?: CellProgress, code?: string): Promise<{ v: unknown } | undefined> {
    await this.loader!.bindImports(compiled.analysis.imports, cwd, defineGlobal);
    const id = `${SCRIPT_PREFIX}${++this.serial}.js`;
    this.cells.set(id, { executionCount: ctx.executionCount, sourceMap: compiled.sourceMap, lines: compiled.js.split("\n").length, code });
    if (this.cells.size > MAX_CELL_RECORDS) this.cells.delete(this.cells.keys().next().value!);
    if (this.debugHook && code !== undefined) {
      const placed = this.debugHook({ url: id, code, sourceMap: compiled.sourceMap });
      await (this.running ? Promise.race([placed, this.running.stopped]) : placed);
    }
    const kind = compiled.generator ? "function*" : "async function";
    const wrapped = `(${kind} (__tsg, require, module, exports, __filename, __dirname) { "use strict";\n` +
      compiled.js + "\n}).apply(undefined, globalThis[Symbol.for(\"tsgrad.cellArgs\")])";
    const script = new vm.Script(wrapped, { filename: id, lineOffset: -1 });
    const mod = { exports: {} };
    (globalThis as Record<symbol, unknown>)[ARGS] = [
      cellRuntime(compiled.tracked, (spec) => this.loader!.dynamicImport(String(spec), cwd), ctx, progress),
      this.loader!.requireFor(cwd), mod, mod.exports, path.join(cwd, "<cell>"), cwd,
    ];
    if (ctx.interrupted) throw new Interrupted();
    const breakOnSigint = this.hooks!.breakOnSigint();
    let promise: Promise<{ v: unknown } | undefined>;
    try {
      promise = cellStorage.run(ctx, () => {
        const started = script.runInThisContext({ breakOnSigint });
        return compiled.generator ? drive(started as Generator<unknown, { v: unknown }>, ctx, breakOnSigint)
          : started as Promise<{ v: unknown }>;
      });
    } catch (err) {
      throw sigint(err, ctx);
    } finally {
      delete (globalThis as Record<symbol, unknown>)[ARGS];
    }
    return await Promise.race([promise, this.running!.stopped]);
  }

  private begin(io: CellIO, executionCount: number): CellContext {
    const ctx = newCellContext(io, executionCount);
    let stop!: (err: Error) => void;
    const stopped = new Promise<never>((_, reject) => { stop = reject; });
    stopped.catch(() => { /* observed through the race in run() */ });
    this.running = { ctx, stop, stopped };
    return ctx;
  }

  private errorOutcome(err: unknown): Outcome {
    if ((err as { code?: string })?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") err = new Interrupted();
    if (err instanceof Interrupted) return { status: "error", ename: err.name, evalue: err.message, traceback: [`${err.name}: ${err.message}`] };
    const j = toJupyterError(err, (f) => this.mapFrame(f), [RUNTIME_DIR, path.join(path.dirname(RUNTIME_DIR), "kernel")]);
    return { status: "error", ...j };
  }

  private mapFrame(frame: Frame): string | null | undefined {
    const rec = this.cells.get(frame.file);
    if (!rec) return /^tsgrad-cell-\d+\.js$/.test(frame.file) ? "an earlier cell" : undefined;
    if (rec.sourceMap && !rec.map) rec.map = new SourceMap(JSON.parse(rec.sourceMap));
    if (frame.line > rec.lines || frame.line < 1) return null;
    const entry = rec.map?.findEntry(frame.line - 1, frame.column - 1) as
      { originalLine?: number; originalColumn?: number } | undefined;
    if (entry?.originalLine === undefined) return `cell [${rec.executionCount}]`;
    return `cell [${rec.executionCount}], line ${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  }

  /** Prints an error that escaped a cell (a throwing timer, an unhandled rejection) to the
   * notebook's stderr. The kernel calls this from its process handlers; it never throws. */
  reportAsync(err: unknown): void {
    try {
      const { traceback } = toJupyterError(err, (f) => this.mapFrame(f), [RUNTIME_DIR]);
      const io = cellStorage.getStore()?.io ?? currentCell()?.io;
      const text = `Uncaught ${traceback.join("\n")}\n`;
      if (io) io.stream("stderr", text);
      else process.stderr.write(text);
    } catch { /* reporting must never throw */ }
  }

  /** Installs process handlers that report late errors instead of dying (for kernels that do
   * not install their own). Returns a function that removes them. */
  installProcessHandlers(): () => void {
    const onErr = (err: unknown) => this.reportAsync(err);
    process.on("uncaughtException", onErr);
    process.on("unhandledRejection", onErr);
    return () => { process.off("uncaughtException", onErr); process.off("unhandledRejection", onErr); };
  }

  async evaluateExpressions(exprs: Record<string, string>): Promise<Record<string, Outcome>> {
    const out: Record<string, Outcome> = {};
    const compiler = this.ensureCompiler();
    const quiet: CellIO = { stream() {}, display() {}, clearOutput() {}, input: () => Promise.reject(new Error("no input")) };
    for (const [key, expr] of Object.entries(exprs)) {
      try {
        const compiled = compiler.compile(`(${expr})`, { check: false });
        if (compiled.diagnostics.length) throw new SyntaxError(compiled.diagnostics[0].message);
        const value = (await this.run(compiled, this.begin(quiet, 0), this.cwd))?.v;
        out[key] = { status: "ok", result: await toMimeBundle(value) as MimeBundle };
      } catch (err) {
        out[key] = this.errorOutcome(err);
      } finally {
        this.running = undefined;
      }
    }
    return out;
  }

  /** Magic names after `%` / `%%`; elsewhere the checker's completions, on the cell with magic
   * syntax blanked out (same positions). */
  complete(code: string, cursorPos: number): CompleteResult {
    return completeMagic(code, cursorPos) ?? this.ensureCompiler().complete(prepareCell(code, false).masked, cursorPos);
  }

  inspect(code: string, cursorPos: number, detailLevel: number): InspectResult {
    void detailLevel;
    return this.ensureCompiler().inspect(prepareCell(code, false).masked, cursorPos);
  }

  isComplete(code: string): IsCompleteStatus {
    const compiler = this.ensureCompiler();
    return isCompleteCell(code, (c) => compiler.isComplete(c));
  }

  /** %reset: every name cells defined is deleted, and the checker starts afresh (a new
   * compiler, built by the next cell), so the names are gone for both. The old compiler's checker
   * process and syntax worker are stopped. */
  reset(): void {
    for (const name of forgetUserNames()) {
      try { delete (globalThis as Record<string, unknown>)[name]; } catch { /* non-configurable: leave it */ }
    }
    this.compiler?.close();
    this.compiler = undefined;
  }

  interrupt(): void {
    const r = this.running;
    if (!r) return;
    interruptCell(r.ctx);
    r.stop(new Interrupted());
  }

  commMessage(msgType: "comm_open" | "comm_msg" | "comm_close", content: Record<string, unknown>): void {
    comms.handle(msgType, content);
  }

  commInfo(targetName?: string): Record<string, { target_name: string }> {
    return comms.info(targetName);
  }
}

/** breakOnSigint's error as the Interrupted the notebook shows. */
function sigint(err: unknown, ctx: CellContext): unknown {
  if ((err as { code?: string })?.code !== "ERR_SCRIPT_EXECUTION_INTERRUPTED") return err;
  interruptCell(ctx);
  return new Interrupted();
}

const SEGMENT = Symbol.for("tsgrad.cellStep");
let stepScript: vm.Script | undefined;

/** Runs a generator cell: each step between two top-level awaits runs inside runInThisContext
 * with breakOnSigint, so SIGINT stops a synchronous loop that comes after an await too (an
 * async function's continuations run from the microtask queue, where breakOnSigint never
 * applies). Awaiting is `Promise.resolve(value).then(...)`, as `await` does. */
function drive<T>(gen: Generator<unknown, T>, ctx: CellContext, breakOnSigint: boolean): Promise<T> {
  stepScript ??= new vm.Script("globalThis[Symbol.for(\"tsgrad.cellStep\")]()", { filename: "tsgrad-cell-step" });
  const g = globalThis as Record<symbol, unknown>;
  return new Promise<T>((resolve, reject) => {
    const advance = (method: "next" | "throw", arg: unknown): void => {
      let r: IteratorResult<unknown, T>;
      g[SEGMENT] = () => gen[method](arg);
      try {
        r = stepScript!.runInThisContext({ breakOnSigint }) as IteratorResult<unknown, T>;
      } catch (err) {
        reject(sigint(err, ctx));
        return;
      } finally {
        delete g[SEGMENT];
      }
      if (r.done) resolve(r.value);
      else Promise.resolve(r.value).then((v) => advance("next", v), (e) => advance("throw", e));
    };
    advance("next", undefined);
  });
}

function defineGlobal(name: string, desc: PropertyDescriptor): void {
  if (PROTECTED.has(name)) return;
  try { Object.defineProperty(globalThis, name, desc); noteUserName(name); } catch { /* a non-configurable global: leave it */ }
}

/** How far a cell got: the names it declared, the latest values of its tracked lets (`__tsg.l`). */
interface CellProgress { reached: Set<string>; latest: Record<string, unknown> }

/** A failed or interrupted cell's tracked lets keep the values they had reached (cell_source.ts). */
function keepReached(tracked: string[], p: CellProgress): void {
  for (const name of tracked) {
    if (p.reached.has(name) && Object.hasOwn(p.latest, name)) {
      defineGlobal(name, { value: p.latest[name], writable: true, configurable: true, enumerable: true });
    }
  }
}

/** The `__tsg` object a cell calls to export its declarations (see cell_source.ts). */
function cellRuntime(tracked: string[], load: (spec: unknown) => Promise<unknown>, ctx: CellContext, progress?: CellProgress) {
  const reached = progress?.reached;
  return {
    /** Where assignments to tracked lets store their value, for keepReached(). */
    l: progress?.latest ?? {},
    /** After each top-level await: stop here if the cell was interrupted meanwhile. */
    c<T>(value: T): T {
      if (isInterrupted(ctx)) throw new Interrupted();
      return value;
    },
    /** import(spec) in a cell. */
    import: load,
    x(name: string, value: unknown, writable: boolean): void {
      reached?.add(name);
      defineGlobal(name, { value, writable, configurable: true, enumerable: true });
    },
    a(name: string, get: () => unknown, set: (v: unknown) => void): void {
      reached?.add(name);
      defineGlobal(name, { get, set, configurable: true, enumerable: true });
    },
    /** The cell's last statement: re-export tracked lets, wrap the result (a bare promise
     * would be adopted by the async function instead of shown). */
    end(hasValue: boolean, value: unknown, values: unknown[]): { v: unknown } | undefined {
      tracked.forEach((name, i) => defineGlobal(name, { value: values[i], writable: true, configurable: true, enumerable: true }));
      return hasValue ? { v: value } : undefined;
    },
  };
}
