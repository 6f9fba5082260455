// kernel/io/sigint.ts
// Starts the SIGINT watcher thread (kernel/io/sigint_watch.ts) from the socket thread and passes on
// what it sees: "ready" (the main thread then drops its own fallback listener and tells it to arm)
// and each signal. If it cannot start, the main thread's fallback stays (signals may then be lost).
import { Worker } from "node:worker_threads";
import { log } from "../log";

export interface SigintWatcher { arm(): void }

export function watchSigint(on: { ready(): void; signal(): void }): SigintWatcher | undefined {
  let w: Worker;
  try {
    w = new Worker(require.resolve("./sigint_watch"), { stdout: false, stderr: false,
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 } });
  } catch (err) {
    log.warn("cannot start the SIGINT watcher; interrupts by signal may be lost", err);
    return undefined;
  }
  w.unref();
  w.on("message", (m: string) => {
    if (m === "ready") { log.debug("SIGINT watcher ready"); return on.ready(); }
    log.debug("SIGINT seen by the watcher");
    on.signal();
  });
  w.on("error", (err) => log.warn("SIGINT watcher failed", err));
  return { arm: () => w.postMessage("arm") };
}
