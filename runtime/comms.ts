// runtime/comms.ts
// Jupyter comms for cells: comms.registerTarget(name, (comm, openMsg) => ...) answers comm_open
// from the frontend; comms.open(target, data) opens one from the kernel side. Each Comm has
// send / close / onMsg / onClose. Messages leave through the CommIO the kernel gives the
// Evaluator (setCommIO) and arrive through Evaluator.commMessage. No wire format here.
import { randomUUID } from "crypto";
import type { CommIO } from "./io";

type Data = Record<string, unknown>;
/** The content of a comm_open / comm_msg / comm_close message. */
export interface CommMessage { comm_id: string; target_name?: string; data: Data; metadata?: Data }

export interface Comm {
  readonly commId: string;
  readonly targetName: string;
  send(data: Data, metadata?: Data): void;
  close(data?: Data): void;
  onMsg(cb: (data: Data, msg: CommMessage) => void): void;
  onClose(cb: (data: Data, msg?: CommMessage) => void): void;
}

export type TargetHandler = (comm: Comm, openMsg: CommMessage) => void;

class CommImpl implements Comm {
  readonly msgHandlers: ((data: Data, msg: CommMessage) => void)[] = [];
  readonly closeHandlers: ((data: Data, msg?: CommMessage) => void)[] = [];
  closed = false;
  constructor(private readonly mgr: CommManager, readonly commId: string, readonly targetName: string) {}
  send(data: Data, metadata: Data = {}): void {
    if (this.closed) throw new Error(`comm ${this.commId} (${this.targetName}) is closed`);
    this.mgr.emit("comm_msg", { comm_id: this.commId, data, metadata });
  }
  close(data: Data = {}): void {
    if (this.closed) return;
    this.mgr.emit("comm_close", { comm_id: this.commId, data });
    this.mgr.closed(this, data);
  }
  onMsg(cb: (data: Data, msg: CommMessage) => void): void { this.msgHandlers.push(cb); }
  onClose(cb: (data: Data, msg?: CommMessage) => void): void { this.closeHandlers.push(cb); }
}

export class CommManager {
  private io: CommIO | undefined;
  private readonly targets = new Map<string, TargetHandler>();
  private readonly open_ = new Map<string, CommImpl>();
  /** Errors thrown by handlers go here (the evaluator prints them to the notebook's stderr). */
  onError: (err: unknown) => void = () => {};

  setIO(io: CommIO | undefined): void { this.io = io; }

  emit(msgType: "comm_open" | "comm_msg" | "comm_close", content: Data): void {
    if (!this.io) throw new Error("comms: this kernel has no frontend connection for comms");
    this.io.send(msgType, content);
  }

  registerTarget(name: string, handler: TargetHandler): void { this.targets.set(name, handler); }
  unregisterTarget(name: string): void { this.targets.delete(name); }

  /** Opens a comm to a frontend target. */
  open(targetName: string, data: Data = {}, metadata: Data = {}): Comm {
    const comm = new CommImpl(this, randomUUID(), targetName);
    this.open_.set(comm.commId, comm);
    this.emit("comm_open", { comm_id: comm.commId, target_name: targetName, data, metadata });
    return comm;
  }

  closed(comm: CommImpl, data: Data, msg?: CommMessage): void {
    comm.closed = true;
    this.open_.delete(comm.commId);
    for (const cb of comm.closeHandlers) this.guard(() => cb(data, msg));
  }

  private guard(fn: () => void): void {
    try { fn(); } catch (err) { this.onError(err); }
  }

  /** A message from the frontend. */
  handle(msgType: "comm_open" | "comm_msg" | "comm_close", content: Data): void {
    const msg = content as unknown as CommMessage;
    const id = String(msg.comm_id);
    const data = (msg.data ?? {}) as Data;
    if (msgType === "comm_open") {
      const target = String(msg.target_name ?? "");
      const handler = this.targets.get(target);
      if (!handler) {
        // ipykernel answers an unknown target with comm_close so the frontend does not wait.
        if (this.io) this.io.send("comm_close", { comm_id: id, data: {} });
        return;
      }
      const comm = new CommImpl(this, id, target);
      this.open_.set(id, comm);
      this.guard(() => handler(comm, msg));
    } else if (msgType === "comm_msg") {
      const comm = this.open_.get(id);
      if (comm) for (const cb of comm.msgHandlers) this.guard(() => cb(data, msg));
    } else {
      const comm = this.open_.get(id);
      if (comm) this.closed(comm, data, msg);
    }
  }

  /** comm_info_reply content: open comms, optionally of one target. */
  info(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const [id, c] of this.open_) if (!targetName || c.targetName === targetName) out[id] = { target_name: c.targetName };
    return out;
  }
}

/** The one manager of this process; cells see it as `comms`. */
export const comms = new CommManager();
