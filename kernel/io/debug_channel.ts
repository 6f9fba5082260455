// kernel/io/debug_channel.ts
// The debugger's place on the socket thread: it must answer while user code is paused. Loaded on
// the first debug_request; until attach it opens no inspector session. Its events go to iopub
// parented to the latest debug_request.
import type { ToMain } from "../bridge";
import type { Debugger } from "../debugger/debugger";
import { log } from "../log";
import type { Json } from "../wire";
import { NO_PARENT, type Outbox, type Req } from "./outbox";

export class DebugChannel {
  private debug: Debugger | undefined;
  private parent: Req = NO_PARENT;

  constructor(private readonly outbox: Outbox, private readonly toMain: (m: ToMain) => void,
    /** A SIGINT reached a paused main thread: interrupt as for interrupt_request, without a raise. */
    private readonly interrupt: () => void) {}

  /** The debugger, once a debug_request has loaded it. */
  get loaded(): Debugger | undefined { return this.debug; }

  private instance(): Debugger {
    if (!this.debug) {
      const { Debugger } = require("../debugger/debugger") as typeof import("../debugger/debugger");
      this.debug = new Debugger({
        event: (e) => this.outbox.publish(this.parent, "debug_event", e as unknown as Json),
        attached: (on) => this.toMain({ k: "debug_attached", on }),
        interrupt: () => this.interrupt(),
      });
    }
    return this.debug;
  }

  /** The debug_reply content for a debug_request (a failure as success: false, never thrown). */
  async request(req: Req, content: Json): Promise<Json> {
    this.parent = req;
    try { return await this.instance().request(content) as unknown as Json; } catch (err) {
      log.error("debug_request failed", err);
      return { type: "response", request_seq: content.seq ?? 0, command: content.command ?? "", success: false, message: String((err as Error)?.message ?? err) };
    }
  }

  /** Places a cell's breakpoints before it runs; `ack` once done (at once when not loaded). */
  cellScript(url: string, code: string, sourceMap: string | undefined, ack: () => void): void {
    if (!this.debug) return ack();
    this.debug.cellScript(url, code, sourceMap).catch((err) => log.warn("debugger: cannot place breakpoints", err)).finally(ack);
  }
}
