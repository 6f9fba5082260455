// test/kernel/interrupt_stress.test.ts
// Issue 11: interrupt a training loop anywhere and keep training. The real kernel, one per
// interrupt mode (signal: SIGINT to the process; message: interrupt_request on control), runs
// training loops of four kinds on cpu and on webgpu and is interrupted after a random 20-150 ms,
// COUNT times per kind; then the same loops with an error thrown mid-step at a random step. After
// each one a cell runs one plain SGD step, which must lower the loss, and checks that grad mode
// is on, the default device unchanged, and the live buffer count back near its baseline.
// TSGRAD_INTERRUPT_STRESS=200 presses harder; the default is the 50.
// Build first: npm run build.
import assert from "node:assert/strict";
import { join } from "node:path";
import { Client, parentId } from "../helpers/client";
import { startKernel, type KernelProcess } from "../helpers/kernel_proc";
import type { Message } from "../../kernel/wire";

const COUNT = Math.max(50, Number(process.env.TSGRAD_INTERRUPT_STRESS ?? 50));
/** Buffers above the baseline a check may find: a step's gradients and temporaries not yet collected. */
const BOUND = 8;
const DIST = join(__dirname, "../../dist");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const streamText = (msgs: Message[]) => msgs.filter((m) => m.header.msg_type === "stream").map((m) => m.content.text).join("");

/** Setup for one device: data, a small MLP with its starting weights, the loops' Adam, a plain SGD
 * for the checking step, reset() before each loop, check() after it. Suffix `_d` per device. */
function setup(device: "cpu" | "webgpu", d: string): string {
  return `// @ts-nocheck
torch.manualSeed(11);
const X_${d} = torch.randn([256, 16], { device: "${device}" });
const Y_${d} = torch.randint(0, 4, [256], { device: "${device}" });
const Xbad_${d} = torch.randn([256, 15], { device: "${device}" });
const l1_${d} = nn.Linear(16, 24).to("${device}"), l2_${d} = nn.Linear(24, 4).to("${device}");
const forward_${d} = (x) => l2_${d}.forward(l1_${d}.forward(x).relu());
const params_${d} = [...l1_${d}.parameters(), ...l2_${d}.parameters()];
const init_${d} = params_${d}.map((p) => p.detach().clone());
const opt_${d} = optim.Adam(params_${d}, { lr: 1e-3 });
const sgd_${d} = optim.SGD(params_${d}, { lr: 0.05 });
/** Back to the starting weights (the loss then stays far from its floor), and say so. */
function reset_${d}() {
  noGrad(() => params_${d}.forEach((p, i) => p.copy_(init_${d}[i])));
  console.log("started");
}
function loss_${d}() { return F.crossEntropy(forward_${d}(X_${d}), Y_${d}); }
/** Live buffers once the garbage is collected: young garbage first (a scavenge takes ~1 ms),
 * a full collection (~100 ms here) only when that leaves more than \`bound\` above \`base\`.
 * Finalizers run in a task after the collection; on a loaded machine the sleep's timer can come
 * first, so the later tries wait longer (one CI run on a loaded machine read 31 buffers against a baseline of 20). */
async function live_${d}(base, bound) {
  let n = Infinity;
  for (const [major, wait] of [[false, 2], [false, 2], [true, 10], [true, 50], [true, 200]]) {
    if (major) forceGc(); else forceGc({ type: "minor" });
    await sleep(wait);
    n = torch.memory("${device}").buffers;
    if (n - base <= bound) break;
  }
  return n;
}
/** One plain SGD step, what it did, and what is left. */
async function check_${d}(base = 0, bound = Infinity) {
  const grad = torch.isGradEnabled();
  const l = loss_${d}();
  sgd_${d}.zeroGrad(); l.backward(); sgd_${d}.step(); sgd_${d}.zeroGrad();
  const before = await l.item();
  const after = await noGrad(() => loss_${d}()).item();
  return JSON.stringify({ grad, before, after, device: torch.getDefaultDevice(), buffers: await live_${d}(base, bound) });
}`;
}

const LOOPS: [string, (d: string) => string][] = [
  ["a synchronous training loop", (d) => `reset_${d}(); let steps_${d} = 0;
for (;;) { const l = loss_${d}(); opt_${d}.zeroGrad(); l.backward(); opt_${d}.step(); steps_${d}++; }`],
  ["an async training loop awaiting every step", (d) => `reset_${d}(); let ticks_${d} = 0;
for (;;) { const l = loss_${d}(); opt_${d}.zeroGrad(); l.backward(); opt_${d}.step(); await l.item(); ticks_${d}++; }`],
  ["a training loop inside tidy", (d) => `reset_${d}();
tidy(() => { for (;;) { const l = loss_${d}(); opt_${d}.zeroGrad(); l.backward(); opt_${d}.step(); } });`],
  ["an evaluation loop inside noGrad", (d) => `reset_${d}(); let evals_${d} = 0;
noGrad(() => { for (;;) { forward_${d}(X_${d}).argmax(1).eq(Y_${d}).sum(); evals_${d}++; } });`],
];

