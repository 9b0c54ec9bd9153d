#!/usr/bin/env python3
"""Share of sessions reaching each funnel step, per matrix, with the conversion annotated."""
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

rows = [l.rstrip("\n").split("|") for l in open(sys.argv[1]) if l.strip()]
steps = ["session", "product page", "cart", "checkout", "purchase"]
fig, ax = plt.subplots(figsize=(9, 4.2), dpi=110)
width = 0.8 / len(rows)
for k, row in enumerate(rows):
    name, counts = row[0], [int(x) for x in row[1:]]
    shares = [100.0 * c / counts[0] for c in counts]
    xs = [i + (k - (len(rows) - 1) / 2) * width for i in range(len(steps))]
    bars = ax.bar(xs, shares, width=width, label=f"{name} ({counts[0]:,} sessions)")
    for x, s in zip(xs, shares):
        ax.text(x, s + 1, f"{s:.1f}" if s < 10 else f"{s:.0f}", ha="center", fontsize=7)
ax.set_xticks(range(len(steps)))
ax.set_xticklabels(steps)
ax.set_ylabel("% of sessions reaching the step")
ax.set_ylim(0, 110)
ax.set_title("Shopper funnels of the built-in matrices (two back-filled days each)")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(sys.argv[2])
