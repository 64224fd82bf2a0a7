#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make bench`: build, boot once and time the same workloads on ramfs and
# rust_ramfs side by side (harness/guest/bench.py); prints a table of
# median times and their ratio.  BENCH_ROUNDS, BENCH_FILES and BENCH_MIB
# size the run.
. "$(dirname "$0")/lib.sh"

"$REPO/harness/build.sh"
args="${BENCH_ROUNDS:-5} ${BENCH_FILES:-2000} ${BENCH_MIB:-64}"
msg "booting for the benchmark ($args: rounds, files, MiB)"
"$REPO/harness/boot.sh" -t "${BENCH_TIMEOUT:-1800}" -o "$CACHE/bench" \
	"python3 \"\$RR_REPO/harness/guest/bench.py\" $args" | tee "$LOGS/bench.txt"
