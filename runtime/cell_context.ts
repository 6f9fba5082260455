// runtime/cell_context.ts
// Which cell is running: an AsyncLocalStorage store that follows a cell's awaits, timers and
// callbacks, so output written later (a timer, an unawaited promise) reaches the cell that
// started it, and an interrupted cell's continuations keep seeing their interrupt flag.
// Also the cell-visible helpers built on it: sleep(), input(), password(), throwIfInterrupted().
import { AsyncLocalStorage } from "async_hooks";
import type { CellIO } from "./io";
import { Interrupted } from "./errors";

export interface CellContext {
  io: CellIO;
  executionCount: number;
  interrupted: boolean;
  /** Wakes pending sleeps when the cell is interrupted. */
  readonly onInterrupt: Set<() => void>;
}

export const cellStorage = new AsyncLocalStorage<CellContext>();

/** Set to 1 by another thread (the kernel's socket thread) to interrupt the running cell. A loop
 * awaiting already-settled promises (`await loss.item()` on CPU) never returns to the event loop,
 * so a SIGINT handler on this thread would never run; this flag is read at each top-level await
 * and by throwIfInterrupted(). */
export let interruptSignal = new Int32Array(new SharedArrayBuffer(4));

/** Uses a buffer the kernel made before the runtime loaded (it hands the same one to its socket
 * thread at startup). */
export function setInterruptBuffer(buffer: SharedArrayBuffer): void {
  interruptSignal = new Int32Array(buffer, 0, 1);
}
let latest: CellContext | undefined;

export function newCellContext(io: CellIO, executionCount: number): CellContext {
  Atomics.store(interruptSignal, 0, 0);
  latest = { io, executionCount, interrupted: false, onInterrupt: new Set() };
  return latest;
}

/** The cell this code runs for; outside any cell, the most recent one (output of a stray
 * callback goes to the last cell rather than nowhere). */
export function currentCell(): CellContext | undefined {
  return cellStorage.getStore() ?? latest;
}

export function currentIO(): CellIO | undefined {
  return currentCell()?.io;
}

/** Marks a cell interrupted and wakes everything waiting on it. */
export function interruptCell(ctx: CellContext): void {
  ctx.interrupted = true;
  for (const wake of [...ctx.onInterrupt]) wake();
  ctx.onInterrupt.clear();
}

/** Whether `ctx` was interrupted, consuming a pending interrupt from another thread. */
export function isInterrupted(ctx: CellContext | undefined): boolean {
  if (!ctx) return false;
  if (!ctx.interrupted && ctx === latest && Atomics.load(interruptSignal, 0) !== 0) {
    Atomics.store(interruptSignal, 0, 0);
    interruptCell(ctx);
  }
  return ctx.interrupted;
}

/** Throws Interrupted when the calling cell was interrupted. Long-running library loops (tensor
 * ops, data loaders) call this so an async training loop stops at its next step. */
export function throwIfInterrupted(): void {
  if (isInterrupted(cellStorage.getStore())) throw new Interrupted();
}

/** throwIfInterrupted() for hot paths (the tensor op hook): two loads and a branch unless an
 * interrupt is pending, and only then the AsyncLocalStorage lookup that finds the calling cell. */
export function throwIfInterruptedFast(): void {
  if ((latest !== undefined && latest.interrupted) || Atomics.load(interruptSignal, 0) !== 0) throwIfInterrupted();
}

/** Resolves after `ms` milliseconds; rejects with Interrupted as soon as the cell is interrupted. */
export function sleep(ms = 0): Promise<void> {
  const ctx = cellStorage.getStore();
  if (isInterrupted(ctx)) return Promise.reject(new Interrupted());
  return new Promise<void>((resolve, reject) => {
    const wake = () => { clearTimeout(timer); reject(new Interrupted()); };
    const timer = setTimeout(() => { ctx?.onInterrupt.delete(wake); resolve(); }, ms);
    ctx?.onInterrupt.add(wake);
  });
}

function ask(prompt: string, password: boolean): Promise<string> {
  const io = currentIO();
  if (!io) return Promise.reject(new Error("input: no cell is running, so there is no frontend to ask"));
  return io.input(String(prompt), password);
}

/** Asks the frontend for a line of text (input_request). */
export function input(prompt = ""): Promise<string> { return ask(prompt, false); }
/** Like input(), with the answer hidden as it is typed. */
export function password(prompt = ""): Promise<string> { return ask(prompt, true); }
