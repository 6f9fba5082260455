// notebooks/run_all.ts — `npm start`
// Runs every teaching notebook headless through papermill with its default parameters, two at a
// time, and writes the executed .ipynb and its HTML to out/ (gitignored), then prints a summary:
// notebook, seconds, final metrics (from each notebook's `tsgrad-metrics` display).
//   npm start                                  all notebooks, defaults
//   npm start -- -p epochs 1 -p train_samples 1000    overrides passed to every notebook
//   npm start -- 02 cnn                        only notebooks whose name contains "02" or "cnn"
//   npm start -- --out /tmp/nb --jobs 1 --no-html
// Exits non-zero when any notebook fails (its error is in the summary and in its output .ipynb).
import { mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { ROOT, NOTEBOOKS_DIR } from "./build";
import { pool, runNotebook, type NotebookRun, type Params } from "./runner";

interface Args { params: Params; filters: string[]; out: string; jobs: number; html: boolean }

function parseArgs(argv: string[]): Args {
  const a: Args = { params: [], filters: [], out: join(ROOT, "out"), jobs: 2, html: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-p" || arg === "--parameters") {
      if (argv[i + 2] === undefined) throw new Error(`${arg} needs a name and a value`);
      a.params.push([argv[i + 1], argv[i + 2]]); i += 2;
    } else if (arg === "--out") a.out = resolve(argv[++i]);
    else if (arg === "--jobs") a.jobs = Math.max(1, Number(argv[++i]) || 1);
    else if (arg === "--no-html") a.html = false;
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write("usage: npm start -- [-p name value]... [--out dir] [--jobs n] [--no-html] [filter]...\n");
      process.exit(0);
    } else a.filters.push(arg);
  }
  return a;
}

function formatMetrics(m: Record<string, unknown>): string {
  return Object.entries(m).map(([k, v]) => `${k}=${typeof v === "number" ? (Number.isInteger(v) ? v : Number(v.toPrecision(4))) : JSON.stringify(v)}`).join(" ");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const notebooks = readdirSync(NOTEBOOKS_DIR).filter((f) => /^\d\d_.*\.ipynb$/.test(f)).sort()
    .filter((f) => !args.filters.length || args.filters.some((p) => f.includes(p)));
  if (!notebooks.length) throw new Error(`no notebook matches ${args.filters.join(", ")}`);
  mkdirSync(args.out, { recursive: true });
  const params = args.params.map(([k, v]) => `-p ${k} ${v}`).join(" ");
  process.stdout.write(`running ${notebooks.length} notebooks through papermill (${args.jobs} at a time) into ${args.out}${params ? ` with ${params}` : ""}\n`);
  const t0 = performance.now();
  const runs = await pool(notebooks, args.jobs, async (f): Promise<NotebookRun> => {
    const r = await runNotebook(join(NOTEBOOKS_DIR, f), args.out, args.params, { html: args.html });
    process.stdout.write(`${r.ok ? "ok  " : "FAIL"} ${r.notebook} (${r.seconds.toFixed(1)} s)${r.ok ? "" : `: ${r.error}`}\n`);
    return r;
  });
  const width = Math.max(...runs.map((r) => r.notebook.length));
  process.stdout.write(`\nsummary (${((performance.now() - t0) / 1000).toFixed(0)} s in all; executed notebooks and HTML in ${args.out})\n`);
  for (const r of runs) {
    process.stdout.write(`${r.ok ? "ok  " : "FAIL"} ${r.notebook.padEnd(width)} ${r.seconds.toFixed(1).padStart(6)} s  ${r.ok ? formatMetrics(r.metrics) : r.error}\n`);
  }
  const failed = runs.filter((r) => !r.ok).length;
  if (failed) { process.stdout.write(`${failed} notebook(s) failed\n`); process.exitCode = 1; }
}

main().catch((e: unknown) => { process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`); process.exitCode = 1; });
