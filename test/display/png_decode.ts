// test/display/png_decode.ts
// Decodes the PNGs png.ts writes (8-bit, non-interlaced, any filter type) with node:zlib, checking
// every chunk's CRC against zlib.crc32, so the encoder is verified by an independent reader.
import * as zlib from "node:zlib";

export interface DecodedPng { width: number; height: number; channels: number; pixels: Uint8Array; chunks: string[] }

export function decodePng(buf: Uint8Array): DecodedPng {
  const b = Buffer.from(buf);
  if (!b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error("png: bad signature");
  let pos = 8, width = 0, height = 0, channels = 0;
  const idat: Buffer[] = [], chunks: string[] = [];
  const crc32 = (zlib as unknown as { crc32(d: Uint8Array): number }).crc32;
  while (pos < b.length) {
    const len = b.readUInt32BE(pos), type = b.toString("latin1", pos + 4, pos + 8);
    const data = b.subarray(pos + 8, pos + 8 + len), crc = b.readUInt32BE(pos + 8 + len);
    if (crc32(b.subarray(pos + 4, pos + 8 + len)) !== crc) throw new Error(`png: CRC mismatch in ${type}`);
    chunks.push(type);
    if (type === "IHDR") {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error("png: only 8-bit non-interlaced");
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[data[9]];
    } else if (type === "IDAT") idat.push(Buffer.from(data));
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels, out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? out[y * stride + x - channels] : 0, up = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] : 0;
      const p = a + up - c, pa = Math.abs(p - a), pb = Math.abs(p - up), pc = Math.abs(p - c);
      const pred = [0, a, up, (a + up) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? up : c][f];
      if (pred === undefined) throw new Error(`png: bad filter ${f}`);
      out[y * stride + x] = (v + pred) & 0xff;
    }
  }
  return { width, height, channels, pixels: out, chunks };
}
