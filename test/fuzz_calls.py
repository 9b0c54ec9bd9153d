#!/usr/bin/env python3
"""Calls every function of schema thelook with random arguments drawn per type, as a superuser and
as a plain role, and reports how each call ended.

Usage: fuzz_calls.py --host DIR --port N --tmp DIR [--calls N] [--seed N] [--budget SECONDS]

The function list comes from pg_proc (argument types, names, defaults), so a function added later
is fuzzed without a change here. Every rejected call must carry a SQLSTATE other than XX000
(internal error); a connection that breaks (a backend that died) is a failure too. Prints a
summary per function and the offenders; exits 1 when there is any.
"""
import argparse
import collections
import json
import random
import sys
import time

import psycopg2
import psycopg2.extensions

# Text values that reach deeper code for a parameter of this name (besides the generic ones).
KNOWN = {
    "id_format": ["uuid4", "uuid7", "integer", "UUID4", "serial", ""],
    "on_resume": ["skip", "catch_up", "resume", ""],
    "kind": ["spike", "slump", "outage", "checkout_failure", "recovery", "supply_shortage", "meteor"],
    "format": ["csv", "jsonl", "json", "parquet", ""],
    "partition_by": ["date", "none", "hour", "batch", ""],
    "replica_identity": ["default", "full", "nothing", "index"],
    "snapshot_mode": ["initial", "never", "always", "no_data"],
    "change": ["orders.loyalty_points", "users.middle_name", "orders.drop", "x.y", ""],
    "table_name": ["users", "orders", "order_items", "events", "heartbeat", "incidents", "pg_class", ""],
    "country": ["*", "United States", "Narnia", '{"United States": 1, "Japan": 2}', '{"Japan": -1}', "{}"],
    "state": ["*", "California", "Nowhere", '{"California": 1}'],
    "postal_code": ["*", "94110", "Z-999"],
    "topic_prefix": ["ecomm", "", "a.b", "x" * 300],
    "publication": ["thelook_pub", "p2", ""],
    "name": ["sim-a", "sim-b", "", "x" * 200],
}

ODD_TEXT = [
    "", " ", "*", "null", "NULL", "true", "0", "-1", "1e309", "NaN",
    "'; SELECT pg_sleep(10); --", '"quoted"', "a\tb\nc", "\u00e9\u00e8\u4e2d\u6587\U0001F600",
    "x" * 5000, "demo.users", "../../etc/passwd", "%s%s%s%n",
]

SCENARIO_NAMES = ["reference", "black_friday", "weekend", "demo", "nonexistent", "REFERENCE"]


def deep(n, open_, close):
    return open_ * n + close * n


def scenario_docs(rng):
    """Valid scenario documents with values out of range, and malformed JSON."""
    docs = [
        "{", "[1, 2", "{\"traffic\": ", "not json", "{}", "[]", "null", "1", "\"string\"",
        deep(100000, "[", "]"), "{\"a\": " * 3000 + "1" + "}" * 3000,
        "{\"traffic\": " + deep(20000, "[", "]") + "}",
        "{\"traffic\": {\"weekly\": [1, 1, 1, 1, 1, 1]}}",
        "{\"traffic\": {\"weekly\": [-1, 1, 1, 1, 1, 1, 1]}}",
        "{\"traffic\": {\"weekly\": [1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308]}}",
        "{\"traffic\": {\"hourly\": [" + ", ".join(["0"] * 24) + "]}}",
        "{\"traffic\": {\"hourly\": [" + ", ".join(["1e-320"] * 24) + "]}}",
        "{\"traffic\": {\"timezone\": \"Mars/Olympus\"}}",
        "{\"incidents\": [{\"kind\": \"spike\", \"magnitude\": 1e308, \"every\": \"1 second\"}]}",
        "{\"incidents\": [{\"kind\": \"outage\", \"every\": \"-1 hour\", \"duration\": \"0\"}]}",
        "{\"incidents\": [{\"kind\": \"slump\", \"magnitude\": -5}]}",
        "{\"incidents\": {\"kind\": \"spike\"}}",
        "{\"shoppers\": {\"sessions_per_day\": -3}}",
        "{\"shoppers\": {\"return_probability\": 2}}",
        "{\"faults\": {\"bad_records\": {\"rate\": 1.5}}}",
        "{\"faults\": {\"bad_records\": {\"rate\": 0.5, \"tables\": {\"users\": -1}}}}",
        "{\"faults\": {\"late_events\": {\"share\": 0.1, \"median\": \"-10 minutes\"}}}",
        "{\"faults\": {\"duplicate_events\": {\"share\": 1e300}}}",
        "{\"faults\": {\"cdc\": {\"account_deletions_per_hour\": 1e12}}}",
        "{\"inventory\": {\"initial_min\": 100, \"initial_max\": 1}}",
        "{\"inventory\": {\"restock_days\": -1}}",
        "{\"campaigns\": [{\"start\": \"not a time\"}]}",
        "{\"extends\": \"reference\", \"traffic\": {\"avg_qps\": 1e308}}",
        "{\"extends\": \"nonexistent\"}",
        "{\"extends\": \"reference\", \"extends2\": 1}",
    ]
    # A random valid-looking document with random numbers in random places.
    for _ in range(3):
        docs.append(json.dumps({
            "traffic": {"weekly": [rng.choice([0, 1, -1, 1e308, 0.5]) for _ in range(7)]},
            "incidents": [{"kind": rng.choice(KNOWN["kind"]), "magnitude": rng.choice([0, 2, -1, 1e9]),
                           "duration": rng.choice(["10 minutes", "0", "-1 day", "1000 years"])}],
        }))
    return docs


