// test/runtime/compiler.test.ts
// Completion, inspection and is_complete from the compiler's language service, and the
// rewriting of cells (what a cell exports, what it returns).
import * as assert from "assert";
import { Evaluator } from "../../runtime/evaluator";
import * as path from "path";
import { CellCompiler, loadTypeScript } from "../../runtime/compiler";
import type { isCompleteCode } from "../../runtime/is_complete";
import { analyzeCell } from "../../runtime/cell_source";
import { plain, run } from "./recording_io";

describe("runtime/compiler", function () {
  this.timeout(60000);
  let ev: Evaluator;
  before(async () => {
    ev = new Evaluator();
    await ev.warmUp();
    plain((await run(ev, "const myVariable = { alpha: 1, beta: 'b' };\nimport * as pth from 'path';\n" +
      "/** Adds one.\n * @param n a number */\nfunction addOne(n: number) { return n + 1; }")).out);
  });

  describe("complete", () => {
    it("completes globals, user variables of earlier cells and cell globals", () => {
      assert.ok(ev.complete("Mat", 3).matches.includes("Math"));
      const r = ev.complete("1 + myVar", 9);
      assert.deepStrictEqual([r.matches, r.cursor_start, r.cursor_end], [["myVariable"], 4, 9]);
      assert.ok(ev.complete("disp", 4).matches.includes("display"));
      assert.ok(ev.complete("sle", 3).matches.includes("sleep"));
    });

    it("completes members, of built-ins, user objects and imported packages", () => {
      const m = ev.complete("Math.", 5);
      assert.ok(m.matches.includes("max") && m.matches.includes("PI"), m.matches.join());
      assert.strictEqual(m.cursor_start, 5);
      assert.deepStrictEqual(ev.complete("myVariable.", 11).matches, ["alpha", "beta"]);
      assert.ok(ev.complete("pth.jo", 6).matches.includes("join"));
      assert.deepStrictEqual(ev.complete("myVariable.al + 1", 13).matches, ["alpha"]);
      assert.ok(ev.complete("torch.ze", 8).matches.includes("zeros"));
      assert.ok(ev.complete("nn.Lin", 6).matches.includes("Linear"));
    });

    it("reports the kind of each match", () => {
      const r = ev.complete("Mat", 3);
      const types = r.metadata._jupyter_types_experimental as { text: string; type: string; start: number; end: number }[];
      assert.deepStrictEqual(types.find((t) => t.text === "Math"), { start: 0, end: 3, text: "Math", type: "var" });
      const mine = ev.complete("addO", 4).metadata._jupyter_types_experimental as { text: string; type: string }[];
      assert.strictEqual(mine.find((t) => t.text === "addOne")?.type, "function");
    });
  });

  describe("inspect", () => {
    it("returns the type and TSDoc as text/plain and text/markdown", () => {
      const r = ev.inspect("Math.max(1, 2)", 7, 0);
      assert.strictEqual(r.found, true);
      const text = r.data["text/plain"] as string;
      assert.match(text, /max\(\.\.\.values: number\[\]\): number/);
      assert.match(text, /Returns the larger of a set of supplied numeric expressions/);
      assert.match(r.data["text/markdown"] as string, /^```ts\n/);
    });

    it("shows user functions of earlier cells with their doc and parameters", () => {
      const text = ev.inspect("addOne(2)", 3, 0).data["text/plain"] as string;
      assert.match(text, /^(function )?addOne\(n: number\): number\n/);
      assert.match(text, /Adds one\./);
      assert.match(text, /@param n a number/);
    });

    it("found is false on nothing", () => {
      assert.strictEqual(ev.inspect("   ", 1, 0).found, false);
    });
  });

  describe("isComplete", () => {
    const cases: [string, ReturnType<typeof isCompleteCode>][] = [
      ["let x = 1;", { status: "complete" }],
      ["", { status: "complete" }],
      ["for (let i = 0; i < 3; i++) {", { status: "incomplete", indent: "  " }],
      ["if (a) {\n  foo({", { status: "incomplete", indent: "    " }],
      ["const s = `abc ${1}", { status: "incomplete", indent: "" }],
      ["/* a comment", { status: "incomplete", indent: "" }],
      ["const s = 'abc", { status: "incomplete", indent: "" }],
      ["1 +", { status: "incomplete", indent: "" }],
      ["foo())", { status: "invalid" }],
      ["const = 5;", { status: "invalid" }],
    ];
    for (const [code, want] of cases) {
      it(`${JSON.stringify(code)} is ${want.status}`, () => assert.deepStrictEqual(ev.isComplete(code), want));
    }
  });

  describe("cell analysis", () => {
    const analyze = (src: string) => {
      const ts = loadTypeScript();
      return analyzeCell(ts, ts.createSourceFile("c.ts", src, ts.ScriptTarget.ES2022, true));
    };
    it("lists top-level names with their kinds, and imports", () => {
      const a = analyze("import d, { e as f } from 'm';\nconst { a, b: [c] } = o;\nlet g = 1;\nfunction h() {}\nclass K {}\n" +
        "type T = 1;\ninterface I {}\nenum E { A }\n");
      assert.deepStrictEqual([...a.names], [["d", "import"], ["f", "import"], ["a", "const"], ["c", "const"], ["g", "let"],
        ["h", "function"], ["K", "class"], ["T", "type"], ["I", "type"], ["E", "enum"]]);
      assert.deepStrictEqual(a.imports.map((i) => [i.kind, i.local, i.imported]),
        [["default", "d", undefined], ["named", "f", "e"]]);
    });
    it("marks a let captured only when a nested function uses it", () => {
      const a = analyze("let s = 0; for (let i = 0; i < 3; i++) s += i;\nlet n = 0; const inc = () => n++;");
      assert.deepStrictEqual([...a.captured], ["n"]);
    });
  });

  describe("what the checker is sent", () => {
    it("a cell that declares only new names is one file change; a cell that fails its check gives its names back", async () => {
      const service = (ev as unknown as { compiler: { service: { changed(file: string, kind: string): void } } }).compiler.service;
      const sent: string[] = [];
      const original = service.changed;
      service.changed = (file, kind) => { sent.push(path.basename(file)); original.call(service, file, kind); };
      try {
        plain((await run(ev, "const sentA = 1;")).out);
        sent.length = 0;
        assert.strictEqual(plain((await run(ev, "const sentB: number = sentA + 1;\nsentB")).out), "2");
        assert.strictEqual(sent.length, 1, `files sent for one new name: ${sent.join(", ")}`);
        const bad = (await run(ev, "const sentA: string = 5;\nconst sentC = 3;")).out;
        assert.ok(bad.status === "error" && bad.ename === "TSError", JSON.stringify(bad));
        assert.strictEqual(plain((await run(ev, "const back: number = sentA;\nback")).out), "1");
        const missing = (await run(ev, "sentC")).out;
        assert.ok(missing.status === "error" && /Cannot find name 'sentC'/.test(missing.evalue), JSON.stringify(missing));
      } finally { service.changed = original; }
    });

    it("settled cells share slots: 150 cells sit in a few slot files, every name keeps its type, and a shared cell's names can be declared again", async () => {
      const c = new CellCompiler({ globalNames: [], globalsModule: path.join(__dirname, "../../runtime/index") });
      await c.warmUp();
      const inner = c as unknown as { slotCells: number[][]; files: { get(f: string): string | undefined }; slots: string[] };
      const ok = async (code: string) => {
        const r = c.compile(code, { check: true });
        assert.deepStrictEqual(r.diagnostics.map((d) => d.message), [], code);
        c.commit(code, r.analysis);
        await new Promise((resolve) => setImmediate(resolve));   // compaction runs after the cell
      };
      try {
        await ok("import * as os from 'os';\nconst host: string = os.hostname();");
        for (let i = 0; i < 150; i++) await ok(`const s${i}: number[] = [${i}];\nfunction f${i}(x: number): string { return String(x + s${i}[0]); }`);
        const used = inner.slotCells.filter((cells) => cells.length > 0);
        assert.ok(used.length <= 45, `151 cells in ${used.length} slots`);
        assert.ok(used.some((cells) => cells.length >= 30), "some slot holds a group of cells");
        // The cell with an import kept a slot of its own (a shared slot's import list never changes).
        const hostSlot = inner.slots.findIndex((f, i) => /os\.hostname/.test(inner.files.get(f) ?? "") && inner.slotCells[i].length > 0);
        assert.strictEqual(inner.slotCells[hostSlot].length, 1);
        // Names of shared cells keep their types, values and functions alike.
        assert.deepStrictEqual(c.compile("const t0: number = s3[0];\nconst t1: string = f100(s149[0]);\nconst t2: string = host;", { check: true }).diagnostics, []);
        assert.match(c.compile("const bad: string = s3;", { check: true }).diagnostics[0]?.message ?? "", /number\[\]/);
        // A shared cell's name declared again: the new type wins, the shared cell's other names stay.
        await ok("const s5 = 'five';");
        assert.deepStrictEqual(c.compile("const u: string = s5;\nconst v: string = f5(1);", { check: true }).diagnostics, []);
        assert.strictEqual(c.compile("const w: number[] = s5;", { check: true }).diagnostics.length, 1);
      } finally { c.close(); }
    });

    it("a cell may declare a name the runtime or the language makes global; it is the cell's own", async () => {
      assert.strictEqual(plain((await run(ev, "class ShapeError extends Error { kind = 'mine' }\nnew ShapeError('x').kind")).out), "'mine'");
      assert.strictEqual(plain((await run(ev, "new ShapeError('y').kind")).out), "'mine'");
    });
  });

  describe("Node's types", () => {
    const errors = (c: CellCompiler, code: string) => c.compile(code, { check: true }).diagnostics.map((d) => d.message);
    const fresh = async () => {
      const c = new CellCompiler({ globalNames: [], globalsModule: path.join(__dirname, "../../runtime/index") });
      await c.warmUp();
      return c;
    };

    it("a cell using Node's globals type-checks, and wrong uses are errors", async () => {
      const c = await fresh();
      assert.deepStrictEqual(errors(c, "console.log(process.env.HOME, Buffer.from('a').length);\n" +
        "const t: NodeJS.Timeout = setTimeout(() => {}, 1); clearTimeout(t); new URL('http://x').host;"), []);
      assert.deepStrictEqual(errors(c, "const n: number = 'x';").length, 1);
      c.close();
    });

    it("built-in modules type-check: fs, with wrong uses reported", async () => {
      const c = await fresh();
      assert.deepStrictEqual(errors(c, "import * as fs from 'fs';\nconst there: boolean = fs.existsSync('/');"), []);
      assert.strictEqual(errors(c, "import * as fs from 'fs';\nconst wrong: number = fs.readFileSync('/x', 'utf8');").length, 1);
      c.close();
    });

    it("names Node declares outside its globals are found; unknown names are errors", async () => {
      const c = await fresh();
      assert.deepStrictEqual(errors(c, "let rs: NodeJS.ReadableStream | undefined; const req = require; rs;"), []);
      assert.match(errors(c, "noSuchName")[0], /Cannot find name 'noSuchName'/);
      c.close();
    });
  });
});

