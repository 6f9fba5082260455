import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { crc32, encodePng } from "../../runtime/display/png";
import { decodePng } from "./png_decode";

describe("png", () => {
  it("crc32 agrees with zlib.crc32", () => {
    const data = Buffer.from("IHDR and some bytes \u0000\u00ff", "latin1");
    assert.equal(crc32(data), (zlib as unknown as { crc32(d: Uint8Array): number }).crc32(data));
    assert.equal(crc32(Buffer.from("123456789")), 0xcbf43926);   // the CRC-32 check value
  });

  for (const channels of [1, 3, 4] as const) {
    it(`round-trips ${channels}-channel pixels through zlib`, () => {
      const w = 7, h = 5;
      const px = Uint8Array.from({ length: w * h * channels }, (_, i) => (i * 37 + (i >> 3)) & 0xff);
      const png = encodePng(px, w, h, channels);
      const d = decodePng(png);
      assert.deepEqual([d.width, d.height, d.channels], [w, h, channels]);
      assert.deepEqual(d.chunks, ["IHDR", "IDAT", "IEND"]);
      assert.deepEqual(Array.from(d.pixels), Array.from(px));
    });
  }

  it("compresses a flat 28×28 image to a small file", () => {
    const png = encodePng(new Uint8Array(28 * 28).fill(200), 28, 28, 1);
    assert.ok(png.length < 120, `${png.length} bytes`);
  });

  it("names the sizes when the pixel count is wrong", () => {
    assert.throws(() => encodePng(new Uint8Array(10), 3, 3, 1), /expected 3×3×1 = 9 bytes, got 10/);
    assert.throws(() => encodePng(new Uint8Array(0), 0, 3, 1), /positive integers/);
  });
});
