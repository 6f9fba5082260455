// kernel/sockets.ts
// The socket thread (a worker_thread): shell/control/stdin ROUTER, iopub PUB, heartbeat REP. It keeps
// answering while a cell blocks the main thread: heartbeat, kernel_info, interrupt and shutdown are
// served here; output posted by the main thread goes to iopub at once, streams coalesced.
// Verifies signatures and drops bad input (logged, never executed). What requests mean is left to
// kernel/handlers.ts on the main thread.
import { randomUUID } from "node:crypto";
import { parentPort, Worker, workerData } from "node:worker_threads";
import * as zmq from "zeromq";
import type { Channel } from "./connection";
import { endpoint, isIpv6 } from "./connection";
import type { RequestChannel, ToMain, ToWorker, WorkerConfig } from "./bridge";
import { log } from "./log";
import type { Debugger } from "./debugger/debugger";
import { MAIN_REQUESTS, kernelInfoContent, replyType } from "./messages";
import { decode, encode, newHeader, Signer, type Header, type Json, type Message } from "./wire";

const FLUSH_MS = 50;            // coalesce stream text for at most this long...
const FLUSH_BYTES = 64 * 1024;  // ...or this much
const port = parentPort!;
const { connection, interruptBuffer, fastPort, fastPending } = workerData as WorkerConfig;
const interruptFlag = new Int32Array(interruptBuffer, 0, 1);
const fastFlag = fastPending ? new Int32Array(fastPending, 0, 1) : undefined;
/** Comm ids whose comm_msg go to the runtime's fast port (kernel/bridge.ts FastComms), and the
 * fast messages the runtime has not handled yet. */
const fastComms = new Set<string>();
const fastReqs = new Map<number, Req>();
let fastSeq = 0;
const signer = new Signer(connection.key);
const session = randomUUID();

type Sock = zmq.Router | zmq.Publisher | zmq.Reply;
const shell = new zmq.Router(), control = new zmq.Router(), stdin = new zmq.Router();
const iopub = new zmq.Publisher({ sendHighWaterMark: 100_000 }), hb = new zmq.Reply();

interface Req { identities: Buffer[]; header: Header; channel: RequestChannel }
const requests = new Map<number, Req>();
let seq = 0, lastCell = 0, closing = false;
/** Shell requests sent to the main thread and not done yet, oldest (the running one) first. */
const shellInFlight: number[] = [];
const NO_PARENT: Req = { identities: [], header: {} as Header, channel: "shell" };

const toMain = (m: ToMain) => port.postMessage(m);

// One ordered output queue for every socket: iopub output, then the reply, then idle, exactly in the
// order the main thread produced them (the spec's "execute_reply after the last output").
const outq: [Sock, Buffer[]][] = [];
let pumping: Promise<void> | undefined;
function out(sock: Sock, frames: Buffer[]): void {
  outq.push([sock, frames]);
  pumping ??= pump();
}
async function pump(): Promise<void> {
  for (let i = 0; i < outq.length; i++) {
    const [sock, frames] = outq[i];
    try { await sock.send(frames); } catch (err) { log.warn("send failed", err); }
    if (i > 1024) { outq.splice(0, i + 1); i = -1; }
  }
  outq.length = 0;
  pumping = undefined;
}

function send(sock: Sock, parent: Req, type: string, content: Json, metadata: Json = {}, identities?: Buffer[], buffers?: Uint8Array[]): void {
  const msg = { identities: identities ?? [], header: newHeader(type, session), parent_header: parent.header, metadata, content,
    buffers: buffers?.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)) };
  out(sock, encode(msg, signer));
}
function publish(parent: Req, type: string, content: Json, metadata?: Json, buffers?: Uint8Array[]): void {
  flushStream();
  send(iopub, parent, type, content, metadata, [Buffer.from(type === "stream" ? `stream.${content.name}` : type)], buffers);
}

// Stream coalescing: 10,000 console.log calls become a few stream messages, while the first line
// of a slow loop still goes out at once (the first chunk after a quiet period flushes immediately).
let buf: { seq: number; name: string; chunks: string[]; bytes: number } | undefined;
let lastFlush = 0, timer: NodeJS.Timeout | undefined;
function flushStream(): void {
  if (timer) { clearTimeout(timer); timer = undefined; }
  if (!buf) return;
  const b = buf; buf = undefined; lastFlush = Date.now();
  const text = b.chunks.length === 1 ? b.chunks[0] : b.chunks.join("");
  send(iopub, parentOf(b.seq), "stream", { name: b.name, text }, {}, [Buffer.from(`stream.${b.name}`)]);
}
function addStream(s: number, name: string, text: string): void {
  if (buf && (buf.seq !== s || buf.name !== name)) flushStream();
  buf ??= { seq: s, name, chunks: [], bytes: 0 };
  buf.chunks.push(text); buf.bytes += text.length;
  if (buf.bytes >= FLUSH_BYTES) return flushStream();
  timer ??= setTimeout(flushStream, Math.max(0, lastFlush + FLUSH_MS - Date.now()));
}

