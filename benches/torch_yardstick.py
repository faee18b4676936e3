#!/usr/bin/env python3
"""PyTorch yardstick for examples/bench_gpu.rs: the same operations, sizes, warm-up and
synchronisation, so `gpu_compare.py` can print burn vs PyTorch side by side.

Usage: python3 benches/torch_yardstick.py [--device cuda] [--out bench_torch.json]
Only a yardstick: it is ours, and it mirrors the Rust program row by row (names and shapes).
"""
import argparse
import json
import math
import time

import torch


def timed(fn, device, warm, reps):
    for _ in range(warm):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        out.append((time.perf_counter() - t0) * 1e3)
    out.sort()
    return out[len(out) // 2]


class Mlp(torch.nn.Module):
    """The scidiff `sde train` MLP: [x, sin/cos(1000 t f_k)] -> 3 x (Linear, SiLU) -> Linear."""

    def __init__(self, dim=2, hidden=128, layers=3, emb=32):
        super().__init__()
        self.emb = emb
        self.inp = torch.nn.Linear(dim + emb, hidden)
        self.hidden = torch.nn.ModuleList([torch.nn.Linear(hidden, hidden) for _ in range(layers - 1)])
        self.out = torch.nn.Linear(hidden, dim)

    def forward(self, x, t):
        half = self.emb // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=x.device) / half)
        a = 1000.0 * t[:, None] * freqs[None, :]
        h = torch.nn.functional.silu(self.inp(torch.cat([x, a.sin(), a.cos()], 1)))
        for layer in self.hidden:
            h = torch.nn.functional.silu(layer(h))
        return self.out(h)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cuda")
    p.add_argument("--out", default="bench_torch.json")
    p.add_argument("--tf32", action="store_true", help="allow TF32 for f32 matmul (PyTorch's fast path)")
    args = p.parse_args()
    dev = torch.device(args.device)
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    big = dev.type == "cuda"
    rows = []
    for n in ([1024, 2048, 4096, 8192] if big else [256, 512]):
        a, b = torch.randn(n, n, device=dev), torch.randn(n, n, device=dev)
        for dt, name in [(torch.float32, "matmul f32"), (torch.float16, "matmul f16"), (torch.bfloat16, "matmul bf16")]:
            if dt != torch.float32 and not big:
                continue
            ah, bh = a.to(dt), b.to(dt)
            ms = timed(lambda: ah @ bh, dev, 10, 10)
            rows.append({"name": name, "shape": f"{n}x{n}x{n}", "ms": ms, "tflops": 2 * n**3 / ms / 1e9})
    bs, c, hw = (32, 128, 64) if big else (4, 32, 32)
    x, w = torch.randn(bs, c, hw, hw, device=dev), torch.randn(c, c, 3, 3, device=dev) * 0.1
    ms = timed(lambda: torch.nn.functional.conv2d(x, w, padding=1), dev, 5, 10)
    rows.append({"name": "conv2d 3x3", "shape": f"[{bs},{c},{hw},{hw}]", "ms": ms, "tflops": 2 * bs * c * hw * hw * c * 9 / ms / 1e9})
    bs1, c1, l1 = (256, 128, 200) if big else (8, 32, 200)
    x1, w1 = torch.randn(bs1, c1, l1, device=dev), torch.randn(c1, c1, 9, device=dev) * 0.1
    ms = timed(lambda: torch.nn.functional.conv1d(x1, w1, padding=8, dilation=2), dev, 5, 10)
    rows.append({"name": "conv1d k9 dil2", "shape": f"[{bs1},{c1},{l1}]", "ms": ms, "tflops": 2 * bs1 * c1 * l1 * c1 * 9 / ms / 1e9})
    # Training step of the score-SDE MLP: DSM loss on a VP SDE, AdamW (same sizes as the Rust row).
    batch = 4096 if big else 512
    model = Mlp().to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)

    def step():
        x0 = torch.randn(batch, 2, device=dev)
        t = torch.rand(batch, device=dev) * (1 - 1e-3) + 1e-3
        log_a = -0.25 * 19.9 * t**2 - 0.5 * 0.1 * t
        a = log_a.exp()[:, None]
        s = (-torch.expm1(2 * log_a)).sqrt()[:, None]
        eps = torch.randn_like(x0)
        loss = ((model(a * x0 + s * eps, t) - eps) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    ms = timed(step, dev, 5, 20)
    rows.append({"name": "train step: sde MLP 3x128", "shape": f"batch {batch}", "ms": ms, "tflops": None})
    with open(args.out, "w") as f:
        json.dump(rows, f, indent=1)
    for r in rows:
        print(f"{r['name']:<28} {r['shape']:<18} {r['ms']:9.3f} ms")


if __name__ == "__main__":
    main()
