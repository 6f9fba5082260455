// test/interop/papermill.test.ts
// nbclient and the papermill CLI run fixture notebooks on the installed tsgrad kernelspec (the
// kernel comes from the notebook's metadata; no --engine or -k flag) and we read back the saved
// .ipynb: every output is there, parameters arrive as typed `let` declarations, and a failing
// cell makes the run exit non-zero with the cell's TypeScript error in the message.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  FIXTURES, PY_TESTS, PYTHON, assertInstalled, codeCells, describeRun, joinText, readNotebook, run,
  tempDir, venvBin, type NbCell, type NbOutput, type Notebook,
} from "./helpers";

const PARAMS_NB = join(FIXTURES, "params.ipynb");
const TYPE_ERROR_NB = join(FIXTURES, "type_error.ipynb");
const papermill = (...args: string[]) => run(venvBin("papermill"), args, { timeoutMs: 120_000 });

const streams = (c: NbCell, name: string) =>
  (c.outputs ?? []).filter((o) => o.output_type === "stream" && o.name === name).map((o) => joinText(o.text)).join("");
const result = (c: NbCell): string | undefined => {
  const r = (c.outputs ?? []).find((o) => o.output_type === "execute_result");
  return r ? joinText(r.data?.["text/plain"] as string | string[]) : undefined;
};
const errorOf = (c: NbCell): NbOutput | undefined => (c.outputs ?? []).find((o) => o.output_type === "error");
const source = (c: NbCell) => joinText(c.source);
const isInjected = (c: NbCell) => ((c.metadata.tags as string[] | undefined) ?? []).includes("injected-parameters");

/** The params.ipynb cells after the parameters cell, as a run with these values leaves them. */
function assertParamsOutputs(nb: Notebook, p: { lr: number; epochs: number; device: string; tag: string }) {
  const cells = codeCells(nb).filter((c) => !isInjected(c));
  assert.equal(cells.length, 5);
  for (const c of cells) assert.ok(typeof c.execution_count === "number", `cell not executed: ${source(c)}`);
  assert.equal(streams(cells[1], "stdout"), `lr=${p.lr} epochs=${p.epochs} device=${p.device} tag=${p.tag}\n`);
  assert.equal(streams(cells[1], "stderr"), "to stderr\n");
  assert.equal(result(cells[2]), String(p.epochs));
  const obj = result(cells[3]) ?? "";
  for (const part of [`lr: ${p.lr}`, `epochs: ${p.epochs}`, `device: '${p.device}'`]) assert.ok(obj.includes(part), `${part} not in ${obj}`);
  assert.equal(result(cells[4]), "'done'");
  for (const c of cells) assert.equal(errorOf(c), undefined);
}

