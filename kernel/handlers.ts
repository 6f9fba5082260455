// kernel/handlers.ts
// msg_type -> handler for the types kernel/routes.ts serves on the main thread, one short function
// per request. Each returns the reply content (kernel/session.ts sends it between busy and idle). Everything a cell prints goes out
// through the CellIO built here, posted to the socket thread as it happens.
import type { CellIO, EvaluatorApi, Outcome } from "../runtime/io";
import type { Bridge, IncomingRequest } from "./bridge";
import type { History } from "./history";
import { kernelInfoContent, type HistoryEntry } from "./messages";
import type { MainType } from "./routes";
import type { Handler, MainHandlers, Session } from "./session";
import type { Json } from "./wire";

export interface KernelContext {
  bridge: Bridge;
  session: Session;
  history: History;
  evaluator(): EvaluatorApi;
  /** The running cell's output (or the last cell's), for errors user timers throw later. */
  lastCell?: { seq: number; io: CellIO };
  /** Folder of the notebook, when the frontend told us (cwd otherwise). */
  cwd?: string;
}

export class StdinNotAllowed extends Error {
  constructor() { super("input(): this frontend does not accept input requests (allow_stdin is false)"); this.name = "StdinNotAllowed"; }
}

function cellIO(ctx: KernelContext, seq: number, silent: boolean, allowStdin: boolean): CellIO {
  const b = ctx.bridge;
  return {
    stream: silent ? () => {} : (name, text) => b.stream(seq, name, String(text)),
    display: silent ? () => {} : (bundle, metadata, opts) => {
      const transient = opts.displayId ? { display_id: opts.displayId } : {};
      b.iopub(seq, opts.update ? "update_display_data" : "display_data", { data: bundle, metadata: metadata ?? {}, transient });
    },
    clearOutput: silent ? () => {} : (wait) => b.iopub(seq, "clear_output", { wait: !!wait }),
    input: (prompt, password) => allowStdin ? b.input(seq, String(prompt ?? ""), !!password) : Promise.reject(new StdinNotAllowed()),
  };
}

function errorOutcome(err: unknown): Outcome & { status: "error" } {
  const e = err instanceof Error ? err : new Error(String(err));
  return { status: "error", ename: e.name, evalue: e.message, traceback: (e.stack ?? `${e.name}: ${e.message}`).split("\n") };
}

function expressionResult(o: Outcome): Json {
  if (o.status === "error") return { status: "error", ename: o.ename, evalue: o.evalue, traceback: o.traceback };
  return { status: "ok", data: o.result ?? { "text/plain": "undefined" }, metadata: o.resultMetadata ?? {} };
}

async function execute(ctx: KernelContext, req: IncomingRequest): Promise<Json> {
  const c = req.content;
  const code = typeof c.code === "string" ? c.code : "";
  const silent = c.silent === true;
  const storeHistory = !silent && c.store_history !== false;
  const allowStdin = c.allow_stdin !== false;
  const stopOnError = c.stop_on_error !== false;
  if (storeHistory) ctx.session.executionCount++;
  const n = ctx.session.executionCount;
  if (!silent) ctx.bridge.iopub(req.seq, "execute_input", { code, execution_count: n });
  const io = cellIO(ctx, req.seq, silent, allowStdin);
  ctx.lastCell = { seq: req.seq, io };

  let outcome: Outcome;
  try {
    outcome = await ctx.evaluator().execute(code, io, { executionCount: n, silent, storeHistory, allowStdin, cwd: ctx.cwd ?? process.cwd() });
  } catch (err) { outcome = errorOutcome(err); }

  if (outcome.status === "error") {
    const error = { ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback };
    if (storeHistory) ctx.history.append(n, code, null);
    if (!silent) ctx.bridge.iopub(req.seq, "error", error);
    if (stopOnError) await ctx.session.abortQueued();
    return { status: "error", execution_count: n, ...error, user_expressions: {}, payload: [] };
  }
  const plain = outcome.result?.["text/plain"];
  if (storeHistory) ctx.history.append(n, code, typeof plain === "string" ? plain : null);
  if (!silent && outcome.result) {
    ctx.bridge.iopub(req.seq, "execute_result", { execution_count: n, data: outcome.result, metadata: outcome.resultMetadata ?? {} });
  }
  const exprs = c.user_expressions;
  const user_expressions: Json = {};
  if (exprs && typeof exprs === "object" && Object.keys(exprs).length > 0) {
    let results: Record<string, Outcome>;
    try { results = await ctx.evaluator().evaluateExpressions(exprs as Record<string, string>); } catch (err) {
      results = Object.fromEntries(Object.keys(exprs).map((k) => [k, errorOutcome(err)]));
    }
    for (const [k, o] of Object.entries(results)) user_expressions[k] = expressionResult(o);
  }
  return { status: "ok", execution_count: n, user_expressions, payload: (outcome.payload ?? []) as Json[] };
}

