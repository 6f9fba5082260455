// bench/kernel.ts
// `npm run bench:kernel`: tsgrad's kernel against tslab (node_modules/.bin/tslab) and ipykernel
// (.venv), measured in the same run with the same real ZeroMQ client (test/helpers/client.ts).
// Every timed cell is new text, as when a person types (`const v7: number[] = [7, 2];\nv7.length`,
// in Python for ipykernel), so no compile cache answers it:
//   startup            spawn -> first kernel_info_reply (median of BENCH_STARTS runs, default 3)
//   first_result       spawn -> reply to the first cell: what a person waits for (median of the same runs)
//   distinct_p50_0_99  execute_request -> execute_reply, median over cells 0-99 of the session
//   distinct_p50_300_399  the same over cells 300-399 (a kernel that slows with use shows here)
//   complete_p50       complete_request -> reply on `t.` (tsgrad: a Tensor; peers: an array), each
//                      request preceded by a different line so no answer is reused
//   rss_1 / rss_300 / rss_1300  resident memory of the kernel and its child processes (tsgrad's
//                      checker runs in one) after 1, 300 and 1,300 cells (BENCH_CELLS)
//   repeat_1plus1_p50  the same `1+1` sent 50 times: a compile-cache hit for tsgrad, listed for
//                      what it is (the floor of a round trip), not as cell latency
// tsgrad runs with type checking on (its default); a cell that is valid JavaScript but fails
// type checking proves it (it must come back as an error).
// vs = their value / ours, so above 1 means tsgrad is ahead. The last line is one JSON object.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ConnectionInfo } from "../kernel/connection";
import { KERNEL_ENV, kernelArgv } from "../kernel/kernelspec";
import { Client, arrivedAt } from "../test/helpers/client";
import { freePort } from "../test/helpers/kernel_proc";

// dist/bench/kernel.js when built, bench/kernel.ts under tsx: the repo root is the folder with package.json.
const ROOT = [resolve(__dirname, ".."), resolve(__dirname, "..", "..")].find((d) => existsSync(join(d, "package.json")))!;
const N_REPEAT = 50;
const N_START = Number(process.env.BENCH_STARTS ?? 3);
const N_CELLS = Math.max(400, Number(process.env.BENCH_CELLS ?? 1300));
const N_COMPLETE = 50;

interface Peer {
  name: string; argv(connectionFile: string): string[]; env?: Record<string, string>;
  /** The i-th distinct cell, and the setup + completion text for `t.`. */
  cell(i: number): string; completeSetup: string; completeAt(i: number): string;
}

const TS_CELL = (i: number) => `const v${i}: number[] = [${i}, 2];\nv${i}.length`;
const PEERS: Peer[] = [
  // As kernel.json starts it (kernel/kernelspec.ts).
  { name: "tsgrad", argv: (f) => kernelArgv(join(ROOT, "dist", "kernel", "main.js"), f), env: { ...KERNEL_ENV },
    cell: TS_CELL, completeSetup: "const t = torch.randn([3, 4]);", completeAt: (i) => `${i};\nt.` },
  { name: "tslab", argv: (f) => [process.execPath, realpathSync(join(ROOT, "node_modules", ".bin", "tslab")), "kernel", "--config-path", f],
    cell: TS_CELL, completeSetup: "const t = [1, 2, 3];", completeAt: (i) => `${i};\nt.` },
  { name: "ipykernel", argv: (f) => [join(ROOT, ".venv", "bin", "python"), "-m", "ipykernel_launcher", "-f", f],
    cell: (i) => `v${i} = [${i}, 2]\nlen(v${i})`, completeSetup: "t = [1, 2, 3]", completeAt: (i) => `${i}\nt.` },
];

/** `spawnedAt`: performance.now() when the kernel was spawned. */
interface Started { proc: ChildProcess; client: Client; spawnedAt: number; startupMs: number; log: () => string; dir: string }

async function start(peer: Peer): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${peer.name}-`));
  const [shell_port, control_port, stdin_port, iopub_port, hb_port] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const connection: ConnectionInfo = {
    transport: "tcp", ip: "127.0.0.1", shell_port, control_port, stdin_port, iopub_port, hb_port,
    key: randomBytes(32).toString("hex"), signature_scheme: "hmac-sha256", kernel_name: peer.name,
  };
  const file = join(dir, "connection.json");
  writeFileSync(file, JSON.stringify(connection));
  const client = new Client(connection);   // connects first: the kernel binds, ZeroMQ delivers the queued request
  const [cmd, ...args] = peer.argv(file);
  const t0 = performance.now();
  const proc = spawn(cmd, args, {
    cwd: dir, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, TSGRAD_DATA_DIR: join(dir, "data"), JUPYTER_PLATFORM_DIRS: "1", ...peer.env },
  });
  let log = "";
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => { log += d; });
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => { log += d; });
  // One kernel_info_request is queued until the kernel binds; resend each second in case a
  // kernel drops what arrives before it is ready.
  const first = client.replies.wait((m) => m.header.msg_type === "kernel_info_reply", 60_000, `${peer.name} kernel_info_reply`);
  let resend: NodeJS.Timeout | undefined;
  const send = () => { void client.send("shell", "kernel_info_request"); resend = setTimeout(send, 1000); };
  send();
  try {
    const reply = await first;
    return { proc, client, spawnedAt: t0, startupMs: arrivedAt(reply) - t0, log: () => log, dir };
  } catch (err) {
    proc.kill("SIGKILL");
    client.close();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${peer.name} did not start: ${(err as Error).message}\n${log}`);
  } finally { clearTimeout(resend); }
}

