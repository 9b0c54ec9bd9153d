#!/usr/bin/env python3
"""The fenced code blocks of README.md and docs/*.md, so that tests run them exactly as a user
would paste them.

Every fenced block is preceded by one of two HTML comments (invisible on GitHub):
  <!-- test: NAME -->         a test runs this block as written (test/t_readme.sh, by NAME)
  <!-- untested: REASON -->   why no test can run it (output shown for reading, a placeholder...)

  readme_blocks.py check      fails if a block in any of the files has neither comment, if two
                              blocks share a NAME (across all files), if a REASON is empty, or
                              if a block marked "untested: bench/results/latest.txt ..." is not
                              that file's content, or a `RATIO ...` quoted in the text is not
                              one of its lines
  readme_blocks.py get NAME   prints the block called NAME, whichever file holds it
  readme_blocks.py names      prints every NAME, one a line, README.md first, then docs/ by name
  readme_blocks.py where NAME prints the file and line of the block called NAME
  readme_blocks.py links      fails if a relative link of those files names a missing file or a
                              heading anchor (GitHub's) that its target does not have
"""
import glob
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
README = os.path.join(ROOT, "README.md")
BENCH_RESULT = "bench/results/latest.txt"  # make bench's output, quoted by docs/performance.md
MARKER = re.compile(r"^<!-- (test|untested): (.*?) ?-->\s*$")


def files():
    """README.md, then every docs/*.md in name order: the files whose blocks are checked."""
    return [README] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))


def blocks_of(path):
    """(line number, marker kind or None, marker text, language, body, path) per fenced block."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        fence = re.match(r"^(```+)(\S*)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        start, ticks, lang = i, fence.group(1), fence.group(2)
        j = i + 1
        while j < len(lines) and lines[j].strip() != ticks:
            j += 1
        marker = MARKER.match(lines[start - 1]) if start > 0 else None
        out.append((start + 1, marker.group(1) if marker else None, marker.group(2).strip() if marker else None,
                    lang, "\n".join(lines[start + 1:j]) + "\n", path))
        i = j + 1
    return out


def blocks(path=None):
    """The blocks of one file, or (no path) of every checked file in order."""
    if path is not None:
        return blocks_of(path)
    return [b for f in files() for b in blocks_of(f)]


def rel(path):
    return os.path.relpath(path, ROOT)


def check(found):
    bad, seen = 0, {}
    for line, kind, text, lang, _, path in found:
        where = f"{rel(path)}:{line}"
        if kind is None:
            print(f"{where}: a ```{lang} block with neither <!-- test: NAME --> nor <!-- untested: REASON -->")
            bad += 1
        elif not text:
            print(f"{where}: <!-- {kind}: --> without a {'NAME' if kind == 'test' else 'REASON'}")
            bad += 1
        elif kind == "test":
            if text in seen:
                print(f"{where}: block name '{text}' used twice (also {seen[text]})")
                bad += 1
            seen[text] = where
    # A block that quotes the committed benchmark run must be that file, byte for byte.
    for line, kind, text, lang, body, path in found:
        if kind == "untested" and text.startswith(BENCH_RESULT + " "):
            quoted = os.path.join(ROOT, BENCH_RESULT)
            if not os.path.exists(quoted) or open(quoted, encoding="utf-8").read() != body:
                print(f"{rel(path)}:{line}: the block does not match {BENCH_RESULT} (copy the file into it)")
                bad += 1
    # Ratios quoted in the text (`RATIO ... = x` in inline code) must be lines of that file too.
    quoted = os.path.join(ROOT, BENCH_RESULT)
    result_lines = set(open(quoted, encoding="utf-8").read().split("\n")) if os.path.exists(quoted) else set()
    for f in files():
        for n, line in enumerate(open(f, encoding="utf-8"), 1):
            for ratio in re.findall(r"`(RATIO [^`]+)`", line):
                if ratio not in result_lines:
                    print(f"{rel(f)}:{n}: `{ratio}` is not a line of {BENCH_RESULT}")
                    bad += 1
    for f in files():
        mine = [b for b in found if b[5] == f]
        tested = sum(1 for b in mine if b[1] == "test")
        untested = sum(1 for b in mine if b[1] == "untested")
        unmarked = sum(1 for b in mine if b[1] is None)
        print(f"{rel(f)}: {len(mine)} blocks, {tested} run by tests, {untested} marked untested, {unmarked} unmarked")
    return 1 if bad else 0


def anchors(path):
    """The heading anchors GitHub makes for a Markdown file (lower case, punctuation dropped,
    spaces to hyphens, -1, -2... for repeats), outside fenced blocks."""
    seen, out, fenced = {}, set(), False
    for line in open(path, encoding="utf-8"):
        if re.match(r"^```", line):
            fenced = not fenced
            continue
        m = None if fenced else re.match(r"^#{1,6} +(.*?) *#* *$", line)
        if not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


# Pages other branches write; until they are merged a link to one is reported, not counted.
PENDING = set()  # pages another change is still writing: a link to them is reported, not failed


def links():
    bad, pending = 0, set()
    for f in files():
        text = re.sub(r"```.*?```", "", open(f, encoding="utf-8").read(), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", target):
                continue
            file_part, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(f), file_part)) if file_part else f
            if not os.path.exists(dest) and rel(dest) in PENDING:
                pending.add(rel(dest))
            elif not os.path.exists(dest):
                print(f"{rel(f)}: link to {target}: no file {rel(dest)}")
                bad += 1
            elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
                print(f"{rel(f)}: link to {target}: {rel(dest)} has no heading #{anchor}")
                bad += 1
    for p in sorted(pending):
        print(f"links: {p} is not there yet (another branch writes it): its links are not checked")
    print(f"links: {bad} broken")
    return 1 if bad else 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = blocks()
    if argv[1] == "check":
        return check(found)
    if argv[1] == "links":
        return links()
    if argv[1] == "names":
        for b in found:
            if b[1] == "test":
                print(b[2])
        return 0
    if argv[1] in ("get", "where") and len(argv) == 3:
        for b in found:
            if b[1] == "test" and b[2] == argv[2]:
                sys.stdout.write(b[4] if argv[1] == "get" else f"{rel(b[5])}:{b[0]}\n")
                return 0
        print(f"readme_blocks.py: no block named '{argv[2]}' in README.md or docs/*.md", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
