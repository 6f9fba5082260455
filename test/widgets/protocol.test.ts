// test/widgets/protocol.test.ts
// The widget protocol 2.1.0 against the real kernel, with a real ZeroMQ client playing the
// frontend: comm_open with state and version, the widget-view display, update both ways,
// echo_update, custom messages, binary buffers, request_state, close, restore through
// jupyter.widget.control, bad input, and a click that reaches a synchronous loop. Build first.
import assert from "node:assert/strict";
import { Client, arrivedAt, parentId } from "../helpers/client";
import { startKernel, type KernelProcess } from "../helpers/kernel_proc";
import type { Header, Json, Message } from "../../kernel/wire";

const VIEW = "application/vnd.jupyter.widget-view+json";
type Data = Record<string, any>;

describe("widgets: protocol", function () {
  this.timeout(60_000);
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

  /** Run a cell that must succeed; returns its iopub messages. */
  async function run(code: string): Promise<Message[]> {
    const { reply, iopub } = await c.execute(code);
    assert.equal(reply.content.status, "ok", `${code}\n${JSON.stringify(reply.content)}`);
    return iopub;
  }
  async function value(expr: string): Promise<string> {
    const iopub = await run(expr);
    const r = iopub.find((m) => m.header.msg_type === "execute_result");
    return String((r?.content.data as Data)?.["text/plain"]);
  }
  const commMsg = (id: string, data: Json, buffers?: Buffer[]) => c.send("shell", "comm_msg", { comm_id: id, data }, { buffers });
  const from = () => c.iopub.all.length;
  function waitComm(pred: (d: Data, m: Message) => boolean, what: string, start: number, type = "comm_msg"): Promise<Message> {
    return c.iopub.wait((m) => m.header.msg_type === type && pred(m.content.data as Data, m), 10_000, what, start);
  }

  let sliderId = "";
  it("open: comm_open to jupyter.widget with state, buffer_paths and version 2.1.0; the cell shows a widget view", async () => {
    const iopub = await run("const s = widgets.IntSlider({ value: 3, min: 0, max: 10, description: 'n' }); s");
    const opens = iopub.filter((m) => m.header.msg_type === "comm_open");
    assert.deepEqual(opens.map((m) => (m.content.data as Data).state._model_name), ["LayoutModel", "SliderStyleModel", "IntSliderModel"]);
    for (const o of opens) {
      assert.equal(o.content.target_name, "jupyter.widget");
      assert.deepEqual(o.metadata, { version: "2.1.0" }, "the version is in the message's metadata");
      assert.equal("metadata" in o.content, false);
      assert.deepEqual((o.content.data as Data).buffer_paths, []);
    }
    const [layout, style, slider] = opens.map((m) => m.content);
    const state = (slider.data as Data).state;
    assert.equal(state._model_module, "@jupyter-widgets/controls");
    assert.equal(state._model_module_version, "2.0.0");
    assert.equal(state._view_name, "IntSliderView");
    assert.deepEqual([state.value, state.min, state.max, state.step, state.description], [3, 0, 10, 1, "n"]);
    assert.equal(state.continuous_update, true);
    assert.equal(state.layout, `IPY_MODEL_${layout.comm_id}`);
    assert.equal(state.style, `IPY_MODEL_${style.comm_id}`);
    const result = iopub.find((m) => m.header.msg_type === "execute_result")!;
    const data = result.content.data as Data;
    assert.deepEqual(data[VIEW], { model_id: slider.comm_id, version_major: 2, version_minor: 1 });
    assert.match(data["text/plain"], /^IntSlider\(value=3/);
    sliderId = String(slider.comm_id);
  });

  it("completion lists a widget's traits, on the instance and in the options object", async () => {
    for (const code of ["s.contin", "widgets.FloatSlider({ readoutF"]) {
      const { reply } = await c.request("shell", "complete_request", { code, cursor_pos: code.length });
      const matches = reply.content.matches as string[];
      assert.ok(matches.some((m) => /^(continuousUpdate|readoutFormat)\??$/.test(m)), `${code}: ${JSON.stringify(matches).slice(0, 300)}`);
    }
  });

  it("update from the kernel: setting a trait sends method update with that trait", async () => {
    const iopub = await run("s.value = 7;");
    const upd = iopub.find((m) => m.header.msg_type === "comm_msg")!;
    assert.equal(upd.content.comm_id, sliderId);
    assert.deepEqual(upd.content.data, { method: "update", state: { value: 7 }, buffer_paths: [] });
  });

  it("update from the frontend: echo_update, the kernel-side value changes and observers get { name, old, new }", async () => {
    await run("s.observe((c) => console.log(`observed ${c.name} ${c.old} -> ${c.new}`), 'value');");
    const start = from();
    const upd = await commMsg(sliderId, { method: "update", state: { value: 9 }, buffer_paths: [] });
    const echo = await waitComm((d) => d.method === "echo_update", "echo_update", start);
    assert.deepEqual(echo.content.data, { method: "echo_update", state: { value: 9 }, buffer_paths: [] });
    // Status idle for the update comes once the kernel has handled it (the widget manager holds
    // the model's next update until then).
    const status = await c.iopubUntilIdle(upd);
    assert.ok(c.iopub.all.indexOf(status[status.length - 1]) > c.iopub.all.indexOf(echo));
    await c.iopub.wait((m) => m.header.msg_type === "stream" && String(m.content.text).includes("observed value 7 -> 9"), 10_000, "the observer's output", start);
    assert.equal(await value("s.value"), "9");
    // The frontend's own value is not sent back as an update.
    assert.ok(!c.iopub.all.slice(start).some((m) => m.header.msg_type === "comm_msg" && (m.content.data as Data).method === "update"));
  });

  it("request_state: the frontend gets every trait in one update", async () => {
    const start = from();
    await commMsg(sliderId, { method: "request_state" });
    const m = await waitComm((d) => d.method === "update" && d.state?.value !== undefined, "the state", start);
    const state = (m.content.data as Data).state;
    assert.equal(state.value, 9);
    assert.equal(state._model_name, "IntSliderModel");
  });

  it("custom: a click reaches onClick; send() reaches the frontend", async () => {
    const iopub = await run("const b = widgets.Button({ description: 'go' }); let clicks = 0; b.onClick(() => clicks++); display(b); b.send({ hello: 1 });");
    const id = String(iopub.find((m) => m.header.msg_type === "comm_open" && (m.content.data as Data).state._model_name === "ButtonModel")!.content.comm_id);
    const custom = iopub.find((m) => m.header.msg_type === "comm_msg" && m.content.comm_id === id)!;
    assert.deepEqual(custom.content.data, { method: "custom", content: { hello: 1 } });
    await commMsg(id, { method: "custom", content: { event: "click" } });
    await commMsg(id, { method: "custom", content: { event: "click" } });
    let n = "";
    for (let i = 0; i < 50 && n !== "2"; i++) n = await value("clicks");
    assert.equal(n, "2");
  });

  it("binary buffers: an Image opens with its bytes as a buffer, and a frontend update with buffers sets them", async () => {
    const iopub = await run("const img = widgets.Image({ value: new Uint8Array([1, 2, 3]), format: 'png' }); img.onMsg((content, bufs) => img.send({ got: bufs.map((b) => Array.from(b)) }, [new Uint8Array([9, 8])]));");
    const open = iopub.find((m) => m.header.msg_type === "comm_open" && (m.content.data as Data).state._model_name === "ImageModel")!;
    assert.deepEqual((open.content.data as Data).buffer_paths, [["value"]]);
    assert.equal("value" in (open.content.data as Data).state, false);
    assert.deepEqual([...open.buffers[0]], [1, 2, 3]);
    const id = String(open.content.comm_id);
    let start = from();
    await commMsg(id, { method: "update", state: {}, buffer_paths: [["value"]] }, [Buffer.from([4, 5, 6, 7])]);
    const echo = await waitComm((d) => d.method === "echo_update", "echo_update with a buffer", start);
    assert.deepEqual((echo.content.data as Data).buffer_paths, [["value"]]);
    assert.deepEqual([...echo.buffers[0]], [4, 5, 6, 7]);
    assert.equal(await value("Array.from(img.value).join(',')"), "'4,5,6,7'");
    start = from();
    await commMsg(id, { method: "custom", content: {} }, [Buffer.from([1]), Buffer.from([2, 3])]);
    const reply = await waitComm((d) => d.method === "custom", "the custom reply", start);
    assert.deepEqual((reply.content.data as Data).content, { got: [[1], [2, 3]] });
    assert.deepEqual([...reply.buffers[0]], [9, 8]);
  });

  it("restore: jupyter.widget.control request_states answers update_states with every model, buffers included", async () => {
    const controlId = "control-" + Date.now();
    await c.send("shell", "comm_open", { comm_id: controlId, target_name: "jupyter.widget.control", data: {} });
    const start = from();
    await commMsg(controlId, { method: "request_states" });
    const m = await waitComm((d) => d.method === "update_states", "update_states", start);
    const data = m.content.data as Data;
    const slider = data.states[sliderId];
    assert.equal(slider.model_name, "IntSliderModel");
    assert.equal(slider.model_module, "@jupyter-widgets/controls");
    assert.equal(slider.model_module_version, "2.0.0");
    assert.equal(slider.state.value, 9);
    const img = Object.entries(data.states as Data).find(([, s]) => s.model_name === "ImageModel")!;
    const at = (data.buffer_paths as string[][]).findIndex((p) => p[0] === img[0]);
    assert.deepEqual(data.buffer_paths[at], [img[0], "state", "value"]);
    assert.deepEqual([...m.buffers[at]], [4, 5, 6, 7]);
  });

  it("bad input: an unknown trait or a malformed message is reported on stderr; the widget keeps its state", async () => {
    let start = from();
    await commMsg(sliderId, { method: "update", state: { value: "many", nope: 1 }, buffer_paths: [] });
    const err = await c.iopub.wait((m) => m.header.msg_type === "stream" && m.content.name === "stderr" && String(m.content.text).includes('unknown trait "nope"'), 10_000, "the error on stderr", start);
    assert.match(String(err.content.text), /IntSlider\.value must be an int/);
    start = from();
    await c.send("shell", "comm_msg", { comm_id: sliderId, data: "garbage" } as unknown as Json);
    await c.send("shell", "comm_msg", { data: { method: "update" } });
    await c.send("shell", "comm_msg", { comm_id: sliderId, data: { method: "dance" } });
    await c.iopub.wait((m) => m.header.msg_type === "stream" && String(m.content.text).includes('unknown widget message method "dance"'), 10_000, "the bad-method error", start);
    assert.equal(await value("s.value"), "9");
  });

  it("a click reaches a synchronous loop that polls (the fast path past the shell queue)", async () => {
    const iopub = await run("const stopBtn = widgets.Button({ description: 'stop' }); let stopped = false; stopBtn.onClick(() => { stopped = true; });");
    const id = String(iopub.find((m) => m.header.msg_type === "comm_open" && (m.content.data as Data).state._model_name === "ButtonModel")!.content.comm_id);
    const req = await c.send("shell", "execute_request", { code: "const t0 = Date.now(); while (!stopped && Date.now() - t0 < 8000) comms.poll(); Date.now() - t0", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    await c.iopub.wait((m) => parentId(m) === req.msg_id && m.header.msg_type === "execute_input", 10_000, "the loop to start");
    await new Promise((r) => setTimeout(r, 300));
    const clickReq = await commMsg(id, { method: "custom", content: { event: "click" } });
    // Busy, then idle once the loop has handled it, before the cell ends.
    const status = await c.iopubUntilIdle(clickReq, 5000);
    assert.deepEqual(status.map((m) => m.content.execution_state), ["busy", "idle"]);
    const reply = await c.reply(req as Header, 15_000);
    assert.ok(arrivedAt(status[1]) < arrivedAt(reply), "idle for the click came while the loop ran");
    assert.equal(reply.content.status, "ok");
    await c.iopubUntilIdle(req);
    const result = c.iopub.all.find((m) => parentId(m) === req.msg_id && m.header.msg_type === "execute_result")!;
    assert.ok(Number((result.content.data as Data)["text/plain"]) < 3000, `the loop ran ${(result.content.data as Data)["text/plain"]} ms`);
  });

  it("close: widget.close() sends comm_close; a frontend comm_close drops the widget", async () => {
    const iopub = await run("s.close(); const t = widgets.Text({ value: 'x' }); t.modelId");
    assert.ok(iopub.some((m) => m.header.msg_type === "comm_close" && m.content.comm_id === sliderId));
    const id = String(iopub.find((m) => m.header.msg_type === "execute_result")!.content.data && (iopub.find((m) => m.header.msg_type === "execute_result")!.content.data as Data)["text/plain"]).replace(/'/g, "");
    await c.send("shell", "comm_close", { comm_id: id, data: {} });
    assert.equal(await value("widgets.instances.has(t.modelId) || t.comm !== null"), "false");
  });
});
