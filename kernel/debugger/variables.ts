// kernel/debugger/variables.ts
// V8 remote objects as DAP variables. A variablesReference names a remote object (a scope, an
// object to expand) or the user's globals; references live until the thread resumes. The value
// line of an object asks the runtime for its summary (a Tensor: shape, dtype, device) through one
// global hook, Symbol.for("tsgrad.debug"), that runtime/debug_inspect.ts provides: kernel/ never
// learns what a tensor is.
import type { InspectorSession, Params } from "./inspector_session";

export interface RemoteObject {
  type: string; subtype?: string; className?: string; value?: unknown; unserializableValue?: string;
  description?: string; objectId?: string;
}
interface PropertyDescriptor { name: string; value?: RemoteObject; get?: RemoteObject; enumerable?: boolean; isOwn?: boolean }
export interface DapVariable { name: string; value: string; type?: string; variablesReference: number; evaluateName?: string }

/** How the main thread reaches the runtime's debugger helpers (see runtime/debug_inspect.ts). */
export const HOOK = "globalThis[Symbol.for(\"tsgrad.debug\")]";
const MAX_CHILDREN = 200;

/** An object to expand; several scope objects shown as one (innermost first: a name in an inner
 * block hides the same name outside it); or the user's globals. */
export type Ref = { kind: "object"; objectId: string } | { kind: "scopes"; objectIds: string[]; hide?: readonly string[] } | { kind: "globals" };

export class Variables {
  private refs = new Map<number, Ref>();
  private next = 1;

  constructor(private readonly session: () => InspectorSession) {}

  add(ref: Ref): number { const id = this.next++; this.refs.set(id, ref); return id; }
  get(id: number): Ref | undefined { return this.refs.get(id); }
  /** Objects from a pause are gone once the thread resumes. */
  clear(): void { this.refs.clear(); }

  /** The user's globals (what cells declared), as one remote object. */
  async globals(group: string): Promise<RemoteObject> {
    const r = await this.session().post<{ result: RemoteObject }>("Runtime.evaluate", {
      expression: `(${HOOK}?.userGlobals() ?? {})`, objectGroup: group, silent: true,
    });
    return r.result;
  }

  async children(ref: Ref, group = "tsgrad-vars"): Promise<DapVariable[]> {
    const ids = ref.kind === "globals" ? [(await this.globals(group)).objectId] : ref.kind === "scopes" ? ref.objectIds : [ref.objectId];
    const seen = new Set<string>(ref.kind === "scopes" ? ref.hide : []);
    const entries: [string, RemoteObject][] = [];
    for (const objectId of ids) {
      if (!objectId) continue;
      const { result } = await this.session().post<{ result: PropertyDescriptor[] }>("Runtime.getProperties", {
        objectId, ownProperties: true, generatePreview: false,
      });
      for (const p of result) {
        if (!p.value || p.isOwn === false || p.name === "__proto__" || seen.has(p.name)) continue;
        // In a cell's frame, the runtime's own locals (`__tsg`, the lets' latest values `__tsgL_1`) are not the user's.
        if (ref.kind === "scopes" && ref.hide?.length && p.name.startsWith("__tsg")) continue;
        seen.add(p.name);
        entries.push([p.name, p.value]);
      }
    }
    return this.describe(entries.slice(0, MAX_CHILDREN));
  }

  /** DAP variables for named remote objects; objects get the runtime's one-line summary. */
  async describe(entries: [string, RemoteObject][]): Promise<DapVariable[]> {
    const objects = entries.filter(([, v]) => v.type === "object" && v.objectId);
    let summaries: (string | null)[] = [];
    if (objects.length) {
      try {
        const r = await this.session().post<{ result: { value?: (string | null)[] } }>("Runtime.callFunctionOn", {
          objectId: objects[0][1].objectId,
          functionDeclaration: `function (...vs) { const d = ${HOOK}; return vs.map((v) => { try { return d ? d.summary(v) ?? null : null; } catch { return null; } }); }`,
          arguments: objects.map(([, v]) => ({ objectId: v.objectId })), returnByValue: true, silent: true,
        });
        summaries = r.result.value ?? [];
      } catch { summaries = []; }
    }
    const byName = new Map(objects.map(([name], i) => [name, summaries[i] ?? null]));
    return entries.map(([name, v]) => this.variable(name, v, byName.get(name) ?? undefined));
  }

  variable(name: string, v: RemoteObject, summary?: string): DapVariable {
    const expandable = !!v.objectId && (v.type === "object" && v.subtype !== "null");
    const type = typeName(v, summary);
    return {
      name, value: summary ?? valueText(v), ...(type ? { type } : {}),
      variablesReference: expandable ? this.add({ kind: "object", objectId: v.objectId! }) : 0, evaluateName: name,
    };
  }
}

/** DAP's type, in the names JupyterLab's Variables tree knows: it shows the value for int, float,
 * bool and str, the type for anything else, and the value when there is no type. So a value the
 * runtime summarises (a Tensor's shape) has no type, and the tree shows the summary. */
function typeName(v: RemoteObject, summary?: string): string | undefined {
  if (summary !== undefined) return undefined;
  switch (v.type) {
    case "number": return Number.isInteger(v.value) ? "int" : "float";
    case "boolean": return "bool";
    case "string": return "str";
    case "undefined": return undefined;
    default: return v.subtype === "null" ? undefined : v.className ?? v.subtype ?? v.type;
  }
}

/** One line for a remote object, as a debugger's value column shows it. */
export function valueText(v: RemoteObject): string {
  switch (v.type) {
    case "undefined": return "undefined";
    case "string": return JSON.stringify(v.value);
    case "number": case "bigint": return v.unserializableValue ?? v.description ?? String(v.value);
    case "boolean": return String(v.value);
    case "function": return (v.description ?? "function").split("\n")[0].slice(0, 120);
    default: return v.subtype === "null" ? "null" : (v.description ?? v.className ?? v.type).split("\n")[0];
  }
}

export type { Params };
