// runtime/timing.ts
// %time, %%time, %timeit and %%timeit (issue 16): CPU and wall time of a statement or a cell, and
// IPython's timeit loop (choose a loop count that takes >= 0.2 s, then repeat). Queued device work
// is waited for before a clock stops (Backend.sync), so WebGPU time is counted, not just the time
// to encode it. Output and numbers follow IPython's so its users can read them at a glance.
import { currentIO, isInterrupted, currentCell } from "./cell_context";
import { getBackend, hasBackend, type DeviceName } from "./tensor/backend";
import { Interrupted } from "./errors";

const DEVICES: DeviceName[] = ["webgpu", "cpu"];

/** Waits for queued work on every started device (a GPU encodes ops and runs them later). */
export async function syncDevices(): Promise<void> {
  for (const name of DEVICES) {
    if (!hasBackend(name)) continue;
    let backend;
    try { backend = getBackend(name); } catch { continue; }   // a device that failed to start has no work
    await backend.sync?.();
  }
}

/** "1.23 ms", "456 µs", "2 s": three significant digits, as IPython's _format_time. */
export function formatTime(seconds: number, precision = 3): string {
  if (seconds >= 60) {
    const m = Math.floor(seconds / 60);
    const s = seconds - 60 * m;
    return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}min ${s.toFixed(0)}s` : `${m}min ${s.toFixed(1)}s`;
  }
  const units: [string, number][] = [["s", 1], ["ms", 1e3], ["µs", 1e6], ["ns", 1e9]];
  const order = seconds > 0 ? Math.max(0, Math.min(-Math.floor(Math.floor(Math.log10(seconds)) / 3), 3)) : 3;
  return `${Number((seconds * units[order][1]).toPrecision(precision))} ${units[order][0]}`;
}

interface Clock { wall: number; cpu: NodeJS.CpuUsage }
const startClock = (): Clock => ({ wall: performance.now(), cpu: process.cpuUsage() });

function report(start: Clock): string {
  const cpu = process.cpuUsage(start.cpu);
  const wall = (performance.now() - start.wall) / 1e3;
  const user = cpu.user / 1e6, sys = cpu.system / 1e6;
  return `CPU times: user ${formatTime(user)}, sys: ${formatTime(sys)}, total: ${formatTime(user + sys)}\n` +
    `Wall time: ${formatTime(wall)}\n`;
}

/** Started %time clocks of each cell (a stack per cell, so one that threw is dropped with it). */
const clocks = new WeakMap<object, Clock[]>();
const NO_CELL = {};
const cellClocks = (): Clock[] => {
  const key = currentCell() ?? NO_CELL;
  let list = clocks.get(key);
  if (!list) clocks.set(key, list = []);
  return list;
};

/** `%time stmt`, first half: starts the clocks. */
export function timeStart(): void {
  cellClocks().push(startClock());
}

/** `%time stmt`, second half: waits for device work, prints the times, passes the value on
 * (boxed, so a promise value is shown rather than adopted). */
export async function timeEnd<T>(value?: T): Promise<{ v: T }> {
  await syncDevices();
  const start = cellClocks().pop();
  if (start) currentIO()?.stream("stdout", report(start));
  return { v: value as T };
}

/** `%%time`: times the cell's run (not its type check), also when it throws. */
export async function timeCell<T>(run: () => Promise<T>): Promise<T> {
  const start = startClock();
  const io = currentIO();
  try {
    const out = await run();
    await syncDevices();
    return out;
  } finally {
    io?.stream("stdout", report(start));
  }
}

export interface TimeitOptions { number?: number; repeat?: number; quiet?: boolean; result?: boolean }

/** What `%timeit -o` returns: seconds per loop of each run, as IPython's TimeitResult. */
export interface TimeitResult { loops: number; repeat: number; all: number[]; best: number; worst: number; average: number; stdev: number }

/** Parses `-n 100 -r 5 -q -o` off the front of a %timeit line; the rest is the statement. */
export function parseTimeitArgs(args: string): { opts: TimeitOptions; rest: string } {
  const opts: TimeitOptions = {};
  let rest = args.trimStart();
  for (;;) {
    const m = /^-(n|r)\s*(\d+)\s*|^-(q|o)(?:\s+|$)/.exec(rest);
    if (!m) break;
    if (m[1] === "n") opts.number = Number(m[2]);
    else if (m[1] === "r") opts.repeat = Number(m[2]);
    else if (m[3] === "q") opts.quiet = true;
    else opts.result = true;
    rest = rest.slice(m[0].length);
  }
  return { opts, rest };
}

/** Runs `loop(n)` (n iterations of the statement) as IPython's timeit: loops per run chosen so a
 * run takes >= 0.2 s (1, 2, 5, 10, 20, 50, ...), then `repeat` runs (7); prints mean ± std. dev. */
export async function timeit(opts: TimeitOptions, loop: (n: number) => unknown): Promise<TimeitResult | undefined> {
  const ctx = currentCell();
  const io = currentIO();
  const once = async (n: number): Promise<number> => {
    if (isInterrupted(ctx)) throw new Interrupted();
    const t0 = performance.now();
    const r = loop(n);
    if (r && typeof (r as Promise<unknown>).then === "function") await r;
    await syncDevices();
    return (performance.now() - t0) / 1e3;
  };
  let number = opts.number ?? 0;
  if (!number) {
    autorange: for (let scale = 1; ; scale *= 10) {
      for (const k of [1, 2, 5]) {
        number = k * scale;
        if (await once(number) >= 0.2) break autorange;
      }
    }
  }
  const repeat = Math.max(1, opts.repeat ?? 7);
  const all: number[] = [];
  for (let i = 0; i < repeat; i++) all.push((await once(number)) / number);
  const average = all.reduce((a, b) => a + b, 0) / all.length;
  const stdev = Math.sqrt(all.reduce((a, b) => a + (b - average) ** 2, 0) / all.length);
  if (!opts.quiet) {
    const runs = repeat === 1 ? "1 run" : `${repeat} runs`;
    const loops = number === 1 ? "1 loop" : `${number.toLocaleString("en-US")} loops`;
    const stat = repeat === 1 ? `${formatTime(average)} per loop (mean of ${runs}, ${loops} each)`
      : `${formatTime(average)} ± ${formatTime(stdev)} per loop (mean ± std. dev. of ${runs}, ${loops} each)`;
    io?.stream("stdout", stat + "\n");
  }
  if (!opts.result) return undefined;
  return { loops: number, repeat, all, best: Math.min(...all), worst: Math.max(...all), average, stdev };
}
