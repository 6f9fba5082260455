// test/helpers/notebook_cells.ts
// The code cells of the teaching notebooks (notebooks/*.ipynb), magics and shell lines left out:
// real cells, for tests of the cell compiler's parts.
import * as fs from "fs";
import * as path from "path";

export function notebookCells(): string[] {
  const dir = path.join(__dirname, "..", "..", "notebooks");
  return fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).flatMap((f) => {
    const nb = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
    return nb.cells.filter((c) => c.cell_type === "code").map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));
  }).filter((s) => !/^\s*[%!?]/.test(s));
}
