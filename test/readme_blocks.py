#!/usr/bin/env python3
"""The README's fenced code blocks, so that tests run them exactly as a user would paste them.

Every fenced block in README.md is preceded by one of two HTML comments (invisible on GitHub):
  <!-- test: NAME -->         a test runs this block as written (test/t_readme.sh, by NAME)
  <!-- untested: REASON -->   why no test can run it (output shown for reading, a placeholder...)

  readme_blocks.py check      fails if a block has neither comment, or two blocks share a NAME
  readme_blocks.py get NAME   prints the block called NAME
  readme_blocks.py names      prints every NAME, one a line, in README order
"""
import os
import re
import sys

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")
MARKER = re.compile(r"^<!-- (test|untested): (.+?) -->\s*$")


def blocks(path=README):
    """(line number, marker kind or None, marker text, language, body) per fenced block."""
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
        out.append((start + 1, marker.group(1) if marker else None, marker.group(2) if marker else None,
                    lang, "\n".join(lines[start + 1:j]) + "\n"))
        i = j + 1
    return out


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = blocks()
    if argv[1] == "check":
        bad, seen = 0, set()
        for line, kind, text, lang, _ in found:
            if kind is None:
                print(f"README.md:{line}: a ```{lang} block with neither <!-- test: NAME --> nor <!-- untested: REASON -->")
                bad += 1
            elif kind == "test":
                if text in seen:
                    print(f"README.md:{line}: block name '{text}' used twice")
                    bad += 1
                seen.add(text)
        tested = sum(1 for b in found if b[1] == "test")
        untested = sum(1 for b in found if b[1] == "untested")
        print(f"README.md: {len(found)} blocks, {tested} run by tests, {untested} marked untested, {bad} unmarked")
        return 1 if bad else 0
    if argv[1] == "names":
        for b in found:
            if b[1] == "test":
                print(b[2])
        return 0
    if argv[1] == "get" and len(argv) == 3:
        for b in found:
            if b[1] == "test" and b[2] == argv[2]:
                sys.stdout.write(b[4])
                return 0
        print(f"readme_blocks.py: no block named '{argv[2]}' in README.md", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
