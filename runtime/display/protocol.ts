// runtime/display/protocol.ts
// The display protocol's names, in one place: $display (Deno's Symbol.for("Jupyter.display"): an
// object whose [$display]() returns a mime bundle shows itself), $displayId (the display_id a live
// object shows under) and newDisplayId(). Sends nothing: display.ts and sink.ts do that.
import type { MimeBundle } from "../io";

/** The display protocol key (Symbol.for("Jupyter.display"), as Deno's kernel): an object with a [$display]() method returning
 * a mime bundle is shown richly by display() and as a cell's last expression.
 * @example class Badge { [$display]() { return { "text/html": "<b>ok</b>", "text/plain": "ok" }; } } display(new Badge()); */
export const $display: unique symbol = Symbol.for("Jupyter.display") as never;
/** An object a cell shows richly: its [$display]() returns a mime bundle (or a promise of one). */
export interface Displayable { [$display](): MimeBundle | Promise<MimeBundle> }

/** An object that shows itself under a fixed display_id (live curves, progress bars) carries it
 * here, so display(obj) sends its display_data with that transient display_id and the object's
 * own later updates (update_display_data) replace it. */
export const $displayId: unique symbol = Symbol.for("tsgrad.displayId") as never;

let counter = 0;
/** A display_id unique in this process. */
export function newDisplayId(prefix = "tsgrad"): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}-${Date.now().toString(36)}-${counter}`;
}
