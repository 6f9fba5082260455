# bench/peers/torch_bench.py
# PyTorch's side of `npm run bench:tensor`: the same cases as bench/tensor.ts through PyTorch's
# public API, measured the same way (a warm-up call, then the fastest of the calls made within a
# time budget, inputs cycling through RING sets), printed as one
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
RING, RING_LARGE = 4, 2  # as bench/peers/env.ts
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


def ring(make, fn, size=RING):
    """fn over the next of `size` input sets each call (bench/peers/env.ts RING), as tsgrad's side."""
    sets = [make() for _ in range(size)]
    i = [0]

    def call():
        fn(*sets[i[0] % size])
        i[0] += 1

    return call


# The public API, as a PyTorch user writes it: a new output per call, gradients cleared
# (set to None, as optimizer.zero_grad()) before each backward.
results = {}
t = THREADS
for n in (128, 512, 1024, 2048):
    name = f"matmul_{n}_t{t}"
    if want(name):
        step = ring(lambda: (torch.randn(n, n), torch.randn(n, n)), lambda a, b: torch.matmul(a, b))
        results[name] = 2 * n**3 / timeit(step) / 1e9

for cin, cout, hw in ((3, 64, 28), (64, 128, 14)):
    name = f"conv_{cin}to{cout}_fwd_bwd_t{t}"
    if want(name):
        w = torch.randn(cout, cin, 3, 3, requires_grad=True)
        bias = torch.randn(cout, requires_grad=True)

        def step(x, g):
            x.grad = w.grad = bias.grad = None
            F.conv2d(x, w, bias, padding=1).backward(g)

        make = lambda: (torch.randn(64, cin, hw, hw, requires_grad=cin != 3), torch.randn(64, cout, hw, hw))  # noqa: E731
        results[name] = timeit(ring(make, step)) * 1e3

name = f"add_16M_t{t}"
if want(name):
    n = 16 * 1024 * 1024
    step = ring(lambda: (torch.randn(n), torch.randn(n)), lambda a, b: torch.add(a, b), RING_LARGE)
    results[name] = 3 * 4 * n / timeit(step) / 1e9

name = f"autograd_chain_t{t}"
if want(name):

    def chain(x):
        y = x
        for i in range(500):
            y = y * 1.0001
            y = y + 0.0001
        y.sum().backward()
        x.grad = None

    results[name] = timeit(ring(lambda: (torch.randn(4, requires_grad=True),), chain)) / 1000 * 1e6

blas = {}
try:
    from threadpoolctl import threadpool_info

    blas = [{k: p.get(k) for k in ("internal_api", "version", "num_threads", "architecture")} for p in threadpool_info()]
except Exception as e:  # threadpoolctl is optional
    blas = str(e)
print(json.dumps({"threads": THREADS, "torch": torch.__version__, "blas": blas, "results": results}))
