// runtime/tensor/state.ts
// The one owner of the library's process-wide state that an operation cut short can leave half
// changed: an interrupt (vm's breakOnSigint ends JavaScript between any two calls, and no
// `finally` runs then) or an error thrown mid-operation. Each piece registers here once, at
// module load, with a settle() that puts it back or releases it; the host calls settleState()
// when a unit of work ends, however it ended (runtime/index.ts: after every cell). A Node script
// that never calls it is unaffected. What registers (grep registerState):
//   finish:  optimizer updates being written (optim/optimizer.ts) are written in full;
//   unwind:  grad mode and open noGrad/enableGrad blocks (autograd.ts), open tidy() scopes
//            (memory.ts), the default device (kernels.ts), the op hook (hooks.ts);
//   release: what backends hold for an op in progress (Backend.settle: the CPU pool's scratch
//            buffers, WebGPU's command encoder, staging buffers and scratch storages; backend.ts).
// Stages run in that order: a redone write still needs its temporaries, which unwinding a tidy()
// scope disposes, and backends release last so they submit what the earlier stages recorded.

export type SettleStage = "finish" | "unwind" | "release";

export interface SettledState {
  /** What this is, for the report when settle() throws. */
  readonly name: string;
  readonly stage: SettleStage;
  /** Put back or release what an unfinished operation left; a no-op when nothing is pending. */
  settle(): void;
}

const STAGES: readonly SettleStage[] = ["finish", "unwind", "release"];
const registered: SettledState[] = [];

/** Register a piece of process-wide state (once, at module load). */
export function registerState<S extends SettledState>(state: S): S {
  registered.push(state);
  return state;
}

/** Settle every registered piece, stage by stage. One that throws does not stop the others;
 * the errors are returned (the host logs them), never thrown. */
export function settleState(): Error[] {
  const errors: Error[] = [];
  for (const stage of STAGES) {
    for (const s of registered) {
      if (s.stage !== stage) continue;
      try { s.settle(); } catch (e) {
        errors.push(new Error(`settling ${s.name}: ${(e as Error)?.message ?? String(e)}`, { cause: e }));
      }
    }
  }
  return errors;
}

/**
 * A process-wide setting with a value chosen on purpose (set(), which stays) and scoped overrides
 * (within(), like PyTorch's `with torch.no_grad():`), which end when their function returns,
 * throws or, for an async function, settles. settle() ends the overrides an interrupted operation
 * left open, restoring the value from before the outermost one.
 */
export class ScopedSetting<T> implements SettledState {
  readonly stage = "unwind";
  /** The current value (read directly on hot paths). */
  value: T;
  /** The value before each open override, outermost first. */
  private readonly before: T[] = [];
  /** Bumped by settle(): overrides opened before it no longer restore anything. */
  private epoch = 0;

  constructor(readonly name: string, initial: T) {
    this.value = initial;
    registerState(this);
  }

  set(value: T): void { this.value = value; }

  /** Run fn with `value`, then put back the value from before. */
  within<R>(value: T, fn: () => R): R {
    const depth = this.before.length, epoch = this.epoch;
    this.before.push(this.value);
    this.value = value;
    let result: R;
    try { result = fn(); } catch (e) { this.end(depth, epoch); throw e; }
    if (result && typeof (result as { then?: unknown }).then === "function") {
      // An async fn keeps the override until its promise settles; code interleaved with it sees
      // the same value (JS has no per-task state), so prefer synchronous blocks.
      return (result as unknown as Promise<unknown>).finally(() => this.end(depth, epoch)) as unknown as R;
    }
    this.end(depth, epoch);
    return result;
  }

  private end(depth: number, epoch: number): void {
    if (epoch !== this.epoch || this.before.length <= depth) return;
    this.value = this.before[depth];
    this.before.length = depth;
  }

  settle(): void {
    if (this.before.length > 0) this.value = this.before[0];
    this.before.length = 0;
    this.epoch++;
  }
}
