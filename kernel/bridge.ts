// kernel/bridge.ts
// Messages between the socket thread (kernel/io/socket_thread.ts) and the main thread, where user code runs.
// The main thread posts outputs and replies as they happen; postMessage does not wait for the
// worker, so a cell that blocks the main thread still gets its output to iopub at once.
// Requests are referred to by the sequence number the socket thread gave them (0 = no parent).
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import type { ConnectionInfo } from "./connection";
import type { Header, Json } from "./wire";

export type RequestChannel = "shell" | "control";

/** Socket thread to main thread. */
export type ToMain =
  | { k: "bound" }
  | { k: "interrupt"; id: number; target?: number }
  | { k: "sigint_ready" }
  | { k: "request"; seq: number; channel: RequestChannel; header: Header; parent_header: Json; metadata: Json; content: Json; buffers?: Uint8Array[] }
  | { k: "shutdown"; restart: boolean }
  | { k: "input_reply"; id: number; value?: string; error?: string }
  | { k: "barrier"; id: number; seq: number }
  | { k: "closed" }
  | { k: "fatal"; message: string }
  | { k: "debug_attached"; on: boolean }
  | { k: "debug_script_ack"; id: number };

/** Main thread to socket thread. */
export type ToWorker =
  | { k: "iopub"; seq: number; type: string; content: Json; metadata?: Json; buffers?: Uint8Array[] }
  | { k: "fast_comm"; commId: string; on: boolean }
  | { k: "fast_done"; id: number }
  | { k: "stream"; seq: number; name: "stdout" | "stderr"; text: string }
  | { k: "start"; seq: number }
  | { k: "reply"; seq: number; type: string; content: Json; metadata?: Json }
  | { k: "done"; seq: number }
  | { k: "input"; seq: number; id: number; prompt: string; password: boolean }
  | { k: "barrier"; id: number }
  | { k: "interrupt_ack"; id: number }
  | { k: "sigint_arm" }
  | { k: "close" }
  | { k: "debug_script"; id: number; url: string; code: string; sourceMap?: string };

export interface WorkerConfig {
  connection: ConnectionInfo;
  /** Shared with the runtime (EvaluatorOptions.interruptBuffer): the socket thread stores 1 at
   * index 0 on interrupt_request, and a cell stops at its next await even when it never yields. */
  interruptBuffer: SharedArrayBuffer;
  /** Fast comms (see FastComms): the socket thread's end of the channel, and the counter it bumps. */
  fastPort?: MessagePort;
  fastPending?: SharedArrayBuffer;
}

/** comm_msg for comms the runtime registered (widget controls a running loop reads) skip the shell
 * queue: the socket thread posts them on `port` as { id, msg_type, content, buffers } and adds 1 to
 * `pending[0]` (with Atomics.notify), so a synchronous loop can see them by reading one integer and
 * take them with receiveMessageOnPort, and an idle main thread gets them as port messages. done(id)
 * once handled: the socket thread then publishes status idle for it. The kernel does not look
 * inside them. */
export interface FastComms {
  port: MessagePort;
  pending: Int32Array;
  register(commId: string): void;
  unregister(commId: string): void;
  done(id: number): void;
}

export interface IncomingRequest { seq: number; channel: RequestChannel; header: Header; parent_header: Json; metadata: Json; content: Json; buffers?: Uint8Array[] }

export class Bridge {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly inputs = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  private readonly barriers = new Map<number, (seq: number) => void>();
  private readonly debugAcks = new Map<number, () => void>();
  private onClosed?: () => void;
  readonly bound: Promise<void>;
  readonly fast: FastComms;

