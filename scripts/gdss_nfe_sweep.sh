#!/usr/bin/env bash
# MMD² against NFE for GDSS's released community-small weights (issue "Graph module I", item 4):
# GDSS's own samplers (pc = Euler + Langevin, s4, reverse) at their 1000-step settings and fewer
# steps, and the core's ODE samplers that GDSS lacks, on the same joint (X, A) state.
#
#   bash scripts/gdss_nfe_sweep.sh OUT_DIR [SEEDS]
#
# Writes OUT_DIR/<sampler>.nfe<K>.s<seed>.txt (`graph eval` output) and OUT_DIR/table.md.
set -euo pipefail
OUT=$1; SEEDS=${2:-0}; BIN=${BIN:-target/release/scidiff}
CK=${CK:-../shared/data/gdss-checkpoints/gdss_community_small.pth}
mkdir -p "$OUT"
runs=("pc 2000" "pc 200" "s4 1000" "s4 100" "reverse 2000" "reverse 200" "euler-maruyama 1000" "euler-maruyama 100"
      "dpm-solver++2m 10" "dpm-solver++2m 20" "dpm-solver++2m 50" "heun 50" "ddim 50")
for s in $SEEDS; do
  for r in "${runs[@]}"; do
    set -- $r; name=$1; nfe=$2
    f="$OUT/$name.nfe$nfe.s$s"
    [ -f "$f.txt" ] && continue
    t0=$SECONDS
    "$BIN" graph sample --checkpoint "$CK" --dataset community-small --sampler "$name" --nfe "$nfe" --seed "$s" --out "$f.json" > /dev/null
    secs=$((SECONDS - t0))
    { echo "seconds $secs"; "$BIN" graph eval --generated "$f.json" --dataset community-small; } > "$f.tmp" && mv "$f.tmp" "$f.txt"
  done
done
python3 - "$OUT" <<'PY'
import glob, os, re, statistics, sys
out = sys.argv[1]; rows = {}
for f in glob.glob(os.path.join(out, "*.txt")):
    name, nfe, seed = re.match(r"(.+)\.nfe(\d+)\.s(\d+)\.txt", os.path.basename(f)).groups()
    text = open(f).read()
    vals = {k: float(re.search(rf"^{k}\s+([0-9.eE+-]+)", text, re.M).group(1)) for k in ["degree", "clustering", "orbit", "avg"]}
    vals["seconds"] = float(re.search(r"^seconds (\d+)", text, re.M).group(1))
    rows.setdefault((name, int(nfe)), []).append(vals)
lines = ["| sampler | NFE per network | seeds | degree | clustering | orbit | avg | sampling s |", "|---|---|---|---|---|---|---|---|"]
for (name, nfe), vs in sorted(rows.items()):
    cell = lambda k: f"{statistics.mean(v[k] for v in vs):.4f}"
    lines.append(f"| {name} | {nfe} | {len(vs)} | {cell('degree')} | {cell('clustering')} | {cell('orbit')} | {cell('avg')} | {statistics.mean(v['seconds'] for v in vs):.0f} |")
open(os.path.join(out, "table.md"), "w").write("\n".join(lines) + "\n"); print("\n".join(lines))
PY
