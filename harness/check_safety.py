#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that every `unsafe` block and `unsafe impl` has a `// SAFETY:` comment.

Usage: check_safety.py [--strict] FILE...

The comment block directly above an `unsafe {` or `unsafe impl` (the
contiguous `//` lines right before it, or before the statement it is part
of when it starts on the same line) must contain a paragraph starting with
`// SAFETY:`, in the upstream form: one paragraph, possibly spanning lines
and listing the preconditions as `// - ...` bullets.  With --strict, the
block must also start with `// SAFETY:`, so that nothing but the safety
argument sits between the code before and the `unsafe`.  Occurrences inside
comments are ignored.

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


def comment_block(lines, n):
    """The `//` comment lines directly above line `n` (0-based), top first."""
    block = []
    i = n - 1
    while i >= 0:
        s = lines[i].strip()
        if not s.startswith("//") or s.startswith("///") or s.startswith("//!"):
            break
        block.append(s)
        i -= 1
    return list(reversed(block))


def has_safety_comment(lines, n, strict):
    """Whether the `unsafe` on `lines[n]` (0-based) has its SAFETY paragraph above."""
    block = comment_block(lines, n)
    if not block:
        return False
    if strict:
        return block[0].startswith("// SAFETY:")
    return any(s.startswith("// SAFETY:") for s in block)


def check(path, strict):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    bad = []
    for n, line in enumerate(lines):
        if not UNSAFE.search(strip_comment(line)):
            continue
        if not has_safety_comment(lines, n, strict):
            bad.append((n + 1, line.strip()))
    return bad


def main(argv):
    args = argv[1:]
    strict = "--strict" in args
    args = [a for a in args if a != "--strict"]
    if not args:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    total = 0
    for path in args:
        for lineno, text in check(path, strict):
            print(f"{path}:{lineno}: {text}")
            total += 1
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
