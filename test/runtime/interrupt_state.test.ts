// test/runtime/interrupt_state.test.ts
// Issue 11 in one process: the real Evaluator, its cells stopped by SIGINT (breakOnSigint ends
// JavaScript between any two calls and runs no `finally`) or by an error. What such a cell leaves:
// its lets keep the values they reached; grad mode, tidy scopes and the default device are put
// back (runtime/tensor/state.ts); each parameter's optimizer step is whole or not started; scratch
// storages an op had checked out go back to the pool.
// A worker thread interrupts once the cell says it is running (Atomics on `__go`), after a random
// delay, as the kernel does: SIGINT, and the evaluator's shared interrupt flag (the only way once
// WebGPU is in use, see runtimeHooks.breakOnSigint). The test waits until both are sent, so neither
// lands in the next cell.
import * as assert from "assert";
import { Worker } from "worker_threads";
import { Evaluator } from "../../runtime/evaluator";
import { isGradEnabled } from "../../runtime/tensor/autograd";
import { inTidy } from "../../runtime/tensor/memory";
import { getDefaultDevice } from "../../runtime/tensor/kernels";
import { getBackend } from "../../runtime/tensor/backend";
import { settleState } from "../../runtime/tensor/state";
import { runtimeHooks } from "../../runtime/index";
import type { WebGpuBackend } from "../../gpu/backend";
import { plain, run } from "./recording_io";

const g = globalThis as unknown as Record<string, any>;
const noop = () => {};

