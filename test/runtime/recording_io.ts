// test/runtime/recording_io.ts
// A CellIO that records every call, for driving the real Evaluator in tests, plus small helpers
// to run a cell and read what it produced.
import type { CellIO, MimeBundle, Outcome } from "../../runtime/io";
import type { Evaluator } from "../../runtime/evaluator";

export type Call =
  | { kind: "stream"; name: "stdout" | "stderr"; text: string }
  | { kind: "display"; bundle: MimeBundle; metadata: Record<string, unknown>; displayId?: string; update?: boolean }
  | { kind: "clear"; wait: boolean }
  | { kind: "input"; prompt: string; password: boolean };

export class RecordingIO implements CellIO {
  readonly calls: Call[] = [];
  answers: string[] = [];
  stream(name: "stdout" | "stderr", text: string): void { this.calls.push({ kind: "stream", name, text }); }
  display(bundle: MimeBundle, metadata: Record<string, unknown>, opts: { displayId?: string; update?: boolean }): void {
    this.calls.push({ kind: "display", bundle, metadata, displayId: opts.displayId, update: opts.update });
  }
  clearOutput(wait: boolean): void { this.calls.push({ kind: "clear", wait }); }
  input(prompt: string, password: boolean): Promise<string> {
    this.calls.push({ kind: "input", prompt, password });
    return Promise.resolve(this.answers.shift() ?? "");
  }
  text(name: "stdout" | "stderr"): string {
    return this.calls.filter((c): c is Extract<Call, { kind: "stream" }> => c.kind === "stream" && c.name === name)
      .map((c) => c.text).join("");
  }
  displays(): Extract<Call, { kind: "display" }>[] {
    return this.calls.filter((c): c is Extract<Call, { kind: "display" }> => c.kind === "display");
  }
}

let count = 0;
/** Runs one cell with a fresh RecordingIO. */
export async function run(ev: Evaluator, code: string, cwd?: string): Promise<{ out: Outcome; io: RecordingIO; count: number }> {
  const io = new RecordingIO();
  const n = ++count;
  const out = await ev.execute(code, io, { executionCount: n, silent: false, storeHistory: true, allowStdin: true, cwd });
  return { out, io, count: n };
}

/** The text/plain of an ok outcome's result; throws with the error otherwise. */
export function plain(out: Outcome): string | undefined {
  if (out.status !== "ok") throw new Error(`cell failed: ${out.ename}: ${out.evalue}\n${out.traceback.join("\n")}`);
  return out.result?.["text/plain"] as string | undefined;
}
