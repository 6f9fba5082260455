// runtime/tensor/autograd.ts
// Define-by-run autograd. Every differentiable op that sees an input requiring grad records a
// Node: its backward function, the edges to its inputs (the producing Node, or the leaf Tensor
// whose .grad accumulates), and the tensors it saved. backward() walks the graph once in
// topological order (Kahn's algorithm over dependency counts: no recursion), then frees saved
// tensors unless retainGraph. Backward functions are written with Tensor ops, so one formula
// serves every backend. Gradient formulas themselves live beside their ops (ops_*.ts).

import { AutogradError } from "./errors";
import { formatShape } from "./shape";
import { keep, scoped } from "./memory";
import { ScopedSetting } from "./state";
import type { Tensor } from "./tensor";

// ---- grad mode ----

/** Whether ops record the graph; noGrad/enableGrad blocks override it, and an interrupted one is
 * ended by settleState() (state.ts), so an interrupt inside opt.step() cannot leave it off. */
const gradMode = new ScopedSetting("grad mode", true);

export function isGradEnabled(): boolean { return gradMode.value; }

/** Run fn without recording the graph (torch.no_grad). An async fn keeps the mode until its
 * promise settles; code interleaved with it sees the same mode, so prefer synchronous blocks.
 * @example const acc = noGrad(() => model.forward(xTest).argmax(1).eq(yTest).float().mean()); */
export function noGrad<T>(fn: () => T): T { return gradMode.within(false, fn); }
/** Run fn with recording on, inside a noGrad block (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T { return gradMode.within(true, fn); }
/** Switch recording on or off until switched again (torch.set_grad_enabled). */
export function setGradEnabled(enabled: boolean): void { gradMode.set(enabled); }

// ---- graph nodes ----

export type GradHook = (grad: Tensor) => Tensor | void | undefined;
export interface HookHandle { remove(): void }
/** Returns one gradient per input (null/undefined where the input needs none). */
export type BackwardFn = (grad: Tensor, saved: Tensor[], node: Node) => (Tensor | null | undefined)[];

export class Node {
  /** Per input: the Node that produced it, the leaf Tensor itself, or null (no grad needed). */
  readonly next: (Node | Tensor | null)[];
  /** Input shapes, for reducing broadcast gradients. */
  readonly shapes: (readonly number[])[];
  saved: Tensor[] | null = null;
  private versions: number[] | null = null;
  private freed = false;
  hooks: GradHook[] | null = null;
  retained: Tensor | null = null;
  // backward-pass scratch
  _grad: Tensor | null = null;
  _deps = 0;
  _epoch = 0;

  constructor(readonly name: string, inputs: readonly Tensor[], readonly backwardFn: BackwardFn, readonly ctx: unknown) {
    const n = inputs.length;
    this.next = new Array(n);
    this.shapes = new Array(n);
    for (let i = 0; i < n; i++) {
      const t = inputs[i];
      this.shapes[i] = t.shape;
      this.next[i] = t.requiresGrad ? (t.gradFn ?? t) : null;
    }
  }

  /** True when input i needs a gradient (skip computing the others). */
  needs(i: number): boolean { return this.next[i] !== null; }

  /**
   * Keep tensors for backward. Non-leaves and constants are stored as aliases (same storage and
   * history), so disposing the caller's tensor (tidy) does not free them; leaves that require
   * grad are kept as themselves, so double backward (createGraph) reaches their .grad.
   */
  save(...ts: Tensor[]): this {
    const n = ts.length;
    this.saved = new Array(n);
    this.versions = new Array(n);
    for (let i = 0; i < n; i++) {
      const t = ts[i];
      this.saved[i] = t.requiresGrad && t.gradFn === null ? t : t._alias();
      this.versions[i] = t._handle.version;
    }
    return this;
  }

  /** The saved tensors, checked against in-place changes and a freed graph. */
  _savedForBackward(): Tensor[] {
    if (this.freed) throw new AutogradError(`${this.name}: backward through the graph a second time, but its saved tensors were freed by the first backward()`,
      `pass { retainGraph: true } to the first backward() (or autograd.grad) to backward twice`);
    const saved = this.saved ?? [];
    for (let i = 0; i < saved.length; i++) {
      const now = saved[i]._handle.version, then = this.versions![i];
      if (now !== then) throw new AutogradError(`${this.name}: a tensor of shape ${formatShape(saved[i].shape)} saved for backward was modified by an in-place operation (version ${then} when saved, now ${now})`,
        "use the out-of-place form (x = x.add(y) rather than x.add_(y)) or clone() the tensor before changing it");
    }
    return saved;
  }

  /** Dispose the saved aliases, except any the backward function returned as a gradient. */
  _free(passedOn: readonly unknown[] = []): void {
    if (this.saved) {
      for (const t of this.saved) if ((t.gradFn !== null || !t.requiresGrad) && !passedOn.includes(t)) t.dispose();
      this.saved = null;
      this.freed = true;
    }
  }
}

