// test/runtime/cell_scan.test.ts
// The quick scan of a cell's declarations (runtime/cell_scan.ts) says what TypeScript's parser
// says (cell_source.ts analyzeCell), or nothing: a guess that differs would cost the cell a
// second check. Checked on every cell of the teaching notebooks and on cells written to trip it.
import * as assert from "assert";
import { scanDeclarations } from "../../runtime/cell_scan";
import { analyzeCell, parseCell } from "../../runtime/cell_source";
import { loadTypeScript } from "../../runtime/compiler";
import { notebookCells } from "../helpers/notebook_cells";

const ts = loadTypeScript();
const analyze = (source: string) =>
  analyzeCell(ts, parseCell(ts, source));
const plain = (d: { names: Map<string, string>; exported: Set<string> }) =>
  ({ names: Object.fromEntries([...d.names].sort()), exported: [...d.exported].sort() });

/** Cells that a scan over brackets and keywords could misread. */
const TRICKY = [
  "const v7: number[] = [7, 2];\nv7.length",
  "let a = 1\nlet b = a + 1\nb",
  "const m: Map<string, number> = new Map();\nconst r: Record<string, [number, number]> = {};",
  "const a = 1, b = 2;",
  "const a = 1,\n  b = 2;",
  "const { x, y } = { x: 1, y: 2 };",
  "const [p, q] = [1, 2];",
  "function f(a: number, b = { c: 1 }) { const inner = 2; return a + inner; }",
  "async function g() { await 1; }\nfunction* gen() { yield 1; }",
  "export const e = 1;\nexport function ef() {}\nexport interface EI { a: number }",
  "interface I { a: number }\nconst I = 1;",
  "const T = 1;\ntype T = number;",
  "export type U = string;\ninterface U2 {}\nexport interface U2 { b: 1 }",
  "class C { const = 1; let() { return `${this.const}` } }\nenum E { A, B }\nconst enum CE { X }",
  "declare const dc: number;\ndeclare let dl: string;\ndeclare function df(): void;",
  "namespace N { export const x = 1 }\nmodule M2 {}\ndeclare module \"m\" {}",
  "declare global { interface Window { z: 1 } }",
  "abstract class AC {}\nexport abstract class AC2 {}",
  "const s = 'a { b'; const t = \"}\"; const u = `x ${ { a: 1 }.a } y ${`${1}`}`;",
  "const re = /[/{]/g; const div = 4 / 2 / 1;",
  "// const commented = 1\n/* let alsoCommented = 2 */\nconst real = 3;",
  "if (true) { const hidden = 1 }\nfor (let i = 0; i < 2; i++) {}\nconst after = 1",
  "const fn = (a: number) => { let local = a; return local };\nconst obj = { let: 1, const: 2 };",
  "type = 1",
  "let type = 1; type = 2; type",
  "const a = 1\n;[1, 2].forEach((x) => x)",
  "x\nconst y = 2",
  "import * as fs from 'fs';\nconst z = 1;",
  "const d = import('fs');\nconst meta = 1;",
  "export default 1;",
  "export { a as b };",
  "using res = { [Symbol.dispose]() {} };",
  "const a: { b: number, c: string } = { b: 1, c: 'x' };",
  "let f2: (a: number, b: number) => number = (a, b) => a + b;",
  "const big = 10n; const hex = 0xff; const flt = .5e3;",
  "label: for (const k of [1]) { break label; }",
  "var v1 = 1;\nvar v1 = 2;",
  "function over(a: number): number;\nfunction over(a: string): string;\nfunction over(a: any) { return a; }",
  "const unclosed = `abc",
  "const q = (1",
  "const ü = 1; const $d = 2; const _u = 3;",
];

describe("runtime/cell_scan", () => {
  it("finds what the parser finds, or says nothing, on every notebook cell and every tricky cell", () => {
    const cells = [...notebookCells(), ...TRICKY];
    for (const cell of cells) {
      const guess = scanDeclarations(cell);
      if (!guess) continue;
      const sf = parseCell(ts, cell);
      if ((sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length) continue;   // the worker reports those first
      assert.deepStrictEqual(plain(guess), plain(analyze(cell)), `cell:\n${cell}`);
    }
  });

  it("guesses the common cells (a guess that never comes would save nothing)", () => {
    const cells = notebookCells();
    const guessed = cells.filter((c) => scanDeclarations(c));
    assert.ok(cells.length >= 20, `notebook cells: ${cells.length}`);
    assert.ok(guessed.length >= 0.6 * cells.length, `guessed ${guessed.length} of ${cells.length}`);
    for (const cell of ["const v7: number[] = [7, 2];\nv7.length", "v7.length", "const m: Map<string, number> = new Map();",
      "function f() { return 1 }\nclass K {}\nf()", "export const e = 1;", "let a = 1\nlet b = a + 1"]) {
      assert.ok(scanDeclarations(cell), `no guess for:\n${cell}`);
    }
  });

  it("says nothing for imports, export lists, destructuring and several declarators", () => {
    for (const cell of ["import * as fs from 'fs';", "export { a };", "export default 1;", "const { x } = o;",
      "const [p] = a;", "const a = 1, b = 2;", "declare global { }", "const s = `open"]) {
      assert.strictEqual(scanDeclarations(cell), undefined, cell);
    }
  });
});
