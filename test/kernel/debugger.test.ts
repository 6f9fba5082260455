// test/kernel/debugger.test.ts
// The Jupyter debugger, driven by a real ZeroMQ client in the order JupyterLab 4's debugger panel
// sends its requests (debug_request on control, debug_event on iopub): initialize, attach,
// debugInfo, dumpCell, setBreakpoints, configurationDone, then execute and the paused state.
// Build first: npm run build.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "../helpers/client";
import { startKernel, type KernelProcess } from "../helpers/kernel_proc";
import { HASH_SEED, murmur2 } from "../../kernel/debugger/cell_files";
import type { Header, Json, Message } from "../../kernel/wire";

type Dap = { success: boolean; message?: string; body?: Record<string, any>; command: string; request_seq: number };

class DebugClient {
  private seq = 0;
  private seen = 0;
  constructor(readonly c: Client) {}

  async dap(command: string, args: Json = {}): Promise<Dap> {
    const req = await this.c.send("control", "debug_request", { type: "request", seq: ++this.seq, command, arguments: args });
    const reply = await this.c.reply(req, 15_000);
    assert.equal(reply.header.msg_type, "debug_reply");
    const content = reply.content as unknown as Dap;
    assert.equal(content.request_seq, this.seq);
    assert.equal(content.command, command);
    return content;
  }

  async ok(command: string, args: Json = {}): Promise<Record<string, any>> {
    const r = await this.dap(command, args);
    assert.ok(r.success, `${command} failed: ${r.message}`);
    return r.body ?? {};
  }

  /** The next debug_event named `name` after the last one this client consumed. */
  async event(name: string, timeoutMs = 15_000): Promise<Record<string, any>> {
    const from = this.seen;
    const m = await this.c.iopub.wait((x) => x.header.msg_type === "debug_event" && x.content.event === name &&
      this.c.iopub.all.indexOf(x) >= from, timeoutMs, `debug_event ${name}`, from);
    this.seen = this.c.iopub.all.indexOf(m) + 1;
    return m.content as Record<string, any>;
  }

  /** Marks every event so far as consumed. */
  skip(): void { this.seen = this.c.iopub.all.length; }

  /** The top stack frame, its scopes and the variables of its first scope. */
  async top(): Promise<{ frame: Record<string, any>; locals: Record<string, any>[] }> {
    const { stackFrames } = await this.ok("stackTrace", { threadId: 1 });
    assert.ok(stackFrames.length > 0, "no stack frames");
    const frame = stackFrames[0];
    const { scopes } = await this.ok("scopes", { frameId: frame.id });
    const { variables } = await this.ok("variables", { variablesReference: scopes[0].variablesReference });
    return { frame, locals: variables };
  }
}

const replyTo = (c: Client, req: Header, ms = 20_000) => c.reply(req, ms);
const streamText = (msgs: Message[]) => msgs.filter((m) => m.header.msg_type === "stream").map((m) => m.content.text).join("");
const execute = (c: Client, code: string) =>
  c.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false });