/**
 * Record `out` as the result of an op on `inputs` when grad mode is on and an input requires grad.
 * Returns the new Node (to save tensors on) or null.
 */
export function record(name: string, inputs: readonly Tensor[], out: Tensor, backwardFn: BackwardFn, ctx?: unknown): Node | null {
  if (!gradMode.value) return null;
  let any = false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) { any = true; break; }
  if (!any) return null;
  const node = new Node(name, inputs, backwardFn, ctx);
  out.requiresGrad = true;
  out.gradFn = node;
  return node;
}

// ---- the backward pass ----

let epoch = 0;

export interface BackwardOptions { retainGraph?: boolean; createGraph?: boolean }

/**
 * Propagate `grads` from `roots` to the leaves. With `capture`, gradients for those tensors are
 * returned instead of accumulated into .grad (autograd.grad).
 */
export function runBackward(roots: Tensor[], grads: Tensor[], opts: BackwardOptions, capture?: Tensor[]): (Tensor | null)[] | null {
  const retain = opts.retainGraph ?? opts.createGraph ?? false;
  const createGraph = opts.createGraph ?? false;
  const e = ++epoch;
  const captured: (Tensor | null)[] | null = capture ? capture.map(() => null) : null;
  const captureIndex = new Map<Node | Tensor, number>();
  if (capture) capture.forEach((t, i) => captureIndex.set(t.gradFn ?? t, i));
  // Storages of gradients that something outside this pass may hold: the caller's root gradients,
  // a leaf's .grad, whatever a hook saw or returned, a retained or captured gradient. The pass
  // never disposes a spent gradient on one of them (nor lets a leaf take it over as its .grad).
  const held = new Set<unknown>();
  for (const g of grads) held.add(g._handle);
  /** Run hooks on g: each may keep the tensor it is given, and may return one it keeps. */
  const runHooks = (hooks: GradHook[], g: Tensor): Tensor => {
    for (const h of hooks) {
      held.add(g._handle);
      const r = h(g);
      if (r) g = r;
    }
    held.add(g._handle);
    return g;
  };

  const deliverLeaf = (leaf: Tensor, g: Tensor) => {
    if (leaf._hooks) g = runHooks(leaf._hooks, g);
    const ci = captureIndex.get(leaf);
    if (captured) { if (ci !== undefined) captured[ci] = captured[ci] ? captured[ci]!.add(g) : g; }
    else accumulateGrad(leaf, g, createGraph, held);
    held.add(g._handle);  // a leaf took it (or a copy was made): never disposed as a spent node gradient
  };

  // Collect the nodes reachable from the roots and count the edges into each.
  const stack: Node[] = [];
  for (const r of roots) {
    const n = r.gradFn;
    if (n && n._epoch !== e) { n._epoch = e; n._deps = 0; n._grad = null; stack.push(n); }
  }
  const order: Node[] = [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    order.push(n);
    for (const nx of n.next) {
      if (nx === null || !isNode(nx)) continue;
      if (nx._epoch !== e) { nx._epoch = e; nx._deps = 0; nx._grad = null; stack.push(nx); }
      nx._deps++;
    }
  }

  // Seed the roots.
  const ready: Node[] = [];
  for (let i = 0; i < roots.length; i++) {
    const r = roots[i], n = r.gradFn;
    if (!n) { deliverLeaf(r, grads[i]); continue; }
    n._grad = n._grad ? n._grad.add(grads[i]) : grads[i];
  }
  for (const n of order) if (n._deps === 0) ready.push(n);

  const run = () => {
    while (ready.length > 0) {
      const node = ready.pop()!;
      let g = node._grad;
      node._grad = null;
      if (g === null) {
        // No gradient reached this node: release the nodes below it from waiting on it.
        for (const nx of node.next) if (nx !== null && isNode(nx) && --nx._deps === 0) ready.push(nx);
        continue;
      }
      if (node.hooks) g = runHooks(node.hooks, g);
      if (node.retained) { node.retained.grad = keep(g); g._autoGrad = true; held.add(g._handle); }
      const ci = captureIndex.get(node);
      if (captured && ci !== undefined) { captured[ci] = g; held.add(g._handle); }
      const saved = node._savedForBackward();
      const gOut = g;
      const inGrads = scoped(() => node.backwardFn(gOut, saved, node));
      if (!retain) node._free(inGrads);
      // This node's gradient is spent: give its memory back now (the pool reuses it later in
      // this pass, and views passed on keep their storage alive), unless it is held outside the
      // pass (see `held`) or passed on unchanged. A gradient that reaches a node unchanged from
      // one with a hook, retainGrad or autograd.grad is held too, so the node below never frees it.
      if (!createGraph && !held.has(g._handle) && !inGrads.includes(g)) g.dispose();
      for (let i = 0; i < node.next.length; i++) {
        const nx = node.next[i];
        if (nx === null) continue;
        const gi = inGrads[i];
        if (isNode(nx)) {
          if (gi) {
            // One gradient object handed to two inputs (add returns [g, g]) is never disposed as
            // spent; one passed through unchanged (gi === g) just changes hands.
            if (inGrads.indexOf(gi) !== i) held.add(gi._handle);
            nx._grad = nx._grad ? nx._grad.add(gi) : gi;
          }
          if (--nx._deps === 0) ready.push(nx);
        } else if (gi) {
          deliverLeaf(nx, gi);
        }
      }
    }
  };
  if (createGraph) run();
  else noGrad(run);
  return captured;
}

