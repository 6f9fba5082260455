// runtime/loader.ts
// How a cell's `import` and `require` find modules: Node built-ins ("fs", "node:path"), then
// packages resolved from the notebook's folder upward, then the kernel's own dependencies
// (issue: "resolved from the notebook's folder upward and from the kernel's own dependencies").
// CommonJS and ESM both load: require() first (Node 20.19+ requires ESM without top-level await),
// then import() for what require cannot load. "tslab" is redirected to our compatibility shim.
// Also what an import binds (esModuleInterop's rules), defined as globals before a cell runs.
import * as fs from "fs";
import * as path from "path";
import { createRequire, isBuiltin } from "module";
import { pathToFileURL } from "url";
import type { ImportBinding } from "./cell_source";

type Shims = Record<string, () => unknown>;

export class ModuleLoader {
  /** ESM namespaces loaded through import(), by resolved file, for later synchronous require. */
  private readonly esm = new Map<string, unknown>();

  constructor(private readonly packageRoot: string, private readonly shims: Shims) {}

  /** Bases to resolve from, nearest first. */
  private bases(cwd: string): string[] {
    return cwd === this.packageRoot ? [cwd] : [cwd, this.packageRoot];
  }

  /** Resolved file of a package specifier, or undefined; CommonJS rules, then ESM `exports`. */
  resolve(spec: string, cwd: string): string | undefined {
    for (const base of this.bases(cwd)) {
      try { return createRequire(path.join(base, "__tsgrad_cell__.js")).resolve(spec); } catch { /* next */ }
    }
    for (const base of this.bases(cwd)) {
      const file = resolveEsm(spec, base);
      if (file) return file;
    }
    return undefined;
  }

  /** The `require` a cell sees. */
  requireFor(cwd: string): NodeJS.Require {
    const base = createRequire(path.join(cwd, "__tsgrad_cell__.js"));
    const req = ((spec: string) => this.requireSync(spec, cwd)) as NodeJS.Require;
    req.resolve = ((spec: string) => this.resolve(spec, cwd) ?? base.resolve(spec)) as NodeJS.RequireResolve;
    req.cache = base.cache;
    req.main = base.main;
    return req;
  }

  requireSync(spec: string, cwd: string): unknown {
    const shim = this.shims[spec];
    if (shim) return shim();
    if (isBuiltin(spec)) return require(spec);
    const file = this.resolve(spec, cwd);
    if (!file) throw notFound(spec, cwd);
    if (this.esm.has(file)) return this.esm.get(file);
    return require(file);
  }

  /** What an `import` statement binds: require() where it works, else import(). */
  async load(spec: string, cwd: string): Promise<unknown> {
    try {
      return this.requireSync(spec, cwd);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== "ERR_REQUIRE_ESM" && code !== "ERR_REQUIRE_ASYNC_MODULE") throw err;
    }
    // requireSync resolved the file before require() refused it as ESM: import it once, and
    // keep the namespace so later requires of it (requireSync) get the same module.
    const file = this.resolve(spec, cwd)!;
    const ns = await import(pathToFileURL(file).href);
    this.esm.set(file, ns);
    return ns;
  }

  /** What a cell's import(spec) expression resolves to: a module namespace, CommonJS wrapped as one. */
  async dynamicImport(spec: string, cwd: string): Promise<unknown> {
    const mod = await this.load(spec, cwd);
    return isNamespace(mod) ? mod : esmView(mod);
  }

  /** Defines (through `define`) the globals a cell's import statements introduce, before the cell
   * runs (imports hoist). */
  async bindImports(imports: ImportBinding[], cwd: string, define: (name: string, desc: PropertyDescriptor) => void): Promise<void> {
    const loaded = new Map<string, { mod?: unknown; err?: unknown }>();
    for (const imp of imports) {
      if (imp.typeOnly) continue;
      if (!loaded.has(imp.spec)) {
        try { loaded.set(imp.spec, { mod: await this.load(imp.spec, cwd) }); } catch (err) { loaded.set(imp.spec, { err }); }
      }
      const { mod, err } = loaded.get(imp.spec)!;
      if (err !== undefined) {
        // A package with types only (no runtime code) is fine until a value is used from it.
        if (imp.kind === "side" || (err as { code?: string }).code !== "MODULE_NOT_FOUND") throw err;
        if (imp.local) define(imp.local, { get() { throw err; }, configurable: true, enumerable: true });
        continue;
      }
      if (!imp.local) continue;
      define(imp.local, { value: importValue(imp, mod), writable: false, configurable: true, enumerable: true });
    }
  }
}

