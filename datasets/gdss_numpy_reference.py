#!/usr/bin/env python3
"""Independent NumPy forward pass of the GDSS score networks (dev-time oracle).

Reads the released GDSS checkpoints (torch.save zip archives) WITHOUT torch: `zipfile` plus a
restricted `pickle.Unpickler` that turns `torch._utils._rebuild_tensor_v2` into NumPy arrays.
Evaluates ScoreNetworkX / ScoreNetworkA (raw and EMA weights) on a small fixed batch and writes
the inputs and outputs to a JSON fixture used by the Rust tests
(`tests/gdss_checkpoints.rs`).

Written from the architecture description (Jo et al. 2022, §3 and appendix); float64
arithmetic on the float32 weights.

Usage: python3 datasets/gdss_numpy_reference.py [CKPT_DIR] [OUT_JSON]
Needs only python3 + numpy.
"""
import collections
import json
import math
import os
import pickle
import sys
import zipfile

import numpy as np

DATASETS = ["community_small", "ego_small", "enzymes", "grid", "qm9"]


# ---------------------------------------------------------------- checkpoint reading
class _EasyDict(dict):
    pass


class _Unpickler(pickle.Unpickler):
    def __init__(self, f, zf, prefix):
        super().__init__(f)
        self.zf, self.prefix = zf, prefix

    def find_class(self, module, name):
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return self._rebuild
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("easydict", "EasyDict"):
            return _EasyDict
        if module == "torch" and name == "FloatStorage":
            return name
        raise pickle.UnpicklingError(f"refusing class {module}.{name}")

    def persistent_load(self, pid):
        kind, storage, key, _loc, _numel = pid
        assert kind == "storage" and storage == "FloatStorage", pid
        return np.frombuffer(self.zf.read(f"{self.prefix}data/{key}"), dtype="<f4")

    @staticmethod
    def _rebuild(storage, offset, size, stride, *_):
        return np.lib.stride_tricks.as_strided(
            storage[offset:], shape=tuple(size), strides=tuple(4 * s for s in stride)
        ).copy()


def load_checkpoint(path):
    zf = zipfile.ZipFile(path)
    pkl = [n for n in zf.namelist() if n.endswith("data.pkl")][0]
    prefix = pkl[: -len("data.pkl")]
    with zf.open(pkl) as f:
        top = _Unpickler(f, zf, prefix).load()
    out = {"params_x": dict(top["params_x"]), "params_adj": dict(top["params_adj"])}
    for net, raw_key, ema_key in [("x", "x_state_dict", "ema_x"), ("adj", "adj_state_dict", "ema_adj")]:
        raw = collections.OrderedDict((k, v.astype(np.float64)) for k, v in top[raw_key].items())
        out[net] = raw
        if ema_key in top:
            shadow = top[ema_key]["shadow_params"]
            assert len(shadow) == len(raw)
            out["ema_" + net] = collections.OrderedDict(
                (k, s.astype(np.float64)) for k, s in zip(raw.keys(), shadow)
            )
    return out


# ---------------------------------------------------------------- network pieces
def gcn(sd, p, x, adj):
    n = adj.shape[-1]
    a = adj.copy()
    a[:, np.arange(n), np.arange(n)] = 1.0
    d = np.maximum(a.sum(-1), 1.0) ** -0.5
    a = d[:, :, None] * a * d[:, None, :]
    return a @ (x @ sd[p + ".weight"]) + sd[p + ".bias"]


def elu(v):
    return np.where(v > 0, v, np.expm1(np.minimum(v, 0)))


def mlp(sd, p, h):
    i = 0
    while f"{p}.linears.{i}.weight" in sd:
        i += 1
    for k in range(i):
        h = h @ sd[f"{p}.linears.{k}.weight"].T + sd[f"{p}.linears.{k}.bias"]
        if k < i - 1:
            h = elu(h)
    return h


def score_x(sd, params, x, adj, flags):
    hs = [x]
    h = x
    for l in range(params["depth"]):
        h = np.tanh(gcn(sd, f"layers.{l}", h, adj))
        hs.append(h)
    return mlp(sd, "final", np.concatenate(hs, -1)) * flags[:, :, None]


def attention(sd, p, x, adj, heads, out_dim):
    q, k, v = (gcn(sd, f"{p}.gnn_{c}", x, adj) for c in "qkv")
    d = q.shape[-1] // heads
    maps = []
    for h in range(heads):
        qh, kh = q[..., h * d:(h + 1) * d], k[..., h * d:(h + 1) * d]
        maps.append(np.tanh(qh @ kh.transpose(0, 2, 1) / math.sqrt(out_dim)))
    m = np.mean(maps, axis=0)
    return v, (m + m.transpose(0, 2, 1)) / 2