function isNode(x: Node | Tensor): x is Node {
  return x instanceof Node;
}

/**
 * Add g into leaf.grad. The first gradient is taken over when nothing else shares its storage
 * (PyTorch's AccumulateGrad "steals" it); otherwise it is copied, so later in-place updates of
 * .grad (clipping, zero_) cannot reach another tensor.
 */
function accumulateGrad(leaf: Tensor, g: Tensor, createGraph: boolean, held: Set<unknown>): void {
  if (leaf.grad === null) {
    const h = g._handle;
    const own = !createGraph && h.refs === 1 && !held.has(h) && g.offset === 0 && g.isContiguous() && g.numel() === h.buf.length && g.dtype === leaf.dtype;
    let grad: Tensor;
    if (own) grad = g;
    else grad = createGraph ? g.to(leaf.dtype).add(0) : noGrad(() => g.to(leaf.dtype).clone());
    held.add(grad._handle);
    if (grad.shape.length !== leaf.shape.length || grad.shape.some((d, i) => d !== leaf.shape[i]))
      throw new AutogradError(`backward: gradient of shape ${formatShape(grad.shape)} for a leaf of shape ${formatShape(leaf.shape)}`);
    grad._autoGrad = true;
    leaf.grad = keep(grad);
  } else if (createGraph || leaf.grad.requiresGrad) {
    const sum = keep(leaf.grad.add(g));
    sum._autoGrad = true;
    leaf.grad = sum;
  } else if (held.has(leaf.grad._handle)) {
    // .grad was taken over in this pass and may still be pending for another node: add out of place.
    const sum = keep(noGrad(() => leaf.grad!.add(g)));
    sum._autoGrad = true;
    leaf.grad = sum;
  } else {
    noGrad(() => leaf.grad!.add_(g));
  }
}

/** The gradient a caller must pass to backward() for this root, or the implicit 1 for a scalar. */
export function rootGradient(t: Tensor, grad: Tensor | undefined, what = "backward()"): Tensor {
  if (!t.requiresGrad) throw new AutogradError(`${what} on a tensor that does not require grad and has no gradFn`,
    "create the inputs with { requiresGrad: true } (or call requiresGrad_()) and do not compute the loss inside noGrad()");
  if (grad === undefined) {
    if (t.numel() !== 1) throw new AutogradError(`${what} on a tensor of shape ${formatShape(t.shape)}; pass a gradient or reduce first: loss.mean().backward()`);
    return t._onesLikeNoGrad();
  }
  if (grad.numel() !== t.numel() || grad.shape.length !== t.shape.length || grad.shape.some((d, i) => d !== t.shape[i]))
    throw new AutogradError(`${what}: gradient of shape ${formatShape(grad.shape)} for a tensor of shape ${formatShape(t.shape)}`);
  return grad;
}

/**
 * A user-defined differentiable function (torch.autograd.Function): subclass, implement forward
 * and backward with Tensor ops, call `MyFn.apply(x, y)`.
 */
export abstract class AutogradFunction {
  protected saved: Tensor[] = [];
  protected saveForBackward(...ts: Tensor[]): void { this.saved = ts; }
  /** Compute the output from the inputs; runs with recording off (the op is recorded as one node).
   * Shapes: any; backward must return one gradient per input, of that input's shape.
   * @example forward(x: Tensor) { this.saveForBackward(x); return x.mul(x); } */
  abstract forward(...inputs: Tensor[]): Tensor;
  /** Gradients of the loss with respect to each input, given gradOut of the output's shape; null for an input that needs none.
   * Shapes: `gradOut`: the output's shape -> one `[input_i shape]` (or null) per input.
   * @example backward(g: Tensor) { const [x] = this.saved; return [g.mul(x).mul(2)]; } */
  abstract backward(gradOut: Tensor): (Tensor | null)[];

  /** Run the op on inputs and record it for backward (the way to call a custom Function).
   * Shapes: `inputs` -> what forward returns.
   * @example const y = Square.apply(x); */
  static apply<T extends AutogradFunction>(this: new () => T, ...inputs: Tensor[]): Tensor {
    const fn = new this();
    const out = noGrad(() => fn.forward(...inputs));
    const node = record(this.name || "AutogradFunction", inputs, out, (g, saved, n) => {
      (n.ctx as T).saved = saved;
      return (n.ctx as T).backward(g);
    }, fn);
    if (node) node.save(...fn.saved);
    return out;
  }
}
