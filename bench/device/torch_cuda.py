"""bench/device/torch_cuda.py: PyTorch CUDA on the workloads of bench/gpu.ts, for run.sh.

fp32 matmul TFLOP/s at n = 4096 and 8192 (TF32 off, so it is the same arithmetic as WGSL f32;
the TF32 figure is reported beside it for context) and the course CNN training step in samples/s
(conv3x3 3->64 pad 1, relu, maxpool 2, conv 64->128, relu, maxpool 2, flatten, linear 6272->1000,
relu, linear 1000->10, cross-entropy, Adam; batch 64 of 3x28x28), reading the loss each step as
the webgpu side does. Prints one JSON line. Usage: python3 torch_cuda.py [cnn_steps]
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def matmul_tflops(n: int, tf32: bool) -> float:
    torch.backends.cuda.matmul.allow_tf32 = tf32
    a = torch.randn(n, n, device="cuda")
    b = torch.randn(n, n, device="cuda")
    a @ b
    torch.cuda.synchronize()
    reps, elapsed = 1, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            a @ b
        torch.cuda.synchronize()
        elapsed = time.perf_counter() - t0
        if elapsed >= 0.25 or reps >= 256:
            break
        reps *= 4
    return 2 * n**3 / (elapsed / reps) / 1e12


def cnn_samples_per_s(steps: int) -> float:
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(6272, 1000), nn.ReLU(), nn.Linear(1000, 10)).cuda()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(64, 3, 28, 28, device="cuda")
    y = torch.randint(0, 10, (64,), device="cuda")

    def step() -> float:
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return 64 * steps / (time.perf_counter() - t0)


def main() -> None:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    out = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__}
    for n in (4096, 8192):
        out[f"matmul_{n}_tflops"] = matmul_tflops(n, tf32=False)
        out[f"matmul_{n}_tf32_tflops"] = matmul_tflops(n, tf32=True)
    out["cnn_samples_per_s"] = cnn_samples_per_s(steps)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
