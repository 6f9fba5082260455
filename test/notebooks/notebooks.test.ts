// test/notebooks/notebooks.test.ts
// The teaching notebooks run headless through the real papermill CLI (.venv) on the installed
// "tsgrad" kernelspec, with small parameters, two at a time: every notebook must finish without an
// error (their own assertion cells check that training moved the right way) and report its
// metrics. Notebook 06 runs on WebGPU (lavapipe here), and so does a second run of 01. A failing
// cell must make papermill exit non-zero with the cell's TypeScript error in its message: checked
// with a deliberately broken fixture and with 01's own assertion (a learning rate of 0 cannot
// make the loss fall). Without a WebGPU adapter, 06 says so and measures the CPU alone.
// Every notebook also runs with `epochs 1` (#12): runs too short to expect learning print a note
// and skip their learning checks instead of failing. The notebooks write only into temporary
// folders: `git status` is the same after these tests as before.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NOTEBOOKS_DIR, sources, stale } from "../../notebooks/build";
import { pool, runNotebook, venvBin, type NotebookRun, type Params } from "../../notebooks/runner";

const KERNEL_SPEC = join(NOTEBOOKS_DIR, "..", ".venv", "share", "jupyter", "kernels", "tsgrad", "kernel.json");
const SMALL: Params = [["epochs", "1"], ["train_samples", "1000"], ["test_samples", "500"]];

/** Each notebook with the parameters CI runs it with: all eight with `epochs 1` (06 has no epochs
 * parameter; papermill passes it anyway, as `npm start -- -p epochs 1` does), 01 and 03 also long
 * enough for their learning checks to run. */
const CI_RUNS: { name: string; notebook: string; params: Params; html?: boolean }[] = [
  { name: "01_tensors_autograd", notebook: "01_tensors_autograd", params: [["epochs", "120"]], html: true },
  { name: "01_tensors_autograd [webgpu]", notebook: "01_tensors_autograd", params: [["epochs", "120"], ["device", "webgpu"]] },
  { name: "01_tensors_autograd [epochs 1]", notebook: "01_tensors_autograd", params: [["epochs", "1"]] },
  { name: "02_mlp_mnist", notebook: "02_mlp_mnist", params: SMALL },
  { name: "03_regularisation", notebook: "03_regularisation", params: [["epochs", "5"], ["train_samples", "300"], ["test_samples", "500"]] },
  { name: "03_regularisation [epochs 1]", notebook: "03_regularisation", params: [["epochs", "1"], ["train_samples", "300"], ["test_samples", "500"]] },
  { name: "04_cnn_mnist", notebook: "04_cnn_mnist", params: SMALL },
  { name: "05_watching_training", notebook: "05_watching_training", params: SMALL },
  { name: "06_speed [webgpu]", notebook: "06_speed", params: [["device", "webgpu"], ["repeats", "3"], ["steps", "4"], ["epochs", "1"]] },
  { name: "07_compression", notebook: "07_compression", params: SMALL },
  { name: "08_interpretability", notebook: "08_interpretability", params: [["epochs", "1"], ["train_samples", "1500"], ["test_samples", "300"], ["explain_samples", "4"], ["ig_steps", "16"]] },
];

/** `git status --porcelain` of the repository (null outside a git checkout). Taken when mocha
 * loads this file, before any test runs, and again after the notebook tests: a clean checkout
 * stays clean (build outputs and out/ are gitignored; everything else goes to temporary folders). */
function gitStatus(): string | null {
  try { return execFileSync("git", ["status", "--porcelain"], { cwd: join(NOTEBOOKS_DIR, ".."), encoding: "utf8" }); } catch { return null; }
}
const statusBefore = gitStatus();

const temp: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `tsgrad-nb-${prefix}-`));
  if (process.env.TSGRAD_KEEP_TEMP !== "1") temp.push(d);
  return d;
}
after(() => { for (const d of temp) rmSync(d, { recursive: true, force: true }); });

