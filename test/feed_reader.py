#!/usr/bin/env python3
"""A file-feed reader for test/t_feeds.sh, written as a pipeline would read a feed: it follows
_manifest.jsonl, reads each listed file with Python's csv or json module, and checks what it read
against what the database says was inserted and damaged.

  feed_reader.py watch DIR SECONDS OUT      lists part-* files every few ms for SECONDS (as a
                                            directory-polling reader does) and writes the size at
                                            which it first saw each file to OUT (JSON)
  feed_reader.py check DIR EXPECTED TRUTH FILES [--seen OUT] [--resume MANIFEST HASHES]
      EXPECTED: directory of <table>.csv (COPY ... CSV HEADER of the rows as inserted)
      TRUTH:    COPY CSV of injected_faults rows of the feed (table_name, row_id, kind, detail)
      FILES:    COPY CSV of feed_files (part, file, table_name, rows, bytes, faults)
      --rates T M X   check the damaged shares against the configured rates (4 sigma)
      --rates-after K   ... in the files after the manifest's first K (written with those rates)
Prints TAP-style "ok -" / "not ok -" lines and "# N checks, N failed"; exits 1 on a failure.
"""
import csv
import glob
import hashlib
import json
import math
import os
import sys
import time

csv.field_size_limit(1 << 30)
CHECKS = FAILED = 0


def check(what, ok, detail=""):
    global CHECKS, FAILED
    CHECKS += 1
    if ok:
        print(f"ok - {what}")
    else:
        FAILED += 1
        print(f"not ok - {what}" + (f" ({detail})" if detail else ""))


