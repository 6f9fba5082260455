// test/interop/jupyterlab_services.test.ts
// JupyterLab's own client library (@jupyterlab/services) drives tsgrad through a real
// jupyter_server from the venv, the way JupyterLab does: REST to list kernelspecs and start a
// session, then the kernel's websocket for execute / iopub / complete / interrupt / restart.
import { KernelManager, KernelSpecAPI, SessionManager, type Kernel, type KernelMessage, type Session } from "@jupyterlab/services";
import assert from "node:assert/strict";
import { assertInstalled } from "./helpers";
import { startJupyterServer, type RunningServer } from "./jupyter_server";

interface Executed { reply: KernelMessage.IExecuteReplyMsg; iopub: KernelMessage.IIOPubMessage[] }

async function execute(kernel: Kernel.IKernelConnection, code: string, onIOPub?: (m: KernelMessage.IIOPubMessage) => void): Promise<Executed> {
  const future = kernel.requestExecute({ code, stop_on_error: false });
  const iopub: KernelMessage.IIOPubMessage[] = [];
  future.onIOPub = (m) => { iopub.push(m); onIOPub?.(m); };
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  return { reply, iopub };
}
const types = (e: Executed) => e.iopub.map((m) => m.header.msg_type);
const plain = (e: Executed): string | undefined => {
  const r = e.iopub.find((m) => m.header.msg_type === "execute_result") as KernelMessage.IExecuteResultMsg | undefined;
  return r?.content.data["text/plain"] as string | undefined;
};

describe("interop: @jupyterlab/services through jupyter_server", function () {
  this.timeout(120_000);
  let server: RunningServer;
  let kernels: KernelManager;
  let sessions: SessionManager;
  let session: Session.ISessionConnection;
  const kernel = () => session.kernel!;

  before(async () => {
    assertInstalled();
    server = await startJupyterServer();
    kernels = new KernelManager({ serverSettings: server.settings });
    sessions = new SessionManager({ kernelManager: kernels, serverSettings: server.settings });
    await sessions.ready;
  });
  after(async () => {
    try { await session?.shutdown(); } catch { /* the server may already be gone */ }
    sessions?.dispose();
    kernels?.dispose();
    await server?.stop();
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`--- jupyter server log\n${server.log().slice(-4000)}`);
  });

  it("lists the tsgrad kernelspec with its display name and language", async () => {
    const specs = await KernelSpecAPI.getSpecs(server.settings);
    const spec = specs.kernelspecs.tsgrad;
    assert.ok(spec, `kernelspecs: ${Object.keys(specs.kernelspecs).join(", ")}`);
    assert.equal(spec.display_name, "TypeScript (tsgrad)");
    assert.equal(spec.language, "typescript");
  });

  it("the same server serves JupyterLab, Notebook 7 and the kernel's launcher logos", async () => {
    const get = (path: string) => fetch(`${server.url}${path}`, { headers: { Authorization: `token ${server.token}` } });
    for (const page of ["lab", "tree"]) {
      const res = await get(page);
      assert.equal(res.status, 200, page);
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    }
    const specs = (await (await get("api/kernelspecs")).json()) as { kernelspecs: Record<string, { resources: Record<string, string> }> };
    const resources = specs.kernelspecs.tsgrad.resources;
    for (const name of ["logo-32x32", "logo-64x64", "logo-svg"]) {
      assert.ok(resources[name], `kernelspec resource ${name}: ${JSON.stringify(resources)}`);
      const res = await get(resources[name].replace(/^\//, ""));
      assert.equal(res.status, 200, resources[name]);
      assert.match(res.headers.get("content-type") ?? "", name === "logo-svg" ? /image\/svg\+xml/ : /image\/png/);
    }
  });

  it("starts a notebook session on tsgrad and gets kernel_info over the websocket", async () => {
    session = await sessions.startNew({ path: "interop.ipynb", type: "notebook", name: "interop.ipynb", kernel: { name: "tsgrad" } });
    const info = await kernel().info;
    assert.equal(info.language_info.name, "typescript");
    assert.equal(info.status, "ok");
    assert.equal(kernel().name, "tsgrad");
  });

  it("execute: busy, execute_input, stream, execute_result, idle, all on the websocket", async () => {
    const e = await execute(kernel(), 'console.log("from lab"); const labValue = { alpha: 1, beta: 2 }; labValue.alpha + labValue.beta');
    assert.equal(e.reply.content.status, "ok");
    assert.deepEqual(types(e), ["status", "execute_input", "stream", "execute_result", "status"]);
    const stream = e.iopub[2] as KernelMessage.IStreamMsg;
    assert.equal(stream.content.text, "from lab\n");
    assert.equal(plain(e), "3");
    assert.ok(e.iopub.every((m) => (m.parent_header as KernelMessage.IHeader).msg_id === e.reply.parent_header.msg_id));
  });

  it("complete: members of a variable a previous cell declared", async () => {
    const code = "labValue.";
    const reply = await kernel().requestComplete({ code, cursor_pos: code.length });
    assert.equal(reply.content.status, "ok");
    if (reply.content.status !== "ok") return;
    assert.ok(reply.content.matches.includes("alpha") && reply.content.matches.includes("beta"), reply.content.matches.join(", "));
    assert.equal(reply.content.cursor_start, code.length);
  });

  it("interrupt stops a busy loop, and the kernel keeps its variables", async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => { started = r; });
    const pending = execute(kernel(), 'console.log("looping"); for (;;) {}', (m) => {
      if (m.header.msg_type === "stream") started();
    });
    await running;
    await new Promise((r) => setTimeout(r, 300));
    await kernel().interrupt();
    const e = await pending;
    assert.equal(e.reply.content.status, "error");
    const err = e.iopub.find((m) => m.header.msg_type === "error") as KernelMessage.IErrorMsg | undefined;
    assert.match(err?.content.ename ?? "", /Interrupt/);
    const after = await execute(kernel(), "labValue.beta");
    assert.equal(after.reply.content.status, "ok");
    assert.equal(plain(after), "2");
  });

  it("restart gives a fresh kernel: execution count back to 1, earlier variables gone", async () => {
    const before = kernel().id;
    await kernel().restart();
    assert.equal(kernel().id, before, "same kernel id, as JupyterLab expects after a restart");
    const e = await execute(kernel(), "6 * 7");
    assert.equal(e.reply.content.status, "ok");
    assert.equal(plain(e), "42");
    assert.equal(e.reply.content.execution_count, 1);
    const gone = await execute(kernel(), "labValue.alpha");
    assert.equal(gone.reply.content.status, "error");
    if (gone.reply.content.status === "error") assert.match(`${gone.reply.content.evalue}`, /labValue/);
  });
});
