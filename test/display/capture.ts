// test/display/capture.ts
// Records what the display code sends through the sink, in order, as the kernel would publish it.
import type { MimeBundle } from "../../runtime/io";
import { setDisplaySink, type SinkOptions } from "../../runtime/display/sink";
import { resetPlotlyLoader } from "../../runtime/display/plotly";

export interface Sent { bundle: MimeBundle; opts: SinkOptions }

/** Install a recording sink for the duration of a test; returns the list and a restore function. */
export function captureDisplays(): { sent: Sent[]; restore(): void } {
  const sent: Sent[] = [];
  resetPlotlyLoader();
  const prev = setDisplaySink((bundle, opts) => { sent.push({ bundle, opts }); });
  return { sent, restore: () => { setDisplaySink(prev); resetPlotlyLoader(); } };
}