describe("runtime: what an interrupted or failed cell leaves (#11)", function () {
  this.timeout(300_000);
  let ev: Evaluator;
  let worker: Worker;
  /** [0]: 1 once a cell waits for its interrupt, 2 once it was sent; [1]: the delay in ms. */
  const shared = new Int32Array(new SharedArrayBuffer(8));

  before(async () => {
    ev = new Evaluator({ typecheck: false });
    await ev.warmUp();
    process.on("SIGINT", noop);   // a signal that lands after the loop must not end mocha
    g.__go = () => { Atomics.store(shared, 0, 1); Atomics.notify(shared, 0); };
    worker = new Worker(`const { workerData } = require("worker_threads");
      const s = new Int32Array(workerData.shared), flag = new Int32Array(workerData.flag, 0, 1);
      for (;;) {
        for (let v; (v = Atomics.load(s, 0)) !== 1;) Atomics.wait(s, 0, v);
        Atomics.wait(s, 1, s[1], s[1]);   // sleep the delay
        process.kill(process.pid, "SIGINT");
        Atomics.store(flag, 0, 1);
        Atomics.store(s, 0, 2);
      }`, { eval: true, workerData: { shared: shared.buffer, flag: ev.interruptBuffer } });
  });
  after(async () => {
    await worker?.terminate();
    delete g.__go;
    setTimeout(() => process.off("SIGINT", noop), 1000);
  });

  /** Runs a cell that calls `__go()` and then loops until the SIGINT, `ms` after __go(). */
  async function interrupted(code: string, ms = 20 + Math.random() * 100): Promise<void> {
    Atomics.store(shared, 1, Math.round(ms));
    for (let attempt = 0; ; attempt++) {
      const { out } = await run(ev, code);
      assert.ok(out.status === "error" && out.ename === "Interrupted", JSON.stringify(out));
      // Node's watchdog thread can hand a SIGINT on late, to the next cell: one that stopped
      // before __go() was hit by the previous interrupt; run it again.
      if (Atomics.load(shared, 0) === 0 && attempt < 3) continue;
      while (Atomics.load(shared, 0) !== 2) await new Promise((r) => setTimeout(r, 1));
      Atomics.store(shared, 0, 0);
      await new Promise((r) => setTimeout(r, 100));   // a SIGINT still on its way reaches the no-op listener
      return;
    }
  }
  const value = async (expr: string): Promise<unknown> => {
    const { out, io } = await run(ev, `console.log(JSON.stringify(${expr}))`);
    plain(out);
    return JSON.parse(io.text("stdout"));
  };

  describe("variables", () => {
    // These loops call nothing, so only SIGINT (breakOnSigint) stops them, which the runtime turns
    // off once WebGPU is in use: another test file in this process may have started it.
    let saved: () => boolean;
    before(() => { saved = runtimeHooks.breakOnSigint; runtimeHooks.breakOnSigint = () => true; });
    after(() => { runtimeHooks.breakOnSigint = saved; });

    it("a failed cell keeps what its lets reached: reassigned, destructured, for-of targets, closures", async () => {
      const { out } = await run(ev, "let va = 1, vb = 2, vf = () => 'first', vn = 0;\n[va, vb] = [vb, va];\nvf = () => 'second';\n" +
        "for (vn of [5, 6, 7]) {}\n{ let va = 100; va++; }\nvn++;\nlet vs = 'x'; vs += 'y';\nthrow new Error('stop');\nlet vNever = 1;");
      assert.strictEqual(out.status, "error");
      assert.deepStrictEqual(await value("[va, vb, vf(), vn, vs, typeof vNever]"), [2, 1, "second", 8, "xy", "undefined"]);
    });

    it("an interrupted synchronous loop keeps its counters, also after an await and inside nested blocks", async () => {
      await interrupted("let vi = 0, vlast = -1;\n__go();\nwhile (true) { vi++; if (vi % 2 === 0) { vlast = vi; } }");
      const [i, last] = await value("[vi, vlast]") as number[];
      assert.ok(i > 0 && (last === i || last === i - 1 || last === i - 2), `vi ${i}, vlast ${last}`);
      await interrupted("await sleep(1);\nlet vj = 0;\n__go();\nfor (;;) vj += 2;");
      const j = await value("vj") as number;
      assert.ok(j > 0 && j % 2 === 0, `vj ${j}`);
    });
  });

  describe("optimizer steps", () => {
    // Every element of a parameter starts at 0 and gets gradient 1 at every step, so after k whole
    // steps the parameter and its state are uniform and follow a known trajectory. A torn kernel
    // leaves elements that differ; state written without its parameter (or the reverse) leaves a
    // pair that is on no trajectory.
    const N = 1 << 18;
    const adam = (fused: boolean) => (k: number, s: Record<string, number>) => {
      const lr = 2 ** -7;
      assert.ok(Math.abs(s.expAvgSq - (1 - 0.999 ** k)) < 3e-4 * 0.999 ** k, `Adam${fused ? "" : " (tensor ops)"}: v ${s.expAvgSq} at step ${k}`);
      assert.ok(Math.abs(s.p + k * lr) < lr / 4, `Adam${fused ? "" : " (tensor ops)"}: p ${s.p} at step ${k} (expected ${-k * lr})`);
    };
    const cases: [string, string, (k: number, s: Record<string, number>) => void][] = [
      ["Adam (fused)", "optim.Adam(op, { lr: 2 ** -7 })", adam(true)],
      ["Adam (tensor ops)", "optim.Adam(op, { lr: 2 ** -7, fused: false })", adam(false)],
      ["RMSprop", "optim.RMSprop(op, { lr: 2 ** -10, alpha: 0.99 })", (k, s) => {
        let p = 0;
        for (let j = 1; j <= k; j++) p -= 2 ** -10 / (Math.sqrt(1 - 0.99 ** j) + 1e-8);
        assert.ok(Math.abs(s.squareAvg - (1 - 0.99 ** k)) < 3e-3 * 0.99 ** k || k > 400, `RMSprop: squareAvg ${s.squareAvg} at step ${k}`);
        assert.ok(Math.abs(s.p - p) < 2 ** -12, `RMSprop: p ${s.p} at step ${k} (expected ${p})`);
      }],
      ["Adagrad", "optim.Adagrad(op, { lr: 2 ** -8 })", (k, s) => {
        let p = 0;
        for (let j = 1; j <= k; j++) p -= 2 ** -8 / (Math.sqrt(j) + 1e-10);
        assert.strictEqual(s.sum, k, `Adagrad: sum ${s.sum} at step ${k}`);
        assert.ok(Math.abs(s.p - p) < 2 ** -10 / Math.sqrt(k + 1), `Adagrad: p ${s.p} at step ${k} (expected ${p})`);
      }],
      ["SGD (momentum)", "optim.SGD(op, { lr: 2 ** -12, momentum: 0.99 })", (_, s) => {
        // No step count: some step k must have both this momentum buffer and this parameter.
        let buf = 0, p = 0;
        for (let k = 1; k < 20_000; k++) {
          buf = buf * 0.99 + 1;
          p -= 2 ** -12 * buf;
          if (Math.abs(buf - s.momentumBuffer) < Math.max(1e-4, 0.99 ** (k - 1) / 3) && Math.abs(s.p - p) < 2 ** -12 * buf / 4) return;
        }
        assert.fail(`SGD: momentum buffer ${s.momentumBuffer} and parameter ${s.p} are of no single step`);
      }],
    ];
    for (const device of ["cpu", "webgpu"] as const) {
      for (const [name, make, expect] of cases) {
        it(`${name} on ${device}: each parameter's step is whole or not started, 10 interrupts`, async () => {
          const n = device === "cpu" ? N : N / 16;
          plain((await run(ev, `const op = [0, 1].map(() => nn.Parameter(torch.zeros([${n}], { device: "${device}" })));\n` +
            `const og = torch.ones([${n}], { device: "${device}" });\nlet oo = ${make};`)).out);
          for (let i = 0; i < 10; i++) {
            await interrupted(`noGrad(() => op.forEach((p) => p.zero_()));\noo = ${make};\n__go();\n` +
              "for (;;) { for (const p of op) p.grad = og; oo.step(); }");
            const sd = g.oo.stateDict() as { state: Record<number, Record<string, unknown>> };
            for (const [j, p] of (g.op as Readable[]).entries()) {
              const st = sd.state[j] ?? {};
              const values: Record<string, number> = { p: uniform(await p.data(), `${name}: parameter ${j}`) };
              for (const [key, v] of Object.entries(st)) {
                values[key] = typeof v === "number" ? v : uniform(await (v as Readable).data(), `${name}: ${key} of ${j}`);
              }
              const k = (values.step ?? 0) as number;
              if (values.p === 0 && Object.keys(st).length <= 1 && !k) continue;   // not started
              expect(k, values);
            }
          }
        });
      }
    }
  });

  describe("library state", () => {
    it("an interrupt inside noGrad, tidy, withDevice or opt.step leaves grad mode on, no scope open, the default device", async () => {
      await interrupted("__go(); noGrad(() => { for (;;) torch.ones([8]).add(1); });");
      assert.strictEqual(isGradEnabled(), true);
      await interrupted("__go(); tidy(() => { for (;;) torch.ones([8]).add(1); });");
      assert.strictEqual(inTidy(), false);
      await interrupted("torch.webgpu; __go(); torch.withDevice('webgpu', () => { for (;;) torch.ones([8]); });");
      assert.strictEqual(getDefaultDevice(), "cpu");
      await interrupted("const sp = [nn.Parameter(torch.ones([64]))]; const so = optim.SGD(sp, { lr: 0.1 });\n" +
        "__go(); for (;;) { sp[0].grad = torch.ones([64]); so.step(); }");
      assert.strictEqual(isGradEnabled(), true);
      assert.strictEqual(inTidy(), false);
      // What a cell sets on purpose stays.
      plain((await run(ev, "torch.setGradEnabled(false);")).out);
      assert.strictEqual(isGradEnabled(), false);
      plain((await run(ev, "torch.setGradEnabled(true);")).out);
    });

    it("scratch storages an op left checked out go back to the pool (webgpu, native cpu)", async () => {
      plain((await run(ev, "await torch.webgpu.init(); 1")).out);
      const gpu = getBackend("webgpu") as WebGpuBackend;
      const before = gpu.memory().buffers;
      gpu.temp(1024, "float32");   // an op cut short after taking a temporary
      assert.strictEqual(gpu.memory().buffers, before + 1);
      settleState();
      assert.strictEqual(gpu.memory().buffers, before);
      const cpu = getBackend("cpu") as unknown as { scratch?: { take(b: unknown): unknown; size: number }; alloc(n: number, d: string): unknown };
      if (!cpu.scratch) return;   // the reference backend takes no scratch
      cpu.scratch.take(cpu.alloc(4096, "float32"));
      settleState();
      assert.strictEqual(cpu.scratch.size, 0);
    });
  });
});

interface Readable { data(): Promise<ArrayLike<number>> }

/** The one value every element of a tensor holds (a torn write leaves two). */
function uniform(a: ArrayLike<number>, what: string): number {
  const first = a[0];
  const other = Array.prototype.find.call(a, (x: number) => x !== first);
  assert.ok(other === undefined, `${what}: elements differ (${first} and ${other}): a torn write`);
  return first;
}
