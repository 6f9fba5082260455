// runtime/comms.ts
// Jupyter comms for cells: comms.registerTarget(name, (comm, openMsg) => ...) answers comm_open
// from the frontend; comms.open(target, data) opens one from the kernel side. Each Comm has
// send / close / onMsg / onClose. Messages leave through the CommIO the kernel gives the
// Evaluator (setCommIO) and arrive through Evaluator.commMessage. No wire format here.
// Binary buffers travel both ways (send's third argument; msg.buffers on arrival).
// Fast comms: comm.fast() asks the kernel to deliver this comm's messages past the shell queue, so a
// running cell sees them: pollComms() (one Atomics.load when nothing came) handles what arrived, and
// waitComms(ms) sleeps until something does (a paused synchronous loop). Widgets use it for controls.
import { randomUUID } from "crypto";
import { receiveMessageOnPort } from "worker_threads";
import { cellStorage, currentCell } from "./cell_context";
import type { CommIO } from "./io";

type Data = Record<string, unknown>;
/** The content of a comm_open / comm_msg / comm_close message, with its binary buffers. */
export interface CommMessage { comm_id: string; target_name?: string; data: Data; metadata?: Data; buffers?: Uint8Array[] }
type FastIO = NonNullable<CommIO["fast"]>;
/** What the kernel's socket thread posts for a fast comm message. */
interface FastMessage { id: number; msg_type: "comm_msg"; content: Data; buffers?: Uint8Array[] }

export interface Comm {
  readonly commId: string;
  readonly targetName: string;
  send(data: Data, metadata?: Data, buffers?: Uint8Array[]): void;
  close(data?: Data): void;
  /** Deliver this comm's messages while a cell runs (see pollComms). False outside a kernel. */
  fast(): boolean;
  onMsg(cb: (data: Data, msg: CommMessage) => void): void;
  onClose(cb: (data: Data, msg?: CommMessage) => void): void;
}

export type TargetHandler = (comm: Comm, openMsg: CommMessage) => void;

class CommImpl implements Comm {
  readonly msgHandlers: ((data: Data, msg: CommMessage) => void)[] = [];
  readonly closeHandlers: ((data: Data, msg?: CommMessage) => void)[] = [];
  closed = false;
  constructor(private readonly mgr: CommManager, readonly commId: string, readonly targetName: string) {}
  send(data: Data, metadata: Data = {}, buffers?: Uint8Array[]): void {
    if (this.closed) throw new Error(`comm ${this.commId} (${this.targetName}) is closed`);
    this.mgr.emit("comm_msg", { comm_id: this.commId, data }, buffers, metadata);
  }
  close(data: Data = {}): void {
    if (this.closed) return;
    this.mgr.emit("comm_close", { comm_id: this.commId, data });
    this.mgr.closed(this, data);
  }
  fast(): boolean { return this.mgr.makeFast(this.commId); }
  onMsg(cb: (data: Data, msg: CommMessage) => void): void { this.msgHandlers.push(cb); }
  onClose(cb: (data: Data, msg?: CommMessage) => void): void { this.closeHandlers.push(cb); }
}

export class CommManager {
  private io: CommIO | undefined;
  private readonly targets = new Map<string, TargetHandler>();
  private readonly open_ = new Map<string, CommImpl>();
  /** Errors thrown by handlers go here (the evaluator prints them to the notebook's stderr). */
  onError: (err: unknown) => void = () => {};

  private fastIO: FastIO | undefined;
  private fastSeen = 0;
  private readonly fastIds = new Set<string>();

  setIO(io: CommIO | undefined): void {
    this.io = io;
    this.fastIO = io?.fast;
    if (this.fastIO) {
      // When the main thread is free, fast messages arrive as events; a busy loop takes them with
      // pollComms() instead (receiveMessageOnPort takes a message before its event fires).
      this.fastIO.port.on("message", (m: FastMessage) => this.handleFast(m));
      this.fastIO.port.unref();
    }
  }

