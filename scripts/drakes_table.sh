#!/usr/bin/env bash
# DRAKES-DHS results table on the CPU (docs/sequences.md): fine-tunes DRAKES variants from a
# pretrained model, samples every method with several seeds, evaluates each set with `seq eval`
# (D1 rewards, oracle B, 3-mer / JASPAR correlations, ELBO log-likelihood under the pretrained
# model) and writes OUT/table.md (mean (std) over seeds).
#
#   bash scripts/drakes_table.sh PRETRAINED_DIR OUT_DIR [ORACLE_A ORACLE_B]
#
# Environment knobs: N (samples per seed, default 128), SEEDS (default "0 1 2"), STEPS (reverse
# steps when sampling, default 32), FT_STEPS (fine-tune steps, default: the quick preset's),
# ALPHAS (KL weights of the trade-off curve, default "0 0.001 0.01 0.1"), BIN (scidiff binary),
# METHODS (rows to run, e.g. "pretrained drakes-a0.001 drakes-code drakes-oracle"; default: all; a
# fine-tune is only made for a row that is run), STEP_SWEEP (reverse-step counts of the steps table,
# default "8 16 32 64 128"; set it empty to skip). Runs whose eval JSON exists are skipped, so two
# copies with different SEEDS can share OUT once the fine-tunes exist. SAMPLE_ONLY=1 draws the
# samples (FASTA + .secs) without evaluating them, so sampling need not wait for oracle B.
set -euo pipefail
PRE=$1; OUT=$2; ORA=${3:-}; ORB=${4:-}
N=${N:-128}; SEEDS=${SEEDS:-"0 1 2"}; STEPS=${STEPS:-32}; ALPHAS=${ALPHAS:-"0 0.001 0.01 0.1"}
BIN=${BIN:-target/release/scidiff}
mkdir -p "$OUT"
ft_args=(--preset quick --seed 0)
[ -n "${FT_STEPS:-}" ] && ft_args+=(--steps "$FT_STEPS")

want() { # row: is it in METHODS (or is METHODS unset)?
  [ -z "${METHODS:-}" ] && return 0
  case " $METHODS " in *" $1 "*) return 0 ;; *) return 1 ;; esac
}

finetune() { # name reward extra-args...
  local name=$1 reward=$2; shift 2
  [ -f "$OUT/$name/checkpoint.bin" ] && return 0
  local o=(); [ "$reward" = oracle ] && o=(--oracle "$ORA")
  "$BIN" seq finetune --model "$PRE" --method drakes --reward "$reward" "${o[@]}" "${ft_args[@]}" --out "$OUT/$name" "$@"
}

evaluate() { # method model seed guide-args...
  local method=$1 model=$2 seed=$3; shift 3
  want "$method" || return 0
  local f="$OUT/samples/$method.s$seed.fasta" j="$OUT/eval/$method.s$seed.json"
  mkdir -p "$OUT/samples" "$OUT/eval"
  [ -f "$j" ] && return 0
  if [ ! -f "$f.secs" ]; then # sampled already (e.g. by a SAMPLE_ONLY=1 copy while an oracle trains)
    local t0=$SECONDS
    "$BIN" seq sample --model "$model" --n "$N" --steps "$STEPS" --seed "$seed" --out "$f" "$@"
    echo $((SECONDS - t0)) > "$f.secs"
  fi
  [ -n "${SAMPLE_ONLY:-}" ] && return 0
  local secs; secs=$(cat "$f.secs")
  local o=(); [ -n "$ORB" ] && o=(--oracle "$ORB" --oracle-train "$ORA")
  "$BIN" seq eval --fasta "$f" --model "$PRE" "${o[@]}" --seed "$seed" --json "$j.tmp" > /dev/null
  python3 - "$j.tmp" "$j" "$secs" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["sample_seconds"] = float(sys.argv[3])
json.dump(m, open(sys.argv[2], "w"), indent=1)
PY
  rm -f "$j.tmp"
}

# Fine-tunes on the motif reward: the KL trade-off curve (path estimator) and the released estimator.
for a in $ALPHAS; do want "drakes-a$a" && finetune "drakes-motif-a$a" motif --alpha "$a"; done
want drakes-code && finetune drakes-motif-code motif --alpha 0.001 --kl-estimator drakes_code
[ -n "$ORA" ] && want drakes-oracle && finetune drakes-oracle oracle --alpha 0.001