function complete(ctx: KernelContext, req: IncomingRequest): Json {
  const code = String(req.content.code ?? "");
  const pos = typeof req.content.cursor_pos === "number" ? req.content.cursor_pos : code.length;
  return { status: "ok", ...ctx.evaluator().complete(code, pos) };
}

function inspect(ctx: KernelContext, req: IncomingRequest): Json {
  const code = String(req.content.code ?? "");
  const pos = typeof req.content.cursor_pos === "number" ? req.content.cursor_pos : code.length;
  const level = typeof req.content.detail_level === "number" ? req.content.detail_level : 0;
  return { status: "ok", ...ctx.evaluator().inspect(code, pos, level) };
}

function isComplete(ctx: KernelContext, req: IncomingRequest): Json {
  return { ...ctx.evaluator().isComplete(String(req.content.code ?? "")) };
}

async function history(ctx: KernelContext, req: IncomingRequest): Promise<Json> {
  const c = req.content;
  const output = c.output === true;
  const num = (v: unknown, d: number) => (typeof v === "number" && Number.isFinite(v) ? v : d);
  let entries: HistoryEntry[];
  switch (c.hist_access_type) {
    case "tail": entries = await ctx.history.tail(num(c.n, 10), output); break;
    case "range": entries = await ctx.history.range(num(c.session, 0), num(c.start, 1), typeof c.stop === "number" ? c.stop : null, output); break;
    case "search": entries = await ctx.history.search(String(c.pattern ?? "*"), typeof c.n === "number" ? c.n : null, c.unique === true, output); break;
    default: return { status: "error", ename: "ValueError", evalue: `history_request: unknown hist_access_type ${JSON.stringify(c.hist_access_type)}`, traceback: [], history: [] };
  }
  return { status: "ok", history: entries };
}

function commInfo(ctx: KernelContext, req: IncomingRequest): Json {
  const target = typeof req.content.target_name === "string" ? req.content.target_name : undefined;
  return { status: "ok", comms: ctx.evaluator().commInfo(target) };
}

function comm(type: "comm_open" | "comm_msg" | "comm_close") {
  return (ctx: KernelContext, req: IncomingRequest) => {
    // Binary frames ride along as content.buffers (runtime/io.ts CommIO).
    ctx.evaluator().commMessage(type, req.buffers?.length ? { ...req.content, buffers: req.buffers } : req.content);
    return undefined;
  };
}

export function makeHandlers(ctx: KernelContext): MainHandlers {
  const table: { [K in MainType]: (ctx: KernelContext, req: IncomingRequest) => ReturnType<Handler> } = {
    kernel_info_request: () => kernelInfoContent(),
    execute_request: execute,
    complete_request: complete,
    inspect_request: inspect,
    is_complete_request: isComplete,
    history_request: history,
    comm_info_request: commInfo,
    comm_open: comm("comm_open"),
    comm_msg: comm("comm_msg"),
    comm_close: comm("comm_close"),
  };
  return Object.fromEntries(Object.entries(table).map(([k, h]) => [k, (req: IncomingRequest) => h(ctx, req)])) as MainHandlers;
}
