// kernel/io/outbox.ts
// The socket thread's one ordered output queue: iopub output, then the reply, then idle, exactly in
// the order they were produced (the spec's "execute_reply after the last output"), on every
// socket. Signs with the kernel's session. Knows nothing about what the messages mean.
import type * as zmq from "zeromq";
import type { RequestChannel } from "../bridge";
import { log } from "../log";
import { encode, newHeader, type Header, type Json, type Message, type Signer } from "../wire";

type Outgoing = Omit<Message, "buffers"> & { buffers?: Buffer[] };

export type Sock = zmq.Router | zmq.Publisher | zmq.Reply;
/** A request as the socket thread keeps it: who sent it, on which channel. */
export interface Req { identities: Buffer[]; header: Header; channel: RequestChannel }
/** The parent of output that belongs to no request (status "starting"). */
export const NO_PARENT: Req = { identities: [], header: {} as Header, channel: "shell" };

export class Outbox {
  private readonly queue: [Sock, Buffer[]][] = [];
  private pumping: Promise<void> | undefined;
  /** Runs before anything goes to iopub (kernel/io/streams.ts flushes coalesced text first). */
  beforePublish: () => void = () => {};

  constructor(private readonly signer: Signer, private readonly session: string,
    private readonly iopub: zmq.Publisher, private readonly replySocket: (channel: RequestChannel) => zmq.Router) {}

  /** Queue frames for a socket; they go out after everything queued before them. */
  out(sock: Sock, frames: Buffer[]): void {
    this.queue.push([sock, frames]);
    this.pumping ??= this.pump();
  }

  /** Everything queued so far has been handed to ZeroMQ. */
  async drained(): Promise<void> { await this.pumping; }

  private async pump(): Promise<void> {
    const q = this.queue;
    for (let i = 0; i < q.length; i++) {
      const [sock, frames] = q[i];
      try { await sock.send(frames); } catch (err) { log.warn("send failed", err); }
      if (i > 1024) { q.splice(0, i + 1); i = -1; }
    }
    q.length = 0;
    this.pumping = undefined;
  }

  header(type: string): Header { return newHeader(type, this.session); }

  /** Sign and queue a whole message for a socket. */
  message(sock: Sock, msg: Outgoing): void { this.out(sock, encode(msg, this.signer)); }

  send(sock: Sock, parent: Req, type: string, content: Json, metadata: Json = {}, identities?: Buffer[], buffers?: Uint8Array[]): void {
    this.message(sock, { identities: identities ?? [], header: this.header(type), parent_header: parent.header, metadata, content,
      buffers: buffers?.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)) });
  }

  /** A reply to `req`, on the channel it came in on. */
  reply(req: Req, type: string, content: Json, metadata: Json = {}): void {
    this.send(this.replySocket(req.channel), req, type, content, metadata, req.identities);
  }

  /** An iopub message (topic: its type, or stream.<name>). */
  publish(parent: Req, type: string, content: Json, metadata?: Json, buffers?: Uint8Array[]): void {
    this.beforePublish();
    this.sendIopub(parent, type, content, metadata, buffers);
  }

  /** An iopub message without flushing streams first (the stream coalescer's own). */
  sendIopub(parent: Req, type: string, content: Json, metadata?: Json, buffers?: Uint8Array[]): void {
    const topic = type === "stream" ? `stream.${content.name}` : type;
    this.send(this.iopub, parent, type, content, metadata, [Buffer.from(topic)], buffers);
  }
}
