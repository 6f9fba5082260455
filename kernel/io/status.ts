// kernel/io/status.ts
// The kernel's one busy/idle bracket: status busy before a request is served, idle after its reply
// (and after all its output), whichever thread serves it and however its handler ends. The only
// code that publishes execution_state for requests; kernel/io/router.ts and the main thread's
// start/done messages (kernel/session.ts) open and close it.
import type { Outbox, Req } from "./outbox";

export class StatusBracket {
  constructor(private readonly outbox: Outbox) {}

  open(req: Req): void { this.outbox.publish(req, "status", { execution_state: "busy" }); }
  close(req: Req): void { this.outbox.publish(req, "status", { execution_state: "idle" }); }

  /** busy, what `serve` sends, idle; idle in the same turn when serve is synchronous (so nothing
   * can come between), and also when it throws. */
  around(req: Req, serve: () => void | Promise<void>): void | Promise<void> {
    this.open(req);
    let pending: void | Promise<void>;
    try { pending = serve(); } catch (err) { this.close(req); throw err; }
    if (!(pending instanceof Promise)) return this.close(req);
    return pending.finally(() => this.close(req));
  }
}
