#!/usr/bin/env bash
# WDNO on 1-D forced Burgers, with its two baselines in the same harness (`make demo-pde`):
# generate the small preset's data, train WDNO (wavelet diffusion) and the FNO surrogate (and,
# with ARCHS="wdno ddpm fno", the physical-space DDPM: ~5x slower per step on CPU, its canvas is
# 48x64 against 24x32) for a short CPU budget, simulate the test set with each, print MSE(t >= 1),
# generate controls with WDNO (J measured by the real solver) and draw a comparison figure.
# Usage: bash scripts/pde_demo.sh [OUT_DIR]    env: STEPS (default 300), SEED (default 0),
#        ARCHS (default "wdno fno"), BIN (default: cargo run --release --)
set -euo pipefail
out=${1:-runs/demo-pde}
steps=${STEPS:-300}
seed=${SEED:-0}
archs=${ARCHS:-wdno fno}
bin=${BIN:-cargo run --quiet --release --}
rm -rf "$out" && mkdir -p "$out"
$bin pde generate --system burgers1d --preset small --trajectories 512 --seed "$seed" --out "$out/train.h5"
$bin pde generate --system burgers1d --preset small --trajectories 32 --seed $((seed + 1)) --out "$out/test.h5"
for arch in $archs; do
    $bin pde train --arch "$arch" --data "$out/train.h5" --preset small --steps "$steps" --seed "$seed" --out "$out/$arch"
    $bin pde simulate --model "$out/$arch" --input "$out/test.h5" --out "$out/pred_$arch.h5" --seed "$seed"
done
for arch in $archs; do
    echo "== $arch ($steps steps) on 32 test trajectories"
    $bin pde eval --pred "$out/pred_$arch.h5" --truth "$out/test.h5" | grep 'MSE(t>=1)'
done
echo "== WDNO control on 8 test targets"
$bin pde control --model "$out/wdno" --input "$out/test.h5" --out "$out/ctrl_wdno.h5" --limit 8 --seed "$seed"
compare=()
for arch in $archs; do compare+=(--compare "$out/pred_$arch.h5"); done
$bin pde plot "$out/test.h5" --index 0 "${compare[@]}" --out "$out/compare.png"
echo "figure: $out/compare.png"
