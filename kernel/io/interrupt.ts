// kernel/io/interrupt.ts
// Interrupt escalation on the socket thread, for interrupt_request (and a SIGINT from outside, seen
// by kernel/io/sigint_watch.ts): set the shared flag the runtime reads at every top-level await
// (this stops a loop over settled promises, which never yields to the event loop), and ask the
// main thread by message, naming the request that runs now (the oldest shell request not done), so
// an interrupt never reaches the cell queued after it. When the main thread is free (the cell
// awaits something) it calls Evaluator.interrupt() and acknowledges at once. When it is not (a
// synchronous loop), an interrupt_request raises SIGINT after INTERRUPT_GRACE_MS and vm's
// breakOnSigint stops the loop; it is raised again until the main thread acknowledges, but only
// while that same request still runs. A SIGINT from outside needs no raise: it has already stopped
// any synchronous step (the watchdog stays up, see sigint_watch.ts).
import type { ToMain } from "../bridge";
import { log } from "../log";

const INTERRUPT_GRACE_MS = 50, INTERRUPT_TRIES = 10;
export const INTERRUPT_RETRY_MS = 500;
/** A SIGINT the watcher reports this soon after we raised one is ours, not the user's. */
const OWN_SIGNAL_MS = 250;

export class Interrupter {
  private id = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastSelfRaise = -Infinity;

  constructor(private readonly flag: Int32Array, private readonly toMain: (m: ToMain) => void,
    /** The shell request running on the main thread now, if any. */
    private readonly running: () => number | undefined,
    /** Leaves a debugger pause first (else the main thread never sees the interrupt); true when it was paused. */
    private readonly unpause: (target: number | undefined) => boolean) {}

  /** SIGINT to this process: vm's breakOnSigint stops a synchronous step of the main thread. */
  raise(): void {
    log.debug("raising SIGINT");
    this.lastSelfRaise = performance.now();
    process.kill(process.pid, "SIGINT");
  }

  /** A signal seen now is most likely the one we raised. */
  isOwnSignal(): boolean { return performance.now() - this.lastSelfRaise < OWN_SIGNAL_MS; }

  /** Interrupt the running cell; `raise`: escalate to SIGINT while the main thread does not answer. */
  interrupt(raise: boolean): void {
    const target = this.running();
    if (this.unpause(target)) raise = true;
    const id = ++this.id;
    clearTimeout(this.timer);
    if (target !== undefined) Atomics.store(this.flag, 0, 1);
    this.toMain({ k: "interrupt", id, target });
    if (!raise || target === undefined) return;
    let tries = 0;
    const tick = () => {
      if (this.id !== id || this.running() !== target || tries++ >= INTERRUPT_TRIES) return;
      this.raise();
      this.timer = setTimeout(tick, INTERRUPT_RETRY_MS);
    };
    this.timer = setTimeout(tick, INTERRUPT_GRACE_MS);
  }

  /** The main thread has stopped (or was not running) the cell of interrupt `id`. */
  acknowledged(id: number): void {
    if (id !== this.id) return;
    this.id++;
    clearTimeout(this.timer);
  }
}
