#!/usr/bin/env bash
# Fetch ChemNet's weights for FCD (brief gdss.md §6.2) from PyPI: the wheel fcd==1.2.2 ships
# `fcd/ChemNet_v0.13_pretrained.pt` (LGPL-3.0, so it is fetched, not committed).
#
#   datasets/fetch_chemnet.sh [OUT_DIR]      # default ${SCIDIFF_DATA:-$HOME/.cache/scidiff}/mol
#
# Network: only PyPI through pip (`pip download --no-deps` of exactly fcd==1.2.2, ~5 MB). The
# wheel is read with Python's zipfile, never installed or imported; both files are checked
# against the digests below. Idempotent: does nothing when the weights are already in place.
set -euo pipefail
cache="${SCIDIFF_DATA:-$HOME/.cache/scidiff}"
out="${1:-$cache/mol}"
py="${PYTHON:-python3}"
pt="$out/ChemNet_v0.13_pretrained.pt"
pt_md5="ac385cfca47594d104b54c0b1d309f0a"
wheel_sha256="9d8284a4d886778db787bc2653678bd050b358bc0a9c4ff835721edf301facda"
if [ -f "$pt" ] && [ "$(md5sum "$pt" | cut -d' ' -f1)" = "$pt_md5" ]; then exit 0; fi
mkdir -p "$cache/wheels" "$out"
"$py" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary :all: \
  -d "$cache/wheels" "fcd==1.2.2"
whl="$cache/wheels/fcd-1.2.2-py3-none-any.whl"
echo "$wheel_sha256  $whl" | sha256sum -c --quiet
"$py" - "$whl" "$pt" <<'PY'
import sys, zipfile, os
whl, pt = sys.argv[1], sys.argv[2]
data = zipfile.ZipFile(whl).read("fcd/ChemNet_v0.13_pretrained.pt")
tmp = pt + ".part"
open(tmp, "wb").write(data)
os.replace(tmp, pt)
PY
echo "$pt_md5  $pt" | md5sum -c --quiet
echo "fetch_chemnet: wrote $pt" >&2
