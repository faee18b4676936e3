"""Figure for docs/sequences.md's protein section from `seq design-eval --json` outputs.

    python scripts/protein_figure.py runs/prot/test_n8_s0.json runs/prot/sweep_s50.json \
        runs/prot/bo4_mj.json docs/figures/protein_design.png

Needs matplotlib (side environment; not run by CI). Left: per-backbone recovery and ProteinMPNN
score (v_48_002) of the designs against the natives on the 15 test backbones. Right: eval-oracle
(`bt`) vs fine-tuning (`mj`) reward per backbone for the plain sampler and best-of-4 on `mj`,
with the natives.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

test, plain, best, out = sys.argv[1:5]
t = json.load(open(test))["backbones"]
fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
names = [r["name"] for r in t]
x = range(len(t))
a.bar([i - 0.2 for i in x], [r["recovery"] for r in t], width=0.4, label="recovery (designs)")
a.set_ylabel("native-sequence recovery")
a.set_xticks(list(x), names, rotation=70, fontsize=7)
a2 = a.twinx()
a2.plot(list(x), [r["score"] for r in t], "o", color="C1", label="score, designs")
a2.plot(list(x), [r["native_score"] for r in t], "x", color="C3", label="score, native")
a2.set_ylabel("ProteinMPNN score under v_48_002 (nats/res)")
a.set_title("15 test backbones, 8 designs each (50 steps, τ = 0.1)")
h1, l1 = a.get_legend_handles_labels()
h2, l2 = a2.get_legend_handles_labels()
a.legend(h1 + h2, l1 + l2, fontsize=7, loc="lower left")
P = json.load(open(plain))["backbones"]
Q = {r["name"]: r for r in json.load(open(best))["backbones"]}
for k, r in enumerate(P):
    q = Q[r["name"]]
    pts = [(r["energies"][0]["native"], r["energies"][1]["native"]),
           (r["energies"][0]["median"], r["energies"][1]["median"]),
           (q["energies"][0]["median"], q["energies"][1]["median"])]
    c = f"C{k}"
    b.plot([p[0] for p in pts], [p[1] for p in pts], "-", color=c, lw=0.8, alpha=0.6)
    for (px, py), m in zip(pts, ["x", "o", "s"]):
        b.scatter([px], [py], marker=m, color=c)
    b.annotate(r["name"], pts[0], fontsize=8, xytext=(4, -10), textcoords="offset points")
for m, lab in [("x", "native"), ("o", "pretrained ProteinMPNN"), ("s", "best-of-4 on mj")]:
    b.scatter([], [], marker=m, color="gray", label=lab)
b.set_xlabel("mj reward (fine-tuning reward), median of 8")
b.set_ylabel("bt reward (evaluation oracle), median of 8")
b.set_title("3 test backbones: selection on mj, judged by bt")
b.legend(fontsize=7)
fig.tight_layout()
fig.savefig(out, dpi=120)
print("wrote", out)
