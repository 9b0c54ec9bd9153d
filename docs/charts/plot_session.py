#!/usr/bin/env python3
"""Draws the default shopper matrix (read from the C++ source, its one definition) and one visit's
path through it: plot_session.py SHOPPER_SECTION_CPP OUT.png < "event_type uri" lines."""
import json
import re
import subprocess
import sys

source, out = sys.argv[1], sys.argv[2]
text = open(source, encoding="utf-8").read()
matrix = json.loads(re.search(r'kDefaultMatrix = R"\((.*?)\)"', text, re.S).group(1))
pages = [line.split(" ", 1) for line in sys.stdin.read().strip().split("\n")]
path = ["start"]
for kind, _uri in pages:
    if not (kind == "purchase" and path[-1] == "purchase"):  # one purchase event per item
        path.append(kind)
if path[-1] != "purchase":
    path.append("exit")
steps = {}
for i, (a, b) in enumerate(zip(path, path[1:]), 1):
    steps.setdefault((a, b), []).append(str(i))

lines = ['digraph session {', '  graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.35, ranksep=0.6, pad=0.2,',
         f'         label="One visit of the default matrix ({len(pages)} events): the red steps in order; grey: the other transitions",',
         '         labelloc=b];',
         '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", color="#4a6fa5", fontname="Helvetica", fontsize=10];',
         '  edge [fontname="Helvetica", fontsize=8];',
         '  start [shape=circle, label="start", fillcolor="#ffffff"]; exit [shape=doublecircle, label="exit", fillcolor="#ffffff"];',
         '  purchase [fillcolor="#e8f5e9", color="#2e7d32"];']
for src, row in matrix.items():
    for dst, p in row.items():
        if (src, dst) in steps:
            lines.append(f'  "{src}" -> "{dst}" [color="#c0392b", penwidth=2.2, fontcolor="#c0392b", '
                         f'label="{",".join(steps[(src, dst)])}: {p:g}"];')
        else:
            lines.append(f'  "{src}" -> "{dst}" [color="#bbbbbb", fontcolor="#999999", label="{p:g}"];')
lines.append("}")
subprocess.run(["dot", "-Tpng", "-Gdpi=110", "-o", out], input="\n".join(lines), text=True, check=True)
print(" -> ".join(path))
