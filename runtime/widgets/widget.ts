// runtime/widgets/widget.ts
// The Jupyter widget protocol 2.1.0 on the kernel side (ipywidgets' Widget, in TypeScript): a
// Widget is a model whose traits are synced properties. It opens a comm to target "jupyter.widget"
// with {state, buffer_paths} and version metadata; handles update, request_state and custom from
// the frontend (answering an update with echo_update), sends update and custom itself; binary values
// (typed arrays, ArrayBuffer, DataView) travel as buffers at their buffer_paths. Bad messages and
// unknown traits are reported to the cell's stderr (comms.onError) and leave the state as it was.
// Widget classes (controls.ts) are made with widgetClass(), which turns a trait table into typed
// accessors and a constructor callable without `new`. No wire format here: comms.ts sends.
// https://github.com/jupyter-widgets/ipywidgets/blob/main/packages/schema/messages.md
import { comms, type Comm, type CommMessage } from "../comms";
import { $display } from "../display/display";
import type { MimeBundle } from "../io";

export const PROTOCOL_VERSION = "2.1.0";
export const WIDGET_TARGET = "jupyter.widget";
export const CONTROL_TARGET = "jupyter.widget.control";
export const VIEW_MIME = "application/vnd.jupyter.widget-view+json";
const MODEL_REF = "IPY_MODEL_";

/** What observe() callbacks receive (ipywidgets' change dict; `name` is the TypeScript name). */
export interface Change<T = unknown, W = Widget> { name: string; old: T; new: T; owner: W; type: "change" }
export type Observer<T = unknown, W = Widget> = (change: Change<T, W>) => void;

type Kind = "int" | "float" | "bool" | "str" | "any" | "widget" | "widgets" | "bytes";
/** One synced trait: its wire name, default, JSON kind, and what a constructor accepts for it. */
export interface TraitDef<V, In = V> {
  readonly wire: string; readonly kind: Kind; readonly nullable: boolean;
  readonly init: () => V;
  /** Turns constructor input (a plain layout object, say) into the stored value. */
  readonly coerce?: (v: In) => V;
  /** Phantom: the stored type and the accepted input type, for the checker only. */
  readonly _v?: V; readonly _in?: In;
}
export type AnyTraits = Record<string, TraitDef<any, any>>;
export type Values<D extends AnyTraits> = { -readonly [K in keyof D]: D[K] extends TraitDef<infer V, any> ? V : never };
export type Options<D extends AnyTraits> = { [K in keyof D]?: D[K] extends TraitDef<any, infer In> ? In : never };

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
function def<V, In = V>(kind: Kind, dflt: V | (() => V), opts: { wire?: string; nullable?: boolean; coerce?: (v: In) => V } = {}): TraitDef<V, In> {
  const init = typeof dflt === "function" ? dflt as () => V : () => (Array.isArray(dflt) ? [...dflt] as V : dflt);
  return { wire: opts.wire ?? "", kind, nullable: opts.nullable ?? dflt === null, init, coerce: opts.coerce };
}
/** Trait builders: t.int(0), t.str(""), t.nullable(t.str(null)) and so on. */
export const t = {
  int: (d: number) => def<number>("int", d),
  float: (d: number) => def<number>("float", d),
  bool: (d: boolean) => def<boolean>("bool", d),
  str: (d: string) => def<string>("str", d),
  /** A string that may be null (tooltip, rows). */
  optStr: () => def<string | null>("str", null),
  optInt: () => def<number | null>("int", null),
  optBool: () => def<boolean | null>("bool", null),
  optFloat: (d: number | null) => def<number | null>("float", d, { nullable: true }),
  any: <V>(d: V | (() => V)) => def<V>("any", d),
  /** An enum of strings ("horizontal" | "vertical"). */
  oneOf: <S extends string>(d: S) => def<S>("str", d),
  bytes: () => def<Uint8Array, Uint8Array | ArrayBuffer | ArrayBufferView>("bytes", () => new Uint8Array(0)),
  widget: <W extends Widget, In = W>(make: () => W, coerce?: (v: In) => W) => def<W, In | W>("widget", make, { coerce: coerce as (v: In | W) => W }),
  widgets: <W extends Widget = Widget>() => def<W[]>("widgets", () => []),
  /** A trait whose wire name is not the snake_case of its TypeScript name. */
  wire: <V, In>(d: TraitDef<V, In>, wire: string): TraitDef<V, In> => ({ ...d, wire }),
};

