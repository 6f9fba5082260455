// kernel/io/stdin.ts
// The stdin channel: input_request to the frontend that sent the running request, and its
// input_reply back to the main thread (kernel/bridge.ts input()).
import type * as zmq from "zeromq";
import type { ToMain } from "../bridge";
import { log } from "../log";
import type { Header, Message } from "../wire";
import type { Outbox, Req } from "./outbox";

export class StdinChannel {
  /** input_request msg_id -> bridge input id */
  private readonly pending = new Map<string, number>();

  constructor(private readonly sock: zmq.Router, private readonly outbox: Outbox, private readonly toMain: (m: ToMain) => void,
    /** Flushes coalesced stream text, so the prompt comes after what the cell printed. */
    private readonly flush: () => void) {}

  /** Ask the frontend of `parent` for a line; the answer goes to the main thread as input `id`. */
  request(parent: Req, id: number, prompt: string, password: boolean): void {
    this.flush();
    const header = this.outbox.header("input_request");
    this.pending.set(header.msg_id, id);
    this.outbox.message(this.sock, { identities: parent.identities, header, parent_header: parent.header, metadata: {}, content: { prompt, password } });
  }

  onMessage(msg: Message): void {
    // jupyter_client's KernelClient.input() sends input_reply with an empty parent_header (ipykernel
    // takes any reply while it waits), so with no parent match, answer the oldest pending request.
    let parentId = (msg.parent_header as Header).msg_id;
    if (!this.pending.has(parentId) && this.pending.size > 0) parentId = this.pending.keys().next().value as string;
    const id = this.pending.get(parentId);
    if (msg.header.msg_type !== "input_reply" || id === undefined) return log.warn(`stdin: dropped unexpected ${msg.header.msg_type}`);
    this.pending.delete(parentId);
    const value = msg.content.value;
    this.toMain(typeof value === "string" ? { k: "input_reply", id, value } : { k: "input_reply", id, error: "input_reply without a string value" });
  }
}
