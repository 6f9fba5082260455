// test/helpers/client.ts
// A real ZeroMQ Jupyter client for the protocol tests: Dealer sockets for shell/control/stdin (one
// identity), a Subscriber on iopub, a Request socket for the heartbeat. Collects every message and
// lets a test wait for the ones it expects, with timeouts that name what never came.
import { randomUUID } from "node:crypto";
import * as zmq from "zeromq";
import { endpoint, type ConnectionInfo } from "../../kernel/connection";
import { decode, DELIMITER, encode, newHeader, Signer, type Header, type Json, type Message } from "../../kernel/wire";

export type ClientChannel = "shell" | "control" | "stdin";

const arrivals = new WeakMap<Message, number>();
/** When the client received a message (performance.now()). */
export const arrivedAt = (m: Message) => arrivals.get(m) ?? NaN;

class Inbox {
  readonly all: Message[] = [];
  private waiters: { pred: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  push(m: Message): void {
    arrivals.set(m, performance.now());
    this.all.push(m);
    this.waiters = this.waiters.filter((w) => (w.pred(m) ? (w.resolve(m), false) : true));
  }
  wait(pred: (m: Message) => boolean, timeoutMs: number, what: string, from = 0): Promise<Message> {
    for (let i = from; i < this.all.length; i++) if (pred(this.all[i])) return Promise.resolve(this.all[i]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const done = (m: Message) => { clearTimeout(timer); resolve(m); };
      this.waiters.push({ pred, resolve: done });
    });
  }
}

export const parentId = (m: Message) => (m.parent_header as Header).msg_id;

export class Client {
  readonly session = randomUUID();
  readonly signer: Signer;
  // reconnectInterval 10 ms (default 100): a kernel that is still starting is reached at once.
  readonly shellSock = new zmq.Dealer({ routingId: this.session, linger: 0, reconnectInterval: 10 });
  readonly controlSock = new zmq.Dealer({ routingId: this.session, linger: 0, reconnectInterval: 10 });
  readonly stdinSock = new zmq.Dealer({ routingId: this.session, linger: 0, reconnectInterval: 10 });
  readonly iopubSock = new zmq.Subscriber({ linger: 0, reconnectInterval: 10 });
  readonly hbSock = new zmq.Request({ linger: 0, receiveTimeout: 1000, reconnectInterval: 10 });
  readonly replies = new Inbox();
  readonly iopub = new Inbox();
  readonly stdin = new Inbox();
  private closed = false;

  constructor(readonly connection: ConnectionInfo) {
    this.signer = new Signer(connection.key);
    this.shellSock.connect(endpoint(connection, "shell"));
    this.controlSock.connect(endpoint(connection, "control"));
    this.stdinSock.connect(endpoint(connection, "stdin"));
    this.iopubSock.connect(endpoint(connection, "iopub"));
    this.iopubSock.subscribe();
    this.hbSock.connect(endpoint(connection, "hb"));
    void this.listen(this.shellSock, this.replies);
    void this.listen(this.controlSock, this.replies);
    void this.listen(this.stdinSock, this.stdin);
    void this.listen(this.iopubSock, this.iopub);
  }

  private async listen(sock: zmq.Dealer | zmq.Subscriber, inbox: Inbox): Promise<void> {
    try {
      for await (const frames of sock) inbox.push(decode(frames, this.signer));
    } catch (err) { if (!this.closed) throw err; }
  }

  private sock(channel: ClientChannel): zmq.Dealer {
    return channel === "shell" ? this.shellSock : channel === "control" ? this.controlSock : this.stdinSock;
  }

  /** Send a request; returns its header. `signature` lets a test forge or drop the HMAC. */
  async send(channel: ClientChannel, type: string, content: Json = {}, opts: { signature?: string; parent?: Header; buffers?: Buffer[] } = {}): Promise<Header> {
    const header = newHeader(type, this.session, "test");
    const frames = encode({ identities: [], header, parent_header: opts.parent ?? {}, metadata: {}, content, buffers: opts.buffers }, this.signer);
    if (opts.signature !== undefined) frames[1] = Buffer.from(opts.signature);
    await this.sock(channel).send(frames);
    return header;
  }

  async sendRaw(channel: ClientChannel, frames: (Buffer | string)[]): Promise<void> {
    await this.sock(channel).send(frames);
  }

  reply(req: Header, timeoutMs = 10_000): Promise<Message> {
    return this.replies.wait((m) => parentId(m) === req.msg_id, timeoutMs, `the reply to ${req.msg_type}`);
  }

  /** Every iopub message whose parent is req, up to and including status idle. */
  async iopubUntilIdle(req: Header, timeoutMs = 10_000): Promise<Message[]> {
    await this.iopub.wait((m) => parentId(m) === req.msg_id && m.header.msg_type === "status" && m.content.execution_state === "idle",
      timeoutMs, `status idle for ${req.msg_type}`);
    return this.iopub.all.filter((m) => parentId(m) === req.msg_id);
  }

  async request(channel: ClientChannel, type: string, content: Json = {}, timeoutMs = 10_000): Promise<{ req: Header; reply: Message; iopub: Message[] }> {
    const req = await this.send(channel, type, content);
    const reply = await this.reply(req, timeoutMs);
    return { req, reply, iopub: await this.iopubUntilIdle(req, timeoutMs) };
  }

  execute(code: string, extra: Json = {}, timeoutMs = 20_000) {
    return this.request("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra }, timeoutMs);
  }

  /** Round trip on the heartbeat; returns the milliseconds it took. */
  async heartbeat(): Promise<number> {
    const t0 = performance.now();
    await this.hbSock.send("ping");
    const [echo] = await this.hbSock.receive();
    if (echo.toString() !== "ping") throw new Error(`heartbeat echoed ${echo.toString()}`);
    return performance.now() - t0;
  }

  /** Repeat kernel_info until one is answered and its iopub status arrives (the SUB has joined). */
  async ready(timeoutMs = 15_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const req = await this.send("shell", "kernel_info_request");
      try {
        const reply = await this.reply(req, 500);
        await this.iopubUntilIdle(req, 500);
        return reply;
      } catch (err) { if (Date.now() > deadline) throw err; }
    }
  }

  close(): void {
    this.closed = true;
    for (const s of [this.shellSock, this.controlSock, this.stdinSock, this.iopubSock, this.hbSock]) s.close();
  }
}

export { DELIMITER };
