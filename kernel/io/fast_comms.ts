// kernel/io/fast_comms.ts
// The socket thread's end of fast comms (kernel/bridge.ts FastComms): comm_msg for a comm the
// runtime registered skips the shell queue, so a running cell sees it. Status idle follows when the
// runtime has handled it (fast_done): the widget manager sends a model's next update only after
// that, which coalesces a slider's drag as ipykernel's queue does.
import type { MessagePort } from "node:worker_threads";
import type { Message } from "../wire";
import type { Req } from "./outbox";
import type { StatusBracket } from "./status";

export class FastCommForwarder {
  /** Comm ids whose comm_msg go to the runtime's fast port. */
  private readonly comms = new Set<string>();
  /** Fast messages the runtime has not handled yet. */
  private readonly inFlight = new Map<number, Req>();
  private seq = 0;
  private readonly pending: Int32Array | undefined;

  constructor(private readonly port: MessagePort | undefined, pending: SharedArrayBuffer | undefined,
    private readonly bracket: StatusBracket,
    /** The shell request running on the main thread, if any. */
    private readonly running: () => Req | undefined) {
    this.pending = pending ? new Int32Array(pending, 0, 1) : undefined;
  }

  set(commId: string, on: boolean): void {
    if (on) this.comms.add(commId); else this.comms.delete(commId);
  }

  /** Takes a comm_msg for a fast comm past the shell queue; false for anything else. */
  take(req: Req, msg: Message): boolean {
    const type = msg.header.msg_type;
    if (type !== "comm_msg" || !this.port || !this.pending || !this.comms.has(String(msg.content.comm_id))) return false;
    const id = ++this.seq;
    this.inFlight.set(id, req);
    this.bracket.open(req);
    this.port.postMessage({ id, msg_type: type, content: msg.content, buffers: msg.buffers });
    Atomics.add(this.pending, 0, 1);
    Atomics.notify(this.pending, 0);
    return true;
  }

  /** The runtime has handled fast message `id`. */
  done(id: number): void {
    const req = this.inFlight.get(id);
    if (!req) return;
    this.inFlight.delete(id);
    this.bracket.close(req);
    // A cell still runs (it handled this at a step boundary): the kernel is busy with it.
    const cell = this.running();
    if (cell) this.bracket.open(cell);
  }
}
