// test/kernel/magics.test.ts
// Issue 16 through the wire: every magic, `!cmd`, `x = !cmd` and `?name` sent by a real ZeroMQ
// client to the real kernel (dist/kernel/main.js; build first). Includes `%npm install` of small
// real packages from the registry into a temp notebook folder, then importing them (with
// @types for one that ships none), `!` with a failing command, `%timeit` on a webgpu tensor
// (lavapipe where there is no GPU), and misuse that must never kill the kernel.
import assert from "node:assert/strict";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, arrivedAt, parentId } from "../helpers/client";
import { startKernel, type KernelProcess } from "../helpers/kernel_proc";
import type { Message } from "../../kernel/wire";

const types = (msgs: Message[]) => msgs.map((m) => m.header.msg_type);
const stdout = (msgs: Message[]) => msgs.filter((m) => m.header.msg_type === "stream" && m.content.name === "stdout").map((m) => m.content.text).join("");
const stderr = (msgs: Message[]) => msgs.filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map((m) => m.content.text).join("");
const result = (msgs: Message[]) => (msgs.find((m) => m.header.msg_type === "execute_result")?.content.data as Record<string, string> | undefined)?.["text/plain"];

describe("kernel magics", function () {
  let k: KernelProcess, c: Client;
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "tsgrad-magics-")));
  const npmDir = realpathSync(mkdtempSync(join(tmpdir(), "tsgrad-npm-")));
  before(async () => {
    k = await startKernel();
    c = new Client(k.connection);
    await c.ready();
    await c.execute("const warm = 1;", {}, 60_000);
  });
  after(async () => {
    c?.close();
    await k?.stop();
    for (const d of [dir, npmDir]) rmSync(d, { recursive: true, force: true });
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed") process.stderr.write(`--- kernel log ---\n${k.log()}\n`);
  });

  /** Runs a cell that must succeed; returns its iopub messages. */
  async function ok(code: string, timeoutMs = 30_000): Promise<Message[]> {
    const { reply, iopub } = await c.execute(code, {}, timeoutMs);
    assert.equal(reply.content.status, "ok", `${code}\n${reply.content.ename}: ${reply.content.evalue}`);
    return iopub;
  }
  async function fails(code: string, timeoutMs = 30_000): Promise<{ ename: string; evalue: string; iopub: Message[] }> {
    const { reply, iopub } = await c.execute(code, {}, timeoutMs);
    assert.equal(reply.content.status, "error", code);
    assert.ok(types(iopub).includes("error"));
    return { ename: String(reply.content.ename), evalue: String(reply.content.evalue), iopub };
  }

  it("%cd, %pwd, %env: change folder, show it, show and set variables", async () => {
    assert.equal(stdout(await ok(`%cd ${dir}`)), `${dir}\n`);
    assert.equal(result(await ok("%pwd")), `'${dir}'`);
    assert.equal(stdout(await ok("%env TSGRAD_MAGIC=on")), "env: TSGRAD_MAGIC=on\n");
    assert.equal(result(await ok("%env TSGRAD_MAGIC")), "'on'");
    assert.match(result(await ok("%env"))!, /TSGRAD_MAGIC: 'on'/);
    assert.equal(result(await ok("process.env.TSGRAD_MAGIC")), "'on'");
  });

  it("%time and %%time print CPU and wall time and keep the value and the declarations", async () => {
    const line = await ok("%time const timed = [1, 2, 3].map((x) => x * 2)\ntimed.length");
    assert.match(stdout(line), /^CPU times: user .+, sys: .+, total: .+\nWall time: [\d.]+ (s|ms|µs|ns)\n$/);
    assert.equal(result(line), "3");
    const expr = await ok("%time timed[2] + 1");
    assert.equal(result(expr), "7");
    const cell = await ok("%%time\nlet acc = 0\nfor (let i = 0; i < 1000; i++) acc += i\nacc");
    assert.match(stdout(cell), /^CPU times: .*\nWall time: /);
    assert.equal(result(cell), "499500");
  });

  it("%timeit and %%timeit on a webgpu tensor: IPython's line, with queued GPU work waited for", async () => {
    await ok("const g = torch.ones([64, 64], { device: 'webgpu' }); g.device", 60_000);
    const line = stdout(await ok("%timeit -n 4 -r 3 g.matmul(g)", 60_000));
    assert.match(line, /^[\d.]+ (s|ms|µs|ns) ± [\d.]+ (s|ms|µs|ns) per loop \(mean ± std\. dev\. of 3 runs, 4 loops each\)\n$/);
    const cell = stdout(await ok("%%timeit -n 2 -r 2 const h = g.add(1)\nconst s = h.matmul(h).sum()", 60_000));
    assert.match(cell, /per loop \(mean ± std\. dev\. of 2 runs, 2 loops each\)/);
    // Without -n the loop count is chosen as IPython does (a run of at least 0.2 s).
    assert.match(stdout(await ok("%timeit 1 + 1", 60_000)), /per loop \(mean ± std\. dev\. of 7 runs, [\d,]+ loops each\)/);
    const quiet = await ok("%timeit -o -q -n 1 -r 2 g.sum()", 60_000);
    assert.equal(stdout(quiet), "", "-q prints nothing");
    assert.match(result(quiet)!, /loops: 1,\s+repeat: 2,\s+all: \[/, "-o returns the timings");
  });

  it("%who and %whos list the notebook's names; a tensor shows shape, dtype and device", async () => {
    await ok("const wt = torch.zeros([2, 3]); let wn = 5; function wf(a: number) { return a; }");
    const who = stdout(await ok("%who"));
    for (const n of ["wt", "wn", "wf", "g"]) assert.match(who, new RegExp(`(^|\\t)${n}(\\t|\\n)`));
    assert.doesNotMatch(who, /\b(torch|nn|display|__tsgMagic)\b/, "the runtime's own globals are not the notebook's names");
    const whos = stdout(await ok("%whos"));
    assert.match(whos, /^Variable +Type +Data\/Info\n-+\n/);
    assert.match(whos, /\nwt +Tensor +\[2, 3\] float32 cpu\n/);
    assert.match(whos, /\ng +Tensor +\[64, 64\] float32 webgpu\n/);
    assert.match(whos, /\nwn +number +5\n/);
    assert.match(whos, /\nwf +function +wf\(1 args\)\n/);
    assert.equal(stdout(await ok("%who Tensor")), "g\twt\n", "%who <type> lists the names of that type");
  });

  it("!cmd streams live; a failing command is an error naming its exit code; x = !cmd is a string[]", async () => {
    const req = await c.send("shell", "execute_request", { code: "!echo one; sleep 1; echo two >&2", silent: false });
    const first = await c.iopub.wait((m) => parentId(m) === req.msg_id && m.header.msg_type === "stream", 10_000, "the first line");
    const reply = await c.reply(req, 10_000);
    assert.equal(reply.content.status, "ok");
    assert.equal(first.content.text, "one\n");
    assert.ok(arrivedAt(reply) - arrivedAt(first) > 500, "the first line came while the command still ran");
    const msgs = await c.iopubUntilIdle(req);
    assert.equal(stderr(msgs), "two\n");

    const failed = await fails("!echo about to fail; exit 3");
    assert.equal(failed.ename, "ShellError");
    assert.match(failed.evalue, /exited with code 3/);
    assert.equal(stdout(failed.iopub), "about to fail\n");

    assert.equal(result(await ok("const lines = !printf 'a\\nb c\\n'\nlines")), "[ 'a', 'b c' ]");
    assert.equal(stdout(await ok("const word = 'hi'; const k = 2\n!echo {word.toUpperCase()} $k {k * 3} $HOME_NOT_A_NAME")), "HI 2 6\n",
      "{expr} and $name of the notebook's names are interpolated; other $VARS are the shell's");
    const typed = await fails("const n: number = lines");
    assert.match(typed.evalue, /Type 'string\[\]' is not assignable to type 'number'/, "the checker sees string[]");
    assert.equal(result(await ok("let flag = true\nflag = !flag\nflag")), "false", "TypeScript's ! on a name stays TypeScript");
  });

  it("?name, name? and name?? open the pager with the documentation (execute_reply payload)", async () => {
    for (const code of ["?Math.max", "Math.max?", "Math.max??"]) {
      const { reply, iopub } = await c.execute(code);
      assert.equal(reply.content.status, "ok");
      const payload = reply.content.payload as { source: string; data: Record<string, string>; start: number }[];
      assert.equal(payload.length, 1, code);
      assert.equal(payload[0].source, "page");
      assert.equal(payload[0].start, 0);
      assert.match(payload[0].data["text/plain"], /Math\.max\(\.\.\.values: number\[\]\): number[\s\S]*larger of a set/);
      assert.match(payload[0].data["text/markdown"], /```ts/);
      assert.deepEqual(types(iopub), ["status", "execute_input", "status"]);
    }
    assert.match(stdout(await ok("?noSuchNameAnywhere")), /Object `noSuchNameAnywhere` not found/);
    await ok("/** Doubles. */\nfunction twice(v: number) { return v * 2; }");
    const { reply } = await c.execute("twice??");
    const [page] = reply.content.payload as { data: Record<string, string> }[];
    assert.match(page.data["text/plain"], /^function twice\(v: number\): number\n\nDoubles\.\n\nSource:\nfunction twice\(v\) \{ return v \* 2; \}$/);
  });

  it("%load puts a file into the cell (set_next_input payload, replacing the cell)", async () => {
    writeFileSync(join(dir, "helper.ts"), "const loaded = 41;\nloaded + 1\n");
    const { reply } = await c.execute("%load helper.ts");
    assert.equal(reply.content.status, "ok");
    assert.deepEqual(reply.content.payload, [{ source: "set_next_input", text: "// %load helper.ts\nconst loaded = 41;\nloaded + 1", replace: true }]);
    assert.match((await fails("%load missing.ts")).evalue, /%load: cannot read missing\.ts/);
  });

  it("%%html, %%markdown show their body; %%bash runs it, and a non-zero exit is an error", async () => {
    const html = await ok("%%html\n<b>bold</b>");
    const d = html.find((m) => m.header.msg_type === "display_data")!;
    assert.equal((d.content.data as Record<string, string>)["text/html"], "<b>bold</b>");
    const md = await ok("%%markdown\n# Title\n*x*");
    assert.equal((md.find((m) => m.header.msg_type === "display_data")!.content.data as Record<string, string>)["text/markdown"], "# Title\n*x*");
    assert.equal(stdout(await ok("%%bash\nfor i in 1 2; do echo \"n$i\"; done")), "n1\nn2\n");
    const bad = await fails("%%bash\necho partial\nexit 4");
    assert.match(bad.evalue, /%%bash: exited with code 4/);
  });

  it("%nocheck and %%nocheck run a cell without type checking; %lsmagic lists the magics", async () => {
    assert.equal((await fails("const nc: number = 'text'")).ename, "TSError");
    assert.equal(result(await ok("%nocheck\nconst nc: number = 'text'; nc")), "'text'");
    assert.equal(result(await ok("%%nocheck\nconst nc2: number = 'more'; nc2")), "'more'");
    const ls = stdout(await ok("%lsmagic"));
    assert.match(ls, /%time  %timeit  %env  %cd  %pwd  %who  %whos  %reset  %nocheck  %lsmagic  %load  %npm/);
    assert.match(ls, /%%time  %%timeit  %%nocheck  %%html  %%markdown  %%bash/);
  });

  it("an unknown magic is a UsageError listing the known ones, and the kernel keeps serving", async () => {
    const e = await fails("%nosuch 1");
    assert.equal(e.ename, "UsageError");
    assert.match(e.evalue, /unknown magic %nosuch\. Line magics: %time .* cell magics: %%time/);
    assert.match((await fails("%%nosuch\n1")).evalue, /unknown magic %%nosuch/);
    assert.equal(result(await ok("1 + 1")), "2");
  });

  it("complete offers magic names after % and %%; is_complete understands magics", async () => {
    const comp = await c.request("shell", "complete_request", { code: "%ti", cursor_pos: 3 });
    assert.deepEqual(comp.reply.content.matches, ["%time", "%timeit", "%%time", "%%timeit"]);
    assert.equal(comp.reply.content.cursor_start, 0);
    const cell = await c.request("shell", "complete_request", { code: "%%ba", cursor_pos: 4 });
    assert.deepEqual(cell.reply.content.matches, ["%%bash"]);
    for (const [code, status] of [["%time 1 + 1", "complete"], ["%time foo(", "incomplete"], ["!ls -la", "complete"],
      ["%%bash\necho hi", "incomplete"], ["%%bash\necho hi\n\n", "complete"], ["%nosuch", "invalid"]]) {
      const r = await c.request("shell", "is_complete_request", { code });
      assert.equal(r.reply.content.status, status, code);
    }
  });

  it("%npm install puts a registry package in the notebook's folder; the next cell imports it, typed", async () => {
    await ok(`%cd ${npmDir}`);
    const install = await ok("%npm install is-odd@3.0.1", 180_000);
    assert.match(stdout(install), /added \d+ packages?/);
    assert.match(stdout(install), /added types from @types\/is-odd/);
    assert.equal(result(await ok('import isOdd from "is-odd";\nisOdd(7)')), "true");
    const typed = await fails('import isOdd2 from "is-odd";\nconst wrong: string = isOdd2(3)');
    assert.match(typed.evalue, /2:7 - Type 'boolean' is not assignable to type 'string'/, "types come from @types/is-odd");
    await ok("%npm install left-pad@1.3.0", 180_000);
    assert.equal(result(await ok('import leftPad from "left-pad";\nleftPad("7", 3, "0")')), "'007'");
    assert.equal(result(await ok("!ls node_modules | sort\n%pwd")), `'${npmDir}'`);
  });

  it("a failing %npm install reports npm's error and the kernel lives on", async () => {
    const e = await fails("%npm install tsgrad-no-such-package-zz9", 180_000);
    assert.equal(e.ename, "ShellError");
    assert.match(e.evalue, /npm install tsgrad-no-such-package-zz9: exited with code 1\n.*404/s);
    assert.match(stderr(e.iopub), /npm (error|ERR!)/);
    assert.equal((await fails("%npm")).ename, "UsageError");
    assert.equal(result(await ok("2 + 2")), "4");
  });

  it("an interrupt stops a running shell command; variables are kept", async () => {
    await ok("let keptShell = 1");
    const req = await c.send("shell", "execute_request", { code: "!echo started; sleep 30", silent: false });
    await c.iopub.wait((m) => parentId(m) === req.msg_id && m.header.msg_type === "stream", 10_000, "started");
    const t = performance.now();
    await c.request("control", "interrupt_request");
    const reply = await c.reply(req, 5000);
    assert.equal(reply.content.ename, "Interrupted");
    assert.ok(performance.now() - t < 2000);
    assert.equal(result(await ok("keptShell")), "1");
  });

  it("%reset -f deletes the notebook's names for the runtime and the checker", async () => {
    await ok("const doomed = 3");
    assert.match((await fails("%reset")).evalue, /this frontend cannot ask; use %reset -f/, "without -f it asks, and here stdin is not allowed");
    assert.equal(result(await ok("doomed")), "3");
    await ok("%reset -f");
    assert.equal(stdout(await ok("%who")), "Interactive namespace is empty.\n");
    assert.match((await fails("doomed", 60_000)).evalue, /Cannot find name 'doomed'/);
    assert.equal(result(await ok("const doomed = 'again'; doomed")), "'again'", "the name can be declared anew");
  });
});
