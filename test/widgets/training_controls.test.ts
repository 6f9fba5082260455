// test/widgets/training_controls.test.ts
// plot.live({ controls }) against the real kernel, the client clicking as a browser would while a
// SYNCHRONOUS training loop holds the main thread: Stop ends it within a step (curve.steps and
// progress), Pause holds it (no redraws while paused) and Resume lets it go on, the lr slider sets
// the optimizer's param groups, and an async loop stops too. Build first.
import assert from "node:assert/strict";
import { Client, arrivedAt, parentId } from "../helpers/client";
import { startKernel, type KernelProcess } from "../helpers/kernel_proc";
import type { Header, Json, Message } from "../../kernel/wire";

type Data = Record<string, any>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("widgets: training controls", function () {
  this.timeout(90_000);
  let k: KernelProcess, c: Client;
  before(async () => {
    k = await startKernel();
    c = new Client(k.connection);
    await c.ready();
    await c.execute("const warm = 1;", {}, 60_000);
  });
  after(async () => { c?.close(); await k?.stop(); });
  afterEach(function () {
    if (this.currentTest?.state === "failed") process.stderr.write(`--- kernel log ---\n${k.log()}\n`);
  });

  async function start(code: string): Promise<Header> {
    const req = await c.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    await c.iopub.wait((m) => parentId(m) === req.msg_id && m.header.msg_type === "execute_input", 10_000, "the cell to start");
    return req;
  }
  /** The comm id of the button (or slider) with this description, opened by request `req`. */
  async function control(req: Header, model: string, description: string): Promise<string> {
    const m = await c.iopub.wait((x) => parentId(x) === req.msg_id && x.header.msg_type === "comm_open" &&
      (x.content.data as Data).state._model_name === model && (x.content.data as Data).state.description === description, 15_000, `${model} ${description}`);
    return String(m.content.comm_id);
  }
  const click = (id: string) => c.send("shell", "comm_msg", { comm_id: id, data: { method: "custom", content: { event: "click" } } });
  const result = async (req: Header): Promise<string> => {
    const reply = await c.reply(req, 30_000);
    assert.equal(reply.content.status, "ok", JSON.stringify(reply.content));
    await c.iopubUntilIdle(req);
    const r = c.iopub.all.find((m) => parentId(m) === req.msg_id && m.header.msg_type === "execute_result");
    return String((r?.content.data as Data)?.["text/plain"]);
  };
  const curveUpdates = (req: Header) => c.iopub.all.filter((m) => parentId(m) === req.msg_id && m.header.msg_type === "update_display_data" &&
    String((m.content.transient as Data)?.display_id).startsWith("curve-"));

  // A synchronous step of about 3 ms: no await anywhere in the loop.
  const BUSY = "const busy = (ms: number) => { const e = performance.now() + ms; while (performance.now() < e); };";

  it("Stop ends a running synchronous loop over curve.steps(progress(...)) within a step", async () => {
    const req = await start(`${BUSY}
      const curve = plot.live({ title: "sync", controls: true, throttleMs: 50 });
      let steps = 0; const t0 = Date.now();
      for (const _ of curve.steps(progress(1e9))) { busy(3); curve.log({ loss: 1 / (steps + 1) }); steps++; if (Date.now() - t0 > 20000) break; }
      \`\${curve.stopped} \${steps} \${Date.now() - t0}\``);
    const stop = await control(req, "ButtonModel", "Stop");
    await sleep(500);
    const clickedAt = performance.now();
    await click(stop);
    const [stopped, steps] = (await result(req)).replace(/'/g, "").split(" ");
    const reply = c.replies.all.find((m) => parentId(m) === req.msg_id)!;
    assert.equal(stopped, "true");
    assert.ok(Number(steps) > 10, `only ${steps} steps ran`);
    assert.ok(arrivedAt(reply) - clickedAt < 1000, `the loop ended ${(arrivedAt(reply) - clickedAt).toFixed(0)} ms after the click`);
    // The button says so.
    assert.ok(c.iopub.all.some((m) => m.header.msg_type === "comm_msg" && m.content.comm_id === stop && (m.content.data as Data).state?.description === "Stopped"));
  });

  it("Pause holds a synchronous loop (no redraws while paused); Resume lets it go on; Stop ends a plain progress() loop", async () => {
    const req = await start(`${BUSY}
      const curve2 = plot.live({ title: "pause", controls: true, throttleMs: 20 });
      let n = 0; const t1 = Date.now();
      for (const _ of progress(1e9)) { busy(3); curve2.log({ loss: n }); n++; if (Date.now() - t1 > 20000) break; }
      \`\${curve2.stopped} \${n}\``);
    const pause = await control(req, "ButtonModel", "Pause");
    const stop = await control(req, "ButtonModel", "Stop");
    await sleep(400);
    await click(pause);
    await c.iopub.wait((m) => m.header.msg_type === "comm_msg" && m.content.comm_id === pause && (m.content.data as Data).state?.description === "Resume", 5000, "the Resume label");
    await sleep(300);
    const before = curveUpdates(req).length;
    await sleep(1200);
    assert.equal(curveUpdates(req).length, before, "the curve was redrawn while paused");
    await click(pause);   // resume
    await sleep(600);
    assert.ok(curveUpdates(req).length > before, "no redraws after Resume");
    const clickedAt = performance.now();
    await click(stop);
    const out = (await result(req)).replace(/'/g, "");
    assert.equal(out.split(" ")[0], "true");
    const reply = c.replies.all.find((m) => parentId(m) === req.msg_id)!;
    assert.ok(arrivedAt(reply) - clickedAt < 1000, `ended ${(arrivedAt(reply) - clickedAt).toFixed(0)} ms after Stop`);
  });

  it("an interrupt stops a loop held by Pause; the kernel answers the next cell", async () => {
    const req = await start(`${BUSY}
      const curve6 = plot.live({ controls: true, throttleMs: 50 });
      for (const _ of curve6.steps(progress(1e9))) { busy(3); curve6.log({ x: 1 }); }`);
    const pause = await control(req, "ButtonModel", "Pause");
    await sleep(300);
    await click(pause);
    await c.iopub.wait((m) => m.header.msg_type === "comm_msg" && m.content.comm_id === pause && (m.content.data as Data).state?.description === "Resume", 5000, "the Resume label");
    const t0 = performance.now();
    await c.request("control", "interrupt_request");
    const reply = await c.reply(req, 10_000);
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "Interrupted");
    assert.ok(performance.now() - t0 < 2000, `interrupted after ${(performance.now() - t0).toFixed(0)} ms`);
    const { reply: next } = await c.execute("1 + 1");
    assert.equal(next.content.status, "ok");
  });

  it("the lr slider sets every param group's lr while a synchronous loop runs (ratios kept)", async () => {
    const req = await start(`${BUSY}
      const opt = { paramGroups: [{ lr: 0.01 }, { lr: 0.1 }] };
      const curve3 = plot.live({ controls: { optimizer: opt }, throttleMs: 50 });
      const t2 = Date.now();
      for (const _ of curve3.steps(progress(1e9))) { busy(3); curve3.log({ lr: opt.paramGroups[0].lr }); if (Date.now() - t2 > 20000) break; }
      opt.paramGroups.map((g) => g.lr.toPrecision(3)).join(",")`);
    const slider = await control(req, "FloatLogSliderModel", "lr");
    const stop = await control(req, "ButtonModel", "Stop");
    await sleep(300);
    await c.send("shell", "comm_msg", { comm_id: slider, data: { method: "update", state: { value: 0.001 }, buffer_paths: [] } } as Json);
    await c.iopub.wait((m) => m.header.msg_type === "comm_msg" && m.content.comm_id === slider && (m.content.data as Data).method === "echo_update", 5000, "echo_update of the slider");
    await sleep(200);
    await click(stop);
    assert.equal((await result(req)).replace(/'/g, ""), "0.00100,0.0100");
  });

  it("Stop ends an async loop (await in each step) through curve.stopped", async () => {
    const req = await start(`
      const curve4 = plot.live({ controls: { pause: false }, throttleMs: 50 });
      let k4 = 0; const t4 = Date.now();
      while (!curve4.stopped && Date.now() - t4 < 20000) { await sleep(2); curve4.log({ x: k4++ }); }
      curve4.stopped`);
    const stop = await control(req, "ButtonModel", "Stop");
    await sleep(300);
    const clickedAt = performance.now();
    await click(stop);
    assert.equal(await result(req), "true");
    const reply = c.replies.all.find((m) => parentId(m) === req.msg_id)!;
    assert.ok(arrivedAt(reply) - clickedAt < 1000);
  });

  it("headless: with nobody clicking, a loop with controls runs to its end and the cell leaves a text fallback", async () => {
    const { reply, iopub } = await c.execute(`const curve5 = plot.live({ controls: true }); for (const i of curve5.steps(progress(50))) curve5.log({ i }); curve5.stopped`);
    assert.equal(reply.content.status, "ok");
    const bar = iopub.find((m: Message) => m.header.msg_type === "display_data" && String((m.content.data as Data)["text/plain"]).startsWith("[training controls"));
    assert.ok(bar, "the control bar has a text/plain fallback");
    assert.ok((bar!.content.data as Data)["application/vnd.jupyter.widget-view+json"]);
  });
});