async function stop(k: Started): Promise<void> {
  const exited = new Promise<void>((r) => (k.proc.exitCode !== null ? r() : k.proc.once("exit", () => r())));
  try { await k.client.send("control", "shutdown_request", { restart: false }); } catch { /* already gone */ }
  const timer = setTimeout(() => k.proc.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
  k.client.close();
  rmSync(k.dir, { recursive: true, force: true });
}

/** Resident memory of the kernel process and its children, in MB (from /proc). */
function rssMb(pid: number): number {
  let kb = 0;
  const visit = (p: number) => {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0);
      for (const tid of readFileSync(`/proc/${p}/task/${p}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) visit(Number(tid));
    } catch { /* exited */ }
  };
  visit(pid);
  return kb / 1024;
}

/** Cells whose execute_reply came but whose iopub `status: idle` never did (tslab 1.0.22 loses
 *  one now and then, after 150-300 cells here); the figure is the reply's arrival either way. */
const lostIdle: Record<string, number> = {};

async function executeMs(client: Client, code: string, peer = "tsgrad"): Promise<{ ms: number; at: number; status: string; ename?: string; evalue?: string }> {
  const t0 = performance.now();
  const req = await client.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false });
  const reply = await client.reply(req, 60_000);
  const ms = arrivedAt(reply) - t0;
  try { await client.iopubUntilIdle(req, peer === "tsgrad" ? 60_000 : 10_000); } catch (err) {
    if (peer === "tsgrad") throw err;
    lostIdle[peer] = (lostIdle[peer] ?? 0) + 1;
  }
  return { ms, at: arrivedAt(reply), status: String(reply.content.status), ename: reply.content.ename as string | undefined, evalue: reply.content.evalue as string | undefined };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface Measured {
  startup: number; first_result: number; distinct_p50_0_99: number; distinct_p50_300_399: number; complete_p50: number;
  rss_1: number; rss_300: number; rss_1300: number; repeat_1plus1_p50: number; typecheck?: boolean;
}

async function completeMs(client: Client, code: string): Promise<number> {
  const t0 = performance.now();
  const req = await client.send("shell", "complete_request", { code, cursor_pos: code.length });
  const reply = await client.reply(req, 60_000);
  const ms = arrivedAt(reply) - t0;
  await client.iopubUntilIdle(req, 60_000);
  if (!(reply.content.matches as string[]).length) throw new Error(`no completions for ${JSON.stringify(code)}`);
  return ms;
}

/** A cell that must run: its round trip and the reply's arrival. */
async function executeOk(k: Started, peer: Peer, code: string): Promise<{ ms: number; at: number }> {
  const r = await executeMs(k.client, code, peer.name);
  if (r.status !== "ok") throw new Error(`${peer.name}: ${JSON.stringify(code)} failed (${r.ename}: ${r.evalue})\n${k.log()}`);
  return r;
}

/** The first cell of a started kernel: its round trip, and the time from the spawn to its reply
 * (the wait for the iopub subscription included). */
async function firstCell(k: Started, peer: Peer, code: string): Promise<{ ms: number; fromSpawn: number }> {
  // Let the iopub subscription join before counting on status messages.
  await k.client.ready(30_000);
  const r = await executeOk(k, peer, code);
  return { ms: r.ms, fromSpawn: r.at - k.spawnedAt };
}

async function measure(peer: Peer): Promise<Measured> {
  const startups: number[] = [];
  const firstResults: number[] = [];
  for (let i = 0; i < N_START - 1; i++) {
    const k = await start(peer);
    try {
      startups.push(k.startupMs);
      // Text no other cell of the bench has (each start is a new process: nothing is cached but on disk).
      firstResults.push((await firstCell(k, peer, peer.cell(N_CELLS + i))).fromSpawn);
    } finally { await stop(k); }
  }
  const k = await start(peer);
  startups.push(k.startupMs);
  try {
    const ok = async (code: string) => (await executeOk(k, peer, code)).ms;
    const first = await firstCell(k, peer, peer.cell(0));
    firstResults.push(first.fromSpawn);
    const cellMs: number[] = [ first.ms ];
    const rss1 = rssMb(k.proc.pid!);
    let rss300 = 0;
    for (let i = 1; i < N_CELLS; i++) {
      cellMs.push(await ok(peer.cell(i)));
      if (i === 299) rss300 = rssMb(k.proc.pid!);
    }
    const rss1300 = rssMb(k.proc.pid!);
    await ok(peer.completeSetup);
    const completes: number[] = [];
    for (let i = 0; i < N_COMPLETE; i++) completes.push(await completeMs(k.client, peer.completeAt(i)));
    const repeats: number[] = [];
    for (let i = 0; i < N_REPEAT + 5; i++) repeats.push((await executeMs(k.client, "1+1", peer.name)).ms);
    let typecheck: boolean | undefined;
    if (peer.name !== "ipykernel") typecheck = (await executeMs(k.client, 'Math.max("valid JavaScript, but not TypeScript")', peer.name)).status === "error";
    return {
      startup: median(startups), first_result: median(firstResults),
      distinct_p50_0_99: median(cellMs.slice(0, 100)), distinct_p50_300_399: median(cellMs.slice(300, 400)),
      complete_p50: median(completes), rss_1: rss1, rss_300: rss300, rss_1300: rss1300,
      repeat_1plus1_p50: median(repeats.slice(5)), typecheck,
    };
  } finally { await stop(k); }
}

const UNITS: Record<string, string> = {
  startup: "ms", first_result: "ms", distinct_p50_0_99: "ms", distinct_p50_300_399: "ms", complete_p50: "ms",
  rss_1: "MB", rss_300: "MB", rss_1300: "MB", repeat_1plus1_p50: "ms",
};
const TARGETS: Record<string, string> = {
  first_result: "<= 500 ms", distinct_p50_0_99: "<= 1.3x ipykernel and <= 0.3x tslab",
  distinct_p50_300_399: "as cells 0-99, and <= 1.2x tsgrad's cells 0-99", complete_p50: "<= 20 ms",
  rss_1300: "<= 300 MB, and <= rss_300 + 20 MB",
};

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, "dist", "kernel", "main.js"))) throw new Error("dist/kernel/main.js missing: npm run build");
  const got: Record<string, Measured | { error: string }> = {};
  // BENCH_PEERS=tsgrad,ipykernel measures only those (tsgrad always).
  const only = process.env.BENCH_PEERS?.split(",");
  for (const peer of PEERS.filter((p) => !only || p.name === "tsgrad" || only.includes(p.name))) {
    if (peer.name === "ipykernel" && !existsSync(join(ROOT, ".venv", "bin", "python"))) { got[peer.name] = { error: "no .venv (run ./install.sh)" }; continue; }
    try { got[peer.name] = await measure(peer); } catch (err) { got[peer.name] = { error: (err as Error).message.split("\n")[0] }; }
    process.stderr.write(`measured ${peer.name}\n`);
  }
  const ours = got.tsgrad;
  if ("error" in ours) throw new Error(`tsgrad: ${ours.error}`);
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  console.log(`kernel bench: ${N_CELLS} distinct cells per kernel, ${N_COMPLETE} completions, startup and first result median of ${N_START}; vs = theirs / ours`);
  console.log(`tsgrad type checking on: ${ours.typecheck}`);
  for (const [name, m] of Object.entries(got)) if ("error" in m) console.log(`${name}: not measured (${m.error})`);
  for (const [name, n] of Object.entries(lostIdle)) console.log(`${name}: ${n} cell(s) replied but never published status idle (waited 10 s each; timed by the reply)`);
  const results = Object.keys(UNITS).map((key) => {
    const k = key as keyof typeof UNITS & keyof Measured;
    const value = ours[k] as number;
    const vs: Record<string, number | null> = {}, peers: Record<string, number | null> = {};
    for (const peer of ["tslab", "ipykernel"]) {
      const m = got[peer];
      peers[peer] = m && !("error" in m) ? Number((m[k] as number).toPrecision(4)) : null;
      vs[peer] = peers[peer] === null ? null : Number((peers[peer]! / value).toPrecision(3));
    }
    const theirs = ["tslab", "ipykernel"].map((p) => {
      const m = got[p];
      return `${p} ${m && !("error" in m) ? fmt(m[k] as number) : "-"}`;
    }).join(", ");
    console.log(`${key.padEnd(21)} tsgrad ${fmt(value).padStart(7)} ${UNITS[key]}   (${theirs}; vs tslab ${vs.tslab ?? "-"}x, ipykernel ${vs.ipykernel ?? "-"}x)${TARGETS[key] ? `  target ${TARGETS[key]}` : ""}`);
    return { name: key, value: Number(value.toPrecision(4)), unit: UNITS[key], vs, peers };
  });
  console.log(JSON.stringify({ bench: "kernel", results }));
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