def attention_layer(sd, p, x, adjs, flags, heads):
    c_in = adjs.shape[1]
    vs, ms = [], []
    for c in range(c_in):
        out_dim = sd[f"{p}.attn.{c}.gnn_v.weight"].shape[1]
        v, m = attention(sd, f"{p}.attn.{c}", x, adjs[:, c], heads, out_dim)
        vs.append(v)
        ms.append(m)
    x_out = np.tanh(mlp(sd, f"{p}.multi_channel", np.concatenate(vs, -1)) * flags[:, :, None])
    feats = np.concatenate([np.stack(ms, -1), adjs.transpose(0, 2, 3, 1)], -1)
    e = mlp(sd, f"{p}.mlp", feats).transpose(0, 3, 1, 2)
    e = e + e.transpose(0, 1, 3, 2)
    mask = flags[:, None, :, None] * flags[:, None, None, :]
    return x_out, e * mask


def score_adj(sd, params, x, adj, flags):
    powers = [adj]
    for _ in range(params["c_init"] - 1):
        powers.append(powers[-1] @ adj)
    adjc = np.stack(powers, 1)
    all_adj = [adjc]
    h = x
    for l in range(params["num_layers"]):
        h, adjc = attention_layer(sd, f"layers.{l}", h, adjc, flags, params["num_heads"])
        all_adj.append(adjc)
    feats = np.concatenate(all_adj, 1).transpose(0, 2, 3, 1)
    s = mlp(sd, "final", feats)[..., 0]
    n = adj.shape[-1]
    s = s * (1.0 - np.eye(n))[None]
    return s * flags[:, :, None] * flags[:, None, :]


# ---------------------------------------------------------------- fixed input
def fixed_input(f, n=6, sizes=(5, 6)):
    """Batch of len(sizes) graphs padded to n nodes; noisy signed symmetric adjacency."""
    b = len(sizes)
    flags = np.zeros((b, n), np.float32)
    x = np.zeros((b, n, f), np.float32)
    adj = np.zeros((b, n, n), np.float32)
    for g, m in enumerate(sizes):
        flags[g, :m] = 1
        for i in range(m):
            for k in range(f):
                x[g, i, k] = 0.5 * math.sin(1.3 * i + 0.7 * k + 2.1 * g + 0.1) + (1.0 if k == (i + g) % f else 0.0)
        edges = {(i, (i + 1) % m) for i in range(m)} | {(0, 2)}
        for i in range(m):
            for j in range(m):
                if i == j:
                    continue
                base = 1.0 if (i, j) in edges or (j, i) in edges else 0.0
                adj[g, i, j] = base + 0.3 * math.sin(0.9 * i * j + 0.4 * (i + j) + g)
    return x, adj, flags


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ckpt_dir = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "GDSS_CHECKPOINT_DIR", "/work/shared/data/gdss-checkpoints")
    out_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        here, "..", "tests", "fixtures", "gdss_forward_reference.json")
    fixture = {"description": "GDSS forward pass, NumPy float64 reference "
               "(datasets/gdss_numpy_reference.py)", "cases": {}}
    for name in DATASETS:
        ck = load_checkpoint(os.path.join(ckpt_dir, f"gdss_{name}.pth"))
        f = ck["params_x"]["max_feat_num"]
        x, adj, flags = fixed_input(f)
        x64, adj64, fl64 = x.astype(np.float64), adj.astype(np.float64), flags.astype(np.float64)
        case = {
            "shape": list(x.shape),
            "x": x.ravel().tolist(), "adj": adj.ravel().tolist(), "flags": flags.ravel().tolist(),
            "num_scalars_x": int(sum(v.size for v in ck["x"].values())),
            "num_scalars_adj": int(sum(v.size for v in ck["adj"].values())),
        }
        for kind in ["raw", "ema"]:
            key_x, key_a = ("x", "adj") if kind == "raw" else ("ema_x", "ema_adj")
            if key_x not in ck:
                continue
            case[f"{kind}_out_x"] = score_x(ck[key_x], ck["params_x"], x64, adj64, fl64).ravel().tolist()
            case[f"{kind}_out_adj"] = score_adj(ck[key_a], ck["params_adj"], x64, adj64, fl64).ravel().tolist()
        fixture["cases"][name] = case
        print(name, "params x/adj:", case["num_scalars_x"], case["num_scalars_adj"],
              "max|out_x|=%.3g max|out_adj|=%.3g" % (max(map(abs, case["raw_out_x"])),
                                                      max(map(abs, case["raw_out_adj"]))))
    for case in fixture["cases"].values():  # 9 significant digits: exact for float32 inputs
        for k, v in case.items():
            if isinstance(v, list) and v and isinstance(v[0], float):
                case[k] = [float("%.9g" % e) for e in v]
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as fh:
        json.dump(fixture, fh)
    print("wrote", out_path)


if __name__ == "__main__":
    main()
