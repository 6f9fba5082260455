// runtime/syntax_worker.ts
// The kernel's TypeScript syntax work (parse, cell analysis, syntax errors, the rewrite and
// transpile, is_complete, names in scope for completion) on a worker thread (issue 10: flat
// memory). TypeScript's parse and emit make garbage on every cell (transpileModule, where a cell
// still needs it, a program and a checker: cell_emit.ts): on the kernel's own thread that garbage
// grew the process by ~120 MB over 1,300 cells, pages V8 never gave back. On the worker it is
// collected in a heap of its own, with a small young generation and a full collection when its
// heap has grown (GC_SLACK_MB), run after the reply is sent (off the cell's path); and the kernel's
// thread never loads TypeScript 6 (~40 MB) unless the in-process fallback checker runs. A worker
// replaced now and then would give memory back too, but each new one runs TypeScript's code cold
// (measured: cells 4x slower for the next hundred). Calls are synchronous (Atomics.wait on shared
// memory, the reply read with receiveMessageOnPort), ~0.1 ms over the work.
// This file is both sides: SyntaxWorker runs on the kernel's thread, serve() on the worker.
import * as path from "path";
import { Worker, MessageChannel, receiveMessageOnPort, isMainThread, workerData, type MessagePort } from "worker_threads";
import type * as TS from "typescript6";
import { analyzeCell, parseCell, type CellAnalysis } from "./cell_source";
import { emitCell, type EmittedCell } from "./cell_emit";
import { isCompleteCode } from "./is_complete";
import { HeapTrim } from "./heap";
import { requireWithCodeCache } from "./code_cache";
import { localNames, syntaxDiagnostics, type CellDiagnostic } from "./syntax";
import type { IsCompleteStatus } from "./io";

/** What the worker does, by name: each runs the same on either thread. */
const OPS = {
  /** Parse, analysis and syntax errors only (the compiler then transpiles while the checker checks). */
  analyze(ts: typeof TS, source: string): { analysis: CellAnalysis; diagnostics: CellDiagnostic[] } {
    const sf = parseCell(ts, source);
    lastParsed = sf;
    return { analysis: analyzeCell(ts, sf), diagnostics: syntaxDiagnostics(ts, sf) };
  },
  /** The cell's JavaScript, from the tree `analyze` parsed when it was the same text. */
  transpile(ts: typeof TS, source: string, analysis: CellAnalysis): EmittedCell {
    const sf = lastParsed?.text === source ? lastParsed : undefined;
    lastParsed = undefined;
    return emitCell(ts, source, analysis, sf);
  },
  /** analyze, then transpile when the cell parsed: one request, while the checker already checks. */
  compile(ts: typeof TS, source: string): { analysis: CellAnalysis; diagnostics: CellDiagnostic[]; js?: string; sourceMap?: string } {
    const analyzed = OPS.analyze(ts, source);
    return analyzed.diagnostics.length ? analyzed : { ...analyzed, ...OPS.transpile(ts, source, analyzed.analysis) };
  },
  isComplete(ts: typeof TS, code: string): IsCompleteStatus {
    return isCompleteCode(ts, code);
  },
  /** Names declared in the scopes around `pos` (see syntax.ts), as [name, kind] pairs. */
  localNames(ts: typeof TS, code: string, pos: number): [string, string][] {
    return [...localNames(ts, parseCell(ts, code), pos)];
  },
};
type Ops = typeof OPS;
type Args<K extends keyof Ops> = Ops[K] extends (ts: typeof TS, ...a: infer A) => unknown ? A : never;

/** A full collection on the worker, after the reply, once its heap has grown this much (runtime/heap.ts:
 * every 100 calls, its old generation still grew 23 -> 32 MB over 1,300 cells). */
const GC_SLACK_MB = 8;
/** Slots of the shared flags: REQUEST is set by the caller, REPLY and READY (TypeScript loaded
 * and warm) by the worker. */
const REQUEST = 0, REPLY = 1, READY = 2;
/** How long a call waits for a worker that is still starting before doing the work itself. A
 * worker loads TypeScript in ~0.3 s; where it needs the caller's event loop to start (under a
 * loader such as tsx) it cannot while the caller waits here, so `ready()` is the way to wait. */
const START_TIMEOUT_MS = 5_000;
/** A transpile that takes longer than this is abandoned and done on the caller's thread. */
const TIMEOUT_MS = 30_000;

/** The last cell `analyze` parsed, until `transpile` emits it (a transform consumes the tree). */
let lastParsed: TS.SourceFile | undefined;

interface Side { worker: Worker; port: MessagePort; flags: Int32Array; failed: boolean }

/** A worker started before any compiler exists (the kernel starts one first thing): the next
 * SyntaxWorker takes it over, so TypeScript loads while the kernel loads the runtime. */
let prestarted: Side | undefined;

export function prestartSyntaxWorker(): void {
  prestarted ??= spawnWorker();
}

