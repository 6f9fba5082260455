// test/kernel/routes.test.ts
// The one routing table (kernel/routes.ts): which thread serves each msg_type, that both threads'
// handler tables cover it exactly (checked by tsc through the @ts-expect-error lines below, and
// at run time), and what the socket thread's router does with each kind of request, driven with
// fakes in place of sockets and the main thread. The wire-level behaviour is in protocol.test.ts.
import assert from "node:assert/strict";
import type { IncomingRequest, ToMain } from "../../kernel/bridge";
import { makeHandlers, type KernelContext } from "../../kernel/handlers";
import { FastCommForwarder } from "../../kernel/io/fast_comms";
import type { Outbox, Req } from "../../kernel/io/outbox";
import { RequestTable } from "../../kernel/io/requests";
import { RequestRouter, type SocketHandlers } from "../../kernel/io/router";
import { StatusBracket } from "../../kernel/io/status";
import { ROUTES, replyType, routeOf, type MainType, type MsgType } from "../../kernel/routes";
import { Session, type Handler, type MainHandlers } from "../../kernel/session";
import type { Header, Json, Message } from "../../kernel/wire";

const ok: Handler = () => ({ status: "ok" });
const serve = () => ({ status: "ok" });

// tsc (npm run build) checks these: a table that misses a routed type, or serves one the table
// does not route, does not compile.
// @ts-expect-error execute_request is routed to the main thread and has no handler here
const missingMain: MainHandlers = { kernel_info_request: ok, complete_request: ok, inspect_request: ok, is_complete_request: ok,
  history_request: ok, comm_info_request: ok, comm_open: ok, comm_msg: ok, comm_close: ok };
// @ts-expect-error debug_request is routed to the socket thread and has no handler here
const missingSocket: SocketHandlers = { kernel_info_request: serve, interrupt_request: serve, shutdown_request: serve };
/** A stand-in handler for every type routed to the socket thread. */
const socketStandIns = Object.fromEntries((Object.keys(ROUTES) as MsgType[]).filter((t) => ROUTES[t].thread === "socket").map((t) => [t, serve])) as unknown as SocketHandlers;
const extraSocket: SocketHandlers = { ...socketStandIns,
  // @ts-expect-error frobnicate_request has no route
  frobnicate_request: serve };
void [missingMain, missingSocket, extraSocket];

function message(type: string, content: Json = {}): Message {
  const header = { msg_id: `id-${type}`, msg_type: type, session: "s", username: "u", date: "", version: "5.3" } as Header;
  return { identities: [], header, parent_header: {}, metadata: {}, content, buffers: [] };
}

/** A router over fakes: what it publishes, replies and hands to the main thread, in order. */
function harness() {
  const sent: string[] = [];
  const outbox = {
    publish: (_req: Req, type: string, content: Json) => sent.push(`${type} ${String(content.execution_state)}`),
    reply: (_req: Req, type: string, content: Json) => sent.push(`${type} ${String(content.status)}${content.ename ? ` ${String(content.ename)}` : ""}`),
  } as unknown as Outbox;
  const requests = new RequestTable();
  const bracket = new StatusBracket(outbox);
  const toMain = (m: ToMain) => { if (m.k === "request") sent.push(`main ${m.header.msg_type}`); };
  const router = new RequestRouter(socketStandIns, outbox, bracket, requests, new FastCommForwarder(undefined, undefined, bracket, () => undefined), toMain);
  return { sent, requests, router };
}

describe("kernel routes", () => {
  it("every msg_type is served on one thread, and requests have a reply type", () => {
    for (const [type, route] of Object.entries(ROUTES)) {
      assert.ok(route.thread === "socket" || route.thread === "main", type);
      assert.equal(replyType(type) !== undefined, type.endsWith("_request"), type);
    }
    assert.equal(routeOf("frobnicate_request"), undefined);
    assert.equal(routeOf("toString"), undefined, "inherited names are not routes");
  });

  it("the main thread's handler table covers exactly the types routed to it", () => {
    const handlers = makeHandlers({} as KernelContext);
    const routed = (Object.keys(ROUTES) as MsgType[]).filter((t) => ROUTES[t].thread === "main" || "queuedOnShell" in ROUTES[t]);
    assert.deepEqual(Object.keys(handlers).sort(), routed.sort());
    const typed: MainType[] = routed as MainType[];
    assert.ok(typed.includes("execute_request") && typed.includes("kernel_info_request"));
  });

  it("socket-thread requests: busy, reply, idle on this thread", () => {
    const { sent, router } = harness();
    router.onRequest("control", message("interrupt_request"));
    router.onRequest("control", message("kernel_info_request"));
    router.onRequest("shell", message("shutdown_request"));
    assert.deepEqual(sent, [
      "status busy", "interrupt_reply ok", "status idle",
      "status busy", "kernel_info_reply ok", "status idle",
      "status busy", "shutdown_reply ok", "status idle",
    ]);
  });

  it("main-thread requests go to the main thread without status (it opens the bracket when it starts them)", () => {
    const { sent, router, requests } = harness();
    router.onRequest("shell", message("execute_request", { code: "1" }));
    router.onRequest("shell", message("comm_msg", { comm_id: "c" }));
    router.onRequest("control", message("complete_request"));
    assert.deepEqual(sent, ["main execute_request", "main comm_msg", "main complete_request"]);
    assert.equal(requests.running, 1);
  });

  it("kernel_info on shell is answered here while the shell queue is empty, else it waits its turn on the main thread", () => {
    const { sent, router } = harness();
    router.onRequest("shell", message("kernel_info_request"));
    router.onRequest("shell", message("execute_request"));
    router.onRequest("shell", message("kernel_info_request"));
    router.onRequest("control", message("kernel_info_request"));
    assert.deepEqual(sent, [
      "status busy", "kernel_info_reply ok", "status idle",
      "main execute_request", "main kernel_info_request",
      "status busy", "kernel_info_reply ok", "status idle",
    ]);
  });

  it("an unknown request gets an error reply inside busy/idle; an unknown non-request gets busy/idle only", () => {
    const { sent, router } = harness();
    router.onRequest("shell", message("frobnicate_request"));
    router.onRequest("shell", message("frobnicate"));
    assert.deepEqual(sent, [
      "status busy", "frobnicate_reply error UnknownMessageType", "status idle",
      "status busy", "status idle",
    ]);
  });

  it("a control-only request on shell gets an error reply, not a silent drop", () => {
    const { sent, router } = harness();
    router.onRequest("shell", message("interrupt_request"));
    assert.deepEqual(sent, ["status busy", "interrupt_reply error UnknownMessageType", "status idle"]);
  });

  it("a main-thread request the main thread has no handler for is answered with an error", async () => {
    const posted: string[] = [];
    const bridge = {
      start: () => posted.push("start"), done: () => posted.push("done"),
      reply: (_seq: number, type: string, content: Json) => posted.push(`${type} ${String(content.status)}`),
    };
    const session = new Session(bridge as never, {} as MainHandlers);
    session.enqueue({ seq: 1, channel: "shell", header: { msg_type: "history_request" } as Header, parent_header: {}, metadata: {}, content: {} } as IncomingRequest);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(posted, ["start", "history_reply error", "done"]);
  });
});
