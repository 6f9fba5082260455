// kernel/log.ts
// The kernel's own log: one line per event on file descriptor 2 (Jupyter keeps it in the server log).
// Writes with fs.writeSync so lines from the socket thread appear even while a cell blocks the main
// thread (a worker's process.stderr is relayed through the main thread). Never given the signing key.
import { writeSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type Level = keyof typeof LEVELS;

const threshold: number = LEVELS[(process.env.TSGRAD_LOG as Level) in LEVELS ? (process.env.TSGRAD_LOG as Level) : "info"];
const thread = isMainThread ? "main" : "sockets";

function detail(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return typeof err === "string" ? err : JSON.stringify(err);
}

function write(level: Level, message: string, err?: unknown): void {
  if (LEVELS[level] < threshold) return;
  const line = `[tsgrad ${level} ${new Date().toISOString()} ${thread}] ${message}` +
    (err === undefined ? "" : `: ${detail(err)}`) + "\n";
  try { writeSync(2, line); } catch { /* stderr closed: nothing else to tell */ }
}

export const log = {
  debug: (message: string, err?: unknown) => write("debug", message, err),
  info: (message: string, err?: unknown) => write("info", message, err),
  warn: (message: string, err?: unknown) => write("warn", message, err),
  error: (message: string, err?: unknown) => write("error", message, err),
  enabled: (level: Level) => LEVELS[level] >= threshold,
};
