// bench/peers/timing.ts
// The one timing rule every side of bench:tensor uses (bench/peers/torch_bench.py repeats it in
// Python): one warm-up call, then calls until `budget` seconds have passed (at least three), and
// the fastest call counts. The minimum, not the mean: on a shared machine the slower calls measure
// the neighbours (as Python's timeit advises).

export function timeit(fn: () => void, budget: number): number {
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