# An oracle still training elsewhere writes oracle.json when it is done.
while [ -z "${SAMPLE_ONLY:-}" ] && [ -n "$ORB" ] && [ ! -f "$ORB/oracle.json" ]; do sleep 20; done
for s in $SEEDS; do
  evaluate pretrained "$PRE" "$s"
  evaluate best-of-8 "$PRE" "$s" --guide best-of-n:8 --reward motif
  evaluate cg "$PRE" "$s" --guide cg:5 --reward motif
  evaluate smc "$PRE" "$s" --guide smc:0.5 --reward motif
  evaluate tds "$PRE" "$s" --guide tds:5:0.5 --reward motif
  for a in $ALPHAS; do evaluate "drakes-a$a" "$OUT/drakes-motif-a$a" "$s"; done
  evaluate drakes-code "$OUT/drakes-motif-code" "$s"
  if [ -n "$ORA" ]; then
    evaluate smc-oracle "$PRE" "$s" --guide smc:0.5 --reward oracle --oracle "$ORA"
    evaluate drakes-oracle "$OUT/drakes-oracle" "$s"
  fi
done

# Reward against the number of reverse steps (issue 9 item 5), seed 0, DRAKES α = 0.001 and pretrained.
for k in ${STEP_SWEEP-8 16 32 64 128}; do
  for m in pretrained:"$PRE" drakes:"$OUT/drakes-motif-a0.001"; do
    name=${m%%:*}; dir=${m#*:}
    f="$OUT/steps/$name.k$k.fasta"; j="$OUT/steps/$name.k$k.json"
    mkdir -p "$OUT/steps"; [ -f "$j" ] && continue
    t0=$SECONDS
    "$BIN" seq sample --model "$dir" --n "$N" --steps "$k" --seed 0 --out "$f"
    secs=$((SECONDS - t0))
    "$BIN" seq eval --fasta "$f" --json "$j" > /dev/null
    python3 -c "import json,sys; m=json.load(open('$j')); m['sample_seconds']=$secs; json.dump(m, open('$j','w'))"
  done
done

python3 - "$OUT" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
rows = {}
for f in sorted(glob.glob(os.path.join(out, "eval", "*.json"))):
    method, seed = os.path.basename(f)[:-5].rsplit(".s", 1)
    rows.setdefault(method, []).append(json.load(open(f)))
cols = [("d1_median", "D1 median"), ("d1_eval_median", "D1 (JASPAR 2022) median"), ("oracle_logit_median", "oracle B logit median"),
        ("hepg2_accessible_pct", "HepG2-acc % (B)"), ("oracle_gap", "oracle A − B gap"), ("three_mer_pearson", "3-mer r"), ("jaspar_spearman", "JASPAR ρ"),
        ("loglik_median_nats", "log-lik median (nats)"), ("diversity", "diversity"), ("sample_seconds", "sampling s")]
def cell(vals):
    vals = [v for v in vals if v is not None]
    if not vals: return "n/a"
    m = statistics.mean(vals); s = statistics.stdev(vals) if len(vals) > 1 else 0.0
    return f"{m:.3g} ({s:.2g})"
lines = ["| method | seeds | " + " | ".join(c[1] for c in cols) + " |", "|---|---|" + "---|" * len(cols)]
for method, ms in rows.items():
    lines.append(f"| {method} | {len(ms)} | " + " | ".join(cell([m.get(k) for m in ms]) for k, _ in cols) + " |")
lines += ["", "| model | reverse steps | D1 median | 3-mer r | sampling s |", "|---|---|---|---|---|"]
for f in sorted(glob.glob(os.path.join(out, "steps", "*.json")), key=lambda p: (os.path.basename(p).split(".k")[0], int(p.rsplit(".k", 1)[1][:-5]))):
    name, k = os.path.basename(f)[:-5].rsplit(".k", 1)
    m = json.load(open(f))
    lines.append(f"| {name} | {k} | {m.get('d1_median', float('nan')):.3f} | {m.get('three_mer_pearson') or float('nan'):.3f} | {m.get('sample_seconds', 0):.0f} |")
open(os.path.join(out, "table.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
"$BIN" seq plot-tradeoff --eval "$OUT/eval" --out "$OUT/tradeoff.png" || true
