// runtime/tslab_compat.ts
// What `import * as tslab from "tslab"` gives a cell: tslab 1.0's public API (display,
// newDisplay, versions) backed by our display, so tslab notebooks run unchanged. The compiler
// and the loader redirect the module name "tslab" here, for type checking and at run time.
// Mirrors node_modules/tslab/dist/public.d.ts; one mime type per output, as tslab sends.
import { display as show, type DisplayHandle } from "./display/display";
import type { MimeBundle } from "./io";

export interface Display {
  javascript(s: string): void;
  html(s: string): void;
  markdown(s: string): void;
  latex(s: string): void;
  svg(s: string): void;
  png(b: Uint8Array): void;
  jpeg(b: Uint8Array): void;
  gif(b: Uint8Array): void;
  pdf(b: Uint8Array): void;
  text(s: string): void;
  raw(contentType: string, b: string | Uint8Array): void;
}

class DisplayImpl implements Display {
  private handle: DisplayHandle | undefined;
  /** inPlace: a newDisplay() that overwrites its single output on each call. */
  constructor(private readonly inPlace: boolean) {}
  javascript(s: string): void { this.raw("text/javascript", s); }
  html(s: string): void { this.raw("text/html", s); }
  markdown(s: string): void { this.raw("text/markdown", s); }
  latex(s: string): void { this.raw("text/latex", s); }
  svg(s: string): void { this.raw("image/svg+xml", s); }
  png(b: Uint8Array): void { this.raw("image/png", b); }
  jpeg(b: Uint8Array): void { this.raw("image/jpeg", b); }
  gif(b: Uint8Array): void { this.raw("image/gif", b); }
  pdf(b: Uint8Array): void { this.raw("application/pdf", b); }
  text(s: string): void { this.raw("text/plain", s); }
  raw(contentType: string, b: string | Uint8Array): void {
    const data = typeof b === "string" ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
    const bundle: MimeBundle = { [contentType]: data };
    if (this.inPlace && this.handle) this.handle.updateBundle(bundle);
    else {
      const h = show.bundle(bundle);
      if (this.inPlace) this.handle = h;
    }
  }
}

/** Returns a new `Display` instance which displays and overwrites a single display-entry. */
export function newDisplay(): Display {
  return new DisplayImpl(true);
}

/** Utility functions to display rich contents in tslab. */
export const display: Display = new DisplayImpl(false);

/** The version strings of tslab and its dependencies (tslab: the API level we mirror). */
export const versions = {
  tslab: "1.0.22-tsgrad",
  // A plain value, not a getter: util.inspect shows a getter as [Getter]. The compiler has
  // loaded typescript already by the time a cell imports "tslab".
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  typescript: (require("typescript") as { version: string }).version,
  node: process.version,
};

export const isNode = true;
export const isBrowser = false;