class Values:
    def __init__(self, rng, tmp):
        self.rng = rng
        self.tmp = tmp
        self.docs = scenario_docs(rng)
        self.dirs = [tmp + "/feeds", tmp + "/feeds/a/b/c", tmp + "/with space", tmp + "/../" +
                     tmp.rstrip("/").split("/")[-1] + "/up", tmp + "/" + "d" * 300, tmp + "/feeds\nx", "", "rel"]

    def pick(self, typ, argname):
        r = self.rng
        if r.random() < 0.12:
            return None
        if typ in ("integer", "bigint"):
            lim = 2**31 - 1 if typ == "integer" else 2**63 - 1
            return r.choice([0, 1, -1, 2, 7, 10, 100, 1000, lim, -lim - 1, r.randint(-50, 50), r.randint(0, 10**6)])
        if typ == "double precision":
            return r.choice([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 20.0, 1e-320, 1e6, 1e308, -1e308, "NaN", "Infinity",
                             "-Infinity", r.uniform(-10, 100)])
        if typ == "boolean":
            return r.choice([True, False])
        if typ == "interval":
            return r.choice(["0", "1 microsecond", "1 second", "10 minutes", "-1 hour", "1 day", "100 years",
                             "178000000 years", "-178000000 years", "1 month -30 days"])
        if typ.startswith("timestamp"):
            return r.choice(["now", "epoch", "infinity", "-infinity", "2020-01-01", "1900-01-01", "4713-11-24 BC",
                             "294276-12-31", "2100-01-01", "2024-02-29 23:59:59.999999"])
        if typ == "name":
            return r.choice(["demo", "demo", "fz", "nosuch", "pg_catalog", "thelook", "public", "Weird Schema",
                             "x" * 70, "", "pg_temp"])
        if typ == "text[]":
            return r.choice(["{}", "{users}", "{users,orders,order_items,events}", "{bogus}", "{NULL}",
                             "{users,users}", "{" + ",".join(["events"] * 1000) + "}"])
        if typ == "text":
            if argname == "directory":
                return r.choice(self.dirs)
            if argname == "scenario" and r.random() < 0.7:
                return r.choice(self.docs + SCENARIO_NAMES)
            if argname in KNOWN and r.random() < 0.6:
                return r.choice(KNOWN[argname])
            return r.choice(ODD_TEXT + self.docs[:3] + SCENARIO_NAMES[:2])
        return None


    def good(self, typ, argname):
        """A value the function accepts, so that a call gets past this argument to the mutated ones."""
        r = self.rng
        if argname == "id":
            return r.randint(1, 6)
        if argname in ("schema",):
            return r.choice(["demo", "fz"])
        if argname == "directory":
            return self.dirs[0]
        if typ in ("integer", "bigint"):
            return r.choice([1, 2, 5, 10, 50])
        if typ == "double precision":
            return r.choice([0.1, 0.5, 1.0, 5.0, 20.0])
        if typ == "boolean":
            return r.choice([True, False])
        if typ == "interval":
            return r.choice(["1 minute", "10 minutes", "1 hour"])
        if typ.startswith("timestamp"):
            return r.choice(["now", "2024-01-01", "2024-01-02"])
        if typ == "name":
            return r.choice(["demo", "fz", "sim-a"])
        if typ == "text[]":
            return r.choice(["{users}", "{orders,events}"])
        if typ == "text":
            if argname in KNOWN:
                return KNOWN[argname][0]
            return r.choice(["reference", "*"])
        return None


def load_functions(cur):
    cur.execute("""
        SELECT p.proname, p.prokind, p.proretset, p.pronargs, p.pronargdefaults,
               coalesce((SELECT array_agg(format_type(t, NULL) ORDER BY o)
                         FROM unnest(p.proargtypes) WITH ORDINALITY u(t, o)), '{}'),
               p.proargnames, p.proargmodes, p.prorettype = 'trigger'::regtype
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'thelook' ORDER BY p.oid""")
    out = []
    for name, kind, retset, nargs, ndefaults, types, names, modes, trigger in cur.fetchall():
        if modes is not None:
            names = [n for n, m in zip(names, modes) if m in ("i", "b", "v")]
        names = list(names or [])[:nargs] if names else [""] * nargs
        out.append(dict(name=name, kind=kind, retset=retset, nargs=nargs, ndefaults=ndefaults,
                        types=list(types), names=names, trigger=trigger))
    return out


