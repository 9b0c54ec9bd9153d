"""Plots docs/img/inventory.png from the files docs/charts/inventory.sh writes: stock levels of the
most popular products (top panel) and lost sales per simulated hour (bottom), supply problem shaded."""
import sys
from collections import defaultdict
from datetime import datetime

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.dates as mdates

levels_file, lost_file, incidents_file, category, out = sys.argv[1:6]

series = defaultdict(lambda: ([], []))
labels = {}
for line in open(levels_file):
    t, pid, cat, level = line.rstrip("\n").split("|")
    xs, ys = series[pid]
    xs.append(datetime.fromisoformat(t))
    ys.append(int(level))
    labels[pid] = f"product {pid} ({cat})"

hours, lost_target, lost_other = [], [], []
for line in open(lost_file):
    h, a, b = line.rstrip("\n").split("|")
    hours.append(datetime.fromisoformat(h))
    lost_target.append(int(a))
    lost_other.append(int(b))

windows = []
for line in open(incidents_file):
    if line.strip():
        s, e, _ = line.rstrip("\n").split("|")
        windows.append((datetime.fromisoformat(s), datetime.fromisoformat(e)))

fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
for pid, (xs, ys) in series.items():
    top.step(xs, ys, where="post", label=labels[pid], linewidth=1.4)
top.set_ylabel("items in stock")
top.set_title("Stock of the four most popular products and lost sales (2 simulated days at 1440x)")
top.legend(loc="upper right", fontsize=8)
width = 1 / 24 * 0.9
bottom.bar(hours, lost_other, width=width, align="edge", label="other categories", color="#999999")
bottom.bar(hours, lost_target, width=width, align="edge", bottom=lost_other, label=category, color="#d62728")
bottom.set_ylabel("lost sales per hour")
bottom.legend(loc="upper right", fontsize=8)
for ax in (top, bottom):
    for s, e in windows:
        ax.axvspan(s, e, color="#ff9900", alpha=0.15, label=None)
if windows:
    top.text(windows[0][0], top.get_ylim()[1] * 0.92, f" supply problem: {category}", fontsize=8, color="#aa5500")
bottom.xaxis.set_major_formatter(mdates.DateFormatter("%a %H:%M"))
fig.tight_layout()
fig.savefig(out, dpi=110)
