// kernel/session.ts
// The main thread's request loop: shell requests one at a time in arrival order (control requests
// that reach the main thread run at once), the execution count, and the abort window after an error
// with stop_on_error. Tells the socket thread when it starts and ends each request, which is where
// busy and idle are published (kernel/io/status.ts, the one bracket).
import type { Bridge, IncomingRequest } from "./bridge";
import { log } from "./log";
import { replyType, type MainType } from "./routes";
import type { Json } from "./wire";

export type Handler = (req: IncomingRequest) => Promise<Json | undefined> | Json | undefined;
/** One handler for every type kernel/routes.ts serves on the main thread (tsc names a missing one). */
export type MainHandlers = { readonly [K in MainType]: Handler };

export class Session {
  executionCount = 0;
  /** The request being handled on the shell queue (comm output from the runtime is parented to it). */
  current: number | undefined;
  private readonly queue: IncomingRequest[] = [];
  private running = false;
  private stopped = false;
  /** execute_requests numbered at or below this are answered "aborted" (set after an error). */
  private abortThrough = 0;

  /** `idle` runs when the shell queue has emptied and nothing arrived in the meantime (the
   * kernel gives heap memory back there). */
  constructor(private readonly bridge: Bridge, private readonly handlers: MainHandlers, private readonly idle?: () => void) {}

  enqueue(req: IncomingRequest): void {
    if (this.stopped) return;
    if (req.channel === "control") { void this.dispatch(req); return; }
    this.queue.push(req);
    if (!this.running) void this.pump();
  }

  /** Stop taking requests (shutdown). */
  stop(): void { this.stopped = true; this.queue.length = 0; }

  private async pump(): Promise<void> {
    this.running = true;
    for (let req = this.queue.shift(); req && !this.stopped; req = this.queue.shift()) await this.dispatch(req);
    this.running = false;
    if (this.idle) setImmediate(() => { if (!this.running && !this.stopped) this.idle!(); });
  }

  private async dispatch(req: IncomingRequest): Promise<void> {
    const type = req.header.msg_type;
    if (req.channel === "shell") this.current = req.seq;
    this.bridge.start(req.seq);
    try {
      if (type === "execute_request" && req.seq <= this.abortThrough) {
        // ipykernel's abort reply: just the status.
        this.bridge.reply(req.seq, "execute_reply", { status: "aborted" }, { status: "aborted" });
      } else {
        // The socket thread sends only types routed here (kernel/io/router.ts).
        if (!Object.hasOwn(this.handlers, type)) throw new Error(`no main-thread handler for ${type}`);
        const content = await this.handlers[type as MainType](req);
        const reply = replyType(type);
        if (reply && content) this.bridge.reply(req.seq, reply, content, { status: content.status });
      }
    } catch (err) {
      // Bugs in the kernel go to the kernel log; the loop keeps serving.
      log.error(`${type} failed`, err);
      const reply = replyType(type);
      const e = err as Error;
      if (reply) this.bridge.reply(req.seq, reply, { status: "error", ename: e?.name ?? "Error", evalue: e?.message ?? String(err), traceback: [] });
    } finally {
      if (this.current === req.seq) this.current = undefined;
      this.bridge.done(req.seq);
    }
  }

  /** After an error with stop_on_error: abort every execute_request already received. */
  async abortQueued(): Promise<void> {
    this.abortThrough = await this.bridge.barrier();
  }
}
