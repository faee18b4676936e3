#!/usr/bin/env bash
# One device call runs everything (issue "GPU performance"). Build here first:
#   cargo build --release --features cuda --example bench_gpu
# then run on the lent GPU with carry = ["target/release/examples/bench_gpu"]:
#   bash benches/gpu_run.sh        (writes $OUT/bench_*.json and $OUT/gpu_table.md)
set -euo pipefail
out="${OUT:-.}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
# NVRTC may live in the toolkit folder rather than on the loader path.
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
    [ -d "$d" ] && export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"
done
timeout 240 target/release/examples/bench_gpu --device cuda --out "$out/bench_burn.json" | tee "$out/burn.txt"
timeout 120 python3 benches/torch_yardstick.py --device cuda --out "$out/bench_torch.json" | tee "$out/torch.txt"
timeout 120 python3 benches/torch_yardstick.py --device cuda --tf32 --out "$out/bench_torch_tf32.json" > /dev/null
python3 benches/gpu_compare.py "$out/bench_burn.json" "$out/bench_torch.json" | tee "$out/gpu_table.md"