/** import() of a CommonJS module: its exports as named members plus `default` (Node's rule). */
function esmView(mod: unknown): unknown {
  const m = mod as Record<string, unknown>;
  if (m && m.__esModule) return mod;
  const view: Record<string, unknown> = Object.create(null);
  if (m && (typeof m === "object" || typeof m === "function")) for (const k of Object.keys(m)) view[k] = m[k];
  view.default = mod;
  return view;
}

function isNamespace(mod: unknown): boolean {
  return !!mod && typeof mod === "object" && (mod as Record<symbol, unknown>)[Symbol.toStringTag] === "Module";
}

/** What an import binding holds, with esModuleInterop's rules for CommonJS modules. */
function importValue(imp: ImportBinding, mod: unknown): unknown {
  const m = mod as Record<string, unknown>;
  const esm = isNamespace(mod) || !!(m && m.__esModule);
  switch (imp.kind) {
    case "default": return esm ? m.default : mod;
    case "named": return imp.imported === "default" && !esm ? mod : m?.[imp.imported!];
    case "namespace": return mod;
    default: return mod;
  }
}

function notFound(spec: string, cwd: string): Error {
  const err = new Error(`Cannot find module '${spec}' (looked in ${cwd} and its parents, and in the kernel's packages)`);
  (err as { code?: string }).code = "MODULE_NOT_FOUND";
  return err;
}

/** The package name and subpath of a bare specifier ("@scope/pkg/sub" -> ["@scope/pkg", "./sub"]). */
function splitSpecifier(spec: string): [string, string] | undefined {
  if (spec.startsWith(".") || spec.startsWith("/")) return undefined;
  const parts = spec.split("/");
  const n = spec.startsWith("@") ? 2 : 1;
  if (parts.length < n) return undefined;
  const sub = parts.slice(n).join("/");
  return [parts.slice(0, n).join("/"), sub ? `./${sub}` : "."];
}

const CONDITIONS = ["node", "import", "module", "default"];

function pickExport(target: unknown): string | undefined {
  if (typeof target === "string") return target;
  if (Array.isArray(target)) {
    for (const t of target) { const r = pickExport(t); if (r) return r; }
    return undefined;
  }
  if (target && typeof target === "object") {
    for (const [cond, value] of Object.entries(target)) {
      if (CONDITIONS.includes(cond)) { const r = pickExport(value); if (r) return r; }
    }
  }
  return undefined;
}

/** ESM resolution for packages whose `exports` offer no "require" condition. */
function resolveEsm(spec: string, from: string): string | undefined {
  const split = splitSpecifier(spec);
  if (!split) {
    const file = path.resolve(from, spec);
    return fs.existsSync(file) && fs.statSync(file).isFile() ? file : undefined;
  }
  const [name, sub] = split;
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkgDir = path.join(dir, "node_modules", name);
    const pj = path.join(pkgDir, "package.json");
    if (fs.existsSync(pj)) {
      const pkg = JSON.parse(fs.readFileSync(pj, "utf8")) as { exports?: unknown; module?: string; main?: string };
      let rel: string | undefined;
      if (pkg.exports !== undefined) {
        const ex = pkg.exports;
        const isMap = ex && typeof ex === "object" && !Array.isArray(ex) && Object.keys(ex).some((k) => k.startsWith("."));
        rel = isMap ? pickExport((ex as Record<string, unknown>)[sub]) : sub === "." ? pickExport(ex) : undefined;
      } else {
        rel = sub === "." ? pkg.module ?? pkg.main ?? "index.js" : sub;
      }
      if (rel) {
        const file = path.resolve(pkgDir, rel);
        if (fs.existsSync(file)) return file;
      }
      return undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}
