// runtime/display/png.ts
// A small PNG encoder (8-bit grayscale, RGB or RGBA; no interlace) over node:zlib, for images
// drawn from tensors. Spec: https://www.w3.org/TR/png/ (signature, IHDR, IDAT, IEND; each chunk
// length + type + data + CRC-32 of type+data). Decoding is left to the viewer (and to the tests).
import { deflateSync } from "node:zlib";

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309 / zlib polynomial), as PNG chunks use. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  out.set(data, 8);
  out.writeUInt32BE(crc32(out, 4, 8 + data.length), 8 + data.length);
  return out;
}

/** Channels per pixel: 1 gray, 3 RGB, 4 RGBA. */
export type Channels = 1 | 3 | 4;
const COLOR_TYPE: Record<Channels, number> = { 1: 0, 3: 2, 4: 6 };

/** Encode row-major 8-bit pixels (height × width × channels) as a PNG file. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: Channels): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new RangeError(`encodePng: width and height must be positive integers, got ${width}×${height}`);
  if (pixels.length !== width * height * channels)
    throw new RangeError(`encodePng: expected ${width}×${height}×${channels} = ${width * height * channels} bytes, got ${pixels.length}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;                       // bit depth
  ihdr[9] = COLOR_TYPE[channels];
  ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;  // deflate, adaptive filtering, no interlace
  // Filter type 1 (Sub) on every row: cheap, and it shrinks smooth images and flat borders well.
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1), p = y * stride;
    raw[o] = 1;
    for (let x = 0; x < stride; x++)
      raw[o + 1 + x] = (pixels[p + x] - (x >= channels ? pixels[p + x - channels] : 0)) & 0xff;
  }
  return Buffer.concat([PNG_SIGNATURE, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 6 })),
    chunk("IEND", new Uint8Array(0))]);
}

export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString("base64")}`;
}
