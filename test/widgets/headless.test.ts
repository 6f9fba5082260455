// test/widgets/headless.test.ts
// Widgets where no browser is: nbclient with store_widget_state=True keeps every model's latest
// state in the notebook's metadata (what nbconvert's HTML and static viewers render from), each
// widget output keeps its text/plain fallback next to the widget view, and a training loop with a
// control bar runs to its end (nothing waits for a click). Runs this checkout's kernel through a
// kernelspec installed into a temporary prefix.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PYTHON, ROOT, describeRun, jupyterEnv, run, tempDir, venvBin } from "../interop/helpers";

const VIEW = "application/vnd.jupyter.widget-view+json";
const STATE = "application/vnd.jupyter.widget-state+json";

const SCRIPT = `
import json, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, kernel_name="tsgrad", store_widget_state=True, timeout=120).execute()
nbformat.write(nb, sys.argv[2])
`;

function notebook(cells: string[]): string {
  return JSON.stringify({
    nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: "tsgrad", display_name: "TypeScript (tsgrad)", language: "typescript" } },
    cells: cells.map((source, i) => ({ id: `c${i}`, cell_type: "code", source, metadata: {}, outputs: [], execution_count: null })),
  });
}

describe("widgets: headless (nbclient, nbconvert)", function () {
  this.timeout(240_000);
  let env: NodeJS.ProcessEnv, dir: string;
  before(async () => {
    dir = tempDir("widgets-headless");
    const prefix = join(dir, "prefix");
    const r = await run(process.execPath, [join(ROOT, "dist", "kernel", "main.js"), "install", "--prefix", prefix]);
    assert.equal(r.code, 0, describeRun(r));
    env = jupyterEnv({ JUPYTER_PATH: join(prefix, "share", "jupyter") });
  });

  it("store_widget_state keeps the latest state of every model; outputs keep text/plain; a loop with controls ends", async () => {
    const input = join(dir, "in.ipynb"), output = join(dir, "out.ipynb");
    writeFileSync(input, notebook([
      "const s = widgets.IntSlider({ value: 4, max: 10, description: 'n' }); s",
      "s.value = 6;",
      "const curve = plot.live({ controls: true }); for (const i of curve.steps(progress(20))) curve.log({ i }); curve.stopped",
      "widgets.interact(({ x }) => x * 2, { x: [0, 10, 1] });",
    ]));
    writeFileSync(join(dir, "run.py"), SCRIPT);
    const r = await run(PYTHON, [join(dir, "run.py"), input, output], { env, timeoutMs: 200_000 });
    assert.equal(r.code, 0, describeRun(r));
    const nb = JSON.parse(readFileSync(output, "utf8"));
    const states = nb.metadata.widgets[STATE].state as Record<string, { model_name: string; state: Record<string, unknown> }>;
    const slider = Object.values(states).find((s) => s.model_name === "IntSliderModel" && s.state.description === "n")!;
    assert.equal(slider.state.value, 6);
    const first = nb.cells[0].outputs[0].data;
    assert.match([first["text/plain"]].flat().join(""), /^IntSlider\(value=4/);
    assert.ok(states[first[VIEW].model_id], "the displayed model is in the stored state");
    assert.equal([nb.cells[2].outputs.at(-1).data["text/plain"]].flat().join(""), "false");
    // interact's output widget holds fn's result.
    const outModel = Object.values(states).find((s) => s.model_name === "OutputModel")!;
    assert.equal([(outModel.state.outputs as { data: Record<string, string> }[])[0].data["text/plain"]].flat().join(""), "10");
    // nbconvert's HTML embeds the state for the widget manager it loads.
    const h = await run(venvBin("jupyter"), ["nbconvert", "--to", "html", output], { cwd: dir, env });
    assert.equal(h.code, 0, describeRun(h));
    const html = readFileSync(join(dir, "out.html"), "utf8");
    assert.ok(html.includes(STATE) && html.includes(VIEW), "widget state and views in the HTML");
  });
});
