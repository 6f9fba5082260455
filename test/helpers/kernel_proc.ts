// test/helpers/kernel_proc.ts
// Spawns the real kernel (dist/kernel/main.js, so `npm run build` first) with a fresh
// connection file and random key on 127.0.0.1 free ports, and a private history folder.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ConnectionInfo } from "../../kernel/connection";
import { KERNEL_ENV, kernelArgv } from "../../kernel/kernelspec";

/** The repository root: two levels up from test/helpers/, three from dist/test/helpers/. */
const ROOT = [resolve(__dirname, "../.."), resolve(__dirname, "../../..")].find((d) => existsSync(join(d, "package.json")) && existsSync(join(d, "kernel")))!;
export const KERNEL_MAIN = join(ROOT, "dist/kernel/main.js");

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

export interface KernelProcess {
  connection: ConnectionInfo;
  connectionFile: string;
  dataDir: string;
  proc: ChildProcess;
  /** Everything the kernel wrote to stderr so far (its log). */
  log(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface StartOptions { dataDir?: string; key?: string; transport?: "tcp" | "ipc"; env?: Record<string, string> }

export async function startKernel(opts: StartOptions = {}): Promise<KernelProcess> {
  const dir = mkdtempSync(join(tmpdir(), "tsgrad-kernel-"));
  const dataDir = opts.dataDir ?? join(dir, "data");
  const transport = opts.transport ?? "tcp";
  const ports = [];
  for (let i = 0; i < 5; i++) ports.push(transport === "tcp" ? await freePort() : 10 + i);
  const [shell_port, control_port, stdin_port, iopub_port, hb_port] = ports;
  const connection: ConnectionInfo = {
    transport, ip: transport === "tcp" ? "127.0.0.1" : join(dir, "kernel"),
    shell_port, control_port, stdin_port, iopub_port, hb_port,
    key: opts.key ?? randomBytes(32).toString("hex"), signature_scheme: "hmac-sha256", kernel_name: "tsgrad",
  };
  const connectionFile = join(dir, "kernel.json");
  writeFileSync(connectionFile, JSON.stringify(connection));
  const [node, ...args] = kernelArgv(KERNEL_MAIN, connectionFile);
  const proc = spawn(node, args, {
    env: { ...process.env, ...KERNEL_ENV, TSGRAD_DATA_DIR: dataDir, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => { log += d; });
  proc.stdout!.resume();
  const exited = new Promise<number | null>((res) => proc.once("exit", (code) => res(code)));
  return {
    connection, connectionFile, dataDir, proc, exited, log: () => log,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGKILL");
      await exited;
    },
  };
}
