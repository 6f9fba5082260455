// test/runtime/cell_emit.test.ts
// A cell's emit without a program (runtime/cell_emit.ts) is TypeScript's own: the same JavaScript
// and the same source map as transpileModule, byte for byte, on every code cell of the teaching
// notebooks and on a corpus of TypeScript's syntax; cells that need a checker go to transpileModule.
import * as assert from "assert";
import { analyzeCell, parseCell } from "../../runtime/cell_source";
import { emitCell, emitCounts, emitDirect, emitWithProgram } from "../../runtime/cell_emit";
import { loadTypeScript } from "../../runtime/compiler";
import { notebookCells } from "../helpers/notebook_cells";

const ts = loadTypeScript();
const parse = (source: string) => parseCell(ts, source);

/** TypeScript's syntax, as cells use it: each goes the direct way and must emit what transpileModule does. */
const SYNTAX = [
  "const v7: number[] = [7, 2];\nv7.length",
  "let s = 0;\nfor (let i = 0; i < 10; i++) s += i;\ns",
  "let k = 0;\nk++;\nlet [a, b] = [1, 2];\n[a, b] = [b, a];\nconst g = () => a + b;\nfor (k of [1, 2]) {}\ng()",
  "class M<T> {\n  private x: T;\n  declare d: number;\n  constructor(public y: number, readonly z: string, x: T) { this.x = x; }\n  get v(): number { return this.y; }\n}\nnew M(1, 'a', true).v",
  "abstract class A { abstract f(): void; static s = 1; #p = 2; static { A.s++; } static self = A; }\nclass B extends A { f() {} override toString() { return 'b' + super.toString(); } }",
  "const Cs: Function[] = [];\nfor (let i = 0; i < 3; i++) Cs.push(class { static n = i; static me = this; });",
  "const K = class Named { static inst = new Named(); static k = Named.inst; };",
  "import * as fs from 'fs';\nimport { join } from 'path';\nimport type { Stats } from 'fs';\nconst n: string = join('a', 'b');\nlet st: Stats | undefined;",
  "import def, { a as b } from 'x';\nexport { b };\nexport const w = 1 satisfies number;\nexport default w;",
  "function f(a: number, b?: string, ...rest: number[]): string { return `${a}${b ?? ''}${rest.length}` }\nfunction f2(a: string): string;\nfunction f2(a: any) { return a; }\nawait Promise.resolve(f(1))",
  "for await (const x of (async function* () { yield 1; })()) console.log(x);",
  "const r = await import('path');\nr.sep",
  "interface P { a: number; [k: string]: number }\ntype Q = P & { b: string };\nconst q = { a: 1, b: 'x' } as unknown as Q;\nq!.a",
  "declare const z: number;\ndeclare function dz(): void;\ndeclare global { var gz: number }\nlet y = <number>(1 as any);",
  "const id = <T,>(x: T): T => x;\nconst o = { m<T>(this: unknown, x: T) { return x; } };\nid<number>(o.m(2))",
  "label: for (const a of [1]) { for (const b of [2]) { if (b) continue label; } }\ntry { throw new Error('x'); } catch { } finally { }",
  "// a comment\n/** docs */\nconst c = /* inline */ 1; // trailing\n/* last */\nc",
  "let t = 0;\n{ let t = 1; t++; }\nswitch (t) { case 0: { t = 2; break; } default: t--; }\nt",
  "let u: number | undefined;\nu ??= 3;\nu ||= 4;\nu &&= 5;\nu **= 2;\nu",
  "function* gen(): Generator<number> { yield* [1, 2]; }\n[...gen()].map((x) => x?.toFixed?.(1))",
  "const big = 10n ** 20n;\nconst re = /a(?<n>b)/g;\nconst { groups } = re.exec('ab')!;\n[big, groups]",
  "class G { static #count = 0; #x = 1; static inc() { return ++G.#count; } has(o: object) { return #x in o; } }\nG.inc()",
  "{ using res = { [Symbol.dispose]() {} }; }",
  "type Fn = (x: number) => void;\nlet h: Fn = (x) => {};\nexport let e = 1;\ne = 2;",
  "const obj = { a: 1, get b() { return 2; }, ['c' + 1]: 3, ...{ d: 4 } };\nobj",
  "x = 5;\nvar x: number;\nx",
];

/** Cells whose emit asks what only a checker knows. */
const NEEDS_CHECKER = [
  "enum E { A, B = 3, C }\nE.C",
  "const enum CE { X = 1 }\nlet ce = CE.X;",
  "namespace N { export const x = 1; export function f() { return x; } }\nN.f()",
  "module M2 { export let y = 2; }",
  "function dec(x: any, _c: unknown) { return x; }\n@dec class D {}",
  "class Acc { accessor n = 1; static accessor m = Acc; }",
];

function bothWays(source: string): { direct: ReturnType<typeof emitDirect>; program: ReturnType<typeof emitWithProgram> } {
  const sf = parse(source);
  const analysis = analyzeCell(ts, sf);
  return { direct: emitDirect(ts, sf, analysis), program: emitWithProgram(ts, source, analyzeCell(ts, parse(source))) };
}

describe("cell emit without a program", () => {
  it("emits what transpileModule emits, text and source map, for every code cell of the notebooks", function () {
    this.timeout(60_000);
    const cells = notebookCells();
    assert.ok(cells.length >= 60, `only ${cells.length} notebook cells found`);
    for (const source of cells) {
      const { direct, program } = bothWays(source);
      assert.ok(direct, `took the program's way: ${source.slice(0, 80)}`);
      assert.strictEqual(direct.js, program.js, source);
      assert.strictEqual(direct.sourceMap, program.sourceMap, source);
    }
  });

  for (const source of SYNTAX) {
    it(`emits what transpileModule emits: ${JSON.stringify(source.slice(0, 50))}`, () => {
      const { direct, program } = bothWays(source);
      assert.ok(direct, "took the program's way");
      assert.strictEqual(direct.js, program.js);
      assert.strictEqual(direct.sourceMap, program.sourceMap);
    });
  }

  for (const source of NEEDS_CHECKER) {
    it(`emits through a program where the checker is asked: ${JSON.stringify(source.slice(0, 40))}`, () => {
      const before = { ...emitCounts };
      const out = emitCell(ts, source, analyzeCell(ts, parse(source)), parse(source));
      assert.deepStrictEqual(out, emitWithProgram(ts, source, analyzeCell(ts, parse(source))));
      assert.strictEqual(emitCounts.program - before.program, 2, "emitCell took transpileModule's way");
      assert.strictEqual(emitCounts.direct, before.direct);
      assert.ok(out.js.length > 0);
    });
  }

  it("runs the cell's rewrite: declarations exported, the last expression returned", () => {
    const source = "let n: number = 2;\nconst m = n * 3;\nm + 1";
    const before = emitCounts.direct;
    const { js } = emitCell(ts, source, analyzeCell(ts, parse(source)));
    assert.strictEqual(emitCounts.direct, before + 1);
    assert.match(js, /__tsg\.x\("n", n, true\)/);
    assert.match(js, /__tsg\.x\("m", m, false\)/);
    assert.match(js, /return __tsg\.end\(true, m \+ 1, \[n\]\)/);
    assert.doesNotMatch(js, /: number/);
  });
});
