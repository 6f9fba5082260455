// test/runtime/display.test.ts
// display(), its mime helpers and handles, clearOutput, the $display protocol and comms, all
// through the real Evaluator with a recording CellIO.
import * as assert from "assert";
import { Evaluator } from "../../runtime/evaluator";
import type { CommIO } from "../../runtime/io";
import { plain, run } from "./recording_io";

describe("runtime/display", function () {
  this.timeout(60000);
  let ev: Evaluator;
  before(async () => { ev = new Evaluator(); await ev.warmUp(); });

  it("display(value) shows text/plain without colours and returns a handle with an id", async () => {
    const { out, io } = await run(ev, "const h = display({ a: [1, 2] }); h.id");
    const ds = io.displays();
    assert.strictEqual(ds.length, 1);
    assert.deepStrictEqual(ds[0].bundle, { "text/plain": "{ a: [ 1, 2 ] }" });
    assert.strictEqual(plain(out), `'${ds[0].displayId}'`);
    assert.strictEqual(ds[0].update, false);
  });

  it("handle.update(obj) sends update_display_data to the same display id", async () => {
    const { io } = await run(ev, "const hu = display.html('<p>0</p>');\nfor (let i = 1; i <= 2; i++) hu.update(i);");
    const ds = io.displays();
    assert.deepStrictEqual(ds.map((d) => [d.bundle, d.update]), [
      [{ "text/html": "<p>0</p>", "text/plain": "[HTML]" }, false],
      [{ "text/plain": "1" }, true], [{ "text/plain": "2" }, true]]);
    assert.ok(ds.every((d) => d.displayId === ds[0].displayId));
  });

  it("mime helpers: markdown, svg, png, jpeg, json, latex, text", async () => {
    const { io } = await run(ev, "display.markdown('# T'); display.svg('<svg/>'); display.png(new Uint8Array([137, 80]));\n" +
      "display.jpeg('AAAA'); display.json({ k: [1] }); display.latex('$a$'); display.text('plain');");
    assert.deepStrictEqual(io.displays().map((d) => d.bundle), [
      { "text/markdown": "# T", "text/plain": "# T" },
      { "image/svg+xml": "<svg/>", "text/plain": "[SVG image]" },
      { "image/png": "iVA=", "text/plain": "[PNG image]" },
      { "image/jpeg": "AAAA", "text/plain": "[JPEG image]" },
      { "application/json": { k: [1] }, "text/plain": "{\n  \"k\": [\n    1\n  ]\n}" },
      { "text/latex": "$a$", "text/plain": "$a$" },
      { "text/plain": "plain" },
    ]);
  });

  it("objects with [Symbol.for('Jupyter.display')] display rich, also when async", async () => {
    const { io } = await run(ev, "class Card { [$display]() { return { 'text/html': '<div>card</div>', 'text/plain': 'card' }; } }\n" +
      "display(new Card());\ndisplay({ async [Symbol.for('Jupyter.display')]() { return { 'text/markdown': '*a*' }; } });\n" +
      "await sleep(5);");
    assert.deepStrictEqual(io.displays().map((d) => d.bundle),
      [{ "text/html": "<div>card</div>", "text/plain": "card" }, { "text/markdown": "*a*" }]);
  });

  it("clearOutput({ wait }) reaches CellIO.clearOutput", async () => {
    const { io } = await run(ev, "clearOutput(); clearOutput({ wait: true });");
    assert.deepStrictEqual(io.calls, [{ kind: "clear", wait: false }, { kind: "clear", wait: true }]);
  });

  it("display ids given by the caller are used, metadata passes through", async () => {
    const { io } = await run(ev, "display.bundle({ 'text/plain': 'x' }, { id: 'fixed-id', metadata: { isolated: true } });");
    assert.deepStrictEqual(io.displays()[0], { kind: "display", bundle: { "text/plain": "x" }, metadata: { isolated: true },
      displayId: "fixed-id", update: false });
  });

  describe("comms", () => {
    const sent: [string, Record<string, unknown>][] = [];
    const commIO: CommIO = { send: (t, c) => { sent.push([t, c]); } };
    before(() => ev.setCommIO(commIO));

    it("a target registered in a cell answers comm_open and comm_msg from the frontend", async () => {
      plain((await run(ev, "const got: unknown[] = [];\ncomms.registerTarget('echo', (comm, open) => {\n" +
        "  got.push(open.data);\n  comm.onMsg((data) => { got.push(data); comm.send({ echo: data.x }); });\n" +
        "  comm.onClose((data) => got.push({ closed: data }));\n});")).out);
      ev.commMessage("comm_open", { comm_id: "c1", target_name: "echo", data: { hello: 1 } });
      assert.deepStrictEqual(ev.commInfo(), { c1: { target_name: "echo" } });
      assert.deepStrictEqual(ev.commInfo("other"), {});
      ev.commMessage("comm_msg", { comm_id: "c1", data: { x: 42 } });
      // Comm metadata travels in the message's metadata, not in content (the messaging spec).
      assert.deepStrictEqual(sent.pop(), ["comm_msg", { comm_id: "c1", data: { echo: 42 } }]);
      ev.commMessage("comm_close", { comm_id: "c1", data: { bye: true } });
      assert.deepStrictEqual(ev.commInfo(), {});
      assert.strictEqual(plain((await run(ev, "JSON.stringify(got)")).out), `'[{"hello":1},{"x":42},{"closed":{"bye":true}}]'`);
    });

    it("comms.open from a cell sends comm_open, then send and close", async () => {
      sent.length = 0;
      plain((await run(ev, "const cm = comms.open('jupyter.widget', { state: 1 });\ncm.send({ a: 2 });\ncm.close();")).out);
      assert.deepStrictEqual(sent.map(([t]) => t), ["comm_open", "comm_msg", "comm_close"]);
      assert.strictEqual(sent[0][1].target_name, "jupyter.widget");
      assert.deepStrictEqual(sent[0][1].data, { state: 1 });
      assert.ok(sent.every(([, c]) => c.comm_id === sent[0][1].comm_id));
    });

    it("comm_open for an unknown target is answered with comm_close", () => {
      sent.length = 0;
      ev.commMessage("comm_open", { comm_id: "c9", target_name: "nobody", data: {} });
      assert.deepStrictEqual(sent, [["comm_close", { comm_id: "c9", data: {} }]]);
    });
  });
});
