// runtime/tensor/memory.ts
// Who frees device memory and when. A StorageHandle owns one backend Storage and is shared by a
// tensor and all its views. Memory goes back to the backend's pool:
//  - at once when the last undisposed Tensor on the handle is disposed (dispose(), tidy()), or
//  - when every Tensor on it has become unreachable (FinalizationRegistry on the handle), except
//    for storages the backend says the garbage collector reclaims by itself (CPU TypedArrays):
//    a finalizer holding them would keep them alive until its callback runs, which never happens
//    inside a synchronous loop, and registering costs more than a small op.
// tidy(fn) disposes the tensors created while fn runs, except what fn returns or keep()s.

import type { Backend, Storage } from "./backend";
import { registerState } from "./state";

interface Held { backend: Backend; buf: Storage }

const registry = new FinalizationRegistry<Held>((h) => h.backend.free(h.buf));

export class StorageHandle {
  /** Bumped by every in-place write; autograd compares it with the version a saved tensor had. */
  version = 0;
  /** Undisposed Tensor objects on this storage (views and autograd's saved aliases included). */
  refs = 0;
  freed = false;

  private readonly registered: boolean;

  constructor(readonly backend: Backend, readonly buf: Storage) {
    this.registered = !(backend.collectsItself && backend.collectsItself(buf));
    if (this.registered) registry.register(this, { backend, buf }, this);
  }

  release(): void {
    if (--this.refs <= 0 && !this.freed) {
      this.freed = true;
      if (this.registered) registry.unregister(this);
      this.backend.free(this.buf);
    }
  }
}

/** Something tidy() can dispose. */
export interface Disposable { dispose(): void; _kept: boolean; _disposed: boolean }

const scopes: Disposable[][] = [];
/** Scopes of async tidy() calls whose promise has not settled yet. */
const pending = new Set<Disposable[]>();

// An interrupt or an error cut short while scopes are open (an interrupted `tidy(() => loop)`):
// close them as a throw would have, or every later tensor of the process would be tracked into
// a scope nobody closes. Async scopes still pending close too; their promise then disposes nothing.
registerState({
  name: "tidy scopes", stage: "unwind",
  settle(): void {
    const open = scopes.splice(0).reverse();
    for (const scope of [...open, ...pending]) closeScope(scope, undefined);
    pending.clear();
  },
});

/** Called by the Tensor constructor: remember t in the innermost tidy scope, if any. */
export function track(t: Disposable): void {
  if (scopes.length > 0) scopes[scopes.length - 1].push(t);
}

/** True while a tidy() (or the engine's scoped()) is running. */
export function inTidy(): boolean {
  return scopes.length > 0;
}

/** Exclude t from every enclosing tidy() (optimizer state, caches, .grad). */
export function keep<T extends Disposable>(t: T): T {
  t._kept = true;
  return t;
}

function collect(value: unknown, out: Set<unknown>, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 4) return;
  if ("_disposed" in (value as object) && "_kept" in (value as object)) { out.add(value); return; }
  if (Array.isArray(value)) for (const v of value) collect(v, out, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out, depth + 1);
}

function closeScope(scope: Disposable[], result: unknown): void {
  const returned = new Set<unknown>();
  collect(result, returned);
  const parent = scopes.length > 0 ? scopes[scopes.length - 1] : null;
  for (const t of scope) {
    if (returned.has(t)) { if (parent) parent.push(t); }
    else if (!t._kept && !t._disposed) t.dispose();
  }
}

/**
 * Run fn and dispose every tensor it created, except those it returns (a Tensor, or arrays/plain
 * objects/Maps holding tensors) and those passed to keep(). Tensors assigned to `.grad` by
 * backward() are kept automatically.
 *
 * Async fns: the tensors created before fn's first `await` are tracked and disposed when the
 * returned promise settles (except those it resolves to); tensors created after the first await
 * are not tracked (other code may run in between) and are freed by the garbage collector.
 * @example const loss = tidy(() => F.crossEntropy(model.forward(x), y)); // intermediates freed, loss kept */
export function tidy<T>(fn: () => T): T {
  const scope: Disposable[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    closeScope(scope, undefined);
    throw e;
  }
  scopes.pop();
  if (result && typeof (result as { then?: unknown }).then === "function") {
    pending.add(scope);
    return (result as unknown as Promise<unknown>).then(
      (v) => { if (pending.delete(scope)) closeScope(scope, v); return v; },
      (e) => { if (pending.delete(scope)) closeScope(scope, undefined); throw e; }) as unknown as T;
  }
  closeScope(scope, result);
  return result;
}

/**
 * tidy() for the engine's own composite ops and backward formulas: synchronous only, so it skips
 * the promise check. Intermediates go back to the pool at once instead of waiting for the GC.
 */
export function scoped<T>(fn: () => T): T {
  const scope: Disposable[] = [];
  scopes.push(scope);
  let result: T;
  try { result = fn(); } finally { scopes.pop(); }
  if (scope.length > 1) closeScope(scope, result);
  else if (scope.length === 1 && scopes.length > 0) scopes[scopes.length - 1].push(scope[0]);
  return result;
}

/** Wrap a composite op so its intermediates are disposed when it returns. */
export function scopedOp<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args: A) => scoped(() => fn(...args));
}

/** Dispose every tensor found in value (a Tensor, or arrays/objects/Maps of them). */
export function dispose(value: unknown): void {
  const found = new Set<unknown>();
  collect(value, found);
  for (const t of found) (t as Disposable).dispose();
}