/** The model and view a frontend instantiates (@jupyter-widgets/controls 2.0.0 unless said). */
export interface ModelSpec {
  model: string; module?: string; version?: string;
  view: string | null; viewModule?: string; viewVersion?: string;
}

/** Every widget this process made and has not closed, by model id (jupyter.widget.control). */
export const instances = new Map<string, Widget>();
let localIds = 0;

const isBinary = (v: unknown): v is ArrayBufferView | ArrayBuffer => ArrayBuffer.isView(v) || v instanceof ArrayBuffer;
const toBytes = (v: ArrayBufferView | ArrayBuffer): Uint8Array =>
  v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** Take binary values out of a JSON-able state: ipywidgets' _remove_buffers. */
export function removeBuffers(state: Record<string, unknown>): { state: Record<string, unknown>; buffer_paths: (string | number)[][]; buffers: Uint8Array[] } {
  const buffer_paths: (string | number)[][] = [], buffers: Uint8Array[] = [];
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (isBinary(v)) { buffer_paths.push(path); buffers.push(toBytes(v)); return undefined; }
    if (Array.isArray(v)) { const out = v.map((x, i) => walk(x, [...path, i])); return out; }
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) { const w = walk(x, [...path, k]); if (w !== undefined || !isBinary(x)) out[k] = w; }
      return out;
    }
    return v;
  };
  return { state: walk(state, []) as Record<string, unknown>, buffer_paths, buffers };
}

/** Put buffers back at their paths: ipywidgets' _put_buffers. */
export function putBuffers(state: Record<string, unknown>, paths: unknown, buffers: Uint8Array[] = []): void {
  if (!Array.isArray(paths)) return;
  paths.forEach((path, i) => {
    if (!Array.isArray(path) || path.length === 0 || i >= buffers.length) throw new TypeError(`widget: bad buffer path ${JSON.stringify(path)}`);
    let obj = state as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) obj = obj[key] as Record<string | number, unknown>;
    obj[path[path.length - 1]] = buffers[i];
  });
}

export class WidgetError extends Error {
  constructor(message: string) { super(message); this.name = "WidgetError"; }
}

/** A widget model (ipywidgets.Widget / DOMWidget). Make subclasses with widgetClass(). */
export class Widget {
  static spec: ModelSpec = { model: "WidgetModel", module: "@jupyter-widgets/base", view: null };
  static traits: AnyTraits = {};
  /** Constructor options that are not traits; the subclass's init() reads them. */
  static extraOptions: readonly string[] = [];
  readonly modelId: string;
  /** False while the constructor runs (validation that compares traits waits for init()). */
  protected ready = false;
  comm: Comm | null = null;
  /** Trait values as TypeScript sees them (camelCase names). */
  protected readonly values: Record<string, unknown> = {};
  private readonly observers: { cb: Observer<any, any>; names: Set<string> | null }[] = [];
  private readonly msgHandlers: ((content: unknown, buffers: Uint8Array[]) => void)[] = [];
  /** Names being set from a frontend message: their new values are not sent back (echo_update did). */
  private fromFrontend: Map<string, unknown> | null = null;
  /** Inside hold(): names changed, sent together at the end. */
  private held: Set<string> | null = null;

  constructor(opts: Record<string, unknown> = {}) {
    const traits = this.traitDefs();
    for (const [name, d] of Object.entries(traits)) this.values[name] = d.init();
    const extra = (this.constructor as typeof Widget).extraOptions;
    for (const [name, v] of Object.entries(opts)) {
      if (v === undefined || extra.includes(name)) continue;
      const d = traits[name];
      if (!d) throw new WidgetError(`${this.constructor.name}: unknown option "${name}" (traits: ${Object.keys(traits).join(", ")})`);
      this.values[name] = this.check(name, d.coerce && !(v instanceof Widget) ? d.coerce(v) : v);
    }
    this.init(opts);
    this.ready = true;
    this.modelId = this.open() ?? `local-${++localIds}`;
    instances.set(this.modelId, this);
  }

  /** Subclasses settle their own options here, before the comm opens (selection options, say). */
  protected init(_opts: Record<string, unknown>): void {}

