// kernel/io/router.ts
// Routes each shell and control request by the one table (kernel/routes.ts): served here on the
// socket thread, or handed to the main thread (through fast comms, or in the request table). Every
// request is answered inside the one busy/idle bracket (kernel/io/status.ts); a type the table
// does not know gets an error reply when it is a request, and busy/idle only otherwise.
import type { RequestChannel, ToMain } from "../bridge";
import { log } from "../log";
import { replyType, routeOf, type SocketType } from "../routes";
import type { Json, Message } from "../wire";
import type { FastCommForwarder } from "./fast_comms";
import type { Outbox, Req } from "./outbox";
import type { RequestTable } from "./requests";
import type { StatusBracket } from "./status";

/** A request served on the socket thread: returns its reply content. */
export type SocketHandler = (req: Req, msg: Message) => Json | Promise<Json>;
/** One handler for every type ROUTES serves on the socket thread (tsc names a missing one). */
export type SocketHandlers = { readonly [K in SocketType]: SocketHandler };

export class RequestRouter {
  constructor(private readonly handlers: SocketHandlers, private readonly outbox: Outbox, private readonly bracket: StatusBracket,
    private readonly requests: RequestTable, private readonly fast: FastCommForwarder, private readonly toMain: (m: ToMain) => void) {}

  onRequest(channel: RequestChannel, msg: Message): void {
    const type = msg.header.msg_type;
    const req: Req = { identities: msg.identities, header: msg.header, channel };
    const route = routeOf(type);
    if (!route) return this.unknown(req, `unknown msg_type "${type}"`);
    if (route.channel && route.channel !== channel) return this.unknown(req, `${type} is served on ${route.channel} only`);
    const here = route.thread === "socket" && !(route.queuedOnShell && channel === "shell" && this.requests.shellBusy);
    if (here) return this.serve(req, type as SocketType, msg);
    if (this.fast.take(req, msg)) return;
    const seq = this.requests.add(req);
    const buffers = msg.buffers.length > 0 ? { buffers: msg.buffers } : {};
    this.toMain({ k: "request", seq, channel, header: msg.header, parent_header: msg.parent_header, metadata: msg.metadata, content: msg.content, ...buffers });
  }

  private serve(req: Req, type: SocketType, msg: Message): void {
    const reply = replyType(type)!;
    const served = this.bracket.around(req, () => {
      const content = this.handlers[type](req, msg);
      if (!(content instanceof Promise)) return this.outbox.reply(req, reply, content);
      return content.then((c) => this.outbox.reply(req, reply, c));
    });
    served?.catch((err) => log.error(`${req.channel}: ${type} failed`, err));
  }

  /** Not in the table: logged, and inside busy/idle an error reply for a request (the client would
   * otherwise wait for it forever); nothing else for a message that expects none. */
  private unknown(req: Req, why: string): void {
    const type = req.header.msg_type;
    const reply = replyType(type);
    log.warn(`${req.channel}: ${why}; ${reply ? `answered with an error ${reply}` : "ignored"}`);
    this.bracket.around(req, () => {
      if (reply) this.outbox.reply(req, reply, { status: "error", ename: "UnknownMessageType", evalue: `tsgrad: ${why}`, traceback: [] });
    });
  }
}