function parentOf(s: number): Req { return requests.get(s) ?? requests.get(lastCell) ?? NO_PARENT; }

/** busy, reply, idle for a request served on this thread. */
function answer(req: Req, content: Json): void {
  publish(req, "status", { execution_state: "busy" });
  send(req.channel === "shell" ? shell : control, req, replyType(req.header.msg_type)!, content, {}, req.identities);
  publish(req, "status", { execution_state: "idle" });
}

function kernelInfo(req: Req): void {
  answer(req, kernelInfoContent());
}

let lastSelfRaise = -Infinity;
function raiseSigint(): void {
  log.debug("raising SIGINT");
  lastSelfRaise = performance.now();
  process.kill(process.pid, "SIGINT");
}

// interrupt_request (and a SIGINT from outside, seen by kernel/sigint_watch.ts): set the shared flag
// the runtime reads at every top-level await (this stops a loop over settled promises, which never
// yields to the event loop), and ask the main thread by message, naming the request that runs now
// (the oldest shell request not done), so an interrupt never reaches the cell queued after it.
// When the main thread is free (the cell awaits something) it calls Evaluator.interrupt() and
// acknowledges at once. When it is not (a synchronous loop), an interrupt_request raises SIGINT after
// INTERRUPT_GRACE_MS and vm's breakOnSigint stops the loop; it is raised again until the main thread
// acknowledges, but only while that same request still runs. A SIGINT from outside needs no raise:
// it has already stopped any synchronous step (the watchdog stays up, see sigint_watch.ts).
const INTERRUPT_GRACE_MS = 50, INTERRUPT_RETRY_MS = 500, INTERRUPT_TRIES = 10;
/** A SIGINT the watcher reports this soon after we raised one is ours, not the user's. */
const OWN_SIGNAL_MS = 250;
let interruptId = 0, interruptTimer: NodeJS.Timeout | undefined;
function interruptMain(raise: boolean): void {
  // Paused at a breakpoint: leave the pause first, or the main thread never sees the interrupt.
  const target = shellInFlight[0];
  if (debug?.interrupt(target)) raise = true;
  const id = ++interruptId;
  clearTimeout(interruptTimer);
  if (target !== undefined) Atomics.store(interruptFlag, 0, 1);
  toMain({ k: "interrupt", id, target });
  if (!raise || target === undefined) return;
  let tries = 0;
  const tick = () => {
    if (interruptId !== id || shellInFlight[0] !== target || tries++ >= INTERRUPT_TRIES) return;
    raiseSigint();
    interruptTimer = setTimeout(tick, INTERRUPT_RETRY_MS);
  };
  interruptTimer = setTimeout(tick, INTERRUPT_GRACE_MS);
}
function interruptAcknowledged(id: number): void {
  if (id !== interruptId) return;
  interruptId++;
  clearTimeout(interruptTimer);
}

/** Starts the SIGINT watcher (kernel/sigint_watch.ts); the main thread drops its own fallback
 * listener once it runs. If it cannot start, the fallback stays (signals may then be lost). */
let sigintWatch: Worker | undefined;
function watchSigint(): void {
  let w: Worker;
  try { w = new Worker(require.resolve("./sigint_watch"), { stdout: false, stderr: false,
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 } }); } catch (err) {
    return log.warn("cannot start the SIGINT watcher; interrupts by signal may be lost", err);
  }
  w.unref();
  sigintWatch = w;
  w.on("message", (m: string) => {
    if (m === "ready") { log.debug("SIGINT watcher ready"); return toMain({ k: "sigint_ready" }); }
    log.debug("SIGINT seen by the watcher");
    if (shuttingDown || performance.now() - lastSelfRaise < OWN_SIGNAL_MS) return;
    interruptMain(false);
  });
  w.on("error", (err) => log.warn("SIGINT watcher failed", err));
}

