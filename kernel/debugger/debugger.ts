// kernel/debugger/debugger.ts
// The Jupyter debugger (debug_request on control, debug_event on iopub), served on the socket
// thread so that it answers while user code is paused. Standard DAP requests go to a V8 inspector
// session on the main thread (inspector_session.ts); Jupyter's additions (dumpCell, debugInfo,
// inspectVariables, richInspectVariables, copyToGlobals) are built here.
// Cells: the main thread announces each cell script before it runs (url, text, source map), and
// breakpoints set on a dumped cell's lines are placed on every script of that text, through its
// source map. Library frames show their TypeScript through the source maps in dist/.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve, sep } from "node:path";
import { CellFiles, FILE_SUFFIX, HASH_METHOD, HASH_SEED } from "./cell_files";
import { CAPABILITIES, DapError, event, failure, parseRequest, response, THREAD_ID, type DapEvent, type DapRequest, type DapResponse } from "./dap";
import { InspectorSession, type Params } from "./inspector_session";
import { Breakpoints } from "./breakpoints";
import { BLACKBOX, Scripts, type CallFrame, type Place } from "./scripts";
import { log } from "../log";
import { insideTry } from "./try_blocks";
import { stripTypes } from "./ts_expression";
import { HOOK, Variables, valueText, type RemoteObject } from "./variables";

export interface DebugHost {
  /** Publish a DAP event as debug_event on iopub. */
  event(e: DapEvent): void;
  /** Tell the main thread to announce cell scripts (true) or stop (false). */
  attached(on: boolean): void;
  /** A SIGINT reached the main thread while it was paused: interrupt as for interrupt_request. */
  interrupt(): void;
}

/** How often a paused main thread is checked for a SIGINT (see watchSigint). */
const SIGINT_POLL_MS = 200;


/** Project root (dist/kernel/debugger -> the checkout): `source` serves files under it. */
const ROOT = resolve(__dirname, "../../..");
const IDENT = /^[A-Za-z_$][\w$]*$/;
/** The parameters of the function a cell runs in (runtime/evaluator.ts): not the user's locals. */
const CELL_PARAMS = ["__tsg", "require", "module", "exports", "__filename", "__dirname"];
/** Requests served before attach (the rest need the inspector). */
const STATIC = new Set(["initialize", "attach", "debugInfo", "dumpCell", "disconnect", "source", "modules"]);

