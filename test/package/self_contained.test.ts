// test/package/self_contained.test.ts
// #12: a clone of the repository alone passes its tests, so no test reads anything outside it.
// Grep-level proof over every source file under test/: each relative path it spells (a "../x"
// literal, or the segments of path.resolve/join(__dirname, ...)) must stay inside the repository,
// and no test names a machine's folders (/work/, /home/, the home directory, a sibling checkout's
// shared/). Temporary folders (os.tmpdir()) are where tests may write; they never read from there
// what they did not write first.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|py|sh)$/;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sources(p);
    return SOURCE.test(e.name) ? [p] : [];
  });
}

const inside = (p: string): boolean => { const rel = path.relative(ROOT, p); return !rel.startsWith("..") && !path.isAbsolute(rel); };
/** A path spelled in `dir` stays in the repository: resolved from the source folder, or, for
 * helpers that also run compiled from dist/test/..., from there to something that exists. */
function staysInside(dir: string, ...parts: string[]): boolean {
  if (inside(path.resolve(dir, ...parts))) return true;
  const fromDist = path.resolve(ROOT, "dist", path.relative(ROOT, dir), ...parts);
  return inside(fromDist) && fs.existsSync(fromDist);
}
const lineOf = (text: string, index: number): number => text.slice(0, index).split("\n").length;

/** Every place in `text` (the file `file`) that spells a path leaving the repository. */
export function escapes(file: string, text: string): string[] {
  const dir = path.dirname(file), found: string[] = [];
  const where = (i: number, what: string): void => { found.push(`${path.relative(ROOT, file)}:${lineOf(text, i)}: ${what}`); };
  // "../.." literals (imports, requires, paths), resolved from the file's folder.
  for (const m of text.matchAll(/["'`]((?:\.\.\/)+[^"'`\s]*)["'`]/g))
    if (!staysInside(dir, m[1])) where(m.index, m[1]);
  // path.resolve(__dirname, "..", "..", "x") and path.join(...) with literal segments.
  for (const m of text.matchAll(/(?:resolve|join)\(\s*__dirname\s*((?:,\s*["'][^"']*["']\s*)+)/g)) {
    const parts = [...m[1].matchAll(/["']([^"']*)["']/g)].map((p) => p[1]);
    if (!staysInside(dir, ...parts)) where(m.index, `__dirname + ${parts.join("/")}`);
  }
  // Names of folders outside any checkout.
  for (const m of text.matchAll(/\/work\/|\/home\/|["'`]~\/|homedir\(\)|shared\/reference|["']shared["']/g)) where(m.index, m[0]);
  return found;
}

describe("self-contained tests (#12)", () => {
  it("no test under test/ spells a path that leaves the repository", () => {
    const self = path.resolve(__filename);
    const bad = sources(path.join(ROOT, "test")).filter((f) => path.resolve(f) !== self)
      .flatMap((f) => escapes(f, fs.readFileSync(f, "utf8")));
    assert.deepEqual(bad, []);
  });
  it("the check finds the patterns it looks for", () => {
    const f = path.join(ROOT, "test", "helpers", "x.ts");
    assert.equal(escapes(f, `path.resolve(__dirname, "..", "..", "..", "shared", "reference", "x.json")`).length, 2);
    assert.equal(escapes(f, `path.resolve(__dirname, "..", "..", "..", "..", "x.json")`).length, 1);
    assert.deepEqual(escapes(f, `path.resolve(__dirname, "..", "..", "..")`), [], "the repository root, seen from dist/test/helpers");
    assert.equal(escapes(f, `readFileSync("../../../x.json")`).length, 1);
    assert.deepEqual(escapes(f, `import { a } from "../../runtime/x"; path.join(__dirname, "..", "fixtures", "x.json")`), []);
    assert.equal(escapes(f, `const py = path.join(os.homedir(), ".venvs")`).length, 1);
  });
  it("the PyTorch reference is in the repository, with its generator", () => {
    for (const f of ["torch-ops.json", "gen_torch_ops.py"]) assert.ok(fs.existsSync(path.join(ROOT, "test", "fixtures", f)), f);
  });
});