function describeRun(r: NotebookRun): string {
  return `${r.notebook}: ${r.error ?? "no error"}\n--- papermill stderr (tail) ---\n${r.proc.stderr.split("\n").filter((l) => !/^Warning: max|^\s*$/.test(l)).slice(-25).join("\n")}`;
}

describe("notebooks: sources and metadata", () => {
  it("every committed .ipynb is what its source in notebooks/src builds", () => {
    assert.deepEqual(stale(), []);
  });

  it("every notebook runs on the tsgrad kernel and has a typed parameters cell", () => {
    const list = sources();
    assert.equal(list.length, 8);
    for (const [, path] of list) {
      const nb = JSON.parse(readFileSync(path, "utf8"));
      assert.equal(nb.nbformat, 4);
      assert.deepEqual(nb.metadata.kernelspec, { name: "tsgrad", display_name: "TypeScript (tsgrad)", language: "typescript" });
      assert.equal(nb.metadata.language_info.name, "typescript");
      const params = nb.cells.filter((c: { metadata: { tags?: string[] } }) => c.metadata.tags?.includes("parameters"));
      assert.equal(params.length, 1, `${path}: one parameters cell`);
      const src = params[0].source.join("");
      assert.match(src, /let device: "cpu" \| "webgpu" = "cpu";/, path);
      assert.match(src, /let seed = \d+;/, path);
      for (const c of nb.cells) if (c.cell_type === "code") assert.deepEqual(c.outputs, [], `${path}: committed without outputs`);
    }
  });
});

describe("notebooks: headless through papermill", function () {
  this.timeout(15 * 60_000);
  const runs = new Map<string, NotebookRun>();
  let outDir = "";

  before(async function () {
    if (!existsSync(venvBin("papermill")) || !existsSync(KERNEL_SPEC)) throw new Error("the venv or the tsgrad kernelspec is missing: run ./install.sh");
    outDir = tempDir("ci");
    const results = await pool(CI_RUNS, 2, async (r) => {
      const dir = join(outDir, r.name.replace(/\W+/g, "_"));
      mkdirSync(dir, { recursive: true });
      // 04's checkpoint goes next to its output, in this test's temporary folder.
      const params: Params = r.notebook === "04_cnn_mnist" ? [...r.params, ["checkpoint", join(dir, "cnn_mnist.safetensors")]] : r.params;
      return [r.name, await runNotebook(join(NOTEBOOKS_DIR, `${r.notebook}.ipynb`), dir, params, { html: r.html ?? false, timeoutMs: 8 * 60_000 })] as const;
    });
    for (const [name, run] of results) runs.set(name, run);
  });

  for (const r of CI_RUNS) {
    it(`${r.name} runs to the end and reports its metrics`, () => {
      const run = runs.get(r.name)!;
      assert.ok(run.ok, describeRun(run));
      assert.equal(run.error, undefined);
      assert.ok(Object.keys(run.metrics).length > 0, `${r.name}: no tsgrad-metrics output`);
      for (const [k, v] of Object.entries(run.metrics)) assert.ok(v === null || typeof v !== "number" || Number.isFinite(v), `${k} = ${v}`);
    });
  }

  it("01 agrees with autograd to float precision on both devices", () => {
    for (const name of ["01_tensors_autograd", "01_tensors_autograd [webgpu]"]) {
      const m = runs.get(name)!.metrics;
      assert.ok(typeof m.max_grad_diff === "number" && m.max_grad_diff < 1e-4, `${name}: ${JSON.stringify(m)}`);
      assert.ok((m.final_loss as number) < 0.5 * (m.first_loss as number), `${name}: ${JSON.stringify(m)}`);
    }
  });

  it("runs too short to expect learning say so and skip the learning checks; longer runs make them", () => {
    for (const name of ["01_tensors_autograd [epochs 1]", "03_regularisation [epochs 1]"]) {
      const run = runs.get(name)!;
      assert.equal(run.metrics.learning_checked, false, `${name}: ${JSON.stringify(run.metrics)}`);
      assert.match(readFileSync(run.output, "utf8"), /too short to expect learning/, `${name} prints a note`);
    }
    for (const name of ["01_tensors_autograd", "03_regularisation", "02_mlp_mnist", "04_cnn_mnist", "05_watching_training", "07_compression", "08_interpretability"])
      assert.equal(runs.get(name)!.metrics.learning_checked, true, `${name}: ${JSON.stringify(runs.get(name)!.metrics)}`);
  });

  it("06 with device webgpu trains on the WebGPU backend", () => {
    const m = runs.get("06_speed [webgpu]")!.metrics;
    assert.equal(m.webgpu_available, true, JSON.stringify(m));
    assert.equal(m.train_device, "webgpu");
    assert.ok((m.webgpu_gflops as number) > 0 && (m.webgpu_samples_per_s as number) > 0, JSON.stringify(m));
  });

  it("04 saves a safetensors checkpoint next to its output", () => {
    const run = runs.get("04_cnn_mnist")!;
    assert.ok(existsSync(join(run.output, "..", "cnn_mnist.safetensors")));
    assert.ok((run.metrics.checkpoint_mb as number) > 20);
  });

  it("an executed notebook renders to HTML with its plots", () => {
    const run = runs.get("01_tensors_autograd")!;
    assert.ok(run.html && existsSync(run.html), describeRun(run));
    const html = readFileSync(run.html, "utf8");
    assert.match(html, /plotly/i);
    assert.match(html, /hand-written backprop vs autograd/);
  });
});

