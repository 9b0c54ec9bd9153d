#!/usr/bin/python3
"""A logical-replication consumer for test/t_cdc.sh: streams a pgoutput slot over the streaming
replication protocol (psycopg2's LogicalReplicationConnection, the protocol Debezium speaks),
decodes pgoutput's binary messages itself and checks what a CDC consumer relies on.

It reads until the transactional logical message with prefix 'thelook_cdc_end' (emitted by the
test after the simulation finished), then compares the stream with the tables and with the
simulation's counters. Prints TAP-style "ok"/"not ok" lines; exits 1 if a check failed.

Usage: cdc_consumer.py DSN SLOT PUBLICATION SCHEMA SIMULATION_ID [COUNTS_OUT]
"""
import json
import select
import struct
import sys
import time
from collections import Counter, defaultdict

import psycopg2
import psycopg2.extras

END_PREFIX = "thelook_cdc_end"
TABLES = ["users", "orders", "order_items", "events", "products", "dist_centers", "heartbeat"]


class Reader:
    """Cursor over one pgoutput message (protocol version 1, text tuple format)."""

    def __init__(self, data):
        self.b = data
        self.i = 0

    def byte(self):
        v = self.b[self.i:self.i + 1].decode()
        self.i += 1
        return v

    def int8(self):
        v = self.b[self.i]
        self.i += 1
        return v

    def int16(self):
        v = struct.unpack_from("!h", self.b, self.i)[0]
        self.i += 2
        return v

    def int32(self):
        v = struct.unpack_from("!i", self.b, self.i)[0]
        self.i += 4
        return v

    def int64(self):
        v = struct.unpack_from("!q", self.b, self.i)[0]
        self.i += 8
        return v

    def string(self):
        end = self.b.index(b"\0", self.i)
        v = self.b[self.i:end].decode()
        self.i = end + 1
        return v

    def tuple(self):
        """TupleData: a list of values; None for NULL, the marker UNCHANGED for unchanged TOAST."""
        n = self.int16()
        values = []
        for _ in range(n):
            kind = self.byte()
            if kind == "n":
                values.append(None)
            elif kind == "u":
                values.append(UNCHANGED)
            elif kind == "t":
                length = self.int32()
                values.append(self.b[self.i:self.i + length].decode())
                self.i += length
            else:
                raise ValueError("unexpected tuple column kind %r" % kind)
        return values


    def relation(self):
        """A RELATION message's body after its kind: (relid, namespace, table, [column names])."""
        relid = self.int32()
        nsp, rel = self.string(), self.string()
        self.int8()
        cols = []
        for _ in range(self.int16()):
            self.int8()
            cols.append(self.string())
            self.int32(); self.int32()
        return relid, nsp, rel, cols


UNCHANGED = object()


def stream(cur, deadline):
    """Yields (message, reader, kind) from a replication cursor until time.monotonic() passes deadline."""
    while True:
        msg = cur.read_message()
        if msg is None:
            if time.monotonic() > deadline:
                print("# timed out waiting for the end message")
                return
            select.select([cur], [], [], 1.0)
            continue
        r = Reader(msg.payload)
        yield msg, r, r.byte()


def lsn_text(lsn):
    return "%X/%X" % (lsn >> 32, lsn & 0xFFFFFFFF)


class Checks:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, what, ok, detail=""):
        self.n += 1
        if ok:
            print("ok - " + what)
        else:
            self.failed += 1
            print("not ok - " + what + (" (" + detail + ")" if detail else ""))

    def eq(self, what, expected, actual):
        self.check(what, expected == actual, "expected %r, got %r" % (expected, actual))


