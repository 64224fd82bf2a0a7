#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that every `unsafe` block and `unsafe impl` has a `// SAFETY:` comment.

Usage: check_safety.py FILE...

A `// SAFETY:` comment counts for an `unsafe {` or `unsafe impl` on line N if
it is found walking back from line N-1 over

- the other lines of the same `//` comment (a comment may span any number of
  lines), and
- at most two lines of code that do not end a statement or block, so that
  the comment may sit on the line that starts the enclosing expression
  (`Self {` followed by `field: unsafe { ... },`).

The walk stops at a blank line, a doc comment, or a line that ends a
statement (`;`) or block (`}`), so that one comment does not cover two
statements.  Occurrences inside comments are ignored.

Prints one line FILE:LINE: TEXT per offender and exits with 1 if any.
"""

import re
import sys

UNSAFE = re.compile(r"\bunsafe\s*(\{|impl\b)")
MAX_CODE_LINES = 2


def strip_comment(line):
    """Returns the code part of a line, without a trailing `//` comment.

    Good enough for kernel Rust: `//` inside string literals is rare in the
    files checked, and only makes us miss an `unsafe` after it.
    """
    i = line.find("//")
    return line if i < 0 else line[:i]


def ends_statement(code):
    code = code.rstrip()
    return code.endswith(";") or code.endswith("}") or code.endswith("},") or code.lstrip().startswith("}")


def has_safety_comment(lines, n):
    """Whether the `unsafe` on `lines[n]` (0-based) is documented."""
    code_lines = 0
    j = n - 1
    while j >= 0:
        s = lines[j].strip()
        if s.startswith("// SAFETY:"):
            return True
        if s.startswith("///") or s.startswith("//!"):
            return False
        if s.startswith("//"):
            j -= 1
            continue
        if not s or ends_statement(strip_comment(s)):
            return False
        code_lines += 1
        if code_lines > MAX_CODE_LINES:
            return False
        j -= 1
    return False


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
