#!/usr/bin/env python3
"""Extract the DRAKES-DHS benchmark inputs from two PyPI wheels (brief drakes.md §6.1, §6.2).

Reads the wheels as zip files (no import, no install):

* ``dnadiffusion==0.0.0.dev0``: ``dnadiffusion/data/K562_hESCT0_HepG2_GM12878_12k_sequences_per_group.txt``,
  47,872 real hg38 200-bp DHS sequences (11,968 per cell type) -> ``dhs.tsv`` with columns
  ``id chrom start end split cell_type GM12878 hESCT0 K562 HepG2 sequence``
  (``split`` is the source ``data_label``: training / validation / test; the four cell-type columns are the
  source's 0/1 indicator columns, ``HepG2`` is the HepG2 label).
* ``pyjaspar``: ``JASPAR2024.sqlite`` -> the six liver-TF matrices of reward track D1 (``motifs.json``,
  key ``reward``), plus the same base IDs at their latest JASPAR 2022 version (key ``eval_jaspar2022``, a
  second motif source for the hacking gap); ``JASPAR2022.sqlite`` -> every latest-version CORE matrix
  (the 1956-motif "CORE non-redundant" set of the JASPAR-Corr metric) -> ``jaspar2022_core_nr.json``.
* ``dhs_sample.tsv``: a small deterministic fixture (40 rows per cell type, spread over the file).

Matrices are stored as raw counts, one ``[A, C, G, T]`` list per motif column. Prints counts and the md5 of
every output and writes them to ``MANIFEST.txt``.
"""
import argparse
import hashlib
import json
import os
import sqlite3
import sys
import tempfile
import zipfile

from checksum import md5

DHS_MEMBER = "dnadiffusion/data/K562_hESCT0_HepG2_GM12878_12k_sequences_per_group.txt"
CELL_COLS = [("GM12878", "GM12878_ENCLB441ZZZ"), ("hESCT0", "hESCT0_ENCLB449ZZZ"),
             ("K562", "K562_ENCLB843GMH"), ("HepG2", "HepG2_ENCLB029COU")]
# Brief §6.2, track D1: liver TFs with their JASPAR 2024 CORE matrix IDs.
LIVER_TFS = [("HNF4A", "MA0114", 5), ("HNF1A", "MA0046", 3), ("FOXA2", "MA0047", 4),
             ("CEBPA", "MA0102", 5), ("ONECUT1", "MA0679", 3), ("NR2F2", "MA1111", 2)]
EXPECTED_ROWS = 47872
EXPECTED_NR_2022 = 1956
SAMPLE_PER_CELL = 40