const ERRORS: [string, string, (d: string, at: number) => string][] = [
  ["a shape error inside forward inside tidy", "ShapeError", (d, at) => `reset_${d}(); let n_${d} = 0;
for (;;) { tidy(() => { const l = F.crossEntropy(forward_${d}(n_${d} === ${at} ? Xbad_${d} : X_${d}), Y_${d}); opt_${d}.zeroGrad(); l.backward(); opt_${d}.step(); }); n_${d}++; }`],
  ["a throw in a backward hook", "Error", (d, at) => `reset_${d}(); let n_${d} = 0;
for (;;) {
  const h = l1_${d}.forward(X_${d}).relu();
  const at = n_${d};
  h.registerHook(() => { if (at === ${at}) throw new Error("hook failed at step ${at}"); });
  const l = F.crossEntropy(l2_${d}.forward(h), Y_${d});
  opt_${d}.zeroGrad(); l.backward(); opt_${d}.step(); n_${d}++;
}`],
];

for (const mode of ["signal", "message"] as const) {
  describe(`interrupt stress (${mode} mode), ${COUNT} per kind`, function () {
    this.timeout(600_000);
    let k: KernelProcess, c: Client;
    const baseline: Record<string, number> = {};

    const interrupt = async () => {
      if (mode === "signal") { k.proc.kill("SIGINT"); return; }
      const r = await c.request("control", "interrupt_request");
      assert.equal(r.reply.content.status, "ok");
    };
    const ok = async (code: string) => {
      const { reply, iopub } = await c.execute(code, {}, 60_000);
      assert.equal(reply.content.status, "ok", `${code.slice(0, 80)}: ${reply.content.ename}: ${reply.content.evalue}`);
      return streamText(iopub);
    };
    const check = async (d: string, what: string) => {
      const s = JSON.parse(await ok(`console.log(await check_${d}(${baseline[d]}, ${BOUND}));`));
      assert.equal(s.grad, true, `${what}: grad mode is off`);
      assert.equal(s.device, "cpu", `${what}: default device changed`);
      assert.ok(s.after < s.before, `${what}: the step did not lower the loss (${s.before} -> ${s.after})`);
      assert.ok(s.buffers - baseline[d] <= BOUND, `${what}: ${s.buffers} live buffers, baseline ${baseline[d]}`);
    };

    before(async function () {
      k = await startKernel();
      c = new Client(k.connection);
      await c.ready();
      await ok(`// @ts-nocheck
import * as v8 from "v8"; import * as vm from "vm";
import { getBackend } from ${JSON.stringify(join(DIST, "runtime/tensor/backend"))};
v8.setFlagsFromString("--expose-gc");
const forceGc = vm.runInNewContext("gc");
getBackend("cpu").untrackedBelow = 0;   // count every CPU storage, small ones too`);
    });
    after(async () => { c?.close(); await k?.stop(); });
    afterEach(function () {
      if (this.currentTest?.state === "failed") process.stderr.write(`--- kernel log ---\n${k.log().slice(-4000)}\n`);
    });

    for (const device of ["cpu", "webgpu"] as const) {
      const d = device === "cpu" ? "c" : "g";
      describe(device, () => {
        before(async () => {
          await ok(setup(device, d));
          await ok(`reset_${d}(); for (let i = 0; i < 3; i++) { const l = loss_${d}(); opt_${d}.zeroGrad(); l.backward(); opt_${d}.step(); }`);
          baseline[d] = JSON.parse(await ok(`console.log(await check_${d}(0, -1));`)).buffers;
        });

        for (const [kind, code] of LOOPS) {
          it(`${kind}: ${COUNT} interrupts at random points, then a step lowers the loss`, async () => {
            for (let i = 0; i < COUNT; i++) {
              const what = `${kind}, interrupt ${i + 1}`;
              const req = await c.send("shell", "execute_request", { code: code(d), silent: false, stop_on_error: false });
              await c.iopub.wait((m) => parentId(m) === req.msg_id && m.header.msg_type === "stream", 30_000, "the loop's start");
              await sleep(20 + Math.random() * 130);
              await interrupt();
              const reply = await c.reply(req, 10_000).catch((e) => { throw new Error(`${what}: ${(e as Error).message}`); });
              assert.equal(reply.content.ename, "Interrupted", `${what}: ${reply.content.ename}: ${reply.content.evalue}`);
              await c.iopubUntilIdle(req);
              await check(d, what);
            }
          });
        }

        for (const [kind, ename, code] of ERRORS) {
          it(`${kind}: ${COUNT} errors at random steps, then a step lowers the loss`, async () => {
            for (let i = 0; i < COUNT; i++) {
              const at = Math.floor(Math.random() * 40);
              const what = `${kind}, error ${i + 1} at step ${at}`;
              const { reply } = await c.execute(code(d, at), { stop_on_error: false }, 60_000);
              assert.equal(reply.content.ename, ename, `${what}: ${reply.content.ename}: ${reply.content.evalue}`);
              assert.equal(JSON.parse(await ok(`console.log(JSON.stringify(n_${d}))`)), at, `${what}: the step counter kept the step it reached`);
              await check(d, what);
            }
          });
        }
      });
    }
  });
}
