// kernel/connection.ts
// Parse and check a Jupyter connection file (jupyter_client's format) and turn it into the endpoints
// to bind. The kernel binds exactly the transport, ip and ports named there, nothing else.
// Leaves binding to kernel/io/socket_thread.ts and signing to kernel/wire.ts.
import { readFileSync } from "node:fs";

export type Channel = "shell" | "control" | "stdin" | "iopub" | "hb";
export const CHANNELS: readonly Channel[] = ["shell", "control", "stdin", "iopub", "hb"];

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number; control_port: number; stdin_port: number; iopub_port: number; hb_port: number;
  key: string;
  signature_scheme: "hmac-sha256";
  kernel_name?: string;
}

export class ConnectionError extends Error {
  constructor(message: string) { super(message); this.name = "ConnectionError"; }
}

export function parseConnection(text: string, source = "connection file"): ConnectionInfo {
  let raw: Record<string, unknown>;
  try { raw = JSON.parse(text); } catch (err) {
    throw new ConnectionError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ConnectionError(`${source}: expected a JSON object`);
  const transport = raw.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") throw new ConnectionError(`${source}: transport "${String(transport)}" is not supported (tcp or ipc)`);
  const ip = raw.ip ?? (transport === "tcp" ? "127.0.0.1" : "kernel-ipc");
  if (typeof ip !== "string" || ip === "") throw new ConnectionError(`${source}: "ip" must be a non-empty string`);
  const scheme = raw.signature_scheme ?? "hmac-sha256";
  if (scheme !== "hmac-sha256") throw new ConnectionError(`${source}: signature_scheme "${String(scheme)}" is not supported (hmac-sha256)`);
  const key = raw.key ?? "";
  if (typeof key !== "string") throw new ConnectionError(`${source}: "key" must be a string`);
  const ports: Record<string, number> = {};
  for (const ch of CHANNELS) {
    const name = `${ch}_port`, port = raw[name];
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConnectionError(`${source}: "${name}" must be an integer port in 1..65535, got ${JSON.stringify(port)}`);
    }
    ports[name] = port;
  }
  return {
    transport, ip, key, signature_scheme: "hmac-sha256",
    shell_port: ports.shell_port, control_port: ports.control_port, stdin_port: ports.stdin_port,
    iopub_port: ports.iopub_port, hb_port: ports.hb_port,
    ...(typeof raw.kernel_name === "string" ? { kernel_name: raw.kernel_name } : {}),
  };
}

export function readConnection(path: string): ConnectionInfo {
  let text: string;
  try { text = readFileSync(path, "utf8"); } catch (err) {
    throw new ConnectionError(`cannot read connection file ${path}: ${(err as Error).message}`);
  }
  return parseConnection(text, path);
}

/** The ZeroMQ endpoint for a channel. ipc follows jupyter_client: `ipc://<ip>-<port>`. */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info[`${channel}_port`];
  if (info.transport === "ipc") return `ipc://${info.ip}-${port}`;
  const host = info.ip.includes(":") && !info.ip.startsWith("[") ? `[${info.ip}]` : info.ip;
  return `tcp://${host}:${port}`;
}

/** IPv6 addresses need the socket's ipv6 option before bind. */
export function isIpv6(info: ConnectionInfo): boolean {
  return info.transport === "tcp" && info.ip.includes(":");
}