  /** Whether a frontend connection exists (a kernel); false in a Node script or a test. */
  get connected(): boolean { return this.io !== undefined; }

  /** `metadata` is the message's own (the spec puts comm metadata there, not in content: the
   * widget manager reads the protocol version from it). */
  emit(msgType: "comm_open" | "comm_msg" | "comm_close", content: Data, buffers?: Uint8Array[], metadata?: Data): void {
    if (!this.io) throw new Error("comms: this kernel has no frontend connection for comms");
    this.io.send(msgType, content, buffers, metadata);
  }

  makeFast(commId: string): boolean {
    if (!this.fastIO) return false;
    if (!this.fastIds.has(commId)) { this.fastIds.add(commId); this.fastIO.register(commId); }
    return true;
  }

  private handleFast(m: FastMessage): void {
    try { this.handle("comm_msg", m.buffers?.length ? { ...m.content, buffers: m.buffers } : m.content); } finally { this.fastIO?.done(m.id); }
  }

  /** Handle fast-comm messages that arrived while this thread was busy. Cheap when none did (one
   * atomic load), so a training loop may call it every step. Returns how many were handled. */
  poll(): number {
    const io = this.fastIO;
    if (!io) return 0;
    const now = Atomics.load(io.pending, 0);
    if (now === this.fastSeen) return 0;
    this.fastSeen = now;
    let n = 0;
    for (let r = receiveMessageOnPort(io.port); r; r = receiveMessageOnPort(io.port)) {
      n++;
      this.handleFast(r.message as FastMessage);
    }
    return n;
  }

  /** Block this thread until a fast-comm message arrives or `ms` pass, then poll(). Without a
   * kernel it just returns 0 (nothing can arrive). */
  wait(ms: number): number {
    const io = this.fastIO;
    if (!io) return 0;
    if (Atomics.load(io.pending, 0) === this.fastSeen) Atomics.wait(io.pending, 0, this.fastSeen, ms);
    return this.poll();
  }

  registerTarget(name: string, handler: TargetHandler): void { this.targets.set(name, handler); }
  unregisterTarget(name: string): void { this.targets.delete(name); }

  /** Opens a comm to a frontend target. */
  open(targetName: string, data: Data = {}, metadata: Data = {}, buffers?: Uint8Array[]): Comm {
    const comm = new CommImpl(this, randomUUID(), targetName);
    this.open_.set(comm.commId, comm);
    this.emit("comm_open", { comm_id: comm.commId, target_name: targetName, data }, buffers, metadata);
    return comm;
  }

  closed(comm: CommImpl, data: Data, msg?: CommMessage): void {
    comm.closed = true;
    this.open_.delete(comm.commId);
    if (this.fastIds.delete(comm.commId)) this.fastIO?.unregister(comm.commId);
    for (const cb of comm.closeHandlers) this.guard(() => cb(data, msg));
  }

  private guard(fn: () => void): void {
    // Handlers run as part of the latest cell, so what they print or display (and the errors they
    // throw) reach that cell's output rather than the kernel's log.
    const cell = currentCell();
    try { if (cell && cellStorage.getStore() !== cell) cellStorage.run(cell, fn); else fn(); } catch (err) { this.onError(err); }
  }

  /** A message from the frontend. */
  handle(msgType: "comm_open" | "comm_msg" | "comm_close", content: Data): void {
    const msg = content as unknown as CommMessage;
    if (typeof msg !== "object" || msg === null || typeof msg.comm_id !== "string") {
      this.onError(new TypeError(`comms: ${msgType} without a comm_id: ${JSON.stringify(content)?.slice(0, 200)}`));
      return;
    }
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

/** Handle control messages (fast comms) that arrived while a cell keeps this thread busy. */
export function pollComms(): number { return comms.poll(); }
/** Sleep until a fast-comm message arrives (at most `ms`), then handle it. */
export function waitComms(ms: number): number { return comms.wait(ms); }
