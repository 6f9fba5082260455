// test/kernel/wire.test.ts
// Wire format and HMAC signing, checked against digests computed independently with node:crypto.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { endpoint, parseConnection } from "../../kernel/connection";
import { decode, DELIMITER, encode, newHeader, PROTOCOL_VERSION, Signer } from "../../kernel/wire";

const KEY = "3a1f0c7e-5d1c-4a8e-9f25-0b7f3d1e2a44";

function frames(key: string, content: Record<string, unknown> = { code: "1 + 1" }) {
  const header = newHeader("execute_request", "s1", "u");
  return { header, frames: encode({ identities: [Buffer.from("client-1")], header, parent_header: {}, metadata: {}, content }, new Signer(key)) };
}

describe("wire", () => {
  it("encode: ids, delimiter, hex HMAC-SHA256 over header/parent/metadata/content, then the JSON frames", () => {
    const { header, frames: f } = frames(KEY);
    assert.equal(f.length, 7);
    assert.equal(f[0].toString(), "client-1");
    assert.equal(f[1].toString(), DELIMITER);
    const expected = createHmac("sha256", KEY).update(f[3]).update(f[4]).update(f[5]).update(f[6]).digest("hex");
    assert.equal(f[2].toString(), expected);
    assert.deepEqual(JSON.parse(f[3].toString()), header);
    assert.equal(header.version, PROTOCOL_VERSION);
    assert.match(header.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
  });

  it("decode: round-trips a signed message with buffers", () => {
    const { header, frames: f } = frames(KEY, { a: [1, 2] });
    const m = decode([...f, Buffer.from([1, 2, 3])], new Signer(KEY));
    assert.deepEqual(m.header, header);
    assert.deepEqual(m.content, { a: [1, 2] });
    assert.deepEqual(m.identities.map(String), ["client-1"]);
    assert.deepEqual([...m.buffers[0]], [1, 2, 3]);
  });

  it("decode: rejects a forged signature, a missing one, and a message signed with another key", () => {
    const signer = new Signer(KEY);
    const { frames: f } = frames(KEY);
    const forged = [...f]; forged[2] = Buffer.from("0".repeat(64));
    assert.throws(() => decode(forged, signer), { name: "WireError", message: "bad signature" });
    const missing = [...f]; missing[2] = Buffer.alloc(0);
    assert.throws(() => decode(missing, signer), { name: "WireError", message: "missing signature" });
    assert.throws(() => decode(frames("other-key").frames, signer), { message: "bad signature" });
    const tampered = [...f]; tampered[6] = Buffer.from('{"code":"process.exit()"}');
    assert.throws(() => decode(tampered, signer), { message: "bad signature" });
  });

  it("verify: a truncated or over-long digest is rejected without throwing", () => {
    const signer = new Signer(KEY);
    const { frames: f } = frames(KEY);
    const parts = f.slice(3, 7);
    assert.equal(signer.verify(parts, f[2]), true);
    assert.equal(signer.verify(parts, f[2].subarray(0, 63)), false);
    assert.equal(signer.verify(parts, Buffer.concat([f[2], Buffer.from("0")])), false);
  });

  it("an empty key means no signing: empty signature out, anything accepted in", () => {
    const signer = new Signer("");
    const { frames: f } = frames("");
    assert.equal(f[2].length, 0);
    const other = [...f]; other[2] = Buffer.from("whatever");
    assert.equal(decode(other, signer).header.msg_type, "execute_request");
  });

  it("decode: names what is wrong with malformed frames", () => {
    const signer = new Signer(KEY);
    assert.throws(() => decode([Buffer.from("a"), Buffer.from("b")], signer), /no <IDS\|MSG> delimiter/);
    assert.throws(() => decode([Buffer.from(DELIMITER), Buffer.from("x")], signer), /expected 5 frames after the delimiter, got 1/);
    const { frames: f } = frames("");
    const bad = [...f]; bad[5] = Buffer.from("{not json");
    assert.throws(() => decode(bad, new Signer("")), /metadata is not valid JSON/);
    const arr = [...f]; arr[6] = Buffer.from("[1]");
    assert.throws(() => decode(arr, new Signer("")), /content is not a JSON object/);
    const noType = [...f]; noType[3] = Buffer.from('{"msg_id":"x"}');
    assert.throws(() => decode(noType, new Signer("")), /header lacks msg_id or msg_type/);
  });
});

describe("connection file", () => {
  const base = { shell_port: 1, control_port: 2, stdin_port: 3, iopub_port: 4, hb_port: 5, key: "k", signature_scheme: "hmac-sha256" };
  it("tcp endpoints use the ip and ports it names", () => {
    const c = parseConnection(JSON.stringify({ ...base, transport: "tcp", ip: "127.0.0.1" }));
    assert.equal(endpoint(c, "shell"), "tcp://127.0.0.1:1");
    assert.equal(endpoint(c, "hb"), "tcp://127.0.0.1:5");
  });
  it("ipc endpoints follow jupyter_client: ipc://<ip>-<port>", () => {
    const c = parseConnection(JSON.stringify({ ...base, transport: "ipc", ip: "/tmp/k" }));
    assert.equal(endpoint(c, "iopub"), "ipc:///tmp/k-4");
  });
  it("names the bad field", () => {
    assert.throws(() => parseConnection(JSON.stringify({ ...base, hb_port: "x" }), "f.json"), /f.json: "hb_port" must be an integer port/);
    assert.throws(() => parseConnection(JSON.stringify({ ...base, signature_scheme: "hmac-md5" })), /signature_scheme "hmac-md5" is not supported/);
    assert.throws(() => parseConnection(JSON.stringify({ ...base, transport: "udp" })), /transport "udp" is not supported/);
    assert.throws(() => parseConnection("{"), /not valid JSON/);
  });
});