/** runtime/**.ts of this checkout, as DAP modules. */
function libraryModules(): { id: number; name: string; path: string }[] {
  const dir = join(ROOT, "runtime");
  const files = existsSync(dir) ? (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort() : [];
  return files.map((f, id) => ({ id, name: f.replace(/\.ts$/, "").split(sep).join("/"), path: join(dir, f) }));
}

export class Debugger {
  private session: InspectorSession | undefined;
  private readonly files = new CellFiles();
  private readonly scripts = new Scripts();
  private readonly bps = new Breakpoints(() => this.inspector("setBreakpoints"), this.files, this.scripts);
  private exceptionFilters: string[] = [];
  private paused: { frames: CallFrame[]; reason: string } | undefined;
  private readonly frames = new Map<number, CallFrame>();
  private nextFrame = 1;
  private readonly vars = new Variables(() => this.inspector("variables"));
  private stepping = false;
  /** initialize came, and no disconnect since. */
  private initialized = false;
  private lastStep: string | undefined;
  private pauseRequested = false;
  /** Interrupted: every pause is skipped until this request (the interrupted cell) is done. */
  private skipping: number | undefined;

  constructor(private readonly host: DebugHost) {}

  get isAttached(): boolean { return !!this.session; }
  get isPaused(): boolean { return !!this.paused; }

  async request(content: Record<string, unknown>): Promise<DapResponse> {
    let req: DapRequest;
    try { req = parseRequest(content); } catch (err) {
      return failure({ seq: 0, type: "request", command: String(content.command ?? "") }, (err as Error).message);
    }
    const handler = (this.handlers as Record<string, ((r: DapRequest) => Promise<Record<string, unknown> | void>) | undefined>)[req.command];
    if (!handler) return failure(req, `unknown debug command "${req.command}"`);
    if (!this.session && !STATIC.has(req.command)) {
      return failure(req, `${req.command}: the debugger is not attached (send initialize and attach first)`);
    }
    try {
      const body = await handler.call(this, req);
      return response(req, body ?? undefined);
    } catch (err) {
      return failure(req, err instanceof DapError ? err.message : `${req.command}: ${(err as Error).message}`, (err as DapError).body);
    }
  }

  private inspector(command: string): InspectorSession {
    if (!this.session) throw new DapError(`${command}: the debugger is not attached`);
    return this.session;
  }

  private readonly handlers = {
    // Started from initialize on, as ipykernel says (it starts debugpy there): JupyterLab sets its
    // own isStarted from every debugInfo reply, and its toolbar button sends debugInfo while it
    // starts (initialize, then attach). Said false until attach, a debugInfo answered in between
    // turned the client's debugger off for good (no breakpoints sent, seen in ~1 run of 5).
    initialize: async () => { this.initialized = true; return CAPABILITIES; },
    attach: async () => {
      if (this.session) return;
      this.session = new InspectorSession((m, p) => this.onEvent(m, p));
      await this.session.post("Debugger.enable");
      await this.session.post("Debugger.setBlackboxPatterns", { patterns: [...BLACKBOX] });
      this.host.attached(true);
      setImmediate(() => this.host.event(event("initialized")));
    },
    configurationDone: async () => {},
    disconnect: async () => { this.detach(); },
    debugInfo: async () => ({
      isStarted: this.initialized || !!this.session, hashMethod: HASH_METHOD, hashSeed: HASH_SEED,
      tmpFilePrefix: this.files.prefix, tmpFileSuffix: FILE_SUFFIX,
      breakpoints: this.bps.list(),
      stoppedThreads: this.paused ? [THREAD_ID] : [], richRendering: true, exceptionPaths: [], copyToGlobals: true,
    }),
    dumpCell: async (req: DapRequest) => {
      const code = req.arguments?.code;
      if (typeof code !== "string") throw new DapError("dumpCell: arguments.code must be the cell's text");
      return { sourcePath: this.files.dump(code) };
    },
    setBreakpoints: async (req: DapRequest) => this.bps.set(req.arguments ?? {}),
    setExceptionBreakpoints: async (req: DapRequest) => {
      const filters = (req.arguments?.filters ?? []) as string[];
      const bad = filters.filter((f) => f !== "raised" && f !== "uncaught");
      if (bad.length) throw new DapError(`setExceptionBreakpoints: unknown filter ${JSON.stringify(bad[0])} (known: raised, uncaught)`);
      this.exceptionFilters = filters;
      // Cells run inside the runtime's try/catch, so V8 calls every exception "caught": pause on all
      // and decide in onPaused which ones escape the user's code.
      await this.inspector("setExceptionBreakpoints").post("Debugger.setPauseOnExceptions", { state: filters.length ? "all" : "none" });
      return { breakpoints: filters.map(() => ({ verified: true })) };
    },
    threads: async () => ({ threads: [{ id: THREAD_ID, name: "main" }] }),
    stackTrace: async () => this.stackTrace(),
    scopes: async (req: DapRequest) => this.scopes(req.arguments ?? {}),
    variables: async (req: DapRequest) => {
      const ref = this.vars.get(Number(req.arguments?.variablesReference));
      if (!ref) throw new DapError(`variables: unknown variablesReference ${JSON.stringify(req.arguments?.variablesReference)}`);
      return { variables: await this.vars.children(ref) };
    },
    evaluate: async (req: DapRequest) => this.evaluate(req.arguments ?? {}),
    continue: async () => { await this.resume("continue", "Debugger.resume"); return { allThreadsContinued: true }; },
    next: async () => { await this.resume("next", "Debugger.stepOver"); },
    stepIn: async () => { await this.resume("stepIn", "Debugger.stepInto"); },
    stepOut: async () => { await this.resume("stepOut", "Debugger.stepOut"); },
    pause: async () => {
      if (this.paused) return;
      this.pauseRequested = true;
      await this.inspector("pause").post("Debugger.pause");
    },
    source: async (req: DapRequest) => {
      const path = String((req.arguments?.source as { path?: string } | undefined)?.path ?? "");
      const text = this.files.text(path);
      if (text !== undefined) return { content: text, mimeType: "text/typescript" };
      const inside = path.startsWith(ROOT + "/") || this.files.isCellFile(path);
      if (!path || !inside || !existsSync(path)) throw new DapError(`source: ${path ? `${path} is not a file this kernel can show` : "arguments.source.path is missing"}`);
      return { content: readFileSync(path, "utf8"), mimeType: path.endsWith(".ts") ? "text/typescript" : "text/javascript" };
    },
    modules: async (req: DapRequest) => {
      // The Kernel Sources panel: tsgrad's own TypeScript, which `source` serves and stepping shows.
      const all = libraryModules();
      const start = Number(req.arguments?.startModule ?? 0) || 0, count = Number(req.arguments?.moduleCount ?? 0) || all.length;
      return { modules: all.slice(start, start + count), totalModules: all.length };
    },
    inspectVariables: async () => {
      await this.inspector("inspectVariables").post("Runtime.releaseObjectGroup", { objectGroup: "tsgrad-vars" });
      return { variables: await this.vars.children({ kind: "globals" }) };
    },
    richInspectVariables: async (req: DapRequest) => {
      const name = String(req.arguments?.variableName ?? "");
      if (!IDENT.test(name)) return { data: {}, metadata: {} };
      const r = await this.evalIn(`${HOOK}.rich(${name})`, req.arguments?.frameId, true);
      const v = r.value as { data?: unknown; metadata?: unknown } | undefined;
      return { data: v?.data ?? {}, metadata: v?.metadata ?? {} };
    },
    copyToGlobals: async (req: DapRequest) => {
      const a = req.arguments ?? {};
      const src = String(a.srcVariableName ?? ""), dst = String(a.dstVariableName ?? "");
      if (!IDENT.test(src) || !IDENT.test(dst)) throw new DapError("copyToGlobals: srcVariableName and dstVariableName must be identifiers");
      await this.evalIn(`Object.defineProperty(globalThis, ${JSON.stringify(dst)}, { value: ${src}, writable: true, configurable: true, enumerable: true }), undefined`, a.srcFrameId, true);
    },
  };

  /** The main thread is about to run a cell script (it waits for this, so that a breakpoint on
   * the cell's first line is hit). */
  async cellScript(url: string, code: string, sourceMap: string | undefined): Promise<void> {
    if (this.session) await this.bps.cellScript(url, code, sourceMap);
  }

  // ---- pause state ----

  private onEvent(method: string, params: Params): void {
    if (method === "Debugger.scriptParsed") {
      const p = params as { scriptId: string; url: string; sourceMapURL?: string };
      if (p.url) this.scripts.parsed(p.scriptId, p.url, p.sourceMapURL);
    } else if (method === "Debugger.paused") {
      void this.onPaused(params as { callFrames: CallFrame[]; reason: string; data?: RemoteObject; hitBreakpoints?: string[] });
    } else if (method === "Debugger.resumed") {
      const was = !!this.paused;
      this.paused = undefined;
      clearInterval(this.sigintTimer);
      this.frames.clear();
      this.vars.clear();
      if (was) this.host.event(event("continued", { threadId: THREAD_ID, allThreadsContinued: true }));
    }
  }

  private async onPaused(p: { callFrames: CallFrame[]; reason: string; data?: RemoteObject; hitBreakpoints?: string[] }): Promise<void> {
    const s = this.session;
    if (!s) return;
    const resume = () => { void s.post("Debugger.resume").catch(() => {}); };
    if (this.skipping !== undefined) return resume();
    const visible = p.callFrames.map((f) => this.scripts.locate(f)).filter((x): x is Place => !!x);
    log.debug(`debugger: paused (${p.reason}) at ${p.callFrames[0]?.url}:${p.callFrames[0]?.location.lineNumber}, ${visible.length} user frames`);
    if (!visible.length) return resume();
    // A step that lands on code the runtime added around the cell's statements takes one more step.
    const top = p.callFrames[0], topCell = top && this.scripts.cellAt(top);
    if (this.stepping && this.lastStep && topCell?.map && !topCell.map.hasLine(top.location.lineNumber)) {
      void s.post(this.lastStep).catch(() => {});
      return;
    }
    let reason: string;
    let text: string | undefined;
    if (p.reason === "exception" || p.reason === "promiseRejection") {
      const raised = this.exceptionFilters.includes("raised");
      if (!raised && !(this.exceptionFilters.includes("uncaught") && !this.caughtByUser(visible))) return resume();
      reason = "exception";
      text = p.data ? valueText(p.data) : undefined;
      if (p.data?.description) this.host.event(event("output", { category: "stderr", output: `${p.data.description}\n` }));
    } else if (p.hitBreakpoints?.length) reason = "breakpoint";
    else if (this.pauseRequested) reason = "pause";
    else if (this.stepping) reason = "step";
    else reason = "breakpoint";
    this.pauseRequested = false;
    this.stepping = false;
    this.paused = { frames: p.callFrames, reason };
    this.watchSigint();
    this.host.event(event("stopped", {
      reason, threadId: THREAD_ID, allThreadsStopped: true, preserveFocusHint: false,
      ...(text ? { text, description: `Paused on exception: ${text}` } : {}),
    }));
  }

  /** While paused, a SIGINT (interrupt_mode "signal") goes to the main thread's own watchdog: V8
   * keeps it as a pending termination and no other thread hears of it. The next evaluation on the
   * paused thread reports "Execution was terminated" (and consumes it), so poll with a cheap one
   * and turn that into an interrupt. */
  private sigintTimer: NodeJS.Timeout | undefined;
  private watchSigint(): void {
    clearInterval(this.sigintTimer);
    this.sigintTimer = setInterval(() => {
      if (!this.paused || !this.session) { clearInterval(this.sigintTimer); return; }
      const callFrameId = this.paused.frames[0]?.callFrameId;
      this.session.post("Debugger.evaluateOnCallFrame", { callFrameId, expression: "0", silent: true }).catch((err: Error) => this.terminated(err));
    }, SIGINT_POLL_MS);
    this.sigintTimer.unref();
  }

  /** An evaluation while paused found the SIGINT's termination: interrupt the cell. */
  private terminated(err: Error): void {
    if (!/Execution was terminated/.test(err.message) || !this.paused) return;
    clearInterval(this.sigintTimer);
    log.debug("debugger: SIGINT while paused; interrupting");
    this.host.interrupt();
  }

  /** "uncaught": a try block in the user's own code (a cell, or the library's TypeScript) around a
   * frame on the stack catches it; the runtime's own catch around the whole cell does not count. */
  private caughtByUser(frames: Place[]): boolean {
    for (const f of frames) {
      const text = f.cell ? this.files.text(f.path) : (existsSync(f.path) ? readFileSync(f.path, "utf8") : undefined);
      if (text !== undefined && insideTry(text, f.line - 1, f.column - 1)) return true;
    }
    return false;
  }

  private async resume(command: string, method: string): Promise<void> {
    if (!this.paused) throw new DapError(`${command}: the kernel is not paused`);
    this.stepping = method !== "Debugger.resume";
    this.lastStep = this.stepping ? (method === "Debugger.stepOut" ? "Debugger.stepOver" : method) : undefined;
    await this.inspector(command).post(method);
  }

  /** Interrupt: leave the pause and skip every pause until the cell has ended, so the interrupt
   * stops it (kernel/io/interrupt.ts calls this before its usual interrupt). True when it was paused: a
   * SIGINT that came during the pause is lost (V8 drops a termination requested while paused),
   * so the caller raises one again. */
  interrupt(target: number | undefined): boolean {
    const s = this.session;
    if (!s || target === undefined) return false;
    this.skipping = target;
    void s.post("Debugger.setSkipAllPauses", { skip: true }).then(() => s.post("Debugger.resume")).catch(() => {});
    return !!this.paused;
  }

  /** Request `seq` (on the shell queue) is done: an interrupted cell has ended. */
  done(seq: number): void {
    if (this.skipping !== seq) return;
    this.skipping = undefined;
    void this.session?.post("Debugger.setSkipAllPauses", { skip: false }).catch(() => {});
  }

  /** Shutdown or restart: resume the main thread (so it can exit) and say the session ended. */
  shutdown(): void {
    if (!this.session) return;
    this.host.event(event("terminated", {}));
    this.detach();
  }

  private detach(): void {
    this.initialized = false;
    if (!this.session) return;
    this.session.close();
    this.session = undefined;
    this.host.attached(false);
    this.paused = undefined;
    clearInterval(this.sigintTimer);
    this.frames.clear();
    this.vars.clear();
    this.scripts.clearCells();
    this.bps.clear();
    this.exceptionFilters = [];
    this.skipping = undefined;
  }

  // ---- frames, scopes, evaluation ----

  private stackTrace(): Record<string, unknown> {
    if (!this.paused) return { stackFrames: [], totalFrames: 0 };
    this.frames.clear();
    const stackFrames = [];
    for (const f of this.paused.frames) {
      const place = this.scripts.locate(f);
      if (!place) continue;
      const id = this.nextFrame++;
      this.frames.set(id, f);
      stackFrames.push({
        id, name: f.functionName || (place.cell ? "<cell>" : "<anonymous>"), line: place.line, column: place.column,
        source: { name: place.cell ? `cell ${basename(place.path, FILE_SUFFIX)}` : basename(place.path), path: place.path },
      });
    }
    return { stackFrames, totalFrames: stackFrames.length };
  }

  private frame(id: unknown, command: string): CallFrame {
    if (!this.paused) throw new DapError(`${command}: the kernel is not paused`);
    const f = id === undefined ? this.paused.frames.find((x) => this.scripts.locate(x)) : this.frames.get(Number(id));
    if (!f) throw new DapError(`${command}: unknown frameId ${JSON.stringify(id)}`);
    return f;
  }

  /** Locals (the frame's function scope with the blocks inside it, as one list: JupyterLab shows
   * the first scope), then each closure, then the user's globals. */
  private scopes(args: Record<string, unknown>): Record<string, unknown> {
    const f = this.frame(args.frameId, "scopes");
    const chain = f.scopeChain.filter((s) => s.object.objectId);
    const end = chain.findIndex((s) => s.type === "local");
    const inner = chain.slice(0, end + 1).filter((s) => ["block", "local", "catch", "with"].includes(s.type));
    const scopes: Record<string, unknown>[] = [];
    if (inner.length) {
      scopes.push({ name: "Locals", presentationHint: "locals", expensive: false,
        variablesReference: this.vars.add({ kind: "scopes", objectIds: inner.map((s) => s.object.objectId!), hide: this.scripts.locate(f)?.cell ? CELL_PARAMS : [] }) });
    }
    for (const s of chain.slice(end + 1)) {
      if (s.type !== "closure" && s.type !== "block") continue;
      scopes.push({ name: s.name ? `Closure (${s.name})` : "Closure", expensive: false, variablesReference: this.vars.add({ kind: "object", objectId: s.object.objectId! }) });
    }
    scopes.push({ name: "Globals", expensive: false, variablesReference: this.vars.add({ kind: "globals" }) });
    return { scopes };
  }

  /** Evaluates JavaScript in a paused frame (frameId, or the top user frame) or, when not paused,
   * in the global scope. */
  private async evalIn(expression: string, frameId: unknown, byValue: boolean, silent = true): Promise<RemoteObject> {
    const s = this.inspector("evaluate");
    const r = await this.evalRaw(s, expression, frameId, byValue, silent).catch((err: Error) => { this.terminated(err); throw err; });
    if (r.exceptionDetails) {
      const e = r.exceptionDetails.exception;
      throw new DapError((e?.description ?? r.exceptionDetails.text ?? "evaluation failed").split("\n")[0]);
    }
    return r.result;
  }

  private async evalRaw(s: InspectorSession, expression: string, frameId: unknown, byValue: boolean, silent: boolean) {
    return this.paused
      ? s.post<{ result: RemoteObject; exceptionDetails?: { exception?: RemoteObject; text?: string } }>("Debugger.evaluateOnCallFrame", {
        callFrameId: this.frame(frameId, "evaluate").callFrameId, expression, objectGroup: "tsgrad-eval", returnByValue: byValue, silent,
      })
      : s.post<{ result: RemoteObject; exceptionDetails?: { exception?: RemoteObject; text?: string } }>("Runtime.evaluate", {
        expression, objectGroup: "tsgrad-eval", returnByValue: byValue, silent, replMode: true, awaitPromise: true,
      });
  }

  private async evaluate(args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const expression = String(args.expression ?? "");
    if (!expression.trim()) throw new DapError("evaluate: arguments.expression is empty");
    let v: RemoteObject;
    try { v = await this.evalIn(expression, args.frameId, false, args.context === "hover"); } catch (err) {
      // TypeScript typed into the console: strip the types and try again.
      const js = /^SyntaxError/.test((err as Error).message) ? stripTypes(expression) : undefined;
      if (!js) throw err;
      v = await this.evalIn(js, args.frameId, false, args.context === "hover");
    }
    const [dv] = await this.vars.describe([[expression, v]]);
    return { result: dv.value, type: dv.type, variablesReference: dv.variablesReference };
  }
}

