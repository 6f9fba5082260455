// kernel/history.ts
// Execution history kept across kernel restarts: one JSON object per line in
// <data dir>/history.jsonl ({"s": session, "n": line, "in": source, "out": text/plain or null}).
// Appends are batched and asynchronous (off the execute hot path); a torn last line from a crash is
// skipped on load. Answers history_request's tail, range and search (IPython's semantics). Only the
// last KEEP entries stay in memory (a console's tail); range, search and longer tails read the file,
// so the kernel's memory does not grow with the number of cells run.
import { appendFileSync, mkdirSync } from "node:fs";
import { appendFile, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { log } from "./log";
import type { HistoryEntry } from "./messages";

interface Entry { s: number; n: number; in: string; out: string | null }

const FLUSH_MS = 200;
const KEEP = 1_000;  // entries held in memory; older ones stay on disk

export function dataDir(): string {
  if (process.env.TSGRAD_DATA_DIR) return process.env.TSGRAD_DATA_DIR;
  return join(process.env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "tsgrad");
}

/** IPython's search uses SQLite GLOB: whole-string, case-sensitive, with * ? and [...]. */
export function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) { re += "\\["; continue; }
      let body = pattern.slice(i + 1, end);
      if (body.startsWith("^")) body = "^" + body.slice(1).replace(/[\\\]]/g, "\\$&");
      else body = body.replace(/[\\\]^]/g, "\\$&");
      re += `[${body}]`; i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

export class History {
  private entries: Entry[] = [];
  private pending: Entry[] = [];
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  /** This kernel's session number: one more than the largest on disk. */
  session = 1;
  readonly ready: Promise<void>;
  readonly file: string;

  constructor(dir = dataDir()) {
    this.file = join(dir, "history.jsonl");
    this.ready = this.load(dir);
  }

  private async load(dir: string): Promise<void> {
    try { mkdirSync(dir, { recursive: true }); } catch { /* reported by the read below */ }
    const all = await this.readAll();
    this.session = all.reduce((max, e) => Math.max(max, e.s), 0) + 1;
    this.entries = all.slice(-KEEP);
  }

  /** Every entry on disk, oldest first. */
  private async readAll(): Promise<Entry[]> {
    let text = "";
    try { text = await readFile(this.file, "utf8"); } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") log.warn(`history: cannot read ${this.file}`, err);
    }
    const out: Entry[] = [];
    for (const line of text.split("\n")) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as Entry;
        if (typeof e.s !== "number" || typeof e.n !== "number" || typeof e.in !== "string") continue;
        out.push({ s: e.s, n: e.n, in: e.in, out: typeof e.out === "string" ? e.out : null });
      } catch { /* a torn line from a crash: skip it */ }
    }
    return out;
  }

  /** All history: what is on disk after the pending entries are written. */
  private async everything(): Promise<Entry[]> {
    await this.ready;
    await this.flush();
    return this.readAll();
  }

  /** Record a cell (line = its execution count). Written within FLUSH_MS, not synchronously. */
  append(line: number, source: string, output: string | null): void {
    void this.ready.then(() => {
      const e: Entry = { s: this.session, n: line, in: source, out: output };
      this.entries.push(e);
      if (this.entries.length > 2 * KEEP) this.entries = this.entries.slice(-KEEP);
      this.pending.push(e);
      this.timer ??= setTimeout(() => { this.timer = undefined; void this.flush(); }, FLUSH_MS);
    });
  }

  private take(): string {
    const text = this.pending.map((e) => JSON.stringify(e) + "\n").join("");
    this.pending = [];
    return text;
  }

  flush(): Promise<void> {
    const text = this.take();
    if (text) this.writing = this.writing.then(() => appendFile(this.file, text)).catch((err) => log.warn("history: write failed", err));
    return this.writing;
  }

  /** At a clean exit: wait for writes in flight, then write the rest. */
  async close(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    await this.ready;
    await this.flush();
  }

  /** At a fatal exit: write what is left synchronously (a write in flight may be lost). */
  flushSync(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const text = this.take();
    if (!text) return;
    try { appendFileSync(this.file, text); } catch (err) { log.warn("history: write failed", err); }
  }

  private static row(e: Entry, output: boolean): HistoryEntry {
    return output ? [e.s, e.n, [e.in, e.out]] : [e.s, e.n, e.in];
  }

  async tail(n: number, output: boolean): Promise<HistoryEntry[]> {
    await this.ready;
    const from = n <= this.entries.length ? this.entries : await this.everything();
    return from.slice(-Math.max(0, n)).map((e) => History.row(e, output));
  }

  /** Lines start <= n < stop of a session; session 0 is this one, negative counts back from it. */
  async range(session: number, start: number, stop: number | null, output: boolean): Promise<HistoryEntry[]> {
    const all = await this.everything();
    const s = session <= 0 ? this.session + session : session;
    return all.filter((e) => e.s === s && e.n >= start && (stop === null || e.n < stop)).map((e) => History.row(e, output));
  }

  /** The last n entries whose source matches a glob; unique keeps each source's latest use. */
  async search(pattern: string, n: number | null, unique: boolean, output: boolean): Promise<HistoryEntry[]> {
    const all = await this.everything();
    const re = globToRegExp(pattern);
    const hits: Entry[] = [], seen = new Set<string>();
    for (let i = all.length - 1; i >= 0 && (n === null || hits.length < n); i--) {
      const e = all[i];
      if (!re.test(e.in) || (unique && seen.has(e.in))) continue;
      seen.add(e.in);
      hits.push(e);
    }
    return hits.reverse().map((e) => History.row(e, output));
  }
}
