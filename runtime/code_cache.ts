// runtime/code_cache.ts
// Loads a large CommonJS package with a V8 code cache kept on disk (issue 10: first result), as
// Node 22's module.enableCompileCache does; Node 20 has no such switch. TypeScript 6 is one 9 MB
// script: the syntax worker took ~190 ms to compile and run it and ~30 ms more to compile the
// functions its first transpile calls; from the cache, ~80 and ~8 ms. The cache is written after
// the caller's warm-up (save()), so it holds those functions too, and again whenever V8 rejects it
// (another Node, other flags). It lives in $XDG_CACHE_HOME/tsgrad (~/.cache/tsgrad), keyed by the
// file, its size and time, Node's version and its command-line flags (V8 rejects a cache made under
// other flags: the kernel, started with kernel.json's, and a test process would otherwise take
// turns rewriting one file). Any failure falls back to a plain require.
import * as crypto from "crypto";
import * as fs from "fs";
import Module = require("module");
import * as os from "os";
import * as path from "path";
import * as vm from "vm";

export interface CachedModule<T> {
  exports: T;
  /** Whether the code came from the cache (false: compiled, or a plain require). */
  fromCache: boolean;
  /** Writes the cache when it was missing or rejected (call after warming the module up). */
  save(): void;
}

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "tsgrad");
}

export function requireWithCodeCache<T>(id: string, from: string = __filename): CachedModule<T> {
  const file = require.resolve(id, { paths: [path.dirname(from)] });
  const plain = (): CachedModule<T> => ({ exports: require(file) as T, fromCache: false, save: () => {} });
  if (require.cache[file]) return plain();
  let cacheFile: string, source: string, cached: Buffer | undefined;
  try {
    const st = fs.statSync(file);
    const key = crypto.createHash("sha256").update(`${file}\0${st.size}\0${st.mtimeMs}\0${process.version}\0${process.arch}\0${process.execArgv.join(" ")}`).digest("hex").slice(0, 16);
    cacheFile = path.join(cacheDir(), `${path.basename(path.dirname(path.dirname(file)))}-${path.basename(file)}-${key}.v8`);
    source = fs.readFileSync(file, "utf8");
    try { cached = fs.readFileSync(cacheFile); } catch { /* not made yet */ }
  } catch {
    return plain();
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData: cached });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(path.dirname(file));
  (script.runInThisContext() as (...a: unknown[]) => void)
    .call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  // A later require() of the same file gets this module, not a second copy.
  require.cache[file] = mod;
  const fromCache = cached !== undefined && !script.cachedDataRejected;
  // A cache's time says when it was last used (off this thread: the kernel is starting).
  if (fromCache) { const now = new Date(); fs.utimes(cacheFile, now, now, () => {}); }
  return {
    exports: mod.exports as T,
    fromCache,
    save: () => {
      if (fromCache) return;
      try {
        fs.mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
        const tmp = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}`;
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
        pruneStale(cacheFile);
      } catch { /* a read-only home: no cache, the next start compiles again */ }
    },
  };
}

/** A cache unused this long goes when another of the same file is written. */
const STALE_DAYS = 7;

/** Removes the other caches of the same file (made for another copy of it, another Node or other
 * flags) that no process has loaded for STALE_DAYS: each reinstall of the package gives the file a
 * new time, hence a new key, and the old caches (3 MB each for TypeScript 6) were never removed. */
function pruneStale(cacheFile: string): void {
  const dir = path.dirname(cacheFile);
  const prefix = path.basename(cacheFile).replace(/[0-9a-f]{16}\.v8$/, "");
  const before = Date.now() - STALE_DAYS * 86_400_000;
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (!name.startsWith(prefix) || file === cacheFile) continue;
    try { if (fs.statSync(file).mtimeMs < before) fs.rmSync(file, { force: true }); } catch { /* gone already */ }
  }
}
