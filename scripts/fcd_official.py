#!/usr/bin/env python3
"""GDSS-protocol FCD of generated SMILES with the reference package (optional cross-check).

GDSS canonicalises both sets with RDKit and calls fcd_torch; this script does the same with
PyPI `fcd` 1.2.2 (same ChemNet weights), on the valid molecules only (RDKit-parsable), against
the QM9 test split of datasets/fetch_mol.sh. Needs a side environment (not used by CI):
    python -m venv /tmp/fcdenv && /tmp/fcdenv/bin/pip install torch numpy scipy rdkit fcd==1.2.2
    /tmp/fcdenv/bin/python scripts/fcd_official.py GEN.smi [GEN2.smi ...]
"""
import os
import sys

import fcd
from rdkit import Chem, RDLogger

RDLogger.DisableLog("rdApp.*")
data = os.path.join(os.environ.get("SCIDIFF_DATA", os.path.expanduser("~/.cache/scidiff")), "mol", "qm9.tsv")


def canon(smiles):
    mol = Chem.MolFromSmiles(smiles) if smiles.strip() else None
    return Chem.MolToSmiles(mol) if mol is not None else None


test = [r.split("\t")[1] for r in open(data).read().splitlines()[1:] if r.split("\t")[2] == "test"]
test_c = [c for c in map(canon, test) if c]
model = fcd.load_ref_model()
print(f"test: {len(test_c)} of {len(test)} RDKit-parsable")
for path in sys.argv[1:]:
    gen = [l.strip() for l in open(path)]
    valid = [c for c in map(canon, gen) if c]
    raw = [g for g in gen if g and Chem.MolFromSmiles(g) is not None]
    print(f"{path}: {len(valid)} of {len(gen)} valid (RDKit)")
    print(f"  FCD, RDKit-canonical both sides (GDSS protocol): {fcd.get_fcd(valid, test_c, model, device='cpu'):.3f}")
    print(f"  FCD, strings as written vs RDKit-canonical test: {fcd.get_fcd(raw, test_c, model, device='cpu'):.3f}")
