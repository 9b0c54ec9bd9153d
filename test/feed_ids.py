#!/usr/bin/env python3
"""Checks a CSV file feed against its schema's tables, for feeds whose rows have no recorded
oracle (no audit trigger: a simulation writing directly): every id of each table in exactly one
file the manifest lists, none else; optionally the events (never updated) value for value.

  feed_ids.py DIR WORK [--events]
      WORK holds <table>.ids (COPY (SELECT id FROM s.<table>) TO STDOUT) for users, orders,
      order_items and events, and with --events events.csv (COPY s.events TO STDOUT CSV HEADER).
Exits 1, saying what differs, when a check fails.
"""
import collections
import csv
import json
import sys

root, work = sys.argv[1], sys.argv[2]
with_events = "--events" in sys.argv[3:]
ids = collections.defaultdict(collections.Counter)
events = collections.Counter()
for line in open(f"{root}/_manifest.jsonl"):
    m = json.loads(line)
    with open(f"{root}/{m['file']}", newline="") as f:
        rows = list(csv.reader(f))
    if len(rows) - 1 != m["rows"]:
        sys.exit(f"{m['file']}: {len(rows) - 1} records, the manifest says {m['rows']}")
    id_col = rows[0].index("id")
    for r in rows[1:]:
        ids[m["table_name"]][r[id_col]] += 1
        if m["table_name"] == "events":
            events[tuple(r)] += 1
ok = True
for t in ("users", "orders", "order_items", "events"):
    want = collections.Counter(open(f"{work}/{t}.ids").read().split())
    if ids[t] != want:
        ok = False
        print(f"{t}: {sum((ids[t] - want).values())} extra or repeated, {sum((want - ids[t]).values())} missing", file=sys.stderr)
if with_events:
    with open(f"{work}/events.csv", newline="") as f:
        table = collections.Counter(tuple(r) for r in list(csv.reader(f))[1:])
    if table != events:
        ok = False
        print(f"events differ: {sum((events - table).values())} not in the table, {sum((table - events).values())} not in files", file=sys.stderr)
sys.exit(0 if ok else 1)
