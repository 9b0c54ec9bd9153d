#!/usr/bin/env python3
"""The fenced code blocks of README.md and docs/*.md, so that tests run them exactly as a user
would paste them.

Every fenced block is preceded by one of two HTML comments (invisible on GitHub):
  <!-- test: NAME -->         a test runs this block as written (test/t_readme.sh, by NAME)
  <!-- untested: REASON -->   why no test can run it (output shown for reading, a placeholder...)

  readme_blocks.py check      fails if a block in any of the files has neither comment, if two
                              blocks share a NAME (across all files), or if a REASON is empty
  readme_blocks.py get NAME   prints the block called NAME, whichever file holds it
  readme_blocks.py names      prints every NAME, one a line, README.md first, then docs/ by name
  readme_blocks.py where NAME prints the file and line of the block called NAME
"""
import glob
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
README = os.path.join(ROOT, "README.md")
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
    for f in files():
        mine = [b for b in found if b[5] == f]
        tested = sum(1 for b in mine if b[1] == "test")
        untested = sum(1 for b in mine if b[1] == "untested")
        unmarked = sum(1 for b in mine if b[1] is None)
        print(f"{rel(f)}: {len(mine)} blocks, {tested} run by tests, {untested} marked untested, {unmarked} unmarked")
    return 1 if bad else 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = blocks()
    if argv[1] == "check":
        return check(found)
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