  protected traitDefs(): AnyTraits { return (this.constructor as typeof Widget).traits; }
  protected spec(): ModelSpec { return (this.constructor as typeof Widget).spec; }

  /** The wire state: every trait plus the model and view names. */
  getState(names?: Iterable<string>): Record<string, unknown> {
    const spec = this.spec(), traits = this.traitDefs();
    const out: Record<string, unknown> = {};
    if (!names) {
      Object.assign(out, {
        _model_name: spec.model, _model_module: spec.module ?? "@jupyter-widgets/controls", _model_module_version: spec.version ?? "2.0.0",
        _view_name: spec.view, _view_module: spec.viewModule ?? spec.module ?? "@jupyter-widgets/controls",
        _view_module_version: spec.viewVersion ?? spec.version ?? "2.0.0", _view_count: null,
      });
    }
    for (const name of names ?? Object.keys(traits)) {
      const d = traits[name];
      if (d) out[d.wire || snake(name)] = toJson(d, this.values[name]);
    }
    return out;
  }

  private open(): string | undefined {
    if (!comms.connected) return undefined;
    const { state, buffer_paths, buffers } = removeBuffers(this.getState());
    this.comm = comms.open(WIDGET_TARGET, { state, buffer_paths }, { version: PROTOCOL_VERSION }, buffers);
    // Controls must reach a cell that is running (a training loop's Stop): past the shell queue.
    this.comm.fast();
    this.comm.onMsg((data, msg) => this.onCommMsg(data, msg));
    this.comm.onClose(() => { this.comm = null; instances.delete(this.modelId); });
    return this.comm.commId;
  }

  get(name: string): unknown { return this.values[name]; }

  /** Set a trait: validates, notifies observers, and sends an update (unless it came from there). */
  set(name: string, value: unknown): void {
    const d = this.traitDefs()[name];
    if (!d) throw new WidgetError(`${this.constructor.name}: no trait "${name}"`);
    const v = this.check(name, d.coerce && !(value instanceof Widget) ? d.coerce(value) : value);
    const old = this.values[name];
    if (same(old, v)) return;
    this.values[name] = v;
    if (!(this.fromFrontend?.has(name) && same(this.fromFrontend.get(name), v))) this.queueSync(name);
    this.changed(name, old, v);
  }

  /** Run fn with updates held; what it changed goes out as one update message. */
  hold<T>(fn: () => T): T {
    if (this.held) return fn();
    this.held = new Set();
    try { return fn(); } finally {
      const names = this.held;
      this.held = null;
      if (names.size) this.sync(names);
    }
  }

  private queueSync(name: string): void {
    if (this.held) this.held.add(name); else this.sync([name]);
  }

  /** Send these traits' state (all when no names are given). */
  sync(names?: Iterable<string>): void {
    if (!this.comm) return;
    const { state, buffer_paths, buffers } = removeBuffers(this.getState(names));
    this.comm.send({ method: "update", state, buffer_paths }, {}, buffers);
  }

  /** Validate (and fix up) a value before it is stored: clamp, round. Subclasses extend it. */
  protected check(name: string, v: unknown): unknown {
    const d = this.traitDefs()[name];
    if (v === null || v === undefined) {
      if (d.nullable || d.kind === "any") return v ?? null;
      throw new WidgetError(`${this.constructor.name}.${name} cannot be ${v}`);
    }
    const bad = () => new WidgetError(`${this.constructor.name}.${name} must be ${d.kind === "widgets" ? "an array of widgets" : `a${d.kind === "int" ? "n" : ""} ${d.kind}`}, got ${JSON.stringify(v) ?? String(v)}`);
    switch (d.kind) {
      case "int": if (typeof v !== "number" || !Number.isInteger(v)) throw bad(); return v;
      case "float": if (typeof v !== "number" || Number.isNaN(v)) throw bad(); return v;
      case "bool": if (typeof v !== "boolean") throw bad(); return v;
      case "str": if (typeof v !== "string") throw bad(); return v;
      case "widget": if (!(v instanceof Widget)) throw bad(); return v;
      case "widgets": if (!Array.isArray(v) || !v.every((w) => w instanceof Widget)) throw bad(); return [...v];
      case "bytes": if (!isBinary(v)) throw bad(); return toBytes(v);
      default: return v;
    }
  }