let shuttingDown = false;
function shutdown(req: Req | undefined, content: Json): void {
  const restart = content.restart === true;
  if (req) answer(req, { status: "ok", restart });
  if (shuttingDown) return;
  shuttingDown = true;
  debug?.shutdown();
  toMain({ k: "shutdown", restart });
  // The main thread exits after closing us. A cell that holds it gets SIGINT (again every 500 ms: one
  // may land while the cell is still compiling); user code that ignores it gets SIGKILL after 5 s.
  if (shellInFlight.length > 0) raiseSigint();
  setInterval(() => { if (shellInFlight.length > 0) raiseSigint(); }, INTERRUPT_RETRY_MS).unref();
  setTimeout(() => { log.warn("main thread did not exit after shutdown_request; killing the process"); process.kill(process.pid, "SIGKILL"); }, 5000).unref();
}

function onRequest(channel: RequestChannel, msg: Message): void {
  const type = msg.header.msg_type;
  const req: Req = { identities: msg.identities, header: msg.header, channel };
  if (channel === "control" || type === "shutdown_request") {
    if (type === "interrupt_request") { interruptMain(true); return answer(req, { status: "ok" }); }
    if (type === "shutdown_request") return shutdown(req, msg.content);
    if (type === "kernel_info_request") return kernelInfo(req);
  } else if (type === "kernel_info_request" && shellInFlight.length === 0) {
    // Nothing queued on the main thread: answer here, so a frontend's first kernel_info does not
    // wait for the main thread to load the runtime.
    return kernelInfo(req);
  }
  if (type === "debug_request") return void debugRequest(req, msg.content);
  if (!MAIN_REQUESTS.has(type)) return log.warn(`${channel}: dropped message with unknown msg_type "${type}"`);
  if (type === "comm_msg" && fastPort && fastFlag && fastComms.has(String(msg.content.comm_id))) {
    // Past the shell queue, so a running cell sees it (kernel/bridge.ts FastComms). Status idle
    // follows when the runtime has handled it (fast_done): the widget manager sends a model's next
    // update only after that, which coalesces a slider's drag as ipykernel's queue does.
    const id = ++fastSeq;
    fastReqs.set(id, req);
    publish(req, "status", { execution_state: "busy" });
    fastPort.postMessage({ id, msg_type: type, content: msg.content, buffers: msg.buffers });
    Atomics.add(fastFlag, 0, 1);
    Atomics.notify(fastFlag, 0);
    return;
  }
  const s = ++seq;
  requests.set(s, req);
  if (channel === "shell") shellInFlight.push(s);
  const buffers = msg.buffers.length > 0 ? { buffers: msg.buffers } : {};
  toMain({ k: "request", seq: s, channel, header: msg.header, parent_header: msg.parent_header, metadata: msg.metadata, content: msg.content, ...buffers });
}

// The debugger lives here, not on the main thread: it must answer while user code is paused.
// Loaded on the first debug_request; until attach it opens no inspector session.
let debug: Debugger | undefined;
let debugParent: Req = NO_PARENT;
function debuggerInstance(): Debugger {
  if (!debug) {
    const { Debugger } = require("./debugger/debugger") as typeof import("./debugger/debugger");
    debug = new Debugger({
      event: (e) => publish(debugParent, "debug_event", e as unknown as Json),
      attached: (on) => toMain({ k: "debug_attached", on }),
      interrupt: () => interruptMain(false),
    });
  }
  return debug;
}
async function debugRequest(req: Req, content: Json): Promise<void> {
  debugParent = req;
  publish(req, "status", { execution_state: "busy" });
  let reply: Json;
  try { reply = await debuggerInstance().request(content) as unknown as Json; } catch (err) {
    log.error("debug_request failed", err);
    reply = { type: "response", request_seq: content.seq ?? 0, command: content.command ?? "", success: false, message: String((err as Error)?.message ?? err) };
  }
  send(req.channel === "shell" ? shell : control, req, "debug_reply", reply, {}, req.identities);
  publish(req, "status", { execution_state: "idle" });
}

// input_request msg_id -> bridge input id
const pendingInputs = new Map<string, number>();
function onStdin(msg: Message): void {
  // jupyter_client's KernelClient.input() sends input_reply with an empty parent_header (ipykernel
  // takes any reply while it waits), so with no parent match, answer the oldest pending request.
  let parentId = (msg.parent_header as Header).msg_id;
  if (!pendingInputs.has(parentId) && pendingInputs.size > 0) parentId = pendingInputs.keys().next().value as string;
  const id = pendingInputs.get(parentId);
  if (msg.header.msg_type !== "input_reply" || id === undefined) return log.warn(`stdin: dropped unexpected ${msg.header.msg_type}`);
  pendingInputs.delete(parentId);
  const value = msg.content.value;
  toMain(typeof value === "string" ? { k: "input_reply", id, value } : { k: "input_reply", id, error: "input_reply without a string value" });
}

