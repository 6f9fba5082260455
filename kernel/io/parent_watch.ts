// kernel/io/parent_watch.ts
// Like ipykernel's ParentPollerUnix: when the process that launched us (JPY_PARENT_PID) is gone,
// nobody can shut us down, so leave. Runs on the socket thread, not on the main thread a cell may block.
import { log } from "../log";

export function watchParent(onGone: () => void): void {
  const pid = Number(process.env.JPY_PARENT_PID);
  if (!Number.isInteger(pid) || pid <= 1) return;
  const poll = setInterval(() => {
    try { process.kill(pid, 0); } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") return;
      log.warn(`parent process ${pid} is gone; shutting down`);
      clearInterval(poll);
      onGone();
    }
  }, 1000);
  poll.unref();
}
