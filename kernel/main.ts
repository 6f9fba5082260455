#!/usr/bin/env node
// kernel/main.ts
// Entry point. `main.js --connection-file F` runs the kernel: sockets on a worker thread
// (kernel/io/socket_thread.ts), user code here on the main thread through the runtime's Evaluator.
// `main.js install [--user|--prefix DIR|--sys-prefix]` writes the kernelspec (kernel/kernelspec.ts).
// The runtime (and with it the TypeScript compiler) loads after the sockets are up, so the first
// kernel_info_reply does not wait for it.
import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import type { Evaluator } from "../runtime/evaluator";
import type { CellIO, CommIO } from "../runtime/io";
import { HeapTrim } from "../runtime/heap";
import { Bridge } from "./bridge";
import { readConnection } from "./connection";
import { makeHandlers, type KernelContext } from "./handlers";
import { History } from "./history";
import { log } from "./log";
import { Session } from "./session";
import { KERNEL_ENV } from "./kernelspec";

const USAGE = `usage: tsgrad-kernel --connection-file FILE
       tsgrad-kernel install [--user | --prefix DIR | --sys-prefix] [--name NAME] [--display-name NAME] [--interrupt-mode signal|message]`;

/** WebGPU (Dawn on lavapipe) wants XDG_RUNTIME_DIR; give it a private one when missing or unusable. */

function ensureRuntimeDir(): void {
  const cur = process.env.XDG_RUNTIME_DIR;
  try {
    if (cur && statSync(cur).isDirectory()) { accessSync(cur, constants.W_OK); return; }
  } catch { /* fall through */ }
  const dir = join(tmpdir(), `tsgrad-runtime-${process.getuid?.() ?? "user"}`);
  try { mkdirSync(dir, { recursive: true, mode: 0o700 }); process.env.XDG_RUNTIME_DIR = dir; } catch (err) {
    log.warn(`cannot create ${dir}`, err);
  }
}

function formatUncaught(kind: string, err: unknown): string {
  const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  return `${kind}: ${text}\n`;
}

