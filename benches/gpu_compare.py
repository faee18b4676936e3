#!/usr/bin/env python3
"""Join bench_burn.json (examples/bench_gpu.rs) and bench_torch.json (torch_yardstick.py) into one
markdown table: op, shape, burn ms, PyTorch ms, ratio burn/PyTorch (> 1 means burn is slower)."""
import json
import sys

burn = json.load(open(sys.argv[1]))
torch = {(r["name"], r["shape"]): r for r in json.load(open(sys.argv[2]))}
print("| op | shape | burn ms | PyTorch ms | burn/PyTorch | burn TFLOP/s | PyTorch TFLOP/s |")
print("|---|---|---|---|---|---|---|")
for r in burn:
    t = torch.get((r["name"], r["shape"]))
    tf = lambda x: "-" if x is None or x.get("tflops") is None else f"{x['tflops']:.2f}"
    print(f"| {r['name']} | {r['shape']} | {r['ms']:.3f} | {t['ms']:.3f} | {r['ms'] / t['ms']:.2f} | {tf(r)} | {tf(t)} |" if t else
          f"| {r['name']} | {r['shape']} | {r['ms']:.3f} | - | - | {tf(r)} | - |")