def main():
    dsn, slot, publication, schema, sim_id = sys.argv[1:6]
    counts_out = sys.argv[6] if len(sys.argv) > 6 else None
    checks = Checks()

    # What was there before the slot existed (setup's rows) is not in the stream.
    plain = psycopg2.connect(dsn)
    plain.autocommit = True
    qc = plain.cursor()
    qc.execute("SELECT tbl, id FROM public.cdc_pre_ids")
    pre = defaultdict(set)
    for tbl, id_ in qc.fetchall():
        pre[tbl].add(id_)

    conn = psycopg2.connect(dsn, connection_factory=psycopg2.extras.LogicalReplicationConnection)
    cur = conn.cursor()
    cur.start_replication(slot_name=slot, decode=False,
                          options={"proto_version": "1", "publication_names": publication,
                                   "messages": "true"})

    relations = {}             # relid -> (schema, table, [column names])
    inserted = defaultdict(list)   # table -> ids in stream order
    updates = Counter()
    deletes = Counter()
    truncates = 0
    incomplete_old = Counter()  # updates without a full old tuple
    stale_old = Counter()       # updates whose old tuple differs from the row as last streamed
    state = {}                  # (table, id) -> last streamed row (dict)
    orders_seen = set()         # order ids inserted in this or an earlier transaction
    users_seen = set(pre["users"])
    items_seen = set()
    order_key = set()           # (user_id, created_at) of streamed orders
    item_problems, purchase_problems, exit_problems = [], [], []
    exit_count = [0]
    tx_rows = 0
    tx_sizes = []
    in_tx = False
    tx_events, tx_item_exits = [], {}
    rows_total = 0
    saw_end_message = False
    started = time.monotonic()
    deadline = started + 300

    def end_of_transaction():
        # Events are checked at commit: an event may reference rows written by the same
        # transaction in any order (the flush writes users, orders, items, then events).
        for ev in tx_events:
            if ev["event_type"] == "purchase" and ev["user_id"] is not None:
                if ev["user_id"] not in users_seen:
                    purchase_problems.append("purchase event %s: user %s unknown" % (ev["id"], ev["user_id"]))
                elif (ev["user_id"], ev["created_at"]) not in order_key:
                    purchase_problems.append("purchase event %s: no order of user %s at %s" %
                                             (ev["id"], ev["user_id"], ev["created_at"]))
            uri = ev["uri"] or ""
            for kind in ("cancel", "return"):
                prefix = "/%s/item/" % kind
                if uri.startswith(prefix):
                    exit_count[0] += 1
                    item = uri[len(prefix):]
                    if item not in items_seen:
                        exit_problems.append("%s event %s: item %s unknown" % (kind, ev["id"], item))
                    elif tx_item_exits.get(item) != ("Cancelled" if kind == "cancel" else "Returned"):
                        exit_problems.append("%s event %s: item %s did not move to %s in the same transaction" %
                                             (kind, ev["id"], item, kind))

    for msg, r, kind in stream(cur, deadline):
        if kind == "B":
            r.int64(); r.int64(); r.int32()
            in_tx, tx_rows, tx_events, tx_item_exits = True, 0, [], {}
        elif kind == "C":
            end_of_transaction()
            if tx_rows:
                tx_sizes.append(tx_rows)
            in_tx = False
            cur.send_feedback(flush_lsn=msg.data_start)
            if saw_end_message:
                break
        elif kind == "R":
            relid, nsp, rel, cols = r.relation()
            relations[relid] = (nsp, rel, cols)
        elif kind in ("Y", "O"):
            pass
        elif kind == "M":
            r.int8(); r.int64()
            if r.string() == END_PREFIX:
                saw_end_message = True
        elif kind == "T":
            truncates += 1
        elif kind in ("I", "U", "D"):
            relid = r.int32()
            nsp, table, cols = relations[relid]
            rows_total += 1
            tx_rows += 1
            if kind == "I":
                assert r.byte() == "N"
                row = dict(zip(cols, r.tuple()))
                inserted[table].append(row["id"])
                state[(table, row["id"])] = row
                if table == "orders":
                    orders_seen.add(row["id"])
                    order_key.add((row["user_id"], row["created_at"]))
                elif table == "order_items":
                    items_seen.add(row["id"])
                    if row["order_id"] not in orders_seen:
                        item_problems.append("item %s: order %s not inserted by then" % (row["id"], row["order_id"]))
                elif table == "users":
                    users_seen.add(row["id"])
                elif table == "events":
                    tx_events.append(row)
            elif kind == "U":
                updates[table] += 1
                marker = r.byte()
                old = None
                if marker in ("O", "K"):
                    old = r.tuple()
                    full = marker == "O" and len(old) == len(cols) and not any(v is UNCHANGED for v in old)
                    marker = r.byte()
                else:
                    full = False
                if not full:
                    incomplete_old[table] += 1
                assert marker == "N"
                new = dict(zip(cols, r.tuple()))
                key = (table, new["id"])
                if old is not None and key in state and dict(zip(cols, old)) != state[key]:
                    stale_old[table] += 1
                state[key] = new
                if table == "order_items":
                    tx_item_exits[new["id"]] = new["status"]
            else:
                deletes[table] += 1
        else:
            print("# unknown pgoutput message %r" % kind)
    elapsed = time.monotonic() - started
    exit_events = exit_count[0]
    conn.close()

    checks.check("the stream reached the end marker", saw_end_message)

    qc.execute("SELECT * FROM thelook.simulations WHERE id = %s", (int(sim_id),))
    sim = dict(zip([d[0] for d in qc.description], qc.fetchone()))

    for table in TABLES:
        qc.execute("SELECT id::text FROM %s.%s" % (psycopg2.extensions.quote_ident(schema, qc),
                                                   psycopg2.extensions.quote_ident(table, qc)))
        now_ids = {row[0] for row in qc.fetchall()}
        ids = inserted[table]
        dup = len(ids) - len(set(ids))
        checks.eq("%s: no row inserted twice in the stream" % table, 0, dup)
        streamed = set(ids)
        checks.check("%s: rows inserted in the stream + rows from before the slot = rows in the table (%d + %d = %d)"
                     % (table, len(streamed), len(pre[table]), len(now_ids)),
                     streamed.isdisjoint(pre[table]) and streamed | pre[table] == now_ids,
                     "%d missing from the stream, %d streamed but not in the table" %
                     (len(now_ids - streamed - pre[table]), len(streamed - now_ids)))
    for table, counter in (("users", "users"), ("orders", "orders"), ("order_items", "order_items"),
                           ("events", "events")):
        checks.eq("%s: INSERT messages = simulation's %s_inserted" % (table, counter),
                  sim[counter + "_inserted"], len(inserted[table]))
    for table, counter in (("users", "users_updated"), ("orders", "orders_updated"),
                           ("order_items", "order_items_updated"), ("heartbeat", "heartbeats")):
        checks.eq("%s: UPDATE messages = simulation's %s" % (table, counter), sim[counter], updates[table])
    checks.eq("events, products, dist_centers: no UPDATE messages", 0,
              updates["events"] + updates["products"] + updates["dist_centers"])
    checks.eq("no DELETE or TRUNCATE messages", 0, sum(deletes.values()) + truncates)
    checks.check("heartbeat updates appear (%d)" % updates["heartbeat"], updates["heartbeat"] >= 10)
    checks.eq("every UPDATE carries a full old tuple ('O', all columns)", 0, sum(incomplete_old.values()))
    checks.eq("old tuples equal the rows as last streamed", 0, sum(stale_old.values()))
    checks.check("every order_item insert follows (or shares a transaction with) its order's insert",
                 not item_problems, "; ".join(item_problems[:3]))
    checks.check("every purchase event's user exists by then and its order is in the stream",
                 not purchase_problems, "; ".join(purchase_problems[:3]))
    checks.check("every cancel/return event's item exists by then and moved in the same transaction",
                 not exit_problems, "; ".join(exit_problems[:3]))
    checks.eq("transactions in the stream = simulation's transactions (+1 end marker)",
              sim["transactions"] + 1, len(tx_sizes) + 1)
    checks.eq("largest transaction in the stream = simulation's max_rows_per_transaction",
              sim["max_rows_per_transaction"], max(tx_sizes) if tx_sizes else 0)

    print("# updates: users %d, orders %d, order_items %d, heartbeat %d; cancel/return events %d"
          % (updates["users"], updates["orders"], updates["order_items"], updates["heartbeat"], exit_events))
    print("# decoded %d rows in %d transactions in %.2f s: %.0f rows/s; largest transaction %d rows, "
          "mean %.1f rows" % (rows_total, len(tx_sizes), elapsed, rows_total / elapsed if elapsed else 0,
                               max(tx_sizes) if tx_sizes else 0, sum(tx_sizes) / max(len(tx_sizes), 1)))
    if counts_out:
        with open(counts_out, "w") as f:
            json.dump({"inserted": {t: len(inserted[t]) for t in TABLES},
                       "updated": {t: updates[t] for t in TABLES}}, f, sort_keys=True)
    print("# %d checks, %d failed" % (checks.n, checks.failed))
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
