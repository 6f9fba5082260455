// runtime/errors.ts
// User-facing error classes of the runtime and toJupyterError(): ename / evalue / traceback for
// an exception thrown by a cell. Cell frames are rewritten to `at cell [5], line 3:22` through
// a frame mapper the evaluator supplies; frames of the kernel, the runtime and Node internals are
// cut (STYLE §5). Knows nothing about how cells are compiled or run.

/** Type errors of a cell: every diagnostic in cell coordinates, one per line. */
export class TSError extends Error {
  override name = "TSError";
  constructor(readonly diagnostics: string[]) {
    super(diagnostics.join("\n"));
  }
}

/** What an interrupted cell reports (SIGINT or interrupt_request). */
export class Interrupted extends Error {
  override name = "Interrupted";
  constructor() {
    super("execution interrupted by the user");
  }
}

export interface JupyterError { ename: string; evalue: string; traceback: string[] }

/** One stack frame as V8 prints it, parsed. */
export interface Frame { fn?: string; file: string; line: number; column: number }

/** Maps a frame of a cell to its text (`cell [5], line 3:22`); returns undefined for a frame
 * that is not a cell's, null for a cell's own wrapper frame (never shown). */
export type FrameMapper = (frame: Frame) => string | null | undefined;

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;

/** Frames of these files are the kernel's own and never shown. */
function isInternal(file: string, hidden: readonly string[]): boolean {
  return file.startsWith("node:") || file.startsWith("internal/") || file === "<anonymous>" ||
    file.includes("/node_modules/tsx/") || hidden.some((dir) => file.startsWith(dir));
}

export function errorName(err: unknown): string {
  if (err instanceof Error) {
    const n = err.name || err.constructor?.name;
    return typeof n === "string" && n ? n : "Error";
  }
  return "Error";
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return String(err.message);
  if (err && typeof err === "object" && "message" in err) return String((err as { message: unknown }).message);
  try { return typeof err === "string" ? err : JSON.stringify(err) ?? String(err); } catch { return String(err); }
}

/** ename is the class, evalue the message; the traceback is `Name: message`, the mapped cell
 * frames (and frames of user packages), then any `hint:` lines of the message or err.hint. */
export function toJupyterError(err: unknown, mapFrame: FrameMapper, hiddenDirs: readonly string[] = []): JupyterError {
  const ename = errorName(err);
  const evalue = errorMessage(err);
  const [first, ...rest] = evalue.split("\n");
  const hints = rest.filter((l) => l.trim() !== "");
  const hint = err && typeof err === "object" && "hint" in err ? (err as { hint?: unknown }).hint : undefined;
  if (typeof hint === "string" && hint && !hints.some((h) => h.includes(hint))) hints.push(`hint: ${hint}`);
  const frames: string[] = [];
  let lastCell = -1;
  const stack = err instanceof Error && typeof err.stack === "string" ? err.stack : "";
  for (const raw of stack.split("\n")) {
    const m = FRAME.exec(raw);
    if (!m) continue;
    const frame: Frame = { fn: m[1], file: m[2], line: Number(m[3]), column: Number(m[4]) };
    const mapped = mapFrame(frame);
    if (mapped === null) continue;
    if (mapped !== undefined) {
      lastCell = frames.length;
      const fn = frame.fn?.replace(/^async /, "");
      frames.push(fn && !/^(Object\.)?<anonymous>$/.test(fn) && fn !== "eval" ? `    at ${fn} (${mapped})` : `    at ${mapped}`);
    } else if (!isInternal(frame.file, hiddenDirs)) {
      frames.push(raw.replace(/^\s*/, "    "));
    }
  }
  // Frames outside the outermost cell frame are whoever ran the cell (kernel, test runner).
  if (lastCell >= 0) frames.length = lastCell + 1;
  return { ename, evalue, traceback: [`${ename}: ${first}`, ...frames, ...hints] };
}