def watch(root, seconds, out):
    seen = {}
    end = time.time() + float(seconds)
    while time.time() < end:
        for path in glob.glob(os.path.join(root, "table=*", "*", "part-*")):
            if path not in seen:
                try:
                    seen[path] = os.path.getsize(path)
                except FileNotFoundError:
                    pass
        time.sleep(0.005)
    json.dump({os.path.relpath(p, root): s for p, s in seen.items()}, open(out, "w"))


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def check_feed(root, expected_dir, truth_csv, files_csv, rest):
    opts = {}
    i = 0
    while i < len(rest):
        opts[rest[i]] = rest[i + 1:i + {"--resume": 3, "--rates": 4}.get(rest[i], 2)]
        i += 1 + len(opts[rest[i]])
    manifest = [json.loads(l) for l in open(os.path.join(root, "_manifest.jsonl"), encoding="utf-8")]
    listed = [m["file"] for m in manifest]
    check(f"the manifest lists {len(listed)} files, none twice", len(listed) == len(set(listed)) and listed)
    check("parts are numbered 1, 2, ... in manifest order", [m["part"] for m in manifest] == list(range(1, len(manifest) + 1)))
    on_disk = sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "table=*", "*", "part-*")))
    check("the part-* files on disk are exactly those listed", on_disk == sorted(listed))
    leftovers = [p for p in glob.glob(os.path.join(root, "**", ".*"), recursive=True)]
    check("no temporary file is left", not leftovers, str(leftovers[:3]))
    db_files = {r[1]: r for r in read_csv(files_csv)}
    check("feed_files lists the manifest's files with the same rows, bytes and faults",
          sorted(db_files) == sorted(listed) and all(
              [str(m["part"]), str(m["rows"]), str(m["bytes"]), str(m["faults"])] ==
              [db_files[m["file"]][0], db_files[m["file"]][3], db_files[m["file"]][4], db_files[m["file"]][5]]
              for m in manifest))
    sizes_ok = all(os.path.getsize(os.path.join(root, m["file"])) == m["bytes"] for m in manifest)
    check("each file has the size the manifest gives", sizes_ok)

    expected, header = {}, {}
    for path in glob.glob(os.path.join(expected_dir, "*.csv")):
        table = os.path.basename(path)[:-4]
        rows = read_csv(path)
        header[table] = rows[0]
        expected[table] = {r[0]: r for r in rows[1:]}
    truth = {}
    for table_name, row_id, kind, detail in read_csv(truth_csv):
        d = json.loads(detail)
        truth[(table_name[len("file:"):], d["record"])] = (row_id, kind, d.get("column"))

    found_ids = {t: [] for t in expected}
    found = {}  # (file, record) -> kind, from what the reader sees
    records = rated = 0
    rated_files = set(listed[int(opts.get("--rates-after", ["0"])[0]):])
    problems = []
    for m in manifest:
        path = os.path.join(root, m["file"])
        table = m["table_name"]
        cols = header[table]
        exp = expected[table]
        part_dir = m["partition"]
        if m["format"] == "csv":
            rows = read_csv(path)
            if rows[0] != cols:
                problems.append(f"{m['file']}: header {rows[0]}")
            data = rows[1:]
        else:
            data = open(path, encoding="utf-8").read().split("\n")
            if data[-1] != "":
                problems.append(f"{m['file']}: no final newline")
            data = data[:-1]
        if len(data) != m["rows"]:
            problems.append(f"{m['file']}: {len(data)} records, manifest says {m['rows']}")
        records += len(data)
        rated += len(data) if m["file"] in rated_files else 0
        for n, rec in enumerate(data, start=1):
            t = truth.get((m["file"], n))
            row_id = t[0] if t else (rec[0] if m["format"] == "csv" else json.loads(rec).get("id"))
            found_ids[table].append(row_id)
            want = exp.get(row_id)
            if want is None:
                problems.append(f"{m['file']}:{n}: id {row_id} was never inserted")
                continue
            key = dict(zip(cols, want))
            # The partition is the row's, as inserted.
            if part_dir.startswith("date="):
                d = key.get("created_at", "")[:10] or "__HIVE_DEFAULT_PARTITION__"
                if part_dir != "date=" + d:
                    problems.append(f"{m['file']}:{n}: created_at {key.get('created_at')} in {part_dir}")
            elif part_dir != "event_type=" + key["event_type"]:
                problems.append(f"{m['file']}:{n}: event_type {key['event_type']} in {part_dir}")
            if m["format"] == "csv":
                if rec == want:
                    continue
                # Bytes can fit both kinds (a line cut just before its last field): the truth decides then.
                miss = [k for k in range(1, len(cols)) if want[:k] + want[k + 1:] == rec] if len(rec) == len(cols) - 1 else []
                cut = 0 < len(rec) <= len(cols) and rec[:-1] == want[:len(rec) - 1] and want[len(rec) - 1].startswith(rec[-1])
                wrong = [k for k in range(len(cols)) if len(rec) == len(cols) and rec[k] != want[k]]
                typed = len(wrong) == 1 and rec[wrong[0]] == "n/a"
                kinds = (["missing_column"] if miss else []) + (["truncated_line"] if cut else []) + (["type_mismatch"] if typed else [])
                if not kinds:
                    problems.append(f"{m['file']}:{n}: record {rec} differs from the inserted row {want}")
                    continue
                found[(m["file"], n)] = t[1] if t and t[1] in kinds else kinds[0]
                if t and t[1] == "missing_column" and cols.index(t[2]) not in miss:
                    problems.append(f"{m['file']}:{n}: missing column is not the recorded {t[2]}")
                if t and t[1] == "type_mismatch" and [cols.index(t[2])] != wrong:
                    problems.append(f"{m['file']}:{n}: the mismatched column is not the recorded {t[2]}")
            else:
                try:
                    obj = json.loads(rec, parse_float=str, parse_int=str)
                except ValueError:
                    head = '{"id":"' + (t[0] if t else "")
                    if t and (rec.startswith(head) or head.startswith(rec)):
                        found[(m["file"], n)] = "truncated_line"
                    else:
                        problems.append(f"{m['file']}:{n}: unparseable line {rec[:80]!r}")
                    continue
                got = {k: ("" if v is None else v) for k, v in obj.items()}
                if got == key and list(obj) == cols:
                    continue
                missing = [c for c in cols if c not in obj]
                wrong = [c for c in cols if c in got and got[c] != key[c]]
                if not missing and wrong == [c for c in cols if got[c] == "n/a" and key[c] != "n/a"] and len(wrong) == 1:
                    found[(m["file"], n)] = "type_mismatch"
                    if t and t[2] != wrong[0]:
                        problems.append(f"{m['file']}:{n}: mismatched {wrong[0]}, recorded {t[2]}")
                elif len(missing) == 1 and got == {c: key[c] for c in cols if c != missing[0]}:
                    found[(m["file"], n)] = "missing_column"
                    if t and t[2] != missing[0]:
                        problems.append(f"{m['file']}:{n}: missing {missing[0]}, recorded {t[2]}")
                else:
                    problems.append(f"{m['file']}:{n}: object {obj} differs from the inserted row {key}")
    check(f"every record ({records}) is an inserted row, in its partition, or a recorded fault", not problems, "; ".join(problems[:5]))
    for table, ids in sorted(found_ids.items()):
        check(f"{table}: no row in two files ({len(ids)} rows)", len(ids) == len(set(ids)))
        check(f"{table}: the files hold every inserted row ({len(expected[table])})", set(ids) == set(expected[table]),
              f"{len(set(expected[table]) - set(ids))} missing, {len(set(ids) - set(expected[table]))} extra")
    truth_kinds = {k: v[1] for k, v in truth.items()}
    check(f"damaged records found = ground truth ({len(truth_kinds)} listed)", found == truth_kinds,
          f"{len(set(found.items()) - set(truth_kinds.items()))} unlisted, {len(set(truth_kinds.items()) - set(found.items()))} not found")
    check("ground truth lists the right row ids", all(truth[k][0] in expected[
        next(m["table_name"] for m in manifest if m["file"] == k[0])] for k in truth))
    if "--rates" in opts:
        for kind, rate in zip(("truncated_line", "missing_column", "type_mismatch"), map(float, opts["--rates"])):
            count = sum(1 for k, v in truth_kinds.items() if v == kind and k[0] in rated_files)
            mean, sd = rated * rate, math.sqrt(rated * rate * (1 - rate))
            check(f"{kind}: {count} of {rated} records, expected {mean:.1f} (4 sigma {4 * sd:.1f})", abs(count - mean) <= 4 * sd)
    if "--seen" in opts:
        seen = json.load(open(opts["--seen"][0]))
        final = {m["file"]: m["bytes"] for m in manifest}
        partial = {f: s for f, s in seen.items() if final.get(f) != s}
        check(f"a polling reader saw {len(seen)} files, each whole at first sight", seen and not partial, str(list(partial.items())[:3]))
    if "--resume" in opts:
        mid_manifest, hashes = opts["--resume"]
        mid = open(mid_manifest, encoding="utf-8").read()
        whole = open(os.path.join(root, "_manifest.jsonl"), encoding="utf-8").read()
        k = len(mid.splitlines())
        check(f"the manifest read mid-run ({k} files) is a prefix of the final one", whole.startswith(mid) and k > 0)
        resumed = [json.loads(l)["file"] for l in whole[len(mid):].splitlines()]
        first = [json.loads(l)["file"] for l in mid.splitlines()]
        check(f"resuming after {k} files reads the other {len(resumed)}: together every file once",
              sorted(first + resumed) == sorted(listed))
        same = True
        for line in open(hashes):
            digest, name = line.split(None, 1)
            name = name.strip()  # relative to the feed's directory (sha256sum ran there)
            same = same and hashlib.sha256(open(os.path.join(root, name), "rb").read()).hexdigest() == digest
        check("files read before the stop are unchanged when the reader resumes", same)
    print(f"# {CHECKS} checks, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    if sys.argv[1] == "watch":
        watch(*sys.argv[2:5])
        sys.exit(0)
    sys.exit(check_feed(*sys.argv[2:6], sys.argv[6:]))
