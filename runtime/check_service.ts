// runtime/check_service.ts
// What the cell compiler needs from a type checker (CheckService), and the virtual files every
// checker reads through (VirtualFiles): cell and slot files, the globals file, the project
// config, the runtime library's declarations when it runs from sources, and /node_modules as a
// view of the kernel's own packages. Two checkers implement CheckService: the native one in its
// own process (tsgo.ts, TypeScript 7) and the in-process fallback (ts_inprocess.ts, TypeScript 6).
import * as fs from "fs";
import * as path from "path";

export interface ServiceDiagnostic { start: number; code: number; message: string }
export interface ServiceCompletion { name: string; sortText: string; kind: string; internal: boolean }
export interface ServiceSymbolInfo {
  name: string; kind: string; type: string; signature: string; doc: string; tags: { name: string; text: string }[];
}

export interface CheckService {
  readonly name: string;
  /** Records a change of a virtual file; it reaches the checker with the next request. */
  changed(file: string, kind: "changed" | "created" | "deleted"): void;
  /** Sends the changes recorded so far now, so the next request waits on its own only. */
  sync(): void;
  /** Type errors in one file, positions in that file's text. Syntax errors are the caller's: the
   * compiler parses every cell first and checks only cells that parsed. */
  diagnostics(file: string): ServiceDiagnostic[];
  /** Completions at a position; undefined where the checker cannot complete a bare identifier
   * (the compiler then lists the names in scope itself). */
  completions(file: string, position: number): ServiceCompletion[] | undefined;
  /** Forgets what the checker knows of the disk (module lookups, package files): after %npm install. */
  invalidate(): void;
  symbolAt(file: string, position: number): ServiceSymbolInfo | undefined;
  close(): void;
}

export const CELL_PREFIX = "__tsgrad_cell_";
const NODE_MODULES = `${path.sep}node_modules`;

/** Files that exist only for the checker, plus two views of real ones. A checker asks here first:
 * a string is the text, null means "no such file", undefined means "read the disk". */
export class VirtualFiles {
  private readonly files = new Map<string, string>();
  /** `/node_modules/x` is `<kernel>/node_modules/x`: module resolution walks up from the notebook's
   * folder and, where the notebook has no such package, ends in the kernel's own packages. */
  private readonly kernelModules: string | undefined;

  /** `decls`: runtime .d.ts texts by path when the runtime runs from .ts sources (their .ts twins are
   * hidden so declarations win; see declarations.ts). */
  constructor(packageRoot: string, private readonly decls?: Map<string, string>) {
    const mods = path.join(packageRoot, "node_modules");
    this.kernelModules = !fs.existsSync(NODE_MODULES) && fs.existsSync(mods) ? mods : undefined;
  }

  /** Sets a file's text; says whether the checker must hear of it. */
  set(file: string, text: string): "created" | "changed" | undefined {
    const old = this.files.get(file);
    if (old === text) return undefined;
    this.files.set(file, text);
    return old === undefined ? "created" : "changed";
  }

  get(file: string): string | undefined { return this.files.get(file); }
  delete(file: string): boolean { return this.files.delete(file); }
  isCellFile(file: string): boolean { return path.basename(file).startsWith(CELL_PREFIX); }

  private hidden(f: string): boolean {
    return !!this.decls && f.endsWith(".ts") && !f.endsWith(".d.ts") && this.decls.has(f.slice(0, -3) + ".d.ts");
  }

  private kernelPath(f: string): string | undefined {
    if (!this.kernelModules || !(f === NODE_MODULES || f.startsWith(NODE_MODULES + path.sep))) return undefined;
    return this.kernelModules + f.slice(NODE_MODULES.length);
  }

  readFile(f: string): string | null | undefined {
    const text = this.files.get(f) ?? this.decls?.get(f);
    if (text !== undefined) return text;
    if (this.hidden(f)) return null;
    const k = this.kernelPath(f);
    if (k === undefined) return undefined;
    try { return fs.readFileSync(k, "utf8"); } catch { return null; }
  }

  fileExists(f: string): boolean | undefined {
    if (this.files.has(f) || this.decls?.has(f)) return true;
    if (this.hidden(f)) return false;
    const k = this.kernelPath(f);
    return k === undefined ? undefined : isFile(k);
  }

  directoryExists(d: string): boolean | undefined {
    const k = this.kernelPath(d);
    return k === undefined ? undefined : isDirectory(k);
  }

  /** A kernel package's files resolve to their real paths, so the checker reads them from disk directly. */
  realpath(f: string): string | undefined {
    const k = this.kernelPath(f);
    if (k === undefined) return undefined;
    try { return fs.realpathSync(k); } catch { return k; }
  }

  entries(d: string): { files: string[]; directories: string[] } | undefined {
    const k = this.kernelPath(d);
    if (k === undefined) return undefined;
    const out = { files: [] as string[], directories: [] as string[] };
    try {
      for (const e of fs.readdirSync(k, { withFileTypes: true })) (e.isDirectory() ? out.directories : out.files).push(e.name);
    } catch { /* no such folder: nothing in it */ }
    return out;
  }
}

// The checker asks these ~350 times while its project opens, most for paths that do not exist:
// no exception for those (a thrown ENOENT cost ~25 us a call).
function isFile(f: string): boolean {
  try { return fs.statSync(f, { throwIfNoEntry: false })?.isFile() ?? false; } catch { return false; }
}

function isDirectory(d: string): boolean {
  try { return fs.statSync(d, { throwIfNoEntry: false })?.isDirectory() ?? false; } catch { return false; }
}
