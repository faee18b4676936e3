#!/usr/bin/env python3
"""Dev-time generator of the PyWavelets oracle fixtures (not a test dependency).

Usage: python3 gen_fixtures.py > testdata/pywt_cases.json

Inputs are prefixes of one shared random vector `master` (numpy seed 20240521,
rounded to 6 decimals so the JSON holds them exactly); outputs are PyWavelets'.
"""
import json
import numpy as np
import pywt

FAMILIES = (
    ["haar"] + [f"db{i}" for i in range(1, 11)] + [f"sym{i}" for i in range(2, 11)]
    + [f"coif{i}" for i in range(1, 6)]
    + ["bior" + s for s in "1.1 1.3 1.5 2.2 2.4 2.6 2.8 3.1 3.3 3.5 3.7 3.9 4.4 5.5 6.8".split()]
)
MODES = ["zero", "constant", "symmetric", "reflect", "periodic", "periodization"]
rng = np.random.default_rng(20240521)
MASTER = np.round(rng.uniform(-1.0, 1.0, 2048), 6)


def lst(a):
    return [float(v) for v in np.asarray(a).ravel()]


def case1d(w, mode, n, level):
    x = MASTER[:n]
    c = pywt.wavedec(x, w, mode=mode, level=level)
    return {"w": w, "mode": mode, "n": n, "level": level, "coeffs": [lst(a) for a in c]}


def cases1d():
    out = []
    # Every family, two modes each, rotating lengths and levels.
    for i, w in enumerate(FAMILIES):
        f = pywt.Wavelet(w).dec_len
        for j in range(2):
            mode = MODES[(2 * i + j) % len(MODES)]
            level = 1 + (i + j) % 3
            base = [17, 32, 33][(i + 2 * j) % 3]
            n = max(base, (f - 1) * 2 ** level + base % 2)
            out.append(case1d(w, mode, n, level))
    # Every mode x odd/even lengths x levels for the wavelets WDNO & co. use.
    for w in ["haar", "db2", "bior1.3", "bior2.4"]:
        for mode in MODES:
            for n, level in [(17, 1), (32, 2), (33, 3)]:
                level = min(level, pywt.dwt_max_level(n, pywt.Wavelet(w).dec_len))
                out.append(case1d(w, mode, n, level))
    return out


def case2d(w, mode, shape, level):
    x = MASTER[: int(np.prod(shape))].reshape(shape)
    c = pywt.wavedec2(x, w, mode=mode, level=level, axes=(-2, -1))
    det = [[{"shape": list(a.shape), "data": lst(a)} for a in t] for t in c[1:]]
    return {"w": w, "mode": mode, "shape": list(shape), "level": level,
            "approx": {"shape": list(c[0].shape), "data": lst(c[0])}, "details": det}


def casend(w, mode, shape, ndim, level):
    x = MASTER[: int(np.prod(shape))].reshape(shape)
    axes = tuple(range(len(shape) - ndim, len(shape)))
    c = pywt.wavedecn(x, w, mode=mode, level=level, axes=axes)
    det = [[{"key": k, "shape": list(a.shape), "data": lst(a)} for k, a in d.items()] for d in c[1:]]
    return {"w": w, "mode": mode, "shape": list(shape), "ndim": ndim, "level": level,
            "approx": {"shape": list(c[0].shape), "data": lst(c[0])}, "details": det}


def main():
    d2 = [
        case2d("bior2.4", "periodization", (1, 19, 26), 1),
        case2d("db2", "symmetric", (2, 9, 12), 1),
        case2d("haar", "zero", (2, 9, 12), 3),
        case2d("bior1.3", "reflect", (1, 11, 10), 1),
    ]
    dn = [
        casend("bior1.3", "zero", (10, 10, 10), 3, 1),
        casend("haar", "periodization", (2, 8, 6, 10), 3, 2),
        casend("db2", "periodic", (1, 7, 9), 2, 1),
    ]
    doc = {"pywt_version": pywt.__version__, "master": lst(MASTER), "d1": cases1d(), "d2": d2, "dn": dn}
    print(json.dumps(doc, separators=(",", ":")))


if __name__ == "__main__":
    main()