  /** Called after a trait changed; fires observers. Subclasses add derived changes. */
  protected changed(name: string, old: unknown, value: unknown): void {
    this.notify(name, old, value);
  }

  protected notify(name: string, old: unknown, value: unknown): void {
    const change: Change = { name, old, new: value, owner: this, type: "change" };
    for (const o of [...this.observers]) {
      if (o.names && !o.names.has(name)) continue;
      try { o.cb(change); } catch (err) { comms.onError(err); }
    }
  }

  /** Call cb({ name, old, new, owner }) when the named traits change (every trait when names is
   * omitted). Returns a function that removes it. */
  observe<K extends keyof this & string>(cb: Observer<this[K], this>, names?: K | K[]): () => void {
    const entry = { cb, names: names === undefined ? null : new Set(Array.isArray(names) ? names : [names]) };
    this.observers.push(entry);
    return () => this.unobserve(cb, names);
  }

  unobserve(cb: Observer<any, any>, names?: string | string[]): void {
    const want = names === undefined ? null : new Set(Array.isArray(names) ? names : [names]);
    for (let i = this.observers.length - 1; i >= 0; i--) {
      const o = this.observers[i];
      if (o.cb === cb && (!want || (o.names && [...want].every((n) => o.names!.has(n))))) this.observers.splice(i, 1);
    }
  }

  /** Add a CSS class to the widget's views (ipywidgets' add_class). */
  addClass(name: string): this {
    const cur = (this.values.domClasses ?? []) as string[];
    if (!cur.includes(name)) this.set("domClasses", [...cur, name]);
    return this;
  }
  removeClass(name: string): this {
    const cur = (this.values.domClasses ?? []) as string[];
    if (cur.includes(name)) this.set("domClasses", cur.filter((c) => c !== name));
    return this;
  }

  /** Custom messages from the frontend: cb(content, buffers). */
  onMsg(cb: (content: any, buffers: Uint8Array[]) => void): void { this.msgHandlers.push(cb); }

  /** A custom message to the frontend (ipywidgets' Widget.send). */
  send(content: unknown, buffers?: Uint8Array[]): void {
    this.comm?.send({ method: "custom", content }, {}, buffers);
  }

  /** Close the comm: the frontend drops its views. */
  close(): void {
    this.comm?.close();
    this.comm = null;
    instances.delete(this.modelId);
  }

  private onCommMsg(data: Record<string, unknown>, msg: CommMessage): void {
    const method = data.method;
    if (method === "update" || method === "echo_update") {
      if (method === "echo_update") return;   // another frontend's change, already applied here
      const state = data.state;
      if (!state || typeof state !== "object" || Array.isArray(state)) throw new WidgetError(`${this.who()}: update without a state object`);
      const s = { ...(state as Record<string, unknown>) };
      putBuffers(s, data.buffer_paths, msg.buffers);
      this.setStateFromFrontend(s);
    } else if (method === "request_state") {
      this.sync();
    } else if (method === "custom") {
      for (const h of this.msgHandlers) h(data.content, msg.buffers ?? []);
    } else {
      throw new WidgetError(`${this.who()}: unknown widget message method ${JSON.stringify(method)}`);
    }
  }

  private who(): string { return `${this.constructor.name} ${this.modelId}`; }

  /** A frontend's update: echo it, then apply every trait that validates; report the others. */
  private setStateFromFrontend(state: Record<string, unknown>): void {
    const traits = this.traitDefs();
    const byWire = new Map(Object.entries(traits).map(([name, d]) => [d.wire || snake(name), name]));
    const known: [string, unknown][] = [], errors: string[] = [];
    for (const [wire, raw] of Object.entries(state)) {
      const name = byWire.get(wire);
      if (!name) { errors.push(`unknown trait "${wire}"`); continue; }
      try { known.push([name, this.check(name, fromJson(traits[name], raw))]); } catch (err) { errors.push((err as Error).message); }
    }
    if (known.length && this.comm) {
      const echo = removeBuffers(Object.fromEntries(known.map(([name, v]) => [traits[name].wire || snake(name), toJson(traits[name], v)])));
      this.comm.send({ method: "echo_update", state: echo.state, buffer_paths: echo.buffer_paths }, {}, echo.buffers);
    }
    this.fromFrontend = new Map(known);
    try { this.hold(() => { for (const [name, v] of known) this.set(name, v); }); } finally { this.fromFrontend = null; }
    if (errors.length) throw new WidgetError(`${this.who()}: update from the frontend: ${errors.join("; ")} (kept the current state)`);
  }

