# bench/peers/torch_bench.py
# PyTorch's side of `npm run bench:tensor`: the same cases as bench/tensor.ts, measured the same
# way (a warm-up call, then the fastest of the calls made within a time budget), printed as one
# JSON object on the last line: {"threads": n, "blas": [...], "results": {case: value}}. Run by
# bench/tensor.ts as: torch_bench.py <threads> <budget seconds> <case,case,...>; knows nothing
# about tsgrad.
import json
import sys
import time

import torch
import torch.nn.functional as F

THREADS = int(sys.argv[1])
BUDGET = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
CASES = sys.argv[3].split(",") if len(sys.argv) > 3 else None
torch.set_num_threads(THREADS)
torch.manual_seed(0)


def timeit(fn, budget=BUDGET):
    """Seconds of the fastest call: one warm-up call, then calls until `budget` seconds have
    passed (at least three), as timeBest in bench/peers/timing.ts."""
    fn()
    n, best, start = 0, float("inf"), time.perf_counter()
    while True:
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        best = min(best, t1 - t0)
        n += 1
        if n >= 3 and t1 - start >= budget:
            return best


def want(name):
    return CASES is None or name in CASES


results = {}
t = THREADS
for n in (128, 512, 1024, 2048):
    name = f"matmul_{n}_t{t}"
    if want(name):
        a, b, c = torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)
        results[name] = 2 * n**3 / timeit(lambda: torch.matmul(a, b, out=c)) / 1e9

for cin, cout, hw in ((3, 64, 28), (64, 128, 14)):
    name = f"conv_{cin}to{cout}_fwd_bwd_t{t}"
    if want(name):
        x = torch.randn(64, cin, hw, hw, requires_grad=cin != 3)
        w = torch.randn(cout, cin, 3, 3, requires_grad=True)
        bias = torch.randn(cout, requires_grad=True)
        g = torch.randn(64, cout, hw, hw)

        def step():
            y = F.conv2d(x, w, bias, padding=1)
            y.backward(g)

        results[name] = timeit(step) * 1e3

name = f"add_16M_t{t}"
if want(name):
    n = 16 * 1024 * 1024
    a, b, c = torch.randn(n), torch.randn(n), torch.empty(n)
    results[name] = 3 * 4 * n / timeit(lambda: torch.add(a, b, out=c)) / 1e9

name = f"autograd_chain_t{t}"
if want(name):
    x = torch.randn(4, requires_grad=True)

    def chain():
        y = x
        for i in range(500):
            y = y * 1.0001
            y = y + 0.0001
        y.sum().backward()

    results[name] = timeit(chain) / 1000 * 1e6

blas = {}
try:
    from threadpoolctl import threadpool_info

    blas = [{k: p.get(k) for k in ("internal_api", "version", "num_threads", "architecture")} for p in threadpool_info()]
except Exception as e:  # threadpoolctl is optional
    blas = str(e)
print(json.dumps({"threads": THREADS, "torch": torch.__version__, "blas": blas, "results": results}))