function requestInput(s: number, id: number, prompt: string, password: boolean): void {
  const parent = parentOf(s);
  flushStream();
  const header = newHeader("input_request", session);
  pendingInputs.set(header.msg_id, id);
  out(stdin, encode({ identities: parent.identities, header, parent_header: parent.header, metadata: {}, content: { prompt, password } }, signer));
}

port.on("message", (m: ToWorker) => {
  // A message this thread cannot send (say, content JSON.stringify rejects) is logged and dropped:
  // an exception here would end the socket thread and with it the kernel.
  try { fromMain(m); } catch (err) { log.error(`cannot send ${m.k}${"type" in m ? ` ${m.type}` : ""}`, err); }
});

function fromMain(m: ToWorker): void {
  switch (m.k) {
    case "stream": return addStream(m.seq, m.name, m.text);
    case "iopub": return publish(parentOf(m.seq), m.type, m.content, m.metadata, m.buffers);
    case "fast_comm": { if (m.on) fastComms.add(m.commId); else fastComms.delete(m.commId); return; }
    case "fast_done": {
      const req = fastReqs.get(m.id);
      if (!req) return;
      fastReqs.delete(m.id);
      publish(req, "status", { execution_state: "idle" });
      // A cell still runs (it handled this at a step boundary): the kernel is busy with it.
      if (shellInFlight.length > 0) publish(parentOf(shellInFlight[0]), "status", { execution_state: "busy" });
      return;
    }
    case "reply": {
      flushStream();
      const req = requests.get(m.seq);
      if (!req) return log.warn(`reply ${m.type} for an unknown request`);
      return send(req.channel === "shell" ? shell : control, req, m.type, m.content, m.metadata, req.identities);
    }
    case "done": {
      const req = requests.get(m.seq);
      if (req?.channel === "shell") { const i = shellInFlight.indexOf(m.seq); if (i >= 0) shellInFlight.splice(i, 1); }
      debug?.done(m.seq);
      if (req?.header.msg_type === "execute_request") { if (lastCell !== m.seq) requests.delete(lastCell); lastCell = m.seq; }
      else requests.delete(m.seq);
      return;
    }
    case "input": return requestInput(m.seq, m.id, m.prompt, m.password);
    case "barrier": return toMain({ k: "barrier", id: m.id, seq });
    case "interrupt_ack": return interruptAcknowledged(m.id);
    case "sigint_arm": return sigintWatch?.postMessage("arm");
    case "close": return void close();
    case "debug_script": {
      const ack = () => { if (m.id) toMain({ k: "debug_script_ack", id: m.id }); };
      if (!debug) return ack();
      debug.cellScript(m.url, m.code, m.sourceMap).catch((err) => log.warn("debugger: cannot place breakpoints", err)).finally(ack);
      return;
    }
  }
}

async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  flushStream();
  await pumping;
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
      if (channel === "stdin") onStdin(msg); else onRequest(channel as RequestChannel, msg);
    } catch (err) { log.error(`${channel}: ${msg.header.msg_type} failed`, err); }
  }
}

async function heartbeat(): Promise<void> {
  for await (const frames of hb) await hb.send(frames);
}

/** Like ipykernel's ParentPollerUnix: when the process that launched us (JPY_PARENT_PID) is gone,
 * nobody can shut us down, so leave. Runs here, not on the main thread a cell may block. */
function watchParent(): void {
  const pid = Number(process.env.JPY_PARENT_PID);
  if (!Number.isInteger(pid) || pid <= 1) return;
  const poll = setInterval(() => {
    try { process.kill(pid, 0); } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") return;
      log.warn(`parent process ${pid} is gone; shutting down`);
      clearInterval(poll);
      shutdown(undefined, {});
    }
  }, 1000);
  poll.unref();
}

async function main(): Promise<void> {
  const socks: [Channel, Sock][] = [["shell", shell], ["control", control], ["stdin", stdin], ["iopub", iopub], ["hb", hb]];
  for (const [ch, s] of socks) {
    if (isIpv6(connection)) s.ipv6 = true;
    await s.bind(endpoint(connection, ch));
  }
  log.info(`listening on ${connection.transport}://${connection.ip} (shell ${connection.shell_port}, iopub ${connection.iopub_port})`);
  publish(NO_PARENT, "status", { execution_state: "starting" });
  toMain({ k: "bound" });
  watchSigint();
  watchParent();
  for (const p of [serve(shell, "shell"), serve(control, "control"), serve(stdin, "stdin"), heartbeat()]) {
    p.catch((err) => { if (!closing) log.error("socket loop stopped", err); });
  }
}

main().catch((err) => toMain({ k: "fatal", message: `cannot bind sockets: ${(err as Error).message}` }));
