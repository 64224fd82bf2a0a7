#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that every `unsafe` block and `unsafe impl` has a `// SAFETY:` comment.

Usage: check_safety.py FILE...

The line right above an `unsafe {` or `unsafe impl` must start with
`// SAFETY:`: a comment that explains more goes above it, so the reason for
the `unsafe` is always the line next to it.  Occurrences inside comments are
ignored.

Prints one line FILE:LINE: TEXT per offender and exits with 1 if any.
"""

import re
import sys

UNSAFE = re.compile(r"\bunsafe\s*(\{|impl\b)")


def strip_comment(line):
    """Returns the code part of a line, without a trailing `//` comment.

    Good enough for kernel Rust: `//` inside string literals is rare in the
    files checked, and only makes us miss an `unsafe` after it.
    """
    i = line.find("//")
    return line if i < 0 else line[:i]


def has_safety_comment(lines, n):
    """Whether the `unsafe` on `lines[n]` (0-based) has `// SAFETY:` right above."""
    return n > 0 and lines[n - 1].strip().startswith("// SAFETY:")


def check(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    bad = []
    for n, line in enumerate(lines):
        if not UNSAFE.search(strip_comment(line)):
            continue
        if not has_safety_comment(lines, n):
            bad.append((n + 1, line.strip()))
    return bad


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    total = 0
    for path in argv[1:]:
        for lineno, text in check(path):
            print(f"{path}:{lineno}: {text}")
            total += 1
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