describe("notebooks: failures reach papermill", function () {
  this.timeout(5 * 60_000);

  it("a cell that throws makes papermill exit non-zero with the cell's error", async () => {
    const dir = tempDir("broken");
    const run = await runNotebook(join(__dirname, "fixtures", "broken.ipynb"), dir, [["features", "3"]], { html: false });
    assert.equal(run.ok, false);
    assert.notEqual(run.proc.code, 0);
    assert.match(run.proc.stderr, /PapermillExecutionError/);
    assert.match(run.proc.stderr, /ShapeError/);
    assert.match(run.proc.stderr, /matmul: cannot multiply \[2, 3\] by \[4, 2\]/);
    assert.match(run.error ?? "", /^ShapeError: matmul/);
    const nb = JSON.parse(readFileSync(run.output, "utf8"));
    const last = nb.cells[nb.cells.length - 1];
    assert.equal(last.execution_count, null, "cells after the error do not run");
  });

  it("06 on a machine without a WebGPU adapter reports it and measures the CPU alone", async () => {
    const dir = tempDir("noadapter");
    // Vulkan with no driver file finds no device: what a machine without a GPU or lavapipe sees.
    const run = await runNotebook(join(NOTEBOOKS_DIR, "06_speed.ipynb"), dir, [["device", "webgpu"], ["repeats", "2"], ["steps", "2"]],
      { html: false, env: { VK_ICD_FILENAMES: "/nonexistent/icd.json", VK_DRIVER_FILES: "/nonexistent/icd.json" } });
    assert.ok(run.ok, describeRun(run));
    assert.equal(run.metrics.webgpu_available, false);
    assert.equal(run.metrics.train_device, "cpu");
    assert.equal(run.metrics.webgpu_gflops, null);
    const saved = readFileSync(run.output, "utf8");
    assert.ok(saved.includes("WebGPU is not available on this machine"), "the notebook says WebGPU is missing");
    assert.ok(saved.includes("DeviceError: webgpu: no adapter available"), "and why");
  });

  it("a notebook's own training check fails the run when training goes nowhere (01 with lr 0)", async () => {
    const dir = tempDir("lr0");
    const run = await runNotebook(join(NOTEBOOKS_DIR, "01_tensors_autograd.ipynb"), dir, [["lr", "0"], ["epochs", "60"]], { html: false });
    assert.equal(run.ok, false, describeRun(run));
    assert.match(run.proc.stderr, /loss did not fall enough/);
  });
});

describe("notebooks: a clean tree (#12)", () => {
  it("the notebook runs wrote nothing into the repository: git status is as before them (empty from a clean checkout)", function () {
    if (statusBefore === null) this.skip();
    assert.equal(gitStatus(), statusBefore);
  });
});