describe("interop: nbclient and papermill", function () {
  this.timeout(180_000);
  before(assertInstalled);

  it("nbclient executes a notebook and the saved copy holds every output", async () => {
    const out = join(tempDir("nbclient"), "out.ipynb");
    const r = await run(PYTHON, [join(PY_TESTS, "run_nbclient.py"), PARAMS_NB, out], { cwd: FIXTURES });
    assert.equal(r.code, 0, describeRun(r));
    assertParamsOutputs(readNotebook(out), { lr: 0.1, epochs: 2, device: "cpu", tag: "baseline" });
  });

  it("papermill without -p runs the notebook as written, with no injected cell", async () => {
    const out = join(tempDir("pm"), "out.ipynb");
    const r = await papermill(PARAMS_NB, out);
    assert.equal(r.code, 0, describeRun(r));
    const nb = readNotebook(out);
    assert.equal(nb.cells.filter(isInjected).length, 0);
    assertParamsOutputs(nb, { lr: 0.1, epochs: 2, device: "cpu", tag: "baseline" });
  });

  it("papermill -p injects typed let declarations after the parameters cell and the run uses them", async () => {
    const out = join(tempDir("pm"), "out.ipynb");
    const r = await papermill(PARAMS_NB, out, "-p", "lr", "0.5", "-p", "epochs", "3", "-p", "device", "webgpu", "-p", "tag", 'say "hi"');
    assert.equal(r.code, 0, describeRun(r));
    const nb = readNotebook(out);
    const at = nb.cells.findIndex(isInjected);
    assert.ok(at > 0 && ((nb.cells[at - 1].metadata.tags as string[]) ?? []).includes("parameters"), "injected cell follows the parameters cell");
    assert.equal(source(nb.cells[at]), [
      "// Parameters",
      "let lr: number = 0.5;",
      "let epochs = 3;",
      'let device: "cpu" | "webgpu" = "webgpu";',
      'let tag = "say \\"hi\\"";',
      "",
    ].join("\n"));
    assert.equal(errorOf(nb.cells[at]), undefined);
    assertParamsOutputs(nb, { lr: 0.5, epochs: 3, device: "webgpu", tag: 'say "hi"' });
  });

  it("papermill exits non-zero with the cell's error when a cell throws", async () => {
    const out = join(tempDir("pm"), "out.ipynb");
    const r = await papermill(PARAMS_NB, out, "-p", "fail", "true");
    assert.notEqual(r.code, 0, describeRun(r));
    assert.match(r.stderr, /PapermillExecutionError/, describeRun(r));
    assert.match(r.stderr, /RangeError/);
    assert.match(r.stderr, /asked to fail with lr=0\.1/);
    const cells = codeCells(readNotebook(out)).filter((c) => !isInjected(c));
    const err = errorOf(cells[4]);
    assert.equal(err?.ename, "RangeError");
    assert.equal(err?.evalue, "asked to fail with lr=0.1");
    assert.equal(streams(cells[1], "stdout"), "lr=0.1 epochs=2 device=cpu tag=baseline\n", "earlier outputs kept");
  });

  it("papermill reports a type error with its TypeScript message, and the cell does not run", async () => {
    const out = join(tempDir("pm"), "out.ipynb");
    const r = await papermill(TYPE_ERROR_NB, out);
    assert.notEqual(r.code, 0, describeRun(r));
    assert.match(r.stderr, /Type 'string' is not assignable to type 'number'/, describeRun(r));
    const cells = codeCells(readNotebook(out));
    assert.equal(streams(cells[0], "stdout"), "first cell ran\n");
    const err = errorOf(cells[1]);
    assert.ok(err, "error output saved in the failing cell");
    assert.match(`${err.ename}: ${err.evalue}`, /TS2322|not assignable/);
    assert.equal(streams(cells[1], "stdout"), "", "a cell that does not type check must not run");
    assert.equal(cells[2].execution_count ?? null, null, "cells after the error do not run");
  });

  it("papermill -p with a value outside the declared type fails in the injected cell", async () => {
    const out = join(tempDir("pm"), "out.ipynb");
    const r = await papermill(PARAMS_NB, out, "-p", "device", "cuda");
    assert.notEqual(r.code, 0, describeRun(r));
    assert.match(r.stderr, /Type '"cuda"' is not assignable to type '"cpu" \| "webgpu"'/, describeRun(r));
    const nb = readNotebook(out);
    assert.ok(errorOf(nb.cells[nb.cells.findIndex(isInjected)]), "the injected cell holds the error");
  });

  it("papermill --help-notebook lists the parameters with types, defaults and help", async () => {
    const r = await papermill("--help-notebook", PARAMS_NB);
    assert.equal(r.code, 0, describeRun(r));
    // papermill puts the help on the next line, indented 34 columns, after a long definition.
    const lines = r.stdout.replace(/\n {34}/g, " ").split("\n").map((l) => l.trim().replace(/\s+/g, " "));
    for (const want of [
      "lr: number (default 0.1) learning rate",
      "epochs: number (default 2) passes over the data",
      'device: "cpu" | "webgpu" (default "cpu") where to run',
      'tag: string (default "baseline") a const: the injected let must replace it too',
      "fail: boolean (default false) throw in the last cell",
    ]) assert.ok(lines.includes(want), `missing "${want}" in\n${r.stdout}`);
  });
});
