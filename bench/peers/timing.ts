// bench/peers/timing.ts
// The one timing rule every side of bench:tensor uses (bench/peers/torch_bench.py repeats it in
// Python): one warm-up call, then calls until `budget` seconds have passed, at least two.

export function timeit(fn: () => void, budget: number): number {
  fn();
  let n = 0;
  const start = process.hrtime.bigint();
  for (;;) {
    fn();
    n++;
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (n >= 2 && elapsed >= budget) return elapsed / n;
  }
}