function spawnWorker(): Side | undefined {
  try {
    const channel = new MessageChannel();
    const flags = new Int32Array(new SharedArrayBuffer(12));
    // From sources (tests under tsx) the worker registers tsx's require hook before loading this
    // .ts file: a worker does not inherit the loader, and without it the worker failed at once.
    const fromSource = __filename.endsWith(".ts");
    const entry = fromSource ? `require("tsx/cjs"); require(${JSON.stringify(__filename)});` : __filename;
    const worker = new Worker(entry, {
      eval: fromSource,
      workerData: { port: channel.port2, flags: flags.buffer }, transferList: [channel.port2],
      stdout: false, stderr: false,
      // A small young generation: the transpile's garbage is collected young instead of growing
      // the heap (with V8's default the worker grows ~130 MB in 300 cells). Not too small: at
      // 4 MB a cell's transpile scavenged several times (2.2 ms a cell, against 0.95 at 8 MB and
      // 0.5 on a warm main thread), for 8 MB less resident memory.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    worker.unref();
    const side: Side = { worker, port: channel.port1, flags, failed: false };
    // A worker that failed to start or died: the next call does the work on this thread.
    const failed = () => { side.failed = true; };
    worker.on("error", failed).on("exit", failed);
    return side;
  } catch {
    return undefined;
  }
}

export class SyntaxWorker {
  private current: Side | undefined;
  private broken = false;

  /** `inThread` loads TypeScript 6 on the caller's thread (where workers cannot start, or after a failure). */
  constructor(private readonly inThread: () => typeof TS) {}

  /** Starts the first worker (it loads TypeScript while the kernel goes on). */
  start(): void {
    if (this.current || this.broken) return;
    this.current = prestarted ?? spawnWorker();
    prestarted = undefined;
    if (!this.current) this.broken = true;
  }


  /** Runs one operation on the worker (on this thread where no worker runs). */
  run<K extends keyof Ops>(op: K, ...args: Args<K>): ReturnType<Ops[K]> {
    return this.begin(op, ...args)();
  }

  /** Starts one operation on the worker and returns what waits for its answer, so the caller can
   * do other work meanwhile (one operation at a time: call the returned function before the next). */
  begin<K extends keyof Ops>(op: K, ...args: Args<K>): () => ReturnType<Ops[K]> {
    const local = () => (OPS[op] as unknown as (ts: typeof TS, ...a: Args<K>) => ReturnType<Ops[K]>)(this.inThread(), ...args);
    this.start();
    if (this.current?.failed) { this.broken = true; this.retire(this.current); this.current = undefined; }
    const side = this.current;
    if (!side || (Atomics.load(side.flags, READY) === 0 && Atomics.wait(side.flags, READY, 0, START_TIMEOUT_MS) === "timed-out")) {
      const value = local();
      return () => value;
    }
    this.post(side, op, args);
    return () => {
      const reply = this.collect(side);
      if (reply !== undefined) return reply as ReturnType<Ops[K]>;
      this.broken = true;
      this.retire(side);
      this.current = undefined;
      return local();
    };
  }

  /** Resolves once the worker has loaded TypeScript and warmed up, without blocking this thread
   * (false where no worker runs: the work is done on this thread). */
  async ready(): Promise<boolean> {
    this.start();
    const side = this.current;
    if (!side) return false;
    const waiting = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<string> | string } })
      .waitAsync(side.flags, READY, 0, TIMEOUT_MS);
    if (waiting.async) {
      // An async wait on shared memory does not keep Node's event loop alive: the worker does,
      // while it is awaited.
      side.worker.ref();
      let onExit = () => {};
      const died = new Promise<void>((resolve) => { onExit = resolve; side.worker.once("exit", onExit).once("error", onExit); });
      try {
        await Promise.race([waiting.value, died]);
      } finally {
        side.worker.off("exit", onExit).off("error", onExit);
        side.worker.unref();
      }
    }
    return Atomics.load(side.flags, READY) === 1 && !side.failed;
  }

  private post(side: Side, op: string, args: unknown[]): void {
    side.port.postMessage({ op, args });
    Atomics.store(side.flags, REQUEST, 1);
    Atomics.notify(side.flags, REQUEST);
  }

  private collect(side: Side): unknown {
    if (Atomics.wait(side.flags, REPLY, 0, TIMEOUT_MS) === "timed-out") return undefined;
    Atomics.store(side.flags, REPLY, 0);
    const msg = receiveMessageOnPort(side.port)?.message as { ok: unknown } | { error: string } | undefined;
    if (!msg) return undefined;
    if ("error" in msg) throw new Error(msg.error);
    return msg.ok;
  }

  private retire(side: Side): void {
    side.port.close();
    void side.worker.terminate();
  }

  close(): void {
    if (this.current) this.retire(this.current);
    this.current = undefined;
  }
}

/** The worker's loop: one transpile per request, until the kernel terminates it. */
function serve(): void {
  const { port, flags: buffer } = workerData as { port: MessagePort; flags: SharedArrayBuffer };
  const flags = new Int32Array(buffer);
  // From a V8 code cache on disk (code_cache.ts): ready ~140 ms sooner on the kernel's start.
  const loaded = requireWithCodeCache<typeof TS>("typescript6");
  const ts = loaded.exports;
  const trim = new HeapTrim(GC_SLACK_MB);
  const warm = "const warm: number = 1; warm";
  OPS.compile(ts, warm);
  Atomics.store(flags, READY, 1);
  Atomics.notify(flags, READY);
  loaded.save();
  for (;;) {
    Atomics.wait(flags, REQUEST, 0);
    Atomics.store(flags, REQUEST, 0);
    const msg = receiveMessageOnPort(port);
    if (!msg) continue;
    const { op, args } = msg.message as { op: keyof Ops; args: unknown[] };
    let reply: { ok: unknown } | { error: string };
    try {
      reply = { ok: (OPS[op] as (ts: typeof TS, ...a: unknown[]) => unknown)(ts, ...args) };
    } catch (err) {
      reply = { error: String((err as Error)?.stack ?? err) };
    }
    port.postMessage(reply);
    Atomics.store(flags, REPLY, 1);
    Atomics.notify(flags, REPLY);
    trim.maybeCollect();
  }
}

if (!isMainThread && (workerData as { flags?: unknown } | null)?.flags && path.basename(__filename).startsWith("syntax_worker")) serve();
