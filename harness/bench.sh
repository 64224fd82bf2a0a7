#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make bench`: build the performance kernel (harness/config/perf.config:
# no KASAN, lockdep, kmemleak or KUnit) in its own build directory, boot it
# once and run harness/guest/bench.py, which measures ramfs, rust_ramfs and
# tmpfs side by side with harness/bench/fsbench.c; then write the report
# (Markdown, CSV, charts) with harness/bench/report.py.
#
# Without KVM the guest runs on one vCPU under QEMU's -icount shift=0,
# sleep=off: its clock then counts executed instructions, so the figures
# are instructions per operation, repeatable and independent of the host's
# load.  With KVM they are nanoseconds on two vCPUs.
#
#   BENCH_QUICK=1      a short run: 2 rounds, small sizes, no scaling runs
#   BENCH_ROUNDS, BENCH_N, BENCH_MIB, BENCH_SCALING, BENCH_READDIR
#                      measured rounds, entries, MiB, scaling sizes
#   BENCH_COMPARE=F    a previous bench.json, for the repeatability check
#   BENCH_OUT=DIR      where the results go (default: the cache's bench/)
RUST_RAMFS_FLAVOUR=${RUST_RAMFS_FLAVOUR:-perf}
export RUST_RAMFS_FLAVOUR
. "$(dirname "$0")/lib.sh"

out=${BENCH_OUT:-$CACHE/bench}
mkdir -p "$out"
"$REPO/harness/build.sh"
gcc -Wall -O2 -static -o "$out/fsbench" "$REPO/harness/bench/fsbench.c" ||
	die "cannot build harness/bench/fsbench.c"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	args="--rounds=${BENCH_ROUNDS:-2} -n ${BENCH_N:-300} --mib=${BENCH_MIB:-16}
--scaling=${BENCH_SCALING-} --readdir=${BENCH_READDIR-} --scaling-rounds=1 --memory-n=1000"
else
	args="--rounds=${BENCH_ROUNDS:-5} -n ${BENCH_N:-1000} --mib=${BENCH_MIB:-64}
--scaling=${BENCH_SCALING-1000,10000,100000} --readdir=${BENCH_READDIR-10,1000,100000}"
fi
args=$(echo $args)

measuring_boot
mode=$timing
msg "benchmarking the $FLAVOUR kernel ($mode): $args"
rm -f "$out/bench.json"
"$REPO/harness/boot.sh" -t "${BENCH_TIMEOUT:-3600}" -o "$out/guest" \
	"/usr/bin/python3 \"\$RR_REPO/harness/guest/bench.py\" '$out/fsbench' '$out/bench.json' --mode $mode $args" ||
	die "the benchmark failed; console: $out/guest/console.log"
[ -f "$out/bench.json" ] || die "no results in $out/bench.json"
/usr/bin/python3 "$REPO/harness/bench/report.py" "$out/bench.json" "$out" \
	${BENCH_COMPARE:+--compare "$BENCH_COMPARE"} | tee "$LOGS/bench.txt"
