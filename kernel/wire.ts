// kernel/wire.ts
// Jupyter wire format: [ids..., "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers...].
// Signs and verifies (HMAC-SHA256 over the four JSON frames, hex digest). Knows nothing about
// sockets or what messages mean. https://jupyter-client.readthedocs.io/en/latest/messaging.html#the-wire-protocol
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const DELIMITER = "<IDS|MSG>";
export const PROTOCOL_VERSION = "5.3";
const DELIMITER_BYTES = Buffer.from(DELIMITER);

export interface Header {
  msg_id: string; session: string; username: string; date: string; msg_type: string; version: string;
  [extra: string]: unknown;
}
export type Json = Record<string, unknown>;

export interface Message {
  identities: Buffer[];
  header: Header;
  /** {} for a message with no parent. */
  parent_header: Header | Record<string, never>;
  metadata: Json;
  content: Json;
  buffers: Buffer[];
}

export class WireError extends Error {
  constructor(message: string) { super(message); this.name = "WireError"; }
}

/** An HMAC signer for one connection key. An empty key means "no signing" (the spec's rule). */
export class Signer {
  private readonly key: Buffer;
  constructor(key: string) { this.key = Buffer.from(key, "utf8"); }
  get enabled(): boolean { return this.key.length > 0; }

  sign(parts: readonly (Buffer | string)[]): string {
    if (!this.enabled) return "";
    const hmac = createHmac("sha256", this.key);
    for (const p of parts) hmac.update(p);
    return hmac.digest("hex");
  }

  /** Constant-time check of a hex signature; with signing disabled every message passes. */
  verify(parts: readonly Buffer[], signature: Buffer): boolean {
    if (!this.enabled) return true;
    const expected = Buffer.from(this.sign(parts), "latin1");
    // Compare in constant time: a byte-wise early exit would leak how much of a forged digest is right.
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
}

function parseObject(frame: Buffer, name: string): Json {
  let value: unknown;
  try { value = JSON.parse(frame.toString("utf8")); } catch (err) {
    throw new WireError(`${name} is not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new WireError(`${name} is not a JSON object`);
  return value as Json;
}

/** Frames to Message. Throws WireError on a missing delimiter, a bad signature or bad JSON. */
export function decode(frames: readonly Buffer[], signer: Signer): Message {
  const at = frames.findIndex((f) => f.equals(DELIMITER_BYTES));
  if (at < 0) throw new WireError(`no ${DELIMITER} delimiter in ${frames.length} frames`);
  if (frames.length < at + 6) throw new WireError(`expected 5 frames after the delimiter, got ${frames.length - at - 1}`);
  const [signature, header, parent, metadata, content] = frames.slice(at + 1, at + 6);
  // Drop badly signed messages: this process runs user code, so without this check anyone who can
  // reach the ports could run code.
  if (!signer.verify([header, parent, metadata, content], signature)) {
    throw new WireError(signature.length === 0 ? "missing signature" : "bad signature");
  }
  const h = parseObject(header, "header");
  if (typeof h.msg_id !== "string" || typeof h.msg_type !== "string") throw new WireError("header lacks msg_id or msg_type");
  return {
    identities: frames.slice(0, at),
    header: h as Header,
    parent_header: parseObject(parent, "parent_header") as Message["parent_header"],
    metadata: parseObject(metadata, "metadata"),
    content: parseObject(content, "content"),
    buffers: frames.slice(at + 6),
  };
}

/** Message to frames, signed. */
export function encode(msg: Omit<Message, "buffers"> & { buffers?: Buffer[] }, signer: Signer): Buffer[] {
  const parts = [
    Buffer.from(JSON.stringify(msg.header)),
    Buffer.from(JSON.stringify(msg.parent_header)),
    Buffer.from(JSON.stringify(msg.metadata)),
    Buffer.from(JSON.stringify(msg.content)),
  ];
  return [...msg.identities, DELIMITER_BYTES, Buffer.from(signer.sign(parts)), ...parts, ...(msg.buffers ?? [])];
}

export function newHeader(msgType: string, session: string, username = "kernel"): Header {
  return { msg_id: randomUUID(), session, username, date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION };
}
