#!/usr/bin/env python3
"""Orders per simulated hour (bars) against the profile's expected arrivals (line), incidents shaded."""
import sys
from datetime import datetime

import matplotlib
matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt

hours_file, incidents_file, out = sys.argv[1:4]
hours = [l.rstrip("\n").split("|") for l in open(hours_file) if l.strip()]
t = [datetime.strptime(h[0], "%Y-%m-%dT%H") for h in hours]
observed = [float(h[1]) for h in hours]
expected = [float(h[2]) for h in hours]
colours = {"spike": "tab:green", "slump": "tab:blue", "outage": "tab:red", "recovery": "tab:orange",
           "checkout_failure": "tab:purple"}

fig, ax = plt.subplots(figsize=(12, 4.2), dpi=110)
ax.bar(t, observed, width=1 / 24, align="edge", color="0.65", label="orders per simulated hour")
ax.step(t + [t[-1]], expected + [expected[-1]], where="post", color="black", linewidth=1.2,
        label="expected: avg_qps x profile (no incidents)")
seen = set()
for line in open(incidents_file):
    if not line.strip():
        continue
    kind, magnitude, start, end = line.rstrip("\n").split("|")
    label = None if kind in seen else kind.replace("_", " ")
    seen.add(kind)
    ax.axvspan(datetime.fromisoformat(start), datetime.fromisoformat(end), color=colours.get(kind, "tab:gray"),
               alpha=0.3, label=label)
ax.xaxis.set_major_locator(mdates.DayLocator())
ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
ax.set_xlim(t[0], t[-1])
ax.set_ylabel("orders per hour")
ax.set_title("retail_incidents: a simulated week played at time_scale 1440 (one simulated day per minute)")
ax.legend(loc="upper left", fontsize=8, ncol=3)
fig.tight_layout()
fig.savefig(out)