def extract_dhs(wheel, out_dir):
    with zipfile.ZipFile(wheel) as z:
        text = z.read(DHS_MEMBER).decode("ascii")
    lines = text.splitlines()
    header = lines[0].split("\t")
    col = {name: i for i, name in enumerate(header)}
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        f = line.split("\t")
        if len(f) != len(header):
            sys.exit(f"{DHS_MEMBER}:{n}: {len(f)} fields, expected {len(header)}")
        seq = f[col["sequence"]].upper()
        if len(seq) != 200 or set(seq) - set("ACGT"):
            sys.exit(f"{DHS_MEMBER}:{n}: bad sequence (length {len(seq)})")
        tag = f[col["TAG"]]
        cell = next(short for short, long_ in CELL_COLS if long_ == tag)
        rows.append([f[col["dhs_id"]], f[col["chr"]], f[col["start"]], f[col["end"]], f[col["data_label"]], cell]
                    + [f[col[long_]] for _, long_ in CELL_COLS] + [seq])
    out_header = ["id", "chrom", "start", "end", "split", "cell_type"] + [s for s, _ in CELL_COLS] + ["sequence"]
    path = os.path.join(out_dir, "dhs.tsv")
    with open(path, "w") as f:
        f.write("\t".join(out_header) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    # Deterministic fixture: every k-th row of each cell type.
    sample = []
    for cell, _ in CELL_COLS:
        group = [r for r in rows if r[5] == cell]
        step = len(group) // SAMPLE_PER_CELL
        sample += group[::step][:SAMPLE_PER_CELL]
    spath = os.path.join(out_dir, "dhs_sample.tsv")
    with open(spath, "w") as f:
        f.write("\t".join(out_header) + "\n")
        for r in sample:
            f.write("\t".join(r) + "\n")
    return rows, path, spath


def read_matrix(con, matrix_id):
    cols = {}
    for row, c, val in con.execute("SELECT row, col, val FROM MATRIX_DATA WHERE ID = ?", (matrix_id,)):
        cols.setdefault(int(c), {})[row.upper()] = float(val)
    return [[cols[c][b] for b in "ACGT"] for c in sorted(cols)]


def motif_record(con, db, base_id, version):
    got = con.execute("SELECT ID, NAME FROM MATRIX WHERE COLLECTION = 'CORE' AND BASE_ID = ? AND VERSION = ?",
                      (base_id, version)).fetchone()
    if got is None:
        sys.exit(f"{db}: no CORE matrix {base_id}.{version}")
    return {"id": f"{base_id}.{version}", "name": got[1], "db": db, "pfm": read_matrix(con, got[0])}


def open_sqlite(wheel, member, tmp):
    with zipfile.ZipFile(wheel) as z:
        path = os.path.join(tmp, os.path.basename(member))
        with open(path, "wb") as f:
            f.write(z.read(member))
    return sqlite3.connect(path)


def extract_motifs(wheel, out_dir):
    with tempfile.TemporaryDirectory() as tmp:
        j24 = open_sqlite(wheel, "pyjaspar/data/JASPAR2024.sqlite", tmp)
        j22 = open_sqlite(wheel, "pyjaspar/data/JASPAR2022.sqlite", tmp)
        reward = [dict(motif_record(j24, "JASPAR2024", b, v), tf=tf) for tf, b, v in LIVER_TFS]
        eval_set = []
        for tf, b, _ in LIVER_TFS:
            (v,) = j22.execute("SELECT MAX(VERSION) FROM MATRIX WHERE COLLECTION = 'CORE' AND BASE_ID = ?",
                               (b,)).fetchone()
            eval_set.append(dict(motif_record(j22, "JASPAR2022", b, v), tf=tf))
        nr = []
        latest = j22.execute("SELECT BASE_ID, MAX(VERSION) FROM MATRIX WHERE COLLECTION = 'CORE' "
                             "GROUP BY BASE_ID ORDER BY BASE_ID").fetchall()
        for b, v in latest:
            nr.append(motif_record(j22, "JASPAR2022", b, v))
    mpath = os.path.join(out_dir, "motifs.json")
    with open(mpath, "w") as f:
        json.dump({"reward": reward, "eval_jaspar2022": eval_set}, f, indent=1)
        f.write("\n")
    npath = os.path.join(out_dir, "jaspar2022_core_nr.json")
    with open(npath, "w") as f:
        json.dump(nr, f, separators=(",", ":"))
        f.write("\n")
    return reward, eval_set, nr, mpath, npath


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dnadiffusion-wheel", required=True)
    ap.add_argument("--pyjaspar-wheel", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rows, dpath, spath = extract_dhs(a.dnadiffusion_wheel, a.out)
    reward, eval_set, nr, mpath, npath = extract_motifs(a.pyjaspar_wheel, a.out)

    report = [f"dnadiffusion wheel: {os.path.basename(a.dnadiffusion_wheel)} md5 {md5(a.dnadiffusion_wheel)}",
              f"pyjaspar wheel: {os.path.basename(a.pyjaspar_wheel)} md5 {md5(a.pyjaspar_wheel)}",
              f"sequences: {len(rows)} (expected {EXPECTED_ROWS})"]
    for split in ("training", "validation", "test"):
        sub = [r for r in rows if r[4] == split]
        chroms = sorted({r[1] for r in sub}, key=lambda c: (len(c), c))
        shown = ",".join(chroms) if len(chroms) <= 3 else f"{len(chroms)} chromosomes"
        report.append(f"  split {split}: {len(sub)} ({shown})")
    for cell, _ in CELL_COLS:
        report.append(f"  cell type {cell}: {sum(1 for r in rows if r[5] == cell)}")
    report.append(f"  HepG2 on chr1+chr2 (held out): "
                  f"{sum(1 for r in rows if r[5] == 'HepG2' and r[1] in ('chr1', 'chr2'))}")
    report.append(f"reward motifs (JASPAR2024): {', '.join(m['id'] + ' ' + m['name'] for m in reward)}")
    report.append(f"eval motifs (JASPAR2022): {', '.join(m['id'] + ' ' + m['name'] for m in eval_set)}")
    report.append(f"JASPAR2022 CORE non-redundant (latest version per base id): {len(nr)} "
                  f"(expected {EXPECTED_NR_2022})")
    for p in (dpath, spath, mpath, npath):
        report.append(f"md5 {md5(p)}  {os.path.basename(p)}  ({os.path.getsize(p)} bytes)")
    text = "\n".join(report) + "\n"
    with open(os.path.join(a.out, "MANIFEST.txt"), "w") as f:
        f.write(text)
    print(text, end="")
    if len(rows) != EXPECTED_ROWS or len(nr) != EXPECTED_NR_2022:
        sys.exit("count mismatch against the brief")


if __name__ == "__main__":
    main()
