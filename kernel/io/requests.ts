// kernel/io/requests.ts
// The requests the socket thread has handed to the main thread, by the sequence number the bridge
// names them with (0: no parent), and the shell queue's order. Output the main thread posts later
// (a timer's print after its cell ended) is parented to the last cell.
import { NO_PARENT, type Req } from "./outbox";

export class RequestTable {
  private readonly bySeq = new Map<number, Req>();
  private seq = 0;
  private lastCell = 0;
  /** Shell requests sent to the main thread and not done yet, oldest (the running one) first. */
  private readonly shellInFlight: number[] = [];

  /** The newest sequence number given out. */
  get newest(): number { return this.seq; }
  /** The shell request the main thread runs now, if any. */
  get running(): number | undefined { return this.shellInFlight[0]; }
  /** Shell requests are queued or running on the main thread. */
  get shellBusy(): boolean { return this.shellInFlight.length > 0; }

  add(req: Req): number {
    const s = ++this.seq;
    this.bySeq.set(s, req);
    if (req.channel === "shell") this.shellInFlight.push(s);
    return s;
  }

  get(seq: number): Req | undefined { return this.bySeq.get(seq); }

  /** The request `seq`, else the last cell (a request that ended), else no parent. */
  parentOf(seq: number): Req { return this.bySeq.get(seq) ?? this.bySeq.get(this.lastCell) ?? NO_PARENT; }

  /** The main thread is done with `seq`. The last execute_request is kept as the parent of late output. */
  done(seq: number): void {
    const req = this.bySeq.get(seq);
    if (req?.channel === "shell") { const i = this.shellInFlight.indexOf(seq); if (i >= 0) this.shellInFlight.splice(i, 1); }
    if (req?.header.msg_type === "execute_request") {
      if (this.lastCell !== seq) this.bySeq.delete(this.lastCell);
      this.lastCell = seq;
    } else this.bySeq.delete(seq);
  }
}
