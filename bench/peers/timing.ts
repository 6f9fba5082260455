// bench/peers/timing.ts
// Timing rules shared by the benchmarks (bench/peers/torch_bench.py repeats timeBest in Python).
//   timeit:   one warm-up call, then calls until `budget` seconds have passed (at least two);
//             the mean seconds per call (bench/train.ts).
//   timeBest: the same loop (at least three calls), but the fastest call counts: on a shared
//             machine the slower calls measure the neighbours, as Python's timeit advises
//             (bench/tensor.ts and its peers).

export function timeit(fn: () => void, budget: number): number {
  fn();
  const { calls, seconds } = runFor(fn, budget, 2);
  return seconds / calls;
}

/** Calls fn until `budget` seconds have passed and it ran at least `minCalls` times: how many
 * calls, in how many seconds (bench/train.ts's alternating rounds add these up). */
export function runFor(fn: () => void, budget: number, minCalls = 1): { calls: number; seconds: number } {
  let calls = 0;
  const start = process.hrtime.bigint();
  for (;;) {
    fn();
    calls++;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (calls >= minCalls && seconds >= budget) return { calls, seconds };
  }
}

export function timeBest(fn: () => void, budget: number): number {
  fn();
  let n = 0, best = Infinity;
  const start = process.hrtime.bigint();
  for (;;) {
    const t0 = process.hrtime.bigint();
    fn();
    const t1 = process.hrtime.bigint();
    best = Math.min(best, Number(t1 - t0) / 1e9);
    n++;
    if (n >= 3 && Number(t1 - start) / 1e9 >= budget) return best;
  }
}