function runKernel(connectionFile: string): void {
  ensureRuntimeDir();
  for (const name of Object.keys(KERNEL_ENV)) delete process.env[name];
  // Threads started from here on (the cell compiler's syntax worker) optimise their code on their
  // own thread: V8's background compiles left zone memory in glibc's per-thread arenas that was
  // never given back (over 1,300 cells the kernel grew 65 MB with them, 37 MB without; no
  // measurable change in cell latency). The main thread's isolate keeps its background compiler.
  setFlagsFromString("--no-concurrent-recompilation");
  // The cell compiler's syntax worker starts loading TypeScript now, while this thread loads the
  // runtime and opens the checker's project (the first cell waited ~100 ms more for it).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require("../runtime/syntax_worker") as typeof import("../runtime/syntax_worker")).prestartSyntaxWorker();
  const connection = readConnection(connectionFile);
  const history = new History();
  const interruptBuffer = new SharedArrayBuffer(4);
  let evaluator: Evaluator | undefined;
  let stopping = false;
  /** The debugger is attached: the evaluator announces each cell script before running it. */
  let debugging = false;

  const ctx: KernelContext = {
    bridge: undefined as unknown as Bridge,
    session: undefined as unknown as Session,
    history,
    evaluator: () => (evaluator ??= loadEvaluator()),
  };
  // Comm messages the runtime sends: parented to the request being handled, else the last cell.
  const comms: CommIO = {
    send: (type, content, buffers, metadata) => ctx.bridge.iopub(ctx.session.current ?? ctx.lastCell?.seq ?? 0, type, content, metadata, buffers),
    get fast() { return ctx.bridge.fast; },
  };
  function loadEvaluator(): Evaluator {
    // Loaded on first use, not at import: the runtime brings in the compiler and the tensor library.
    const { Evaluator } = require("../runtime/evaluator") as typeof import("../runtime/evaluator");
    const ev = new Evaluator({ interruptBuffer });
    ev.setCommIO(comms);
    if (debugging) setDebugging(ev, true);
    return ev;
  }
  function setDebugging(ev: Evaluator, on: boolean): void {
    ev.debugHook = on ? (script) => ctx.bridge.debugScript(script) : undefined;
    // Cells that ran before attach: their functions may still be called (breakpoints in them work).
    if (on) for (const script of ev.debugCells()) void ctx.bridge.debugScript(script, false);
  }

  async function stop(restart: boolean): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info(restart ? "restart requested: exiting so the frontend starts a new kernel" : "shutdown requested");
    ctx.session.stop();
    await Promise.race([history.close(), new Promise((r) => setTimeout(r, 1000))]);
    await ctx.bridge.close();
    process.exit(0);
  }

  function interrupt(target?: number): void {
    // An interrupt meant for a cell that has ended must not stop the one queued after it.
    if (target !== undefined && ctx.session.current !== target) return;
    const err = new Error("execution interrupted by the user");
    err.name = "Interrupted";
    ctx.bridge.cancelInputs(err);
    evaluator?.interrupt();
  }

  ctx.bridge = new Bridge({ connection, interruptBuffer }, {
    request: (r) => ctx.session.enqueue(r),
    interrupt,
    sigintReady: () => process.off("SIGINT", onSigint),
    shutdown: (restart) => void stop(restart),
    fatal: (message) => { log.error(message); history.flushSync(); process.exit(1); },
    debugAttached: (on) => { debugging = on; if (evaluator) setDebugging(evaluator, on); },
  });
  // Between requests: a full collection when this thread's heap has grown 4 MB (runtime/heap.ts).
  const trim = new HeapTrim(4);
  ctx.session = new Session(ctx.bridge, makeHandlers(ctx), () => {
    try { trim.maybeCollect(); } catch (err) { log.warn("heap trim failed", err); }
  });

  // SIGINT (from the frontend in signal mode, or raised by the socket thread when an
  // interrupt_request finds this thread busy). Once kernel/io/sigint_watch.ts runs (a few ms after
  // start) it sees every signal and the socket thread sends "interrupt"; until then this listener
  // keeps a SIGINT from killing the process. It must go then: vm's breakOnSigint re-attaches
  // process listeners after each step, which would re-install libuv's handler over the watchdog's.
  function onSigint(): void {
    log.debug("SIGINT: interrupting");
    interrupt();
  }
  process.on("SIGINT", onSigint);
  // Errors user code throws later (timers, unawaited promises) go to the notebook, never kill us.
  // The runtime's reportAsync finds the cell that scheduled the failing callback (and maps its frames).
  const toCell = (kind: string) => (err: unknown) => {
    if (evaluator) return evaluator.reportAsync(err);
    const cell: { io: CellIO } | undefined = ctx.lastCell;
    if (cell) cell.io.stream("stderr", formatUncaught(kind, err)); else log.error(kind, err);
  };
  process.on("uncaughtException", toCell("Uncaught"));
  process.on("unhandledRejection", toCell("Unhandled promise rejection"));

  void ctx.bridge.bound.then(() => log.debug(`sockets bound ${(process.uptime() * 1000).toFixed(0)} ms after start`));
  // Load the runtime and the compiler at once, so the first cell does not wait for them. The socket
  // thread binds and answers kernel_info on its own meanwhile, on the other core: nothing here holds
  // that answer back, and waiting for it would only delay the first cell.
  setImmediate(() => {
    const t0 = performance.now();
    try {
      void (ctx.evaluator() as Evaluator).warmUp().then(() => log.debug(`runtime ready in ${(performance.now() - t0).toFixed(0)} ms`));
    } catch (err) { log.error("cannot load the runtime", err); }
  });
}

function main(argv: string[]): void {
  if (argv[0] === "install") {
    const { installCli } = require("./kernelspec") as typeof import("./kernelspec");
    process.exitCode = installCli(argv.slice(1));
    return;
  }
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--connection-file" || a === "-f") file = argv[++i];
    else if (a.startsWith("--connection-file=")) file = a.slice("--connection-file=".length);
    else if (a === "--help" || a === "-h") { process.stdout.write(USAGE + "\n"); return; }
  }
  if (!file) { process.stderr.write(USAGE + "\n"); process.exitCode = 2; return; }
  try { runKernel(file); } catch (err) {
    log.error("cannot start", (err as Error).message);
    process.exit(1);
  }
}

main(process.argv.slice(2));
