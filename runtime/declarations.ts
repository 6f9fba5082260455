// runtime/declarations.ts
// Declaration files (.d.ts) of the runtime library for the cells' type checker. Checking a cell
// against the library's .ts sources makes every new checker re-infer the library's types
// (hundreds of ms per cell); against .d.ts files it costs a few ms. Built (dist/) kernels have
// them already; in a source checkout they come from dist/ when it is newer than a source, else
// from a cache folder keyed by each source's size and mtime, else from TypeScript's declaration
// emit (once; slow: it type-checks the files it emits).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createHash } from "crypto";
import type * as TS from "typescript6";

/** Declaration text by the .d.ts path that stands beside its .ts source. */
export type Declarations = Map<string, string>;

function listSources(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) listSources(p, out);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function cacheKey(file: string, stat: fs.Stats, tsVersion: string): string {
  return createHash("sha1").update(`${file}\0${stat.size}\0${stat.mtimeMs}\0${tsVersion}`).digest("hex").slice(0, 20);
}

/** Declarations for every .ts file under `runtimeDir`, or undefined when the runtime runs from
 * compiled files (its .d.ts are on disk beside them). */
export function runtimeDeclarations(ts: typeof TS, runtimeDir: string, packageRoot: string): Declarations | undefined {
  if (!fs.existsSync(path.join(runtimeDir, "index.ts"))) return undefined;
  const cacheDir = path.join(os.tmpdir(), `tsgrad-dts-${process.getuid?.() ?? "u"}`);
  const out: Declarations = new Map();
  const stale: string[] = [];
  const keys = new Map<string, string>();
  for (const src of listSources(runtimeDir)) {
    const stat = fs.statSync(src);
    const dts = src.slice(0, -3) + ".d.ts";
    const built = path.join(packageRoot, "dist", path.relative(packageRoot, dts));
    try {
      if (fs.statSync(built).mtimeMs >= stat.mtimeMs) { out.set(dts, fs.readFileSync(built, "utf8")); continue; }
    } catch { /* not built */ }
    const key = cacheKey(src, stat, ts.version);
    keys.set(src, key);
    try { out.set(dts, fs.readFileSync(path.join(cacheDir, key + ".d.ts"), "utf8")); continue; } catch { /* not cached */ }
    stale.push(src);
  }
  if (stale.length) {
    // Only what cells can reach: the globals module and the tslab shim, and what they import.
    const roots = ["index.ts", "tslab_compat.ts"].map((f) => path.join(runtimeDir, f)).filter((f) => fs.existsSync(f));
    try {
      emitDeclarations(ts, roots, new Set(stale), out, keys, cacheDir);
    } catch {
      return undefined;   // the checker then reads the .ts sources: slower per cell, still right
    }
  }
  return out;
}

function emitDeclarations(ts: typeof TS, roots: string[], stale: Set<string>, out: Declarations,
  keys: Map<string, string>, cacheDir: string): void {
  const program = ts.createProgram({
    rootNames: roots,
    options: { target: ts.ScriptTarget.ES2022, lib: ["lib.es2023.d.ts"], strict: true, skipLibCheck: true,
      esModuleInterop: true, resolveJsonModule: true, declaration: true, emitDeclarationOnly: true,
      module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, sourceMap: false },
  });
  try { fs.mkdirSync(cacheDir, { recursive: true }); } catch { /* caching is optional */ }
  for (const sf of program.getSourceFiles()) {
    const src = sf.fileName;
    if (!stale.has(src)) continue;
    program.emit(sf, (name, text) => {
      if (!name.endsWith(".d.ts")) return;
      out.set(src.slice(0, -3) + ".d.ts", text);
      const key = keys.get(src);
      if (key) try { fs.writeFileSync(path.join(cacheDir, key + ".d.ts"), text); } catch { /* optional */ }
    }, undefined, true);
  }
}
