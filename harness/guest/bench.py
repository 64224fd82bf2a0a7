#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Side-by-side performance of ramfs and rust_ramfs, run inside the guest.

Usage: bench.py ROUNDS FILES MIB

Each round mounts each file system (in alternating order, so that drift of
the machine affects both alike) and times the same workloads on it:

  create   create FILES files with 4 KiB each (open, write, close)
  stat     stat every file
  read     read every file back
  unlink   unlink every file
  mkdir    create FILES directories
  rmdir    remove them
  symlink  create FILES symlinks
  seqwrite write MIB MiB to one file in 1 MiB writes
  seqread  read it back in 1 MiB reads

and prints, per workload, the median time of each file system and the
ratio rust_ramfs / ramfs (1.00 = the same).
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

FSTYPES = ("ramfs", "rust_ramfs")
BLOCK = b"x" * 4096
MIB = b"y" * (1 << 20)


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def run_round(mnt, nfiles, mib):
    names = [os.path.join(mnt, f"f{i}") for i in range(nfiles)]
    dirs = [os.path.join(mnt, f"d{i}") for i in range(nfiles)]
    links = [os.path.join(mnt, f"l{i}") for i in range(nfiles)]
    big = os.path.join(mnt, "big")
    res = {}

    def create():
        for n in names:
            fd = os.open(n, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644)
            os.write(fd, BLOCK)
            os.close(fd)

    def stat():
        for n in names:
            os.stat(n)

    def read():
        for n in names:
            fd = os.open(n, os.O_RDONLY)
            os.read(fd, 8192)
            os.close(fd)

    def unlink():
        for n in names:
            os.unlink(n)

    def mkdir():
        for d in dirs:
            os.mkdir(d)

    def rmdir():
        for d in dirs:
            os.rmdir(d)

    def symlink():
        for i, link in enumerate(links):
            os.symlink(names[i], link)
        for link in links:
            os.unlink(link)

    def seqwrite():
        fd = os.open(big, os.O_CREAT | os.O_WRONLY, 0o644)
        for _ in range(mib):
            os.write(fd, MIB)
        os.close(fd)

    def seqread():
        fd = os.open(big, os.O_RDONLY)
        while os.read(fd, 1 << 20):
            pass
        os.close(fd)
        os.unlink(big)

    for name, fn in (("create", create), ("stat", stat), ("read", read),
                     ("unlink", unlink), ("mkdir", mkdir), ("rmdir", rmdir),
                     ("symlink", symlink), ("seqwrite", seqwrite),
                     ("seqread", seqread)):
        res[name] = timed(fn)
    return res


def main(argv):
    rounds, nfiles, mib = (int(a) for a in argv[1:4])
    subprocess.run(["modprobe", "rust_ramfs"], check=False)
    times = {fs: {} for fs in FSTYPES}
    for r in range(rounds):
        order = FSTYPES if r % 2 == 0 else FSTYPES[::-1]
        for fs in order:
            mnt = tempfile.mkdtemp(prefix=f"bench-{fs}.")
            subprocess.run(["mount", "-t", fs, "none", mnt], check=True)
            try:
                for k, v in run_round(mnt, nfiles, mib).items():
                    times[fs].setdefault(k, []).append(v)
            finally:
                subprocess.run(["umount", mnt], check=True)
                os.rmdir(mnt)
    print(f"# {rounds} rounds, {nfiles} files, {mib} MiB; median seconds")
    print(f"{'workload':<10} {'ramfs':>9} {'rust_ramfs':>11} {'ratio':>6}")
    ratios = []
    for k in times["ramfs"]:
        c = statistics.median(times["ramfs"][k])
        r = statistics.median(times["rust_ramfs"][k])
        ratios.append(r / c)
        print(f"{k:<10} {c:9.3f} {r:11.3f} {r / c:6.2f}")
    print(f"{'geomean':<10} {'':9} {'':11} {statistics.geometric_mean(ratios):6.2f}")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
