// kernel/debugger/scripts.ts
// Which script is which, for the debugger: the cell scripts the main thread announced (their
// dumped file and source map), every script V8 parsed (url, sourceMappingURL), and where a V8
// call frame is in the user's terms: a cell line, a line of tsgrad's TypeScript (through the
// source maps in dist/), or nowhere (the kernel's and Node's own frames, hidden).
import type { RemoteObject } from "./variables";
import { fileLineMap, type LineMap } from "./source_map";

export interface CallFrame {
  callFrameId: string; functionName: string; url: string;
  location: { scriptId: string; lineNumber: number; columnNumber: number };
  scopeChain: { type: string; name?: string; object: RemoteObject }[];
}
export interface CellScript { path: string; map?: LineMap }
export interface Place { path: string; line: number; column: number; cell: boolean }

/** Frames in these scripts are the kernel's and runtime's plumbing: V8 steps through them and a
 * stack trace hides them. The tensor library (dist/runtime/tensor) stays visible. */
export const BLACKBOX: readonly string[] = [
  "^node:", "/node_modules/", "^tsgrad-cell-step$", "/kernel/",
  "/runtime/(evaluator|cell_context|cell_source|console|loader|comms|compiler|declarations|tslab_compat|io|index|debug_inspect)\\.[jt]s$",
];
const BLACKBOX_RE = BLACKBOX.map((p) => new RegExp(p));
const CELL_URL = /^tsgrad-cell-\d+\.js$/;

export class Scripts {
  private readonly cells = new Map<string, CellScript>();
  private readonly parsedScripts = new Map<string, { url: string; sourceMapURL?: string }>();

  parsed(scriptId: string, url: string, sourceMapURL?: string): void {
    this.parsedScripts.set(scriptId, { url, sourceMapURL: sourceMapURL || undefined });
  }
  addCell(url: string, script: CellScript): void { this.cells.set(url, script); }
  clearCells(): void { this.cells.clear(); }
  /** Every script run from the cell dumped at `path` (a cell run twice has two). */
  cellsOf(path: string): [string, CellScript][] { return [...this.cells].filter(([, s]) => s.path === path); }

  private urlOf(f: CallFrame): string { return f.url || this.parsedScripts.get(f.location.scriptId)?.url || ""; }
  cellAt(f: CallFrame): CellScript | undefined { return this.cells.get(this.urlOf(f)); }

  /** Where a frame is, in the user's terms; undefined for the runtime's and Node's own frames. */
  locate(f: CallFrame): Place | undefined {
    const url = this.urlOf(f);
    const { lineNumber: line, columnNumber: column } = f.location;
    const cell = this.cells.get(url);
    if (cell) {
      // The script's top level only calls the cell's function: not a line of the cell.
      if (!f.scopeChain.some((s) => s.type === "local")) return undefined;
      const o = cell.map?.original(line, column) ?? cell.map?.near(line, column);
      return { path: cell.path, line: (o?.line ?? line) + 1, column: (o?.column ?? column) + 1, cell: true };
    }
    if (!url || CELL_URL.test(url) || BLACKBOX_RE.some((re) => re.test(url))) return undefined;
    const smu = this.parsedScripts.get(f.location.scriptId)?.sourceMapURL;
    const map = smu ? fileLineMap(url, smu) : undefined;
    const o = map?.original(line, column);
    if (map?.source && o) return { path: map.source, line: o.line + 1, column: o.column + 1, cell: false };
    const file = url.startsWith("file://") ? new URL(url).pathname : url;
    if (!file.startsWith("/")) return undefined;
    return { path: file, line: line + 1, column: column + 1, cell: false };
  }
}
