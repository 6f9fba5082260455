// runtime/console.ts
// Cell output: console.* and process.stdout/stderr.write from a cell go to the cell's CellIO as
// stream messages (log/info/debug -> stdout, warn/error -> stderr). Code outside any cell (the
// kernel, test runners) keeps writing to the real streams.
import { Console } from "console";
import { EventEmitter } from "events";
import type { CellIO } from "./io";

let installed = false;

/** Replaces globalThis.console and wraps process.stdout/stderr.write, once per process.
 * `cellIO` is where console output goes; `writeIO` where writes to the process streams go
 * (narrower: only code running for a cell, never Node's own relaying of a worker's output). */
export function installConsole(cellIO: () => CellIO | undefined, writeIO: () => CellIO | undefined = cellIO): void {
  if (installed) return;
  installed = true;
  const original = globalThis.console;
  const sink = (name: "stdout" | "stderr", real: NodeJS.WriteStream) => {
    const realWrite = real.write.bind(real);
    // Writes of the real stream reach the cell too (process.stdout.write inside a cell).
    real.write = ((chunk: unknown, ...rest: unknown[]) => {
      const io = writeIO();
      if (!io) return (realWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
      io.stream(name, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      if (cb) queueMicrotask(cb);
      return true;
    }) as typeof real.write;
    return Object.assign(new EventEmitter(), {
      write(chunk: string | Uint8Array): boolean {
        const io = cellIO();
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
        if (io) io.stream(name, text);
        else realWrite(text);
        return true;
      },
    });
  };
  const cellConsole = new Console({
    stdout: sink("stdout", process.stdout) as unknown as NodeJS.WritableStream,
    stderr: sink("stderr", process.stderr) as unknown as NodeJS.WritableStream,
    colorMode: false,
  });
  // Keep the methods a Console instance lacks (console.Console, profile, timeStamp, ...).
  const merged = Object.assign(Object.create(Object.getPrototypeOf(original)), original, bindAll(cellConsole));
  Object.defineProperty(globalThis, "console", { value: merged, writable: true, configurable: true, enumerable: false });
}

function bindAll(c: Console): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(c) as (keyof Console)[]) {
    const v = c[key];
    if (typeof v === "function") out[key] = (v as (...a: unknown[]) => unknown).bind(c);
  }
  return out;
}
