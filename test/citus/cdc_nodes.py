#!/usr/bin/python3
"""CDC from a Citus cluster: one pgoutput slot per node, each streamed over the replication protocol
(psycopg2's LogicalReplicationConnection, as Debezium reads each node), decoded with
test/cdc_consumer.py's Reader. Each node's stream is read up to the transactional logical message
'thelook_cdc_end' that the test emits on that node after the simulation finished.

Checks, over the union of the nodes' streams: the relations are named as the distributed tables
(SCHEMA.users, never a shard's users_102008); every inserted row of the simulation is seen exactly
once across the nodes; the inserts per table equal the simulation's counters (passed as
table=count); the updates reached the streams. Prints TAP lines; exits 1 if a check failed.

Usage: cdc_nodes.py SLOT PUBLICATION SCHEMA DSN[,DSN...] users=N orders=N order_items=N events=N
(THELOOK_NO_HEARTBEAT=1: the simulations wrote no heartbeat, as sharded ones do not.)
"""
import os
import sys
import time
from collections import Counter, defaultdict

import psycopg2
import psycopg2.extras

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cdc_consumer import END_PREFIX, Checks, stream  # noqa: E402


def read_node(dsn, slot, publication):
    """(relation names seen, inserted (table, id) list, update counts per table) of one node's stream."""
    conn = psycopg2.connect(dsn, connection_factory=psycopg2.extras.LogicalReplicationConnection)
    cur = conn.cursor()
    cur.start_replication(slot_name=slot, decode=False,
                          options={"proto_version": "1", "publication_names": publication, "messages": "true"})
    relations, names, inserted, updates = {}, set(), [], Counter()
    for msg, r, kind in stream(cur, time.monotonic() + 120):
        if kind == "R":
            relid, nsp, rel, cols = r.relation()
            relations[relid] = (nsp, rel, cols)
            names.add(nsp + "." + rel)
        elif kind in ("I", "U"):
            relid = r.int32()
            nsp, rel, cols = relations[relid]
            if kind == "U":
                sub = r.byte()
                if sub in ("K", "O"):
                    r.tuple()
                    sub = r.byte()
            else:
                r.byte()  # 'N'
            row = dict(zip(cols, r.tuple()))
            if kind == "I":
                inserted.append((nsp + "." + rel, row.get("id")))
            else:
                updates[nsp + "." + rel] += 1
        elif kind == "M":
            r.int8()
            r.int64()
            if r.string() == END_PREFIX:
                cur.send_feedback(flush_lsn=msg.data_start)
                break
    conn.close()
    return names, inserted, updates


def main():
    slot, publication, schema, dsns = sys.argv[1:5]
    expected = dict(a.split("=") for a in sys.argv[5:])
    checks = Checks()
    names, inserted, updates, per_node = set(), [], Counter(), []
    for dsn in dsns.split(","):
        n, i, u = read_node(dsn, slot, publication)
        names |= n
        inserted += i
        updates += u
        per_node.append(len(i))
    mine = {schema + "." + t for t in expected}
    print("# inserts per node: %s; relations: %s" % (per_node, ", ".join(sorted(names))))
    # Other schemas may stream too (the coordinator's thelook.simulation_runs): no relation of any
    # schema may be a shard, and the schema's are exactly the tables the simulation wrote.
    shards = [n for n in names if n.rsplit("_", 1)[-1].isdigit()]
    checks.eq("no relation in the streams is named as a shard", [], shards)
    # A simulation's heartbeat streams too, unless heartbeat=0 says it wrote none (sharded ones).
    heartbeat = set() if os.environ.get("THELOOK_NO_HEARTBEAT") else {schema + ".heartbeat"}
    checks.eq("the relations of %s in the streams are its tables" % schema,
              sorted(mine | heartbeat), sorted(n for n in names if n.split(".", 1)[0] == schema))
    counts = Counter(inserted)
    dup = [k for k, c in counts.items() if c > 1 and k[0] in mine]
    checks.eq("no inserted row is seen twice across the nodes", [], dup[:5])
    per_table = Counter(t for t, _ in inserted)
    for t, n in expected.items():
        checks.eq("%s.%s: the inserts across the nodes equal the simulation's count" % (schema, t),
                  int(n), per_table[schema + "." + t])
    checks.check("the workers' streams both carry inserts", sum(1 for n in per_node[1:] if n > 0) == len(per_node) - 1,
                 str(per_node))
    checks.check("order updates reached the streams", updates[schema + ".orders"] > 0, str(dict(updates)))
    print("# %d checks, %d failed" % (checks.n, checks.failed))
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