def build_call(fn, values, rng):
    """SQL and parameters for one call: positional, or named with a random subset of defaults.
    Half of the calls mutate one to three arguments and give the others accepted values, so that
    they get past the first check; the other half draw every argument at random."""
    required = fn["nargs"] - fn["ndefaults"]
    named = all(fn["names"]) and fn["nargs"] > 0 and rng.random() < 0.5
    focused = rng.random() < 0.5
    mutated = set(rng.sample(range(fn["nargs"]), min(fn["nargs"], rng.randint(1, 3)))) if focused else None

    def value(i, typ, argname):
        if mutated is not None and i not in mutated:
            return values.good(typ, argname)
        return values.pick(typ, argname)

    parts, params = [], []
    if named:
        for i, (typ, argname) in enumerate(zip(fn["types"], fn["names"])):
            if i >= required and (i not in mutated if mutated is not None else rng.random() < 0.5):
                continue
            parts.append('"%s" => %%s::%s' % (argname, typ))
            params.append(value(i, typ, argname))
    else:
        k = rng.randint(required, fn["nargs"])
        for i, (typ, argname) in enumerate(list(zip(fn["types"], fn["names"]))[:k]):
            parts.append("%%s::%s" % typ)
            params.append(value(i, typ, argname))
    call = 'thelook."%s"(%s)' % (fn["name"], ", ".join(parts))
    if fn["kind"] == "p":
        return "CALL " + call, params
    if fn["retset"] and rng.random() < 0.8:
        return "SELECT count(*) FROM " + call, params
    return "SELECT " + call + "::text", params


def connect(args, user):
    conn = psycopg2.connect(host=args.host, port=args.port, dbname="postgres", user=user,
                            application_name="fuzz " + user)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET statement_timeout = '%dms'" % args.timeout_ms)
        cur.execute("SET lock_timeout = '1s'")
        cur.execute("SET client_min_messages = warning")
    return conn


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--calls", type=int, default=2500, help="per role")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--budget", type=float, default=150.0, help="seconds per role, at most")
    ap.add_argument("--timeout-ms", type=int, default=700)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    values = Values(rng, args.tmp)

    offenders, died = [], []
    stats = collections.defaultdict(collections.Counter)
    no_hint = collections.Counter()
    total = 0
    for user in ("postgres", "fuzzer"):
        conn = connect(args, user)
        with conn.cursor() as cur:
            functions = load_functions(cur)
        started = time.monotonic()
        n = 0
        while n < args.calls and time.monotonic() - started < args.budget:
            n += 1
            fn = rng.choice(functions)
            sql, params = build_call(fn, values, rng)
            in_tx = rng.random() < 0.1 and fn["kind"] != "p"
            key = "%s (%s)" % (fn["name"], user)
            try:
                with conn.cursor() as cur:
                    if in_tx:
                        cur.execute("BEGIN")
                    cur.execute(sql, params)
                    cur.fetchall() if cur.description else None
                    if in_tx:
                        cur.execute("ROLLBACK")
                stats[key]["ok"] += 1
            except psycopg2.Error as e:
                code = e.pgcode
                if code is None or conn.closed:
                    died.append((key, sql, params, str(e).strip()))
                    stats[key]["connection lost"] += 1
                    try:
                        conn.close()
                    except Exception:
                        pass
                    time.sleep(1)
                    conn = connect(args, user)
                    continue
                stats[key][code] += 1
                if code.startswith("XX"):
                    offenders.append((key, code, sql, params, e.pgerror.strip() if e.pgerror else ""))
                elif code in ("22023", "22004", "42501", "42P01", "55000", "3F000", "42704") and \
                        e.diag.message_hint is None:
                    no_hint[(fn["name"], code, (e.diag.message_primary or "")[:100])] += 1
                if conn.get_transaction_status() != psycopg2.extensions.TRANSACTION_STATUS_IDLE:
                    with conn.cursor() as cur:
                        cur.execute("ROLLBACK")
        total += n
        print("# %s: %d calls in %.0f s" % (user, n, time.monotonic() - started))
        conn.close()

    print("# calls per function and how they ended")
    for key in sorted(stats):
        print("#   %-40s %s" % (key, ", ".join("%s %d" % kv for kv in sorted(stats[key].items()))))
    if no_hint:
        print("# user errors without a hint (reported, not failed):")
        for (fn, code, msg), n in sorted(no_hint.items()):
            print("#   %s %s x%d: %s" % (fn, code, n, msg))
    for key, code, sql, params, msg in offenders:
        short = [p if not isinstance(p, str) or len(p) < 120 else p[:60] + "...(%d chars)" % len(p) for p in params]
        print("OFFENDER %s %s: %s %r\n    %s" % (key, code, sql[:200], short, msg.replace("\n", "\n    ")))
    for key, sql, params, msg in died:
        short = [p if not isinstance(p, str) or len(p) < 120 else p[:60] + "...(%d chars)" % len(p) for p in params]
        print("SESSION DIED %s: %s %r\n    %s" % (key, sql[:200], short, msg))
    print("# %d calls, %d with an XX SQLSTATE, %d sessions lost" % (total, len(offenders), len(died)))
    sys.exit(1 if offenders or died else 0)


if __name__ == "__main__":
    main()
