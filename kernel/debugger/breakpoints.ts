// kernel/debugger/breakpoints.ts
// setBreakpoints for the Jupyter debugger. A breakpoint on a dumped cell's line goes into every
// script run from that cell's text (a cell run twice has two), at the generated position its
// source map gives, and into scripts of it that run later (cellScript). A breakpoint in tsgrad's
// own TypeScript goes into its compiled file in dist/. Keeps what debugInfo reports.
import { existsSync, readFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import type { CellFiles } from "./cell_files";
import { DapError } from "./dap";
import type { InspectorSession } from "./inspector_session";
import type { CellScript, Scripts } from "./scripts";
import { fileLineMap, LineMap } from "./source_map";

interface Breakpoint { line: number; condition?: string }
/** Project root (dist/kernel/debugger -> the checkout). */
const ROOT = resolve(__dirname, "../../..");

export class Breakpoints {
  /** What the user set, by source path (debugInfo returns it after a page reload). */
  private readonly byPath = new Map<string, Breakpoint[]>();
  private readonly v8Breakpoints = new Map<string, string[]>();

  constructor(private readonly session: () => InspectorSession, private readonly files: CellFiles, private readonly scripts: Scripts) {}

  list(): { source: string; breakpoints: { line: number }[] }[] {
    return [...this.byPath].map(([source, bps]) => ({ source, breakpoints: bps.map((b) => ({ line: b.line })) }));
  }

  clear(): void { this.byPath.clear(); this.v8Breakpoints.clear(); }

  async set(args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const path = (args.source as { path?: string } | undefined)?.path;
    if (!path) throw new DapError("setBreakpoints: arguments.source.path is missing");
    const asked: { line?: number; condition?: string }[] = (args.breakpoints as { line?: number; condition?: string }[] | undefined) ??
      ((args.lines as number[] | undefined) ?? []).map((line) => ({ line }));
    if (!this.files.isCellFile(path) && path.endsWith(".ts") && path.startsWith(ROOT + "/") && existsSync(path)) {
      return this.setLibraryBreakpoints(path, asked);
    }
    let text = this.files.text(path);
    if (text === undefined && this.files.isCellFile(path) && existsSync(path)) text = readFileSync(path, "utf8");
    if (text === undefined) {
      throw new DapError(`setBreakpoints: ${path} is not a cell this kernel knows (send dumpCell first)`,
        { breakpoints: asked.map((b) => ({ verified: false, line: b.line, message: "unknown source" })) });
    }
    const count = text.split("\n").length;
    const ok = (b: { line?: number }) => Number.isInteger(b.line) && b.line! >= 1 && b.line! <= count;
    const good = asked.filter(ok).map((b) => ({ line: b.line!, ...(b.condition ? { condition: b.condition } : {}) }));
    await this.clearBreakpoints(path);
    this.byPath.set(path, good);
    if (!good.length) this.byPath.delete(path);
    for (const [url, script] of this.scripts.cellsOf(path)) await this.place(url, script, good);
    const result = asked.map((b) => ok(b)
      ? { verified: true, line: b.line, source: { path } }
      : { verified: false, line: b.line, message: `line ${b.line} is past the end of the cell (${count} lines)` });
    const bad = asked.filter((b) => !ok(b));
    if (bad.length) {
      throw new DapError(`setBreakpoints: line ${bad[0].line} is past the end of the cell (${count} line${count === 1 ? "" : "s"})`, { breakpoints: result });
    }
    return { breakpoints: result };
  }

  /** Breakpoints in tsgrad's own TypeScript (a file the debugger showed while stepping): placed
   * in its compiled file in dist/ through the source map next to it. */
  private async setLibraryBreakpoints(path: string, asked: { line?: number; condition?: string }[]): Promise<Record<string, unknown>> {
    const js = join(ROOT, "dist", relative(ROOT, path)).replace(/\.ts$/, ".js");
    const map = existsSync(js) ? fileLineMap(js, `${basename(js)}.map`) : undefined;
    if (!map) throw new DapError(`setBreakpoints: ${path} has no compiled file with a source map in dist/ (npm run build)`);
    const count = readFileSync(path, "utf8").split("\n").length;
    await this.clearBreakpoints(path);
    const ids: string[] = [];
    const result = [];
    for (const b of asked) {
      const at = Number.isInteger(b.line) && b.line! >= 1 && b.line! <= count ? map.generated(b.line! - 1) : undefined;
      if (!at) { result.push({ verified: false, line: b.line, message: `line ${b.line} has no code in ${basename(path)} (${count} lines)` }); continue; }
      const urlRegex = `${js.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
      const r = await this.session().post<{ breakpointId: string }>("Debugger.setBreakpointByUrl", {
        urlRegex, lineNumber: at.genLine, columnNumber: at.genCol, condition: b.condition ?? "",
      });
      ids.push(r.breakpointId);
      result.push({ verified: true, line: at.line + 1, source: { path } });
    }
    this.v8Breakpoints.set(path, ids);
    const good = result.filter((r) => r.verified).map((r) => ({ line: r.line! }));
    if (good.length) this.byPath.set(path, good); else this.byPath.delete(path);
    return { breakpoints: result };
  }

  private async clearBreakpoints(path: string): Promise<void> {
    for (const id of this.v8Breakpoints.get(path) ?? []) {
      await this.session().post("Debugger.removeBreakpoint", { breakpointId: id }).catch(() => {});
    }
    this.v8Breakpoints.delete(path);
  }

  /** Places a cell's breakpoints on one script of it, through its source map. */
  private async place(url: string, script: CellScript, bps: Breakpoint[]): Promise<void> {
    if (!script.map) return;
    const ids = this.v8Breakpoints.get(script.path) ?? [];
    this.v8Breakpoints.set(script.path, ids);
    for (const b of bps) {
      const at = script.map.generated(b.line - 1);
      if (!at) continue;
      try {
        const r = await this.session().post<{ breakpointId: string }>("Debugger.setBreakpointByUrl", {
          url, lineNumber: at.genLine, columnNumber: at.genCol, condition: b.condition ?? "",
        });
        ids.push(r.breakpointId);
      } catch { /* the same location twice: V8 already has it */ }
    }
  }

  /** A cell script about to run: remember it and place its cell's breakpoints in it. */
  async cellScript(url: string, code: string, sourceMap: string | undefined): Promise<void> {
    const path = this.files.remember(code);
    const script: CellScript = { path, map: sourceMap ? new LineMap(sourceMap) : undefined };
    this.scripts.addCell(url, script);
    const bps = this.byPath.get(path);
    if (bps?.length) await this.place(url, script, bps);
  }
}
