// kernel/io/socket_thread.ts
// The socket thread (a worker_thread): shell/control/stdin ROUTER, iopub PUB, heartbeat REP. It keeps
// answering while a cell blocks the main thread. This file binds the sockets, reads them, and wires
// the parts, one job each: outbox.ts (ordered output), streams.ts (coalescing), status.ts (busy/idle),
// router.ts (requests by kernel/routes.ts), requests.ts, fast_comms.ts, interrupt.ts, sigint.ts,
// shutdown.ts, stdin.ts, debug_channel.ts, parent_watch.ts. Verifies signatures and drops bad input
// (logged, never executed). What main-thread requests mean is left to kernel/handlers.ts.
import { randomUUID } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import * as zmq from "zeromq";
import type { RequestChannel, ToMain, ToWorker, WorkerConfig } from "../bridge";
import { endpoint, isIpv6, type Channel } from "../connection";
import { log } from "../log";
import { kernelInfoContent } from "../messages";
import { decode, Signer, type Message } from "../wire";
import { DebugChannel } from "./debug_channel";
import { FastCommForwarder } from "./fast_comms";
import { Interrupter } from "./interrupt";
import { NO_PARENT, Outbox, type Sock } from "./outbox";
import { watchParent } from "./parent_watch";
import { RequestTable } from "./requests";
import { RequestRouter, type SocketHandlers } from "./router";
import { watchSigint, type SigintWatcher } from "./sigint";
import { Shutdown } from "./shutdown";
import { StatusBracket } from "./status";
import { StdinChannel } from "./stdin";
import { StreamCoalescer } from "./streams";

const port = parentPort!;
const { connection, interruptBuffer, fastPort, fastPending } = workerData as WorkerConfig;
const toMain = (m: ToMain) => port.postMessage(m);
const signer = new Signer(connection.key);

const shell = new zmq.Router(), control = new zmq.Router(), stdin = new zmq.Router();
const iopub = new zmq.Publisher({ sendHighWaterMark: 100_000 }), hb = new zmq.Reply();

const outbox = new Outbox(signer, randomUUID(), iopub, (channel) => (channel === "shell" ? shell : control));
const requests = new RequestTable();
const streams = new StreamCoalescer(outbox, (seq) => requests.parentOf(seq));
outbox.beforePublish = () => streams.flush();
const bracket = new StatusBracket(outbox);
const debug = new DebugChannel(outbox, toMain, () => interrupter.interrupt(false));
const interrupter = new Interrupter(new Int32Array(interruptBuffer, 0, 1), toMain, () => requests.running,
  (target) => debug.loaded?.interrupt(target) ?? false);
const shutdown = new Shutdown(toMain, () => requests.shellBusy, () => interrupter.raise(), () => debug.loaded?.shutdown());
const stdinChannel = new StdinChannel(stdin, outbox, toMain, () => streams.flush());
const fast = new FastCommForwarder(fastPort, fastPending, bracket, () => {
  const running = requests.running;
  return running === undefined ? undefined : requests.parentOf(running);
});

/** The requests ROUTES serves on this thread. */
const handlers: SocketHandlers = {
  kernel_info_request: () => kernelInfoContent(),
  interrupt_request: () => { interrupter.interrupt(true); return { status: "ok" }; },
  shutdown_request: (_req, msg) => {
    const restart = msg.content.restart === true;
    // After the reply and idle (all queued in this turn), so they go out before the sockets close.
    queueMicrotask(() => shutdown.start(restart));
    return { status: "ok", restart };
  },
  debug_request: (req, msg) => debug.request(req, msg.content),
};
const router = new RequestRouter(handlers, outbox, bracket, requests, fast, toMain);

port.on("message", (m: ToWorker) => {
  // A message this thread cannot send (say, content JSON.stringify rejects) is logged and dropped:
  // an exception here would end the socket thread and with it the kernel.
  try { fromMain(m); } catch (err) { log.error(`cannot send ${m.k}${"type" in m ? ` ${m.type}` : ""}`, err); }
});

let sigint: SigintWatcher | undefined;
let closing = false;

function fromMain(m: ToWorker): void {
  switch (m.k) {
    case "stream": return streams.add(m.seq, m.name, m.text);
    case "iopub": return outbox.publish(requests.parentOf(m.seq), m.type, m.content, m.metadata, m.buffers);
    case "fast_comm": return fast.set(m.commId, m.on);
    case "fast_done": return fast.done(m.id);
    case "start": { const req = requests.get(m.seq); if (req) bracket.open(req); return; }
    case "reply": {
      streams.flush();
      const req = requests.get(m.seq);
      if (!req) return log.warn(`reply ${m.type} for an unknown request`);
      return outbox.reply(req, m.type, m.content, m.metadata);
    }
    case "done": {
      const req = requests.get(m.seq);
      if (req) bracket.close(req);
      debug.loaded?.done(m.seq);
      return requests.done(m.seq);
    }
    case "input": return stdinChannel.request(requests.parentOf(m.seq), m.id, m.prompt, m.password);
    case "barrier": return toMain({ k: "barrier", id: m.id, seq: requests.newest });
    case "interrupt_ack": return interrupter.acknowledged(m.id);
    case "sigint_arm": return sigint?.arm();
    case "close": return void close();
    case "debug_script": return debug.cellScript(m.url, m.code, m.sourceMap, () => { if (m.id) toMain({ k: "debug_script_ack", id: m.id }); });
  }
}

async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  streams.flush();
  await outbox.drained();
  for (const s of [shell, control, stdin, iopub, hb]) { s.linger = 200; s.close(); }
  toMain({ k: "closed" });
}

async function serve(sock: zmq.Router, channel: Channel): Promise<void> {
  for await (const frames of sock) {
    let msg: Message;
    try { msg = decode(frames, signer); } catch (err) {
      log.warn(`${channel}: dropped message: ${(err as Error).message}`);
      continue;
    }
    try {
      if (channel === "stdin") stdinChannel.onMessage(msg); else router.onRequest(channel as RequestChannel, msg);
    } catch (err) { log.error(`${channel}: ${msg.header.msg_type} failed`, err); }
  }
}

async function heartbeat(): Promise<void> {
  for await (const frames of hb) await hb.send(frames);
}

async function main(): Promise<void> {
  const socks: [Channel, Sock][] = [["shell", shell], ["control", control], ["stdin", stdin], ["iopub", iopub], ["hb", hb]];
  for (const [ch, s] of socks) {
    if (isIpv6(connection)) s.ipv6 = true;
    await s.bind(endpoint(connection, ch));
  }
  log.info(`listening on ${connection.transport}://${connection.ip} (shell ${connection.shell_port}, iopub ${connection.iopub_port})`);
  outbox.publish(NO_PARENT, "status", { execution_state: "starting" });
  toMain({ k: "bound" });
  sigint = watchSigint({
    ready: () => toMain({ k: "sigint_ready" }),
    signal: () => { if (!shutdown.requested && !interrupter.isOwnSignal()) interrupter.interrupt(false); },
  });
  watchParent(() => shutdown.start(false));
  for (const p of [serve(shell, "shell"), serve(control, "control"), serve(stdin, "stdin"), heartbeat()]) {
    p.catch((err) => { if (!closing) log.error("socket loop stopped", err); });
  }
}

main().catch((err) => toMain({ k: "fatal", message: `cannot bind sockets: ${(err as Error).message}` }));
