// test/runtime/magics.test.ts
// Issue 16 below the wire: how a cell with magics is rewritten (same line count, magic syntax
// left out of what the checker sees, TypeScript's own `!` and template text left alone), magic
// completion, is_complete with magics, and the Evaluator's diagnostics and tracebacks keeping
// the cell's line numbers. The protocol side is test/kernel/magics.test.ts.
import * as assert from "assert";
import { Evaluator } from "../../runtime/evaluator";
import { CELL_MAGICS, LINE_MAGICS, completeMagic, isCompleteCell, prepareCell } from "../../runtime/magics";
import { isCompleteCode } from "../../runtime/is_complete";
import { loadTypeScript } from "../../runtime/compiler";
import { formatTime, parseTimeitArgs } from "../../runtime/timing";
import { packageName } from "../../runtime/shell";
import { run } from "./recording_io";

const lines = (s: string) => s.split("\n").length;

describe("runtime/magics", function () {
  this.timeout(60000);

  describe("rewrite", () => {
    it("each magic line becomes one line of TypeScript: line count kept, no % ! ? left", () => {
      const cell = "const a = 1\n%time a + 1\n!echo hi\nconst out = !ls\n%pwd\n?Math.max\nMath.min??\n%timeit -n 3 a * 2\na";
      const p = prepareCell(cell, true);
      assert.equal(p.error, undefined);
      assert.equal(lines(p.source), lines(cell));
      assert.equal(p.masked.length, cell.length, "masked keeps every position");
      const src = p.source.split("\n");
      assert.equal(src[0], "const a = 1");
      assert.match(src[1], /^__tsgMagic\.timeStart\(\); \(await __tsgMagic\.timeEnd\(\(a \+ 1\)\)\)\.v;$/);
      assert.equal(src[2], 'await __tsgMagic.sh("echo hi");');
      assert.equal(src[3], 'const out = await __tsgMagic.capture("ls");');
      assert.equal(src[4], 'await __tsgMagic.line("pwd", "");');
      assert.equal(src[5], 'await __tsgMagic.help("Math.max", 0);');
      assert.equal(src[6], 'await __tsgMagic.help("Math.min", 1);');
      assert.match(src[7], /^await __tsgMagic\.timeit\(\{"number":3\}, \(__tsgN: number\) => \{ for .* \{ a \* 2; \} \}\);$/);
      assert.equal(src[8], "a");
    });

    it("%time of a statement keeps its declaration at the top level; a trailing comment is dropped", () => {
      const src = prepareCell("%time const y = f() // slow", true).source;
      assert.equal(src, "__tsgMagic.timeStart(); const y = f(); void (await __tsgMagic.timeEnd());");
    });

    it("TypeScript's `!`, template text, comments and continued expressions are not magics", () => {
      for (const cell of [
        "const s = `\n%notmagic\n!ls\n?x\n`",
        "/*\n!ls\n%time 1\n*/",
        "if (a &&\n  !b) {}",
        "function f(done: boolean) {\n  !done && go();\n}",
        "let flag = true\nflag = !flag",
        "const ok = 1 +\n  !x",
        "const t = `${`\n%inner\n`}`",
      ]) {
        const p = prepareCell(cell, true);
        assert.equal(p.source, cell, cell);
        assert.equal(p.magic, false, cell);
      }
    });

    it("`!word` is a command unless it reads as TypeScript on a known name", () => {
      assert.equal(prepareCell("!sleep 0", true).source, 'await __tsgMagic.sh("sleep 0");', "sleep is a cell global, but `sleep 0` is no expression");
      assert.equal(prepareCell("!process.exitCode", true).source, "!process.exitCode");
      assert.equal(prepareCell("const r = /'/\n!ls", true).source, 'const r = /\'/\nawait __tsgMagic.sh("ls");', "a regex with a quote");
      for (const before of ["type M = Map<string, number>", "i++", "const q = a / b"]) {
        assert.equal(prepareCell(`${before}\n!ls`, true).source, `${before}\nawait __tsgMagic.sh("ls");`, before);
      }
      assert.equal(prepareCell("const f = () =>\n  !ls", true).source, "const f = () =>\n  !ls", "an arrow's body");
    });

    it("!cmd interpolates {expr} and $name of the cell's names; shell syntax passes through", () => {
      const src = prepareCell("const dir = 'a b'; const n = 2\n!ls {dir} $n {n + 1} ${HOME} $HOME '{print $1}' {} {nope} `date`", true).source.split("\n")[1];
      assert.equal(src, "await __tsgMagic.sh(`ls ${dir} ${n} ${n + 1} \\${HOME} \\$HOME '{print \\$1}' {} {nope} \\`date\\``);");
      assert.equal(prepareCell("!echo $HOME {}", true).source, 'await __tsgMagic.sh("echo $HOME {}");');
    });

    it("cell magics: %%time wraps the run, %%nocheck turns checking off, %%timeit makes the body a loop", () => {
      const t = prepareCell("%%time\nconst x = 1\nx", true);
      assert.equal(t.source, "\nconst x = 1\nx");
      assert.ok(t.around);
      assert.equal(prepareCell("%%nocheck\nconst z: number = 'x'", true).check, false);
      assert.equal(prepareCell("%nocheck\nconst z: number = 'x'", true).check, false);
      assert.equal(prepareCell("// @ts-nocheck\nconst z: number = 'x'", true).check, false);
      const ti = prepareCell("%%timeit -n 2 -r 1 const xs = [1]\nxs.push(2)", true);
      assert.match(ti.source, /^await __tsgMagic\.timeit\(\{"number":2,"repeat":1\}, \(\(\) => \{ const xs = \[1\]; return \(__tsgN/);
      assert.match(ti.source, /\nxs\.push\(2\)\n\} \}; \}\)\(\)\);$/);
      assert.match(prepareCell("%%timeit\nawait x.item()", true).source, /await \(async \(\) => .* return async \(__tsgN/);
      assert.equal(prepareCell("%%html\n<b>hi</b>", true).source, '__tsgMagic.html("<b>hi</b>");');
      assert.equal(prepareCell("%%bash\necho 'a'\nexit 1", true).source, 'await __tsgMagic.bash("echo \'a\'\\nexit 1");');
    });

    it("an unknown magic, or a cell magic below the first line, is a UsageError listing the magics", () => {
      for (const [cell, re] of [["%foo", /unknown magic %foo\. Line magics: %time %timeit .*%npm; cell magics: %%time .*%%bash/],
        ["%%bar\n1", /unknown magic %%bar/], ["1\n%%time", /a cell magic goes on the cell's first line/],
        ["%time", /%time: give a statement/]] as const) {
        const p = prepareCell(cell, true);
        assert.equal(p.error?.name, "UsageError", cell);
        assert.match(p.error!.message, re);
      }
    });
  });

  it("completion: magic names after % and %%, from the one table", () => {
    const r = completeMagic("const a = 1\n  %ti", 17)!;
    assert.deepEqual(r.matches, ["%time", "%timeit", "%%time", "%%timeit"]);
    assert.equal(r.cursor_start, 14);
    assert.deepEqual(completeMagic("%%", 2)!.matches, Object.keys(CELL_MAGICS).map((n) => "%%" + n));
    assert.equal(completeMagic("%", 1)!.matches.length, Object.keys(LINE_MAGICS).length + Object.keys(CELL_MAGICS).length);
    assert.equal(completeMagic("a % b", 5), undefined);
    const files = completeMagic("%load runtime/magi", 18)!;
    assert.deepEqual(files.matches, ["runtime/magic_runtime.ts", "runtime/magics.ts"], "paths after %load, from the working folder");
    assert.equal(files.cursor_start, 6);
    // (test-artifacts/ appears here once the browser tests have run.)
    assert.deepEqual(completeMagic("%cd tes", 7)!.matches.filter((m) => m !== "test-artifacts/"), ["test/"], "folders only after %cd");
    assert.deepEqual(completeMagic("%cd runtime/tens", 16)!.matches, ["runtime/tensor/"], "folders only after %cd");
  });

  it("is_complete understands magics", () => {
    const status = (c: string) => isCompleteCell(c, (code) => isCompleteCode(loadTypeScript(), code)).status;
    assert.equal(status("%time 1"), "complete");
    assert.equal(status("%time const x = ("), "incomplete");
    assert.equal(status("!ls -la"), "complete");
    assert.equal(status("const files = !ls"), "complete");
    assert.equal(status("!ls\nif (x) {"), "incomplete");
    assert.equal(status("%%time"), "incomplete");
    assert.equal(status("%%time\nfor (;;) {"), "incomplete");
    assert.equal(status("%%bash\necho hi"), "incomplete", "a shell body ends with a blank line, as in IPython's console");
    assert.equal(status("%%bash\necho hi\n\n"), "complete");
    assert.equal(status("%nosuchmagic"), "invalid");
    assert.equal(status("?Math.max"), "complete");
  });

  it("timeit options and IPython's time format", () => {
    assert.deepEqual(parseTimeitArgs("-n 10 -r 3 -q -o a.add(b)"), { opts: { number: 10, repeat: 3, quiet: true, result: true }, rest: "a.add(b)" });
    assert.deepEqual(parseTimeitArgs("-x"), { opts: {}, rest: "-x" });
    assert.equal(formatTime(0.00123), "1.23 ms");
    assert.equal(formatTime(0.5), "500 ms");
    assert.equal(formatTime(2.5), "2.5 s");
    assert.equal(formatTime(4.5e-7), "450 ns");
    assert.equal(formatTime(0), "0 ns");
    assert.equal(packageName("@scope/pkg@^1.2"), "@scope/pkg");
    assert.equal(packageName("left-pad@1.3.0"), "left-pad");
    assert.equal(packageName("./local"), undefined);
  });

  describe("in the evaluator", () => {
    let ev: Evaluator;
    before(async () => { ev = new Evaluator(); await ev.warmUp(); });

    it("diagnostics and tracebacks keep the cell's line numbers around magic lines", async () => {
      const bad = await run(ev, "%pwd\n!true\nconst n: string = 1");
      assert.equal(bad.out.status, "error");
      assert.match((bad.out as { evalue: string }).evalue, new RegExp(`cell \\[${bad.count}\\] 3:7 - Type 'number' is not assignable`));
      const thrown = await run(ev, "%env TSGRAD_MAGIC_T=1\n\nthrow new Error('line three')");
      assert.equal(thrown.out.status, "error");
      assert.ok((thrown.out as { traceback: string[] }).traceback.some((l) => /cell \[\d+\], line 3/.test(l)),
        (thrown.out as { traceback: string[] }).traceback.join("\n"));
    });

    it("completion inside a %time statement and after a shell line completes the TypeScript", () => {
      assert.deepEqual(ev.complete("%time Math.SQ", 13).matches, ["SQRT1_2", "SQRT2"]);
      assert.deepEqual(ev.complete("!ls\nMath.SQ", 11).matches, ["SQRT1_2", "SQRT2"]);
    });
  });
});
