// test/runtime/code_cache.test.ts
// requireWithCodeCache (runtime/code_cache.ts): the first process compiles TypeScript 6 and
// writes a V8 code cache after its warm-up; the next loads from it and gets a working module.
// Each run is a fresh Node process with its own cache folder.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const MODULE = path.join(__dirname, "..", "..", "runtime", "code_cache.ts");

function load(cacheHome: string): { fromCache: boolean; version: string; ms: number } {
  const script = `require("tsx/cjs");
const t0 = performance.now();
const { requireWithCodeCache } = require(${JSON.stringify(MODULE)});
const m = requireWithCodeCache("typescript6", ${JSON.stringify(MODULE)});
const ts = m.exports;
ts.transpileModule("const a: number = 1", { compilerOptions: { target: ts.ScriptTarget.ES2022 } });
const ms = performance.now() - t0;
m.save();
console.log(JSON.stringify({ fromCache: m.fromCache, version: ts.version, ms }));`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: cacheHome } });
  assert.strictEqual(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

describe("runtime/code_cache", function () {
  this.timeout(60000);
  it("compiles and writes the cache once, then loads from it; the module works either way", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "tsgrad-cache-"));
    try {
      const first = load(home);
      assert.strictEqual(first.fromCache, false);
      const files = fs.readdirSync(path.join(home, "tsgrad"));
      assert.strictEqual(files.length, 1, files.join());
      assert.ok(fs.statSync(path.join(home, "tsgrad", files[0])).size > 1e6, "the cache holds the compiled code");
      const second = load(home);
      assert.strictEqual(second.fromCache, true);
      assert.strictEqual(second.version, first.version);
      assert.ok(/^6\./.test(second.version), second.version);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it("writing a cache removes the same file's caches unused for a week, and keeps the rest", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "tsgrad-cache-"));
    try {
      const dir = path.join(home, "tsgrad");
      fs.mkdirSync(dir, { recursive: true });
      const week = 8 * 86_400_000;
      const old = (name: string, ageMs: number) => {
        fs.writeFileSync(path.join(dir, name), "x");
        const t = new Date(Date.now() - ageMs);
        fs.utimesSync(path.join(dir, name), t, t);
      };
      old("typescript6-typescript.js-0123456789abcdef.v8", week);   // an earlier install: goes
      old("typescript6-typescript.js-fedcba9876543210.v8", 3_600_000);   // used an hour ago: stays
      old("other-lib.js-0123456789abcdef.v8", week);   // another file's: stays
      load(home);
      const left = fs.readdirSync(dir).sort();
      assert.strictEqual(left.length, 3, left.join());
      assert.ok(!left.includes("typescript6-typescript.js-0123456789abcdef.v8"));
      assert.ok(left.includes("typescript6-typescript.js-fedcba9876543210.v8"));
      assert.ok(left.includes("other-lib.js-0123456789abcdef.v8"));
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it("a corrupt cache is rejected by V8, compiled again and rewritten", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "tsgrad-cache-"));
    try {
      load(home);
      const file = path.join(home, "tsgrad", fs.readdirSync(path.join(home, "tsgrad"))[0]);
      fs.writeFileSync(file, Buffer.alloc(1000, 7));
      assert.strictEqual(load(home).fromCache, false);
      assert.ok(fs.statSync(file).size > 1e6, "rewritten");
      assert.strictEqual(load(home).fromCache, true);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
