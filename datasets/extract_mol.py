#!/usr/bin/env python3
"""Extract QM9 and MOSES SMILES from the PyPI wheels `qm9pack` and `molsets` (read as zip files,
never imported). Standard library only.

Outputs in --out:
  qm9.tsv        gdb_index<TAB>smiles<TAB>split   (split = test if GDSS's valid_idx_qm9.json names
                 row r = gdb_index - 1, else train; brief gdss.md §9 for the row<->index mapping)
  moses_train.smi, moses_test.smi   one SMILES a line (MOSES train / test)
  MANIFEST.txt   counts and md5 of every output
"""
import argparse, csv, gzip, hashlib, io, json, os, sys, zipfile

from checksum import md5

csv.field_size_limit(1 << 30)



def qm9(wheel, valid_idx, out):
    with open(valid_idx) as f:
        test_rows = {int(s) for s in json.load(f)["valid_idxs"]}
    rows = []
    z = zipfile.ZipFile(wheel)
    parts = sorted(n for n in z.namelist() if n.startswith("qm9pack/data/qm9_part") and n.endswith(".csv"))
    if len(parts) != 3:
        sys.exit(f"expected 3 qm9_part*.csv in {wheel}, found {parts}")
    for name in parts:
        with z.open(name) as fh:
            for rec in csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8")):
                idx = int(rec["Index"])
                split = "test" if (idx - 1) in test_rows else "train"
                rows.append((idx, rec["SMILES"].strip(), split))
    rows.sort()
    path = os.path.join(out, "qm9.tsv")
    with open(path, "w") as f:
        f.write("gdb_index\tsmiles\tsplit\n")
        for idx, smi, split in rows:
            f.write(f"{idx}\t{smi}\t{split}\n")
    n_test = sum(1 for r in rows if r[2] == "test")
    return path, {"qm9 molecules": len(rows), "qm9 test": n_test, "qm9 train": len(rows) - n_test,
                  "GDSS test rows": len(test_rows)}


def moses(wheel, out):
    z = zipfile.ZipFile(wheel)
    counts, paths = {}, []
    for split in ("train", "test"):
        with z.open(f"moses/dataset/data/{split}.csv.gz") as fh:
            lines = gzip.open(fh).read().decode("utf-8").splitlines()
        if not lines or lines[0].strip() != "SMILES":
            sys.exit(f"unexpected header in MOSES {split}: {lines[:1]}")
        path = os.path.join(out, f"moses_{split}.smi")
        with open(path, "w") as f:
            for l in lines[1:]:
                f.write(l.strip() + "\n")
        counts[f"moses {split}"] = len(lines) - 1
        paths.append(path)
    return paths, counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qm9-wheel", required=True)
    ap.add_argument("--molsets-wheel", required=True)
    ap.add_argument("--valid-idx", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    qpath, counts = qm9(a.qm9_wheel, a.valid_idx, a.out)
    mpaths, mcounts = moses(a.molsets_wheel, a.out)
    counts.update(mcounts)
    with open(os.path.join(a.out, "MANIFEST.txt"), "w") as f:
        for k, v in counts.items():
            f.write(f"{k}: {v}\n")
        for p in [qpath, *mpaths]:
            f.write(f"md5 {os.path.basename(p)} {md5(p)}\n")
    print(open(os.path.join(a.out, "MANIFEST.txt")).read(), end="")


if __name__ == "__main__":
    main()
