// test/size.test.ts
// A line budget for the shipped TypeScript (kernel/ + runtime/ + gpu/), as tinygrad's sz.py:
// growth is a decision, so raising the budget is a deliberate line in the same diff.
// Also holds every file to STYLE.md's split point of ~800 lines.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..");
const FOLDERS = ["kernel", "runtime", "gpu"];
const BUDGET = 30_000;      // total lines of .ts under FOLDERS
const FILE_LIMIT = 800;     // STYLE.md §4: split at ~800

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [p] : [];
  });
}

describe("size", () => {
  const counts = FOLDERS.flatMap((f) => tsFiles(join(ROOT, f)))
    .map((p) => ({ file: relative(ROOT, p), lines: readFileSync(p, "utf8").split("\n").length }));

  it(`kernel/ + runtime/ + gpu/ stay within ${BUDGET} lines`, () => {
    const total = counts.reduce((s, c) => s + c.lines, 0);
    assert.ok(total <= BUDGET, `${total} lines > budget ${BUDGET}; split or delete code, or raise BUDGET deliberately`);
  });

  it(`no source file is longer than ${FILE_LIMIT} lines`, () => {
    const long = counts.filter((c) => c.lines > FILE_LIMIT).map((c) => `${c.file} (${c.lines})`);
    assert.deepEqual(long, [], `split these files: ${long.join(", ")}`);
  });
});