  constructor(
    config: WorkerConfig,
    private readonly handlers: {
      request(r: IncomingRequest): void; shutdown(restart: boolean): void; fatal(message: string): void;
      /** Stop the running cell; `target`: only if it is the request with this sequence number. */
      interrupt(target?: number): void;
      /** The SIGINT watcher is loaded: drop the main thread's own SIGINT listener (it arms next). */
      sigintReady(): void;
      /** The debugger attached (announce cell scripts from now on) or detached. */
      debugAttached?(on: boolean): void;
    },
  ) {
    const channel = new MessageChannel();
    const fastPending = new SharedArrayBuffer(4);
    this.worker = new Worker(require.resolve("./io/socket_thread"), {
      workerData: { ...config, fastPort: channel.port1, fastPending }, transferList: [channel.port1], stdout: false, stderr: false,
    });
    this.fast = {
      port: channel.port2,
      pending: new Int32Array(fastPending),
      register: (commId) => this.post({ k: "fast_comm", commId, on: true }),
      unregister: (commId) => this.post({ k: "fast_comm", commId, on: false }),
      done: (id) => this.post({ k: "fast_done", id }),
    };
    let ready!: () => void;
    this.bound = new Promise((r) => (ready = r));
    this.worker.on("message", (m: ToMain) => {
      switch (m.k) {
        case "bound": return ready();
        case "request": return this.handlers.request(m);
        case "shutdown": return this.handlers.shutdown(m.restart);
        case "sigint_ready": this.handlers.sigintReady(); return this.post({ k: "sigint_arm" });
        case "interrupt": this.handlers.interrupt(m.target); return this.post({ k: "interrupt_ack", id: m.id });
        case "input_reply": return this.settleInput(m);
        case "barrier": { const b = this.barriers.get(m.id); this.barriers.delete(m.id); return b?.(m.seq); }
        case "closed": return this.onClosed?.();
        case "fatal": return this.handlers.fatal(m.message);
        case "debug_attached": return this.handlers.debugAttached?.(m.on);
        case "debug_script_ack": { const a = this.debugAcks.get(m.id); this.debugAcks.delete(m.id); return a?.(); }
      }
    });
    this.worker.on("error", (err) => this.handlers.fatal(`socket thread failed: ${err.stack ?? err}`));
  }

  private post(m: ToWorker): void { this.worker.postMessage(m); }

  stream(seq: number, name: "stdout" | "stderr", text: string): void { if (text) this.post({ k: "stream", seq, name, text }); }
  iopub(seq: number, type: string, content: Json, metadata?: Json, buffers?: Uint8Array[]): void {
    this.post(buffers?.length ? { k: "iopub", seq, type, content, metadata, buffers } : { k: "iopub", seq, type, content, metadata });
  }
  /** The main thread starts serving request `seq`: the socket thread publishes busy (kernel/io/status.ts). */
  start(seq: number): void { this.post({ k: "start", seq }); }
  reply(seq: number, type: string, content: Json, metadata?: Json): void { this.post({ k: "reply", seq, type, content, metadata }); }
  /** Done with request `seq`, reply sent: the socket thread publishes idle. */
  done(seq: number): void { this.post({ k: "done", seq }); }

  /** input_request on stdin to the frontend that sent request `seq`. */
  input(seq: number, prompt: string, password: boolean): Promise<string> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.inputs.set(id, { resolve, reject });
      this.post({ k: "input", seq, id, prompt, password });
    });
  }

  /** Reject every pending input (an interrupt stops a cell waiting at input()). */
  cancelInputs(err: Error): void {
    for (const p of this.inputs.values()) p.reject(err);
    this.inputs.clear();
  }

  private settleInput(m: { id: number; value?: string; error?: string }): void {
    const p = this.inputs.get(m.id);
    if (!p) return;
    this.inputs.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(m.error)); else p.resolve(m.value ?? "");
  }

  /** The sequence number of the newest request the socket thread has received. Every request with a
   * smaller number has been delivered to the main thread before this resolves (one FIFO port). */
  barrier(): Promise<number> {
    const id = this.nextId++;
    return new Promise((resolve) => { this.barriers.set(id, resolve); this.post({ k: "barrier", id }); });
  }

  /** Tells the debugger (socket thread) about a cell script before it runs; resolves once its
   * breakpoints are placed. `wait: false` for cells that ran before the debugger attached. */
  debugScript(script: { url: string; code: string; sourceMap?: string }, wait = true): Promise<void> {
    if (!wait) { this.post({ k: "debug_script", id: 0, ...script }); return Promise.resolve(); }
    const id = this.nextId++;
    return new Promise((resolve) => { this.debugAcks.set(id, resolve); this.post({ k: "debug_script", id, ...script }); });
  }

  /** Send what is queued, close the sockets, stop the thread. */
  async close(timeoutMs = 2000): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.onClosed = () => { clearTimeout(timer); resolve(); };
      this.post({ k: "close" });
    });
    await this.worker.terminate();
  }
}
