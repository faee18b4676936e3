#!/usr/bin/env python3
"""Record reference values from PyPI `fcd` 1.2.2 (PyTorch ChemNet) for tests/fcd_reference.rs.

Not run by CI (needs torch, rdkit, scipy and fcd==1.2.2 in a side environment):
    python -m venv /tmp/fcdenv && /tmp/fcdenv/bin/pip install torch numpy scipy rdkit fcd==1.2.2
    /tmp/fcdenv/bin/python scripts/fcd_reference.py > tests/fixtures/fcd_reference.json
Strings are fed as written (no RDKit canonicalisation), so the Rust port sees the same input.
"""
import json
import sys

import numpy as np
import fcd

here = __file__.rsplit("/", 2)[0]
rows = [l.split("\t")[0] for l in open(f"{here}/src/graph/mol/testdata/qm9.smi") if not l.startswith("#")]
probe = ["CCO", "c1ccccc1", "ClC(Cl)Br", "C[Si](C)(C)O", "O=[N+]([O-])c1ccc(cc1)C%10CC%10", "[nH]1cccc1", "C#N", "CC(=O)NC1=CC=C(O)C=C1/C=C/F"]
model = fcd.load_ref_model()
act = fcd.get_predictions(model, probe, device="cpu")
a, b = rows[:600], rows[600:1200]
small_a, small_b = rows[1200:1250], rows[1250:1300]
out = {
    "source": "fcd 1.2.2 (PyPI), torch CPU, get_predictions / get_fcd without canonicalisation",
    "probe_smiles": probe,
    "probe_activations": [[float(f"{v:.7g}") for v in r] for r in act],
    "fcd_qm9_0_600_vs_600_1200": fcd.get_fcd(a, b, model, device="cpu"),
    "fcd_qm9_1200_1250_vs_1250_1300": fcd.get_fcd(small_a, small_b, model, device="cpu"),
    "fcd_qm9_0_600_vs_probe_x75": fcd.get_fcd(a, probe * 75, model, device="cpu"),
}
json.dump(out, sys.stdout, indent=1)
