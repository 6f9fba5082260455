// kernel/io/sigint_watch.ts
// A tiny worker_thread that sees every SIGINT the process gets, so none is lost.
// Why: user code runs on the main thread in steps under vm's breakOnSigint (runtime/evaluator.ts).
// Each step starts and stops Node's SIGINT watchdog, and a signal that lands while it stops (or
// while vm re-attaches the process "SIGINT" listeners) is dropped or even kills the process; a
// `for (;;) await sleep(10)` cell lost 3 of 12 interrupts that way. This thread sits forever in a
// breakOnSigint script of its own (two deep), so the watchdog never stops: the process's SIGINT
// handler stays Node's watchdog handler, every signal terminates this thread's inner script (and
// the main thread's current step, when there is one), and we report it to the socket thread.
// The main thread must then have no process.on("SIGINT") listener (vm would re-install libuv's
// handler over the watchdog's); kernel/main.ts removes its fallback listener before we arm.
import * as vm from "node:vm";
import { parentPort } from "node:worker_threads";

const port = parentPort!;
const park = new Int32Array(new SharedArrayBuffer(4));
const g = globalThis as Record<string, unknown>;
/** Blocks until a SIGINT terminates the script around it. */
g.__tsgradPark = () => { for (;;) Atomics.wait(park, 0, 0); };
const inner = new vm.Script("__tsgradPark()", { filename: "tsgrad-sigint-inner" });
/** The outer script's body: the inner watchdog is re-armed after each signal while the outer one
 * keeps the watchdog machinery running in between (so a second signal is never the default
 * action's). */
g.__tsgradWatch = () => {
  for (;;) {
    try { inner.runInThisContext({ breakOnSigint: true }); } catch { port.postMessage("sigint"); }
  }
};
const outer = new vm.Script("__tsgradWatch()", { filename: "tsgrad-sigint-outer" });
// Loaded: the main thread drops its own listener, then says "arm". In that order: dropping the last
// process listener makes libuv restore the default action, which would replace the watchdog's handler.
port.once("message", () => {
  // A signal that lands between two inner runs ends the outer script instead: report and re-enter.
  for (;;) {
    try { outer.runInThisContext({ breakOnSigint: true }); } catch { port.postMessage("sigint"); }
  }
});
port.postMessage("ready");