  /** One line for text/plain (what papermill and nbconvert keep without a widget manager). */
  toString(): string {
    const shown = ["value", "description"].filter((k) => k in this.values && this.values[k] !== "" && this.values[k] !== null);
    return `${this.constructor.name}(${shown.map((k) => `${k}=${JSON.stringify(toJson(this.traitDefs()[k], this.values[k]))}`).join(", ")})`;
  }

  [$display](): MimeBundle {
    const bundle: MimeBundle = { "text/plain": this.toString().slice(0, 110) };
    if (this.spec().view !== null && this.comm) bundle[VIEW_MIME] = { model_id: this.modelId, version_major: 2, version_minor: 1 };
    return bundle;
  }
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return false;
}

function toJson(d: TraitDef<unknown>, v: unknown): unknown {
  if (d.kind === "widget") return v ? MODEL_REF + (v as Widget).modelId : null;
  if (d.kind === "widgets") return (v as Widget[]).map((w) => MODEL_REF + w.modelId);
  if (d.kind === "float" && typeof v === "number" && !Number.isFinite(v)) return null;
  return v;
}

function fromJson(d: TraitDef<unknown>, v: unknown): unknown {
  const ref = (x: unknown) => {
    const w = typeof x === "string" && x.startsWith(MODEL_REF) ? instances.get(x.slice(MODEL_REF.length)) : undefined;
    if (!w) throw new WidgetError(`no widget ${JSON.stringify(x)}`);
    return w;
  };
  if (d.kind === "widget") return v === null ? null : ref(v);
  if (d.kind === "widgets") return Array.isArray(v) ? v.map(ref) : v;
  return v;
}

/** A constructor callable with or without `new` (as nn's layers are). */
export type WidgetClass<I, O> = (new (opts?: O) => I) & ((opts?: O) => I) & { readonly traits: AnyTraits; readonly spec: ModelSpec };

/** Make a widget class from a base (Widget or a subclass with methods), a model spec and traits. */
export function widgetClass<B extends typeof Widget, D extends AnyTraits, Extra = {}>(
  name: string, base: B, spec: ModelSpec, traits: D, _extra?: Extra,
): WidgetClass<InstanceType<B> & Values<D>, Options<D> & Extra> {
  const all: AnyTraits = { ...base.traits, ...traits };
  // A named class, so errors and toString() say "IntSlider", not "anonymous".
  const cls = { [name]: class extends (base as typeof Widget) {} }[name] as unknown as typeof Widget;
  cls.spec = spec;
  cls.traits = all;
  for (const key of Object.keys(all)) {
    if (Object.prototype.hasOwnProperty.call(cls.prototype, key)) continue;
    Object.defineProperty(cls.prototype, key, {
      get(this: Widget) { return this.get(key); },
      set(this: Widget, v: unknown) { this.set(key, v); },
      enumerable: true, configurable: true,
    });
  }
  return new Proxy(cls, { apply: (target, _this, args) => new (target as unknown as new (...a: unknown[]) => Widget)(...args) }) as never;
}

/** Open the jupyter.widget.control target: a frontend that reloads asks for every model's state
 * (request_states) and gets update_states, buffers included (ipywidgets 8's control comm). */
export function registerControlTarget(): void {
  comms.registerTarget(CONTROL_TARGET, (comm) => {
    comm.onMsg((data) => {
      if (data.method !== "request_states") throw new WidgetError(`${CONTROL_TARGET}: unknown method ${JSON.stringify(data.method)}`);
      const states: Record<string, unknown> = {};
      for (const [id, w] of instances) {
        if (!w.comm) continue;
        const spec = (w.constructor as typeof Widget).spec;
        states[id] = { model_name: spec.model, model_module: spec.module ?? "@jupyter-widgets/controls",
          model_module_version: spec.version ?? "2.0.0", state: w.getState() };
      }
      // Buffer paths start at the model id: [id, "state", trait, ...], as ipywidgets sends them.
      const { state, buffer_paths, buffers } = removeBuffers(states);
      comm.send({ method: "update_states", states: state, buffer_paths }, {}, buffers);
    });
  });
}
