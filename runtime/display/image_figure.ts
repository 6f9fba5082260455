// runtime/display/image_figure.ts
// A picture as a display: image/png plus an <img> in text/html (upscaled with crisp pixels, so a
// 28×28 digit is visible) plus text/plain. No plotly: an image needs no script to be seen, and an
// <img src="data:..."> survives the untrusted-output sanitiser.
import type { MimeBundle } from "../io";
import { escapeXml } from "./escape";
import { type Pixels } from "./image";
import { $display } from "./plotly";
import { encodePng, pngDataUrl } from "./png";

export class ImageFigure {
  readonly png: Buffer;
  constructor(readonly pixels: Pixels, readonly title = "", readonly scale?: number) {
    this.png = encodePng(pixels.data, pixels.width, pixels.height, pixels.channels);
  }
  get width(): number { return this.pixels.width; }
  get height(): number { return this.pixels.height; }
  /** Display size: small images are upscaled to about 160 px, large ones kept. */
  get displayScale(): number {
    return this.scale ?? Math.max(1, Math.min(8, Math.floor(160 / Math.max(this.width, this.height))));
  }
  toString(): string {
    const kind = { 1: "gray", 3: "RGB", 4: "RGBA" }[this.pixels.channels];
    return `Image(${this.title ? `"${this.title}", ` : ""}${this.height}×${this.width}, ${kind})`;
  }
  toDataURL(): string { return pngDataUrl(this.png); }
  html(): string {
    const s = this.displayScale;
    const img = `<img class="tsgrad-image" alt="${escapeXml(this.toString())}" width="${this.width * s}" height="${this.height * s}" ` +
      `style="image-rendering:pixelated" src="${this.toDataURL()}">`;
    return this.title ? `<figure style="margin:0;display:inline-block">${img}<figcaption style="text-align:center">${escapeXml(this.title)}</figcaption></figure>` : img;
  }
  [$display](): MimeBundle {
    return { "text/plain": this.toString(), "image/png": this.png.toString("base64"), "text/html": this.html() };
  }
}
