#!/usr/bin/python3
"""The logical-decoding consumer of test/t_cdc_faults.sh: streams a pgoutput slot (psycopg2's
LogicalReplicationConnection, as Debezium receives it) until the logical message 'thelook_cdc_end',
replays it (inserts add ids, deletes remove them, key-changing updates rename them, truncates clear
tables) and checks it against the tables and the ground truth in injected_faults: the deletes, the
primary-key updates, the unchanged-TOAST placeholder, the large transaction whole, the schema
change (a new RELATION message) and the counts after all of them.

Usage: cdc_faults_consumer.py DSN SLOT PUBLICATION SCHEMA
"""
import sys
import time
from collections import Counter, defaultdict

import psycopg2
import psycopg2.extras

sys.path.insert(0, __import__("os").path.dirname(__file__))
from cdc_consumer import END_PREFIX, UNCHANGED, Checks, stream  # noqa: E402

TABLES = ["users", "orders", "order_items", "events"]


def main():
    dsn, slot, publication, schema = sys.argv[1:5]
    checks = Checks()
    plain = psycopg2.connect(dsn)
    plain.autocommit = True
    qc = plain.cursor()
    ident = lambda t: "%s.%s" % (psycopg2.extensions.quote_ident(schema, qc), psycopg2.extensions.quote_ident(t, qc))
    # The replay starts from the rows that existed before the slot (saved by the test).
    live = defaultdict(set)
    qc.execute("SELECT tbl, id FROM public.cdc_pre_ids")
    for tbl, id_ in qc.fetchall():
        live[tbl].add(id_)

    conn = psycopg2.connect(dsn, connection_factory=psycopg2.extras.LogicalReplicationConnection)
    cur = conn.cursor()
    cur.start_replication(slot_name=slot, decode=False,
                          options={"proto_version": "1", "publication_names": publication, "messages": "true"})
    relations = {}
    relation_messages = defaultdict(list)  # table -> [column lists], in stream order
    deletes = set()                        # (table, id)
    rekeys = set()                         # (old id, new id) of events
    other_event_updates = 0
    user_updates = user_updates_unchanged = 0
    inserts_after_change = Counter()       # orders inserted once the stream announced loyalty_points
    loyalty_values = Counter()
    truncated = []
    tx_xid, tx_rows = None, Counter()
    tx_by_xid = {}
    saw_end = False
    deadline = time.monotonic() + 120
    for msg, r, kind in stream(cur, deadline):
        if kind == "B":
            r.int64(); r.int64()
            tx_xid, tx_rows = r.int32() & 0xFFFFFFFF, Counter()
        elif kind == "C":
            tx_by_xid[tx_xid] = tx_rows
            cur.send_feedback(flush_lsn=msg.data_start)
            if saw_end:
                break
        elif kind == "R":
            relid, _, rel, cols = r.relation()
            relations[relid] = (rel, cols)
            relation_messages[rel].append(cols)
        elif kind == "M":
            r.int8(); r.int64()
            saw_end = saw_end or r.string() == END_PREFIX
        elif kind == "T":
            n = r.int32()
            r.int8()
            for _ in range(n):
                table = relations[r.int32()][0]
                truncated.append(table)
                live[table].clear()
        elif kind in ("I", "U", "D"):
            table, cols = relations[r.int32()]
            tx_rows[(table, kind)] += 1
            if kind == "I":
                r.byte()
                row = dict(zip(cols, r.tuple()))
                live[table].add(row["id"])
                if table == "orders" and "loyalty_points" in cols:
                    inserts_after_change["orders"] += 1
                    loyalty_values[row["loyalty_points"]] += 1
            elif kind == "U":
                marker = r.byte()
                old = None
                if marker in ("K", "O"):
                    old = dict(zip(cols, r.tuple()))
                    marker = r.byte()
                new = dict(zip(cols, r.tuple()))
                if old is not None and old["id"] != new["id"]:
                    live[table].discard(old["id"])
                    live[table].add(new["id"])
                    if table == "events":
                        rekeys.add((old["id"], new["id"]))
                elif table == "events":
                    other_event_updates += 1
                if table == "users":
                    user_updates += 1
                    user_updates_unchanged += new.get("profile") is UNCHANGED
            else:
                r.byte()  # 'K' (the key) or 'O' (the whole row)
                old = dict(zip(cols, r.tuple()))
                deletes.add((table, old["id"]))
                live[table].discard(old["id"])
    conn.close()
    checks.check("the stream reached the end marker", saw_end)

    def truth(sql):
        qc.execute(sql.replace("%T", ident("injected_faults")))
        return qc.fetchall()

    listed = {(t, i) for t, i in truth("SELECT table_name, row_id FROM %T WHERE kind IN ('account_deleted', 'session_purged')")}
    kinds = Counter(dict(truth("SELECT kind, count(*) FROM %T GROUP BY kind")))
    print("# ground truth: " + ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
    print("# stream: %d deletes, %d re-keyed events, %d user updates (%d with profile unchanged), truncates of %s"
          % (len(deletes), len(rekeys), user_updates, user_updates_unchanged, truncated))
    checks.check("some accounts deleted and anonymous events purged (%d, %d rows)"
                 % (kinds["account_deleted"], kinds["session_purged"]),
                 kinds["account_deleted"] > 0 and kinds["session_purged"] > 0)
    checks.check("DELETE messages = the rows listed as account_deleted or session_purged (%d)" % len(listed),
                 deletes == listed, "%d deletes not listed, %d listed not deleted" % (len(deletes - listed), len(listed - deletes)))
    for table in TABLES:
        deleted = sum(1 for t, _ in deletes if t == table)
        print("# %s: %d deleted" % (table, deleted))
    listed_rekeys = {(d[len("from "):], i) for i, d in truth("SELECT row_id, detail FROM %T WHERE kind = 'pk_update'")}
    checks.check("key-changing UPDATEs of events (old key sent, 'K') = the pk_update rows (%d)" % len(listed_rekeys),
                 rekeys == listed_rekeys and len(rekeys) > 0,
                 "%d in the stream only, %d listed only" % (len(rekeys - listed_rekeys), len(listed_rekeys - rekeys)))
    checks.eq("no other UPDATE of events", 0, other_event_updates)
    checks.check("every users UPDATE carries profile as unchanged TOAST ('u') (%d of %d)" % (user_updates_unchanged, user_updates),
                 user_updates > 0 and user_updates_unchanged == user_updates)
    # thelook.large_transaction() commits alone (simulation_id NULL): exactly its rows. The
    # scenario's batches share an iteration's transaction: at least theirs.
    big = truth("SELECT row_id, detail, simulation_id IS NULL FROM %T WHERE kind = 'large_transaction' ORDER BY id")
    checks.eq("large transactions recorded: one by the function, two by the scenario (every simulated hour of 2.4)",
              [True, False, False], sorted((alone for _, _, alone in big), reverse=True))
    for xid, detail, alone in big:
        n_orders, n_items = int(detail.split()[0]), int(detail.split()[2])
        rows = tx_by_xid.get(int(xid) & 0xFFFFFFFF, Counter())
        got_o, got_i = rows[("orders", "U")], rows[("order_items", "U")]
        whole = (got_o == n_orders and got_i == n_items) if alone else (got_o >= n_orders and got_i >= n_items)
        checks.check("the large transaction %s (%s, %s) arrives whole in one BEGIN/COMMIT: %d order and %d item updates"
                     % (xid, "the function's" if alone else "the scenario's", detail, got_o, got_i),
                     whole and n_orders >= 100, "got %s" % dict(rows))
    with_column = [c for c in relation_messages["orders"] if "loyalty_points" in c]
    checks.check("a RELATION message announces orders.loyalty_points (%d RELATION messages for orders)"
                 % len(relation_messages["orders"]), len(with_column) >= 1)
    checks.check("orders keep coming after the schema change (%d), with the default loyalty_points %s"
                 % (inserts_after_change["orders"], dict(loyalty_values)),
                 inserts_after_change["orders"] > 0 and set(loyalty_values) == {"0"})
    checks.check("a TRUNCATE message for events, listed in injected_faults",
                 truncated == ["events"] and kinds["truncate"] == 1, "truncated %s" % truncated)
    for table in TABLES:
        qc.execute("SELECT id::text FROM " + ident(table))
        now = {row[0] for row in qc.fetchall()}
        checks.check("%s: the replayed stream (inserts, deletes, re-keys, truncate) gives the table's rows (%d)"
                     % (table, len(now)), live[table] == now,
                     "%d missing, %d extra" % (len(now - live[table]), len(live[table] - now)))
    print("# %d checks, %d failed" % (checks.n, checks.failed))
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
