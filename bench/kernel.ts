// bench/kernel.ts
// `npm run bench:kernel`: tsgrad's kernel against tslab (node_modules/.bin/tslab) and ipykernel
// (.venv), measured in the same run with the same real ZeroMQ client (test/helpers/client.ts):
//   startup       spawn -> first kernel_info_reply (median of BENCH_STARTS runs, default 3)
//   first_execute the first `1+1` after startup (tsgrad loads its compiler lazily, here)
//   first_result  spawn -> reply to that first `1+1`: what a person waits for the first cell
//                 (tslab warms its compiler before it answers kernel_info, tsgrad after)
//   roundtrip_p50 execute_request -> execute_reply for `1+1`, median of 50 after 5 warm-ups
//   roundtrip_p90 the same, 90th percentile
//   rss_start     resident memory after the first kernel_info_reply
//   rss_execute   resident memory after the first execute
// tsgrad runs with type checking on (its default); a cell that is valid JavaScript but fails
// type checking proves it (it must come back as an error).
// vs = their value / ours, so above 1 means tsgrad is ahead. The last line is one JSON object.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ConnectionInfo } from "../kernel/connection";
import { Client, arrivedAt } from "../test/helpers/client";
import { freePort } from "../test/helpers/kernel_proc";

// dist/bench/kernel.js when built, bench/kernel.ts under tsx: the repo root is the folder with package.json.
const ROOT = [resolve(__dirname, ".."), resolve(__dirname, "..", "..")].find((d) => existsSync(join(d, "package.json")))!;
const N_EXEC = Number(process.env.BENCH_EXECUTES ?? 50);
const N_WARM = 5;
const N_START = Number(process.env.BENCH_STARTS ?? 3);

interface Peer { name: string; argv(connectionFile: string): string[]; env?: Record<string, string> }

const PEERS: Peer[] = [
  { name: "tsgrad", argv: (f) => [process.execPath, join(ROOT, "dist", "kernel", "main.js"), "--connection-file", f] },
  { name: "tslab", argv: (f) => [process.execPath, realpathSync(join(ROOT, "node_modules", ".bin", "tslab")), "kernel", "--config-path", f] },
  { name: "ipykernel", argv: (f) => [join(ROOT, ".venv", "bin", "python"), "-m", "ipykernel_launcher", "-f", f] },
];

interface Started { proc: ChildProcess; client: Client; startupMs: number; log: () => string; dir: string }

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
    return { proc, client, startupMs: arrivedAt(reply) - t0, log: () => log, dir };
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

async function executeMs(client: Client, code: string): Promise<{ ms: number; status: string; ename?: string }> {
  const t0 = performance.now();
  const req = await client.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false });
  const reply = await client.reply(req, 60_000);
  const ms = arrivedAt(reply) - t0;
  await client.iopubUntilIdle(req, 60_000);
  return { ms, status: String(reply.content.status), ename: reply.content.ename as string | undefined };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface Measured { startup: number; first_execute: number; first_result: number; roundtrip_p50: number; roundtrip_p90: number; rss_start: number; rss_execute: number; typecheck?: boolean }

async function measure(peer: Peer): Promise<Measured> {
  const startups: number[] = [];
  for (let i = 0; i < N_START - 1; i++) {
    const k = await start(peer);
    startups.push(k.startupMs);
    await stop(k);
  }
  const k = await start(peer);
  startups.push(k.startupMs);
  try {
    // Let the iopub subscription join before counting on status messages.
    await k.client.ready(30_000);
    const rssStart = rssMb(k.proc.pid!);
    const first = await executeMs(k.client, "1+1");
    if (first.status !== "ok") throw new Error(`${peer.name}: 1+1 failed (${first.ename})\n${k.log()}`);
    const rssExecute = rssMb(k.proc.pid!);
    for (let i = 0; i < N_WARM; i++) await executeMs(k.client, "1+1");
    const times: number[] = [];
    for (let i = 0; i < N_EXEC; i++) times.push((await executeMs(k.client, "1+1")).ms);
    let typecheck: boolean | undefined;
    if (peer.name !== "ipykernel") typecheck = (await executeMs(k.client, 'Math.max("valid JavaScript, but not TypeScript")')).status === "error";
    return {
      startup: median(startups), first_execute: first.ms, first_result: k.startupMs + first.ms, roundtrip_p50: median(times), roundtrip_p90: quantile(times, 0.9),
      rss_start: rssStart, rss_execute: rssExecute, typecheck,
    };
  } finally { await stop(k); }
}

const UNITS: Record<string, string> = { startup: "ms", first_execute: "ms", first_result: "ms", roundtrip_p50: "ms", roundtrip_p90: "ms", rss_start: "MB", rss_execute: "MB" };
const TARGETS: Record<string, string> = { startup: "<= 500 ms", roundtrip_p50: "<= 2 ms and <= 0.5x tslab", rss_start: "<= 150 MB", rss_execute: "<= 150 MB" };

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, "dist", "kernel", "main.js"))) throw new Error("dist/kernel/main.js missing: npm run build");
  const got: Record<string, Measured | { error: string }> = {};
  for (const peer of PEERS) {
    if (peer.name === "ipykernel" && !existsSync(join(ROOT, ".venv", "bin", "python"))) { got[peer.name] = { error: "no .venv (run ./install.sh)" }; continue; }
    try { got[peer.name] = await measure(peer); } catch (err) { got[peer.name] = { error: (err as Error).message.split("\n")[0] }; }
    process.stderr.write(`measured ${peer.name}\n`);
  }
  const ours = got.tsgrad;
  if ("error" in ours) throw new Error(`tsgrad: ${ours.error}`);
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  console.log(`kernel bench: ${N_EXEC} executes of 1+1 after ${N_WARM} warm-ups, startup median of ${N_START}; vs = theirs / ours`);
  console.log(`tsgrad type checking on: ${ours.typecheck}`);
  for (const [name, m] of Object.entries(got)) if ("error" in m) console.log(`${name}: not measured (${m.error})`);
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
    console.log(`${key.padEnd(14)} tsgrad ${fmt(value).padStart(7)} ${UNITS[key]}   (${theirs}; vs tslab ${vs.tslab ?? "-"}x, ipykernel ${vs.ipykernel ?? "-"}x)${TARGETS[key] ? `  target ${TARGETS[key]}` : ""}`);
    return { name: key, value: Number(value.toPrecision(4)), unit: UNITS[key], vs, peers };
  });
  console.log(JSON.stringify({ bench: "kernel", results }));
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
