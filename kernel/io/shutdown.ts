// kernel/io/shutdown.ts
// Shutdown from the socket thread (shutdown_request, or the parent process gone): tell the main
// thread, which exits after closing us. A cell that holds it gets SIGINT (again every 500 ms: one
// may land while the cell is still compiling); user code that ignores it gets SIGKILL after 5 s.
import type { ToMain } from "../bridge";
import { log } from "../log";
import { INTERRUPT_RETRY_MS } from "./interrupt";

const KILL_AFTER_MS = 5000;

export class Shutdown {
  private started = false;

  constructor(private readonly toMain: (m: ToMain) => void, private readonly shellBusy: () => boolean,
    private readonly raiseSigint: () => void, private readonly beforeExit: () => void) {}

  get requested(): boolean { return this.started; }

  start(restart: boolean): void {
    if (this.started) return;
    this.started = true;
    this.beforeExit();
    this.toMain({ k: "shutdown", restart });
    if (this.shellBusy()) this.raiseSigint();
    setInterval(() => { if (this.shellBusy()) this.raiseSigint(); }, INTERRUPT_RETRY_MS).unref();
    setTimeout(() => {
      log.warn("main thread did not exit after shutdown_request; killing the process");
      process.kill(process.pid, "SIGKILL");
    }, KILL_AFTER_MS).unref();
  }
}
