#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Side-by-side performance of ramfs, rust_ramfs and tmpfs, run inside the guest.

Usage: bench.py FSBENCH OUTFILE [options]

FSBENCH is the workload program (harness/bench/fsbench.c, built static on
the host); OUTFILE receives the results as JSON for harness/bench/report.py.

One boot measures every configuration:

  ramfs           C ramfs, no options
  rust_ramfs      rust_ramfs, no options
  rust_ramfs,lim  rust_ramfs with tmpfs's limits (size=, nr_inodes=)
  tmpfs,lim       tmpfs with the same limits

Each round mounts every configuration afresh, in an order rotated every
round, and runs the whole fsbench workload on it; the first round is a
warm-up and is not kept.  Then the metadata workloads run at several sizes
(scaling), and the kernel memory each configuration uses per empty file,
per directory and per MiB of data is measured from /proc/meminfo.

Under QEMU's -icount the guest clock counts instructions: the figures are
then instructions per operation, repeatable run to run.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

LIMITS = "size=2g,nr_inodes=1m"
CONFIGS = (
    ("ramfs", "ramfs", ""),
    ("rust_ramfs", "rust_ramfs", ""),
    ("rust_ramfs,lim", "rust_ramfs", LIMITS),
    ("tmpfs,lim", "tmpfs", LIMITS),
)
METADATA = ("create,open_close,stat,rename,link,unlink,mkdir,rmdir,symlink,readlink,"
            "lookup_d1,lookup_d8,lookup_d32")
PARALLEL = "par_same_create,par_same_unlink,par_sep_create,par_sep_unlink"


def log(*args):
    print("#", *args, file=sys.stderr, flush=True)


def mount(fstype, opts, where):
    cmd = ["mount", "-t", fstype]
    if opts:
        cmd += ["-o", opts]
    subprocess.run(cmd + ["bench", where], check=True)


def umount(where):
    subprocess.run(["umount", where], check=True)


def fsbench(prog, where, args):
    """Runs fsbench on a fresh mount; returns {metric: ns per operation}."""
    out = subprocess.run([prog, where, "-q"] + args, check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    res = {}
    for line in out.splitlines():
        metric, _ops, _total, per_op = line.split("\t")
        res[metric] = float(per_op)
    return res


def on_fresh_mount(cfg, fn):
    _label, fstype, opts = cfg
    where = tempfile.mkdtemp(prefix="bench.", dir="/tmp")
    mount(fstype, opts, where)
    try:
        return fn(where)
    finally:
        umount(where)
        os.rmdir(where)


def meminfo():
    vals = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, rest = line.split(":", 1)
            vals[key] = int(rest.split()[0]) * 1024
    return vals


def settle():
    """Writes back, frees what can be freed and lets RCU callbacks run."""
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")
    time.sleep(1)


def memory(where, n, mib):
    """Kernel memory per empty file, per directory and per MiB of data."""
    res = {}
    settle()
    m0 = meminfo()
    for i in range(n):
        os.close(os.open(f"{where}/f{i}", os.O_CREAT | os.O_WRONLY, 0o644))
    settle()
    m1 = meminfo()
    res["slab_per_file"] = (m1["Slab"] - m0["Slab"]) / n
    for i in range(n):
        os.mkdir(f"{where}/d{i}")
    settle()
    m2 = meminfo()
    res["slab_per_dir"] = (m2["Slab"] - m1["Slab"]) / n
    chunk = b"m" * (1 << 20)
    with open(f"{where}/data", "wb") as f:
        for _ in range(mib):
            f.write(chunk)
    settle()
    m3 = meminfo()
    res["kib_per_mib"] = (m2["MemFree"] - m3["MemFree"]) / mib / 1024
    for i in range(n):
        os.unlink(f"{where}/f{i}")
        os.rmdir(f"{where}/d{i}")
    os.unlink(f"{where}/data")
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fsbench")
    ap.add_argument("outfile")
    ap.add_argument("--rounds", type=int, default=5, help="measured rounds")
    ap.add_argument("-n", type=int, default=1000, help="entries per metadata workload")
    ap.add_argument("--mib", type=int, default=64, help="size of the data file")
    ap.add_argument("--scaling", default="1000,10000,100000",
                    help="entries for the metadata scaling runs ('' for none)")
    ap.add_argument("--readdir", default="10,1000,100000",
                    help="directory sizes for the readdir scaling runs ('' for none)")
    ap.add_argument("--scaling-rounds", type=int, default=1)
    ap.add_argument("--memory-n", type=int, default=10000)
    ap.add_argument("--mode", default="unknown", help="how time was measured")
    args = ap.parse_args()

    subprocess.run(["modprobe", "rust_ramfs"], check=True)
    result = {
        "kernel": platform.release(),
        "version": open("/proc/version").read().strip(),
        "mode": args.mode,
        "rounds": args.rounds,
        "n": args.n,
        "mib": args.mib,
        "configs": [c[0] for c in CONFIGS],
        "options": {c[0]: c[2] for c in CONFIGS},
        "rounds_data": [],
        "scaling": {},
        "memory": {},
    }
    t0 = time.monotonic()

    # Main rounds: everything, rotated order, round 0 is the warm-up.
    for r in range(args.rounds + 1):
        order = CONFIGS[r % len(CONFIGS):] + CONFIGS[:r % len(CONFIGS)]
        rnd = {}
        for cfg in order:
            def run(where):
                res = fsbench(args.fsbench, where, ["-n", str(args.n), "-s", str(args.mib)])
                res.update(fsbench(args.fsbench, where,
                                   ["-n", str(args.n), "-w", PARALLEL, "-p", "2"]))
                return res
            rnd[cfg[0]] = on_fresh_mount(cfg, run)
        if r == 0:
            log(f"warm-up round done ({time.monotonic() - t0:.0f} s)")
        else:
            result["rounds_data"].append({"order": [c[0] for c in order], "results": rnd})
            log(f"round {r}/{args.rounds} done ({time.monotonic() - t0:.0f} s)")

    # Scaling: metadata cost per operation against the number of entries.
    sizes = [int(s) for s in args.scaling.split(",") if s]
    dirsizes = [int(s) for s in args.readdir.split(",") if s]
    for r in range(args.scaling_rounds if sizes or dirsizes else 0):
        order = CONFIGS[r % len(CONFIGS):] + CONFIGS[:r % len(CONFIGS)]
        for cfg in order:
            per = result["scaling"].setdefault(cfg[0], {})
            for n in sizes:
                res = on_fresh_mount(
                    cfg, lambda w: fsbench(args.fsbench, w, ["-n", str(n), "-w", METADATA]))
                for metric, v in res.items():
                    per.setdefault(metric, {}).setdefault(str(n), []).append(v)
            for n in dirsizes:
                res = on_fresh_mount(
                    cfg, lambda w: fsbench(args.fsbench, w, ["-n", str(n), "-w", "readdir"]))
                per.setdefault("readdir", {}).setdefault(str(n), []).append(res["readdir"])
        log(f"scaling round {r + 1}/{args.scaling_rounds} done ({time.monotonic() - t0:.0f} s)")

    # Memory, once per configuration (no timing involved).
    for cfg in CONFIGS:
        result["memory"][cfg[0]] = on_fresh_mount(
            cfg, lambda w: memory(w, args.memory_n, args.mib))
    log(f"memory done ({time.monotonic() - t0:.0f} s)")

    result["guest_seconds"] = time.monotonic() - t0
    with open(args.outfile, "w") as f:
        json.dump(result, f, indent=1)
    log(f"results in {args.outfile}")


if __name__ == "__main__":
    main()