describe("debugger protocol", function () {
  this.timeout(60_000);
  let k: KernelProcess, c: Client, d: DebugClient;
  before(async () => {
    k = await startKernel();
    c = new Client(k.connection);
    d = new DebugClient(c);
    await c.ready();
    await c.execute("const warm = 1;", {}, 60_000);
  });
  after(async () => { c?.close(); await k?.stop(); });
  afterEach(function () {
    if (this.currentTest?.state === "failed") process.stderr.write(`--- kernel log ---\n${k.log()}\n`);
  });

  it("kernel_info advertises the debugger (debugger: true, supported_features)", async () => {
    const { reply } = await c.request("control", "kernel_info_request");
    assert.equal(reply.content.debugger, true);
    assert.ok((reply.content.supported_features as string[]).includes("debugger"));
  });

  it("a request before attach gets an error naming the problem; an unknown command too", async () => {
    const r = await d.dap("stackTrace", { threadId: 1 });
    assert.equal(r.success, false);
    assert.match(r.message!, /stackTrace: the debugger is not attached/);
    const u = await d.dap("frobnicate");
    assert.equal(u.success, false);
    assert.match(u.message!, /unknown debug command "frobnicate"/);
  });

  const loop = [
    "const x = torch.ones([4, 3]);",
    "let total = 0;",
    "for (let step = 0; step < 3; step++) {",
    "  const y: Tensor = x.mul(step);",
    "  total += step;",
    "}",
    "console.log(`total ${total}`);",
    "total",
  ].join("\n");
  let loopPath = "";

  it("initialize, attach, debugInfo, dumpCell, setBreakpoints, configurationDone", async () => {
    const caps = await d.ok("initialize", { clientID: "jupyterlab", adapterID: "tsgrad", pathFormat: "path", linesStartAt1: true, columnsStartAt1: true });
    // Started from initialize on, as ipykernel says: JupyterLab takes isStarted from every
    // debugInfo reply, and one answered between initialize and attach must not turn it off.
    assert.equal((await d.ok("debugInfo")).isStarted, true);
    assert.deepEqual(caps.exceptionBreakpointFilters.map((f: { filter: string }) => f.filter), ["raised", "uncaught"]);
    await d.ok("attach", {});
    await d.event("initialized");
    const info = await d.ok("debugInfo");
    assert.equal(info.isStarted, true);
    assert.equal(info.hashMethod, "Murmur2");
    assert.deepEqual(info.stoppedThreads, []);
    const { sourcePath } = await d.ok("dumpCell", { code: loop });
    // JupyterLab computes the same name from debugInfo to find the cell.
    assert.equal(sourcePath, `${info.tmpFilePrefix}${murmur2(loop, info.hashSeed)}${info.tmpFileSuffix}`);
    assert.equal(info.hashSeed, HASH_SEED);
    assert.equal(readFileSync(sourcePath, "utf8"), loop);
    loopPath = sourcePath;
    const bps = await d.ok("setBreakpoints", { source: { path: sourcePath }, breakpoints: [{ line: 4 }], sourceModified: false });
    assert.deepEqual(bps.breakpoints.map((b: { verified: boolean; line: number }) => [b.verified, b.line]), [[true, 4]]);
    await d.ok("configurationDone");
    const again = await d.ok("debugInfo");
    assert.deepEqual(again.breakpoints, [{ source: sourcePath, breakpoints: [{ line: 4 }] }]);
  });

  it("a bad breakpoint (past the end of the cell) gets an error naming it; the kernel keeps serving", async () => {
    const { sourcePath } = await d.ok("dumpCell", { code: "let a = 1;\na" });
    const r = await d.dap("setBreakpoints", { source: { path: sourcePath }, breakpoints: [{ line: 12 }] });
    assert.equal(r.success, false);
    assert.match(r.message!, /line 12 is past the end of the cell \(2 lines\)/);
    const { reply } = await c.execute("1 + 1");
    assert.equal(reply.content.status, "ok");
  });

  let loopReq: Header;
  it("execute stops at the breakpoint: stackTrace, scopes, variables show a Tensor's shape and dtype", async () => {
    d.skip();
    loopReq = await execute(c, loop);
    const stopped = await d.event("stopped");
    assert.equal(stopped.body.reason, "breakpoint");
    assert.equal(stopped.body.threadId, 1);
    const { threads } = await d.ok("threads");
    assert.deepEqual(threads, [{ id: 1, name: "main" }]);
    const { frame, locals } = await d.top();
    assert.equal(frame.source.path, loopPath);
    assert.equal(frame.line, 4);
    const info = await d.ok("debugInfo");
    assert.deepEqual(info.stoppedThreads, [1]);
    const all = [...locals];
    const { scopes } = await d.ok("scopes", { frameId: frame.id });
    for (const s of scopes.slice(1)) all.push(...(await d.ok("variables", { variablesReference: s.variablesReference })).variables);
    const x = all.find((v) => v.name === "x");
    assert.ok(x, `x not among ${all.map((v) => v.name).join(", ")}`);
    assert.match(x.value, /Tensor \[4, 3\] float32 cpu/);
    assert.ok(all.some((v) => v.name === "step" && v.value === "0"), "step = 0 in some scope");
  });

  it("heartbeat and control answer while paused", async () => {
    assert.ok(await c.heartbeat() < 1000);
    const { reply } = await c.request("control", "kernel_info_request");
    assert.equal(reply.content.status, "ok");
  });

  it("next steps over a line; evaluate runs in the paused frame", async () => {
    await d.ok("next", { threadId: 1 });
    const stopped = await d.event("stopped");
    assert.equal(stopped.body.reason, "step");
    const { frame } = await d.top();
    assert.equal(frame.line, 5);
    const r = await d.ok("evaluate", { expression: "y.shape.join('x') + ' ' + step", frameId: frame.id, context: "repl" });
    assert.equal(r.result, "\"4x3 0\"");
    const t = await d.ok("evaluate", { expression: "y", frameId: frame.id, context: "watch" });
    assert.match(t.result, /Tensor \[4, 3\] float32 cpu/);
    assert.ok(t.variablesReference > 0, "a tensor can be expanded");
    const typed = await d.ok("evaluate", { expression: "(y as Tensor).shape[0]! + step", frameId: frame.id, context: "repl" });
    assert.equal(typed.result, "4", "TypeScript in the console: types are stripped");
    const bad = await d.dap("evaluate", { expression: "nope + 1", frameId: frame.id, context: "repl" });
    assert.equal(bad.success, false);
    assert.match(bad.message!, /ReferenceError: nope is not defined/);
  });

  it("richInspectVariables: a tensor's statistics and a picture as a mime bundle", async () => {
    const { frame } = await d.top();
    const r = await d.ok("richInspectVariables", { variableName: "x", frameId: frame.id });
    assert.match(r.data["text/plain"], /Tensor \[4, 3\] float32 cpu\nmin=1(\.0+)? max=1(\.0+)? mean=1/);
    assert.match(r.data["text/html"], /<img alt="heatmap 4x3" src="data:image\/png;base64,/);
  });

  it("continue stops at the next hit; without breakpoints the cell ends with its outputs", async () => {
    await d.ok("continue", { threadId: 1 });
    await d.event("continued");
    await d.event("stopped");
    const { frame } = await d.top();
    assert.equal(frame.line, 4);
    assert.equal((await d.ok("evaluate", { expression: "step", frameId: frame.id })).result, "1");
    await d.ok("setBreakpoints", { source: { path: loopPath }, breakpoints: [] });
    await d.ok("continue", { threadId: 1 });
    const reply = await replyTo(c, loopReq);
    assert.equal(reply.content.status, "ok");
    const out = await c.iopubUntilIdle(loopReq);
    assert.equal(streamText(out), "total 3\n");
    const result = out.find((m) => m.header.msg_type === "execute_result")?.content.data as Record<string, unknown> | undefined;
    assert.equal(result?.["text/plain"], "3");
  });

  it("not paused: inspectVariables lists the user's globals; richInspectVariables, evaluate and source work too", async () => {
    const { variables } = await d.ok("inspectVariables");
    assert.match(variables.find((v: { name: string }) => v.name === "x")?.value ?? "", /Tensor \[4, 3\] float32 cpu/);
    assert.equal(variables.find((v: { name: string }) => v.name === "total")?.value, "3");
    assert.ok(!variables.some((v: { name: string }) => ["setTimeout", "global", "torch"].includes(v.name)), "Node's and the runtime's globals are left out");
    const rich = await d.ok("richInspectVariables", { variableName: "x" });
    assert.match(rich.data["text/plain"], /Tensor \[4, 3\] float32 cpu/);
    assert.equal((await d.ok("evaluate", { expression: "total * 2", context: "repl" })).result, "6");
    assert.equal((await d.ok("source", { source: { path: loopPath } })).content, loop);
    const { modules } = await d.ok("modules", {});
    const module = modules.find((m: { name: string }) => m.name === "tensor/nn/module");
    assert.ok(module, "tsgrad's own sources are listed for the Kernel Sources panel");
    assert.match((await d.ok("source", { source: { path: module.path } })).content, /export abstract class Module/);
    const bad = await d.dap("source", { source: { path: "/etc/passwd" } });
    assert.equal(bad.success, false);
    assert.match(bad.message!, /source: \/etc\/passwd is not a file this kernel can show/);
  });

  it("pause stops a busy loop where it runs; copyToGlobals makes a paused frame's local a global", async () => {
    // `local` is used inside the loop: V8 drops a value the rest of an optimized loop never reads.
    const code = ["let spins = 0;", "const local = torch.zeros([2, 3]);", "while (spins >= 0) {", "  spins += local.shape[0];", "}"].join("\n");
    const path = (await d.ok("dumpCell", { code })).sourcePath;
    d.skip();
    const req = await execute(c, code);
    await new Promise((r) => setTimeout(r, 300));
    await d.ok("pause", { threadId: 1 });
    const stopped = await d.event("stopped");
    assert.equal(stopped.body.reason, "pause");
    const { frame } = await d.top();
    assert.equal(frame.source.path, path);
    assert.ok([3, 4].includes(frame.line), `paused on line ${frame.line}`);
    await d.ok("copyToGlobals", { srcVariableName: "local", dstVariableName: "copied", srcFrameId: frame.id });
    await c.request("control", "interrupt_request");
    assert.equal((await replyTo(c, req)).content.ename, "Interrupted");
    // The checker has no type for a name made in the debugger: reach it through globalThis.
    const { reply: r2, iopub } = await c.execute("(globalThis as any).copied.numel()");
    assert.equal(r2.content.status, "ok", JSON.stringify(r2.content));
    assert.equal((iopub.find((m) => m.header.msg_type === "execute_result")?.content.data as Record<string, string>)["text/plain"], "6");
  });

  it("a breakpoint in a function from an earlier cell; stepIn enters it; stepOut returns", async () => {
    const lib = ["function addOne(v: number): number {", "  const w = v + 1;", "  return w;", "}"].join("\n");
    assert.equal((await c.execute(lib)).reply.content.status, "ok");
    const use = ["const a = 40;", "const r = addOne(a + 1);", "r"].join("\n");
    const usePath = (await d.ok("dumpCell", { code: use })).sourcePath;
    await d.ok("setBreakpoints", { source: { path: usePath }, breakpoints: [{ line: 2 }] });
    d.skip();
    const req = await execute(c, use);
    await d.event("stopped");
    assert.equal((await d.top()).frame.line, 2);
    await d.ok("stepIn", { threadId: 1 });
    await d.event("stopped");
    const inFn = await d.top();
    assert.equal(inFn.frame.name, "addOne");
    assert.equal(inFn.frame.source.path, (await d.ok("dumpCell", { code: lib })).sourcePath);
    assert.equal(inFn.frame.line, 2);
    await d.ok("stepOut", { threadId: 1 });
    await d.event("stopped");
    assert.equal((await d.top()).frame.source.path, usePath);
    await d.ok("setBreakpoints", { source: { path: usePath }, breakpoints: [] });
    // Now a breakpoint inside the earlier cell's function, hit from a new cell.
    const libPath = (await d.ok("dumpCell", { code: lib })).sourcePath;
    await d.ok("setBreakpoints", { source: { path: libPath }, breakpoints: [{ line: 3 }] });
    await d.ok("continue", { threadId: 1 });
    assert.equal((await replyTo(c, req)).content.status, "ok");
    d.skip();
    const req2 = await execute(c, "addOne(1)");
    await d.event("stopped");
    const hit = await d.top();
    assert.equal(hit.frame.source.path, libPath);
    assert.equal(hit.frame.line, 3);
    assert.ok(hit.locals.some((v) => v.name === "w" && v.value === "2"));
    await d.ok("setBreakpoints", { source: { path: libPath }, breakpoints: [] });
    await d.ok("continue", { threadId: 1 });
    const reply2 = await replyTo(c, req2);
    assert.equal(reply2.content.status, "ok");
  });

  it("breakpoints after an await in an async cell", async () => {
    const code = ["const before = 1;", "await new Promise((r) => setTimeout(r, 10));", "const after = before + 1;", "after"].join("\n");
    const path = (await d.ok("dumpCell", { code })).sourcePath;
    await d.ok("setBreakpoints", { source: { path }, breakpoints: [{ line: 3 }] });
    d.skip();
    const req = await execute(c, code);
    await d.event("stopped");
    const { frame } = await d.top();
    assert.equal(frame.source.path, path);
    assert.equal(frame.line, 3);
    await d.ok("setBreakpoints", { source: { path }, breakpoints: [] });
    await d.ok("continue", { threadId: 1 });
    assert.equal((await replyTo(c, req)).content.status, "ok");
  });

  it("a notebook module's forward in a training loop; stepIn reaches tsgrad's own TypeScript", async () => {
    const model = [
      "class Net extends nn.Module {",
      "  fc = nn.Linear(3, 2);",
      "  forward(x: Tensor): Tensor {",
      "    const h = this.fc.forward(x);",
      "    return h.relu();",
      "  }",
      "}",
      "const net = new Net();",
    ].join("\n");
    assert.equal((await c.execute(model)).reply.content.status, "ok");
    const netPath = (await d.ok("dumpCell", { code: model })).sourcePath;
    await d.ok("setBreakpoints", { source: { path: netPath }, breakpoints: [{ line: 4 }] });
    const train = [
      "const opt = optim.SGD(net.parameters(), { lr: 0.1 });",
      "for (let i = 0; i < 2; i++) {",
      "  const loss = net.forward(torch.ones([5, 3])).sum();",
      "  opt.zeroGrad(); loss.backward(); opt.step();",
      "  await loss.item();",
      "}",
    ].join("\n");
    d.skip();
    const req = await execute(c, train);
    await d.event("stopped");
    const { frame, locals } = await d.top();
    assert.match(frame.name, /forward$/);
    assert.equal(frame.source.path, netPath);
    assert.equal(frame.line, 4);
    assert.match(locals.find((v) => v.name === "x")?.value ?? "", /Tensor \[5, 3\] float32 cpu/);
    await d.ok("stepIn", { threadId: 1 });
    await d.event("stopped");
    const inLib = (await d.ok("stackTrace", { threadId: 1 })).stackFrames[0];
    assert.match(inLib.source.path, /\/runtime\/tensor\/nn\/[a-z_]+\.ts$/, `stepped into ${inLib.source.path}`);
    const src = await d.ok("source", { source: { path: inLib.source.path } });
    assert.match(src.content, /forward\(/);
    await d.ok("setBreakpoints", { source: { path: netPath }, breakpoints: [] });
    await d.ok("continue", { threadId: 1 });
    assert.equal((await replyTo(c, req)).content.status, "ok");
  });

  it("a breakpoint in user code the library calls (a layer inside nn.Sequential): the stack shows both", async () => {
    const layer = ["class Double extends nn.Module {", "  forward(x: Tensor): Tensor {", "    return x.mul(2);", "  }", "}",
      "const seq = nn.Sequential(nn.Linear(2, 2), new Double());"].join("\n");
    assert.equal((await c.execute(layer)).reply.content.status, "ok");
    const path = (await d.ok("dumpCell", { code: layer })).sourcePath;
    await d.ok("setBreakpoints", { source: { path }, breakpoints: [{ line: 3 }] });
    d.skip();
    const req = await execute(c, "seq.forward(torch.ones([1, 2])).shape");
    await d.event("stopped");
    const { stackFrames } = await d.ok("stackTrace", { threadId: 1 });
    assert.equal(stackFrames[0].source.path, path);
    assert.equal(stackFrames[0].line, 3);
    assert.ok(stackFrames.some((f: { source: { path: string } }) => /\/runtime\/tensor\/nn\/\w+\.ts$/.test(f.source.path)),
      `a library frame between: ${stackFrames.map((f: { name: string; source: { path: string } }) => `${f.name} ${f.source.path}`).join("; ")}`);
    await d.ok("setBreakpoints", { source: { path }, breakpoints: [] });
    await d.ok("continue", { threadId: 1 });
    assert.equal((await replyTo(c, req)).content.status, "ok");
  });

  it("a breakpoint in tsgrad's own TypeScript (Linear.forward in runtime/tensor/nn/layers.ts)", async () => {
    const file = join(__dirname, "..", "..", "runtime", "tensor", "nn", "layers.ts");
    const lines = readFileSync(file, "utf8").split("\n");
    const line = lines.findIndex((l, i) => i > lines.findIndex((x) => x.startsWith("export class Linear ")) && /^\s+forward\(/.test(l)) + 1;
    const set = await d.ok("setBreakpoints", { source: { path: file }, breakpoints: [{ line }] });
    assert.deepEqual(set.breakpoints.map((b: { verified: boolean; line: number }) => [b.verified, b.line]), [[true, line]]);
    d.skip();
    const req = await execute(c, "const lin = nn.Linear(3, 2);\nlin.forward(torch.ones([4, 3])).shape");
    await d.event("stopped");
    const { frame, locals } = await d.top();
    assert.equal(frame.source.path, file);
    assert.equal(frame.line, line);
    assert.match(locals.find((v) => v.name === "x")?.value ?? "", /Tensor \[4, 3\] float32 cpu/);
    await d.ok("setBreakpoints", { source: { path: file }, breakpoints: [] });
    await d.ok("continue", { threadId: 1 });
    assert.equal((await replyTo(c, req)).content.status, "ok");
  });

  it("exception breakpoints: uncaught stops where the error is thrown, a caught one does not", async () => {
    await d.ok("setExceptionBreakpoints", { filters: ["uncaught"] });
    d.skip();
    const caught = await c.execute("let note = ''; try { JSON.parse('{'); } catch (e) { note = 'caught'; }\nnote");
    assert.equal(caught.reply.content.status, "ok");
    const code = ["function boom(): never {", "  throw new RangeError('bad value');", "}", "boom();"].join("\n");
    const req = await execute(c, code);
    const output = await d.event("output");
    assert.equal(output.body.category, "stderr");
    assert.match(output.body.output, /RangeError: bad value\n\s+at boom/);
    const stopped = await d.event("stopped");
    assert.equal(stopped.body.reason, "exception");
    assert.match(stopped.body.text, /RangeError: bad value/);
    const { frame } = await d.top();
    assert.equal(frame.name, "boom");
    assert.equal(frame.line, 2);
    await d.ok("continue", { threadId: 1 });
    const reply = await replyTo(c, req);
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "RangeError");
    // "raised" stops even where the cell catches the exception.
    await d.ok("setExceptionBreakpoints", { filters: ["raised"] });
    d.skip();
    const req2 = await execute(c, "let seen = '';\ntry { JSON.parse('{'); } catch (e) { seen = 'caught'; }\nseen");
    const st2 = await d.event("stopped");
    assert.equal(st2.body.reason, "exception");
    assert.match(st2.body.text, /SyntaxError/);
    assert.equal((await d.top()).frame.line, 2);
    await d.ok("continue", { threadId: 1 });
    assert.equal((await replyTo(c, req2)).content.status, "ok");
    const raised = await d.dap("setExceptionBreakpoints", { filters: ["sometimes"] });
    assert.equal(raised.success, false);
    assert.match(raised.message!, /unknown filter "sometimes"/);
    await d.ok("setExceptionBreakpoints", { filters: [] });
  });

  it("an interrupt while paused ends the cell with Interrupted; the kernel stays healthy", async () => {
    const code = ["let n = 0;", "for (;;) {", "  n++;", "}"].join("\n");
    const path = (await d.ok("dumpCell", { code })).sourcePath;
    await d.ok("setBreakpoints", { source: { path }, breakpoints: [{ line: 3 }] });
    d.skip();
    const req = await execute(c, code);
    await d.event("stopped");
    await c.request("control", "interrupt_request");
    const reply = await replyTo(c, req);
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "Interrupted");
    // The same with SIGINT, as JupyterLab interrupts a kernelspec with interrupt_mode "signal".
    d.skip();
    const req2 = await execute(c, code);
    await d.event("stopped");
    k.proc.kill("SIGINT");
    const reply2 = await replyTo(c, req2);
    assert.equal(reply2.content.ename, "Interrupted");
    await d.ok("setBreakpoints", { source: { path }, breakpoints: [] });
    const { reply: after } = await c.execute("n > 0");
    assert.equal(after.content.status, "ok");
    const info = await d.ok("debugInfo");
    assert.deepEqual(info.stoppedThreads, []);
  });

  it("disconnect detaches; a breakpoint no longer stops", async () => {
    await d.ok("disconnect", { restart: false, terminateDebuggee: false });
    assert.equal((await d.ok("debugInfo")).isStarted, false);
    const { reply, iopub } = await c.execute(loop);
    assert.equal(reply.content.status, "ok");
    // The same outputs as the run stepped through while attached: the debugger changes nothing.
    assert.equal(streamText(iopub), "total 3\n");
    assert.equal((iopub.find((m) => m.header.msg_type === "execute_result")?.content.data as Record<string, string>)["text/plain"], "3");
  });
});

describe("debugger: restart while paused", function () {
  this.timeout(60_000);
  it("shutdown_request(restart) while paused: the reply comes and the process exits", async () => {
    const k = await startKernel();
    const c = new Client(k.connection);
    const d = new DebugClient(c);
    try {
      await c.ready();
      await d.ok("initialize", {});
      await d.ok("attach", {});
      const code = "let t = 0;\nt += 1;\nt";
      const path = (await d.ok("dumpCell", { code })).sourcePath;
      await d.ok("setBreakpoints", { source: { path }, breakpoints: [{ line: 2 }] });
      await d.ok("configurationDone");
      await execute(c, code);
      await d.event("stopped", 60_000);
      const { reply } = await c.request("control", "shutdown_request", { restart: true });
      assert.equal(reply.content.status, "ok");
      await d.event("terminated");
      const code2 = await Promise.race([k.exited, new Promise((r) => setTimeout(() => r("still running"), 4000))]);
      assert.equal(code2, 0);
    } finally { c.close(); await k.stop(); }
  });
});
