// runtime/display/image_figure.ts
// A picture as a display: image/png plus an <img> in text/html (upscaled with crisp pixels, so a
// 28×28 digit is visible) plus text/plain. No plotly: an image needs no script to be seen, and an
// <img src="data:..."> survives the untrusted-output sanitiser.
import type { MimeBundle } from "../io";
import { escapeXml } from "./escape";
import { type Pixels } from "./image";
import { $display } from "./protocol";
import { encodePng, pngDataUrl } from "./png";

/** A picture shown as image/png and an upscaled <img> (what plot.image returns); no plotly needed.
 * @example const img = plot.image(x.index(0)); img.width; */
export class ImageFigure {
  /** The encoded PNG bytes.
   * @example fs.writeFileSync("digit.png", plot.image(x.index(0)).png); */
  readonly png: Buffer;
  constructor(
    /** The raw pixels: width, height, channels (1, 3 or 4) and bytes.
     * @example plot.image(torch.zeros(28, 28)).pixels.channels; // 1 */
    readonly pixels: Pixels,
    /** The caption shown under the image (default none).
     * @example plot.image(x.index(0), { title: "7" }).title; // "7" */
    readonly title = "",
    /** Display pixels per image pixel, when given (else displayScale picks one).
     * @example plot.image(x.index(0), { scale: 4 }).scale; // 4 */
    readonly scale?: number
  ) {
    this.png = encodePng(pixels.data, pixels.width, pixels.height, pixels.channels);
  }
  /** Width in image pixels.
   * @example plot.image(torch.zeros(28, 28)).width; // 28 */
  get width(): number { return this.pixels.width; }
  /** Height in image pixels.
   * @example plot.image(torch.zeros(28, 28)).height; // 28 */
  get height(): number { return this.pixels.height; }
  /** Display size: small images are upscaled to about 160 px, large ones kept.
   * @example plot.image(torch.zeros(28, 28)).displayScale; // 5 */
  get displayScale(): number {
    return this.scale ?? Math.max(1, Math.min(8, Math.floor(160 / Math.max(this.width, this.height))));
  }
  /** A one-line description, e.g. `Image("digit", 28×28, gray)`.
   * @example plot.image(torch.zeros(28, 28)).toString(); // "Image(28×28, gray)" */
  toString(): string {
    const kind = { 1: "gray", 3: "RGB", 4: "RGBA" }[this.pixels.channels];
    return `Image(${this.title ? `"${this.title}", ` : ""}${this.height}×${this.width}, ${kind})`;
  }
  /** The PNG as a data: URL, for an <img src>.
   * @example display.html(`<img src="${plot.image(x.index(0)).toDataURL()}">`); */
  toDataURL(): string { return pngDataUrl(this.png); }
  /** The <img> (in a <figure> with the title) that text/html shows.
   * @example display.html(plot.image(x.index(0)).html()); */
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
