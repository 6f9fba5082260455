// runtime/display/sink.ts
// The one seam between the figure library and the kernel. Figures, live curves and progress bars
// send display_data / update_display_data through a DisplaySink that the runtime injects
// (setDisplaySink) while a cell runs; outside a kernel the sink is null and nothing is sent, so
// everything here is testable without a kernel. Live objects also register a flush so the
// runtime can push their final state before the cell's execute_reply (flushDisplays).
import type { MimeBundle } from "../io";

export interface SinkOptions { displayId?: string; update?: boolean; metadata?: Record<string, unknown> }
/** Sends one display_data (or update_display_data when opts.update) to the frontend. */
export type DisplaySink = (bundle: MimeBundle, opts: SinkOptions) => void;

let sink: DisplaySink | null = null;

/** Called by the runtime (display.ts / index.ts) with a function that publishes on iopub;
 * null detaches it. Returns the previous sink so callers can restore it. */
export function setDisplaySink(next: DisplaySink | null): DisplaySink | null {
  const prev = sink;
  sink = next;
  return prev;
}

export function getDisplaySink(): DisplaySink | null { return sink; }

/** Send through the current sink; a no-op outside a kernel. Returns whether anything was sent. */
export function emit(bundle: MimeBundle, opts: SinkOptions = {}): boolean {
  if (!sink) return false;
  sink(bundle, opts);
  return true;
}

// Live objects (curves, progress bars) with an update not yet sent. The runtime calls
// flushDisplays() when a cell ends, before execute_reply, so the executed notebook (papermill,
// nbclient) keeps the final state: iopub messages after the cell's idle are dropped there.
const pending = new Set<() => void>();

export function markPending(flush: () => void): void { pending.add(flush); }
export function clearPending(flush: () => void): void { pending.delete(flush); }

/** Run every pending flush once. Safe to call at any time; errors in one do not stop others. */
export function flushDisplays(): void {
  const todo = [...pending];
  pending.clear();
  for (const f of todo) {
    try { f(); } catch { /* a broken live object must not break the cell's reply */ }
  }
}
