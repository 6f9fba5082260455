// runtime/widgets/link.ts
// Keeping two traits equal. link/dlink do it in the kernel (observers; the value goes through the
// kernel, so it also works where no frontend is). jslink/jsdlink do it in the browser (LinkModel /
// DirectionalLinkModel of @jupyter-widgets/controls): no round trip, but only while a page is open.
import { t, widgetClass, Widget, WidgetError } from "./widget";

export type Endpoint = readonly [Widget, string];

function checkEndpoint([w, name]: Endpoint, fn: string): void {
  if (!(w instanceof Widget)) throw new WidgetError(`${fn}: expected [widget, "trait"], got ${String(w)}`);
  if (!((w.constructor as typeof Widget).traits[name] || name in w)) throw new WidgetError(`${fn}: ${w.constructor.name} has no trait "${name}"`);
}

/** A kernel-side link; unlink() stops it. */
export interface Link { unlink(): void }

/** Keep source and target equal both ways (ipywidgets.link); target takes source's value now.
 * `transform` is [forward, backward] for traits in different units. */
export function link(source: Endpoint, target: Endpoint, transform?: [(v: any) => any, (v: any) => any]): Link {
  checkEndpoint(source, "link"); checkEndpoint(target, "link");
  const [fwd, back] = transform ?? [(v: unknown) => v, (v: unknown) => v];
  let busy = false;
  const copy = (from: Endpoint, to: Endpoint, f: (v: unknown) => unknown) => () => {
    if (busy) return;
    busy = true;
    try { (to[0] as unknown as Record<string, unknown>)[to[1]] = f((from[0] as unknown as Record<string, unknown>)[from[1]]); } finally { busy = false; }
  };
  const a = copy(source, target, fwd), b = copy(target, source, back);
  a();
  const offA = source[0].observe(a, source[1] as keyof Widget & string), offB = target[0].observe(b, target[1] as keyof Widget & string);
  return { unlink: () => { offA(); offB(); } };
}

/** One-way link (ipywidgets.dlink): target follows source. */
export function dlink(source: Endpoint, target: Endpoint, transform?: (v: any) => any): Link {
  checkEndpoint(source, "dlink"); checkEndpoint(target, "dlink");
  const f = transform ?? ((v: unknown) => v);
  const copy = () => { (target[0] as unknown as Record<string, unknown>)[target[1]] = f((source[0] as unknown as Record<string, unknown>)[source[1]]); };
  copy();
  return { unlink: source[0].observe(copy, source[1] as keyof Widget & string) };
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const endpoint = {
  source: t.any<unknown>(null), target: t.any<unknown>(null),
};
const JsLinkModel = widgetClass("Link", Widget, { model: "LinkModel", view: null }, endpoint);
const JsDLinkModel = widgetClass("DirectionalLink", Widget, { model: "DirectionalLinkModel", view: null }, endpoint);
const wire = ([w, name]: Endpoint) => [`IPY_MODEL_${w.modelId}`, (w.constructor as typeof Widget).traits[name]?.wire || snake(name)];

/** Link two traits in the browser (ipywidgets.jslink). Close the returned widget to unlink. */
export function jslink(source: Endpoint, target: Endpoint): Widget {
  checkEndpoint(source, "jslink"); checkEndpoint(target, "jslink");
  return new JsLinkModel({ source: wire(source), target: wire(target) });
}

/** One-way browser link (ipywidgets.jsdlink). */
export function jsdlink(source: Endpoint, target: Endpoint): Widget {
  checkEndpoint(source, "jsdlink"); checkEndpoint(target, "jsdlink");
  return new JsDLinkModel({ source: wire(source), target: wire(target) });
}
