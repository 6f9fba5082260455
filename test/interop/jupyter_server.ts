// test/interop/jupyter_server.ts
// Starts the venv's jupyter_server on 127.0.0.1 with a random port and a random token, as
// `jupyter lab` would serve the tsgrad kernel, and builds @jupyterlab/services settings for it.
// Node 20 has no global WebSocket, so the `ws` package's one is passed in. --allow-root: CI runs as root.
import { ServerConnection } from "@jupyterlab/services";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { jupyterEnv, tempDir, venvBin } from "./helpers";

// `ws` ships no type declarations; the services library only needs its constructor.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WebSocket = require("ws") as unknown as ServerConnection.ISettings["WebSocket"];

export interface RunningServer {
  url: string; token: string; settings: ServerConnection.ISettings; root: string;
  log(): string; stop(): Promise<void>;
}

/** A port the OS just handed out on 127.0.0.1 (closed again, so the server can bind it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startJupyterServer(timeoutMs = 60_000): Promise<RunningServer> {
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const root = tempDir("server");
  const child: ChildProcess = spawn(venvBin("jupyter"), [
    "server", "--no-browser", "--ServerApp.ip=127.0.0.1", `--ServerApp.port=${port}`, "--ServerApp.port_retries=0",
    `--IdentityProvider.token=${token}`, `--ServerApp.root_dir=${root}`, "--allow-root",
  ], { cwd: root, env: jupyterEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => { log += d; });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => { log += d; });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jupyter server exited (${child.exitCode}):\n${log}`);
    try {
      const res = await fetch(`${url}api/status`, { headers: { Authorization: `token ${token}` } });
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { child.kill("SIGKILL"); throw new Error(`jupyter server not ready after ${timeoutMs} ms:\n${log}`); }
    await new Promise((r) => setTimeout(r, 200));
  }

  const settings = ServerConnection.makeSettings({
    baseUrl: url, wsUrl: `ws://127.0.0.1:${port}/`, token, appendToken: true,
    WebSocket,
  });
  return {
    url, token, settings, root,
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
