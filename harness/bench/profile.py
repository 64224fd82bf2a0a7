#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Instruction profile of fsbench workloads per kernel function (make bench-profile).

Usage: profile.py DIR N [--top K] [--base LABEL]

DIR holds what harness/guest/profile.sh and the insnprof QEMU plugin
(harness/bench/insnprof.c) wrote: `runs` (one "label metric run" line per
fsbench run, two marks each), `kallsyms` (the guest's) and the counts
`m.<K>`, instructions per translated block since mark K-1.  The counts of
the timed loop of run R are in m.<2R+1>.

For every metric, prints the instructions per operation spent in each
function, for every label, next to the first label (or --base), and the
functions whose cost differs most from it.  Rust symbols are shown by
their path (crate::module::item), without the hash and the generic
arguments.
"""

import argparse
import bisect
import collections
import re
import sys


def load_symbols(path):
    """Sorted (address, name) of the text symbols of the guest kernel and its modules."""
    syms = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3 or parts[1] not in "tTwW":
                continue
            name = parts[2]
            if len(parts) > 3:
                name += " " + parts[3]
            syms.append((int(parts[0], 16), name))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


IDENT = re.compile(r"(\d+)_?")


def rust_name(sym):
    """A readable path for a v0-mangled Rust symbol: its identifiers, in order."""
    if not sym.startswith("_R"):
        return sym
    name, _, module = sym.partition(" ")
    out, i = [], 2
    while i < len(name):
        m = IDENT.match(name, i)
        if not m:
            i += 1
            continue
        n = int(m.group(1))
        start = m.end()
        ident = name[start:start + n]
        if n and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", ident):
            out.append(ident)
            i = start + n
        else:
            i = m.end()
    # Drop the crate hash-like pieces and repeated names.
    path = [p for p in out if not re.fullmatch(r"[a-f0-9]{16}", p)]
    return "::".join(path[-4:]) + (" " + module if module else "")


def profile(path, addrs, names):
    """Instructions per function in one count file."""
    per = collections.Counter()
    with open(path) as f:
        for line in f:
            a, n = line.split()
            a = int(a, 16)
            if a < 0xffff800000000000:
                per["[user]"] += int(n)
                continue
            i = bisect.bisect_right(addrs, a) - 1
            per[rust_name(names[i]) if i >= 0 else "?"] += int(n)
    return per


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("n", type=int, help="operations per run (fsbench -n)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--base", help="the label to compare with (default: the first)")
    args = ap.parse_args()
    addrs, names = load_symbols(f"{args.dir}/kallsyms")
    runs = [line.split() for line in open(f"{args.dir}/runs")]
    prof = collections.OrderedDict()
    labels = []
    for r, (label, metric, kind) in enumerate(runs):
        if kind != "profiled":
            continue
        if label not in labels:
            labels.append(label)
        prof[(metric, label)] = profile(f"{args.dir}/m.{2 * r + 1}", addrs, names)
    base = args.base or labels[0]
    for metric in dict.fromkeys(m for m, _ in prof):
        per = {lb: prof[(metric, lb)] for lb in labels if (metric, lb) in prof}
        tot = {lb: sum(p.values()) / args.n for lb, p in per.items()}
        print(f"## {metric}: instructions per operation")
        print()
        print("| function | " + " | ".join(labels) + " | " +
              " | ".join(f"{lb} - {base}" for lb in labels if lb != base) + " |")
        print("|---|" + "---:|" * (2 * len(labels) - 1))
        print("| **total** | " + " | ".join(f"{tot[lb]:,.1f}" for lb in labels) + " | " +
              " | ".join(f"{tot[lb] - tot[base]:+,.1f}" for lb in labels if lb != base) + " |")
        funcs = set()
        for p in per.values():
            funcs |= set(p)
        diff = {fn: max(abs(per[lb][fn] - per[base][fn]) for lb in labels) for fn in funcs}
        for fn in sorted(funcs, key=lambda fn: -diff[fn])[:args.top]:
            cells = [f"{per[lb][fn] / args.n:,.1f}" for lb in labels]
            deltas = [f"{(per[lb][fn] - per[base][fn]) / args.n:+,.1f}"
                      for lb in labels if lb != base]
            print(f"| `{fn}` | " + " | ".join(cells) + " | " + " | ".join(deltas) + " |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
