// notebooks/build.ts
// Builds the teaching notebooks (notebooks/NN_name.ipynb, nbformat 4, no outputs) from their
// readable sources in notebooks/src/NN_name.md. A source is a sequence of cells, each opened by a
// marker line: `%% markdown`, `%% code`, or `%% code [parameters]` (tags in brackets, comma
// separated). `node dist/notebooks/build.js` rewrites the .ipynb files; `--check` only reports
// which ones differ from their source (test/notebooks checks that they never do).
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";

/** The repository root, whether this runs compiled (dist/notebooks) or through tsx (notebooks). */
export const ROOT = resolve(__dirname, "..", ...(basename(resolve(__dirname, "..")) === "dist" ? [".."] : []));
export const NOTEBOOKS_DIR = join(ROOT, "notebooks");
const SRC = () => join(NOTEBOOKS_DIR, "src");
const MARKER = /^%% (markdown|code)(?: \[([\w, -]+)\])?\s*$/;

export interface NbCell { cell_type: "markdown" | "code"; id: string; metadata: Record<string, unknown>; source: string[]; execution_count?: null; outputs?: unknown[] }

/** "a\nb" -> ["a\n", "b"]: nbformat's multiline strings. */
function lines(text: string): string[] {
  const out = text.split("\n").map((l) => `${l}\n`);
  out[out.length - 1] = out[out.length - 1].slice(0, -1);
  return out.filter((l, i) => !(i === out.length - 1 && l === ""));
}

/** Parse a source file into notebook JSON text (stable: same source, same bytes). */
export function buildNotebook(source: string, name: string): string {
  const cells: NbCell[] = [];
  let cur: { type: "markdown" | "code"; tags: string[]; body: string[] } | null = null;
  const flush = () => {
    if (!cur) return;
    const text = cur.body.join("\n").replace(/^\n+|\n+$/g, "");
    const id = `${name.slice(0, 2)}-${String(cells.length).padStart(2, "0")}`;
    const metadata: Record<string, unknown> = cur.tags.length ? { tags: cur.tags } : {};
    cells.push(cur.type === "markdown"
      ? { cell_type: "markdown", id, metadata, source: lines(text) }
      : { cell_type: "code", id, metadata, source: lines(text), execution_count: null, outputs: [] });
  };
  for (const line of source.split("\n")) {
    const m = MARKER.exec(line);
    if (m) { flush(); cur = { type: m[1] as "markdown" | "code", tags: m[2] ? m[2].split(",").map((t) => t.trim()) : [], body: [] }; }
    else if (cur) cur.body.push(line);
    else if (line.trim()) throw new Error(`${name}: text before the first %% marker: ${line}`);
  }
  flush();
  if (!cells.some((c) => (c.metadata.tags as string[] | undefined)?.includes("parameters")))
    throw new Error(`${name}: no cell tagged [parameters]`);
  const nb = {
    cells,
    metadata: {
      kernelspec: { name: "tsgrad", display_name: "TypeScript (tsgrad)", language: "typescript" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(nb, null, 1)}\n`;
}

/** Every source, as [source path, notebook path]. */
export function sources(): [string, string][] {
  return readdirSync(SRC()).filter((f) => /^\d\d_.*\.md$/.test(f)).sort()
    .map((f) => [join(SRC(), f), join(NOTEBOOKS_DIR, `${basename(f, ".md")}.ipynb`)]);
}

/** Notebooks whose committed .ipynb differs from what their source builds. */
export function stale(): string[] {
  return sources().filter(([src, nb]) => !existsSync(nb) ||
    readFileSync(nb, "utf8") !== buildNotebook(readFileSync(src, "utf8"), basename(nb))).map(([, nb]) => basename(nb));
}

if (require.main === module) {
  if (process.argv.includes("--check")) {
    const s = stale();
    process.stdout.write(s.length ? `stale: ${s.join(", ")}\n` : "all notebooks match their sources\n");
    process.exit(s.length ? 1 : 0);
  }
  for (const [src, nb] of sources()) {
    writeFileSync(nb, buildNotebook(readFileSync(src, "utf8"), basename(nb)));
    process.stdout.write(`wrote ${nb}\n`);
  }
}
